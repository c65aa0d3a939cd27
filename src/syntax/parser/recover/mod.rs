//! Error recovery: when the whole file does not parse, find every error in one pass.
//!
//! The file is cut into rules by their keyword at the start of a line and brace matching
//! (over tokens, so braces in strings, regexes and comments do not count). Each rule is
//! parsed on its own with the grammar; a rule that does not parse is walked clause by
//! clause, and each condition, action or `redact` line is parsed on its own, so two bad
//! lines give two errors. Messages are written in words (never pest rule names).
//!
//! `walker` reads a rule that did not parse, line by line; `messages` words the errors.

mod messages;
mod walker;

use pest::Parser;

use super::build::Builder;
use super::grammar::{Rule, RulesParser};
use super::lexer::{Lexed, TokKind, Token};
use crate::diagnostic::{Code, Diagnostic};
use crate::lang::{self, keywords};
use crate::syntax::ast::{Rule as RuleNode, Span};
use messages::{pest_error, top_level_error};
use walker::Walker;

/// Where a pest error happened, for the words used for "the end".
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
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
    let word = text(src, t);
    t.kind == TokKind::Word
        && matches!(next.kind, TokKind::Str { .. })
        && (keywords::rule_keywords().any(|k| k.eq_ignore_ascii_case(word))
            || lang::did_you_mean(word, keywords::rule_keywords()).is_some())
}

/// The text of a token.
fn text<'s>(src: &'s str, t: &Token) -> &'s str {
    src.get(t.span.start..t.span.end).unwrap_or("")
}

/// A word token that is one of `words`.
fn is_word(src: &str, t: &Token, words: &[&str]) -> bool {
    t.kind == TokKind::Word && words.contains(&text(src, t))
}

fn is_rule_keyword(src: &str, t: &Token) -> bool {
    t.kind == TokKind::Word && keywords::rule_keywords().any(|k| k == text(src, t))
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
