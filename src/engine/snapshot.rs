//! Host-facing additions to the engine: the stateless entry point (a ticket snapshot plus
//! an event in, the outcome and the updated snapshot out), the idempotency key of an
//! event, and the accessors a durable host needs (swap the rule set, reach the store).
//!
//! Two ways to embed the engine:
//!
//! - **stateful**: an [`Engine`] over a [`TicketStore`] keeps the tickets, the event keys
//!   already applied, the outbound messages by WhatsApp id and the replay clock
//!   ([`Engine::process`], [`Engine::advance_to`]);
//! - **stateless**: the host keeps its tickets itself and passes the ones an event may
//!   concern as a [`Snapshot`] to [`apply`]; it gets the [`Step`] and the snapshot after
//!   the event, and stores the tickets back. Nothing is remembered between calls, so the
//!   host deduplicates events itself (by [`event_key`]).
//!
//! Invariant: [`apply`] and [`advance`] give what an [`Engine`] over a store holding
//! exactly the snapshot gives (S19); nothing is remembered between calls.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;

use super::{
    dedup_key, schedule_for, AutomationRun, Engine, MemoryStore, RuleSet, SentMessage, Step,
    TicketStore,
};
use crate::model::{Event, Ticket};

/// The state a stateless call works on ([`apply`], [`advance`]).
///
/// - `tickets`: the tickets the event may concern, in creation order (automations walk
///   them in this order, S11). For a `message.received` that names a ticket: that ticket
///   and its follow-ups (`ID/2`, `ID/3`…, S1); for a WhatsApp webhook: the requester's
///   WhatsApp tickets (found by phone `+<wa_id>`, events.md) and the tickets of the
///   outbound messages its statuses name; for an automation run ([`advance`]): every
///   ticket that is not closed.
/// - `sent`: outbound messages by WhatsApp id (`wamid`) that a `statuses[]` webhook item
///   may name; the result holds the ones the call added or updated.
/// - `clock`: the replay clock (S18, UTC). `None` means "no automation runs before this
///   event": a host that owns time drives automations with [`advance`] instead.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// Tickets in creation order.
    pub tickets: Vec<Ticket>,
    /// Outbound messages by WhatsApp message id.
    pub sent: Vec<(String, SentMessage)>,
    /// The replay clock (S18).
    pub clock: Option<Timestamp>,
}

/// A [`TicketStore`] over a [`Snapshot`]: a [`MemoryStore`] that also remembers which
/// sent messages were written, so they can be handed back.
struct SnapshotStore {
    mem: MemoryStore,
    sent: Vec<(String, SentMessage)>,
    sent_index: HashMap<String, usize>,
}

impl SnapshotStore {
    fn new(snapshot: Snapshot) -> Self {
        let mut mem = MemoryStore::new();
        for t in snapshot.tickets {
            mem.put(t);
        }
        if let Some(c) = snapshot.clock {
            mem.set_clock(c);
        }
        let mut store = SnapshotStore {
            mem,
            sent: Vec::new(),
            sent_index: HashMap::new(),
        };
        for (wamid, s) in snapshot.sent {
            store.put_sent(wamid, s);
        }
        store
    }

    fn into_snapshot(self) -> Snapshot {
        Snapshot {
            tickets: self.mem.tickets().to_vec(),
            sent: self.sent,
            clock: self.mem.clock(),
        }
    }
}

impl TicketStore for SnapshotStore {
    fn get(&self, id: &str) -> Option<&Ticket> {
        self.mem.get(id)
    }
    fn put(&mut self, ticket: Ticket) {
        self.mem.put(ticket)
    }
    fn position(&self, id: &str) -> Option<usize> {
        self.mem.position(id)
    }
    fn ids(&self) -> Vec<String> {
        self.mem.ids()
    }
    fn len(&self) -> usize {
        self.mem.len()
    }
    fn ticket_at(&self, pos: usize) -> Option<&Ticket> {
        self.mem.ticket_at(pos)
    }
    fn whatsapp_ticket_for(&self, phone: &str) -> Option<&Ticket> {
        self.mem.whatsapp_ticket_for(phone)
    }
    fn seen(&self, _key: &str) -> Option<Option<String>> {
        None
    }
    fn mark_seen(&mut self, _key: String, _ticket: Option<String>) {}
    fn seen_item(&self, _key: &str) -> Option<Option<String>> {
        None
    }
    fn mark_item_seen(&mut self, _key: String, _ticket: Option<String>) {}
    fn sent(&self, wamid: &str) -> Option<&SentMessage> {
        self.sent_index.get(wamid).map(|&i| &self.sent[i].1)
    }
    fn put_sent(&mut self, wamid: String, sent: SentMessage) {
        match self.sent_index.get(&wamid) {
            Some(&i) => self.sent[i].1 = sent,
            None => {
                self.sent_index.insert(wamid.clone(), self.sent.len());
                self.sent.push((wamid, sent));
            }
        }
    }
    fn clock(&self) -> Option<Timestamp> {
        self.mem.clock()
    }
    fn set_clock(&mut self, at: Timestamp) {
        self.mem.set_clock(at)
    }
}

/// Stateless use: applies `event` to the tickets of `snapshot` with `rules` and returns
/// what happened plus the snapshot after the event (tickets in creation order, created
/// ones appended; sent messages; the clock).
///
/// Same semantics as [`Engine::process`] on a store holding exactly the snapshot: with a
/// `clock`, the hourly automation runs due before the event happen first (S18); without
/// one, none do. There is no duplicate detection (S19 still holds: the same snapshot and
/// event give the same result). A rejected event (unknown ticket, S1) returns the
/// snapshot unchanged and a `rejected` outcome. Never panics.
///
/// ```
/// use std::sync::Arc;
/// use ticket_rules::engine::snapshot::{apply, Snapshot};
/// use ticket_rules::{compile, Account};
///
/// let (rules, _) = compile(&[], Account::default()).unwrap();
/// let rules = Arc::new(rules);
/// let line = r#"{"type":"message.received","id":"e1","at":"2026-11-24T09:00:05Z","ticket":"T-1","channel":"whatsapp","text":"hi"}"#;
/// let event = ticket_rules::io::decode_line(line, 1).unwrap();
/// let (step, after) = apply(&rules, Snapshot::default(), event);
/// assert_eq!(step.outcome.tickets[0].ticket, "T-1");
/// assert_eq!(after.tickets.len(), 1); // the host stores the new ticket
/// ```
pub fn apply(rules: &Arc<RuleSet>, snapshot: Snapshot, event: Event) -> (Step, Snapshot) {
    let mut engine = Engine::with_store(Arc::clone(rules), SnapshotStore::new(snapshot));
    let step = engine.process(event);
    (step, engine.store.into_snapshot())
}

/// Stateless automations: performs every hourly run at times t with clock < t ≤ `to`
/// (S18; minute `automation_minute` of each UTC hour) over the snapshot's tickets and
/// returns the runs that updated a ticket plus the snapshot after them. Without a clock
/// in the snapshot the call only sets it to `to` and performs no run (the clock starts
/// at the first call, as it starts at the first event in S18). Never panics.
pub fn advance(
    rules: &Arc<RuleSet>,
    snapshot: Snapshot,
    to: Timestamp,
) -> (Vec<AutomationRun>, Snapshot) {
    let mut engine = Engine::with_store(Arc::clone(rules), SnapshotStore::new(snapshot));
    let runs = engine.advance_to(to);
    (runs, engine.store.into_snapshot())
}

/// The key under which the engine remembers an applied event (its duplicate check):
/// for a native event its id (`line:N` when the input had none); for a WhatsApp webhook
/// body `webhook|ITEM|ITEM…` with every message's wamid and every status's
/// `wamid:status`, because WhatsApp reports several statuses for one message and each is
/// a new event (events.md). Hosts use it as the idempotency key of an event. Behind it,
/// a stateful engine also checks each WhatsApp message (by wamid) and status (by wamid
/// and status word) on its own, so an item sent again in another batch is not applied
/// twice (`duplicate_items`, docs/events.md); [`apply`] remembers nothing.
pub fn event_key(event: &Event) -> String {
    dedup_key(event)
}

impl<S: TicketStore> Engine<S> {
    /// Replaces the rule set (an atomic reload: events already applied keep their
    /// outcomes; the next event uses `rules`). The store is kept; the automation schedule
    /// is rebuilt for the new automations, so the next run tests every ticket.
    pub fn set_rules(&mut self, rules: Arc<RuleSet>) {
        self.schedule = schedule_for(&rules, &self.store);
        self.rules = rules;
    }

    /// The shared rule set, to hand to another engine or thread.
    pub fn rules_arc(&self) -> Arc<RuleSet> {
        Arc::clone(&self.rules)
    }

    /// The ticket store, mutably (a durable store drains its pending writes through it).
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// Gives the store back, ending the engine.
    pub fn into_store(self) -> S {
        self.store
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::RuleSource;
    use crate::engine::{CompileOptions, LineStatus};
    use crate::model::Account;

    fn rules() -> Arc<RuleSet> {
        let src = RuleSource {
            name: "t.rules".into(),
            text: r#"
trigger "Tag WhatsApp" {
  when all {
    channel is whatsapp
    tags excludes wa
  }
  then {
    add tags wa
  }
}

automation "Stale" {
  when all {
    status is new
    hours since created > 1
    tags excludes stale
  }
  then {
    add tags stale
  }
}
"#
            .into(),
        };
        let (rs, _) = RuleSet::compile(&[src], Account::default(), CompileOptions::default())
            .expect("compiles");
        Arc::new(rs)
    }

    fn ev(line: &str) -> Event {
        crate::io::decode_line(line, 1).expect("decodes")
    }

    #[test]
    fn engine_and_rule_set_are_send_and_sync() {
        fn send<T: Send>() {}
        fn sync<T: Send + Sync>() {}
        send::<Engine<MemoryStore>>();
        sync::<RuleSet>();
    }

    #[test]
    fn s19_stateless_equals_stateful() {
        let rs = rules();
        let lines = [
            r#"{"type":"message.received","id":"e1","at":"2026-11-24T09:00:05Z","ticket":"T-1","channel":"whatsapp","text":"card 4111 1111 1111 1111"}"#,
            r#"{"type":"agent.reply","id":"e2","at":"2026-11-25T10:00:00Z","ticket":"T-1","text":"late","wamid":"w1"}"#,
            r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"w1","status":"failed","timestamp":"1795600000","recipient_id":"1","errors":[{"code":131047}]}]}}]}]}"#,
        ];
        let mut engine = Engine::new(Arc::clone(&rs));
        let mut snap = Snapshot::default();
        for l in lines {
            let a = engine.process(ev(l));
            let (b, after) = apply(&rs, snap, ev(l));
            assert_eq!(a, b);
            snap = after;
        }
        assert_eq!(snap.tickets, engine.store().tickets());
        assert_eq!(snap.sent.len(), 1);
        assert_eq!(
            snap.sent[0].1.message.reason.map(|r| r.code()),
            Some("outside_24h_window")
        );
    }

    #[test]
    fn stateless_rejects_unknown_ticket_and_keeps_snapshot() {
        let rs = rules();
        let (step, after) = apply(
            &rs,
            Snapshot::default(),
            ev(
                r#"{"type":"agent.reply","id":"e2","at":"2026-11-25T10:00:00Z","ticket":"T-9","text":"x"}"#,
            ),
        );
        assert_eq!(step.outcome.status, LineStatus::Rejected);
        assert_eq!(after, Snapshot::default());
    }

    #[test]
    fn event_key_of_webhook_lists_items() {
        let e = ev(
            r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"w1","status":"read","timestamp":"1795600000","recipient_id":"1"}]}}]}]}"#,
        );
        assert_eq!(event_key(&e), "webhook|w1:read");
        let n = ev(r#"{"type":"clock","at":"2026-11-25T10:00:00Z"}"#);
        assert_eq!(event_key(&n), "line:1");
    }

    #[test]
    fn s18_stateless_advance_runs_automations() {
        let rs = rules();
        let (_, snap) = apply(
            &rs,
            Snapshot::default(),
            ev(
                r#"{"type":"message.received","id":"e1","at":"2026-11-24T09:00:05Z","ticket":"T-1","channel":"whatsapp","text":"hi"}"#,
            ),
        );
        assert_eq!(snap.clock, Some("2026-11-24T09:00:05Z".parse().unwrap()));
        // `> 1` first holds 2 whole hours after creation (S12): created 09:00:05, the
        // 11:00 run sees 1 whole hour, the 12:00 run 2.
        let (runs, snap) = advance(&rs, snap, "2026-11-24T12:30:00Z".parse().unwrap());
        assert_eq!(runs.len(), 1);
        assert_eq!(
            runs[0].at,
            "2026-11-24T12:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert!(snap.tickets[0].tags.contains("stale"));
        assert_eq!(snap.clock, Some("2026-11-24T12:30:00Z".parse().unwrap()));
        // Without a clock the first call only starts it.
        let (runs, snap) = advance(
            &rs,
            Snapshot::default(),
            "2026-11-25T10:00:00Z".parse().unwrap(),
        );
        assert!(runs.is_empty());
        assert_eq!(snap.clock, Some("2026-11-25T10:00:00Z".parse().unwrap()));
    }

    #[test]
    fn set_rules_schedules_the_new_automations() {
        let none = {
            let (rs, _) =
                RuleSet::compile(&[], Account::default(), CompileOptions::default()).unwrap();
            Arc::new(rs)
        };
        let mut engine = Engine::new(none);
        let created = engine.process(ev(
            r#"{"type":"message.received","id":"e1","at":"2026-11-24T09:00:05Z","ticket":"T-1","channel":"whatsapp","text":"hi"}"#,
        ));
        assert_eq!(created.outcome.status, LineStatus::Ok);
        assert!(engine
            .advance_to("2026-11-24T10:30:00Z".parse().unwrap())
            .is_empty());
        // A reload with an automation driven by `hours since created`: the tickets
        // already stored are its candidates as if it had been there from the start.
        engine.set_rules(rules());
        let runs = engine.advance_to("2026-11-24T12:30:00Z".parse().unwrap());
        assert_eq!(runs.len(), 1);
        assert_eq!(
            runs[0].at,
            "2026-11-24T12:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert!(engine.store().get("T-1").unwrap().tags.contains("stale"));
    }
}
