//! The pest parser generated from `grammar/rules.pest`. Its `Rule` enum and pairs stay
//! inside `syntax::parser`.

/// The generated parser; `Rule::file` parses a whole rule file.
#[derive(pest_derive::Parser)]
#[grammar = "grammar/rules.pest"]
pub(super) struct RulesParser;
