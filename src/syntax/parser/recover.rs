//! Error recovery: when the whole file does not parse, find every error in one pass.
//!
//! The file is cut into rules by their keyword at the start of a line and brace matching
//! (over tokens, so braces in strings, regexes and comments do not count). Each rule is
//! parsed on its own with the grammar; a rule that does not parse is walked clause by
//! clause, and each condition, action or `redact` line is parsed on its own, so two bad
//! lines give two errors. Messages are written in words (never pest rule names).

use pest::error::{ErrorVariant, InputLocation};
use pest::Parser;

use super::build::{rule_kind, unescape_string, Assembler, Builder, Clause};
use super::grammar::{Rule, RulesParser};
use super::lexer::{Lexed, TokKind, Token};
use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::ast::{ActionBlock, ConditionBlock, Rule as RuleNode, Span, Spanned};

const RULE_KEYWORDS: [&str; 3] = ["trigger", "automation", "redaction"];
const CLAUSE_KEYWORDS: [&str; 3] = ["when", "then", "redact"];
const ACTION_KEYWORDS: [&str; 5] = ["set", "add", "remove", "send", "notify"];
const OPERATORS: &str = "is, is not, in, not in, <, <=, >, >=, includes, excludes, contains, \
    not contains, contains word, matches, changed, changed to, changed from, not changed, \
    present, not present";

/// Where a pest error happened, for the words used for "the end".
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    File,
    Rule,
    Line,
}

/// Recovers from a failed whole-file parse: returns the rules that could be read and
/// pushes at least one diagnostic.
pub(super) fn recover(
    src: &str,
    lexed: &Lexed,
    file_error: &pest::error::Error<Rule>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<RuleNode> {
    let toks = &lexed.tokens;
    let before = diags.len();
    let mut rules = Vec::new();
    let mut i = 0;
    while let Some(t) = toks.get(i) {
        if t.kind == TokKind::Newline {
            i += 1;
            continue;
        }
        if is_rule_keyword(src, t) {
            if !t.line_start && i > 0 {
                diags.push(
                    Diagnostic::new(
                        Code::Syntax,
                        t.span,
                        format!("a rule must start on a new line, found `{}`", text(src, t)),
                    )
                    .with_help("put a line break before the rule"),
                );
            }
            let end = chunk_end(src, toks, i);
            let next_rule = toks.get(end).map(|t| t.span);
            let chunk = &toks[i..end];
            if let Some(rule) = parse_chunk(src, lexed, chunk, next_rule, diags) {
                rules.push(rule);
            }
            i = end;
        } else {
            diags.push(top_level_error(src, t));
            i += 1;
            while toks.get(i).is_some_and(|t| {
                !(t.line_start && (is_rule_keyword(src, t) || looks_like_rule(src, toks, i)))
            }) {
                i += 1;
            }
        }
    }
    if diags.len() == before {
        diags.push(pest_error(
            src,
            toks,
            0,
            src.len(),
            file_error,
            Context::File,
        ));
    }
    rules
}

/// A misspelt rule keyword followed by a title (`Trigger "…"`, `triger "…"`): worth its
/// own error rather than being skipped with the garbage before it.
fn looks_like_rule(src: &str, toks: &[Token], i: usize) -> bool {
    let (Some(t), Some(next)) = (toks.get(i), toks.get(i + 1)) else {
        return false;
    };
    t.kind == TokKind::Word
        && matches!(next.kind, TokKind::Str { .. })
        && suggest(text(src, t), &RULE_KEYWORDS).is_some()
}

fn text<'s>(src: &'s str, t: &Token) -> &'s str {
    src.get(t.span.start..t.span.end).unwrap_or("")
}

fn is_word(src: &str, t: &Token, words: &[&str]) -> bool {
    t.kind == TokKind::Word && words.contains(&text(src, t))
}

fn is_rule_keyword(src: &str, t: &Token) -> bool {
    is_word(src, t, &RULE_KEYWORDS)
}

/// The index one past the last token of the rule starting at `toks[start]`: its matching
/// `}`, or (when it is never closed) the next rule keyword at the start of a line, or the
/// end. A header line without `{` counts as opening the rule (the error is reported when
/// the rule is read), and so does a `{` alone on the next line.
fn chunk_end(src: &str, toks: &[Token], start: usize) -> usize {
    let mut depth = 0usize;
    let mut on_header = true;
    let mut j = start + 1;
    while let Some(t) = toks.get(j) {
        match t.kind {
            TokKind::Newline => {
                if on_header && depth == 0 {
                    depth = 1;
                    let k = skip_newlines(toks, j);
                    if toks.get(k).is_some_and(|t| t.kind == TokKind::LBrace) {
                        j = k;
                    }
                }
                on_header = false;
            }
            _ if t.line_start && is_rule_keyword(src, t) => return j,
            TokKind::LBrace => depth += 1,
            TokKind::RBrace => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
        j += 1;
    }
    toks.len()
}

fn skip_newlines(toks: &[Token], mut i: usize) -> usize {
    while toks.get(i).is_some_and(|t| t.kind == TokKind::Newline) {
        i += 1;
    }
    i
}

/// Parses one rule's tokens: with the grammar when it can, else line by line.
fn parse_chunk(
    src: &str,
    lexed: &Lexed,
    chunk: &[Token],
    next_rule: Option<Span>,
    diags: &mut Vec<Diagnostic>,
) -> Option<RuleNode> {
    let first = chunk.first()?;
    let last = chunk.iter().rev().find(|t| t.kind != TokKind::Newline)?;
    let (start, end) = (first.span.start, last.span.end);
    let piece = src.get(start..end)?;
    let builder = Builder { offset: start };
    let err = match RulesParser::parse(Rule::rule_entry, piece) {
        Ok(mut pairs) => {
            let rule = pairs
                .next()
                .and_then(|entry| entry.into_inner().find(|p| p.as_rule() == Rule::rule))?;
            return builder.rule(rule, diags);
        }
        Err(e) => e,
    };
    let before = diags.len();
    diags.extend(
        lexed
            .errors
            .iter()
            .filter(|d| d.span.start >= start && d.span.start < end)
            .cloned(),
    );
    let mut walker = Walker {
        src,
        toks: chunk,
        i: 0,
        lex_errors: &lexed.errors,
        next_rule,
    };
    let rule = walker.rule(diags);
    if diags.len() == before {
        diags.push(pest_error(src, chunk, start, end, &err, Context::Rule));
    }
    rule
}

/// Which kind of line a block holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Item {
    Condition,
    Action,
    Redact,
}

/// Walks the tokens of one rule that did not parse as a whole.
struct Walker<'a> {
    src: &'a str,
    toks: &'a [Token],
    i: usize,
    lex_errors: &'a [Diagnostic],
    /// Where the next rule starts (when this one is cut short by it).
    next_rule: Option<Span>,
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

    fn rule(&mut self, diags: &mut Vec<Diagnostic>) -> Option<RuleNode> {
        let kw = self.peek()?;
        let kind = rule_kind(self.text(&kw))?;
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
                _ if depth > 0 && t.line_start && is_word(self.src, &t, &CLAUSE_KEYWORDS) => break,
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
            .filter(|t| is_word(self.src, t, &["all", "any"]));
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
                if let Some(s) = other.and_then(|t| suggest(self.text(&t), &["all", "any"])) {
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
            let Some(t) = self.peek() else {
                if !self.unclosed_literal_from(from) {
                    diags.push(
                        Diagnostic::new(
                            Code::Syntax,
                            open,
                            format!("missing `}}` to close the `{head}` block started here"),
                        )
                        .with_label(self.end_span(), self.end_label()),
                    );
                }
                return (out, last_end);
            };
            if t.kind == TokKind::RBrace {
                self.i += 1;
                return (out, t.span.end);
            }
            if t.line_start && is_word(self.src, &t, &CLAUSE_KEYWORDS) {
                if !self.unclosed_literal_from(from) {
                    diags.push(
                        Diagnostic::new(
                            Code::Syntax,
                            open,
                            format!("missing `}}` to close the `{head}` block started here"),
                        )
                        .with_label(
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

/// Something at the top level that is not a rule.
fn top_level_error(src: &str, t: &Token) -> Diagnostic {
    let d = Diagnostic::new(
        Code::Syntax,
        t.span,
        format!(
            "expected a rule (`trigger`, `automation` or `redaction`), found {}",
            describe_token(src, Some(t), Context::File)
        ),
    );
    let word = text(src, t);
    if t.kind == TokKind::RBrace {
        return d.with_help("this `}` does not close anything; remove it");
    }
    if t.kind == TokKind::Word {
        let lower = word.to_ascii_lowercase();
        if RULE_KEYWORDS.contains(&lower.as_str()) {
            return d.with_help(format!("keywords are lowercase: write `{lower}`"));
        }
        if let Some(s) = suggest(word, &RULE_KEYWORDS) {
            return d.with_help(format!("did you mean `{s}`?"));
        }
    }
    d.with_help("a rule starts like `trigger \"Tag new WhatsApp tickets\" {`")
}

/// Something inside a rule that is not `when all`, `when any`, `redact` or `then`.
fn clause_error(src: &str, t: &Token) -> Diagnostic {
    let d = Diagnostic::new(
        Code::Syntax,
        t.span,
        format!(
            "expected `when all`, `when any`, `redact` or `then`, found {}",
            describe_token(src, Some(t), Context::Rule)
        ),
    );
    let word = text(src, t);
    if t.kind == TokKind::Word {
        let lower = word.to_ascii_lowercase();
        if CLAUSE_KEYWORDS.contains(&lower.as_str()) {
            return d.with_help(format!("keywords are lowercase: write `{lower}`"));
        }
        if let Some(s) = suggest(word, &CLAUSE_KEYWORDS) {
            return d.with_help(format!("did you mean `{s}`?"));
        }
        return d.with_help(
            "conditions go inside `when all { … }` or `when any { … }`, actions inside `then { … }`",
        );
    }
    d
}

/// The message for a condition, action or redact line that the grammar rejected.
fn item_error(src: &str, kind: Item, line: &[Token], e: &pest::error::Error<Rule>) -> Diagnostic {
    let (start, end) = match (line.first(), line.last()) {
        (Some(f), Some(l)) => (f.span.start, l.span.end),
        _ => (0, 0),
    };
    let head = match kind {
        Item::Condition => line
            .iter()
            .position(|t| text(src, t) != "not" || t.kind != TokKind::Word)
            .and_then(|k| line.get(k))
            .or(line.first()),
        _ => line.first(),
    };
    if let Some(h) = head {
        let found = describe_token(src, Some(h), Context::Line);
        match kind {
            Item::Condition if h.kind != TokKind::Word => {
                return Diagnostic::new(
                    Code::Syntax,
                    h.span,
                    format!("expected a condition such as `status is open`, found {found}"),
                )
                .with_help("write one condition per line: FIELD OPERATOR VALUE");
            }
            Item::Action if h.kind != TokKind::Word => {
                return Diagnostic::new(
                    Code::Syntax,
                    h.span,
                    format!("expected an action such as `set status open`, found {found}"),
                );
            }
            Item::Action if !ACTION_KEYWORDS.contains(&text(src, h)) => {
                let word = text(src, h);
                let d = Diagnostic::new(
                    Code::Syntax,
                    h.span,
                    format!(
                        "unknown action `{}`; expected one of: {}",
                        shorten(word),
                        ACTION_KEYWORDS.join(", ")
                    ),
                );
                let lower = word.to_ascii_lowercase();
                return if ACTION_KEYWORDS.contains(&lower.as_str()) {
                    d.with_help(format!("keywords are lowercase: write `{lower}`"))
                } else if let Some(s) = suggest(word, &ACTION_KEYWORDS) {
                    d.with_help(format!("did you mean `{s}`?"))
                } else {
                    d
                };
            }
            _ => {}
        }
    }
    let mut d = pest_error(src, line, start, end, e, Context::Line);
    // A few common slips deserve a hint.
    let pos = d.span.start;
    let found = line.iter().find(|t| t.span.end > pos);
    let previous = line.iter().rev().find(|t| t.span.end <= pos);
    let previous_text = previous.map_or("", |t| text(src, t));
    let found_text = found.map_or("", |t| text(src, t));
    if let ErrorVariant::ParsingError { positives, .. } = &e.variant {
        let wants = |r: Rule| positives.contains(&r);
        let found_word = found.is_some_and(|t| t.kind == TokKind::Word);
        if wants(Rule::string)
            && found_word
            && matches!(
                previous_text,
                "field" | "requester.field" | "organization.field"
            )
        {
            let span = found.map_or(d.span, |t| t.span);
            return Diagnostic::new(
                Code::Syntax,
                span,
                format!(
                    "expected a quoted field name after `{previous_text}`, found `{}`",
                    shorten(found_text)
                ),
            )
            .with_help(format!(
                "write `{previous_text} \"{}\"`",
                shorten(found_text)
            ));
        }
        let keywords: Vec<&str> = positives
            .iter()
            .filter_map(|r| describe(*r, Context::Line))
            .filter_map(|w| w.strip_prefix('`').and_then(|w| w.strip_suffix('`')))
            .filter(|w| {
                w.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
            })
            .collect();
        if found_word && d.help.is_none() {
            if let Some(s) = suggest(found_text, &keywords) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
        }
        if wants(Rule::EOI)
            && found_text == "subject"
            && line.first().is_some_and(|t| text(src, t) == "notify")
        {
            d = d.with_help(
                "`subject` comes before `body`: `notify group \"NAME\" subject \"…\" body \"…\"`",
            );
        } else if (wants(Rule::value_operator) || wants(Rule::bare_operator)) && d.help.is_none() {
            d = d.with_help(format!("the operators are: {OPERATORS}"));
        } else if wants(Rule::string) && found_word && d.help.is_none() {
            let w = found.map_or("", |t| text(src, t));
            d = d.with_help(format!("write it in double quotes: `\"{}\"`", shorten(w)));
        } else if wants(Rule::EOI)
            && previous.is_some_and(|t| matches!(text(src, t), "changed" | "present"))
        {
            d = d.with_help(
                "`changed` and `present` take no value; write `changed to VALUE` or `changed from VALUE`",
            );
        } else if wants(Rule::EOI) && d.help.is_none() {
            d = d.with_help("write one item per line; separate the values of a list with commas");
        }
    }
    d
}

/// A diagnostic from a pest error over `tokens` (which cover `src[start..end]`).
fn pest_error(
    src: &str,
    tokens: &[Token],
    start: usize,
    end: usize,
    e: &pest::error::Error<Rule>,
    context: Context,
) -> Diagnostic {
    let pos = start
        + match e.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((p, _)) => p,
        };
    let pos = pos.min(end);
    let found_tok = tokens
        .iter()
        .find(|t| t.span.end > pos)
        .filter(|t| t.span.start < end.max(pos + 1));
    let (span, found) = match found_tok {
        Some(t) => (t.span, describe_token(src, Some(t), context)),
        None => (Span::new(pos, pos), describe_token(src, None, context)),
    };
    let message = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut wanted: Vec<&str> = Vec::new();
            for r in positives {
                if let Some(w) = describe(*r, context) {
                    if !wanted.contains(&w) {
                        wanted.push(w);
                    }
                }
            }
            if wanted.is_empty() {
                format!("unexpected {found}")
            } else {
                format!("expected {}, found {found}", join_or(&wanted))
            }
        }
        ErrorVariant::CustomError { message } => message.clone(),
    };
    Diagnostic::new(Code::Syntax, span, message)
}

/// "a", "a or b", "a, b or c".
fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// How a grammar rule is named in messages; `None` for rules never worth naming.
fn describe(r: Rule, context: Context) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => match context {
            Context::File => "the end of the file",
            Context::Rule => "the end of the rule",
            Context::Line => "the end of the line",
        },
        Rule::rule | Rule::rule_kind => "a rule (`trigger`, `automation` or `redaction`)",
        Rule::title => "a quoted rule title",
        Rule::when_all => "`when all`",
        Rule::when_any => "`when any`",
        Rule::then_block => "`then`",
        Rule::redact_clause => "`redact`",
        Rule::condition | Rule::field_condition | Rule::negation => {
            "a condition such as `status is open`"
        }
        Rule::hours_since => "`hours since`",
        Rule::hours_until => "`hours until`",
        Rule::hours => "a whole number of hours",
        Rule::business => "`business`",
        Rule::within_business_hours => "`within business_hours`",
        Rule::field_ref | Rule::custom_field | Rule::requester_field | Rule::organization_field => {
            "a field such as `status` or `field \"NAME\"`"
        }
        Rule::value_operator | Rule::bare_operator => {
            "an operator such as `is`, `in`, `contains` or `changed`"
        }
        Rule::compare_operator => "a comparison (`is`, `is not`, `<`, `<=`, `>` or `>=`)",
        Rule::value => "a value (a word, a \"string\", a number, a [list] or a /regex/)",
        Rule::bracket_list => "a list such as `[a, b]`",
        Rule::bare_list => "a list such as `a, b`",
        Rule::string | Rule::string_inner => "a \"string\"",
        Rule::regex | Rule::regex_inner => "a /regex/",
        Rule::integer => "a whole number",
        Rule::word => "a word",
        Rule::name => "a name (a word or a \"string\")",
        Rule::action
        | Rule::set_action
        | Rule::add_tags
        | Rule::remove_tags
        | Rule::add_note
        | Rule::send_message
        | Rule::send_template
        | Rule::notify => "an action such as `set status open`",
        Rule::params => "`params`",
        Rule::notify_target => "`requester`, `assignee`, `group` or `webhook`",
        Rule::subject => "`subject`",
        Rule::body => "`body`",
        Rule::keep => "`keep`",
        Rule::keep_first => "`first`",
        Rule::keep_last => "`last`",
        Rule::mask => "`with`",
        Rule::redact_options | Rule::redact_option => {
            "an option (`groupings` or `word_boundaries`)"
        }
        Rule::kw_when => "`when`",
        Rule::kw_all => "`all`",
        Rule::kw_any => "`any`",
        Rule::kw_then => "`then`",
        Rule::kw_redact => "`redact`",
        Rule::kw_hours => "`hours`",
        Rule::kw_since => "`since`",
        Rule::kw_until => "`until`",
        Rule::kw_within => "`within`",
        Rule::kw_business_hours => "`business_hours`",
        Rule::kw_field => "`field`",
        Rule::kw_requester_field => "`requester.field`",
        Rule::kw_organization_field => "`organization.field`",
        Rule::kw_set => "`set`",
        Rule::kw_add => "`add`",
        Rule::kw_remove => "`remove`",
        Rule::kw_tags => "`tags`",
        Rule::kw_note => "`note`",
        Rule::kw_send => "`send`",
        Rule::kw_message => "`message`",
        Rule::kw_template => "`template`",
        Rule::kw_language => "`language`",
        Rule::kw_params => "`params`",
        Rule::kw_notify => "`notify`",
        Rule::kw_requester => "`requester`",
        Rule::kw_assignee => "`assignee`",
        Rule::kw_group => "`group`",
        Rule::kw_webhook => "`webhook`",
        Rule::kw_subject => "`subject`",
        Rule::kw_body => "`body`",
        Rule::kw_keep => "`keep`",
        Rule::kw_first => "`first`",
        Rule::kw_last => "`last`",
        Rule::kw_with => "`with`",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lbracket => "`[`",
        Rule::rbracket => "`]`",
        Rule::comma => "`,`",
        // The file and the entry points, and silent helpers pest never reports.
        _ => return None,
    })
}

/// How a token is named in "found …".
fn describe_token(src: &str, t: Option<&Token>, context: Context) -> String {
    let Some(t) = t else {
        return match context {
            Context::File => "the end of the file".to_string(),
            Context::Rule => "the end of the rule".to_string(),
            Context::Line => "the end of the line".to_string(),
        };
    };
    let s = text(src, t);
    match t.kind {
        TokKind::Newline => "the end of the line".to_string(),
        // Never echo what could be a card number.
        TokKind::Number if s.bytes().filter(u8::is_ascii_digit).count() >= 12 => {
            "a long number".to_string()
        }
        TokKind::Other => match s.chars().next() {
            Some('`') => "a backtick".to_string(),
            Some(c) if c.is_whitespace() || c.is_control() => {
                format!("an invisible character (U+{:04X})", c as u32)
            }
            _ => format!("`{s}`"),
        },
        _ => format!("`{}`", shorten(s)),
    }
}

/// At most 32 characters of `s` (cut at a character boundary, marked with `…`).
fn shorten(s: &str) -> String {
    if s.chars().count() <= 32 {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(31).collect();
        out.push('…');
        out
    }
}

/// The closest of `options` to `word` (edit distance at most 2, less than its length).
fn suggest<'o>(word: &str, options: &[&'o str]) -> Option<&'o str> {
    let word = word.to_ascii_lowercase();
    options
        .iter()
        .map(|o| (edit_distance(&word, o), *o))
        .filter(|(d, o)| *d <= 2 && *d < o.len().min(word.len().max(1)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_words_only() {
        assert_eq!(suggest("sett", &ACTION_KEYWORDS), Some("set"));
        assert_eq!(suggest("notfy", &ACTION_KEYWORDS), Some("notify"));
        assert_eq!(suggest("frobnicate", &ACTION_KEYWORDS), None);
    }

    #[test]
    fn lists_are_joined_with_or() {
        assert_eq!(join_or(&["a"]), "a");
        assert_eq!(join_or(&["a", "b", "c"]), "a, b or c");
    }

    #[test]
    fn long_numbers_are_not_echoed() {
        let src = "4111111111111111";
        let lexed = super::super::lexer::lex(src);
        assert_eq!(
            describe_token(src, lexed.tokens.first(), Context::Line),
            "a long number"
        );
    }
}
