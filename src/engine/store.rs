//! Where tickets live between events. `run` keeps them in memory; `serve` keeps them
//! in a database behind the same trait.
//!
//! Invariant: a ticket keeps its position (creation order) for ever; the engine reaches
//! stored state only through [`TicketStore`].

/// A fast seeded hasher: ticket ids and tags are hashed on every event.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use jiff::Timestamp;

use super::outcome::Message;
use crate::model::{Channel, Status, Ticket};

/// An outbound message remembered by its WhatsApp id, so that a later `statuses[]`
/// webhook item can record its delivery failure (whatsapp.md, events.md).
#[derive(Debug, Clone, PartialEq)]
pub struct SentMessage {
    /// The ticket it was sent on.
    pub ticket: String,
    /// The message as first reported.
    pub message: Message,
}

/// Everything the [`Engine`](super::Engine) keeps between events: tickets, the event keys
/// already applied, the WhatsApp items already applied (by [`message_key`] and
/// [`status_key`]), outbound messages by WhatsApp id, and the replay clock.
///
/// Tickets are kept in creation order; automations walk them in that order (S11). A
/// durable implementation (a database) makes each event's writes atomic by wrapping
/// [`Engine::process`](super::Engine::process) in a transaction.
pub trait TicketStore {
    /// The ticket with this id.
    fn get(&self, id: &str) -> Option<&Ticket>;
    /// Inserts a new ticket (appended to the creation order) or replaces an existing one.
    fn put(&mut self, ticket: Ticket);
    /// Position of the ticket in creation order.
    fn position(&self, id: &str) -> Option<usize>;
    /// Ticket ids in creation order.
    fn ids(&self) -> Vec<String>;
    /// Number of tickets.
    fn len(&self) -> usize;
    /// True when there are no tickets.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The ticket at a position in creation order.
    fn ticket_at(&self, pos: usize) -> Option<&Ticket>;
    /// The newest non-closed WhatsApp ticket whose requester phone is `phone` (events.md).
    fn whatsapp_ticket_for(&self, phone: &str) -> Option<&Ticket>;
    /// For an event key applied before: `Some(ticket of its first record)`.
    fn seen(&self, key: &str) -> Option<Option<String>>;
    /// Remembers an applied event key with the ticket of its first record.
    fn mark_seen(&mut self, key: String, ticket: Option<String>);
    /// For a WhatsApp item applied before (a [`message_key`] or [`status_key`]):
    /// `Some(the ticket it concerned, if any)`. A namespace of its own: an event key
    /// never answers here.
    fn seen_item(&self, key: &str) -> Option<Option<String>>;
    /// Remembers an applied WhatsApp item with the ticket it concerned.
    fn mark_item_seen(&mut self, key: String, ticket: Option<String>);
    /// The outbound message with this WhatsApp id.
    fn sent(&self, wamid: &str) -> Option<&SentMessage>;
    /// Remembers (or updates) an outbound message by its WhatsApp id.
    fn put_sent(&mut self, wamid: String, sent: SentMessage);
    /// The replay clock (S18): the newest event time applied; `None` before the first.
    fn clock(&self) -> Option<Timestamp>;
    /// Moves the replay clock.
    fn set_clock(&mut self, at: Timestamp);
}

/// The key under which a WhatsApp message counts as applied: `msg:` and its wamid,
/// however the message was batched (a webhook body, or a native `message.received` with
/// a `wamid`).
pub fn message_key(wamid: &str) -> String {
    format!("msg:{wamid}")
}

/// The key under which a WhatsApp status item counts as applied: `status:`, the status
/// word (`delivered`, `read`, `failed`…: letters and `_`, no `:`), `:` and the wamid of
/// the outbound message it reports on. Each status of one message is an item of its own.
pub fn status_key(wamid: &str, status: &str) -> String {
    format!("status:{status}:{wamid}")
}

/// An in-memory [`TicketStore`]: a vector in creation order plus id and phone indexes.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    tickets: Vec<Ticket>,
    by_id: HashMap<String, usize>,
    by_phone: HashMap<String, Vec<usize>>,
    seen: HashMap<String, Option<String>>,
    items: HashMap<String, Option<String>>,
    sent: HashMap<String, SentMessage>,
    clock: Option<Timestamp>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of tickets.
    pub fn len(&self) -> usize {
        self.tickets.len()
    }

    /// True when there are no tickets.
    pub fn is_empty(&self) -> bool {
        self.tickets.is_empty()
    }

    /// Tickets in creation order.
    pub fn tickets(&self) -> &[Ticket] {
        &self.tickets
    }
}

impl TicketStore for MemoryStore {
    fn get(&self, id: &str) -> Option<&Ticket> {
        self.by_id.get(id).map(|&i| &self.tickets[i])
    }

    fn put(&mut self, ticket: Ticket) {
        match self.by_id.get(&ticket.id) {
            Some(&i) => self.tickets[i] = ticket,
            None => {
                let i = self.tickets.len();
                self.by_id.insert(ticket.id.clone(), i);
                if let Some(p) = &ticket.requester.phone {
                    self.by_phone.entry(p.clone()).or_default().push(i);
                }
                self.tickets.push(ticket);
            }
        }
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    fn ids(&self) -> Vec<String> {
        self.tickets.iter().map(|t| t.id.clone()).collect()
    }

    fn len(&self) -> usize {
        self.tickets.len()
    }

    fn ticket_at(&self, pos: usize) -> Option<&Ticket> {
        self.tickets.get(pos)
    }

    fn whatsapp_ticket_for(&self, phone: &str) -> Option<&Ticket> {
        self.by_phone
            .get(phone)?
            .iter()
            .rev()
            .map(|&i| &self.tickets[i])
            .find(|t| {
                t.channel == Channel::Whatsapp
                    && t.status != Status::Closed
                    && t.requester.phone.as_deref() == Some(phone)
            })
    }

    fn seen(&self, key: &str) -> Option<Option<String>> {
        self.seen.get(key).cloned()
    }

    fn mark_seen(&mut self, key: String, ticket: Option<String>) {
        self.seen.insert(key, ticket);
    }

    fn seen_item(&self, key: &str) -> Option<Option<String>> {
        self.items.get(key).cloned()
    }

    fn mark_item_seen(&mut self, key: String, ticket: Option<String>) {
        self.items.insert(key, ticket);
    }

    fn sent(&self, wamid: &str) -> Option<&SentMessage> {
        self.sent.get(wamid)
    }

    fn put_sent(&mut self, wamid: String, sent: SentMessage) {
        self.sent.insert(wamid, sent);
    }

    fn clock(&self) -> Option<Timestamp> {
        self.clock
    }

    fn set_clock(&mut self, at: Timestamp) {
        self.clock = Some(at);
    }
}
