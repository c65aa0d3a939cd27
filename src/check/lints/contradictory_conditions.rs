//! `contradictory-conditions` (S3): the conditions can never all hold, so the rule never
//! matches.

use super::{Contradiction, Lint, RuleFacts};
use crate::check::ir::RuleIr;
use crate::diagnostic::{Code, Diagnostic, SourceFile};

pub(super) struct ContradictoryConditions;

impl Lint for ContradictoryConditions {
    fn code(&self) -> Code {
        Code::ContradictoryConditions
    }

    fn rule(&self, r: &RuleIr, facts: &RuleFacts, _: &SourceFile) -> Vec<Diagnostic> {
        let d = match &facts.contradiction {
            None => return Vec::new(),
            Some(Contradiction::All(conds)) if conds.len() == 1 => Diagnostic::new(
                self.code(),
                r.title_span,
                format!(
                    "this rule never matches: `{}` can never hold",
                    conds[0].text
                ),
            )
            .with_label(conds[0].span, "never true"),
            Some(Contradiction::All(conds)) => {
                let texts: Vec<String> = conds.iter().map(|c| format!("`{}`", c.text)).collect();
                conds.iter().fold(
                    Diagnostic::new(
                        self.code(),
                        r.title_span,
                        format!(
                            "this rule never matches: {} can never all hold",
                            texts.join(" and ")
                        ),
                    ),
                    |d, c| d.with_label(c.span, "conflicting condition"),
                )
            }
            Some(Contradiction::Any) => r.any.iter().fold(
                Diagnostic::new(
                    self.code(),
                    r.title_span,
                    "this rule never matches: every `when any` condition contradicts the `when all` conditions",
                ),
                |d, c| d.with_label(c.span, "cannot hold together with `when all`"),
            ),
        };
        vec![d.with_help(
            "remove or fix the conflicting condition; `when all` needs every condition to hold at once",
        )]
    }
}
