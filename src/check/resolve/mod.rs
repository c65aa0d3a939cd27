//! Name and type resolution: AST → [`RuleIr`], with a diagnostic for every field,
//! operator, value, regex or placeholder that does not resolve.
//!
//! Names are looked up in the language catalogue (`lang`): fields, `hours since|until`
//! words, `set` targets and placeholders. One file per part of a rule: `conditions`,
//! `values` (literals), `actions`, `templates` (texts with placeholders, template sends
//! and their shorthand, W9/W10/W15).

mod actions;
mod conditions;
mod templates;
mod values;

use super::ir::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::lang;
use crate::model::Account;
use crate::redact::RedactOptions;
use crate::syntax::ast::{self, RuleKind, Span, ValueKind};

pub use super::ir::REGEX_SIZE_LIMIT;
pub use templates::compile_text;

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
/// ([`Code::blocks_run`]); lints such as W10's `automation-sends-template` keep the rule
/// so that the guards can be seen acting at runtime.
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

/// Resolves one rule; the files of this module add its parts.
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

/// The scalars of a value: the items of a list (nested lists flattened), or the value.
fn flatten(v: &ast::Value) -> Vec<&ast::Value> {
    match &v.kind {
        ValueKind::List(items) => items.iter().flat_map(flatten).collect(),
        _ => vec![v],
    }
}

/// Adds a did-you-mean for `word` among `candidates`, or lists them all.
fn suggest(diag: Diagnostic, word: &str, candidates: &[&str]) -> Diagnostic {
    match lang::did_you_mean(word, candidates.iter().copied()) {
        Some(c) => diag.with_help(format!("did you mean `{c}`?")),
        None => diag.with_help(format!("expected one of: {}", candidates.join(", "))),
    }
}

impl Resolver<'_> {
    fn text(&self, span: Span) -> String {
        self.source
            .get(span.start..span.end)
            .unwrap_or("")
            .to_string()
    }

    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Reports an `invalid-value` at `span`; `None`, for the caller to return.
    fn invalid_value<T>(&mut self, span: Span, message: impl Into<String>) -> Option<T> {
        self.err(Diagnostic::new(Code::InvalidValue, span, message));
        None
    }

    fn rule(&mut self, file: usize, rule: &ast::Rule) -> RuleIr {
        let mut block = |b: &Option<ast::ConditionBlock>, in_any: bool| -> Vec<Cond> {
            b.iter()
                .flat_map(|b| &b.conditions)
                .filter_map(|c| self.cond(c, in_any))
                .collect()
        };
        let all = block(&rule.all, false);
        let any = block(&rule.any, true);
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
                        return self
                            .invalid_value(m.span, "the mask must be exactly one character");
                    }
                }
            }
        };
        if kf < 0 || kl < 0 {
            return self.invalid_value(c.span, "digits to keep cannot be negative");
        }
        match RedactOptions::new(
            kf as usize,
            kl as usize,
            mask,
            c.groupings,
            c.word_boundaries,
        ) {
            Ok(o) => Some(o),
            Err(e) => self.invalid_value(c.span, e.to_string()),
        }
    }
}
