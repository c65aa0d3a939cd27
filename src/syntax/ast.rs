//! The typed syntax tree of one rule file (`dsl.md`).
//!
//! Every node keeps its [`Span`]: byte offsets into the file's source text. Strings are
//! stored unescaped. Comments are kept (with their spans) so that the formatter can put
//! them back in place. No pest type appears here.

pub use crate::lang::{Operator, RuleKind};

/// A half-open byte range `start..end` into a rule file's source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// A value together with the span of the text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

/// One parsed `.rules` file: its rules in source order and every `#` comment.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleFile {
    /// Rules in source order.
    pub rules: Vec<Rule>,
    /// Every comment in the file, in source order.
    pub comments: Vec<Comment>,
}

/// A `#` comment. `text` is everything after the `#` up to the end of the line.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    /// Span of the comment including the `#`.
    pub span: Span,
    /// The text after `#`, without the line end.
    pub text: String,
}

/// One rule: `KIND "TITLE" { when all {…} when any {…} [redact …] then {…} }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// trigger / automation / redaction.
    pub kind: RuleKind,
    /// The title string (unescaped) and the span of the quoted string.
    pub title: Spanned<String>,
    /// The `when all` block, if written.
    pub all: Option<ConditionBlock>,
    /// The `when any` block, if written.
    pub any: Option<ConditionBlock>,
    /// The `redact …` clause (redaction rules only).
    pub redact: Option<RedactClause>,
    /// The `then` block, if written.
    pub then: Option<ActionBlock>,
    /// The whole rule, from its keyword to its closing brace.
    pub span: Span,
}

/// A `when all { … }` or `when any { … }` block.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionBlock {
    /// Conditions in source order.
    pub conditions: Vec<Condition>,
    /// Span of the whole block, from `when` to `}`.
    pub span: Span,
}

/// A `then { … }` block.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionBlock {
    /// Actions in source order.
    pub actions: Vec<Action>,
    /// Span of the whole block, from `then` to `}`.
    pub span: Span,
}

/// One condition line, e.g. `status is pending`, `not comment contains "x"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Written with a leading `not`.
    pub negated: bool,
    /// What the condition tests.
    pub kind: ConditionKind,
    /// The whole condition (including a leading `not`).
    pub span: Span,
}

/// The shapes a condition can take.
#[derive(Debug, Clone, PartialEq)]
pub enum ConditionKind {
    /// `FIELD OPERATOR [VALUE]`, e.g. `status is open`, `tags includes a, b`,
    /// `subject changed`, `ticket is created`, `field "order_id" present`.
    Field {
        /// The field as written.
        field: Spanned<FieldRef>,
        /// The operator.
        op: Spanned<Operator>,
        /// The value; `None` for `changed`, `not changed`, `present`, `not present`.
        value: Option<Value>,
    },
    /// `hours since WHAT OP N [business]` (S12–S14). `what` is the bare word, e.g.
    /// `solved`, `last_end_user_message`; its validity is checked later.
    HoursSince {
        /// The anchor word.
        what: Spanned<String>,
        /// One of `is`, `is not`, `<`, `<=`, `>`, `>=`.
        op: Spanned<Operator>,
        /// Whole hours.
        hours: Spanned<i64>,
        /// `business` was written: count only business hours (S14).
        business: bool,
    },
    /// `hours until WHAT OP N [business]`, e.g. `hours until due < 4`.
    HoursUntil {
        /// The deadline word (`due`, `sla_breach`).
        what: Spanned<String>,
        /// One of `is`, `is not`, `<`, `<=`, `>`, `>=`.
        op: Spanned<Operator>,
        /// Whole hours.
        hours: Spanned<i64>,
        /// `business` was written.
        business: bool,
    },
    /// `within business_hours`.
    WithinBusinessHours,
}

/// A field reference as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldRef {
    /// A bare (possibly dotted) word: `status`, `requester.tags`, `ticket`, `comment`,
    /// `message.forwarded`, `current_user`, `update.via`, `window`, `tags`, …
    Named(String),
    /// `field "NAME"`: a ticket custom field.
    Custom(String),
    /// `requester.field "NAME"`.
    RequesterField(String),
    /// `organization.field "NAME"`.
    OrganizationField(String),
}

/// A value as written, with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// The value.
    pub kind: ValueKind,
    /// Where it was written (for a list: from the first to the last item, or the brackets).
    pub span: Span,
}

/// The literal forms of a value.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// A bare word `[A-Za-z_][A-Za-z0-9_.-]*`, e.g. `whatsapp`, `true`, `end_user`.
    Word(String),
    /// A double-quoted string, unescaped.
    Str(String),
    /// An integer.
    Number(i64),
    /// `[a, b]` or a bare comma list `a, b` (after `includes`/`excludes`, `add tags`, …).
    List(Vec<Value>),
    /// `/…/` with `\/` unescaped to `/`; other escapes kept for the regex engine.
    Regex(String),
}

impl ValueKind {
    /// The text of a word or string; `None` for numbers, lists and regexes.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            ValueKind::Word(s) | ValueKind::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// One action line in a `then` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// What the action does.
    pub kind: ActionKind,
    /// The whole action line.
    pub span: Span,
}

/// The actions of `dsl.md` (Actions table).
#[derive(Debug, Clone, PartialEq)]
pub enum ActionKind {
    /// `set FIELD VALUE`: `set status open`, `set assignee none`, `set field "x" 3`,
    /// `set tags a, b` (value is then a `List`), `set satisfaction offered`.
    Set {
        /// The field.
        field: Spanned<FieldRef>,
        /// The new value.
        value: Value,
    },
    /// `add tags a, b`
    AddTags(Vec<Spanned<String>>),
    /// `remove tags a, b`
    RemoveTags(Vec<Spanned<String>>),
    /// `send message "text"`: public reply on the ticket's channel (guarded, W6).
    SendMessage {
        /// The message text (may hold placeholders and template shorthand, W15).
        text: Spanned<String>,
    },
    /// `send template "NAME" language "CODE" [params [..]]` (W7–W11).
    SendTemplate {
        /// Template name.
        name: Spanned<String>,
        /// Language code, e.g. `en_US`.
        language: Spanned<String>,
        /// Body parameters (may hold placeholders); empty when `params` is omitted.
        params: Vec<Spanned<String>>,
    },
    /// `add note "text"`: private internal note.
    AddNote {
        /// The note text.
        text: Spanned<String>,
    },
    /// `notify requester|assignee|group "NAME"|webhook "NAME" [subject "…"] body "…"`.
    Notify {
        /// Who is notified.
        target: NotifyTarget,
        /// Subject line (not written for webhooks).
        subject: Option<Spanned<String>>,
        /// Body text.
        body: Spanned<String>,
    },
}

/// The recipient of a `notify` action.
#[derive(Debug, Clone, PartialEq)]
pub enum NotifyTarget {
    /// The end user, by email (S9).
    Requester,
    /// The assigned agent.
    Assignee,
    /// A group, by name.
    Group(Spanned<String>),
    /// A named webhook (recorded as an outbound request).
    Webhook(Spanned<String>),
}

/// `redact credit_cards [keep first N] [last N] [with "C"] [groupings] [word_boundaries]`
/// (redaction rules only; R7–R9).
#[derive(Debug, Clone, PartialEq)]
pub struct RedactClause {
    /// What to redact; only `credit_cards` is known.
    pub target: Spanned<String>,
    /// Digits kept at the start (R7; default 6).
    pub keep_first: Option<Spanned<i64>>,
    /// Digits kept at the end (R7; default 4).
    pub keep_last: Option<Spanned<i64>>,
    /// The mask string (must be one character; default `▇`).
    pub mask: Option<Spanned<String>>,
    /// R9 groupings option.
    pub groupings: bool,
    /// R8 word-boundaries option.
    pub word_boundaries: bool,
    /// The whole clause.
    pub span: Span,
}
