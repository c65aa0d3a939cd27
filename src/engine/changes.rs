//! Net changes (S10): which fields an update touched ([`Key`]) and the [`Change`] list
//! reported for them, compared with the ticket before the update.
//!
//! Invariant: [`diff`] is a pure function of the two tickets and the touch order; a field
//! touched but ending where it started is not a change, and tags report what was added
//! and removed in the order applied.

use jiff::Timestamp;

use crate::model::{FieldValue, Ticket};

use super::outcome::Change;

/// A field that can appear in `changes` (events.md), in canonical creation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Key {
    Channel,
    Status,
    Subject,
    Priority,
    Type,
    Group,
    Assignee,
    Form,
    Brand,
    Schedule,
    Satisfaction,
    DueAt,
    SlaBreachAt,
    Custom(String),
    Tags,
}

fn text_value(s: &Option<String>) -> Option<serde_json::Value> {
    s.as_ref().map(|s| serde_json::Value::String(s.clone()))
}

fn ts_value(t: &Option<Timestamp>) -> Option<serde_json::Value> {
    t.map(|t| serde_json::Value::String(t.to_string()))
}

fn field_json(v: &FieldValue) -> serde_json::Value {
    match v {
        FieldValue::Bool(b) => serde_json::Value::Bool(*b),
        FieldValue::Int(i) => serde_json::Value::from(*i),
        FieldValue::Float(x) => serde_json::Number::from_f64(*x)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        FieldValue::Text(s) => serde_json::Value::String(s.clone()),
    }
}

fn key_value(k: &Key, t: &Ticket) -> Option<serde_json::Value> {
    match k {
        Key::Channel => Some(serde_json::Value::String(t.channel.as_str().to_string())),
        Key::Status => Some(serde_json::Value::String(t.status.as_str().to_string())),
        Key::Subject => text_value(&t.subject),
        Key::Priority => t.priority.map(|p| p.as_str().into()),
        Key::Type => t.ticket_type.map(|p| p.as_str().into()),
        Key::Group => text_value(&t.group),
        Key::Assignee => text_value(&t.assignee),
        Key::Form => text_value(&t.form),
        Key::Brand => text_value(&t.brand),
        Key::Schedule => text_value(&t.schedule),
        Key::Satisfaction => Some(t.satisfaction.as_str().into()),
        Key::DueAt => ts_value(&t.due_at),
        Key::SlaBreachAt => ts_value(&t.sla_breach_at),
        Key::Custom(n) => t.fields.get(n).map(field_json),
        Key::Tags => None,
    }
}

fn key_name(k: &Key) -> String {
    match k {
        Key::Channel => "channel".into(),
        Key::Status => "status".into(),
        Key::Subject => "subject".into(),
        Key::Priority => "priority".into(),
        Key::Type => "type".into(),
        Key::Group => "group".into(),
        Key::Assignee => "assignee".into(),
        Key::Form => "form".into(),
        Key::Brand => "brand".into(),
        Key::Schedule => "schedule".into(),
        Key::Satisfaction => "satisfaction".into(),
        Key::DueAt => "due_at".into(),
        Key::SlaBreachAt => "sla_breach_at".into(),
        Key::Custom(n) => format!("fields.{n}"),
        Key::Tags => "tags".into(),
    }
}

/// Net changes from `before` (None: created) to `after`, fields in first-touched order (S10).
pub(crate) fn diff(
    before: Option<&Ticket>,
    after: &Ticket,
    touched: &[Key],
    tag_order: &[String],
) -> Vec<Change> {
    let mut out = Vec::new();
    let mut done: Vec<&Key> = Vec::new();
    for k in touched {
        if done.contains(&k) {
            continue;
        }
        done.push(k);
        if *k == Key::Tags {
            let empty = Default::default();
            let old = before.map(|b| &b.tags).unwrap_or(&empty);
            let mut added: Vec<String> = Vec::new();
            let mut removed: Vec<String> = Vec::new();
            for t in tag_order {
                if after.tags.contains(t) && !old.contains(t) && !added.contains(t) {
                    added.push(t.clone());
                }
                if old.contains(t) && !after.tags.contains(t) && !removed.contains(t) {
                    removed.push(t.clone());
                }
            }
            for t in after.tags.difference(old) {
                if !added.contains(t) {
                    added.push(t.clone());
                }
            }
            for t in old.difference(&after.tags) {
                if !removed.contains(t) {
                    removed.push(t.clone());
                }
            }
            if !added.is_empty() || !removed.is_empty() {
                out.push(Change::Tags { added, removed });
            }
            continue;
        }
        let from = before.and_then(|b| key_value(k, b));
        let to = key_value(k, after);
        if from != to {
            out.push(Change::Field {
                field: key_name(k),
                from,
                to,
            });
        }
    }
    out
}
