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
//! - `schedule` — automation candidates and the next run that can change something;
//!   `wake` — when an automation can next match an unchanged ticket; [`calendar`] —
//!   business hours;
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
mod wake;

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
    /// The reference clock: every hourly run, every ticket tested.
    hour_by_hour: bool,
    /// Automation runs performed (evaluated) so far.
    runs_performed: u64,
}

/// What [`Engine::advance_within`] did: the runs that updated a ticket, and whether the
/// clock reached the target.
#[derive(Debug, Default)]
pub struct Advance {
    /// Runs that updated at least one ticket, in time order.
    pub runs: Vec<AutomationRun>,
    /// True when the clock reached the target; false when it stopped after an earlier
    /// run (the clock is then at that run's time, and the next call continues).
    pub done: bool,
}

/// An event that passed the duplicate check and validation ([`Engine::admit`]), waiting
/// for the automation runs due before it and then its own update ([`Engine::finish`]).
#[derive(Debug)]
pub struct Admitted {
    event: Event,
    key: String,
    warnings: Vec<String>,
    /// Where the clock moves before the event (S18); `None` for an event stamped earlier
    /// than the clock (applied at its own time, no runs).
    until: Option<Timestamp>,
    /// WhatsApp items of the event applied before and left out (`duplicate_items`).
    duplicate_items: Vec<String>,
}

impl Admitted {
    /// The time the replay clock must reach before the event is applied (S18), if any.
    pub fn catch_up_to(&self) -> Option<Timestamp> {
        self.until
    }

    /// The event.
    pub fn event(&self) -> &Event {
        &self.event
    }
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
            hour_by_hour: false,
            runs_performed: 0,
        }
    }

    /// Turns the hour-by-hour reference clock on or off. On, every hourly automation run
    /// between two instants is performed and tests every ticket against every automation;
    /// off (the default), the clock jumps from one run that can change something to the
    /// next through the deadline indexes ([`Engine::advance_to`]). Both give the same
    /// outcomes (S19); the reference costs hours × tickets and exists for tests.
    pub fn set_hour_by_hour(&mut self, on: bool) {
        self.hour_by_hour = on;
    }

    /// How many hourly automation runs this engine has performed (evaluated), whether or
    /// not they changed anything: the work the clock did, for tests and benchmarks.
    pub fn runs_performed(&self) -> u64 {
        self.runs_performed
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
    pub fn process(&mut self, event: Event) -> Step {
        match self.admit(event) {
            Ok(admitted) => {
                let runs = match admitted.until {
                    Some(at) => self.advance_to(at),
                    None => Vec::new(),
                };
                self.finish(admitted, runs)
            }
            Err(step) => *step,
        }
    }

    /// The first half of [`Engine::process`]: the duplicate check and validation. `Err`
    /// holds the finished step of a duplicate or rejected event (nothing changed). `Ok`:
    /// the caller moves the clock to [`Admitted::catch_up_to`] (with
    /// [`Engine::advance_to`] or, in steps, [`Engine::advance_within`]), changing nothing
    /// else in between, then calls [`Engine::finish`] with the runs.
    ///
    /// # Errors
    /// The step of a duplicate or rejected event.
    pub fn admit(&mut self, mut event: Event) -> Result<Admitted, Box<Step>> {
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
            return Err(Box::new(Step {
                runs: Vec::new(),
                outcome: o,
            }));
        }
        let seen_items = self.drop_seen_items(&mut event);
        if seen_items.all {
            return Err(Box::new(Step {
                runs: Vec::new(),
                outcome: seen_items.duplicate_line(&event),
            }));
        }
        if let Err(e) = self.validate(&event) {
            return Err(Box::new(Step {
                runs: Vec::new(),
                outcome: EventOutcome::rejected(
                    Some(event.id.clone()),
                    Some(event.at),
                    event_ticket(&event),
                    e.to_string(),
                ),
            }));
        }
        let mut warnings = Vec::new();
        let until = match self.store.clock() {
            Some(c) if event.at < c => {
                warnings.push(format!(
                    "event time {} is earlier than the replay clock {}; applied at its own time (S18)",
                    event.at, c
                ));
                None
            }
            _ => Some(event.at),
        };
        Ok(Admitted {
            event,
            key,
            warnings,
            until,
            duplicate_items: seen_items.names,
        })
    }

    /// The second half of [`Engine::process`]: applies an admitted event once the clock
    /// has reached it; `runs` are the automation runs performed before it.
    pub fn finish(&mut self, admitted: Admitted, runs: Vec<AutomationRun>) -> Step {
        let Admitted {
            event,
            key,
            mut warnings,
            duplicate_items,
            ..
        } = admitted;
        let mut outcome = match self.apply(&event) {
            Ok((o, items)) => {
                let first = o.tickets.first().map(|t| t.ticket.clone());
                self.store.mark_seen(key, first);
                for (item, ticket) in items {
                    self.store.mark_item_seen(item, ticket);
                }
                EventOutcome {
                    duplicate_items,
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
    ///
    /// The cost does not depend on the hours in between: the clock jumps from one run
    /// that can change something to the next ([`Engine::set_hour_by_hour`] for the
    /// reference that performs them all). A skipped run is one at which no automation
    /// can match any ticket and no 28-day close is due; it would have changed nothing.
    pub fn advance_to(&mut self, to: Timestamp) -> Vec<AutomationRun> {
        self.advance_within(to, || true).runs
    }

    /// [`Engine::advance_to`] in steps: after each run performed, asks `more()` whether
    /// to go on. When it says no before `to` is reached, the clock stops at that run's
    /// time and [`Advance::done`] is false; calling again continues where it stopped,
    /// with the same outcomes as one call (S19). At least one run is performed per call.
    pub fn advance_within(&mut self, to: Timestamp, mut more: impl FnMut() -> bool) -> Advance {
        let Some(from) = self.store.clock() else {
            self.store.set_clock(to);
            return Advance {
                runs: Vec::new(),
                done: true,
            };
        };
        if to <= from {
            return Advance {
                runs: Vec::new(),
                done: true,
            };
        }
        let minute = self.rules.account.automation_minute;
        let close_after = CLOSE_AFTER_SOLVED_DAYS * 24 * 3600;
        let end = to.as_second();
        let mut t = wake::run_at_or_after(from.as_second().saturating_add(1), minute);
        let mut runs = Vec::new();
        while t <= end {
            if !self.hour_by_hour {
                match self.schedule.next_due(t, minute, close_after) {
                    Some(due) if due <= end => t = due,
                    _ => break,
                }
            }
            let Ok(at) = Timestamp::from_second(t) else {
                break;
            };
            if let Some(run) = self.automation_run(at) {
                runs.push(run);
            }
            t = t.saturating_add(3600);
            if t <= end && !more() {
                self.store.set_clock(at);
                return Advance { runs, done: false };
            }
        }
        self.store.set_clock(to);
        Advance { runs, done: true }
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
pub(crate) fn event_ticket(e: &Event) -> Option<String> {
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
