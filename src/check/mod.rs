//! Checking a rule set: parse every file, resolve names and types ([`resolve`]), and run
//! the rule-set lints. Everything found is returned as data ([`FileDiagnostic`]); nothing
//! is printed here.

pub mod ir;
pub mod resolve;

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::guards::{self, Shorthand};
use crate::model::Account;
use crate::syntax::{self, ast::RuleKind};
use ir::{Act, ChangeHow, Cmp, Lit, RuleIr, Test};

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
    /// Every finding, in file order.
    pub diagnostics: Vec<FileDiagnostic>,
}

/// The codes that make a rule meaningless: `run` refuses to replay with any of them
/// (events.md); every other finding is only a warning for `run`.
pub const RUN_BLOCKING_CODES: &[&str] = &[
    "syntax",
    "unknown-field",
    "invalid-value",
    "invalid-operator",
    "invalid-regex",
    "unknown-placeholder",
    "duplicate-rule",
];

impl Checked {
    /// True if any finding has a code in [`RUN_BLOCKING_CODES`].
    pub fn blocks_run(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.diagnostic.is_error() && RUN_BLOCKING_CODES.contains(&d.diagnostic.code))
    }

    /// True if any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.diagnostic.is_error())
    }
}

/// Parses, resolves and lints `sources` in order. `account` enables the template checks
/// (W9); without it they are skipped.
pub fn check(sources: &[RuleSource], account: Option<&Account>) -> Checked {
    let mut files = Vec::new();
    let mut rules = Vec::new();
    let mut diagnostics = Vec::new();
    for (i, src) in sources.iter().enumerate() {
        let (ast, syntax_diags) = syntax::parse(&src.text);
        let (resolved, resolve_diags) = resolve::resolve_file(i, &ast, &src.text);
        for d in syntax_diags.into_iter().chain(resolve_diags) {
            diagnostics.push(FileDiagnostic {
                file: i,
                diagnostic: d,
            });
        }
        rules.extend(resolved);
        files.push(SourceFile::new(src.name.clone(), src.text.clone()));
    }
    lint(&rules, account, &mut diagnostics);
    diagnostics.sort_by_key(|d| (d.file, d.diagnostic.span.start));
    Checked {
        files,
        rules,
        diagnostics,
    }
}

fn push(out: &mut Vec<FileDiagnostic>, file: usize, diagnostic: Diagnostic) {
    out.push(FileDiagnostic { file, diagnostic });
}

/// Rule-set lints that need the resolved rules.
fn lint(rules: &[RuleIr], account: Option<&Account>, out: &mut Vec<FileDiagnostic>) {
    let mut seen: HashMap<(RuleKind, &str), &RuleIr> = HashMap::new();
    for r in rules {
        if let Some(first) = seen.get(&(r.kind, r.title.as_str())) {
            let d = Diagnostic::error(
                "duplicate-rule",
                r.title_span,
                format!(
                    "a {} named \"{}\" is already defined",
                    r.kind.keyword(),
                    r.title
                ),
            )
            .with_help(
                "give each rule of a kind its own title: titles identify rules in `fired` lists",
            );
            let d = if first.file == r.file {
                d.with_label(first.title_span, "first defined here")
            } else {
                d
            };
            push(out, r.file, d);
        } else {
            seen.insert((r.kind, r.title.as_str()), r);
        }
        if r.all.is_empty() && r.any.is_empty() {
            push(
                out,
                r.file,
                Diagnostic::error("no-conditions", r.title_span, "this rule has no conditions (S3)")
                    .with_help("add a `when all { … }` block; a rule without conditions would match every ticket"),
            );
        }
        for c in &r.all {
            if let Test::HoursSince { cmp: Cmp::Eq, .. } = c.test {
                push(
                    out,
                    r.file,
                    Diagnostic::warning(
                        "exact-hours-may-miss",
                        c.span,
                        "`hours since … is N` matches in exactly one hourly run and is easy to miss (S12)",
                    )
                    .with_help("use `>` with a tag to make the automation fire once"),
                );
            }
        }
        if r.kind == RuleKind::Automation && !is_nullified(r) {
            push(
                out,
                r.file,
                Diagnostic::error(
                    "automation-not-nullified",
                    r.title_span,
                    "no action of this automation makes one of its conditions false, so it would fire every hour (S15)",
                )
                .with_help("e.g. add `tags excludes nudged` to the conditions and `add tags nudged` to the actions"),
            );
        }
        for (a, span) in r.actions.iter().zip(&r.action_spans) {
            let (name, language, n) = match a {
                Act::SendTemplate {
                    name,
                    language,
                    params,
                } => (name.clone(), language.clone(), params.len()),
                Act::SendMessage(text) => match guards::parse_shorthand(&literal_text(text)) {
                    Shorthand::None => continue,
                    Shorthand::Malformed { reason } => {
                        push(
                            out,
                            r.file,
                            Diagnostic::error(
                                "malformed-template-shorthand",
                                *span,
                                format!("this text starts a template shorthand that is not well formed: {reason} (W15)"),
                            )
                            .with_help("write `&((template=[[NAME]] language=[[CODE]] body_text=[[…]]))&`, or remove `&((`"),
                        );
                        continue;
                    }
                    Shorthand::WellFormed(t) => {
                        if r.kind == RuleKind::Automation {
                            push(
                                out,
                                r.file,
                                Diagnostic::error(
                                    "automation-sends-template",
                                    *span,
                                    "this text holds template shorthand, and automations cannot send templates (W10, W15)",
                                ),
                            );
                        }
                        let n = t.params.len();
                        (t.name, t.language, n)
                    }
                },
                _ => continue,
            };
            if let Some(account) = account {
                template_lint(r.file, *span, account, &name, &language, n, out);
            }
        }
    }
}

/// The text of a compiled text with each placeholder written back as `{{…}}`.
fn literal_text(t: &ir::TextTemplate) -> String {
    t.pieces
        .iter()
        .map(|p| match p {
            ir::Piece::Lit(s) => s.clone(),
            ir::Piece::Ph(_) => "{{placeholder}}".to_string(),
        })
        .collect()
}

fn template_lint(
    file: usize,
    span: crate::syntax::ast::Span,
    account: &Account,
    name: &str,
    language: &str,
    n: usize,
    out: &mut Vec<FileDiagnostic>,
) {
    match account
        .templates
        .iter()
        .find(|t| t.name == name && t.language == language)
    {
        None => push(
            out,
            file,
            Diagnostic::error(
                "unknown-template",
                span,
                format!("template `{name}` in `{language}` is not in the account's approved registry (W9)"),
            ),
        ),
        Some(t) if t.params as usize != n => push(
            out,
            file,
            Diagnostic::error(
                "template-params",
                span,
                format!("template `{name}` takes {} parameter(s), {} given (W9)", t.params, n),
            ),
        ),
        Some(_) => {}
    }
}

/// S15: an action makes one of the automation's conditions false, or a condition can be
/// true only once (`hours since X is N` in calendar hours).
fn is_nullified(r: &RuleIr) -> bool {
    r.all.iter().chain(&r.any).any(|c| {
        if let Test::HoursSince {
            cmp: Cmp::Eq,
            business: false,
            ..
        } = c.test
        {
            if !c.negated {
                return true;
            }
        }
        r.actions.iter().any(|a| nullifies(a, &c.test, c.negated))
    })
}

fn nullifies(a: &Act, t: &Test, negated: bool) -> bool {
    match (a, t) {
        (
            Act::AddTags(add),
            Test::Tags {
                field: ir::Field::Tags,
                tags,
                include,
            },
        ) => {
            // `excludes x` + `add tags x`, or `not includes x` + `add tags x`.
            (!include ^ negated) && add.iter().any(|t| tags.contains(t))
        }
        (
            Act::RemoveTags(rm),
            Test::Tags {
                field: ir::Field::Tags,
                tags,
                include,
            },
        ) => (*include ^ negated) && tags.iter().all(|t| rm.contains(t)),
        (
            Act::SetTags(set),
            Test::Tags {
                field: ir::Field::Tags,
                tags,
                include,
            },
        ) => {
            if *include ^ negated {
                !tags.iter().any(|t| set.contains(t))
            } else {
                tags.iter().any(|t| set.contains(t))
            }
        }
        (
            Act::SetStatus(s),
            Test::Cmp {
                field: ir::Field::Status,
                cmp,
                lits,
            },
        ) => !cmp_holds_rank(*cmp, lits, *s as u8) ^ negated,
        (
            Act::SetStatus(s),
            Test::HoursSince {
                since: ir::Since::Status(st),
                ..
            },
        ) => s != st && !negated,
        (
            Act::SetPriority(p),
            Test::Cmp {
                field: ir::Field::Priority,
                cmp,
                lits,
            },
        ) => match p {
            Some(p) => !cmp_holds_rank(*cmp, lits, *p as u8) ^ negated,
            None => !negated,
        },
        (
            Act::SetType(Some(p)),
            Test::Cmp {
                field: ir::Field::Type,
                cmp,
                lits,
            },
        ) => !cmp_holds_rank(*cmp, lits, *p as u8) ^ negated,
        (
            Act::SetSatisfaction(s),
            Test::Cmp {
                field: ir::Field::Satisfaction,
                cmp,
                lits,
            },
        ) => !cmp_holds_rank(*cmp, lits, *s as u8) ^ negated,
        (Act::SetText(which, v), Test::Cmp { field, cmp, lits })
            if text_field_matches(*which, field) =>
        {
            let lit = v
                .as_ref()
                .map(|s| Lit::Text(s.to_lowercase()))
                .unwrap_or(Lit::Null);
            let holds = match cmp {
                Cmp::Eq => lits.contains(&lit),
                Cmp::Ne => !lits.contains(&lit),
                _ => true,
            };
            !holds ^ negated
        }
        (Act::SetText(which, v), Test::Present { field, present })
            if text_field_matches(*which, field) =>
        {
            (v.is_some() != *present) ^ negated
        }
        (
            Act::SetCustom(n, v),
            Test::Cmp {
                field: ir::Field::Custom(f),
                cmp: Cmp::Eq | Cmp::Ne,
                lits,
            },
        ) if n == f => {
            let lit = match v {
                crate::model::FieldValue::Text(s) => Lit::Text(s.to_lowercase()),
                crate::model::FieldValue::Bool(b) => Lit::Bool(*b),
                crate::model::FieldValue::Int(i) => Lit::Num(*i as f64),
                crate::model::FieldValue::Float(x) => Lit::Num(*x),
            };
            let holds = matches!(t, Test::Cmp { cmp: Cmp::Eq, .. }) == lits.contains(&lit);
            !holds ^ negated
        }
        (
            Act::SetCustom(n, _),
            Test::Present {
                field: ir::Field::Custom(f),
                present: false,
            },
        ) if n == f => !negated,
        (
            _,
            Test::Changed {
                how: ChangeHow::NotChanged,
                ..
            },
        ) => false,
        _ => false,
    }
}

fn text_field_matches(which: ir::TextField, field: &ir::Field) -> bool {
    use ir::{Field as F, TextField as T};
    matches!(
        (which, field),
        (T::Group, F::Group)
            | (T::Assignee, F::Assignee)
            | (T::Schedule, F::Schedule)
            | (T::Form, F::Form)
            | (T::Brand, F::Brand)
    )
}

fn cmp_holds_rank(cmp: Cmp, lits: &[Lit], rank: u8) -> bool {
    let ranks = lits.iter().filter_map(|l| match l {
        Lit::Rank(r) => Some(*r),
        _ => None,
    });
    match cmp {
        Cmp::Eq => ranks.into_iter().any(|r| r == rank),
        Cmp::Ne => ranks.into_iter().all(|r| r != rank),
        c => ranks
            .into_iter()
            .next()
            .is_some_and(|r| c.holds(rank.cmp(&r))),
    }
}
