//! The ticket and its parts (rules-semantics.md, "Ticket").

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Generates a small closed enum with lowercase names, `as_str`, `parse` and serde.
macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $($(#[$vm])* #[doc = concat!("`", $s, "`")] #[serde(rename = $s)] $var),+ }
        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// The lowercase name.
            pub fn as_str(self) -> &'static str { match self { $($name::$var => $s),+ } }
            /// Parses a name, case-insensitively; `None` if unknown.
            pub fn parse(s: &str) -> Option<Self> {
                $(if s.eq_ignore_ascii_case($s) { return Some($name::$var); })+
                None
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

word_enum!(
    /// Ticket status; the order matters for `<`/`>` (S1: never back to `new`).
    Status { New = "new", Open = "open", Pending = "pending", Hold = "hold", Solved = "solved", Closed = "closed" }
);
word_enum!(
    /// Ticket priority, ordered `low < normal < high < urgent` (or unset).
    Priority { Low = "low", Normal = "normal", High = "high", Urgent = "urgent" }
);
word_enum!(
    /// Ticket type.
    TicketType { Question = "question", Incident = "incident", Problem = "problem", Task = "task" }
);
word_enum!(
    /// Satisfaction survey state.
    Satisfaction { Unoffered = "unoffered", Offered = "offered", Good = "good", Bad = "bad" }
);

/// How a ticket was created / where its conversation happens. Open set: any lowercase
/// word is accepted; the known ones have variants so rules compare without strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// WhatsApp (the customer-service window applies, W1–W12).
    Whatsapp,
    /// Email.
    Email,
    /// Web form.
    Web,
    /// API.
    Api,
    /// Facebook Messenger.
    Messenger,
    /// Instagram Direct.
    Instagram,
    /// X direct messages.
    X,
    /// LINE.
    Line,
    /// WeChat.
    Wechat,
    /// Telegram.
    Telegram,
    /// Viber.
    Viber,
    /// Live chat.
    Chat,
    /// Any other channel name (lowercase).
    Other(String),
}

impl Channel {
    const KNOWN: &'static [(&'static str, Channel)] = &[
        ("whatsapp", Channel::Whatsapp),
        ("email", Channel::Email),
        ("web", Channel::Web),
        ("api", Channel::Api),
        ("messenger", Channel::Messenger),
        ("instagram", Channel::Instagram),
        ("x", Channel::X),
        ("line", Channel::Line),
        ("wechat", Channel::Wechat),
        ("telegram", Channel::Telegram),
        ("viber", Channel::Viber),
        ("chat", Channel::Chat),
    ];

    /// Parses a channel name (case-insensitive); unknown names become `Other` (lowercased).
    pub fn parse(s: &str) -> Channel {
        for (name, ch) in Self::KNOWN {
            if s.eq_ignore_ascii_case(name) {
                return ch.clone();
            }
        }
        Channel::Other(s.to_ascii_lowercase())
    }

    /// The lowercase name.
    pub fn as_str(&self) -> &str {
        match self {
            Channel::Other(s) => s,
            known => Self::KNOWN
                .iter()
                .find(|(_, c)| c == known)
                .map(|(n, _)| *n)
                .unwrap_or("other"),
        }
    }

    /// True for the social-messaging channels where card redaction runs by default (W13).
    pub fn is_social_messaging(&self) -> bool {
        matches!(
            self,
            Channel::Whatsapp
                | Channel::Messenger
                | Channel::Instagram
                | Channel::X
                | Channel::Line
                | Channel::Wechat
                | Channel::Telegram
                | Channel::Viber
        )
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A custom field value: text, number or boolean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A non-integer number.
    Float(f64),
    /// Text.
    Text(String),
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Bool(b) => write!(f, "{b}"),
            FieldValue::Int(n) => write!(f, "{n}"),
            FieldValue::Float(x) => write!(f, "{x}"),
            FieldValue::Text(s) => f.write_str(s),
        }
    }
}

/// The end user who asked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Requester {
    /// Host's id.
    pub id: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Phone in E.164 with `+` (WhatsApp tickets are found by it).
    pub phone: Option<String>,
    /// Opted in to business-initiated messages (W11).
    pub opted_in: bool,
    /// Requester tags (lowercase).
    pub tags: BTreeSet<String>,
    /// Requester custom fields.
    pub fields: BTreeMap<String, FieldValue>,
}

impl Requester {
    /// The first word of the name (`{{requester.first_name}}`), or "".
    pub fn first_name(&self) -> &str {
        self.name
            .as_deref()
            .and_then(|n| n.split_whitespace().next())
            .unwrap_or("")
    }
}

/// The requester's organization.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Organization {
    /// Host's id.
    pub id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Organization custom fields.
    pub fields: BTreeMap<String, FieldValue>,
}

/// Who wrote a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthorRole {
    /// The requester.
    EndUser,
    /// An agent (also macros and autoresponders act as the agent).
    Agent,
    /// A rule (trigger or automation).
    System,
}

/// An attachment on an incoming message (W14).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Attachment {
    /// Media type: `image`, `document`, `audio`, `video`, `sticker`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Platform media id.
    #[serde(default)]
    pub id: Option<String>,
    /// Caption text (redacted like message text).
    #[serde(default)]
    pub caption: Option<String>,
}

/// One comment on the ticket (end-user message, agent reply, rule message or note).
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    /// Message id (event id, `auto:…` or `rule:…`, events.md).
    pub id: String,
    /// Who wrote it.
    pub author: AuthorRole,
    /// Public reply or private note.
    pub public: bool,
    /// Text, already redacted for end-user messages (W13).
    pub text: String,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// When it was added (UTC).
    pub at: Timestamp,
}

/// A ticket's whole state. Timestamps are UTC instants.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    /// Ticket id, e.g. `T-1001`, `wa:821000000077`, `T-1001/2` (follow-up).
    pub id: String,
    /// Status (S1).
    pub status: Status,
    /// Priority, or unset.
    pub priority: Option<Priority>,
    /// Type, or unset.
    pub ticket_type: Option<TicketType>,
    /// The channel it was created through.
    pub channel: Channel,
    /// Subject line.
    pub subject: Option<String>,
    /// Tags: lowercase words.
    pub tags: BTreeSet<String>,
    /// Group name.
    pub group: Option<String>,
    /// Assignee id or name.
    pub assignee: Option<String>,
    /// Ticket form.
    pub form: Option<String>,
    /// Brand.
    pub brand: Option<String>,
    /// Business-hours schedule name (S14).
    pub schedule: Option<String>,
    /// Satisfaction survey state.
    pub satisfaction: Satisfaction,
    /// The end user.
    pub requester: Requester,
    /// The requester's organization.
    pub organization: Option<Organization>,
    /// Custom fields.
    pub fields: BTreeMap<String, FieldValue>,
    /// Due date (`hours until due`).
    pub due_at: Option<Timestamp>,
    /// SLA breach time (`hours until sla_breach`).
    pub sla_breach_at: Option<Timestamp>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// Last update by the requester.
    pub requester_updated_at: Option<Timestamp>,
    /// Last update by the assignee.
    pub assignee_updated_at: Option<Timestamp>,
    /// When the ticket entered its current status (`hours since open|pending|hold|solved`).
    pub status_changed_at: Timestamp,
    /// When an assignee was last set.
    pub assigned_at: Option<Timestamp>,
    /// When it was last solved.
    pub solved_at: Option<Timestamp>,
    /// WhatsApp send time of the latest end-user message: the window anchor (W1, W3).
    pub last_end_user_message_at: Option<Timestamp>,
    /// Comments in the order added.
    pub comments: Vec<Comment>,
    /// How many times automations updated this ticket (S16).
    pub automation_updates: u32,
}

impl Ticket {
    /// A ticket with `id` and `channel`, created at `at`, status `new`, everything else empty.
    pub fn new(id: impl Into<String>, channel: Channel, at: Timestamp) -> Self {
        Ticket {
            id: id.into(),
            status: Status::New,
            priority: None,
            ticket_type: None,
            channel,
            subject: None,
            tags: BTreeSet::new(),
            group: None,
            assignee: None,
            form: None,
            brand: None,
            schedule: None,
            satisfaction: Satisfaction::Unoffered,
            requester: Requester::default(),
            organization: None,
            fields: BTreeMap::new(),
            due_at: None,
            sla_breach_at: None,
            created_at: at,
            updated_at: at,
            requester_updated_at: None,
            assignee_updated_at: None,
            status_changed_at: at,
            assigned_at: None,
            solved_at: None,
            last_end_user_message_at: None,
            comments: Vec::new(),
            automation_updates: 0,
        }
    }

    /// True when the ticket has at least one public comment (`public` condition).
    pub fn has_public_comments(&self) -> bool {
        self.comments.iter().any(|c| c.public)
    }
}
