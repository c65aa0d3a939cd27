//! `no-conditions` (S3): a rule with no conditions would match every ticket.

use super::{Lint, RuleFacts};
use crate::check::ir::RuleIr;
use crate::diagnostic::{Code, Diagnostic, SourceFile};

pub(super) struct NoConditions;

impl Lint for NoConditions {
    fn code(&self) -> Code {
        Code::NoConditions
    }

    fn rule(&self, r: &RuleIr, _: &RuleFacts, _: &SourceFile) -> Vec<Diagnostic> {
        if !r.all.is_empty() || !r.any.is_empty() {
            return Vec::new();
        }
        vec![Diagnostic::new(
            self.code(),
            r.title_span,
            "this rule has no conditions (S3)",
        )
        .with_help(
            "add a `when all { … }` block; a rule without conditions would match every ticket",
        )]
    }
}
