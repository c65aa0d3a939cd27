//! Where tickets live between events. `run` keeps them in memory; `serve` will keep them
//! in a database behind the same trait.

use std::collections::HashMap;

use crate::model::{Channel, Status, Ticket};

/// Ticket storage used by the [`Engine`](super::Engine).
///
/// Tickets are kept in creation order; automations walk them in that order (S11).
pub trait TicketStore {
    /// The ticket with this id.
    fn get(&self, id: &str) -> Option<&Ticket>;
    /// Inserts a new ticket (appended to the creation order) or replaces an existing one.
    fn put(&mut self, ticket: Ticket);
    /// Position of the ticket in creation order.
    fn position(&self, id: &str) -> Option<usize>;
    /// Ticket ids in creation order.
    fn ids(&self) -> Vec<String>;
    /// The newest non-closed WhatsApp ticket whose requester phone is `phone` (events.md).
    fn whatsapp_ticket_for(&self, phone: &str) -> Option<&Ticket>;
}

/// An in-memory [`TicketStore`]: a vector in creation order plus id and phone indexes.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    tickets: Vec<Ticket>,
    by_id: HashMap<String, usize>,
    by_phone: HashMap<String, Vec<usize>>,
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
}
