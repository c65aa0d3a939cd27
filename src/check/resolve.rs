//! Name and type resolution: AST → [`RuleIr`], with a diagnostic for every field,
//! operator, value, regex or placeholder that does not resolve.

use super::ir::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::guards::{self, Shorthand};
use crate::model::{Account, FieldValue, Priority, Satisfaction, Status, TicketType};
use crate::redact::RedactOptions;
use crate::syntax::ast::{
    self, ActionKind, ConditionKind, FieldRef, NotifyTarget, Operator, RuleKind, Span, Spanned,
    ValueKind,
};

pub use super::ir::REGEX_SIZE_LIMIT;

/// The condition field names a rule may use (for did-you-mean).
pub const CONDITION_FIELDS: &[&str] = &[
    "status",
    "priority",
    "type",
    "channel",
    "subject",
    "tags",
    "group",
    "assignee",
    "form",
    "brand",
    "schedule",
    "public",
    "satisfaction",
    "organization",
    "requester.id",
    "requester.name",
    "requester.email",
    "requester.phone",
    "requester.tags",
    "requester.opted_in",
    "comment",
    "message.forwarded",
    "message.has_attachments",
    "ticket",
    "current_user",
    "update.via",
    "window",
];

/// The fields an action may `set`.
pub const SETTABLE_FIELDS: &[&str] = &[
    "status",
    "priority",
    "type",
    "group",
    "assignee",
    "schedule",
    "form",
    "brand",
    "satisfaction",
    "tags",
];

/// `hours since` anchors (S13).
pub const SINCE_ANCHORS: &[&str] = &[
    "created",
    "updated",
    "requester_update",
    "assignee_update",
    "open",
    "pending",
    "hold",
    "solved",
    "assigned",
    "last_end_user_message",
];

/// The placeholders texts may use.
pub const PLACEHOLDERS: &[&str] = &[
    "ticket.id",
    "ticket.subject",
    "ticket.status",
    "requester.name",
    "requester.first_name",
    "assignee.name",
    "ticket.fields.NAME",
];

/// The closest candidate within a small edit distance, for "did you mean".
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d > 0)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn suggest(diag: Diagnostic, word: &str, candidates: &[&str]) -> Diagnostic {
    match did_you_mean(word, candidates.iter().copied()) {
        Some(c) => diag.with_help(format!("did you mean `{c}`?")),
        None => diag.with_help(format!("expected one of: {}", candidates.join(", "))),
    }
}

/// The result of resolving one file.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// The rules that resolved (see [`resolve_file`]), in source order.
    pub rules: Vec<RuleIr>,
    /// A finding for each problem, in source order within each rule.
    pub diagnostics: Vec<Diagnostic>,
    /// Where each template is sent: the name in `send template "NAME"`, or the shorthand
    /// inside a `send message` text (W15). For the `templates-not-checked` warning.
    pub template_uses: Vec<Span>,
}

/// Resolves the rules of one parsed file. `file_idx` is the file's index (kept in the IR);
/// `source` its text (for condition texts and spans inside strings); `account` enables
/// the registry checks of templates (W9: `unknown-template`, `template-params`).
///
/// A rule is left out of [`Resolved::rules`] only when a finding makes it meaningless
/// ([`Code::blocks_run`]); lints such as W10's `automation-sends-template` keep
/// the rule so that the guards can be seen acting at runtime.
pub fn resolve_file(
    file_idx: usize,
    file: &ast::RuleFile,
    source: &str,
    account: Option<&Account>,
) -> Resolved {
    let mut out = Resolved::default();
    for rule in &file.rules {
        let mut r = Resolver {
            source,
            diags: Vec::new(),
            kind: rule.kind,
            account,
            template_uses: Vec::new(),
        };
        let ir = r.rule(file_idx, rule);
        let ok = !r.diags.iter().any(|d| d.is_error() && d.code.blocks_run());
        out.diagnostics.extend(r.diags);
        out.template_uses.extend(r.template_uses);
        if ok {
            out.rules.push(ir);
        }
    }
    out
}

struct Resolver<'s> {
    source: &'s str,
    diags: Vec<Diagnostic>,
    kind: RuleKind,
    account: Option<&'s Account>,
    template_uses: Vec<Span>,
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

impl<'s> Resolver<'s> {
    fn text(&self, span: Span) -> String {
        self.source
            .get(span.start..span.end)
            .unwrap_or("")
            .to_string()
    }

    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn rule(&mut self, file: usize, rule: &ast::Rule) -> RuleIr {
        let all = rule
            .all
            .as_ref()
            .map(|b| {
                b.conditions
                    .iter()
                    .filter_map(|c| self.cond(c, false))
                    .collect()
            })
            .unwrap_or_default();
        let any = rule
            .any
            .as_ref()
            .map(|b| {
                b.conditions
                    .iter()
                    .filter_map(|c| self.cond(c, true))
                    .collect()
            })
            .unwrap_or_default();
        let mut actions = Vec::new();
        let mut action_spans = Vec::new();
        for a in rule.then.iter().flat_map(|b| &b.actions) {
            if let Some(act) = self.action(a) {
                actions.push(act);
                action_spans.push(a.span);
            }
        }
        let redact = match (&rule.redact, rule.kind) {
            (Some(c), RuleKind::Redaction) => self.redact_clause(c),
            (Some(c), _) => {
                self.err(Diagnostic::new(
                    Code::InvalidOperator,
                    c.span,
                    "a `redact` clause belongs in a `redaction` rule",
                ));
                None
            }
            (None, RuleKind::Redaction) => {
                self.err(Diagnostic::new(
                    Code::Syntax,
                    rule.title.span,
                    "a redaction rule needs a `redact credit_cards …` clause",
                ));
                None
            }
            (None, _) => None,
        };
        RuleIr {
            kind: rule.kind,
            title: rule.title.node.clone(),
            file,
            title_span: rule.title.span,
            all,
            any,
            actions,
            action_spans,
            redact,
        }
    }

    fn redact_clause(&mut self, c: &ast::RedactClause) -> Option<RedactOptions> {
        if c.target.node != "credit_cards" {
            self.err(suggest(
                Diagnostic::new(
                    Code::InvalidValue,
                    c.target.span,
                    format!("unknown redaction target `{}`", c.target.node),
                ),
                &c.target.node,
                &["credit_cards"],
            ));
            return None;
        }
        let d = RedactOptions::default();
        let kf = c
            .keep_first
            .as_ref()
            .map(|n| n.node)
            .unwrap_or(d.keep_first as i64);
        let kl = c
            .keep_last
            .as_ref()
            .map(|n| n.node)
            .unwrap_or(d.keep_last as i64);
        let mask = match &c.mask {
            None => d.mask,
            Some(m) => {
                let mut it = m.node.chars();
                match (it.next(), it.next()) {
                    (Some(ch), None) => ch,
                    _ => {
                        self.err(Diagnostic::new(
                            Code::InvalidValue,
                            m.span,
                            "the mask must be exactly one character",
                        ));
                        return None;
                    }
                }
            }
        };
        if kf < 0 || kl < 0 {
            self.err(Diagnostic::new(
                Code::InvalidValue,
                c.span,
                "digits to keep cannot be negative",
            ));
            return None;
        }
        match RedactOptions::new(
            kf as usize,
            kl as usize,
            mask,
            c.groupings,
            c.word_boundaries,
        ) {
            Ok(o) => Some(o),
            Err(e) => {
                self.err(Diagnostic::new(Code::InvalidValue, c.span, e.to_string()));
                None
            }
        }
    }

    // ---------------------------------------------------------------- conditions

    fn cond(&mut self, c: &ast::Condition, in_any: bool) -> Option<Cond> {
        let test = match &c.kind {
            ConditionKind::WithinBusinessHours => Some(Test::WithinBusinessHours),
            ConditionKind::HoursSince {
                what,
                op,
                hours,
                business,
            } => {
                if in_any {
                    self.err(
                        Diagnostic::new(
                            Code::TimeConditionInAny,
                            c.span,
                            "time conditions belong in `when all`, never in `when any` (S13)",
                        )
                        .with_help("move this condition into the `when all` block"),
                    );
                }
                let since = match what.node.as_str() {
                    "created" => Some(Since::Created),
                    "updated" => Some(Since::Updated),
                    "requester_update" => Some(Since::RequesterUpdate),
                    "assignee_update" => Some(Since::AssigneeUpdate),
                    "open" => Some(Since::Status(Status::Open)),
                    "pending" => Some(Since::Status(Status::Pending)),
                    "hold" => Some(Since::Status(Status::Hold)),
                    "solved" => Some(Since::Status(Status::Solved)),
                    "assigned" => Some(Since::Assigned),
                    "last_end_user_message" => Some(Since::LastEndUserMessage),
                    other => {
                        self.err(suggest(
                            Diagnostic::new(
                                Code::UnknownField,
                                what.span,
                                format!("unknown time anchor `{other}` for `hours since`"),
                            ),
                            other,
                            SINCE_ANCHORS,
                        ));
                        None
                    }
                };
                let cmp = self.time_cmp(op);
                match (since, cmp) {
                    (Some(since), Some(cmp)) => Some(Test::HoursSince {
                        since,
                        cmp,
                        hours: hours.node,
                        business: *business,
                    }),
                    _ => None,
                }
            }
            ConditionKind::HoursUntil {
                what,
                op,
                hours,
                business,
            } => {
                if in_any {
                    self.err(
                        Diagnostic::new(
                            Code::TimeConditionInAny,
                            c.span,
                            "time conditions belong in `when all`, never in `when any` (S13)",
                        )
                        .with_help("move this condition into the `when all` block"),
                    );
                }
                let until = match what.node.as_str() {
                    "due" => Some(Until::Due),
                    "sla_breach" => Some(Until::SlaBreach),
                    other => {
                        self.err(suggest(
                            Diagnostic::new(
                                Code::UnknownField,
                                what.span,
                                format!("unknown deadline `{other}` for `hours until`"),
                            ),
                            other,
                            &["due", "sla_breach"],
                        ));
                        None
                    }
                };
                let cmp = self.time_cmp(op);
                match (until, cmp) {
                    (Some(until), Some(cmp)) => Some(Test::HoursUntil {
                        until,
                        cmp,
                        hours: hours.node,
                        business: *business,
                    }),
                    _ => None,
                }
            }
            ConditionKind::Field { field, op, value } => self.field_cond(field, op, value.as_ref()),
        }?;
        Some(Cond {
            negated: c.negated,
            test,
            span: c.span,
            text: self.text(c.span),
        })
    }

    fn time_cmp(&mut self, op: &Spanned<Operator>) -> Option<Cmp> {
        match op.node {
            Operator::Is => Some(Cmp::Eq),
            Operator::IsNot => Some(Cmp::Ne),
            Operator::Lt => Some(Cmp::Lt),
            Operator::Le => Some(Cmp::Le),
            Operator::Gt => Some(Cmp::Gt),
            Operator::Ge => Some(Cmp::Ge),
            other => {
                self.err(Diagnostic::new(
                    Code::InvalidOperator,
                    op.span,
                    format!(
                        "`{}` cannot compare hours; use `<`, `<=`, `>`, `>=`, `is` or `is not`",
                        other.as_str()
                    ),
                ));
                None
            }
        }
    }

    fn field_cond(
        &mut self,
        field: &Spanned<FieldRef>,
        op: &Spanned<Operator>,
        value: Option<&ast::Value>,
    ) -> Option<Test> {
        let (custom, changeable) = match &field.node {
            FieldRef::Named(_) => (None, false),
            FieldRef::Custom(n) => (Some(Field::Custom(n.clone())), true),
            FieldRef::RequesterField(n) => (Some(Field::RequesterField(n.clone())), false),
            FieldRef::OrganizationField(n) => (Some(Field::OrganizationField(n.clone())), false),
        };
        if let Some(f) = custom {
            return self.generic(f, Kind::Custom, changeable, field, op, value);
        }
        let FieldRef::Named(name) = &field.node else {
            return None;
        };
        let name = name.as_str();
        // Special conditions that read the update rather than a field.
        match name {
            "ticket" => {
                let w = self.word_in(op, value, &["created", "updated"])?;
                let created = w == "created";
                return Some(Test::TicketCreated(if op.node == Operator::IsNot {
                    !created
                } else {
                    created
                }));
            }
            "current_user" => {
                let words = self.words_in(op, value, &["end_user", "agent", "system"])?;
                let roles = words
                    .iter()
                    .map(|w| match w.as_str() {
                        "end_user" => Role::EndUser,
                        "agent" => Role::Agent,
                        _ => Role::System,
                    })
                    .collect::<Vec<_>>();
                let roles = if matches!(op.node, Operator::IsNot | Operator::NotIn) {
                    [Role::EndUser, Role::Agent, Role::System]
                        .into_iter()
                        .filter(|r| !roles.contains(r))
                        .collect()
                } else {
                    roles
                };
                return Some(Test::CurrentUser(roles));
            }
            "window" => {
                let w = self.word_in(op, value, &["open", "closed"])?;
                let open = w == "open";
                return Some(Test::WindowOpen(if op.node == Operator::IsNot {
                    !open
                } else {
                    open
                }));
            }
            "comment" if matches!(op.node, Operator::Is | Operator::IsNot) => {
                let w = self.word_in(op, value, &["public", "private"])?;
                let public = w == "public";
                return Some(Test::CommentPublic(if op.node == Operator::IsNot {
                    !public
                } else {
                    public
                }));
            }
            _ => {}
        }
        let (f, kind, changeable) = match name {
            "status" => (
                Field::Status,
                Kind::Rank(Status::ALL.iter().map(|s| s.as_str()).collect(), true),
                true,
            ),
            "priority" => (
                Field::Priority,
                Kind::Rank(Priority::ALL.iter().map(|s| s.as_str()).collect(), true),
                true,
            ),
            "type" => (
                Field::Type,
                Kind::Rank(TicketType::ALL.iter().map(|s| s.as_str()).collect(), false),
                true,
            ),
            "satisfaction" => (
                Field::Satisfaction,
                Kind::Rank(
                    Satisfaction::ALL.iter().map(|s| s.as_str()).collect(),
                    false,
                ),
                true,
            ),
            "channel" => (Field::Channel, Kind::Word, true),
            "subject" => (Field::Subject, Kind::Text, true),
            "group" => (Field::Group, Kind::Text, true),
            "assignee" => (Field::Assignee, Kind::Text, true),
            "form" => (Field::Form, Kind::Text, true),
            "brand" => (Field::Brand, Kind::Text, true),
            "schedule" => (Field::Schedule, Kind::Text, true),
            "organization" => (Field::Organization, Kind::Text, false),
            "tags" => (Field::Tags, Kind::Tags, true),
            "public" => (Field::Public, Kind::Bool, false),
            "requester.id" => (Field::RequesterId, Kind::Text, false),
            "requester.name" => (Field::RequesterName, Kind::Text, false),
            "requester.email" => (Field::RequesterEmail, Kind::Text, false),
            "requester.phone" => (Field::RequesterPhone, Kind::Text, false),
            "requester.tags" => (Field::RequesterTags, Kind::Tags, false),
            "requester.opted_in" => (Field::RequesterOptedIn, Kind::Bool, false),
            "comment" => (Field::Comment, Kind::Comment, false),
            "update.via" => (Field::UpdateVia, Kind::Word, false),
            "message.forwarded" => (Field::MessageForwarded, Kind::Bool, false),
            "message.has_attachments" => (Field::MessageHasAttachments, Kind::Bool, false),
            other => {
                self.err(suggest(
                    Diagnostic::new(
                        Code::UnknownField,
                        field.span,
                        format!("unknown field `{other}`"),
                    ),
                    other,
                    CONDITION_FIELDS,
                ));
                return None;
            }
        };
        self.generic(f, kind, changeable, field, op, value)
    }

    /// `is`/`is not` with one of `allowed` words; returns the lowercased word.
    fn word_in(
        &mut self,
        op: &Spanned<Operator>,
        value: Option<&ast::Value>,
        allowed: &[&str],
    ) -> Option<String> {
        if !matches!(op.node, Operator::Is | Operator::IsNot) {
            self.bad_op(op, "is, is not");
            return None;
        }
        let words = self.words_in(op, value, allowed)?;
        if words.len() != 1 {
            self.err(Diagnostic::new(
                Code::InvalidValue,
                value.map(|v| v.span).unwrap_or(op.span),
                "expected a single value",
            ));
            return None;
        }
        words.into_iter().next()
    }

    fn words_in(
        &mut self,
        op: &Spanned<Operator>,
        value: Option<&ast::Value>,
        allowed: &[&str],
    ) -> Option<Vec<String>> {
        if !matches!(
            op.node,
            Operator::Is | Operator::IsNot | Operator::In | Operator::NotIn
        ) {
            self.bad_op(op, "is, is not, in, not in");
            return None;
        }
        let Some(value) = value else {
            self.err(Diagnostic::new(
                Code::InvalidValue,
                op.span,
                "a value is missing after the operator",
            ));
            return None;
        };
        let mut out = Vec::new();
        for v in flatten(value) {
            match v.kind.as_text() {
                Some(w) if allowed.contains(&w.to_ascii_lowercase().as_str()) => {
                    out.push(w.to_ascii_lowercase())
                }
                Some(w) => {
                    self.err(suggest(
                        Diagnostic::new(
                            Code::InvalidValue,
                            v.span,
                            format!("`{w}` is not a valid value here"),
                        ),
                        w,
                        allowed,
                    ));
                    return None;
                }
                None => {
                    self.err(Diagnostic::new(
                        Code::InvalidValue,
                        v.span,
                        format!("expected one of: {}", allowed.join(", ")),
                    ));
                    return None;
                }
            }
        }
        Some(out)
    }

    fn bad_op(&mut self, op: &Spanned<Operator>, allowed: &str) {
        self.err(
            Diagnostic::new(
                Code::InvalidOperator,
                op.span,
                format!(
                    "the operator `{}` does not apply to this field",
                    op.node.as_str()
                ),
            )
            .with_help(format!("use one of: {allowed}")),
        );
    }

    fn generic(
        &mut self,
        f: Field,
        kind: Kind,
        changeable: bool,
        field: &Spanned<FieldRef>,
        op: &Spanned<Operator>,
        value: Option<&ast::Value>,
    ) -> Option<Test> {
        let _ = field;
        use Operator::*;
        let allowed: &str = kind.operators(changeable);
        let op_ok = match op.node {
            Is | IsNot | In | NotIn => !matches!(kind, Kind::Tags | Kind::Comment),
            Lt | Le | Gt | Ge => matches!(kind, Kind::Rank(_, true) | Kind::Custom),
            Includes | Excludes => matches!(kind, Kind::Tags),
            Contains | NotContains | ContainsWord | Matches => {
                matches!(kind, Kind::Text | Kind::Custom | Kind::Comment)
            }
            Changed | ChangedTo | ChangedFrom | NotChanged => changeable,
            Present | NotPresent => !matches!(kind, Kind::Bool),
        };
        if !op_ok {
            self.bad_op(op, allowed);
            return None;
        }
        match op.node {
            Present | NotPresent => Some(Test::Present {
                field: f,
                present: op.node == Present,
            }),
            Changed | NotChanged => Some(Test::Changed {
                field: f,
                how: if op.node == Changed {
                    ChangeHow::Changed
                } else {
                    ChangeHow::NotChanged
                },
            }),
            ChangedTo | ChangedFrom => {
                let v = self.need_value(op, value)?;
                let lit = self.lit(&kind, v)?;
                Some(Test::Changed {
                    field: f,
                    how: if op.node == ChangedTo {
                        ChangeHow::To(lit)
                    } else {
                        ChangeHow::From(lit)
                    },
                })
            }
            Includes | Excludes => {
                let v = self.need_value(op, value)?;
                let mut tags = Vec::new();
                for item in flatten(v) {
                    match item.kind.as_text() {
                        Some(t) => tags.push(lower(t)),
                        None => {
                            self.err(Diagnostic::new(
                                Code::InvalidValue,
                                item.span,
                                "expected a tag",
                            ));
                            return None;
                        }
                    }
                }
                Some(Test::Tags {
                    field: f,
                    tags,
                    include: op.node == Includes,
                })
            }
            Contains | NotContains | ContainsWord => {
                let v = self.need_value(op, value)?;
                let Some(t) = v.kind.as_text() else {
                    self.err(Diagnostic::new(
                        Code::InvalidValue,
                        v.span,
                        "expected a quoted text",
                    ));
                    return None;
                };
                let op = match op.node {
                    Contains => TextOp::Contains,
                    NotContains => TextOp::NotContains,
                    _ => TextOp::ContainsWord,
                };
                Some(Test::Text {
                    field: f,
                    op,
                    needle: lower(t),
                })
            }
            Matches => {
                let v = self.need_value(op, value)?;
                let (ValueKind::Regex(p) | ValueKind::Str(p)) = &v.kind else {
                    self.err(Diagnostic::new(
                        Code::InvalidValue,
                        v.span,
                        "expected a regex literal `/…/`",
                    ));
                    return None;
                };
                match Pattern::new(p) {
                    Ok(re) => Some(Test::Matches { field: f, re }),
                    Err(e) => {
                        let msg = match e {
                            PatternError::TooBig => format!(
                                "the regex is larger than the limit of {REGEX_SIZE_LIMIT} bytes when compiled"
                            ),
                            PatternError::Syntax(m) => format!("invalid regex: {m}"),
                        };
                        self.err(Diagnostic::new(Code::InvalidRegex, v.span, msg));
                        None
                    }
                }
            }
            Is | IsNot | In | NotIn | Lt | Le | Gt | Ge => {
                let v = self.need_value(op, value)?;
                let items = flatten(v);
                if matches!(op.node, Is | IsNot | Lt | Le | Gt | Ge) && items.len() != 1 {
                    self.err(
                        Diagnostic::new(Code::InvalidValue, v.span, "expected a single value")
                            .with_help("use `in [a, b]` to test several values"),
                    );
                    return None;
                }
                let mut lits = Vec::new();
                for item in items {
                    lits.push(self.lit(&kind, item)?);
                }
                let cmp = match op.node {
                    Is | In => Cmp::Eq,
                    IsNot | NotIn => Cmp::Ne,
                    Lt => Cmp::Lt,
                    Le => Cmp::Le,
                    Gt => Cmp::Gt,
                    _ => Cmp::Ge,
                };
                if matches!(cmp, Cmp::Lt | Cmp::Le | Cmp::Gt | Cmp::Ge)
                    && matches!(kind, Kind::Custom)
                    && !matches!(lits[0], Lit::Num(_))
                {
                    self.err(Diagnostic::new(
                        Code::InvalidValue,
                        v.span,
                        "`<`, `<=`, `>`, `>=` on a custom field need a number",
                    ));
                    return None;
                }
                Some(Test::Cmp {
                    field: f,
                    cmp,
                    lits,
                })
            }
        }
    }

    fn need_value<'v>(
        &mut self,
        op: &Spanned<Operator>,
        value: Option<&'v ast::Value>,
    ) -> Option<&'v ast::Value> {
        if value.is_none() {
            self.err(Diagnostic::new(
                Code::InvalidValue,
                op.span,
                format!("a value is missing after `{}`", op.node.as_str()),
            ));
        }
        value
    }

    fn lit(&mut self, kind: &Kind, v: &ast::Value) -> Option<Lit> {
        match (kind, &v.kind) {
            (_, ValueKind::Word(w))
                if w.eq_ignore_ascii_case("none") && !matches!(kind, Kind::Bool) =>
            {
                Some(Lit::Null)
            }
            (Kind::Rank(names, _), k) => {
                let Some(w) = k.as_text() else {
                    self.err(Diagnostic::new(
                        Code::InvalidValue,
                        v.span,
                        format!("expected one of: {}", names.join(", ")),
                    ));
                    return None;
                };
                match names.iter().position(|n| n.eq_ignore_ascii_case(w)) {
                    Some(i) => Some(Lit::Rank(i as u8)),
                    None => {
                        self.err(suggest(
                            Diagnostic::new(
                                Code::InvalidValue,
                                v.span,
                                format!("`{w}` is not a valid value here"),
                            ),
                            w,
                            names,
                        ));
                        None
                    }
                }
            }
            (Kind::Bool, k) => match k.as_text().map(|s| s.to_ascii_lowercase()) {
                Some(s) if s == "true" => Some(Lit::Bool(true)),
                Some(s) if s == "false" => Some(Lit::Bool(false)),
                other => {
                    self.err(suggest(
                        Diagnostic::new(Code::InvalidValue, v.span, "expected `true` or `false`"),
                        other.as_deref().unwrap_or(""),
                        &["true", "false"],
                    ));
                    None
                }
            },
            (Kind::Custom, ValueKind::Number(n)) => Some(Lit::Num(*n as f64)),
            (Kind::Custom, ValueKind::Word(w)) if w == "true" || w == "false" => {
                Some(Lit::Bool(w == "true"))
            }
            (_, ValueKind::Word(w) | ValueKind::Str(w)) => Some(Lit::Text(lower(w))),
            (_, ValueKind::Number(n)) => Some(Lit::Text(n.to_string())),
            _ => {
                self.err(Diagnostic::new(
                    Code::InvalidValue,
                    v.span,
                    "expected a word, text or number",
                ));
                None
            }
        }
    }

    // ---------------------------------------------------------------- actions

    fn action(&mut self, a: &ast::Action) -> Option<Act> {
        match &a.kind {
            ActionKind::Set { field, value } => self.set_action(field, value),
            ActionKind::AddTags(t) => {
                Some(Act::AddTags(t.iter().map(|s| lower(&s.node)).collect()))
            }
            ActionKind::RemoveTags(t) => {
                Some(Act::RemoveTags(t.iter().map(|s| lower(&s.node)).collect()))
            }
            ActionKind::SendMessage { text } => {
                let compiled = self.template_text(text);
                self.shorthand(text);
                Some(Act::SendMessage(compiled?))
            }
            ActionKind::SendTemplate {
                name,
                language,
                params,
            } => {
                self.template_uses.push(name.span);
                if self.kind == RuleKind::Automation {
                    self.err(
                        Diagnostic::new(
                            Code::AutomationSendsTemplate,
                            a.span,
                            "automations cannot send template messages (W10)",
                        )
                        .with_help(SEND_FROM_A_TRIGGER),
                    );
                }
                let params_span = match (params.first(), params.last()) {
                    (Some(f), Some(l)) => Span::new(f.span.start, l.span.end),
                    _ => a.span,
                };
                self.registry(
                    &name.node,
                    &language.node,
                    params.len(),
                    TemplateSpans {
                        name: name.span,
                        language: language.span,
                        params: params_span,
                    },
                    "give one value per parameter in `params [\"…\"]`",
                );
                let mut ps = Vec::new();
                for p in params {
                    ps.push(self.template_text(p)?);
                }
                Some(Act::SendTemplate {
                    name: name.node.clone(),
                    language: language.node.clone(),
                    params: ps,
                })
            }
            ActionKind::AddNote { text } => Some(Act::AddNote(self.template_text(text)?)),
            ActionKind::Notify {
                target,
                subject,
                body,
            } => {
                let to = match target {
                    NotifyTarget::Requester => Recipient::Requester,
                    NotifyTarget::Assignee => Recipient::Assignee,
                    NotifyTarget::Group(g) => Recipient::Group(g.node.clone()),
                    NotifyTarget::Webhook(w) => Recipient::Webhook(w.node.clone()),
                };
                let subject = match subject {
                    Some(s) => Some(self.template_text(s)?),
                    None => None,
                };
                Some(Act::Notify {
                    to,
                    subject,
                    body: self.template_text(body)?,
                })
            }
        }
    }

    fn set_action(&mut self, field: &Spanned<FieldRef>, value: &ast::Value) -> Option<Act> {
        let name = match &field.node {
            FieldRef::Custom(n) => {
                let v = match &value.kind {
                    ValueKind::Number(n) => FieldValue::Int(*n),
                    ValueKind::Word(w) if w == "true" || w == "false" => {
                        FieldValue::Bool(w == "true")
                    }
                    ValueKind::Word(w) | ValueKind::Str(w) => FieldValue::Text(w.clone()),
                    _ => {
                        self.err(Diagnostic::new(
                            Code::InvalidValue,
                            value.span,
                            "expected a word, text or number",
                        ));
                        return None;
                    }
                };
                return Some(Act::SetCustom(n.clone(), v));
            }
            FieldRef::Named(n) => n.as_str(),
            FieldRef::RequesterField(_) | FieldRef::OrganizationField(_) => {
                self.err(Diagnostic::new(
                    Code::UnknownField,
                    field.span,
                    "requester and organization fields cannot be set by a rule",
                ));
                return None;
            }
        };
        let text = value.kind.as_text();
        let none = text.is_some_and(|t| t.eq_ignore_ascii_case("none"));
        macro_rules! enum_value {
            ($ty:ty) => {{
                match text.and_then(<$ty>::parse) {
                    Some(v) => Some(v),
                    None => {
                        let names: Vec<&str> = <$ty>::ALL.iter().map(|v| v.as_str()).collect();
                        self.err(suggest(
                            Diagnostic::new(
                                Code::InvalidValue,
                                value.span,
                                format!(
                                    "`{}` is not a valid value for `{}`",
                                    text.unwrap_or("this value"),
                                    name
                                ),
                            ),
                            text.unwrap_or(""),
                            &names,
                        ));
                        None
                    }
                }
            }};
        }
        match name {
            "status" => enum_value!(Status).map(Act::SetStatus),
            "priority" if none => Some(Act::SetPriority(None)),
            "priority" => enum_value!(Priority).map(|p| Act::SetPriority(Some(p))),
            "type" if none => Some(Act::SetType(None)),
            "type" => enum_value!(TicketType).map(|p| Act::SetType(Some(p))),
            "satisfaction" => {
                if text.is_some_and(|t| t.eq_ignore_ascii_case("offered")) {
                    Some(Act::SetSatisfaction(Satisfaction::Offered))
                } else {
                    let d = Diagnostic::new(
                        Code::InvalidValue,
                        value.span,
                        "a rule can only `set satisfaction offered` (the host sends the survey)",
                    );
                    let d = match text.and_then(|t| did_you_mean(t, ["offered"])) {
                        Some(c) => d.with_help(format!("did you mean `{c}`?")),
                        None => d.with_help("ratings (`good`, `bad`) come from the customer"),
                    };
                    self.err(d);
                    None
                }
            }
            "tags" => {
                let mut tags = Vec::new();
                for item in flatten(value) {
                    match item.kind.as_text() {
                        Some(t) => tags.push(lower(t)),
                        None => {
                            self.err(Diagnostic::new(
                                Code::InvalidValue,
                                item.span,
                                "expected a tag",
                            ));
                            return None;
                        }
                    }
                }
                Some(Act::SetTags(tags))
            }
            "group" | "assignee" | "schedule" | "form" | "brand" => {
                let which = match name {
                    "group" => TextField::Group,
                    "assignee" => TextField::Assignee,
                    "schedule" => TextField::Schedule,
                    "form" => TextField::Form,
                    _ => TextField::Brand,
                };
                match (&value.kind, none) {
                    (_, true) => Some(Act::SetText(which, None)),
                    (ValueKind::Word(w) | ValueKind::Str(w), _) => {
                        Some(Act::SetText(which, Some(w.clone())))
                    }
                    (ValueKind::Number(n), _) => Some(Act::SetText(which, Some(n.to_string()))),
                    _ => {
                        self.err(Diagnostic::new(
                            Code::InvalidValue,
                            value.span,
                            "expected a name",
                        ));
                        None
                    }
                }
            }
            other => {
                self.err(suggest(
                    Diagnostic::new(
                        Code::UnknownField,
                        field.span,
                        format!("`{other}` cannot be set by an action"),
                    ),
                    other,
                    SETTABLE_FIELDS,
                ));
                None
            }
        }
    }

    /// W15: a `send message` text that holds template shorthand is a template send: W10
    /// for automations, W9 against the registry; a malformed one is reported.
    fn shorthand(&mut self, text: &Spanned<String>) {
        let scan = guards::scan_shorthand(&text.node);
        let span = self.shorthand_span(text, matches!(scan.shorthand, Shorthand::WellFormed(_)));
        match scan.shorthand {
            Shorthand::None => {}
            Shorthand::Malformed { reason } => self.err(
                Diagnostic::new(
                    Code::MalformedTemplateShorthand,
                    span,
                    format!(
                        "this text starts a template shorthand that is not well formed: {reason} (W15)"
                    ),
                )
                .with_help(
                    "write `&((template=[[NAME]] language=[[CODE]] body_text=[[…]]))&`, or remove `&((` to send free text",
                ),
            ),
            Shorthand::WellFormed(t) => {
                self.template_uses.push(span);
                if self.kind == RuleKind::Automation {
                    self.err(
                        Diagnostic::new(
                            Code::AutomationSendsTemplate,
                            span,
                            "this text holds template shorthand, and automations cannot send templates (W10, W15)",
                        )
                        .with_help(SEND_FROM_A_TRIGGER),
                    );
                }
                let spans = TemplateSpans {
                    name: span,
                    language: span,
                    params: span,
                };
                self.registry(
                    &t.name,
                    &t.language,
                    t.params.len(),
                    spans,
                    "write one `body_text=[[…]]` per parameter",
                );
            }
        }
    }

    /// The span of the shorthand inside a string literal: from `&((` to `))&` when
    /// `closed`, else to the end of the string. The whole string if `&((` is not found
    /// verbatim in the source (escapes).
    fn shorthand_span(&self, text: &Spanned<String>, closed: bool) -> Span {
        let raw = self
            .source
            .get(text.span.start..text.span.end)
            .unwrap_or("");
        let Some(open) = raw.find("&((") else {
            return text.span;
        };
        let content_end = if raw.len() > 1 && raw.ends_with('"') {
            raw.len() - 1
        } else {
            raw.len()
        };
        let end = if closed {
            raw[open..]
                .find("))&")
                .map_or(content_end, |i| open + i + 3)
        } else {
            content_end
        };
        Span::new(text.span.start + open, text.span.start + end.max(open))
    }

    /// W9: the template `name` in `language` with `n` parameters must be in the account's
    /// approved registry (only checked with an account).
    fn registry(
        &mut self,
        name: &str,
        language: &str,
        n: usize,
        spans: TemplateSpans,
        params_help: &str,
    ) {
        let Some(account) = self.account else {
            return;
        };
        let same_name: Vec<_> = account
            .templates
            .iter()
            .filter(|t| t.name == name)
            .collect();
        let exact: Vec<_> = same_name
            .iter()
            .filter(|t| t.language == language)
            .collect();
        if exact.is_empty() && !same_name.is_empty() {
            let langs: Vec<String> = same_name
                .iter()
                .map(|t| format!("\"{}\"", t.language))
                .collect();
            self.err(
                Diagnostic::new(
                    Code::UnknownTemplate,
                    spans.language,
                    format!(
                        "template `{name}` is not approved in `{language}`, only in {} (W9)",
                        langs.join(", ")
                    ),
                )
                .with_help(format!("use language {}", langs.join(" or "))),
            );
        } else if exact.is_empty() {
            let d = Diagnostic::new(
                Code::UnknownTemplate,
                spans.name,
                format!("template `{name}` is not in the account's approved registry (W9)"),
            );
            let names: Vec<&str> = account.templates.iter().map(|t| t.name.as_str()).collect();
            let close = names
                .iter()
                .find(|c| c.eq_ignore_ascii_case(name))
                .copied()
                .or_else(|| did_you_mean(name, names.iter().copied()));
            let d = match close {
                Some(c) => d.with_help(format!("did you mean `{c}`?")),
                None if names.is_empty() => {
                    d.with_help("the account's registry (`templates:` in account.yaml) is empty")
                }
                None => d.with_help(format!("approved templates: {}", names.join(", "))),
            };
            self.err(d);
        } else if !exact
            .iter()
            .any(|t| usize::try_from(t.params).is_ok_and(|p| p == n))
        {
            let want = exact[0].params;
            self.err(
                Diagnostic::new(
                    Code::TemplateParams,
                    spans.params,
                    format!(
                        "template `{name}` ({language}) takes {want} parameter{}, {n} given (W9)",
                        if want == 1 { "" } else { "s" }
                    ),
                )
                .with_help(params_help.to_string()),
            );
        }
    }

    /// Compiles a text with `{{placeholders}}`; unknown ones are `unknown-placeholder`.
    fn template_text(&mut self, s: &Spanned<String>) -> Option<TextTemplate> {
        let (t, unknown) = compile_text(&s.node);
        if unknown.is_empty() {
            return Some(t);
        }
        let src = self.source.get(s.span.start..s.span.end).unwrap_or("");
        for name in unknown {
            let needle = format!("{{{{{name}}}}}");
            let span = src
                .find(&needle)
                .map(|i| Span::new(s.span.start + i, s.span.start + i + needle.len()))
                .unwrap_or(s.span);
            let d = Diagnostic::new(
                Code::UnknownPlaceholder,
                span,
                format!("unknown placeholder `{{{{{name}}}}}`"),
            );
            let d = match did_you_mean(&name, PLACEHOLDERS.iter().copied()) {
                Some(c) => d.with_help(format!("did you mean `{{{{{c}}}}}`?")),
                None => d.with_help(format!("known placeholders: {}", PLACEHOLDERS.join(", "))),
            };
            self.err(d);
        }
        None
    }
}

const SEND_FROM_A_TRIGGER: &str =
    "send the template from a trigger, e.g. one that reacts to a tag this automation adds";

/// Where the parts of a template send are written, for W9 findings.
struct TemplateSpans {
    name: Span,
    language: Span,
    params: Span,
}

/// Compiles a text into pieces; returns the names of unknown placeholders as well.
/// A `{{` without a closing `}}` is literal text.
pub fn compile_text(s: &str) -> (TextTemplate, Vec<String>) {
    let mut pieces = Vec::new();
    let mut unknown = Vec::new();
    let mut rest = s;
    let mut lit = String::new();
    while let Some(i) = rest.find("{{") {
        let Some(j) = rest[i + 2..].find("}}") else {
            break;
        };
        lit.push_str(&rest[..i]);
        let name = rest[i + 2..i + 2 + j].trim();
        let ph = match name {
            "ticket.id" => Some(Placeholder::TicketId),
            "ticket.subject" => Some(Placeholder::TicketSubject),
            "ticket.status" => Some(Placeholder::TicketStatus),
            "requester.name" => Some(Placeholder::RequesterName),
            "requester.first_name" => Some(Placeholder::RequesterFirstName),
            "assignee.name" => Some(Placeholder::AssigneeName),
            n => n
                .strip_prefix("ticket.fields.")
                .filter(|f| !f.is_empty())
                .map(|f| Placeholder::TicketField(f.to_string())),
        };
        match ph {
            Some(p) => {
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                pieces.push(Piece::Ph(p));
            }
            None => {
                unknown.push(name.to_string());
                lit.push_str(&rest[i..i + 4 + j]);
            }
        }
        rest = &rest[i + 4 + j..];
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    (TextTemplate { pieces }, unknown)
}

fn flatten(v: &ast::Value) -> Vec<&ast::Value> {
    match &v.kind {
        ValueKind::List(items) => items.iter().flat_map(flatten).collect(),
        _ => vec![v],
    }
}

/// The value type of a field, which decides its operators and literal parsing.
enum Kind {
    /// An enum; `true` when ordered (`<`, `>` allowed). Holds its value names in order.
    Rank(Vec<&'static str>, bool),
    /// A single word (channel, update.via).
    Word,
    /// Free text.
    Text,
    /// A tag set.
    Tags,
    /// A boolean.
    Bool,
    /// A custom field: text, number or boolean.
    Custom,
    /// The comment of this update.
    Comment,
}

impl Kind {
    fn operators(&self, changeable: bool) -> &'static str {
        match (self, changeable) {
            (Kind::Rank(_, true), _) => "is, is not, in, not in, <, <=, >, >=, changed, changed to, changed from, not changed, present, not present",
            (Kind::Rank(_, false) | Kind::Word, true) => "is, is not, in, not in, changed, changed to, changed from, not changed, present, not present",
            (Kind::Rank(_, false) | Kind::Word, false) => "is, is not, in, not in, present, not present",
            (Kind::Text, true) => "is, is not, in, not in, contains, not contains, contains word, matches, changed, changed to, changed from, not changed, present, not present",
            (Kind::Text, false) => "is, is not, in, not in, contains, not contains, contains word, matches, present, not present",
            (Kind::Tags, true) => "includes, excludes, changed, not changed, present, not present",
            (Kind::Tags, false) => "includes, excludes, present, not present",
            (Kind::Bool, _) => "is, is not",
            (Kind::Custom, true) => "is, is not, in, not in, <, <=, >, >=, contains, not contains, contains word, matches, changed, changed to, changed from, not changed, present, not present",
            (Kind::Custom, false) => "is, is not, in, not in, <, <=, >, >=, contains, not contains, contains word, matches, present, not present",
            (Kind::Comment, _) => "is public, is private, contains, not contains, contains word, matches, present, not present",
        }
    }
}
