//! One ticket update in progress ([`Work`]): the working copy of the ticket, the
//! baseline (S6), the trigger cycle (S4), actions, redaction (W13) and guards on every
//! outbound item (S20).
//!
//! Invariant: every change to a reportable field goes through a `Work` method that
//! records it as touched, so the net changes of [`Work::finish`] are complete (S10); every
//! outbound item passes [`guards::check_outbound`] at the update's time. Callers reach the
//! ticket only through these methods.

use jiff::Timestamp;

use crate::check::ir::Role;
use crate::check::ir::{Act, Piece, Placeholder, Recipient, RuleIr, TextField, TextTemplate};
use crate::guards::{self, GuardInput, Outbound, SendSource, Verdict};
use crate::model::{AuthorRole, Changes, Comment, FieldValue, Status, TemplateMessage, Ticket};
use crate::redact;

use super::changes::{diff, Key};
use super::eval::{self, rule_matches, trace, Update};
use super::outcome::{Delivery, DeliveryReason, Message, MessageKind, TicketOutcome};
use super::ruleset::RuleSet;

/// How outbound ids are made: `rule:<event>:<n>` or `auto:<at>:<ticket>:<n>`.
#[derive(Debug, Clone)]
pub(crate) enum IdScheme {
    Event(String),
    Automation(String),
}

/// One update in progress.
pub(crate) struct Work<'r> {
    rs: &'r RuleSet,
    ticket: Ticket,
    upd: Update,
    out: TicketOutcome,
    /// Fields touched, in first-touched order (S10).
    touched: Vec<Key>,
    /// Tags added or removed, in the order applied.
    tag_order: Vec<String>,
    ids: IdScheme,
    /// Outbound counter shared by the event (or by the ticket in a run).
    counter: usize,
    /// This update has a public comment that reached the user (S9).
    public_reached: bool,
    /// This update has a public reply that a guard blocked (W5b).
    public_blocked: bool,
}

/// An ended update: the ticket after it, its record and what a caller needs to merge
/// several updates of one ticket (an automation run, S15).
pub(crate) struct Finished {
    /// The ticket after the update.
    pub ticket: Ticket,
    /// What happened; `changes` is empty from [`Work::into_parts`].
    pub outcome: TicketOutcome,
    /// The outbound-id counter after the update.
    pub counter: usize,
    /// Fields touched, in first-touched order.
    pub touched: Vec<Key>,
    /// Tags added or removed, in the order applied.
    pub tag_order: Vec<String>,
}

/// Renders placeholders against the ticket (rules-semantics.md "Placeholders"); an empty
/// value renders as empty text.
pub(crate) fn render(t: &TextTemplate, ticket: &Ticket) -> String {
    let mut s = String::new();
    for p in &t.pieces {
        match p {
            Piece::Lit(l) => s.push_str(l),
            Piece::Ph(ph) => match ph {
                Placeholder::TicketId => s.push_str(&ticket.id),
                Placeholder::TicketSubject => s.push_str(ticket.subject.as_deref().unwrap_or("")),
                Placeholder::TicketStatus => s.push_str(ticket.status.as_str()),
                Placeholder::RequesterName => {
                    s.push_str(ticket.requester.name.as_deref().unwrap_or(""))
                }
                Placeholder::RequesterFirstName => s.push_str(ticket.requester.first_name()),
                Placeholder::AssigneeName => s.push_str(ticket.assignee.as_deref().unwrap_or("")),
                Placeholder::TicketField(n) => {
                    if let Some(v) = ticket.fields.get(n) {
                        s.push_str(&v.to_string())
                    }
                }
            },
        }
    }
    s
}

impl<'r> Work<'r> {
    pub fn new(
        rs: &'r RuleSet,
        ticket: Ticket,
        upd: Update,
        ids: IdScheme,
        counter: usize,
    ) -> Self {
        let out = TicketOutcome {
            ticket: ticket.id.clone(),
            ..Default::default()
        };
        let mut w = Work {
            rs,
            ticket,
            upd,
            out,
            touched: Vec::new(),
            tag_order: Vec::new(),
            ids,
            counter,
            public_reached: false,
            public_blocked: false,
        };
        if w.upd.baseline.is_none() {
            // On create every field set at creation is a change (S6, events.md).
            w.touched.extend([
                Key::Channel,
                Key::Status,
                Key::Subject,
                Key::Priority,
                Key::Type,
                Key::Group,
                Key::Assignee,
                Key::Form,
                Key::Brand,
                Key::Schedule,
            ]);
            // `unoffered` is the empty state: not reported as set at creation (a rule
            // that sets it touches it again).
            if w.ticket.satisfaction != crate::model::Satisfaction::Unoffered {
                w.touched.push(Key::Satisfaction);
            }
            w.touched.extend([Key::DueAt, Key::SlaBreachAt]);
            let customs: Vec<Key> = w
                .ticket
                .fields
                .keys()
                .map(|k| Key::Custom(k.clone()))
                .collect();
            w.touched.extend(customs);
            w.touched.push(Key::Tags);
            let tags: Vec<String> = w.ticket.tags.iter().cloned().collect();
            w.tag_order.extend(tags);
        }
        w
    }

    fn now(&self) -> Timestamp {
        self.upd.now
    }

    fn next_id(&mut self) -> String {
        self.counter += 1;
        match &self.ids {
            IdScheme::Event(e) => format!("rule:{e}:{}", self.counter),
            IdScheme::Automation(at) => format!("auto:{at}:{}:{}", self.ticket.id, self.counter),
        }
    }

    fn touch(&mut self, k: Key) {
        if !self.touched.contains(&k) {
            self.touched.push(k);
        }
    }

    // ------------------------------------------------------------ the update itself

    /// The ticket as it stands in this update.
    pub fn ticket(&self) -> &Ticket {
        &self.ticket
    }

    /// Records a rule or system step as fired (`system:reopen`, `automation:T`).
    pub fn fire(&mut self, id: String) {
        self.out.fired.push(id);
    }

    /// Sets this update's comment as conditions see it: (text, public).
    pub fn set_comment(&mut self, text: String, public: bool) {
        self.upd.comment = Some((text, public));
    }

    /// Stamps the update time, and the requester's or assignee's update time for their
    /// role (`hours since requester_update` / `assignee_update`, S12).
    pub fn stamp(&mut self, at: Timestamp, role: Role) {
        self.ticket.updated_at = at;
        match role {
            Role::EndUser => self.ticket.requester_updated_at = Some(at),
            Role::Agent => self.ticket.assignee_updated_at = Some(at),
            Role::System => {}
        }
    }

    /// Counts one automation update of the ticket (S16's per-ticket cap).
    pub fn count_automation_update(&mut self) {
        self.ticket.automation_updates += 1;
    }

    /// Redacts the subject and the custom text fields of a ticket being created (W13).
    pub fn redact_ticket_texts(&mut self) {
        let mut subject = self.ticket.subject.take();
        let mut fields = std::mem::take(&mut self.ticket.fields);
        {
            let mut texts: Vec<&mut String> = Vec::new();
            if let Some(s) = subject.as_mut() {
                texts.push(s);
            }
            for v in fields.values_mut() {
                if let FieldValue::Text(s) = v {
                    texts.push(s);
                }
            }
            self.redact(&mut texts);
        }
        self.ticket.subject = subject;
        self.ticket.fields = fields;
    }

    /// Records an end user's message: the window anchor moves to the latest send time
    /// seen (W1, W3), the comment is added, and the update carries a public comment that
    /// reached the user (S9). An end-user message reopens a pending, hold or solved
    /// ticket (S1, `system:reopen`).
    pub fn end_user_message(&mut self, comment: Comment, sent_at: Timestamp) {
        self.ticket.last_end_user_message_at = Some(match self.ticket.last_end_user_message_at {
            Some(a) if a > sent_at => a,
            _ => sent_at,
        });
        self.ticket.comments.push(comment);
        self.public_reached = true;
    }

    /// S1: an end-user message reopens a pending, hold or solved ticket.
    pub fn reopen(&mut self) {
        if eval::reopens(self.ticket.status) {
            self.set_status(Status::Open);
            self.fire("system:reopen".into());
        }
    }

    // ------------------------------------------------------------ field setters

    pub fn set_status(&mut self, s: Status) {
        if self.ticket.status != s {
            self.ticket.status = s;
            self.ticket.status_changed_at = self.now();
            if s == Status::Solved {
                self.ticket.solved_at = Some(self.now());
            }
        }
        self.touch(Key::Status);
    }

    pub fn set_assignee(&mut self, a: Option<String>) {
        if a.is_some() && a != self.ticket.assignee {
            self.ticket.assigned_at = Some(self.now());
        }
        self.ticket.assignee = a;
        self.touch(Key::Assignee);
    }

    pub fn add_tag(&mut self, tag: &str) {
        let tag = tag.to_lowercase();
        self.ticket.tags.insert(tag.clone());
        self.tag_order.push(tag);
        self.touch(Key::Tags);
    }

    pub fn remove_tag(&mut self, tag: &str) {
        let tag = tag.to_lowercase();
        self.ticket.tags.remove(&tag);
        self.tag_order.push(tag);
        self.touch(Key::Tags);
    }

    pub fn set_tags(&mut self, tags: &[String]) {
        let old: Vec<String> = self.ticket.tags.iter().cloned().collect();
        for t in old {
            if !tags.contains(&t) {
                self.remove_tag(&t);
            }
        }
        for t in tags {
            self.add_tag(t);
        }
    }

    /// Applies an input event's `changes` (already validated against S1).
    pub fn apply_changes(&mut self, c: &Changes) {
        if let Some(s) = c.status {
            self.set_status(s);
        }
        if let Some(p) = c.priority {
            self.ticket.priority = p;
            self.touch(Key::Priority);
        }
        if let Some(p) = c.ticket_type {
            self.ticket.ticket_type = p;
            self.touch(Key::Type);
        }
        if let Some(g) = &c.group {
            self.ticket.group = g.clone();
            self.touch(Key::Group);
        }
        if let Some(a) = &c.assignee {
            self.set_assignee(a.clone());
        }
        if let Some(v) = &c.form {
            self.ticket.form = v.clone();
            self.touch(Key::Form);
        }
        if let Some(v) = &c.brand {
            self.ticket.brand = v.clone();
            self.touch(Key::Brand);
        }
        if let Some(v) = &c.schedule {
            self.ticket.schedule = v.clone();
            self.touch(Key::Schedule);
        }
        if let Some(v) = &c.subject {
            self.ticket.subject = v.clone();
            self.touch(Key::Subject);
        }
        if let Some(v) = c.due_at {
            self.ticket.due_at = v;
            self.touch(Key::DueAt);
        }
        if let Some(v) = c.sla_breach_at {
            self.ticket.sla_breach_at = v;
            self.touch(Key::SlaBreachAt);
        }
        if let Some(v) = c.satisfaction {
            self.ticket.satisfaction = v;
            self.touch(Key::Satisfaction);
        }
        if let Some(tags) = &c.set_tags {
            self.set_tags(tags);
        }
        for t in &c.add_tags {
            self.add_tag(t);
        }
        for t in &c.remove_tags {
            self.remove_tag(t);
        }
        for (k, v) in &c.fields {
            match v {
                Some(v) => self.ticket.fields.insert(k.clone(), v.clone()),
                None => self.ticket.fields.remove(k),
            };
            self.touch(Key::Custom(k.clone()));
        }
    }

    // ------------------------------------------------------------ redaction (W13)

    /// Runs the redaction rules whose conditions hold on `texts` (in order), before any
    /// trigger sees them; then the `then` actions of each rule that redacted something.
    pub fn redact(&mut self, texts: &mut [&mut String]) {
        let rs = self.rs;
        let matching: Vec<&RuleIr> = rs
            .redactions
            .iter()
            .filter(|r| {
                if self.upd.explain {
                    self.out.explain.push(trace(r, &self.ticket, &self.upd, rs));
                }
                rule_matches(r, &self.ticket, &self.upd, rs)
            })
            .collect();
        for r in matching {
            let Some(opts) = &r.redact else { continue };
            let mut n = 0;
            for text in texts.iter_mut() {
                let red = redact::redact(text, opts);
                if red.count > 0 {
                    n += red.count;
                    let new = red.text.into_owned();
                    **text = new;
                }
            }
            if n > 0 {
                self.out.redactions += n;
                self.out.fired.push(r.id());
                let src = r.id();
                for a in &r.actions {
                    self.act(a, &src, SendSource::Trigger);
                }
            }
        }
    }

    // ------------------------------------------------------------ outbound

    fn guard(&self, source: SendSource, msg: &Outbound) -> Verdict {
        let input = GuardInput {
            channel: &self.ticket.channel,
            now: self.now(),
            window_anchor: self.ticket.last_end_user_message_at,
            opted_in: self.ticket.requester.opted_in,
            account: &self.rs.account,
        };
        guards::check_outbound(&input, source, msg)
    }

    /// Sends a public reply or template through the guards (W5–W12, S20) and records it:
    /// the comment is added to the ticket whether or not it is delivered (W5).
    pub fn send(
        &mut self,
        id: String,
        source: String,
        guard_source: SendSource,
        msg: Outbound,
        author: AuthorRole,
    ) -> Message {
        let verdict = self.guard(guard_source, &msg);
        let (kind, text) = match &msg {
            Outbound::Text(t) => (MessageKind::Text, t.clone()),
            Outbound::Template(t) => (MessageKind::Template, template_text(t)),
        };
        let mut m = Message {
            id: id.clone(),
            source,
            kind,
            delivery: Delivery::Delivered,
            reason: None,
            window_closed_at: None,
            error_code: None,
            body: Some(text.clone()),
            to: None,
        };
        if let Verdict::Blocked {
            reason,
            window_closed_at,
        } = &verdict
        {
            m.delivery = Delivery::Blocked;
            m.reason = Some(DeliveryReason::Guard(*reason));
            m.window_closed_at = *window_closed_at;
            if let Some(n) = guards::notice(&verdict, &msg) {
                self.out.notices.push(n);
            }
            self.public_blocked = true;
        } else {
            self.public_reached = true;
        }
        self.ticket.comments.push(Comment {
            id,
            author,
            public: true,
            text,
            attachments: Vec::new(),
            at: self.now(),
        });
        self.out.messages.push(m.clone());
        m
    }

    /// Records a private note (kind `note`, delivery `recorded`).
    pub fn note(&mut self, id: String, source: String, text: String, author: AuthorRole) {
        self.ticket.comments.push(Comment {
            id: id.clone(),
            author,
            public: false,
            text: text.clone(),
            attachments: Vec::new(),
            at: self.now(),
        });
        self.out.messages.push(Message {
            id,
            source,
            kind: MessageKind::Note,
            delivery: Delivery::Recorded,
            reason: None,
            window_closed_at: None,
            error_code: None,
            body: Some(text),
            to: None,
        });
    }

    // ------------------------------------------------------------ actions

    /// Applies one rule action. `src` is the rule id (`trigger:T`, `automation:T`).
    pub fn act(&mut self, a: &Act, src: &str, gs: SendSource) {
        match a {
            Act::SetStatus(s) => {
                if *s == Status::New && self.ticket.status != Status::New {
                    self.out.notices.push(format!(
                        "{src} did not set status new: a ticket never returns to new (S1)."
                    ));
                } else if *s == Status::Solved && self.ticket.assignee.is_none() {
                    self.out.notices.push(format!(
                        "{src} did not set status solved: the ticket has no assignee (S1)."
                    ));
                } else {
                    self.set_status(*s);
                }
            }
            Act::SetPriority(p) => {
                self.ticket.priority = *p;
                self.touch(Key::Priority);
            }
            Act::SetType(p) => {
                self.ticket.ticket_type = *p;
                self.touch(Key::Type);
            }
            Act::SetText(f, v) => match f {
                TextField::Group => {
                    self.ticket.group = v.clone();
                    self.touch(Key::Group);
                }
                TextField::Assignee => {
                    if v.is_none() && self.ticket.status == Status::Solved {
                        self.out.notices.push(format!(
                            "{src} did not clear the assignee: a solved ticket needs one (S1)."
                        ));
                    } else {
                        self.set_assignee(v.clone());
                    }
                }
                TextField::Schedule => {
                    self.ticket.schedule = v.clone();
                    self.touch(Key::Schedule);
                }
                TextField::Form => {
                    self.ticket.form = v.clone();
                    self.touch(Key::Form);
                }
                TextField::Brand => {
                    self.ticket.brand = v.clone();
                    self.touch(Key::Brand);
                }
            },
            Act::SetSatisfaction(s) => {
                self.ticket.satisfaction = *s;
                self.touch(Key::Satisfaction);
            }
            Act::SetCustom(n, v) => {
                self.ticket.fields.insert(n.clone(), v.clone());
                self.touch(Key::Custom(n.clone()));
            }
            Act::AddTags(tags) => tags.iter().for_each(|t| self.add_tag(t)),
            Act::RemoveTags(tags) => tags.iter().for_each(|t| self.remove_tag(t)),
            Act::SetTags(tags) => self.set_tags(tags),
            Act::SendMessage(t) => {
                let text = render(t, &self.ticket);
                let msg = guards::classify_text(&text);
                let id = self.next_id();
                self.send(id, src.to_string(), gs, msg, AuthorRole::System);
            }
            Act::SendTemplate {
                name,
                language,
                params,
            } => {
                let params = params.iter().map(|p| render(p, &self.ticket)).collect();
                let msg = Outbound::Template(TemplateMessage {
                    name: name.clone(),
                    language: language.clone(),
                    params,
                });
                let id = self.next_id();
                self.send(id, src.to_string(), gs, msg, AuthorRole::System);
            }
            Act::AddNote(t) => {
                let text = render(t, &self.ticket);
                let id = self.next_id();
                self.note(id, src.to_string(), text, AuthorRole::System);
            }
            Act::Notify { to, subject, body } => {
                let id = self.next_id();
                let body = render(body, &self.ticket);
                let _subject = subject.as_ref().map(|s| render(s, &self.ticket));
                let (kind, delivery, reason, to) = match to {
                    Recipient::Requester => {
                        // S9: only with a public comment that reached the user; W5b: not
                        // for a reply that was blocked.
                        if self.public_reached {
                            (
                                MessageKind::Email,
                                Delivery::Delivered,
                                None,
                                "requester".to_string(),
                            )
                        } else if self.public_blocked {
                            (
                                MessageKind::Email,
                                Delivery::Skipped,
                                Some(DeliveryReason::ReplyNotDelivered),
                                "requester".into(),
                            )
                        } else {
                            (
                                MessageKind::Email,
                                Delivery::Skipped,
                                Some(DeliveryReason::NoPublicComment),
                                "requester".into(),
                            )
                        }
                    }
                    Recipient::Assignee => match &self.ticket.assignee {
                        Some(a) => (MessageKind::Email, Delivery::Delivered, None, a.clone()),
                        None => (
                            MessageKind::Email,
                            Delivery::Skipped,
                            Some(DeliveryReason::NoAssignee),
                            "assignee".into(),
                        ),
                    },
                    Recipient::Group(g) => {
                        (MessageKind::Email, Delivery::Delivered, None, g.clone())
                    }
                    Recipient::Webhook(w) => {
                        (MessageKind::Webhook, Delivery::Recorded, None, w.clone())
                    }
                };
                self.out.messages.push(Message {
                    id,
                    source: src.to_string(),
                    kind,
                    delivery,
                    reason,
                    window_closed_at: None,
                    error_code: None,
                    body: Some(body),
                    to: Some(to),
                });
            }
        }
    }

    // ------------------------------------------------------------ the trigger cycle

    /// S4: walk the triggers in order; on a match apply its actions, mark it fired and
    /// restart from the top, skipping fired triggers; stop when a pass fires nothing.
    /// Triggers do not run on tickets that were already closed (S7).
    pub fn run_triggers(&mut self) {
        if self
            .upd
            .baseline
            .as_ref()
            .is_some_and(|b| b.status == Status::Closed)
        {
            return;
        }
        let rs = self.rs;
        // Fired triggers, by position; each fires at most once per update (S4).
        let mut fired: Vec<u32> = Vec::new();
        let mut candidates: Vec<u32> = Vec::new();
        'cycle: loop {
            if self.upd.explain {
                // Explain shows every trigger considered, so it walks them all.
                candidates.clear();
                candidates.extend(0..rs.triggers.len() as u32);
            } else {
                rs.trigger_index
                    .candidates(&self.ticket, self.upd.created, &mut candidates);
            }
            for &i in &candidates {
                if fired.contains(&i) {
                    continue;
                }
                let r = &rs.triggers[i as usize];
                if self.upd.explain {
                    let mut tr = trace(r, &self.ticket, &self.upd, rs);
                    tr.pass = fired.len() as u32 + 1;
                    self.out.explain.push(tr);
                }
                if !rule_matches(r, &self.ticket, &self.upd, rs) {
                    continue;
                }
                fired.push(i);
                let id = r.id();
                self.out.fired.push(id.clone());
                for a in &r.actions {
                    self.act(a, &id, SendSource::Trigger);
                }
                continue 'cycle;
            }
            break;
        }
    }

    /// Ends the update: computes net changes against the baseline (S10).
    pub fn finish(mut self) -> Finished {
        self.out.changes = diff(
            self.upd.baseline.as_ref(),
            &self.ticket,
            &self.touched,
            &self.tag_order,
        );
        self.into_parts()
    }

    /// Ends the update without computing net changes: for a caller that merges several
    /// updates of one ticket and diffs once.
    pub fn into_parts(self) -> Finished {
        Finished {
            ticket: self.ticket,
            outcome: self.out,
            counter: self.counter,
            touched: self.touched,
            tag_order: self.tag_order,
        }
    }
}

fn template_text(t: &TemplateMessage) -> String {
    format!("[template {} ({})]", t.name, t.language)
}
