//! `fires-on-every-update` (S8): a trigger with no scope and no nullifying action fires
//! again on every later update of a ticket that matches.

use super::{about_conditions, Lint, RuleFacts};
use crate::check::ir::{ChangeHow, Cond, RuleIr, Test};
use crate::diagnostic::{Code, Diagnostic, SourceFile};
use crate::lang::fields::{self, Changes};
use crate::syntax::ast::RuleKind;

pub(super) struct FiresOnEveryUpdate;

/// The message, the help, and the label of each condition.
const TEXT: [&str; 3] = [
    "this trigger fires again on every update of a matching ticket: nothing limits it to one update and no action makes a condition false (S8)",
    "add `ticket is created`, a `changed` condition (e.g. `status changed to pending`), or a tag: `tags excludes done` with `add tags done`",
    "holds on every update while the ticket stays so",
];

/// A condition that limits a trigger to some updates (S8): `ticket is created`, a
/// `changed` operator, or a condition on a field that describes this update only
/// (the catalogue's [`Changes::ThisUpdate`]).
fn is_scope(c: &Cond) -> bool {
    match &c.test {
        Test::TicketCreated(created) => created ^ c.negated,
        Test::Changed { how, .. } => match how {
            ChangeHow::NotChanged => c.negated,
            _ => !c.negated,
        },
        Test::CommentPublic(_) | Test::CurrentUser(_) => true,
        Test::Cmp { field, .. }
        | Test::Text { field, .. }
        | Test::Matches { field, .. }
        | Test::Present { field, .. } => {
            fields::of(field).is_some_and(|d| d.changes == Changes::ThisUpdate)
        }
        _ => false,
    }
}

impl Lint for FiresOnEveryUpdate {
    fn code(&self) -> Code {
        Code::FiresOnEveryUpdate
    }

    fn rule(&self, r: &RuleIr, facts: &RuleFacts, _: &SourceFile) -> Vec<Diagnostic> {
        if r.kind != RuleKind::Trigger
            || (r.all.is_empty() && r.any.is_empty())
            || !facts.satisfiable()
            || facts.nullified
            || r.all.iter().any(is_scope)
            || (!r.any.is_empty() && r.any.iter().all(is_scope))
        {
            return Vec::new();
        }
        about_conditions(r, self.code(), TEXT)
    }
}
