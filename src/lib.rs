//! ticket-rules: a rules engine for helpdesk triggers and automations, with built-in
//! WhatsApp guards and card-number redaction.
//!
//! The shape of a host loop:
//!
//! 1. compile rule sources and an account once into an immutable [`RuleSet`]
//!    ([`compile`]); errors come back as data ([`check::Checked`] diagnostics);
//! 2. feed events to an [`Engine`], one at a time ([`Engine::process`]) or as a clock tick
//!    ([`Engine::advance_to`]), and apply the returned [`EventOutcome`]s and
//!    [`AutomationRun`]s: field changes, outbound messages with their delivery and reason,
//!    agent notices;
//! 3. use [`redact()`] on its own wherever text may carry card numbers (R1–R9).
//!
//! ```
//! use std::sync::Arc;
//! use ticket_rules::{compile, Account, Engine, RuleSource};
//!
//! let rules = r#"
//! trigger "Tag new WhatsApp tickets" {
//!   when all {
//!     ticket is created
//!     channel is whatsapp
//!   }
//!   then {
//!     add tags whatsapp
//!   }
//! }
//! "#;
//! let sources = [RuleSource { name: "whatsapp.rules".into(), text: rules.into() }];
//! let (rule_set, _warnings) = compile(&sources, Account::default()).expect("rules compile");
//! let mut engine = Engine::new(Arc::new(rule_set));
//!
//! // A customer writes on WhatsApp at 09:00 (the window anchor, W1) …
//! let line = r#"{"type":"message.received","id":"e1","at":"2026-11-24T09:00:05Z",
//!   "ticket":"T-1","channel":"whatsapp","sent_at":"2026-11-24T09:00:00Z",
//!   "text":"my card is 4111 1111 1111 1111"}"#;
//! let event = ticket_rules::io::decode_line(&line.replace('\n', ""), 1).unwrap();
//! let step = engine.process(event);
//! let record = &step.outcome.tickets[0];
//! assert_eq!(record.redactions, 1); // the default rule masked the card (W13)
//! assert!(record.fired.contains(&"trigger:Tag new WhatsApp tickets".to_string()));
//!
//! // … and an agent answers 25 hours later: kept on the ticket, not delivered (W5).
//! let line = r#"{"type":"agent.reply","id":"e2","at":"2026-11-25T10:00:00Z",
//!   "ticket":"T-1","text":"Sorry for the wait!"}"#;
//! let step = engine.process(ticket_rules::io::decode_line(&line.replace('\n', ""), 2).unwrap());
//! let reply = &step.outcome.tickets[0].messages[0];
//! assert_eq!(reply.reason.map(|r| r.code()), Some("outside_24h_window"));
//!
//! // Redaction on its own:
//! let masked = ticket_rules::redact("call me, card 5555 5555 5555 4444");
//! assert_eq!(masked, "call me, card 5555 55▇▇ ▇▇▇▇ 4444");
//! ```

#![warn(missing_docs)]

pub mod check;
pub mod diagnostic;
pub mod engine;
#[doc(hidden)]
pub mod fuzz;
pub mod guards;
pub mod io;
mod lang;
pub mod model;
pub mod outcome;
pub mod redact;
#[cfg(feature = "server")]
pub mod server;
pub mod syntax;
pub mod testing;

pub use check::{Checked, RuleSource};
pub use diagnostic::Code;
pub use engine::{CompileError, CompileOptions, Engine, MemoryStore, RuleSet, TicketStore};
pub use model::{Account, Event, Ticket};
pub use outcome::{AutomationRun, DeliveryReason, EventOutcome, Step, TicketOutcome};

/// Compiles rule sources (in order) against an account into a [`RuleSet`], with the
/// default card-redaction rule loaded first (W13; off when the account sets
/// `social_messaging_card_redaction: false`).
///
/// Returns the rule set and the check result (warnings and non-blocking findings), or
/// [`CompileError::Rules`] with every finding when a rule is meaningless (`syntax`,
/// `unknown-field`, … — [`Code::blocks_run`]), or [`CompileError::Account`] when
/// a schedule or time zone of the account is unusable.
pub fn compile(
    sources: &[RuleSource],
    account: Account,
) -> Result<(RuleSet, Checked), CompileError> {
    RuleSet::compile(sources, account, CompileOptions::default())
}

/// Masks every card number in `text` with the default options (keep first 6 and last 4
/// digits, mask `▇`; R1–R7). Borrowed when nothing was masked.
pub fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    redact::scrub(text)
}
