//! `automation-not-nullified` (S15): without an action that makes a condition false (or
//! a condition true only once), the automation fires again every hour.

use super::{about_conditions, Lint, RuleFacts};
use crate::check::ir::RuleIr;
use crate::diagnostic::{Code, Diagnostic, SourceFile};
use crate::syntax::ast::RuleKind;

pub(super) struct AutomationNotNullified;

/// The message, the help, and the label of each condition.
const TEXT: [&str; 3] = [
    "no action of this automation makes one of its conditions false, so it would fire every hour (S15)",
    "e.g. add `tags excludes nudged` to the conditions and `add tags nudged` to the actions",
    "still true after the actions",
];

impl Lint for AutomationNotNullified {
    fn code(&self) -> Code {
        Code::AutomationNotNullified
    }

    fn rule(&self, r: &RuleIr, facts: &RuleFacts, _: &SourceFile) -> Vec<Diagnostic> {
        if r.kind != RuleKind::Automation || facts.nullified || r.all.is_empty() && r.any.is_empty()
        {
            return Vec::new();
        }
        about_conditions(r, self.code(), TEXT)
    }
}
