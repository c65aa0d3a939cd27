//! Parsing: rule-file text → typed AST ([`ast`]) plus every syntax diagnostic.

pub mod ast;
mod parser;

pub use parser::parse;
