//! `duplicate-rule` (S2: titles identify rules in `fired` lists): two rules of one kind
//! with one title, anywhere in the rule set; reported on the later one. Runs over every
//! parsed rule, so a duplicate is found even when one of the two has other errors.

use std::collections::HashMap;

use super::{where_is, Input, Lint, Title};
use crate::check::FileDiagnostic;
use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::ast::RuleKind;

pub(super) struct DuplicateRule;

impl Lint for DuplicateRule {
    fn code(&self) -> Code {
        Code::DuplicateRule
    }

    fn rule_set(&self, input: &Input<'_>, out: &mut Vec<FileDiagnostic>) {
        let mut seen: HashMap<(RuleKind, &str), &Title> = HashMap::new();
        for t in input.titles {
            let Some(first) = seen.get(&(t.kind, t.title.as_str())) else {
                seen.insert((t.kind, t.title.as_str()), t);
                continue;
            };
            let d = Diagnostic::new(
                self.code(),
                t.span,
                format!(
                    "a {} named \"{}\" is already defined",
                    t.kind.keyword(),
                    t.title
                ),
            );
            let d = if first.file == t.file {
                d.with_label(first.span, "first defined here").with_help(
                    "give each rule of a kind its own title: titles identify rules in `fired` lists",
                )
            } else {
                let at = input
                    .files
                    .get(first.file)
                    .map(|f| where_is(f, first.span))
                    .unwrap_or_default();
                d.with_help(format!(
                    "the first is in {at}; give each rule of a kind its own title: titles identify rules in `fired` lists"
                ))
            };
            out.push(FileDiagnostic {
                file: t.file,
                diagnostic: d,
            });
        }
    }
}
