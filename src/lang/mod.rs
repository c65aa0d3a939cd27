//! The language catalogue: one table per concept of the rule language (dsl.md).
//!
//! | module | its table |
//! |---|---|
//! | [`keywords`] | the kinds of rule and the clauses of a rule |
//! | [`fields`] | condition fields: name, what each reads, its value type, how it changes, its spec id |
//! | [`values`] | value types: the operators each takes, how values are read, known words |
//! | [`time`] | the anchors of `hours since` and the deadlines of `hours until` |
//! | [`operators`] | condition operators |
//! | [`actions`] | actions, and the field each `set` writes |
//! | [`placeholders`] | the `{{…}}` names of texts |
//! | [`codes`] | diagnostic codes: name, severity, spec id, whether it stops `run` |
//!
//! Every other layer reads these tables instead of keeping its own list: the parser's
//! keyword lists and messages, the resolver, the lints and [`did_you_mean`].
//! `docs/language.md`'s tables, `docs/diagnostics.md` and the word lists of
//! `editors/ticket-rules.tmLanguage.json` are checked against them by tests that
//! generate each table and list from the catalogue (`lang/docs.rs`).
//!
//! This module depends on nothing but the ticket model's enums; `syntax`, `diagnostic`,
//! `check` and `engine` re-export its types where they always were.

pub(crate) mod actions;
pub(crate) mod codes;
#[cfg(test)]
mod docs;
pub(crate) mod fields;
pub(crate) mod keywords;
pub(crate) mod operators;
pub(crate) mod placeholders;
mod suggest;
pub(crate) mod time;
pub(crate) mod values;

pub use actions::TextField;
pub use codes::{Code, Severity};
pub use fields::{Field, Role};
pub use keywords::RuleKind;
pub use operators::Operator;
pub use placeholders::Placeholder;
pub(crate) use suggest::did_you_mean;
pub use time::{Since, Until};

/// The docs' words for an entry of the catalogue, for its row in `docs/language.md`.
#[cfg_attr(not(test), allow(dead_code))] // read by the docs tests (lang/docs.rs)
pub(crate) struct Doc {
    /// What it is or does (Markdown).
    pub text: &'static str,
    /// An example condition or action; it checks without findings.
    pub example: &'static str,
}
