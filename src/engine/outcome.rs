//! What the engine returns for each event and each automation run (events.md "Results
//! out"). Plain data; `io::output` turns it into JSON lines or pretty text.

use jiff::Timestamp;
use serde::Serialize;

/// How an input line ended (events.md `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineStatus {
    /// Applied.
    Ok,
    /// Not applied; `error` says why.
    Rejected,
    /// An event id seen before: not applied again.
    Duplicate,
}

/// The outcome of one input event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventOutcome {
    /// The event id (`line:N` when the input had none); `None` only when unknown.
    pub event: Option<String>,
    /// When the event happened (its `at`), if known.
    pub at: Option<Timestamp>,
    /// ok / rejected / duplicate.
    pub status: LineStatus,
    /// One record per ticket the event concerned, in ticket creation order. Empty for
    /// rejected lines, clock events and statuses for unknown messages.
    pub tickets: Vec<TicketOutcome>,
    /// Warnings about the line itself (out-of-order time, skipped webhook items, unknown wamid).
    pub warnings: Vec<String>,
    /// Why the line was rejected.
    pub error: Option<String>,
    /// The ticket of a rejected or duplicate line, when known.
    pub ticket_hint: Option<String>,
}

impl EventOutcome {
    /// A rejected line with `error` (the message already says where).
    pub fn rejected(
        event: Option<String>,
        at: Option<Timestamp>,
        ticket: Option<String>,
        error: String,
    ) -> Self {
        EventOutcome {
            event,
            at,
            status: LineStatus::Rejected,
            tickets: Vec::new(),
            warnings: Vec::new(),
            error: Some(error),
            ticket_hint: ticket,
        }
    }
}

/// One hourly automation run that updated at least one ticket (S11, S18).
#[derive(Debug, Clone, PartialEq)]
pub struct AutomationRun {
    /// The run time (minute `automation_minute` of a UTC hour).
    pub at: Timestamp,
    /// Per-ticket records in ticket creation order.
    pub tickets: Vec<TicketOutcome>,
}

/// Everything that happened to one ticket in one event or automation run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TicketOutcome {
    /// Ticket id.
    pub ticket: String,
    /// Card numbers removed from ticket content by redaction rules (W13).
    pub redactions: usize,
    /// Rule ids in firing order (`trigger:T`, `automation:T`, `redaction:T`, `system:…`).
    pub fired: Vec<String>,
    /// Net changes in the order applied (S10).
    pub changes: Vec<Change>,
    /// Outbound items in the order sent.
    pub messages: Vec<Message>,
    /// Agent-facing sentences (times in UTC to the minute).
    pub notices: Vec<String>,
    /// Warnings about this ticket's update.
    pub warnings: Vec<String>,
    /// With explain on: every rule considered, in evaluation order (S4 restarts and
    /// automation runs included). Empty otherwise.
    pub explain: Vec<RuleTrace>,
}

/// Why a rule did or did not match, once (`run --explain`).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleTrace {
    /// The rule id (`trigger:TITLE`, `automation:TITLE`, `redaction:TITLE`).
    pub rule: String,
    /// Whether it matched.
    pub matched: bool,
    /// Every condition, in source order (`when all` first, then `when any`).
    pub conditions: Vec<ConditionTrace>,
    /// For triggers: the pass of the S4 cycle (1, then one more after each firing); 0
    /// for redaction rules and automations.
    pub pass: u32,
}

/// One condition of a [`RuleTrace`].
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionTrace {
    /// The condition as written, e.g. `status is pending`.
    pub text: String,
    /// Its value on this ticket and update.
    pub value: bool,
    /// The actual value it tested, in words (e.g. `open`, `21 hours`, `none`); for people.
    pub actual: String,
    /// The condition is in the rule's `when any` block (else `when all`).
    pub any: bool,
}

/// A net change of one field.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A single-valued field: `status`, `priority`, `fields.NAME`, … `None` = unset.
    Field {
        /// Field name as in events.md (`status`, `fields.order_id`).
        field: String,
        /// Value before the update.
        from: Option<serde_json::Value>,
        /// Value after.
        to: Option<serde_json::Value>,
    },
    /// Tag changes.
    Tags {
        /// Tags added, in the order applied.
        added: Vec<String>,
        /// Tags removed, in the order applied.
        removed: Vec<String>,
    },
}

/// `kind` of an outbound item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    /// Free-text message on the ticket's channel.
    Text,
    /// A template message (W7–W11, W15).
    Template,
    /// A private note.
    Note,
    /// An email notification.
    Email,
    /// A webhook call.
    Webhook,
}

/// `delivery` of an outbound item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// Sent.
    Delivered,
    /// A guard stopped it (`reason` set).
    Blocked,
    /// The platform reported a failure later.
    Failed,
    /// Nothing to send (S9, W5b).
    Skipped,
    /// Notes and webhooks: recorded for the host.
    Recorded,
}

/// One outbound item.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Event id for agent replies, else `auto:<at>:<ticket>:<n>` / `rule:<event>:<n>`.
    pub id: String,
    /// `agent`, `macro`, `autoresponder`, `trigger:TITLE`, `automation:TITLE`.
    pub source: String,
    /// text / template / note / email / webhook.
    pub kind: MessageKind,
    /// delivered / blocked / failed / skipped / recorded.
    pub delivery: Delivery,
    /// Reason code (whatsapp.md codes; `platform_error`; for skipped e-mails
    /// `no_public_comment` (S9) or `reply_not_delivered` (W5b)).
    pub reason: Option<String>,
    /// For `outside_24h_window`: when the window closed (W5), if one ever opened.
    pub window_closed_at: Option<Timestamp>,
    /// A platform error code reported by a status webhook.
    pub error_code: Option<i64>,
    /// For hosts: the rendered text / body (not part of the JSONL contract).
    pub body: Option<String>,
    /// For hosts: recipient (group or webhook name; `requester`, `assignee`).
    pub to: Option<String>,
}
