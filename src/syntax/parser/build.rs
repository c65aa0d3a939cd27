//! pest pairs → typed AST, plus the checks the grammar leaves to code (clause order and
//! count, `redact` only in redaction rules, numbers that fit in 64 bits).

use pest::iterators::Pair;

use super::grammar::Rule;
use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::ast::{
    Action, ActionBlock, ActionKind, Condition, ConditionBlock, ConditionKind, FieldRef,
    NotifyTarget, Operator, RedactClause, Rule as RuleNode, RuleKind, Span, Spanned, Value,
    ValueKind,
};

/// Turns pairs into AST nodes. Pairs come from parsing `source[offset..]`, so every pest
/// position is shifted by `offset` to become an offset into the whole file.
pub(super) struct Builder {
    pub offset: usize,
}

type Built<T> = Result<T, Diagnostic>;

impl Builder {
    /// The span of a pair, shifted by `offset`. pest lets a rule that ends with an
    /// optional part (`business?`, `params?`) swallow the blanks and comment after its
    /// last token, so a rule with children ends where its last child ends.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let end = match pair.as_rule() {
            // Atomic: the span is exact (and the inner part stops before the closing quote).
            Rule::string | Rule::regex => s.end(),
            _ => match pair.clone().into_inner().last() {
                Some(last) => self.span(&last).end - self.offset,
                None => s.end(),
            },
        };
        Span::new(s.start() + self.offset, end + self.offset)
    }

    fn spanned<T>(&self, pair: &Pair<'_, Rule>, node: T) -> Spanned<T> {
        Spanned {
            node,
            span: self.span(pair),
        }
    }

    /// A whole `rule` pair. Clause-level problems go to `diags`; the rule is returned
    /// with whatever was valid.
    pub fn rule(&self, pair: Pair<'_, Rule>, diags: &mut Vec<Diagnostic>) -> Option<RuleNode> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let kind_pair = inner.next()?;
        let kind = RuleKind::from_keyword(kind_pair.as_str())?;
        let title_pair = inner.next()?;
        let title = self.title(title_pair);
        let mut asm = Assembler::new(kind, self.span(&kind_pair));
        for p in inner {
            match p.as_rule() {
                Rule::when_all | Rule::when_any => {
                    let quant = p.as_rule();
                    let (head, span, conditions) =
                        self.block(p, Rule::condition, Builder::condition, diags);
                    let block = ConditionBlock { conditions, span };
                    let clause = if quant == Rule::when_all {
                        Clause::All(Some(block))
                    } else {
                        Clause::Any(Some(block))
                    };
                    asm.add(clause, head, diags);
                }
                Rule::then_block => {
                    let (head, span, actions) = self.block(p, Rule::action, Builder::action, diags);
                    asm.add(
                        Clause::Then(Some(ActionBlock { actions, span })),
                        head,
                        diags,
                    );
                }
                Rule::redact_clause => {
                    let head = self.first_child_span(&p);
                    match self.redact(p) {
                        Ok(r) => asm.add(Clause::Redact(Some(r)), head, diags),
                        Err(d) => {
                            diags.push(d);
                            asm.add(Clause::Redact(None), head, diags);
                        }
                    }
                }
                _ => {}
            }
        }
        asm.finish(Some(title), span, true, diags)
    }

    fn first_child_span(&self, pair: &Pair<'_, Rule>) -> Span {
        pair.clone()
            .into_inner()
            .next()
            .map_or_else(|| self.span(pair), |p| self.span(&p))
    }

    /// The span from the first keyword of a block to its `{` (exclusive): `when all`, `then`.
    fn head_span(&self, pair: &Pair<'_, Rule>) -> Span {
        let mut start = None;
        let mut end = self.span(pair).start;
        for p in pair.clone().into_inner() {
            if p.as_rule() == Rule::lbrace {
                break;
            }
            let s = self.span(&p);
            start.get_or_insert(s.start);
            end = s.end;
        }
        Span::new(start.unwrap_or(end), end)
    }

    /// A `title` pair (holding a `string`).
    pub fn title(&self, pair: Pair<'_, Rule>) -> Spanned<String> {
        let span = self.span(&pair);
        let text = pair
            .into_inner()
            .next()
            .map(|s| unescape_string(s.as_str()))
            .unwrap_or_default();
        Spanned { node: text, span }
    }

    /// The items of a block pair (`when all|any { … }`, `then { … }`): those of grammar
    /// rule `item`, built with `build`; a problem with an item goes to `diags`. Returns
    /// the head span (see [`Self::head_span`]), the block's span and the items.
    fn block<T>(
        &self,
        pair: Pair<'_, Rule>,
        item: Rule,
        build: fn(&Builder, Pair<'_, Rule>) -> Built<T>,
        diags: &mut Vec<Diagnostic>,
    ) -> (Span, Span, Vec<T>) {
        let head = self.head_span(&pair);
        let span = self.span(&pair);
        let mut items = Vec::new();
        for p in pair.into_inner().filter(|p| p.as_rule() == item) {
            match build(self, p) {
                Ok(x) => items.push(x),
                Err(d) => diags.push(d),
            }
        }
        (head, span, items)
    }

    /// A `condition` pair.
    pub fn condition(&self, pair: Pair<'_, Rule>) -> Built<Condition> {
        let span = self.span(&pair);
        let mut negated = false;
        let mut kind = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::negation => negated = true,
                Rule::hours_since | Rule::hours_until => kind = Some(self.hours(p)?),
                Rule::within_business_hours => kind = Some(ConditionKind::WithinBusinessHours),
                Rule::field_condition => kind = Some(self.field_condition(p)?),
                _ => {}
            }
        }
        let kind = kind.ok_or_else(|| internal(span))?;
        Ok(Condition {
            negated,
            kind,
            span,
        })
    }

    fn hours(&self, pair: Pair<'_, Rule>) -> Built<ConditionKind> {
        let since = pair.as_rule() == Rule::hours_since;
        let span = self.span(&pair);
        let mut what = None;
        let mut op = None;
        let mut hours = None;
        let mut business = false;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::word => what = Some(self.spanned(&p, p.as_str().to_string())),
                Rule::compare_operator => {
                    let o = Operator::parse(p.as_str()).ok_or_else(|| internal(span))?;
                    op = Some(self.spanned(&p, o));
                }
                Rule::hours => hours = Some(self.spanned(&p, self.int(&p)?)),
                Rule::business => business = true,
                _ => {}
            }
        }
        let (what, op, hours) = match (what, op, hours) {
            (Some(w), Some(o), Some(h)) => (w, o, h),
            _ => return Err(internal(span)),
        };
        Ok(if since {
            ConditionKind::HoursSince {
                what,
                op,
                hours,
                business,
            }
        } else {
            ConditionKind::HoursUntil {
                what,
                op,
                hours,
                business,
            }
        })
    }

    fn field_condition(&self, pair: Pair<'_, Rule>) -> Built<ConditionKind> {
        let span = self.span(&pair);
        let mut field = None;
        let mut op = None;
        let mut value = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::field_ref => field = Some(self.field_ref(p)?),
                Rule::value_operator | Rule::bare_operator => {
                    let o = Operator::parse(p.as_str()).ok_or_else(|| internal(span))?;
                    op = Some(self.spanned(&p, o));
                }
                Rule::value => value = Some(self.value(p)?),
                _ => {}
            }
        }
        match (field, op) {
            (Some(field), Some(op)) => Ok(ConditionKind::Field { field, op, value }),
            _ => Err(internal(span)),
        }
    }

    /// A `field_ref`, `custom_field`, `requester_field`, `organization_field` or `word` pair.
    fn field_ref(&self, pair: Pair<'_, Rule>) -> Built<Spanned<FieldRef>> {
        let span = self.span(&pair);
        let p = if pair.as_rule() == Rule::field_ref {
            pair.into_inner().next().ok_or_else(|| internal(span))?
        } else {
            pair
        };
        let quoted = |p: Pair<'_, Rule>| -> String {
            p.into_inner()
                .find(|c| c.as_rule() == Rule::string)
                .map(|s| unescape_string(s.as_str()))
                .unwrap_or_default()
        };
        let node = match p.as_rule() {
            Rule::custom_field => FieldRef::Custom(quoted(p)),
            Rule::requester_field => FieldRef::RequesterField(quoted(p)),
            Rule::organization_field => FieldRef::OrganizationField(quoted(p)),
            _ => FieldRef::Named(p.as_str().to_string()),
        };
        Ok(Spanned { node, span })
    }

    /// A `value` pair, or one of its alternatives.
    fn value(&self, pair: Pair<'_, Rule>) -> Built<Value> {
        let span = self.span(&pair);
        let p = if pair.as_rule() == Rule::value {
            pair.into_inner().next().ok_or_else(|| internal(span))?
        } else {
            pair
        };
        let kind = match p.as_rule() {
            Rule::bracket_list | Rule::bare_list => {
                let mut items = Vec::new();
                for c in p.into_inner() {
                    if matches!(c.as_rule(), Rule::string | Rule::integer | Rule::word) {
                        items.push(self.value(c)?);
                    }
                }
                ValueKind::List(items)
            }
            Rule::regex => ValueKind::Regex(unescape_regex(inner_text(&p))),
            Rule::string => ValueKind::Str(unescape_string(inner_text(&p))),
            Rule::integer => ValueKind::Number(self.int(&p)?),
            _ => ValueKind::Word(p.as_str().to_string()),
        };
        Ok(Value { kind, span })
    }

    fn int(&self, pair: &Pair<'_, Rule>) -> Built<i64> {
        pair.as_str().parse::<i64>().map_err(|_| {
            Diagnostic::new(
                Code::Syntax,
                self.span(pair),
                "this number is too large (numbers must fit in 64 bits)",
            )
        })
    }

    /// A `string`, `word` or `name` pair as an unescaped, spanned string.
    fn text(&self, pair: Pair<'_, Rule>) -> Spanned<String> {
        let p = if pair.as_rule() == Rule::name {
            pair.clone().into_inner().next().unwrap_or(pair)
        } else {
            pair
        };
        let node = if p.as_rule() == Rule::string {
            unescape_string(inner_text(&p))
        } else {
            p.as_str().to_string()
        };
        self.spanned(&p, node)
    }

    /// An `action` pair.
    pub fn action(&self, pair: Pair<'_, Rule>) -> Built<Action> {
        let span = self.span(&pair);
        let p = pair.into_inner().next().ok_or_else(|| internal(span))?;
        let which = p.as_rule();
        let args: Vec<Pair<'_, Rule>> = p
            .into_inner()
            .filter(|c| {
                !matches!(c.as_rule(), Rule::lbracket | Rule::rbracket | Rule::comma)
                    && !is_keyword(c.as_rule())
            })
            .collect();
        let kind = match which {
            Rule::set_action => {
                let mut it = args.into_iter();
                let (field, value) = match (it.next(), it.next()) {
                    (Some(f), Some(v)) => (f, v),
                    _ => return Err(internal(span)),
                };
                ActionKind::Set {
                    field: self.field_ref(field)?,
                    value: self.value(value)?,
                }
            }
            Rule::add_tags | Rule::remove_tags => {
                let tags = args.into_iter().map(|t| self.text(t)).collect();
                if which == Rule::add_tags {
                    ActionKind::AddTags(tags)
                } else {
                    ActionKind::RemoveTags(tags)
                }
            }
            Rule::add_note | Rule::send_message => {
                let text = self.text(args.into_iter().next().ok_or_else(|| internal(span))?);
                if which == Rule::add_note {
                    ActionKind::AddNote { text }
                } else {
                    ActionKind::SendMessage { text }
                }
            }
            Rule::send_template => {
                let mut it = args.into_iter();
                let (name, language) = match (it.next(), it.next()) {
                    (Some(n), Some(l)) => (self.text(n), self.text(l)),
                    _ => return Err(internal(span)),
                };
                let params = it
                    .next()
                    .map(|ps| {
                        ps.into_inner()
                            .filter(|c| c.as_rule() == Rule::string)
                            .map(|s| self.text(s))
                            .collect()
                    })
                    .unwrap_or_default();
                ActionKind::SendTemplate {
                    name,
                    language,
                    params,
                }
            }
            Rule::notify => {
                let mut target = None;
                let mut subject = None;
                let mut body = None;
                for a in args {
                    match a.as_rule() {
                        Rule::notify_target => target = Some(self.notify_target(a)?),
                        Rule::subject => subject = a.into_inner().last().map(|s| self.text(s)),
                        Rule::body => body = a.into_inner().last().map(|s| self.text(s)),
                        _ => {}
                    }
                }
                match (target, body) {
                    (Some(target), Some(body)) => ActionKind::Notify {
                        target,
                        subject,
                        body,
                    },
                    _ => return Err(internal(span)),
                }
            }
            _ => return Err(internal(span)),
        };
        Ok(Action { kind, span })
    }

    fn notify_target(&self, pair: Pair<'_, Rule>) -> Built<NotifyTarget> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let kw = it.next().ok_or_else(|| internal(span))?;
        Ok(match kw.as_rule() {
            Rule::kw_requester => NotifyTarget::Requester,
            Rule::kw_assignee => NotifyTarget::Assignee,
            Rule::kw_group | Rule::kw_webhook => {
                let name = self.text(it.next().ok_or_else(|| internal(span))?);
                if kw.as_rule() == Rule::kw_group {
                    NotifyTarget::Group(name)
                } else {
                    NotifyTarget::Webhook(name)
                }
            }
            _ => return Err(internal(span)),
        })
    }

    /// A `redact_clause` pair.
    pub fn redact(&self, pair: Pair<'_, Rule>) -> Built<RedactClause> {
        let span = self.span(&pair);
        let mut clause = RedactClause {
            target: Spanned {
                node: String::new(),
                span,
            },
            keep_first: None,
            keep_last: None,
            mask: None,
            groupings: false,
            word_boundaries: false,
            span,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::word => clause.target = self.spanned(&p, p.as_str().to_string()),
                Rule::keep => {
                    for k in p.into_inner() {
                        let first = k.as_rule() == Rule::keep_first;
                        if let Some(n) = k.into_inner().find(|c| c.as_rule() == Rule::integer) {
                            let v = Some(self.spanned(&n, self.int(&n)?));
                            if first {
                                clause.keep_first = v;
                            } else {
                                clause.keep_last = v;
                            }
                        }
                    }
                }
                Rule::mask => clause.mask = p.into_inner().last().map(|s| self.text(s)),
                Rule::redact_options => {
                    for o in p.into_inner() {
                        match o.as_str() {
                            "groupings" => clause.groupings = true,
                            "word_boundaries" => clause.word_boundaries = true,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(clause)
    }
}

/// A diagnostic for a pair shape the grammar does not produce; it would mean the grammar
/// and this builder disagree. Reported rather than panicking.
fn internal(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::Syntax,
        span,
        "the parser could not understand this (internal error; please report it)",
    )
}

fn is_keyword(r: Rule) -> bool {
    matches!(
        r,
        Rule::kw_set
            | Rule::kw_add
            | Rule::kw_remove
            | Rule::kw_tags
            | Rule::kw_note
            | Rule::kw_send
            | Rule::kw_message
            | Rule::kw_template
            | Rule::kw_language
            | Rule::kw_notify
    )
}

/// The text between the delimiters of a `string` or `regex` pair.
fn inner_text<'i>(pair: &Pair<'i, Rule>) -> &'i str {
    pair.clone().into_inner().next().map_or("", |p| p.as_str())
}

/// The body of a `"…"` string → its value: `\"` → `"`, `\\` → `\`. Accepts a whole quoted
/// string too (the quotes are dropped).
pub(super) fn unescape_string(raw: &str) -> String {
    let raw = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    unescape(raw, &['"', '\\'])
}

/// The body of a `/…/` regex → the pattern: `\/` → `/`; every other escape is kept for
/// the regex engine.
fn unescape_regex(raw: &str) -> String {
    unescape(raw, &['/'])
}

/// `raw` with `\c` → `c` for each `c` of `escaped`; every other backslash is kept.
fn unescape(raw: &str, escaped: &[char]) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(e) if escaped.contains(&e) => out.push(e),
            Some(e) => {
                out.push('\\');
                out.push(e);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// One clause of a rule as seen by the [`Assembler`]; `None` when the clause was written
/// but its content did not parse (it still counts for order and duplicate checks).
pub(super) enum Clause {
    All(Option<ConditionBlock>),
    Any(Option<ConditionBlock>),
    Redact(Option<RedactClause>),
    Then(Option<ActionBlock>),
}

impl Clause {
    fn name(&self) -> &'static str {
        match self {
            Clause::All(_) => "`when all` block",
            Clause::Any(_) => "`when any` block",
            Clause::Redact(_) => "`redact` clause",
            Clause::Then(_) => "`then` block",
        }
    }
}

/// Puts a rule together clause by clause and reports what the grammar leaves to code:
/// at most one clause of each kind, `then` last, `redact` only (and always) in a
/// `redaction` rule.
pub(super) struct Assembler {
    kind: RuleKind,
    kind_span: Span,
    all: Option<(Span, Option<ConditionBlock>)>,
    any: Option<(Span, Option<ConditionBlock>)>,
    redact: Option<(Span, Option<RedactClause>)>,
    then: Option<(Span, Option<ActionBlock>)>,
}

impl Assembler {
    pub fn new(kind: RuleKind, kind_span: Span) -> Self {
        Assembler {
            kind,
            kind_span,
            all: None,
            any: None,
            redact: None,
            then: None,
        }
    }

    /// Adds a clause whose keywords are at `head`.
    pub fn add(&mut self, clause: Clause, head: Span, diags: &mut Vec<Diagnostic>) {
        if let (Some((then_head, _)), false) = (&self.then, matches!(clause, Clause::Then(_))) {
            diags.push(
                Diagnostic::new(
                    Code::Syntax,
                    head,
                    format!(
                        "this {} comes after the `then` block, which must be last",
                        clause.name()
                    ),
                )
                .with_label(*then_head, "the `then` block is here")
                .with_help("move the `then` block to the end of the rule"),
            );
        }
        if let Clause::Redact(_) = clause {
            if self.kind != RuleKind::Redaction {
                diags.push(
                    Diagnostic::new(
                        Code::Syntax,
                        head,
                        format!(
                            "a `redact` clause belongs only in a `redaction` rule, not in a `{}`",
                            self.kind.keyword()
                        ),
                    )
                    .with_label(self.kind_span, "this rule's kind"),
                );
                return;
            }
        }
        let name = clause.name();
        let (slot_head, fresh) = match clause {
            Clause::All(b) => put(&mut self.all, head, b),
            Clause::Any(b) => put(&mut self.any, head, b),
            Clause::Redact(r) => put(&mut self.redact, head, r),
            Clause::Then(b) => put(&mut self.then, head, b),
        };
        if !fresh {
            diags.push(
                Diagnostic::new(
                    Code::Syntax,
                    head,
                    format!("a rule may have only one {name}"),
                )
                .with_label(slot_head, format!("the first {name} is here"))
                .with_help(if name.starts_with("`when") {
                    "put all these conditions in one block"
                } else {
                    "merge the two into one"
                }),
            );
        }
    }

    /// The finished rule (`None` without a title). `check_redact` is false when the body
    /// could not be read, so a missing `redact` clause is not reported on top of that.
    pub fn finish(
        self,
        title: Option<Spanned<String>>,
        span: Span,
        check_redact: bool,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<RuleNode> {
        let title = title?;
        if check_redact && self.kind == RuleKind::Redaction && self.redact.is_none() {
            diags.push(
                Diagnostic::new(
                    Code::Syntax,
                    title.span,
                    "a `redaction` rule needs a `redact` clause",
                )
                .with_help(
                    "add a line such as `redact credit_cards keep first 6 last 4 with \"▇\"`",
                ),
            );
        }
        Some(RuleNode {
            kind: self.kind,
            title,
            all: self.all.and_then(|(_, b)| b),
            any: self.any.and_then(|(_, b)| b),
            redact: self.redact.and_then(|(_, r)| r),
            then: self.then.and_then(|(_, b)| b),
            span,
        })
    }
}

/// Fills an empty slot; returns the head of the slot's clause and whether it was empty.
fn put<T>(slot: &mut Option<(Span, Option<T>)>, head: Span, value: Option<T>) -> (Span, bool) {
    match slot {
        Some((first, _)) => (*first, false),
        None => {
            *slot = Some((head, value));
            (head, true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_unescape_quotes_and_backslashes() {
        assert_eq!(unescape_string(r#"a\"b\\c"#), r#"a"b\c"#);
        assert_eq!(unescape_string(r#""x""#), "x");
    }

    #[test]
    fn regexes_unescape_only_slashes() {
        assert_eq!(unescape_regex(r"a\/b\d\\"), r"a/b\d\\");
    }
}
