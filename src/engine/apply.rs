//! Applying one input event to its ticket(s): validation against S1, then creation,
//! end-user messages, agent replies, updates and WhatsApp statuses, each as one [`Work`]
//! update with its trigger cycle (S2–S10); before that, the per-item duplicate check of
//! WhatsApp messages and statuses ([`SeenItems`]).
//!
//! Invariant: an event is validated before anything changes, so a rejected event
//! ([`Rejection`]) leaves the store as it was; every ticket an event changes is stored
//! through `Engine::save`, which keeps the automation schedule in step.

use jiff::Timestamp;

use crate::check::ir::Role;
use crate::guards::{BlockReason, Outbound, SendSource};
use crate::model::{
    Actor, AgentReply, AuthorRole, Changes, Channel, Comment, DeliveryStatus, Event, EventKind,
    InboundMessage, NewTicket, ReplyContent, ReplyVia, Satisfaction, Status, Ticket, TicketRef,
    WebhookItem,
};

use super::eval::Update;
use super::outcome::{Delivery, DeliveryReason, EventOutcome, LineStatus, TicketOutcome};
use super::store::{message_key, status_key, SentMessage, TicketStore};
use super::update::{IdScheme, Work};
use super::{merge_record, Engine};

/// Why an input event is rejected (S1, events.md). The message names the ticket and says
/// what and why; it becomes the line's `error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Rejection {
    /// The event names a ticket the store does not hold.
    #[error("unknown ticket `{0}`")]
    UnknownTicket(String),
    /// `ticket.created` for an id that exists.
    #[error("ticket `{0}` already exists")]
    AlreadyExists(String),
    /// `ticket.created` with status solved and no assignee (S1).
    #[error("ticket `{0}` cannot be created solved without an assignee (S1)")]
    CreatedSolvedWithoutAssignee(String),
    /// A `message.received` for an unknown ticket id, without `channel` to create it.
    #[error("unknown ticket `{0}`: a message.received that creates a ticket needs `channel`")]
    MessageReceivedNeedsChannel(String),
    /// A webhook message that would create a ticket without a channel.
    #[error("unknown ticket `{0}`: a message that creates a ticket needs `channel`")]
    MessageNeedsChannel(String),
    /// An agent reply to a closed ticket (S1).
    #[error("ticket `{0}` is closed: it takes no replies (S1)")]
    ReplyToClosed(String),
    /// A change other than tags to a closed ticket (S1).
    #[error("ticket `{0}` is closed: only its tags can change (S1)")]
    ClosedOnlyTags(String),
    /// A change back to status new (S1).
    #[error("ticket `{0}` cannot return to status `new` (S1)")]
    BackToNew(String),
    /// A change that leaves the ticket solved without an assignee (S1).
    #[error("ticket `{0}` cannot be solved without an assignee (S1)")]
    SolvedWithoutAssignee(String),
}

/// The WhatsApp items of an event applied by [`Engine::apply`]: each item's key
/// ([`message_key`], [`status_key`]) with the ticket it concerned, to be remembered once
/// the line is `ok`.
pub(super) type AppliedItems = Vec<(String, Option<String>)>;

/// What the per-item duplicate check ([`Engine::drop_seen_items`]) found.
#[derive(Debug, Default)]
pub(super) struct SeenItems {
    /// The items dropped because they were applied before (or came earlier in the same
    /// body), as named in `duplicate_items`: a message's wamid, a status's `wamid:status`.
    pub(super) names: Vec<String>,
    /// No item is new: the line is a duplicate.
    pub(super) all: bool,
    /// The ticket the first duplicate concerned, for a duplicate line's `ticket`.
    pub(super) ticket: Option<String>,
}

impl SeenItems {
    /// The outcome of a line none of whose items is new.
    pub(super) fn duplicate_line(self, event: &Event) -> EventOutcome {
        let warning = match &event.kind {
            EventKind::Webhook(_) => {
                "every message and status of this webhook body was already applied; not applied again"
                    .to_string()
            }
            _ => format!(
                "WhatsApp message `{}` was already applied; not applied again",
                self.names.first().map_or("", String::as_str)
            ),
        };
        EventOutcome {
            event: Some(event.id.clone()),
            at: Some(event.at),
            status: LineStatus::Duplicate,
            duplicate_items: self.names,
            tickets: Vec::new(),
            warnings: vec![warning],
            error: None,
            ticket_hint: self.ticket,
        }
    }
}

/// A WhatsApp item's key; `None` for a message without a wamid (it cannot be told apart
/// from another one: only its whole line is checked, by the event key).
fn item_key(item: &WebhookItem) -> Option<String> {
    match item {
        WebhookItem::Message(m) => m.wamid.as_deref().map(message_key),
        WebhookItem::Status(s) => Some(status_key(&s.wamid, &s.status)),
    }
}

/// A WhatsApp item's name in `duplicate_items`: a message's wamid, a status's
/// `wamid:status`.
fn item_name(item: &WebhookItem) -> String {
    match item {
        WebhookItem::Message(m) => m.wamid.clone().unwrap_or_default(),
        WebhookItem::Status(s) => format!("{}:{}", s.wamid, s.status),
    }
}

fn via_for(by: Actor, channel: &Channel) -> (String, Role) {
    match by {
        Actor::Agent => ("agent".into(), Role::Agent),
        Actor::EndUser => (channel.as_str().to_string(), Role::EndUser),
        Actor::Api => ("api".into(), Role::System),
        Actor::System => ("system".into(), Role::System),
    }
}

/// S1 checks on an input event's changes.
fn check_changes(t: &Ticket, c: &Changes) -> Result<(), Rejection> {
    if t.status == Status::Closed {
        let only_tags = Changes {
            add_tags: c.add_tags.clone(),
            remove_tags: c.remove_tags.clone(),
            set_tags: c.set_tags.clone(),
            ..Changes::default()
        };
        if *c != only_tags {
            return Err(Rejection::ClosedOnlyTags(t.id.clone()));
        }
    }
    if c.status == Some(Status::New) && t.status != Status::New {
        return Err(Rejection::BackToNew(t.id.clone()));
    }
    let status = c.status.unwrap_or(t.status);
    let assignee = c.assignee.clone().unwrap_or_else(|| t.assignee.clone());
    if status == Status::Solved
        && assignee.is_none()
        && (c.status.is_some() || c.assignee.is_some())
    {
        return Err(Rejection::SolvedWithoutAssignee(t.id.clone()));
    }
    Ok(())
}

impl<S: TicketStore> Engine<S> {
    /// Checks an event against the store before anything changes (S1).
    pub(super) fn validate(&self, event: &Event) -> Result<(), Rejection> {
        match &event.kind {
            EventKind::TicketCreated(nt) => {
                if self.store.get(&nt.id).is_some() {
                    return Err(Rejection::AlreadyExists(nt.id.clone()));
                }
                if nt.status == Some(Status::Solved) && nt.assignee.is_none() {
                    return Err(Rejection::CreatedSolvedWithoutAssignee(nt.id.clone()));
                }
                Ok(())
            }
            EventKind::MessageReceived(m) => match &m.ticket {
                TicketRef::Id(id) if self.store.get(id).is_none() && m.channel.is_none() => {
                    Err(Rejection::MessageReceivedNeedsChannel(id.clone()))
                }
                _ => Ok(()),
            },
            EventKind::AgentReply(r) => {
                let t = self.existing(&r.ticket)?;
                if t.status == Status::Closed {
                    return Err(Rejection::ReplyToClosed(t.id.clone()));
                }
                check_changes(t, &r.changes)
            }
            EventKind::TicketUpdated {
                ticket, changes, ..
            } => check_changes(self.existing(ticket)?, changes),
            EventKind::Clock | EventKind::Webhook(_) => Ok(()),
        }
    }

    /// The per-item duplicate check: drops from a webhook batch every message (by wamid)
    /// and status (by wamid and status word) applied before, or repeated earlier in the
    /// same body, however the earlier one was batched; a native `message.received` whose
    /// `wamid` was applied before is a duplicate as a whole. Messages without a wamid are
    /// kept. Other events are left alone.
    pub(super) fn drop_seen_items(&self, event: &mut Event) -> SeenItems {
        let mut seen = SeenItems::default();
        match &mut event.kind {
            EventKind::Webhook(batch) => {
                let mut keys = std::collections::HashSet::new();
                batch.items.retain(|item| {
                    let Some(key) = item_key(item) else {
                        return true;
                    };
                    let before = self.store.seen_item(&key);
                    if before.is_none() && keys.insert(key) {
                        return true;
                    }
                    if seen.names.is_empty() {
                        seen.ticket = before.flatten();
                    }
                    seen.names.push(item_name(item));
                    false
                });
                seen.all = batch.items.is_empty();
            }
            EventKind::MessageReceived(m) => {
                if let Some(w) = &m.wamid {
                    if let Some(t) = self.store.seen_item(&message_key(w)) {
                        seen.names.push(w.clone());
                        seen.ticket = t;
                        seen.all = true;
                    }
                }
            }
            _ => {}
        }
        seen
    }

    fn existing(&self, id: &str) -> Result<&Ticket, Rejection> {
        self.store
            .get(id)
            .ok_or_else(|| Rejection::UnknownTicket(id.to_string()))
    }

    /// Applies a validated event: the outcome of its line, and the WhatsApp items it
    /// applied (webhook messages with a wamid and statuses; a native `message.received`
    /// with a `wamid`) with the ticket each concerned.
    pub(super) fn apply(
        &mut self,
        event: &Event,
    ) -> Result<(EventOutcome, AppliedItems), Rejection> {
        let mut counter = 0;
        let mut tickets = Vec::new();
        let mut warnings = Vec::new();
        let mut items = AppliedItems::new();
        match &event.kind {
            EventKind::TicketCreated(nt) => tickets.push(self.create(event, nt, &mut counter)),
            EventKind::MessageReceived(m) => {
                let o = self.message(event, m, &mut counter)?;
                if let Some(w) = &m.wamid {
                    items.push((message_key(w), Some(o.ticket.clone())));
                }
                tickets.push(o);
            }
            EventKind::AgentReply(r) => tickets.push(self.reply(event, r, &mut counter)?),
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
                w.stamp(event.at, role);
                w.run_triggers();
                let f = w.finish();
                self.save(f.ticket);
                tickets.push(f.outcome);
            }
            EventKind::Clock => {}
            EventKind::Webhook(batch) => {
                warnings.extend(batch.skipped.iter().cloned());
                for item in &batch.items {
                    let ticket = match item {
                        WebhookItem::Message(m) => {
                            let o = self.message(event, m, &mut counter)?;
                            let ticket = o.ticket.clone();
                            merge_record(&mut tickets, o);
                            Some(ticket)
                        }
                        WebhookItem::Status(s) => match self.status(s) {
                            Some(o) => {
                                let ticket = o.ticket.clone();
                                merge_record(&mut tickets, o);
                                Some(ticket)
                            }
                            None => {
                                warnings.push(format!(
                                    "status `{}` for unknown message `{}`; nothing to update",
                                    s.status, s.wamid
                                ));
                                None
                            }
                        },
                    };
                    if let Some(key) = item_key(item) {
                        items.push((key, ticket));
                    }
                }
                tickets.sort_by_key(|o| self.store.position(&o.ticket).unwrap_or(usize::MAX));
            }
        }
        let outcome = EventOutcome {
            event: Some(event.id.clone()),
            at: Some(event.at),
            status: LineStatus::Ok,
            duplicate_items: Vec::new(),
            tickets,
            warnings,
            error: None,
            ticket_hint: None,
        };
        Ok((outcome, items))
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
        t.satisfaction = nt.satisfaction.unwrap_or(Satisfaction::Unoffered);
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
        w.redact_ticket_texts();
        w.run_triggers();
        let f = w.finish();
        *counter = f.counter;
        self.save(f.ticket);
        f.outcome
    }

    /// Finds or creates the ticket an end-user message belongs to.
    fn message_ticket(
        &self,
        m: &InboundMessage,
        at: Timestamp,
    ) -> Result<(Ticket, bool), Rejection> {
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
                let Some(channel) = m.channel.clone() else {
                    return Err(Rejection::MessageNeedsChannel(base_id));
                };
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
    ) -> Result<TicketOutcome, Rejection> {
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
        let comment = Comment {
            id: m.wamid.clone().unwrap_or_else(|| event.id.clone()),
            author: AuthorRole::EndUser,
            public: true,
            text: text.clone(),
            attachments,
            at: event.at,
        };
        w.end_user_message(comment, m.sent_at.unwrap_or(event.at));
        w.stamp(event.at, Role::EndUser);
        w.set_comment(text, true);
        w.reopen();
        w.run_triggers();
        let f = w.finish();
        *counter = f.counter;
        self.save(f.ticket);
        Ok(f.outcome)
    }

    fn reply(
        &mut self,
        event: &Event,
        r: &AgentReply,
        counter: &mut usize,
    ) -> Result<TicketOutcome, Rejection> {
        let t = self.existing(&r.ticket)?.clone();
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
        w.set_comment(text, r.public);
        let is_assignee = match (&w.ticket().assignee, &r.author_id, &r.author_name) {
            (Some(a), id, name) => {
                id.as_ref() == Some(a)
                    || name.as_ref() == Some(a)
                    || (id.is_none() && name.is_none())
            }
            (None, _, _) => false,
        };
        // The assignee's update time moves only when the assignee replies.
        w.stamp(
            event.at,
            if is_assignee {
                Role::Agent
            } else {
                Role::System
            },
        );
        w.run_triggers();
        let f = w.finish();
        *counter = f.counter;
        self.save(f.ticket);
        Ok(f.outcome)
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
            sent.message.reason = Some(if window {
                DeliveryReason::Guard(BlockReason::OutsideWindow)
            } else {
                DeliveryReason::PlatformError
            });
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
}
