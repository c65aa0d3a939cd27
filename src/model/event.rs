//! Input events, decoded (events.md "Events in"). `io` turns JSON lines (native events
//! and WhatsApp Cloud API webhook bodies) into these; the engine applies them.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::ticket::{
    Attachment, Channel, FieldValue, Organization, Priority, Requester, Satisfaction, Status,
    TicketType,
};

/// One decoded input line.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The event id: the line's `id`, else `line:N`; for a webhook, the first item's id.
    pub id: String,
    /// When the host recorded it (UTC). For a webhook: the newest item timestamp.
    pub at: Timestamp,
    /// What happened.
    pub kind: EventKind,
}

/// The kinds of input event.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// `ticket.created`.
    TicketCreated(NewTicket),
    /// `message.received`: an end-user message (creates the ticket if needed).
    MessageReceived(InboundMessage),
    /// `agent.reply`: an agent, macro or autoresponder reply (guarded, W6).
    AgentReply(AgentReply),
    /// `ticket.updated`.
    TicketUpdated {
        /// Ticket id.
        ticket: String,
        /// Who made the change.
        by: Actor,
        /// The changes.
        changes: Changes,
    },
    /// `clock`: only advances the replay clock (S18).
    Clock,
    /// A WhatsApp webhook body: its message and status items in payload order.
    Webhook(WebhookBatch),
}

/// The usable items of one WhatsApp webhook body, plus why other items were skipped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WebhookBatch {
    /// Message and status items in payload order (at least one).
    pub items: Vec<WebhookItem>,
    /// One sentence per item that was not usable (e.g. a reaction, an unknown type):
    /// reported as warnings on the output line.
    pub skipped: Vec<String>,
}

/// One item of a WhatsApp webhook body.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // few items per webhook body; boxing buys nothing
pub enum WebhookItem {
    /// A `messages[]` item, as an inbound message whose ticket is found by phone.
    Message(InboundMessage),
    /// A `statuses[]` item.
    Status(DeliveryStatus),
}

/// Which ticket an inbound message belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketRef {
    /// A ticket id given by a native event.
    Id(String),
    /// A WhatsApp sender (`wa_id`, digits without `+`): the newest non-closed WhatsApp
    /// ticket whose requester phone is `+<wa_id>`, else a new ticket `wa:<wa_id>`.
    WhatsApp {
        /// The sender's WhatsApp id.
        wa_id: String,
    },
}

/// A `ticket.created` payload. Unset optional fields are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTicket {
    /// Required id.
    pub id: String,
    /// Required channel.
    pub channel: Channel,
    /// Subject.
    pub subject: Option<String>,
    /// Status (default `new`).
    pub status: Option<Status>,
    /// Priority.
    pub priority: Option<Priority>,
    /// Type.
    pub ticket_type: Option<TicketType>,
    /// Group.
    pub group: Option<String>,
    /// Assignee.
    pub assignee: Option<String>,
    /// Form.
    pub form: Option<String>,
    /// Brand.
    pub brand: Option<String>,
    /// Schedule.
    pub schedule: Option<String>,
    /// Due date.
    pub due_at: Option<Timestamp>,
    /// SLA breach time.
    pub sla_breach_at: Option<Timestamp>,
    /// Satisfaction (default `unoffered`).
    pub satisfaction: Option<Satisfaction>,
    /// Tags (lowercased by the decoder).
    pub tags: Vec<String>,
    /// Custom fields.
    pub fields: BTreeMap<String, FieldValue>,
    /// The requester.
    pub requester: Requester,
    /// The organization.
    pub organization: Option<Organization>,
}

/// An end-user message.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// Which ticket.
    pub ticket: TicketRef,
    /// The platform's send time: the window anchor (W1). `None` means the event's `at`.
    pub sent_at: Option<Timestamp>,
    /// Message text (a media caption for media messages); not yet redacted.
    pub text: String,
    /// Attachments (W14).
    pub attachments: Vec<Attachment>,
    /// WhatsApp's `context.forwarded` (W14).
    pub forwarded: bool,
    /// WhatsApp message id.
    pub wamid: Option<String>,
    /// Channel for a ticket this message creates (required then for native events).
    pub channel: Option<Channel>,
    /// Requester for a ticket this message creates.
    pub requester: Option<Requester>,
}

/// The source of an agent-side reply (W6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplyVia {
    /// Typed by an agent.
    Agent,
    /// Applied from a macro.
    Macro,
    /// An autoresponder.
    Autoresponder,
}

impl ReplyVia {
    /// `agent`, `macro` or `autoresponder`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyVia::Agent => "agent",
            ReplyVia::Macro => "macro",
            ReplyVia::Autoresponder => "autoresponder",
        }
    }
}

/// A template message: name, language and body parameters (W7–W11, W15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateMessage {
    /// Template name.
    pub name: String,
    /// Language code, e.g. `en_US`.
    pub language: String,
    /// Body parameters in order.
    pub params: Vec<String>,
}

/// What an agent reply carries.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplyContent {
    /// Free text (may hold template shorthand, W15).
    Text(String),
    /// A template.
    Template(TemplateMessage),
}

/// An `agent.reply` payload.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentReply {
    /// Ticket id.
    pub ticket: String,
    /// Author id.
    pub author_id: Option<String>,
    /// Author name.
    pub author_name: Option<String>,
    /// Agent, macro or autoresponder.
    pub via: ReplyVia,
    /// Public reply (default true) or private note.
    pub public: bool,
    /// Text or template.
    pub content: ReplyContent,
    /// The id WhatsApp gave the sent message (for later statuses).
    pub wamid: Option<String>,
    /// Changes applied in the same update.
    pub changes: Changes,
}

/// Who made a `ticket.updated` change (`update.via`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    /// An agent.
    Agent,
    /// The end user (`update.via` is then the ticket's channel).
    EndUser,
    /// The API.
    Api,
    /// The host system.
    System,
}

/// Field changes of `ticket.updated` (and `agent.reply`'s `changes`). `None` = not
/// mentioned; `Some(None)` = cleared (JSON `null`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Changes {
    /// New status.
    pub status: Option<Status>,
    /// New priority or cleared.
    pub priority: Option<Option<Priority>>,
    /// New type or cleared.
    pub ticket_type: Option<Option<TicketType>>,
    /// New group or cleared.
    pub group: Option<Option<String>>,
    /// New assignee or cleared.
    pub assignee: Option<Option<String>>,
    /// New form or cleared.
    pub form: Option<Option<String>>,
    /// New brand or cleared.
    pub brand: Option<Option<String>>,
    /// New schedule or cleared.
    pub schedule: Option<Option<String>>,
    /// New subject or cleared.
    pub subject: Option<Option<String>>,
    /// New due date or cleared.
    pub due_at: Option<Option<Timestamp>>,
    /// New SLA breach time or cleared.
    pub sla_breach_at: Option<Option<Timestamp>>,
    /// New satisfaction.
    pub satisfaction: Option<Satisfaction>,
    /// Tags to add (lowercased).
    pub add_tags: Vec<String>,
    /// Tags to remove (lowercased).
    pub remove_tags: Vec<String>,
    /// Replace all tags (lowercased).
    pub set_tags: Option<Vec<String>>,
    /// Custom fields to set (`None` clears).
    pub fields: BTreeMap<String, Option<FieldValue>>,
}

/// A WhatsApp `statuses[]` item.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryStatus {
    /// The outbound message's wamid.
    pub wamid: String,
    /// `sent`, `delivered`, `read`, `failed`, …
    pub status: String,
    /// The status's timestamp.
    pub at: Timestamp,
    /// The first error's code, for `failed` (131047 = window closed).
    pub error_code: Option<i64>,
    /// `recipient_id`.
    pub recipient: Option<String>,
}
