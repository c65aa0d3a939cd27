//! `send-always-outside-window` (W5): a free-text `send message` on WhatsApp in a rule
//! whose own conditions guarantee the window is closed is never delivered.

use super::{Lint, RuleFacts};
use crate::check::ir::{Act, Cmp, Cond, Field, Lit, Piece, RuleIr, Since, Test};
use crate::diagnostic::{Code, Diagnostic, SourceFile};
use crate::guards::{self, Shorthand};
use crate::syntax::ast::RuleKind;

pub(super) struct SendAlwaysOutsideWindow;

/// The condition that restricts the rule to WhatsApp tickets: `channel is whatsapp`.
fn whatsapp_only(c: &Cond) -> bool {
    let w = |l: &Lit| *l == Lit::Text("whatsapp".into());
    match &c.test {
        Test::Cmp {
            field: Field::Channel,
            cmp,
            lits,
        } => {
            let eq = (*cmp == Cmp::Eq) ^ c.negated;
            eq && !lits.is_empty() && lits.iter().all(w)
        }
        _ => false,
    }
}

/// A condition that holds only while the WhatsApp window is closed (W2, W4): `window is
/// closed`, or at least 24 whole hours since the last end-user message (`> 23`, `>= 24`,
/// `is 24`…, or `not hours since last_end_user_message < 24`, which also holds when the
/// customer never wrote: no window at all).
fn window_closed(c: &Cond) -> bool {
    match c.test {
        Test::WindowOpen(open) => !(open ^ c.negated),
        Test::HoursSince {
            since: Since::LastEndUserMessage,
            cmp,
            hours,
            business: false,
        } => {
            let cmp = if c.negated {
                match cmp {
                    Cmp::Lt => Cmp::Ge,
                    Cmp::Le => Cmp::Gt,
                    Cmp::Ne => Cmp::Eq,
                    _ => return false,
                }
            } else {
                cmp
            };
            match cmp {
                Cmp::Gt => hours >= 23,
                Cmp::Ge | Cmp::Eq => hours >= 24,
                _ => false,
            }
        }
        _ => false,
    }
}

impl Lint for SendAlwaysOutsideWindow {
    fn code(&self) -> Code {
        Code::SendAlwaysOutsideWindow
    }

    fn rule(&self, r: &RuleIr, _: &RuleFacts, _: &SourceFile) -> Vec<Diagnostic> {
        if r.kind == RuleKind::Redaction {
            return Vec::new();
        }
        let (Some(channel), Some(closed)) = (
            r.all.iter().find(|c| whatsapp_only(c)),
            r.all.iter().find(|c| window_closed(c)),
        ) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (a, span) in r.actions.iter().zip(&r.action_spans) {
            let Act::SendMessage(t) = a else { continue };
            let text: String = t
                .pieces
                .iter()
                .map(|p| match p {
                    Piece::Lit(s) => s.as_str(),
                    Piece::Ph(_) => "x",
                })
                .collect();
            if matches!(guards::parse_shorthand(&text), Shorthand::WellFormed(_)) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    self.code(),
                    *span,
                    format!(
                        "this free-text message is never delivered: `{}` means the WhatsApp window is closed whenever this {} runs (W5)",
                        closed.text,
                        r.kind.keyword()
                    ),
                )
                .with_label(closed.span, "the window is closed when this holds")
                .with_label(channel.span, "only WhatsApp tickets")
                .with_help(match r.kind {
                    RuleKind::Automation => "send it before the window closes (e.g. `hours since last_end_user_message > 20` with `window is open`), or tag the ticket and let a trigger send an approved template",
                    _ => "send an approved template instead (`send template \"NAME\" language \"CODE\"`), or only send while `window is open`",
                }),
            );
        }
        out
    }
}
