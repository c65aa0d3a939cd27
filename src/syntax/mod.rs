//! Parsing: rule-file text → typed AST ([`ast`]) plus every syntax diagnostic.

pub mod ast;
pub mod format;
mod parser;

pub use format::format;
pub use parser::parse;
