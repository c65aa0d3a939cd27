//! The engine: compiled [`RuleSet`], the trigger cycle (S2–S10), system rules (S1),
//! automation runs on the replay clock (S11–S18), guards on every outbound item (S20).
//!
//! An [`Engine`] owns a [`TicketStore`] and applies one [`Event`] at a time; it is
//! deterministic (S19): the same rules, account and events give the same outcomes.
//!
//! Invariant: every ticket write goes through `Engine::save`, which keeps the automation
//! schedule in step with the store; submodules own their state (private fields,
//! methods) and the outcome types are plain data from [`crate::outcome`].
//!
//! - `apply` — one input event: validation (S1) and the update per event type;
//! - `run` — one hourly automation run and the 28-day close;
//! - `update` — one ticket update in progress: actions, trigger cycle, guards, redaction;
//! - `changes` — net changes (S10); `eval` — conditions; `index` — trigger candidates;
//! - `schedule` — automation candidates; [`calendar`] — business hours;
//! - [`ruleset`], [`store`], [`snapshot`] — the compiled rules, ticket storage, the
//!   stateless entry points.

mod apply;
pub mod calendar;
mod changes;
mod eval;
mod index;
pub mod ruleset;
mod run;
mod schedule;
pub mod snapshot;
pub mod store;
mod update;

use std::sync::Arc;

use jiff::Timestamp;

use crate::model::{Event, EventKind, Ticket, TicketRef, WebhookItem};

/// The outcome types, re-exported at their historical path `engine::outcome`.
pub use crate::outcome;
pub use crate::outcome::{
    AutomationRun, Change, ConditionTrace, Delivery, DeliveryReason, EventOutcome, LineStatus,
    Message, MessageKind, RuleTrace, Step, TicketOutcome,
};
pub use ruleset::{CompileError, CompileOptions, RuleSet, DEFAULT_RULES};
use schedule::Schedule;
pub use snapshot::{event_key, Snapshot};
pub use store::{MemoryStore, SentMessage, TicketStore};

/// Days after `solved` at which the automation run closes a ticket (S1).
pub const CLOSE_AFTER_SOLVED_DAYS: i64 = 28;

/// Applies events to tickets with a compiled rule set.
pub struct Engine<S: TicketStore = MemoryStore> {
    rules: Arc<RuleSet>,
    store: S,
    schedule: Schedule,
    explain: bool,
}

impl Engine<MemoryStore> {
    /// An engine with an empty in-memory store.
    pub fn new(rules: Arc<RuleSet>) -> Self {
        Engine::with_store(rules, MemoryStore::new())
    }
}

impl<S: TicketStore> Engine<S> {
    /// An engine over `store`.
    pub fn with_store(rules: Arc<RuleSet>, store: S) -> Self {
        let schedule = schedule_for(&rules, &store);
        Engine {
            rules,
            store,
            schedule,
            explain: false,
        }
    }

    /// Turns explain traces on or off (`run --explain`): every ticket record then lists
    /// every rule considered with each condition's value ([`outcome::RuleTrace`]).
    pub fn set_explain(&mut self, on: bool) {
        self.explain = on;
    }

    /// The ticket store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The rule set.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The replay clock: the newest event time applied so far (S18).
    pub fn clock(&self) -> Option<Timestamp> {
        self.store.clock()
    }

    /// Applies one event: duplicate check, validation, the automation runs due before it
    /// (S18), then the event itself. A rejected or duplicate event changes nothing and
    /// does not move the clock.
    ///
    /// Duplicates are found twice over: by the event's key ([`event_key`]: an identical
    /// retry), then item by item for WhatsApp (a message by its wamid, a status by wamid
    /// and status word), however the item was batched before. The items applied before
    /// are left out and named in [`EventOutcome::duplicate_items`]; when none is left
    /// the line is `duplicate`.
    pub fn process(&mut self, mut event: Event) -> Step {
        let key = dedup_key(&event);
        if let Some(t) = self.store.seen(&key) {
            let mut o = EventOutcome {
                event: Some(event.id.clone()),
                at: Some(event.at),
                status: LineStatus::Duplicate,
                duplicate_items: Vec::new(),
                tickets: Vec::new(),
                warnings: vec![format!(
                    "event `{}` was already applied; not applied again",
                    event.id
                )],
                error: None,
                ticket_hint: t,
            };
            o.warnings.shrink_to_fit();
            return Step {
                runs: Vec::new(),
                outcome: o,
            };
        }
        let seen_items = self.drop_seen_items(&mut event);
        if seen_items.all {
            return Step {
                runs: Vec::new(),
                outcome: seen_items.duplicate_line(&event),
            };
        }
        if let Err(e) = self.validate(&event) {
            return Step {
                runs: Vec::new(),
                outcome: EventOutcome::rejected(
                    Some(event.id.clone()),
                    Some(event.at),
                    event_ticket(&event),
                    e.to_string(),
                ),
            };
        }
        let mut warnings = Vec::new();
        let runs = match self.store.clock() {
            Some(c) if event.at < c => {
                warnings.push(format!(
                    "event time {} is earlier than the replay clock {}; applied at its own time (S18)",
                    event.at, c
                ));
                Vec::new()
            }
            _ => self.advance_to(event.at),
        };
        let mut outcome = match self.apply(&event) {
            Ok((o, items)) => {
                let first = o.tickets.first().map(|t| t.ticket.clone());
                self.store.mark_seen(key, first);
                for (item, ticket) in items {
                    self.store.mark_item_seen(item, ticket);
                }
                EventOutcome {
                    duplicate_items: seen_items.names,
                    ..o
                }
            }
            Err(e) => EventOutcome::rejected(
                Some(event.id.clone()),
                Some(event.at),
                event_ticket(&event),
                e.to_string(),
            ),
        };
        warnings.append(&mut outcome.warnings);
        outcome.warnings = warnings;
        Step { runs, outcome }
    }

    /// Performs every hourly automation run at times t with clock < t ≤ `to` (S18) and
    /// moves the clock to `to` (never backwards). The first call only sets the clock.
    /// Returns the runs that updated at least one ticket.
    pub fn advance_to(&mut self, to: Timestamp) -> Vec<AutomationRun> {
        let Some(from) = self.store.clock() else {
            self.store.set_clock(to);
            return Vec::new();
        };
        if to <= from {
            return Vec::new();
        }
        let minute = i64::from(self.rules.account.automation_minute.min(59)) * 60;
        let secs = from.as_second();
        let mut t = secs - secs.rem_euclid(3600) + minute;
        if t <= secs {
            t += 3600;
        }
        let mut runs = Vec::new();
        while t <= to.as_second() {
            if let Ok(at) = Timestamp::from_second(t) {
                if let Some(run) = self.automation_run(at) {
                    runs.push(run);
                }
            }
            t += 3600;
        }
        self.store.set_clock(to);
        runs
    }

    /// Stores a ticket and keeps the automation schedule's indexes up to date.
    fn save(&mut self, t: Ticket) {
        let pos = self.store.position(&t.id).unwrap_or(self.store.len()) as u32;
        self.schedule.update(pos, self.store.get(&t.id), &t);
        self.store.put(t);
    }
}

/// The automation schedule of `rules` over the tickets of `store`; its first run tests
/// every ticket.
fn schedule_for<S: TicketStore>(rules: &RuleSet, store: &S) -> Schedule {
    let mut schedule = Schedule::new(&rules.automation_plans);
    for pos in 0..store.len() {
        if let Some(t) = store.ticket_at(pos) {
            schedule.update(pos as u32, None, t);
        }
    }
    schedule
}

/// The key under which an event counts as seen. Native events: their id. A webhook body:
/// every item, because WhatsApp reports several statuses (`sent`, `delivered`, `read`)
/// for one message id, and each is a new event although the line's `event` (the first
/// item's id, events.md) is the same. This key catches an identical retry; the items of
/// a body are also checked one by one (`Engine::drop_seen_items`), so an item sent again
/// in another batch is not applied twice.
fn dedup_key(e: &Event) -> String {
    match &e.kind {
        EventKind::Webhook(batch) => {
            let mut key = String::from("webhook");
            for item in &batch.items {
                match item {
                    WebhookItem::Message(m) => {
                        key.push('|');
                        key.push_str(m.wamid.as_deref().unwrap_or(&e.id));
                    }
                    WebhookItem::Status(s) => {
                        key.push('|');
                        key.push_str(&s.wamid);
                        key.push(':');
                        key.push_str(&s.status);
                    }
                }
            }
            key
        }
        _ => e.id.clone(),
    }
}

/// The ticket an event names, for rejected lines.
fn event_ticket(e: &Event) -> Option<String> {
    match &e.kind {
        EventKind::TicketCreated(t) => Some(t.id.clone()),
        EventKind::MessageReceived(m) => match &m.ticket {
            TicketRef::Id(id) => Some(id.clone()),
            TicketRef::WhatsApp { .. } => None,
        },
        EventKind::AgentReply(r) => Some(r.ticket.clone()),
        EventKind::TicketUpdated { ticket, .. } => Some(ticket.clone()),
        EventKind::Clock | EventKind::Webhook(_) => None,
    }
}

/// Adds a per-ticket record to a line's records, merging with the ticket's earlier one.
fn merge_record(records: &mut Vec<TicketOutcome>, o: TicketOutcome) {
    match records.iter_mut().find(|r| r.ticket == o.ticket) {
        Some(r) => {
            r.redactions += o.redactions;
            r.fired.extend(o.fired);
            r.changes.extend(o.changes);
            r.messages.extend(o.messages);
            r.notices.extend(o.notices);
            r.warnings.extend(o.warnings);
        }
        None => records.push(o),
    }
}
