//! `exact-hours-may-miss` (S12): `hours since X is N` holds for one whole hour only.

use super::{Lint, RuleFacts};
use crate::check::ir::{Cmp, RuleIr, Test};
use crate::diagnostic::{Code, Diagnostic, SourceFile};

pub(super) struct ExactHoursMayMiss;

impl Lint for ExactHoursMayMiss {
    fn code(&self) -> Code {
        Code::ExactHoursMayMiss
    }

    fn rule(&self, r: &RuleIr, _: &RuleFacts, _: &SourceFile) -> Vec<Diagnostic> {
        r.all
            .iter()
            .filter(|c| {
                !c.negated
                    && matches!(
                        c.test,
                        Test::HoursSince { cmp: Cmp::Eq, .. }
                            | Test::HoursUntil { cmp: Cmp::Eq, .. }
                    )
            })
            .map(|c| {
                Diagnostic::new(
                    self.code(),
                    c.span,
                    format!(
                        "`{}` holds for one whole hour only: an automation sees it in exactly one hourly run, a trigger only on updates within that hour (S12)",
                        c.text
                    ),
                )
                .with_help("use `>` (e.g. `hours since solved > 24`) together with a tag or a status change that makes the rule fire once")
            })
            .collect()
    }
}
