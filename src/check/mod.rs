//! Checking a rule set: parse every file, resolve names and types ([`resolve`]), and run
//! the rule-set lints (`lints`, one file per lint). Everything found is returned as data
//! ([`FileDiagnostic`]); nothing is printed here. Every code is a [`Code`], documented in
//! `docs/diagnostics.md`.

mod domain;
mod facts;
pub mod ir;
mod lints;
pub mod resolve;
pub(crate) mod value;

use crate::diagnostic::{Code, Diagnostic, SourceFile};
use crate::model::Account;
use crate::syntax;
use ir::RuleIr;

/// One rule file to compile: a display name (path) and its text.
#[derive(Debug, Clone)]
pub struct RuleSource {
    /// Path as shown in diagnostics, e.g. `rules/examples/whatsapp.rules`.
    pub name: String,
    /// The file's text.
    pub text: String,
}

/// A diagnostic together with the index of the file it is about.
#[derive(Debug, Clone)]
pub struct FileDiagnostic {
    /// Index into [`Checked::files`].
    pub file: usize,
    /// The finding.
    pub diagnostic: Diagnostic,
}

/// The result of checking a rule set: the files, the rules that resolved, every finding.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The files in rule order.
    pub files: Vec<SourceFile>,
    /// Resolved rules in evaluation order (files in the given order, rules in source order).
    pub rules: Vec<RuleIr>,
    /// Every finding, sorted by file, then by position in the file.
    pub diagnostics: Vec<FileDiagnostic>,
}

impl Checked {
    /// True if any finding makes its rule meaningless ([`Code::blocks_run`]): `run`
    /// refuses to replay.
    pub fn blocks_run(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.diagnostic.is_error() && d.diagnostic.code.blocks_run())
    }

    /// True if any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.diagnostic.is_error())
    }

    /// The findings about file `i`, in order.
    pub fn diagnostics_of(&self, i: usize) -> Vec<Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.file == i)
            .map(|d| d.diagnostic.clone())
            .collect()
    }
}

/// Parses, resolves and lints `sources` in order and returns every finding of every file
/// (never stops at the first). `account` enables the template registry checks (W9);
/// without it they are skipped and one `templates-not-checked` warning points at the
/// first template send.
pub fn check(sources: &[RuleSource], account: Option<&Account>) -> Checked {
    let mut files = Vec::with_capacity(sources.len());
    let mut rules = Vec::new();
    let mut diagnostics = Vec::new();
    let mut first_template: Option<(usize, syntax::ast::Span)> = None;
    let mut titles = Vec::new();
    for (i, src) in sources.iter().enumerate() {
        let (ast, syntax_diags) = syntax::parse(&src.text);
        let mut resolved = resolve::resolve_file(i, &ast, &src.text, account);
        // A rule with a syntax error lost the bad line: leave it out (it blocks `run`
        // anyway) instead of linting what is left, which would only add echoes.
        let broken: Vec<syntax::ast::Span> = ast
            .rules
            .iter()
            .filter(|r| {
                syntax_diags
                    .iter()
                    .any(|d| r.span.start <= d.span.start && d.span.start < r.span.end)
            })
            .map(|r| r.title.span)
            .collect();
        if !broken.is_empty() {
            resolved.rules.retain(|r| !broken.contains(&r.title_span));
        }
        titles.extend(ast.rules.iter().map(|r| lints::Title {
            file: i,
            kind: r.kind,
            title: r.title.node.clone(),
            span: r.title.span,
        }));
        for d in syntax_diags.into_iter().chain(resolved.diagnostics) {
            diagnostics.push(FileDiagnostic {
                file: i,
                diagnostic: d,
            });
        }
        if first_template.is_none() {
            first_template = resolved.template_uses.first().map(|s| (i, *s));
        }
        rules.extend(resolved.rules);
        files.push(SourceFile::new(src.name.clone(), src.text.clone()));
    }
    if let (None, Some((file, span))) = (account, first_template) {
        diagnostics.push(FileDiagnostic {
            file,
            diagnostic: Diagnostic::new(
                Code::TemplatesNotChecked,
                span,
                "no account given: template names, languages and parameters were not checked against the approved registry (W9)",
            )
            .with_help("pass `--account account.yaml` to check every template send"),
        });
    }
    lints::lint(&titles, &rules, &files, &mut diagnostics);
    diagnostics.sort_by_key(|d| (d.file, d.diagnostic.span.start));
    Checked {
        files,
        rules,
        diagnostics,
    }
}
