//! The rule-file parser: text → [`RuleFile`] plus every syntax diagnostic (`dsl.md`).
//!
//! The pest grammar (`grammar/rules.pest`) decides what parses. A file that parses is
//! turned into the AST directly; a file that does not is re-read rule by rule and line
//! by line (see `recover`), so that every error is reported in one pass. pest types stay
//! inside this module.

mod build;
mod grammar;
mod lexer;
mod recover;

use pest::Parser;

use super::ast::{Rule as RuleNode, RuleFile};
use crate::diagnostic::Diagnostic;
use build::Builder;
use grammar::{Rule, RulesParser};

/// Parses one rule file.
///
/// Returns every rule that could be read (a rule whose header is valid is kept even when
/// some of its lines are not, without those lines), every `#` comment in source order,
/// and every syntax error, sorted by position. All diagnostics have code `syntax` and
/// severity error; their spans are byte offsets into `source` on character boundaries.
/// Field names are not checked here. Never panics.
pub fn parse(source: &str) -> (RuleFile, Vec<Diagnostic>) {
    let lexed = lexer::lex(source);
    let mut diags = Vec::new();
    let rules = match RulesParser::parse(Rule::file, source) {
        Ok(mut pairs) => {
            let builder = Builder { offset: 0 };
            let mut rules: Vec<RuleNode> = Vec::new();
            if let Some(file) = pairs.next() {
                for p in file.into_inner() {
                    if p.as_rule() == Rule::rule {
                        rules.extend(builder.rule(p, &mut diags));
                    }
                }
            }
            rules
        }
        Err(e) => recover::recover(source, &lexed, &e, &mut diags),
    };
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    diags.dedup_by(|a, b| a.span == b.span && a.message == b.message);
    (
        RuleFile {
            rules,
            comments: lexed.comments,
        },
        diags,
    )
}
