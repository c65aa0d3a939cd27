//! Rule-set lints, one file per lint. Each is a [`Lint`] that declares its [`Code`];
//! [`LINTS`] is the one list of them, in the order they run. Most look at one resolved
//! rule at a time and share one [`RuleFacts`] per rule; `duplicate-rule` looks at every
//! parsed title and `shadowed-by-earlier-trigger` across triggers. A finding about a
//! whole rule points at its title, with labels on the parts involved (events.md).
//!
//! Adding a lint: a [`Code`] (`lang/codes.rs`) with its section in
//! `docs/diagnostics.md` and its case file in `tests/cases/check/`, a file here with a
//! unit struct implementing [`Lint`], and one entry in [`LINTS`].

mod automation_not_nullified;
mod contradictory_conditions;
mod duplicate_rule;
mod exact_hours_may_miss;
mod fires_on_every_update;
mod no_conditions;
mod send_always_outside_window;
mod shadowed_by_earlier_trigger;

use super::domain;
use super::facts;
use super::ir::{Cond, RuleIr};
use super::FileDiagnostic;
use crate::diagnostic::{Code, Diagnostic, SourceFile};
use crate::syntax::ast::{RuleKind, Span};

/// One lint: the code of its findings, and what it finds.
pub(crate) trait Lint: Sync {
    /// The code of every finding of this lint.
    fn code(&self) -> Code;

    /// Findings about one resolved rule (all in the rule's file). Most lints look at one
    /// rule at a time.
    fn rule(&self, _rule: &RuleIr, _facts: &RuleFacts, _file: &SourceFile) -> Vec<Diagnostic> {
        Vec::new()
    }

    /// Findings that look across the rule set, pushed to `out`.
    fn rule_set(&self, _input: &Input<'_>, _out: &mut Vec<FileDiagnostic>) {}
}

/// Every lint, in the order they run: at one place in a file, findings come in this order.
pub(crate) const LINTS: &[&dyn Lint] = &[
    &duplicate_rule::DuplicateRule,
    &no_conditions::NoConditions,
    &exact_hours_may_miss::ExactHoursMayMiss,
    &contradictory_conditions::ContradictoryConditions,
    &automation_not_nullified::AutomationNotNullified,
    &fires_on_every_update::FiresOnEveryUpdate,
    &send_always_outside_window::SendAlwaysOutsideWindow,
    &shadowed_by_earlier_trigger::ShadowedByEarlierTrigger,
];

/// A rule's title as parsed (every rule, whether it resolved or not).
pub(crate) struct Title {
    /// Index of its file.
    pub file: usize,
    /// Its kind.
    pub kind: RuleKind,
    /// The title.
    pub title: String,
    /// Where the title is written.
    pub span: Span,
}

/// What the lints look at.
pub(crate) struct Input<'a> {
    /// Every parsed rule's title, in rule order.
    pub titles: &'a [Title],
    /// The resolved rules, in evaluation order.
    pub rules: &'a [RuleIr],
    /// What is known about each rule, parallel to `rules` (`None` when its file is
    /// missing from `files`).
    pub facts: &'a [Option<RuleFacts<'a>>],
    /// The files, indexed by [`RuleIr::file`] and [`Title::file`].
    pub files: &'a [SourceFile],
}

/// Runs every lint of [`LINTS`] over the rule set; `files` are indexed by
/// [`RuleIr::file`].
pub(crate) fn lint(
    titles: &[Title],
    rules: &[RuleIr],
    files: &[SourceFile],
    out: &mut Vec<FileDiagnostic>,
) {
    let facts: Vec<Option<RuleFacts>> = rules
        .iter()
        .map(|r| files.get(r.file).map(|_| RuleFacts::of(r)))
        .collect();
    let input = Input {
        titles,
        rules,
        facts: &facts,
        files,
    };
    for lint in LINTS {
        lint.rule_set(&input, out);
        for (r, facts) in rules.iter().zip(&facts) {
            let (Some(facts), Some(file)) = (facts, files.get(r.file)) else {
                continue;
            };
            for d in lint.rule(r, facts, file) {
                out.push(FileDiagnostic {
                    file: r.file,
                    diagnostic: d,
                });
            }
        }
    }
}

/// What the per-rule lints need to know about a rule, computed once.
pub(crate) struct RuleFacts<'r> {
    /// Conditions that can never all hold, if any.
    contradiction: Option<Contradiction<'r>>,
    /// An action makes a condition false, or a condition holds only once (S15, S8).
    nullified: bool,
}

enum Contradiction<'r> {
    /// These `when all` conditions exclude each other (one alone: it can never hold).
    All(Vec<&'r Cond>),
    /// Each `when any` condition contradicts the `when all` block.
    Any,
}

impl<'r> RuleFacts<'r> {
    fn of(r: &'r RuleIr) -> Self {
        let all: Vec<&Cond> = r.all.iter().collect();
        let contradiction = match domain::contradiction(&all) {
            Some(idx) => Some(Contradiction::All(
                idx.into_iter().map(|i| all[i]).collect(),
            )),
            None if !r.any.is_empty()
                && r.any.iter().all(|c| {
                    let mut with = all.clone();
                    with.push(c);
                    domain::contradiction(&with).is_some()
                }) =>
            {
                Some(Contradiction::Any)
            }
            None => None,
        };
        RuleFacts {
            contradiction,
            nullified: facts::nullified(&r.all, &r.any, &r.actions),
        }
    }

    /// The rule's conditions can hold together.
    fn satisfiable(&self) -> bool {
        self.contradiction.is_none()
    }
}

/// The text of `span` in `file`.
fn source(file: &SourceFile, span: Span) -> &str {
    file.text.get(span.start..span.end).unwrap_or("")
}

/// `FILE:LINE` of `span`.
fn where_is(file: &SourceFile, span: Span) -> String {
    let (line, _) = file.line_col(span.start);
    format!("{}:{line}", file.name)
}

/// A finding about a rule's conditions as a whole: at the rule's title, with `help`, and
/// each condition of `when all` (else of `when any`) labelled `label`.
fn about_conditions(r: &RuleIr, code: Code, text: [&str; 3]) -> Vec<Diagnostic> {
    let [message, help, label] = text;
    let d = Diagnostic::new(code, r.title_span, message).with_help(help);
    let conds = if r.all.is_empty() { &r.any } else { &r.all };
    vec![conds
        .iter()
        .fold(d, |d, c| d.with_label(c.span, label.to_string()))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check, RuleSource};

    #[test]
    fn each_lint_has_its_own_code() {
        let mut codes: Vec<Code> = LINTS.iter().map(|l| l.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), LINTS.len());
    }

    /// Over every case file of `tests/cases/check`, each lint run alone reports only its
    /// own code.
    #[test]
    fn each_lint_reports_only_its_code() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/check");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .expect("the case files")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "rules"))
            .collect();
        paths.sort();
        let mut seen = std::collections::BTreeSet::new();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("readable");
            let checked = check(
                &[RuleSource {
                    name: path.display().to_string(),
                    text: text.clone(),
                }],
                None,
            );
            let (ast, _) = crate::syntax::parse(&text);
            let titles: Vec<Title> = ast
                .rules
                .iter()
                .map(|r| Title {
                    file: 0,
                    kind: r.kind,
                    title: r.title.node.clone(),
                    span: r.title.span,
                })
                .collect();
            let facts: Vec<Option<RuleFacts>> = checked
                .rules
                .iter()
                .map(|r| Some(RuleFacts::of(r)))
                .collect();
            let input = Input {
                titles: &titles,
                rules: &checked.rules,
                facts: &facts,
                files: &checked.files,
            };
            for lint in LINTS {
                let mut out = Vec::new();
                lint.rule_set(&input, &mut out);
                for (r, f) in checked.rules.iter().zip(facts.iter().flatten()) {
                    out.extend(lint.rule(r, f, &checked.files[0]).into_iter().map(|d| {
                        FileDiagnostic {
                            file: 0,
                            diagnostic: d,
                        }
                    }));
                }
                for d in out {
                    assert_eq!(d.diagnostic.code, lint.code(), "{}", path.display());
                    seen.insert(lint.code());
                }
            }
        }
        assert_eq!(
            seen.len(),
            LINTS.len(),
            "every lint finds something in the cases"
        );
    }
}
