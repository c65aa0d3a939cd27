//! JSON forms of engine state for the database and the HTTP API: a serde mirror of
//! [`Ticket`] (the model types carry no serde derives) and of [`SentMessage`].
//!
//! The conversions destructure and build the model structs field by field without `..`,
//! so a field added to the model is a compile error here, not silently lost state.
//! Timestamps are RFC 3339 UTC strings; enums are their lowercase words (events.md).

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::engine::{Delivery, DeliveryReason, Message, MessageKind, SentMessage};
use crate::model::{
    Attachment, AuthorRole, Channel, Comment, FieldValue, Organization, Priority, Requester,
    Satisfaction, Status, Ticket, TicketType,
};

/// A ticket as JSON: the keys of events.md's `ticket.created` plus the engine's
/// bookkeeping (window anchor `last_end_user_message_at`, W1; `automation_updates`, S16).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketJson {
    /// Ticket id.
    pub id: String,
    /// Status word.
    pub status: Status,
    /// Priority word or null.
    pub priority: Option<Priority>,
    /// Type word or null.
    #[serde(rename = "type")]
    pub ticket_type: Option<TicketType>,
    /// Channel name.
    pub channel: String,
    /// Subject.
    pub subject: Option<String>,
    /// Tags (sorted).
    pub tags: BTreeSet<String>,
    /// Group.
    pub group: Option<String>,
    /// Assignee.
    pub assignee: Option<String>,
    /// Form.
    pub form: Option<String>,
    /// Brand.
    pub brand: Option<String>,
    /// Schedule name (S14).
    pub schedule: Option<String>,
    /// Satisfaction word.
    pub satisfaction: Satisfaction,
    /// The requester.
    pub requester: RequesterJson,
    /// The organization.
    pub organization: Option<OrganizationJson>,
    /// Custom fields.
    pub fields: BTreeMap<String, FieldValue>,
    /// Due time.
    pub due_at: Option<Timestamp>,
    /// SLA breach time.
    pub sla_breach_at: Option<Timestamp>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// Last update by the requester.
    pub requester_updated_at: Option<Timestamp>,
    /// Last update by the assignee.
    pub assignee_updated_at: Option<Timestamp>,
    /// When the current status began.
    pub status_changed_at: Timestamp,
    /// When an assignee was last set.
    pub assigned_at: Option<Timestamp>,
    /// When last solved.
    pub solved_at: Option<Timestamp>,
    /// The window anchor: WhatsApp send time of the latest end-user message (W1, W3).
    pub last_end_user_message_at: Option<Timestamp>,
    /// Comments in the order added.
    pub comments: Vec<CommentJson>,
    /// Automation updates so far (S16).
    pub automation_updates: u32,
}

/// The requester as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequesterJson {
    /// Host id.
    pub id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone (E.164).
    pub phone: Option<String>,
    /// Opted in (W11).
    pub opted_in: bool,
    /// Tags.
    pub tags: BTreeSet<String>,
    /// Custom fields.
    pub fields: BTreeMap<String, FieldValue>,
}

/// The organization as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationJson {
    /// Host id.
    pub id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Custom fields.
    pub fields: BTreeMap<String, FieldValue>,
}

/// A comment as JSON; `author` is `end_user`, `agent` or `system`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentJson {
    /// Message id.
    pub id: String,
    /// `end_user`, `agent`, `system`.
    pub author: String,
    /// Public or private note.
    pub public: bool,
    /// Text (end-user text already redacted, W13).
    pub text: String,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// When added.
    pub at: Timestamp,
}

fn author_word(a: AuthorRole) -> &'static str {
    match a {
        AuthorRole::EndUser => "end_user",
        AuthorRole::Agent => "agent",
        AuthorRole::System => "system",
    }
}

fn author_parse(s: &str) -> Result<AuthorRole, String> {
    match s {
        "end_user" => Ok(AuthorRole::EndUser),
        "agent" => Ok(AuthorRole::Agent),
        "system" => Ok(AuthorRole::System),
        other => Err(format!("unknown comment author `{other}`")),
    }
}

impl From<&Ticket> for TicketJson {
    fn from(t: &Ticket) -> Self {
        let Ticket {
            id,
            status,
            priority,
            ticket_type,
            channel,
            subject,
            tags,
            group,
            assignee,
            form,
            brand,
            schedule,
            satisfaction,
            requester,
            organization,
            fields,
            due_at,
            sla_breach_at,
            created_at,
            updated_at,
            requester_updated_at,
            assignee_updated_at,
            status_changed_at,
            assigned_at,
            solved_at,
            last_end_user_message_at,
            comments,
            automation_updates,
        } = t;
        let Requester {
            id: rid,
            name,
            email,
            phone,
            opted_in,
            tags: rtags,
            fields: rfields,
        } = requester;
        TicketJson {
            id: id.clone(),
            status: *status,
            priority: *priority,
            ticket_type: *ticket_type,
            channel: channel.as_str().to_string(),
            subject: subject.clone(),
            tags: tags.clone(),
            group: group.clone(),
            assignee: assignee.clone(),
            form: form.clone(),
            brand: brand.clone(),
            schedule: schedule.clone(),
            satisfaction: *satisfaction,
            requester: RequesterJson {
                id: rid.clone(),
                name: name.clone(),
                email: email.clone(),
                phone: phone.clone(),
                opted_in: *opted_in,
                tags: rtags.clone(),
                fields: rfields.clone(),
            },
            organization: organization.as_ref().map(|o| {
                let Organization { id, name, fields } = o;
                OrganizationJson {
                    id: id.clone(),
                    name: name.clone(),
                    fields: fields.clone(),
                }
            }),
            fields: fields.clone(),
            due_at: *due_at,
            sla_breach_at: *sla_breach_at,
            created_at: *created_at,
            updated_at: *updated_at,
            requester_updated_at: *requester_updated_at,
            assignee_updated_at: *assignee_updated_at,
            status_changed_at: *status_changed_at,
            assigned_at: *assigned_at,
            solved_at: *solved_at,
            last_end_user_message_at: *last_end_user_message_at,
            comments: comments
                .iter()
                .map(|c| {
                    let Comment {
                        id,
                        author,
                        public,
                        text,
                        attachments,
                        at,
                    } = c;
                    CommentJson {
                        id: id.clone(),
                        author: author_word(*author).to_string(),
                        public: *public,
                        text: text.clone(),
                        attachments: attachments.clone(),
                        at: *at,
                    }
                })
                .collect(),
            automation_updates: *automation_updates,
        }
    }
}

impl TryFrom<TicketJson> for Ticket {
    type Error = String;

    fn try_from(j: TicketJson) -> Result<Self, String> {
        let mut comments = Vec::with_capacity(j.comments.len());
        for c in j.comments {
            comments.push(Comment {
                id: c.id,
                author: author_parse(&c.author)?,
                public: c.public,
                text: c.text,
                attachments: c.attachments,
                at: c.at,
            });
        }
        Ok(Ticket {
            id: j.id,
            status: j.status,
            priority: j.priority,
            ticket_type: j.ticket_type,
            channel: Channel::parse(&j.channel),
            subject: j.subject,
            tags: j.tags,
            group: j.group,
            assignee: j.assignee,
            form: j.form,
            brand: j.brand,
            schedule: j.schedule,
            satisfaction: j.satisfaction,
            requester: Requester {
                id: j.requester.id,
                name: j.requester.name,
                email: j.requester.email,
                phone: j.requester.phone,
                opted_in: j.requester.opted_in,
                tags: j.requester.tags,
                fields: j.requester.fields,
            },
            organization: j.organization.map(|o| Organization {
                id: o.id,
                name: o.name,
                fields: o.fields,
            }),
            fields: j.fields,
            due_at: j.due_at,
            sla_breach_at: j.sla_breach_at,
            created_at: j.created_at,
            updated_at: j.updated_at,
            requester_updated_at: j.requester_updated_at,
            assignee_updated_at: j.assignee_updated_at,
            status_changed_at: j.status_changed_at,
            assigned_at: j.assigned_at,
            solved_at: j.solved_at,
            last_end_user_message_at: j.last_end_user_message_at,
            comments,
            automation_updates: j.automation_updates,
        })
    }
}

/// An outbound message remembered by WhatsApp id, as stored in the database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentJson {
    /// The ticket it was sent on.
    pub ticket: String,
    /// Message id.
    pub id: String,
    /// Source (`agent`, `trigger:TITLE`, …).
    pub source: String,
    /// `text`, `template`, `note`, `email`, `webhook`.
    pub kind: String,
    /// `delivered`, `blocked`, `failed`, `skipped`, `recorded`.
    pub delivery: String,
    /// Reason code.
    pub reason: Option<String>,
    /// When the window closed (W5).
    pub window_closed_at: Option<Timestamp>,
    /// Platform error code.
    pub error_code: Option<i64>,
    /// Rendered text for hosts.
    pub body: Option<String>,
    /// Recipient for hosts.
    pub to: Option<String>,
}

fn kind_word(k: MessageKind) -> &'static str {
    match k {
        MessageKind::Text => "text",
        MessageKind::Template => "template",
        MessageKind::Note => "note",
        MessageKind::Email => "email",
        MessageKind::Webhook => "webhook",
    }
}

fn delivery_word(d: Delivery) -> &'static str {
    match d {
        Delivery::Delivered => "delivered",
        Delivery::Blocked => "blocked",
        Delivery::Failed => "failed",
        Delivery::Skipped => "skipped",
        Delivery::Recorded => "recorded",
    }
}

impl From<&SentMessage> for SentJson {
    fn from(s: &SentMessage) -> Self {
        let Message {
            id,
            source,
            kind,
            delivery,
            reason,
            window_closed_at,
            error_code,
            body,
            to,
        } = &s.message;
        SentJson {
            ticket: s.ticket.clone(),
            id: id.clone(),
            source: source.clone(),
            kind: kind_word(*kind).to_string(),
            delivery: delivery_word(*delivery).to_string(),
            reason: reason.map(|r| r.code().to_string()),
            window_closed_at: *window_closed_at,
            error_code: *error_code,
            body: body.clone(),
            to: to.clone(),
        }
    }
}

impl TryFrom<SentJson> for SentMessage {
    type Error = String;

    fn try_from(j: SentJson) -> Result<Self, String> {
        let kind = [
            MessageKind::Text,
            MessageKind::Template,
            MessageKind::Note,
            MessageKind::Email,
            MessageKind::Webhook,
        ]
        .into_iter()
        .find(|k| kind_word(*k) == j.kind)
        .ok_or_else(|| format!("unknown message kind `{}`", j.kind))?;
        let delivery = [
            Delivery::Delivered,
            Delivery::Blocked,
            Delivery::Failed,
            Delivery::Skipped,
            Delivery::Recorded,
        ]
        .into_iter()
        .find(|d| delivery_word(*d) == j.delivery)
        .ok_or_else(|| format!("unknown delivery `{}`", j.delivery))?;
        let reason = j
            .reason
            .map(|r| DeliveryReason::from_code(&r).ok_or_else(|| format!("unknown reason `{r}`")))
            .transpose()?;
        Ok(SentMessage {
            ticket: j.ticket,
            message: Message {
                id: j.id,
                source: j.source,
                kind,
                delivery,
                reason,
                window_closed_at: j.window_closed_at,
                error_code: j.error_code,
                body: j.body,
                to: j.to,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_round_trips_through_json() {
        let at: Timestamp = "2026-11-24T09:00:00Z".parse().unwrap();
        let mut t = Ticket::new("T-1/2", Channel::parse("whatsapp"), at);
        t.priority = Some(Priority::High);
        t.tags.insert("followup".into());
        t.requester.phone = Some("+15550100001".into());
        t.requester.opted_in = true;
        t.fields
            .insert("order_id".into(), FieldValue::Text("48213".into()));
        t.fields.insert("n".into(), FieldValue::Int(3));
        t.organization = Some(Organization {
            id: Some("o1".into()),
            name: None,
            fields: BTreeMap::new(),
        });
        t.last_end_user_message_at = Some(at);
        t.comments.push(Comment {
            id: "e1".into(),
            author: AuthorRole::EndUser,
            public: true,
            text: "hi".into(),
            attachments: vec![Attachment {
                kind: "image".into(),
                id: Some("m1".into()),
                caption: None,
            }],
            at,
        });
        t.automation_updates = 2;
        let text = serde_json::to_string(&TicketJson::from(&t)).unwrap();
        let back: TicketJson = serde_json::from_str(&text).unwrap();
        assert_eq!(Ticket::try_from(back).unwrap(), t);
    }

    #[test]
    fn sent_message_round_trips_through_json() {
        let s = SentMessage {
            ticket: "T-1".into(),
            message: Message {
                id: "e3".into(),
                source: "agent".into(),
                kind: MessageKind::Template,
                delivery: Delivery::Failed,
                reason: Some(DeliveryReason::PlatformError),
                window_closed_at: None,
                error_code: Some(131026),
                body: Some("hello".into()),
                to: None,
            },
        };
        let text = serde_json::to_string(&SentJson::from(&s)).unwrap();
        let back: SentJson = serde_json::from_str(&text).unwrap();
        assert_eq!(SentMessage::try_from(back).unwrap(), s);
    }
}
