//! Plain data: tickets, events, the account. No behaviour beyond parsing names.

pub mod account;
pub mod event;
pub mod ticket;

pub use account::{Account, ApprovedTemplate, FieldDef, ScheduleDef, WhatsAppSettings};
pub use event::{
    Actor, AgentReply, Changes, DeliveryStatus, Event, EventKind, InboundMessage, NewTicket,
    ReplyContent, ReplyVia, TemplateMessage, TicketRef, WebhookBatch, WebhookItem,
};
pub use ticket::{
    Attachment, AuthorRole, Channel, Comment, FieldValue, Organization, Priority, Requester,
    Satisfaction, Status, Ticket, TicketType,
};
