//! The engine: compiled [`RuleSet`], the trigger cycle (S2–S10), system rules (S1),
//! automation runs on the replay clock (S11–S18), guards on every outbound item (S20).
//!
//! An [`Engine`] owns a [`TicketStore`] and applies one [`Event`] at a time; it is
//! deterministic (S19): the same rules, account and events give the same outcomes.

pub mod calendar;
mod eval;
mod index;
pub mod outcome;
pub mod ruleset;
mod schedule;
pub mod snapshot;
pub mod store;
mod update;

use std::collections::HashMap;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use crate::check::ir::Role;
use crate::guards::{Outbound, SendSource};
use crate::model::{
    AgentReply, AuthorRole, Changes, Channel, Comment, DeliveryStatus, Event, EventKind,
    InboundMessage, NewTicket, ReplyContent, ReplyVia, Status, Ticket, TicketRef, WebhookItem,
};

use eval::Update;
pub use outcome::{
    AutomationRun, Change, ConditionTrace, Delivery, EventOutcome, LineStatus, Message,
    MessageKind, RuleTrace, TicketOutcome,
};
pub use ruleset::{CompileError, CompileOptions, RuleSet, DEFAULT_RULES};
use schedule::{DirtyBuckets, Schedule};
pub use snapshot::{event_key, Snapshot};
pub use store::{MemoryStore, SentMessage, TicketStore};
use update::{diff, IdScheme, Key, Work};

/// Days after `solved` at which the automation run closes a ticket (S1).
pub const CLOSE_AFTER_SOLVED_DAYS: i64 = 28;

/// What one call to [`Engine::process`] produced: the automation runs that happened
/// before the event (S18), then the event's own outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Hourly runs between the previous clock and the event's time that updated a ticket.
    pub runs: Vec<AutomationRun>,
    /// The event's outcome.
    pub outcome: EventOutcome,
}

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

fn via_for(by: crate::model::Actor, channel: &Channel) -> (String, Role) {
    use crate::model::Actor;
    match by {
        Actor::Agent => ("agent".into(), Role::Agent),
        Actor::EndUser => (channel.as_str().to_string(), Role::EndUser),
        Actor::Api => ("api".into(), Role::System),
        Actor::System => ("system".into(), Role::System),
    }
}

/// S1 checks on an input event's changes; the error says what and why.
fn check_changes(t: &Ticket, c: &Changes) -> Result<(), String> {
    if t.status == Status::Closed {
        let only_tags = Changes {
            add_tags: c.add_tags.clone(),
            remove_tags: c.remove_tags.clone(),
            set_tags: c.set_tags.clone(),
            ..Changes::default()
        };
        if *c != only_tags {
            return Err(format!(
                "ticket `{}` is closed: only its tags can change (S1)",
                t.id
            ));
        }
    }
    if c.status == Some(Status::New) && t.status != Status::New {
        return Err(format!(
            "ticket `{}` cannot return to status `new` (S1)",
            t.id
        ));
    }
    let status = c.status.unwrap_or(t.status);
    let assignee = c.assignee.clone().unwrap_or_else(|| t.assignee.clone());
    if status == Status::Solved
        && assignee.is_none()
        && (c.status.is_some() || c.assignee.is_some())
    {
        return Err(format!(
            "ticket `{}` cannot be solved without an assignee (S1)",
            t.id
        ));
    }
    Ok(())
}

impl<S: TicketStore> Engine<S> {
    /// An engine over `store`.
    pub fn with_store(rules: Arc<RuleSet>, store: S) -> Self {
        let mut schedule = Schedule::new(&rules.automation_plans);
        for pos in 0..store.len() {
            if let Some(t) = store.ticket_at(pos) {
                schedule.update(pos as u32, None, t);
            }
        }
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
    pub fn process(&mut self, event: Event) -> Step {
        let key = dedup_key(&event);
        if let Some(t) = self.store.seen(&key) {
            let mut o = EventOutcome {
                event: Some(event.id.clone()),
                at: Some(event.at),
                status: LineStatus::Duplicate,
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
        if let Err(e) = self.validate(&event) {
            return Step {
                runs: Vec::new(),
                outcome: EventOutcome::rejected(
                    Some(event.id.clone()),
                    Some(event.at),
                    event_ticket(&event),
                    e,
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
            Ok(o) => o,
            Err(e) => EventOutcome::rejected(
                Some(event.id.clone()),
                Some(event.at),
                event_ticket(&event),
                e,
            ),
        };
        if outcome.status == LineStatus::Ok {
            let first = outcome.tickets.first().map(|t| t.ticket.clone());
            self.store.mark_seen(key, first);
        }
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

    fn validate(&self, event: &Event) -> Result<(), String> {
        match &event.kind {
            EventKind::TicketCreated(nt) => {
                if self.store.get(&nt.id).is_some() {
                    return Err(format!("ticket `{}` already exists", nt.id));
                }
                if nt.status == Some(Status::Solved) && nt.assignee.is_none() {
                    return Err(format!("ticket `{}` cannot be created solved without an assignee (S1)", nt.id));
                }
                Ok(())
            }
            EventKind::MessageReceived(m) => match &m.ticket {
                TicketRef::Id(id) if self.store.get(id).is_none() && m.channel.is_none() => Err(format!(
                    "unknown ticket `{id}`: a message.received that creates a ticket needs `channel`"
                )),
                _ => Ok(()),
            },
            EventKind::AgentReply(r) => {
                let t = self.existing(&r.ticket)?;
                if t.status == Status::Closed {
                    return Err(format!("ticket `{}` is closed: it takes no replies (S1)", t.id));
                }
                check_changes(t, &r.changes)
            }
            EventKind::TicketUpdated { ticket, changes, .. } => check_changes(self.existing(ticket)?, changes),
            EventKind::Clock | EventKind::Webhook(_) => Ok(()),
        }
    }

    fn existing(&self, id: &str) -> Result<&Ticket, String> {
        self.store
            .get(id)
            .ok_or_else(|| format!("unknown ticket `{id}`"))
    }

    fn apply(&mut self, event: &Event) -> Result<EventOutcome, String> {
        let mut counter = 0;
        let mut tickets = Vec::new();
        let mut warnings = Vec::new();
        match &event.kind {
            EventKind::TicketCreated(nt) => tickets.push(self.create(event, nt, &mut counter)),
            EventKind::MessageReceived(m) => tickets.push(self.message(event, m, &mut counter)?),
            EventKind::AgentReply(r) => tickets.push(self.reply(event, r, &mut counter)),
            EventKind::TicketUpdated {
                ticket,
                by,
                changes,
            } => {
                let t = self.existing(ticket)?.clone();
                let (via, role) = via_for(*by, &t.channel);
                let upd = self.update_ctx(event.at, false, via, role, &t);
                let mut w = Work::new(
                    &self.rules,
                    t,
                    upd,
                    IdScheme::Event(event.id.clone()),
                    counter,
                );
                w.apply_changes(changes);
                w.ticket.updated_at = event.at;
                match role {
                    Role::EndUser => w.ticket.requester_updated_at = Some(event.at),
                    Role::Agent => w.ticket.assignee_updated_at = Some(event.at),
                    Role::System => {}
                }
                w.run_triggers();
                let (t, o, _) = w.finish();
                self.save(t);
                tickets.push(o);
            }
            EventKind::Clock => {}
            EventKind::Webhook(batch) => {
                warnings.extend(batch.skipped.iter().cloned());
                for item in &batch.items {
                    match item {
                        WebhookItem::Message(m) => {
                            let o = self.message(event, m, &mut counter)?;
                            merge_record(&mut tickets, o);
                        }
                        WebhookItem::Status(s) => match self.status(s) {
                            Some(o) => merge_record(&mut tickets, o),
                            None => warnings.push(format!(
                                "status `{}` for unknown message `{}`; nothing to update",
                                s.status, s.wamid
                            )),
                        },
                    }
                }
                tickets.sort_by_key(|o| self.store.position(&o.ticket).unwrap_or(usize::MAX));
            }
        }
        Ok(EventOutcome {
            event: Some(event.id.clone()),
            at: Some(event.at),
            status: LineStatus::Ok,
            tickets,
            warnings,
            error: None,
            ticket_hint: None,
        })
    }

    fn update_ctx(
        &self,
        now: Timestamp,
        created: bool,
        via: String,
        role: Role,
        baseline: &Ticket,
    ) -> Update {
        Update {
            created,
            via,
            role,
            comment: None,
            message: None,
            now,
            baseline: if created {
                None
            } else {
                Some(baseline.clone())
            },
            explain: self.explain,
        }
    }

    fn create(&mut self, event: &Event, nt: &NewTicket, counter: &mut usize) -> TicketOutcome {
        let mut t = Ticket::new(nt.id.clone(), nt.channel.clone(), event.at);
        t.subject = nt.subject.clone();
        t.status = nt.status.unwrap_or(Status::New);
        t.priority = nt.priority;
        t.ticket_type = nt.ticket_type;
        t.group = nt.group.clone();
        t.assignee = nt.assignee.clone();
        if t.assignee.is_some() {
            t.assigned_at = Some(event.at);
        }
        if t.status == Status::Solved {
            t.solved_at = Some(event.at);
        }
        t.form = nt.form.clone();
        t.brand = nt.brand.clone();
        t.schedule = nt.schedule.clone();
        t.due_at = nt.due_at;
        t.sla_breach_at = nt.sla_breach_at;
        t.satisfaction = nt.satisfaction.unwrap_or_default_satisfaction();
        t.tags = nt.tags.iter().map(|s| s.to_lowercase()).collect();
        t.fields = nt.fields.clone();
        t.requester = nt.requester.clone();
        t.organization = nt.organization.clone();
        t.requester_updated_at = Some(event.at);
        let via = t.channel.as_str().to_string();
        let upd = self.update_ctx(event.at, true, via, Role::EndUser, &t);
        let mut w = Work::new(
            &self.rules,
            t,
            upd,
            IdScheme::Event(event.id.clone()),
            *counter,
        );
        // Redaction of the subject and custom text fields on creation (W13).
        let mut subject = w.ticket.subject.take();
        let mut fields = std::mem::take(&mut w.ticket.fields);
        {
            let mut texts: Vec<&mut String> = Vec::new();
            if let Some(s) = subject.as_mut() {
                texts.push(s);
            }
            for v in fields.values_mut() {
                if let crate::model::FieldValue::Text(s) = v {
                    texts.push(s);
                }
            }
            w.redact(&mut texts);
        }
        w.ticket.subject = subject;
        w.ticket.fields = fields;
        w.run_triggers();
        let (t, o, c) = w.finish();
        *counter = c;
        self.save(t);
        o
    }

    /// Finds or creates the ticket an end-user message belongs to.
    fn message_ticket(&self, m: &InboundMessage, at: Timestamp) -> Result<(Ticket, bool), String> {
        let (base_id, existing) = match &m.ticket {
            TicketRef::Id(id) => (id.clone(), self.store.get(id)),
            TicketRef::WhatsApp { wa_id } => {
                let phone = format!("+{wa_id}");
                match self.store.whatsapp_ticket_for(&phone) {
                    Some(t) => return Ok((t.clone(), false)),
                    None => {
                        let id = format!("wa:{wa_id}");
                        let t = self.store.get(&id);
                        (id, t)
                    }
                }
            }
        };
        match existing {
            Some(t) if t.status != Status::Closed => Ok((t.clone(), false)),
            Some(closed) => {
                // A message on a closed ticket opens a follow-up `ID/2`, `ID/3`… (S1); a
                // newer follow-up that is still open takes the message.
                let mut n = 2;
                loop {
                    let id = format!("{base_id}/{n}");
                    match self.store.get(&id) {
                        Some(f) if f.status != Status::Closed => return Ok((f.clone(), false)),
                        Some(_) => n += 1,
                        None => {
                            let mut t = Ticket::new(id, closed.channel.clone(), at);
                            t.requester = closed.requester.clone();
                            t.organization = closed.organization.clone();
                            t.subject = closed.subject.clone();
                            t.group = closed.group.clone();
                            t.tags.insert("followup".into());
                            return Ok((t, true));
                        }
                    }
                }
            }
            None => {
                let channel = m
                    .channel
                    .clone()
                    .ok_or_else(|| format!("unknown ticket `{base_id}`: a message that creates a ticket needs `channel`"))?;
                let mut t = Ticket::new(base_id, channel, at);
                if let Some(r) = &m.requester {
                    t.requester = r.clone();
                }
                Ok((t, true))
            }
        }
    }

    fn message(
        &mut self,
        event: &Event,
        m: &InboundMessage,
        counter: &mut usize,
    ) -> Result<TicketOutcome, String> {
        let (t, created) = self.message_ticket(m, event.at)?;
        let via = t.channel.as_str().to_string();
        let mut upd = self.update_ctx(event.at, created, via, Role::EndUser, &t);
        upd.message = Some((m.forwarded, !m.attachments.is_empty()));
        let mut w = Work::new(
            &self.rules,
            t,
            upd,
            IdScheme::Event(event.id.clone()),
            *counter,
        );
        // W13: redaction runs before any rule sees the text and before it is stored.
        let mut text = m.text.clone();
        let mut attachments = m.attachments.clone();
        {
            // A media caption is also the message text (events.md): redact and count
            // each distinct text once.
            let mut texts: Vec<&mut String> = vec![&mut text];
            for a in attachments.iter_mut() {
                if let Some(c) = a.caption.as_mut().filter(|c| **c != m.text) {
                    texts.push(c);
                }
            }
            w.redact(&mut texts);
        }
        for a in attachments.iter_mut() {
            if a.caption.as_deref() == Some(m.text.as_str()) {
                a.caption = Some(text.clone());
            }
        }
        let sent_at = m.sent_at.unwrap_or(event.at);
        // W1, W3: the anchor is the latest end-user send time seen.
        w.ticket.last_end_user_message_at = Some(match w.ticket.last_end_user_message_at {
            Some(a) if a > sent_at => a,
            _ => sent_at,
        });
        w.ticket.comments.push(Comment {
            id: m.wamid.clone().unwrap_or_else(|| event.id.clone()),
            author: AuthorRole::EndUser,
            public: true,
            text: text.clone(),
            attachments,
            at: event.at,
        });
        w.end_user_comment();
        w.ticket.updated_at = event.at;
        w.ticket.requester_updated_at = Some(event.at);
        w.upd.comment = Some((text, true));
        // S1: an end-user message reopens a pending, hold or solved ticket.
        if eval::reopens(w.ticket.status) {
            w.set_status(Status::Open);
            w.out.fired.push("system:reopen".into());
        }
        w.run_triggers();
        let (t, o, c) = w.finish();
        *counter = c;
        self.save(t);
        Ok(o)
    }

    fn reply(&mut self, event: &Event, r: &AgentReply, counter: &mut usize) -> TicketOutcome {
        let t = self
            .store
            .get(&r.ticket)
            .cloned()
            .expect("validated: the ticket exists");
        let upd = self.update_ctx(event.at, false, r.via.as_str().to_string(), Role::Agent, &t);
        let mut w = Work::new(
            &self.rules,
            t,
            upd,
            IdScheme::Event(event.id.clone()),
            *counter,
        );
        w.apply_changes(&r.changes);
        let source = r.via.as_str().to_string();
        let gs = match r.via {
            ReplyVia::Agent => SendSource::Agent,
            ReplyVia::Macro => SendSource::Macro,
            ReplyVia::Autoresponder => SendSource::Autoresponder,
        };
        let text = match &r.content {
            ReplyContent::Text(t) => t.clone(),
            ReplyContent::Template(t) => format!("[template {} ({})]", t.name, t.language),
        };
        if r.public {
            let msg = match &r.content {
                ReplyContent::Text(t) => crate::guards::classify_text(t),
                ReplyContent::Template(t) => Outbound::Template(t.clone()),
            };
            let m = w.send(event.id.clone(), source, gs, msg, AuthorRole::Agent);
            if let Some(wamid) = &r.wamid {
                self.store.put_sent(
                    wamid.clone(),
                    SentMessage {
                        ticket: r.ticket.clone(),
                        message: m,
                    },
                );
            }
        } else {
            w.note(event.id.clone(), source, text.clone(), AuthorRole::Agent);
        }
        w.upd.comment = Some((text, r.public));
        w.ticket.updated_at = event.at;
        let is_assignee = match (&w.ticket.assignee, &r.author_id, &r.author_name) {
            (Some(a), id, name) => {
                id.as_ref() == Some(a)
                    || name.as_ref() == Some(a)
                    || (id.is_none() && name.is_none())
            }
            (None, _, _) => false,
        };
        if is_assignee {
            w.ticket.assignee_updated_at = Some(event.at);
        }
        w.run_triggers();
        let (t, o, c) = w.finish();
        *counter = c;
        self.save(t);
        o
    }

    /// A WhatsApp `statuses[]` item: a failure is recorded on the message it concerns.
    fn status(&mut self, s: &DeliveryStatus) -> Option<TicketOutcome> {
        let mut sent = self.store.sent(&s.wamid)?.clone();
        let mut o = TicketOutcome {
            ticket: sent.ticket.clone(),
            ..Default::default()
        };
        if s.status == "failed" {
            let window = s.error_code == Some(131047);
            sent.message.delivery = Delivery::Failed;
            sent.message.reason = Some(
                if window {
                    "outside_24h_window"
                } else {
                    "platform_error"
                }
                .into(),
            );
            sent.message.error_code = s.error_code;
            sent.message.window_closed_at = None;
            let mut m = sent.message.clone();
            m.body = None;
            o.notices.push(if window {
                format!(
                    "Message {} was not delivered: WhatsApp reports the 24-hour window had closed (error 131047). Send an approved template to re-engage.",
                    m.id
                )
            } else {
                format!(
                    "Message {} was not delivered: WhatsApp reported error {}.",
                    m.id,
                    s.error_code.map_or("without a code".to_string(), |c| c.to_string())
                )
            });
            o.messages.push(m);
            self.store.put_sent(s.wamid.clone(), sent);
        }
        Some(o)
    }

    /// One hourly automation run at `at` (S11–S17) plus the 28-day close (S1). Returns
    /// `None` when no ticket was updated.
    fn automation_run(&mut self, at: Timestamp) -> Option<AutomationRun> {
        let rs = Arc::clone(&self.rules);
        let at_text = at.to_string();
        // Per ticket: (ticket at the start of the run, record, touched, tag order, counter).
        let mut recs: Vec<RunRecord> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let prev = self.schedule.last_run.replace(at);
        // Tickets updated since the start of the previous run, then (as the run goes on)
        // those updated by this run's automations, bucketed by the state automations key on.
        // On the first run every ticket counts as updated: nothing is known about it yet.
        let mut dirty_prev = std::mem::take(&mut self.schedule.dirty);
        if prev.is_none() {
            dirty_prev = (0..self.store.len() as u32).collect();
        }
        let words = self.store.len().div_ceil(64);
        let mut seen_bits = vec![0u64; words];
        let mut dirty = DirtyBuckets::default();
        for &p in &dirty_prev {
            if set_bit(&mut seen_bits, p) {
                if let Some(t) = self.store.ticket_at(p as usize) {
                    dirty.add(&rs.automation_key_tags, p, t);
                }
            }
        }
        let mut cand_bits = vec![0u64; words];
        let all_positions = |n: usize| (0..n as u32).collect::<Vec<u32>>();
        // S1: tickets solved 28 days ago close, without triggers.
        let close_after = SignedDuration::from_hours(24 * CLOSE_AFTER_SOLVED_DAYS);
        let mut due: Vec<u32> = Vec::new();
        if let Ok(limit) = at.checked_sub(close_after) {
            self.schedule
                .anchored(schedule::SOLVED, None, limit.as_second(), &mut due);
        }
        due.sort_unstable();
        for pos in due {
            let Some(t) = self.store.ticket_at(pos as usize) else {
                continue;
            };
            let id = t.id.clone();
            let before = t.clone();
            let mut t = t.clone();
            t.status = Status::Closed;
            t.status_changed_at = at;
            t.updated_at = at;
            let o = TicketOutcome {
                ticket: t.id.clone(),
                fired: vec!["system:close-after-28-days".into()],
                ..Default::default()
            };
            self.save(t);
            index.insert(id, recs.len());
            recs.push((before, o, vec![Key::Status], Vec::new(), 0));
        }
        let mut traces: HashMap<String, Vec<outcome::RuleTrace>> = HashMap::new();
        let limit = rs.account.automation_ticket_limit as usize;
        let per_ticket = rs.account.automation_updates_per_ticket;
        let mut candidates: Vec<u32> = Vec::new();
        // How automations see a ticket before acting: the baseline is the ticket itself
        // (S6), so it is cloned only for tickets that match.
        let probe = Update {
            created: false,
            via: "automation".into(),
            role: Role::System,
            comment: None,
            message: None,
            now: at,
            baseline: None,
            explain: self.explain,
        };
        for (ai, auto) in rs.automations.iter().enumerate() {
            let mut updated = 0usize;
            candidates.clear();
            let plan = &rs.automation_plans[ai];
            match plan.driver {
                Some((since, m)) if !self.explain => {
                    let hi = at.as_second().saturating_sub(m.saturating_mul(3600));
                    // Without other time conditions only anchors that came of age since
                    // the previous run are new. (On the first run every ticket is among
                    // the updated ones.)
                    if let Some(p) = prev {
                        let lo = (!plan.other_time)
                            .then(|| p.as_second().saturating_sub(m.saturating_mul(3600)));
                        self.schedule.anchored(since, lo, hi, &mut candidates);
                    }
                    candidates.append(&mut self.schedule.pending[ai]);
                    dirty.select(plan.key.as_ref(), &mut candidates);
                    cand_bits.fill(0);
                    for &p in &candidates {
                        set_bit(&mut cand_bits, p);
                    }
                    candidates.clear();
                    for (wi, &c) in cand_bits.iter().enumerate() {
                        let mut x = c;
                        while x != 0 {
                            candidates.push(wi as u32 * 64 + x.trailing_zeros());
                            x &= x - 1;
                        }
                    }
                }
                _ => candidates = all_positions(self.store.len()),
            }
            for (ci, &pos) in candidates.iter().enumerate() {
                if updated >= limit {
                    // S16: the rest are picked up in later runs while they still match.
                    for &p in &candidates[ci..] {
                        if let Some(t) = self.store.ticket_at(p as usize) {
                            if t.status != Status::Closed
                                && t.automation_updates < per_ticket
                                && eval::rule_matches(auto, t, &probe, &rs)
                            {
                                self.schedule.pending[ai].push(p);
                            }
                        }
                    }
                    break;
                }
                let Some(t) = self.store.ticket_at(pos as usize) else {
                    continue;
                };
                if t.status == Status::Closed || t.automation_updates >= per_ticket {
                    continue;
                }
                if self.explain {
                    traces
                        .entry(t.id.clone())
                        .or_default()
                        .push(eval::trace(auto, t, &probe, &rs));
                }
                if !eval::rule_matches(auto, t, &probe, &rs) {
                    continue;
                }
                let id = t.id.clone();
                let upd = Update {
                    baseline: Some(t.clone()),
                    ..probe.clone()
                };
                updated += 1;
                let slot = *index.entry(id.clone()).or_insert_with(|| {
                    recs.push((
                        t.clone(),
                        TicketOutcome {
                            ticket: id.clone(),
                            ..Default::default()
                        },
                        Vec::new(),
                        Vec::new(),
                        0,
                    ));
                    recs.len() - 1
                });
                let counter = recs[slot].4;
                let mut w = Work::new(
                    &rs,
                    t.clone(),
                    upd,
                    IdScheme::Automation(at_text.clone()),
                    counter,
                );
                let src = auto.id();
                w.out.fired.push(src.clone());
                for a in &auto.actions {
                    w.act(a, &src, SendSource::Automation);
                }
                w.ticket.updated_at = at;
                w.ticket.automation_updates += 1;
                w.run_triggers();
                let (t, mut o, c, touched, tag_order) = w.finish_parts();
                if self.explain {
                    traces.entry(id.clone()).or_default().append(&mut o.explain);
                }
                if let Some(after) = Some(&t) {
                    dirty.add(&rs.automation_key_tags, pos, after);
                }
                self.save(t);
                let rec = &mut recs[slot];
                rec.4 = c;
                rec.1.redactions += o.redactions;
                rec.1.fired.extend(o.fired);
                rec.1.messages.extend(o.messages);
                rec.1.notices.extend(o.notices);
                rec.1.warnings.extend(o.warnings);
                for k in touched {
                    if !rec.2.contains(&k) {
                        rec.2.push(k);
                    }
                }
                rec.3.extend(tag_order);
            }
        }
        if recs.is_empty() {
            return None;
        }
        let mut tickets = Vec::new();
        for (before, mut o, touched, tag_order, _) in recs {
            o.explain = traces.remove(&before.id).unwrap_or_default();
            if let Some(after) = self.store.get(&before.id) {
                o.changes = diff(Some(&before), after, &touched, &tag_order);
            }
            tickets.push(o);
        }
        tickets.sort_by_key(|o| self.store.position(&o.ticket).unwrap_or(usize::MAX));
        Some(AutomationRun { at, tickets })
    }
}

trait SatisfactionDefault {
    fn unwrap_or_default_satisfaction(self) -> crate::model::Satisfaction;
}

impl SatisfactionDefault for Option<crate::model::Satisfaction> {
    fn unwrap_or_default_satisfaction(self) -> crate::model::Satisfaction {
        self.unwrap_or(crate::model::Satisfaction::Unoffered)
    }
}

/// Per ticket in an automation run: the ticket at the start of the run, its record, the
/// fields touched and tags in the order applied, and its outbound-id counter.
type RunRecord = (Ticket, TicketOutcome, Vec<Key>, Vec<String>, usize);

/// Sets a bit; true when it was not set before.
fn set_bit(bits: &mut [u64], pos: u32) -> bool {
    match bits.get_mut(pos as usize / 64) {
        Some(w) => {
            let was = *w & (1 << (pos % 64)) != 0;
            *w |= 1 << (pos % 64);
            !was
        }
        None => false,
    }
}

/// The key under which an event counts as seen. Native events: their id. A webhook body:
/// every item, because WhatsApp reports several statuses (`sent`, `delivered`, `read`)
/// for one message id, and each is a new event although the line's `event` (the first
/// item's id, events.md) is the same.
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
