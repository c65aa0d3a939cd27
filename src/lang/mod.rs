//! The language catalogue: one table per concept of the rule language.
//!
//! - [`Code`]: every diagnostic code, with its severity, its spec id and whether it stops
//!   `run`.
//!
//! Every other layer reads these tables instead of keeping its own list: the parser, the
//! resolver, the lints, did-you-mean; `docs/diagnostics.md` is checked against them.

mod codes;

pub use codes::{Code, Severity};
