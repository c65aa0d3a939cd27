//! A ticketing host embedding the engine as a library (`cargo run --example embed`).
//!
//! Two ways to use it, on the example day (`examples/day.jsonl`, rules `rules/examples/`,
//! account `examples/account.yaml`):
//!
//! 1. **Stateful** — the engine keeps the tickets ([`Engine`] over a `MemoryStore`; a
//!    durable host implements `TicketStore` on its database, as `serve` does on
//!    SQLite). The host feeds events and applies what comes back.
//! 2. **Stateless** — the host keeps its tickets in its own database and hands the engine
//!    a [`Snapshot`] of the tickets an event concerns; it stores the tickets it gets back.
//!    It deduplicates events itself (by [`event_key`]) and runs the hourly automations
//!    with [`advance`] over its open tickets.
//!
//! "Applying" an outcome here means printing what a host would do: set the changed
//! fields, hand delivered messages to the channel, show agents the notices, log blocked
//! deliveries with their reason.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use jiff::Timestamp;
use ticket_rules::engine::snapshot::{advance, apply};
use ticket_rules::engine::{
    event_key, Change, Delivery, EventOutcome, LineStatus, SentMessage, Snapshot, TicketOutcome,
};
use ticket_rules::io::{decode_line, load_account, rules::load_rule_sources};
use ticket_rules::model::{Event, EventKind, Status, Ticket, TicketRef, WebhookItem};
use ticket_rules::{compile, Engine, RuleSet};

/// What a host does with one ticket record: apply changes, send, notify.
fn apply_record(r: &TicketOutcome, verbose: bool, sent: &mut usize, blocked: &mut usize) {
    for m in &r.messages {
        match m.delivery {
            Delivery::Delivered => *sent += 1,
            Delivery::Blocked => *blocked += 1,
            _ => {}
        }
    }
    if !verbose {
        return;
    }
    for c in &r.changes {
        match c {
            Change::Field { field, to, .. } => println!(
                "    {}: set {field} = {}",
                r.ticket,
                to.as_ref().map_or("(none)".into(), |v| v.to_string())
            ),
            Change::Tags { added, removed } => {
                println!("    {}: tags +{added:?} -{removed:?}", r.ticket)
            }
        }
    }
    for m in &r.messages {
        let why = m.reason.map(|r| format!(" ({r})")).unwrap_or_default();
        println!(
            "    {}: {:?} {:?} from {} → {:?}{why}",
            r.ticket, m.kind, m.id, m.source, m.delivery
        );
    }
    for n in &r.notices {
        println!("    {}: notice for the agent: {n}", r.ticket);
    }
}

fn load() -> Result<(Arc<RuleSet>, Vec<Event>), Box<dyn std::error::Error>> {
    let sources = load_rule_sources(&["rules/examples".into()])?;
    let account = load_account("examples/account.yaml".as_ref())?;
    let (rules, _warnings) = compile(&sources, account).map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string("examples/day.jsonl")?;
    let mut events = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        // A host rejects what it cannot decode (here: the day's deliberate bad lines).
        if let Ok(e) = decode_line(line, i + 1) {
            events.push(e);
        }
    }
    Ok((Arc::new(rules), events))
}

/// Stateful: the engine owns the state.
fn stateful(rules: &Arc<RuleSet>, events: &[Event]) -> BTreeMap<String, usize> {
    let mut engine = Engine::new(Arc::clone(rules));
    let (mut sent, mut blocked) = (0, 0);
    let mut statuses = BTreeMap::new();
    for (i, event) in events.iter().enumerate() {
        let step = engine.process(event.clone());
        let verbose = i < 3;
        if verbose {
            println!("  event {} ({:?})", event.id, step.outcome.status);
        }
        for run in &step.runs {
            run.tickets
                .iter()
                .for_each(|r| apply_record(r, false, &mut sent, &mut blocked));
        }
        step.outcome
            .tickets
            .iter()
            .for_each(|r| apply_record(r, verbose, &mut sent, &mut blocked));
        *statuses.entry(status_word(&step.outcome)).or_insert(0) += 1;
    }
    println!(
        "  stateful: {} tickets, {sent} messages delivered, {blocked} blocked",
        engine.store().len()
    );
    statuses
}

fn status_word(o: &EventOutcome) -> String {
    match o.status {
        LineStatus::Ok => "ok",
        LineStatus::Rejected => "rejected",
        LineStatus::Duplicate => "duplicate",
    }
    .to_string()
}

/// The host's own database in the stateless case.
#[derive(Default)]
struct HostDb {
    tickets: Vec<Ticket>,
    index: HashMap<String, usize>,
    sent: HashMap<String, SentMessage>,
    applied: HashSet<String>,
    clock: Option<Timestamp>,
}

impl HostDb {
    fn store(&mut self, t: Ticket) {
        match self.index.get(&t.id) {
            Some(&i) => self.tickets[i] = t,
            None => {
                self.index.insert(t.id.clone(), self.tickets.len());
                self.tickets.push(t);
            }
        }
    }

    /// The tickets (and sent messages) an event may concern, in creation order.
    fn snapshot_for(&self, event: &Event) -> Snapshot {
        let mut ids: Vec<&str> = Vec::new();
        let mut phones: Vec<String> = Vec::new();
        let mut wamids: Vec<&str> = Vec::new();
        match &event.kind {
            EventKind::TicketCreated(t) => ids.push(&t.id),
            EventKind::MessageReceived(m) => match &m.ticket {
                TicketRef::Id(id) => ids.push(id),
                TicketRef::WhatsApp { wa_id } => phones.push(format!("+{wa_id}")),
            },
            EventKind::AgentReply(r) => ids.push(&r.ticket),
            EventKind::TicketUpdated { ticket, .. } => ids.push(ticket),
            EventKind::Webhook(b) => {
                for item in &b.items {
                    match item {
                        WebhookItem::Message(m) => {
                            if let TicketRef::WhatsApp { wa_id } = &m.ticket {
                                phones.push(format!("+{wa_id}"));
                                ids.push(wa_id);
                            }
                        }
                        WebhookItem::Status(s) => wamids.push(&s.wamid),
                    }
                }
            }
            EventKind::Clock => {}
        }
        let wanted = |t: &Ticket| {
            ids.iter().any(|id| {
                // The ticket, its follow-ups (`ID/2`…), and `wa:<wa_id>` tickets.
                t.id == *id
                    || t.id.strip_prefix(*id).is_some_and(|r| r.starts_with('/'))
                    || t.id
                        .strip_prefix("wa:")
                        .is_some_and(|r| r == *id || r.starts_with(&format!("{id}/")))
            }) || t
                .requester
                .phone
                .as_ref()
                .is_some_and(|p| phones.contains(p))
        };
        let mut sent: Vec<(String, SentMessage)> = Vec::new();
        for w in wamids {
            if let Some(s) = self.sent.get(w) {
                sent.push((w.to_string(), s.clone()));
            }
        }
        let sent_tickets: HashSet<&str> = sent.iter().map(|(_, s)| s.ticket.as_str()).collect();
        Snapshot {
            tickets: self
                .tickets
                .iter()
                .filter(|t| wanted(t) || sent_tickets.contains(t.id.as_str()))
                .cloned()
                .collect(),
            sent,
            // No clock: automations are the host's `advance` calls below.
            clock: None,
        }
    }
}

/// Stateless: the host owns the state and passes snapshots.
fn stateless(rules: &Arc<RuleSet>, events: &[Event]) -> BTreeMap<String, usize> {
    let mut db = HostDb::default();
    let (mut sent, mut blocked) = (0, 0);
    let mut statuses = BTreeMap::new();
    for event in events {
        // The host's own duplicate check (the engine remembers nothing between calls).
        let key = event_key(event);
        if db.applied.contains(&key) {
            *statuses.entry("duplicate".to_string()).or_insert(0) += 1;
            continue;
        }
        // Hourly automations due before the event, over every open ticket (S18).
        if event.at > db.clock.unwrap_or(Timestamp::MIN) {
            let open = Snapshot {
                tickets: db
                    .tickets
                    .iter()
                    .filter(|t| t.status != Status::Closed)
                    .cloned()
                    .collect(),
                sent: Vec::new(),
                clock: db.clock,
            };
            let (runs, after) = advance(rules, open, event.at);
            for run in &runs {
                run.tickets
                    .iter()
                    .for_each(|r| apply_record(r, false, &mut sent, &mut blocked));
            }
            after.tickets.into_iter().for_each(|t| db.store(t));
            db.clock = after.clock;
        }
        let (step, after) = apply(rules, db.snapshot_for(event), event.clone());
        if step.outcome.status == LineStatus::Ok {
            db.applied.insert(key);
            after.tickets.into_iter().for_each(|t| db.store(t));
            for (wamid, s) in after.sent {
                db.sent.insert(wamid, s);
            }
        }
        step.outcome
            .tickets
            .iter()
            .for_each(|r| apply_record(r, false, &mut sent, &mut blocked));
        *statuses.entry(status_word(&step.outcome)).or_insert(0) += 1;
    }
    println!(
        "  stateless: {} tickets, {sent} messages delivered, {blocked} blocked",
        db.tickets.len()
    );
    statuses
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (rules, events) = load()?;
    println!("{} events from examples/day.jsonl", events.len());
    println!("stateful host loop (first events in detail):");
    let a = stateful(&rules, &events);
    println!("stateless host loop:");
    let b = stateless(&rules, &events);
    println!("outcome statuses, stateful {a:?}, stateless {b:?}");
    Ok(())
}
