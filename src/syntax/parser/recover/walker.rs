//! Walks the tokens of one rule that did not parse as a whole: clause by clause, and
//! each condition, action or `redact` line parsed on its own with the grammar.

use pest::Parser;

use super::super::build::{unescape_string, Assembler, Builder, Clause};
use super::super::grammar::{Rule, RulesParser};
use super::super::lexer::{TokKind, Token};
use super::messages::{clause_error, describe_token, item_error};
use super::{is_word, skip_newlines, text, Context};
use crate::diagnostic::{Code, Diagnostic};
use crate::lang::{self, keywords};
use crate::syntax::ast::{ActionBlock, ConditionBlock, Rule as RuleNode, RuleKind, Span, Spanned};

/// Which kind of line a block holds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Item {
    Condition,
    Action,
    Redact,
}

/// Walks the tokens of one rule that did not parse as a whole.
pub(super) struct Walker<'a> {
    pub src: &'a str,
    pub toks: &'a [Token],
    pub i: usize,
    pub lex_errors: &'a [Diagnostic],
    /// Where the next rule starts (when this one is cut short by it).
    pub next_rule: Option<Span>,
}

impl Walker<'_> {
    fn peek(&self) -> Option<Token> {
        self.toks.get(self.i).copied()
    }

    /// The next token if it is on the current line.
    fn peek_on_line(&self) -> Option<Token> {
        self.peek().filter(|t| t.kind != TokKind::Newline)
    }

    fn text(&self, t: &Token) -> &str {
        text(self.src, t)
    }

    fn skip_newlines(&mut self) {
        self.i = skip_newlines(self.toks, self.i);
    }

    fn skip_line(&mut self) {
        while self.peek_on_line().is_some() {
            self.i += 1;
        }
    }

    /// The span just after the last token of the rule (for "the file ends here").
    fn end_span(&self) -> Span {
        match self.next_rule {
            Some(s) => s,
            None => {
                let end = self
                    .toks
                    .iter()
                    .rev()
                    .find(|t| t.kind != TokKind::Newline)
                    .map_or(self.src.len(), |t| t.span.end);
                Span::new(end, end)
            }
        }
    }

    fn end_label(&self) -> &'static str {
        if self.next_rule.is_some() {
            "the next rule starts here"
        } else {
            "the file ends here"
        }
    }

    /// An unterminated string or regex at or after token `from` (a likely cause of any
    /// brace that seems to be missing).
    fn unclosed_literal_from(&self, from: usize) -> bool {
        self.toks.iter().skip(from).any(|t| {
            matches!(
                t.kind,
                TokKind::Str { closed: false } | TokKind::Regex { closed: false }
            )
        })
    }

    fn found(&self, t: Option<Token>) -> String {
        describe_token(self.src, t.as_ref(), Context::Line)
    }

    /// Reads the rule: whatever could be read, every error pushed to `diags`.
    pub fn rule(&mut self, diags: &mut Vec<Diagnostic>) -> Option<RuleNode> {
        let kw = self.peek()?;
        let kind = RuleKind::from_keyword(self.text(&kw))?;
        self.i += 1;

        // `"TITLE"`
        let mut title = None;
        let mut header_ok = true;
        match self.peek_on_line() {
            Some(t) if t.kind == (TokKind::Str { closed: true }) => {
                title = Some(Spanned {
                    node: unescape_string(self.text(&t)),
                    span: t.span,
                });
                self.i += 1;
            }
            Some(t) if t.kind == (TokKind::Str { closed: false }) => {
                self.i += 1;
                header_ok = false;
            }
            other => {
                let span = other.map_or(Span::new(kw.span.end, kw.span.end), |t| t.span);
                diags.push(
                    Diagnostic::new(
                        Code::Syntax,
                        span,
                        format!("expected a quoted rule title, found {}", self.found(other)),
                    )
                    .with_help(format!(
                        "a rule starts like `{} \"Tag new WhatsApp tickets\" {{`",
                        kind.keyword()
                    )),
                );
                header_ok = false;
                while self
                    .peek_on_line()
                    .is_some_and(|t| t.kind != TokKind::LBrace)
                {
                    self.i += 1;
                }
            }
        }

        // `{`
        let mut open = None;
        match self.peek_on_line() {
            Some(t) if t.kind == TokKind::LBrace => {
                open = Some(t.span);
                self.i += 1;
            }
            other => {
                if header_ok {
                    let span = other.map_or(
                        title.as_ref().map_or(kw.span, |t: &Spanned<String>| t.span),
                        |t| t.span,
                    );
                    diags.push(
                        Diagnostic::new(
                            Code::Syntax,
                            span,
                            format!(
                                "expected `{{` after the rule title, found {}",
                                self.found(other)
                            ),
                        )
                        .with_help("put `{` at the end of the title's line"),
                    );
                }
                header_ok = false;
                self.skip_line();
                let k = skip_newlines(self.toks, self.i);
                if self.toks.get(k).is_some_and(|t| t.kind == TokKind::LBrace) {
                    self.i = k + 1;
                }
            }
        }

        // clauses
        let body_start = diags.len();
        let mut asm = Assembler::new(kind, kw.span);
        let mut close = None;
        loop {
            self.skip_newlines();
            let Some(t) = self.peek() else { break };
            match t.kind {
                TokKind::RBrace => {
                    close = Some(t.span);
                    self.i += 1;
                    break;
                }
                TokKind::Word if self.text(&t) == "when" => self.when_block(&mut asm, diags),
                TokKind::Word if self.text(&t) == "then" => self.then_block(&mut asm, diags),
                TokKind::Word if self.text(&t) == "redact" => self.redact_line(&mut asm, diags),
                _ => {
                    diags.push(clause_error(self.src, &t));
                    self.skip_unknown_clause();
                }
            }
        }
        if close.is_none() && header_ok && !self.unclosed_literal_from(0) {
            let open = open.unwrap_or(kw.span);
            diags.push(
                Diagnostic::new(
                    Code::Syntax,
                    open,
                    "missing `}` to close the rule started here",
                )
                .with_label(self.end_span(), self.end_label())
                .with_help("add `}` on its own line at the end of the rule"),
            );
        }
        if let (Some(_), Some(t)) = (close, self.peek()) {
            if diags.len() == body_start {
                diags.push(Diagnostic::new(
                    Code::Syntax,
                    t.span,
                    format!(
                        "unexpected {} after the end of the rule",
                        self.found(Some(t))
                    ),
                ));
            }
        }
        let end = close.map_or_else(
            || {
                self.toks
                    .iter()
                    .rev()
                    .find(|t| t.kind != TokKind::Newline)
                    .map_or(kw.span.end, |t| t.span.end)
            },
            |c| c.end,
        );
        let check_redact = header_ok && diags.len() == body_start;
        asm.finish(title, Span::new(kw.span.start, end), check_redact, diags)
    }

    /// Skips a line that is not a clause, together with a `{ … }` block it opens.
    fn skip_unknown_clause(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t.kind {
                TokKind::Newline if depth == 0 => break,
                TokKind::LBrace => depth += 1,
                TokKind::RBrace => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                    if depth == 0 {
                        self.i += 1;
                        break;
                    }
                }
                _ if depth > 0
                    && t.line_start
                    && is_word(self.src, &t, &keywords::CLAUSE_KEYWORDS) =>
                {
                    break
                }
                _ => {}
            }
            self.i += 1;
        }
    }

    /// After a block's keywords: consumes its `{` (reporting it when missing). Returns the
    /// `{` span if there was one.
    fn block_open(
        &mut self,
        head: &str,
        report: bool,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Span> {
        if let Some(t) = self.peek_on_line() {
            if t.kind == TokKind::LBrace {
                self.i += 1;
                return Some(t.span);
            }
        }
        let other = self.peek_on_line();
        if report {
            let span = other.map_or_else(
                || {
                    let prev = self
                        .toks
                        .get(self.i.wrapping_sub(1))
                        .map_or(0, |t| t.span.end);
                    Span::new(prev, prev)
                },
                |t| t.span,
            );
            diags.push(
                Diagnostic::new(
                    Code::Syntax,
                    span,
                    format!("expected `{{` after `{head}`, found {}", self.found(other)),
                )
                .with_help(format!("a block looks like `{head} {{ … }}`")),
            );
        }
        // Resynchronise: a `{` later on this line, or alone on the next line.
        while let Some(t) = self.peek_on_line() {
            self.i += 1;
            if t.kind == TokKind::LBrace {
                return Some(t.span);
            }
        }
        let k = skip_newlines(self.toks, self.i);
        if let Some(t) = self.toks.get(k).filter(|t| t.kind == TokKind::LBrace) {
            self.i = k + 1;
            return Some(t.span);
        }
        None
    }

    fn when_block(&mut self, asm: &mut Assembler, diags: &mut Vec<Diagnostic>) {
        let when = self.toks[self.i];
        self.i += 1;
        let quant = self
            .peek_on_line()
            .filter(|t| is_word(self.src, t, &keywords::QUANTIFIERS));
        let head = match quant {
            Some(q) => {
                self.i += 1;
                Span::new(when.span.start, q.span.end)
            }
            None => {
                let other = self.peek_on_line();
                let mut d = Diagnostic::new(
                    Code::Syntax,
                    other.map_or(when.span, |t| t.span),
                    format!(
                        "expected `all` or `any` after `when`, found {}",
                        self.found(other)
                    ),
                );
                if let Some(s) =
                    other.and_then(|t| lang::did_you_mean(self.text(&t), keywords::QUANTIFIERS))
                {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                diags.push(d);
                if other.is_some_and(|t| t.kind == TokKind::Word) {
                    self.i += 1;
                }
                when.span
            }
        };
        let head_text = match quant {
            Some(q) => format!("when {}", self.text(&q)),
            None => "when all".to_string(),
        };
        let open = self.block_open(&head_text, quant.is_some(), diags);
        let (items, end) = self.items(Item::Condition, open.unwrap_or(head), &head_text, diags);
        let block = ConditionBlock {
            conditions: items.into_iter().filter_map(Built::condition).collect(),
            span: Span::new(when.span.start, end),
        };
        match quant.map(|q| self.text(&q) == "all") {
            Some(true) => asm.add(Clause::All(Some(block)), head, diags),
            Some(false) => asm.add(Clause::Any(Some(block)), head, diags),
            None => {}
        }
    }

    fn then_block(&mut self, asm: &mut Assembler, diags: &mut Vec<Diagnostic>) {
        let then = self.toks[self.i];
        self.i += 1;
        let open = self.block_open("then", true, diags);
        let (items, end) = self.items(Item::Action, open.unwrap_or(then.span), "then", diags);
        let block = ActionBlock {
            actions: items.into_iter().filter_map(Built::action).collect(),
            span: Span::new(then.span.start, end),
        };
        asm.add(Clause::Then(Some(block)), then.span, diags);
    }

    fn redact_line(&mut self, asm: &mut Assembler, diags: &mut Vec<Diagnostic>) {
        let kw = self.toks[self.i];
        let first = self.i;
        while self
            .peek_on_line()
            .is_some_and(|t| t.kind != TokKind::RBrace)
        {
            self.i += 1;
        }
        let line = &self.toks[first..self.i];
        let clause = match self.item(Item::Redact, line, diags) {
            Some(Built::Redact(r)) => Some(r),
            _ => None,
        };
        asm.add(Clause::Redact(clause), kw.span, diags);
    }

    /// The items of a block up to its `}`; returns them and the end offset of the block.
    fn items(
        &mut self,
        kind: Item,
        open: Span,
        head: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> (Vec<Built>, usize) {
        let from = self.i;
        let mut out = Vec::new();
        let mut last_end = open.end;
        loop {
            self.skip_newlines();
            // A block that is not closed: by the end of the rule, or by a clause keyword at
            // the start of a line (unless an unclosed string or regex explains it).
            let unclosed = |walker: &Self| {
                (!walker.unclosed_literal_from(from)).then(|| {
                    Diagnostic::new(
                        Code::Syntax,
                        open,
                        format!("missing `}}` to close the `{head}` block started here"),
                    )
                })
            };
            let Some(t) = self.peek() else {
                if let Some(d) = unclosed(self) {
                    diags.push(d.with_label(self.end_span(), self.end_label()));
                }
                return (out, last_end);
            };
            if t.kind == TokKind::RBrace {
                self.i += 1;
                return (out, t.span.end);
            }
            if t.line_start && is_word(self.src, &t, &keywords::CLAUSE_KEYWORDS) {
                if let Some(d) = unclosed(self) {
                    diags.push(
                        d.with_label(
                            t.span,
                            format!("`{}` starts a new part of the rule here", self.text(&t)),
                        )
                        .with_help("add `}` on its own line after the block's last line"),
                    );
                }
                return (out, last_end);
            }
            let first = self.i;
            let mut depth = 0usize;
            while let Some(t) = self.peek() {
                match t.kind {
                    TokKind::Newline => break,
                    TokKind::LBrace => depth += 1,
                    TokKind::RBrace if depth == 0 => break,
                    TokKind::RBrace => depth -= 1,
                    _ => {}
                }
                self.i += 1;
            }
            let line = &self.toks[first..self.i];
            if let Some(t) = line.last() {
                last_end = t.span.end;
            }
            if let Some(b) = self.item(kind, line, diags) {
                out.push(b);
            }
        }
    }

    /// Parses one condition, action or redact line with the grammar.
    fn item(&self, kind: Item, line: &[Token], diags: &mut Vec<Diagnostic>) -> Option<Built> {
        let (first, last) = (line.first()?, line.last()?);
        let (start, end) = (first.span.start, last.span.end);
        if self
            .lex_errors
            .iter()
            .any(|d| d.span.start < end && d.span.end > start)
        {
            return None; // already reported by the tokenizer
        }
        let entry = match kind {
            Item::Condition => Rule::condition_entry,
            Item::Action => Rule::action_entry,
            Item::Redact => Rule::redact_entry,
        };
        let piece = self.src.get(start..end)?;
        let builder = Builder { offset: start };
        match RulesParser::parse(entry, piece) {
            Ok(mut pairs) => {
                let pair = pairs.next()?.into_inner().find(|p| {
                    matches!(
                        p.as_rule(),
                        Rule::condition | Rule::action | Rule::redact_clause
                    )
                })?;
                let built = match kind {
                    Item::Condition => builder.condition(pair).map(Built::Condition),
                    Item::Action => builder.action(pair).map(Built::Action),
                    Item::Redact => builder.redact(pair).map(Built::Redact),
                };
                built.map_err(|d| diags.push(d)).ok()
            }
            Err(e) => {
                diags.push(item_error(self.src, kind, line, &e));
                None
            }
        }
    }
}

/// A successfully parsed line.
enum Built {
    Condition(crate::syntax::ast::Condition),
    Action(crate::syntax::ast::Action),
    Redact(crate::syntax::ast::RedactClause),
}

impl Built {
    fn condition(self) -> Option<crate::syntax::ast::Condition> {
        match self {
            Built::Condition(c) => Some(c),
            _ => None,
        }
    }
    fn action(self) -> Option<crate::syntax::ast::Action> {
        match self {
            Built::Action(a) => Some(a),
            _ => None,
        }
    }
}
