//! Resolved rules: the typed, plain-data form of a rule after name and type resolution.
//!
//! Field names, operators and values are resolved once, here; the engine evaluates these
//! enums directly and never looks at field names as strings.

use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};

pub use crate::lang::{Field, Placeholder, Role, Since, TextField, Until};
use crate::model::{FieldValue, Priority, Satisfaction, Status, TicketType};
use crate::redact::RedactOptions;
use crate::syntax::ast::{RuleKind, Span};

/// One resolved rule.
#[derive(Debug, Clone)]
pub struct RuleIr {
    /// trigger / automation / redaction.
    pub kind: RuleKind,
    /// The title, e.g. `Tag new WhatsApp tickets`.
    pub title: String,
    /// Index of the source file in the compiled rule set's file list.
    pub file: usize,
    /// Span of the title in its file.
    pub title_span: Span,
    /// `when all` conditions (all must hold).
    pub all: Vec<Cond>,
    /// `when any` conditions (one must hold, if any are written) (S3).
    pub any: Vec<Cond>,
    /// Actions in source order.
    pub actions: Vec<Act>,
    /// The span of each action, parallel to `actions`.
    pub action_spans: Vec<Span>,
    /// For redaction rules: the scanner options (R7–R9).
    pub redact: Option<RedactOptions>,
}

impl RuleIr {
    /// The id used in `fired` lists: `trigger:TITLE`, `automation:TITLE`, `redaction:TITLE`.
    pub fn id(&self) -> String {
        format!("{}:{}", self.kind.keyword(), self.title)
    }
}

/// A resolved condition.
#[derive(Debug, Clone)]
pub struct Cond {
    /// Written with `not`.
    pub negated: bool,
    /// What it tests.
    pub test: Test,
    /// Where it was written.
    pub span: Span,
    /// The condition's source text (for explain traces).
    pub text: String,
}

/// Comparison of a value with literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `is` / `in`: equal to one of the literals.
    Eq,
    /// `is not` / `not in`: equal to none of them.
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Cmp {
    /// Applies an ordering result: `ord` is `value.cmp(literal)`.
    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Cmp::Eq => ord == Equal,
            Cmp::Ne => ord != Equal,
            Cmp::Lt => ord == Less,
            Cmp::Le => ord != Greater,
            Cmp::Gt => ord == Greater,
            Cmp::Ge => ord != Less,
        }
    }
}

/// A typed literal. Ordered enums (status, priority, type, satisfaction) are ranks;
/// text is lowercased for case-insensitive comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// Rank of an enum value (its position in `ALL`).
    Rank(u8),
    /// Lowercased text.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// A number.
    Num(f64),
    /// No value (`none`).
    Null,
}

/// Text operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOp {
    /// Case-insensitive substring.
    Contains,
    /// Negated substring.
    NotContains,
    /// Whole word, case-insensitive.
    ContainsWord,
}

/// How a `changed` operator compares with the baseline (S6).
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeHow {
    /// `changed`
    Changed,
    /// `not changed`
    NotChanged,
    /// `changed to V`
    To(Lit),
    /// `changed from V`
    From(Lit),
}

/// What a condition tests.
#[derive(Debug, Clone)]
pub enum Test {
    /// `FIELD is|is not|in|not in|<|<=|>|>= LIT…`.
    Cmp {
        /// The field.
        field: Field,
        /// The comparison.
        cmp: Cmp,
        /// One literal, or several for `in`/`not in`.
        lits: Vec<Lit>,
    },
    /// `contains`, `not contains`, `contains word` (needle lowercased).
    Text {
        /// The field.
        field: Field,
        /// The operator.
        op: TextOp,
        /// Lowercased needle.
        needle: String,
    },
    /// `matches /re/`.
    Matches {
        /// The field.
        field: Field,
        /// The validated, size-limited pattern.
        re: Pattern,
    },
    /// `tags includes a, b` (include) / `tags excludes a, b`.
    Tags {
        /// `Tags` or `RequesterTags`.
        field: Field,
        /// Lowercased tags.
        tags: Vec<String>,
        /// includes (true) or excludes (false).
        include: bool,
    },
    /// `FIELD changed|not changed|changed to V|changed from V` (S6).
    Changed {
        /// The field.
        field: Field,
        /// How.
        how: ChangeHow,
    },
    /// `FIELD present|not present`.
    Present {
        /// The field.
        field: Field,
        /// present (true) or not present.
        present: bool,
    },
    /// `ticket is created` (true) / `ticket is updated` (false).
    TicketCreated(bool),
    /// `comment is public` (true) / `comment is private` (false); false without a comment.
    CommentPublic(bool),
    /// `current_user is|in …`: equal to one of the roles.
    CurrentUser(Vec<Role>),
    /// `window is open` (true) / `window is closed` (false) (W2).
    WindowOpen(bool),
    /// `within business_hours` (S14).
    WithinBusinessHours,
    /// `hours since X OP N [business]` (S12–S14).
    HoursSince {
        /// The anchor.
        since: Since,
        /// The comparison (`Eq`, `Ne`, `Lt`…).
        cmp: Cmp,
        /// Whole hours.
        hours: i64,
        /// Count business hours only.
        business: bool,
    },
    /// `hours until X OP N [business]`.
    HoursUntil {
        /// The deadline.
        until: Until,
        /// The comparison.
        cmp: Cmp,
        /// Whole hours.
        hours: i64,
        /// Count business hours only.
        business: bool,
    },
}

/// Largest compiled size of a `matches` regex, in bytes (dsl.md "size-limited"): the
/// limit on each of its NFAs, as `regex::RegexBuilder::size_limit`.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A `matches /…/` pattern (Rust `regex` syntax). [`Pattern::new`] validates it — syntax,
/// and the [`REGEX_SIZE_LIMIT`] on the forward and reverse NFAs that `regex` builds — at a
/// fraction of the cost of a full build; the matcher itself is built on first use and
/// kept (thread-safe). A pattern that validated always builds.
#[derive(Clone)]
pub struct Pattern {
    source: String,
    compiled: OnceLock<Option<Regex>>,
}

/// Why a pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternError {
    /// Not valid `regex` syntax; the parser's message, on one line.
    Syntax(String),
    /// Larger than [`REGEX_SIZE_LIMIT`] once compiled.
    TooBig,
}

impl Pattern {
    /// Validates `source` like `regex::RegexBuilder::new(source).size_limit(REGEX_SIZE_LIMIT)`
    /// would, without building the matcher.
    pub fn new(source: &str) -> Result<Pattern, PatternError> {
        use regex_automata::nfa::thompson::{self, WhichCaptures};
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(source)
            .map_err(|e| {
                PatternError::Syntax(
                    e.to_string()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            })?;
        let config = thompson::Config::new()
            .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
            .shrink(false);
        for config in [
            config.clone(),
            config.which_captures(WhichCaptures::None).reverse(true),
        ] {
            thompson::Compiler::new()
                .configure(config)
                .build_from_hir(&hir)
                .map_err(|_| PatternError::TooBig)?;
        }
        Ok(Pattern {
            source: source.to_string(),
            compiled: OnceLock::new(),
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The matcher, built on first use; `None` only if the build fails, which validation
    /// rules out.
    pub fn regex(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| {
                RegexBuilder::new(&self.source)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .ok()
            })
            .as_ref()
    }

    /// True when the pattern matches somewhere in `text` (false if it could not be built).
    pub fn is_match(&self, text: &str) -> bool {
        self.regex().is_some_and(|re| re.is_match(text))
    }
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pattern({:?})", self.source)
    }
}

/// A text with placeholders, compiled (rules-semantics.md "Placeholders").
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextTemplate {
    /// Literal text and placeholders in order.
    pub pieces: Vec<Piece>,
}

/// A piece of a [`TextTemplate`].
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Literal text.
    Lit(String),
    /// A placeholder.
    Ph(Placeholder),
}

/// Who a notification goes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Recipient {
    /// The requester by email (S9, W5b).
    Requester,
    /// The assignee.
    Assignee,
    /// A group by name.
    Group(String),
    /// A named webhook.
    Webhook(String),
}

/// A resolved action.
#[derive(Debug, Clone)]
pub enum Act {
    /// `set status V`.
    SetStatus(Status),
    /// `set priority V|none`.
    SetPriority(Option<Priority>),
    /// `set type V|none`.
    SetType(Option<TicketType>),
    /// `set group|assignee|schedule|form|brand V|none`.
    SetText(TextField, Option<String>),
    /// `set satisfaction offered`.
    SetSatisfaction(Satisfaction),
    /// `set field "NAME" V`.
    SetCustom(String, FieldValue),
    /// `add tags …` (lowercased).
    AddTags(Vec<String>),
    /// `remove tags …`.
    RemoveTags(Vec<String>),
    /// `set tags …`.
    SetTags(Vec<String>),
    /// `send message "…"` (guarded; W15 shorthand makes it a template send).
    SendMessage(TextTemplate),
    /// `send template "NAME" language "CODE" params […]`.
    SendTemplate {
        /// Template name.
        name: String,
        /// Language code.
        language: String,
        /// Parameters (placeholders allowed).
        params: Vec<TextTemplate>,
    },
    /// `add note "…"`.
    AddNote(TextTemplate),
    /// `notify …`.
    Notify {
        /// To whom.
        to: Recipient,
        /// Subject.
        subject: Option<TextTemplate>,
        /// Body.
        body: TextTemplate,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn full_build_ok(p: &str) -> bool {
        RegexBuilder::new(p)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .is_ok()
    }

    #[test]
    fn pattern_matches_like_the_regex_it_stands_for() {
        let p = Pattern::new(r"(?i)\border\W*\d{4,}").expect("valid");
        assert!(p.is_match("About ORDER #12345, please"));
        assert!(!p.is_match("reorder 12345"));
        assert_eq!(p.as_str(), r"(?i)\border\W*\d{4,}");
        assert_eq!(format!("{p:?}"), r#"Pattern("(?i)\\border\\W*\\d{4,}")"#);
    }

    #[test]
    fn pattern_refuses_bad_syntax_and_oversized_patterns() {
        assert!(
            matches!(Pattern::new("("), Err(PatternError::Syntax(m)) if m.contains("unclosed group"))
        );
        assert_eq!(
            Pattern::new(r"(?:\w{100}){100}").err(),
            Some(PatternError::TooBig)
        );
    }

    #[test]
    fn pattern_size_limit_agrees_with_regex_near_the_limit() {
        // Counted repetitions of a Unicode class around the 1 MiB limit: some pass, some not.
        let mut seen = (false, false);
        for n in (50..400).step_by(10) {
            for p in [format!(r"\w{{{n}}}"), format!(r"(?i)[a-z]{{{n}}}\d{{{n}}}")] {
                let ok = Pattern::new(&p).is_ok();
                assert_eq!(ok, full_build_ok(&p), "{p}");
                if ok {
                    seen.0 = true;
                } else {
                    seen.1 = true;
                }
            }
        }
        assert_eq!(seen, (true, true), "the range must straddle the limit");
    }

    proptest! {
        #[test]
        fn pattern_accepts_exactly_what_regex_builds(p in r"[ab.()|*+?\[\]{}\\dw^$,0-9-]{0,14}") {
            prop_assert_eq!(Pattern::new(&p).is_ok(), full_build_ok(&p));
        }
    }
}
