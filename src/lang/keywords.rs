//! The keywords that shape a rule file: the three kinds of rule and the clauses of a
//! rule (dsl.md, "Files and rules").

/// The three kinds of rule (`trigger`, `automation`, `redaction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// Event-driven, runs on every ticket create/update (S2–S10).
    Trigger,
    /// Time-based, runs hourly (S11–S17).
    Automation,
    /// Runs on incoming message text before any trigger (W13, redaction.md).
    Redaction,
}

/// One kind of rule: its keyword, when it runs and its spec ids (the rule-kind table of
/// `docs/language.md`).
pub(crate) struct RuleKindDef {
    /// The kind.
    pub kind: RuleKind,
    /// As written, e.g. `trigger`.
    pub keyword: &'static str,
    /// When it runs, in words.
    #[cfg_attr(not(test), allow(dead_code))] // read by the docs tests (lang/docs.rs)
    pub runs: &'static str,
    /// Its spec ids.
    #[cfg_attr(not(test), allow(dead_code))] // read by the docs tests (lang/docs.rs)
    pub spec: &'static str,
}

/// Every kind of rule, in the order of the docs.
pub(crate) const RULE_KINDS: &[RuleKindDef] = &[
    RuleKindDef {
        kind: RuleKind::Trigger,
        keyword: "trigger",
        runs: "after every ticket create or update",
        spec: "S2–S10",
    },
    RuleKindDef {
        kind: RuleKind::Automation,
        keyword: "automation",
        runs: "once an hour, over every ticket that is not closed",
        spec: "S11–S17",
    },
    RuleKindDef {
        kind: RuleKind::Redaction,
        keyword: "redaction",
        runs: "on every incoming message, before anything else sees its text",
        spec: "W13, R1–R9",
    },
];

impl RuleKind {
    /// The keyword as written in a rule file (`trigger`, `automation`, `redaction`).
    pub fn keyword(self) -> &'static str {
        RULE_KINDS
            .iter()
            .find(|d| d.kind == self)
            .map_or("", |d| d.keyword)
    }

    /// The kind written `keyword` (exactly, keywords are lowercase).
    pub fn from_keyword(keyword: &str) -> Option<RuleKind> {
        RULE_KINDS
            .iter()
            .find(|d| d.keyword == keyword)
            .map(|d| d.kind)
    }
}

/// The rule keywords, in order: `trigger`, `automation`, `redaction`.
pub(crate) fn rule_keywords() -> impl Iterator<Item = &'static str> {
    RULE_KINDS.iter().map(|d| d.keyword)
}

/// The words that start a clause inside a rule: `when all|any { … }`, `then { … }`,
/// `redact …`.
pub(crate) const CLAUSE_KEYWORDS: [&str; 3] = ["when", "then", "redact"];

/// The words after `when`: `when all` (every condition holds), `when any` (one does; S3).
pub(crate) const QUANTIFIERS: [&str; 2] = ["all", "any"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_round_trip() {
        for d in RULE_KINDS {
            assert_eq!(d.kind.keyword(), d.keyword);
            assert_eq!(RuleKind::from_keyword(d.keyword), Some(d.kind));
        }
        assert_eq!(RuleKind::from_keyword("Trigger"), None);
    }
}
