//! What the engine returns for each event and each automation run (events.md "Results
//! out"): plain data, filled by [`crate::engine`] and formatted by [`crate::io`].
//!
//! Invariant: this module is a leaf below both: it depends on no engine or io code
//! (only on [`crate::guards::BlockReason`] for reason codes), so the two never import
//! each other. The types are re-exported as `engine::*` and at the crate root.

use std::fmt;

use jiff::Timestamp;
use serde::Serialize;

use crate::guards::BlockReason;

/// What one call to `Engine::process` produced: the automation runs that happened
/// before the event (S18), then the event's own outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Hourly runs between the previous clock and the event's time that updated a ticket.
    pub runs: Vec<AutomationRun>,
    /// The event's outcome.
    pub outcome: EventOutcome,
}

/// How an input line ended (events.md `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineStatus {
    /// Applied.
    Ok,
    /// Not applied; `error` says why.
    Rejected,
    /// Not applied again: an event id seen before, or a WhatsApp line whose every
    /// message and status was applied before (see [`EventOutcome::duplicate_items`]).
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
    /// The WhatsApp items of the line that were applied before and so were not applied
    /// again (output key `duplicate_items`, only when not empty): a message as its wamid,
    /// a status as `wamid:status`, in body order. On an `ok` line the other items were
    /// applied; on a `duplicate` line none was. Empty for native events other than a
    /// `message.received` with a `wamid`, and for an identical retry (caught by its key).
    pub duplicate_items: Vec<String>,
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
            duplicate_items: Vec::new(),
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
    /// Why it was not delivered ([`DeliveryReason::code`] gives the events.md code).
    pub reason: Option<DeliveryReason>,
    /// For `outside_24h_window`: when the window closed (W5), if one ever opened.
    pub window_closed_at: Option<Timestamp>,
    /// A platform error code reported by a status webhook.
    pub error_code: Option<i64>,
    /// For hosts: the rendered text / body (not part of the JSONL contract).
    pub body: Option<String>,
    /// For hosts: recipient (group or webhook name; `requester`, `assignee`).
    pub to: Option<String>,
}

/// Why an outbound item was blocked, failed or skipped (events.md `reason`).
/// [`DeliveryReason::code`] gives the reason code written to the event log; `Display`
/// writes the same code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryReason {
    /// A guard stopped the message (W5–W12): the guard's code. A status webhook's error
    /// 131047 (the window had closed) is reported as [`BlockReason::OutsideWindow`] too.
    Guard(BlockReason),
    /// WhatsApp reported another delivery failure: `platform_error`.
    PlatformError,
    /// `notify requester` without a public comment that reached the requester (S9):
    /// `no_public_comment`.
    NoPublicComment,
    /// `notify requester` for a public reply a guard blocked (W5b): `reply_not_delivered`.
    ReplyNotDelivered,
    /// `notify assignee` on a ticket without an assignee: `no_assignee`.
    NoAssignee,
}

impl DeliveryReason {
    /// Every reason, guard reasons first in [`BlockReason::ALL`] order.
    pub const ALL: [DeliveryReason; 10] = [
        DeliveryReason::Guard(BlockReason::OutsideWindow),
        DeliveryReason::Guard(BlockReason::TemplatesRequireLicense),
        DeliveryReason::Guard(BlockReason::TemplateNotApproved),
        DeliveryReason::Guard(BlockReason::AutomationTemplateUnsupported),
        DeliveryReason::Guard(BlockReason::NotOptedIn),
        DeliveryReason::Guard(BlockReason::TemplateNotSupportedOnChannel),
        DeliveryReason::PlatformError,
        DeliveryReason::NoPublicComment,
        DeliveryReason::ReplyNotDelivered,
        DeliveryReason::NoAssignee,
    ];

    /// The reason code of the event log (events.md `reason`, whatsapp.md codes).
    pub fn code(self) -> &'static str {
        match self {
            DeliveryReason::Guard(r) => r.code(),
            DeliveryReason::PlatformError => "platform_error",
            DeliveryReason::NoPublicComment => "no_public_comment",
            DeliveryReason::ReplyNotDelivered => "reply_not_delivered",
            DeliveryReason::NoAssignee => "no_assignee",
        }
    }

    /// The reason whose [`code`](Self::code) is `code`, if any.
    pub fn from_code(code: &str) -> Option<DeliveryReason> {
        DeliveryReason::ALL.into_iter().find(|r| r.code() == code)
    }
}

impl From<BlockReason> for DeliveryReason {
    fn from(r: BlockReason) -> Self {
        DeliveryReason::Guard(r)
    }
}

impl fmt::Display for DeliveryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_code_is_distinct_and_parses_back() {
        let codes: Vec<&str> = DeliveryReason::ALL.iter().map(|r| r.code()).collect();
        insta::assert_debug_snapshot!(codes, @r#"
        [
            "outside_24h_window",
            "templates_require_license",
            "template_not_approved",
            "automation_template_unsupported",
            "not_opted_in",
            "template_not_supported_on_channel",
            "platform_error",
            "no_public_comment",
            "reply_not_delivered",
            "no_assignee",
        ]
        "#);
        for r in DeliveryReason::ALL {
            assert_eq!(DeliveryReason::from_code(r.code()), Some(r));
            assert_eq!(r.to_string(), r.code());
        }
        assert_eq!(DeliveryReason::from_code("sent"), None);
        for b in BlockReason::ALL {
            assert!(DeliveryReason::ALL.contains(&DeliveryReason::Guard(b)));
        }
    }
}
