//! Decoding input lines (events.md "Events in"): native JSON events and WhatsApp Cloud API
//! webhook bodies, detected per line, into [`Event`]s.
//!
//! Policy where the spec is silent:
//! - Unknown top-level keys are ignored (hosts add their own metadata). Unknown keys inside
//!   `changes` and `template` are errors (a typo there would silently drop a change).
//!   Unknown keys in descriptive objects (`ticket`, `requester`, `organization`, `author`,
//!   `attachments[]`) are ignored, so a host can pass its own records through.
//! - Ids and names of things (`id`, `ticket`, `ticket.id`, `assignee`, `group`, `form`,
//!   `brand`, `schedule`, requester/organization/author `id`) accept a string or an integer
//!   (read as its digits). Every other string key needs a JSON string.
//! - `null` for an optional key means "absent"; in `changes` it clears the value (where
//!   the value can be cleared).
//! - Error messages quote key names and short enum-like words only, never free text or
//!   long numbers from the input.

use serde_json::{Map, Value};

use super::json::{kind, shown, Obj, Res};
use crate::model::{
    Actor, AgentReply, Attachment, Changes, Channel, Event, EventKind, InboundMessage, NewTicket,
    Organization, Priority, ReplyContent, ReplyVia, Requester, Satisfaction, Status,
    TemplateMessage, TicketRef, TicketType,
};

/// A line that could not be decoded. `line` counts physical input lines from 1; the
/// message says what was wrong without repeating input values (events.md "Events in").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct DecodeError {
    /// Input line number (from 1).
    pub line: usize,
    /// What was wrong, in words.
    pub message: String,
}

/// The native event types, in the order of events.md.
pub const EVENT_TYPES: &[&str] = &[
    "ticket.created",
    "message.received",
    "agent.reply",
    "ticket.updated",
    "clock",
];

/// Keys allowed in a `changes` object (events.md `ticket.updated`).
const CHANGE_KEYS: &[&str] = &[
    "status",
    "priority",
    "type",
    "group",
    "assignee",
    "form",
    "brand",
    "schedule",
    "subject",
    "due_at",
    "sla_breach_at",
    "satisfaction",
    "add_tags",
    "remove_tags",
    "set_tags",
    "fields",
];

/// True for a line with nothing to decode: only white space and invisible format
/// characters (byte-order mark U+FEFF, zero-width space/non-joiner/joiner U+200B–U+200D,
/// word joiner U+2060). `run` skips such lines (events.md: one output line per non-blank
/// input line).
pub fn is_blank_line(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}'..='\u{200d}' | '\u{2060}')
    })
}

/// Decodes one non-blank input line (native event or WhatsApp webhook body, detected per
/// line: an object with `"object":"whatsapp_business_account"` or an `"entry"` array is a
/// webhook, decoded by [`crate::io::whatsapp::decode_webhook`]).
///
/// `line` is the physical line number (from 1): it makes the default event id `line:N`
/// and prefixes error messages. A trailing CR (CRLF input) and a leading byte-order mark
/// are accepted.
///
/// # Errors
/// A [`DecodeError`] for invalid JSON (`invalid JSON at column 17: …`), a value that is not
/// an object, an unknown `type`, a missing or mistyped key, an `at` that is not RFC 3339,
/// an unknown enum word (`unknown status \`opne\` in changes.status (expected one of …)`),
/// an `agent.reply` without exactly one of `text`/`template`, or a webhook body with no
/// usable item. Never panics.
pub fn decode_line(text: &str, line: usize) -> Result<Event, DecodeError> {
    let err = |message: String| DecodeError { line, message };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.trim_end_matches(['\r', '\n']);
    if is_blank_line(text) {
        return Err(err("blank line: nothing to decode".to_string()));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| err(json_error(&e)))?;
    let map = match &value {
        Value::Object(map) => map,
        v => {
            return Err(err(format!(
                "expected a JSON object (one event per line), found {}",
                kind(v)
            )))
        }
    };
    if is_webhook(map) {
        return super::whatsapp::decode_webhook(&value, line);
    }
    decode_native(map, line).map_err(err)
}

/// True when a JSON object is a WhatsApp webhook body rather than a native event.
fn is_webhook(map: &Map<String, Value>) -> bool {
    map.get("object").and_then(Value::as_str) == Some("whatsapp_business_account")
        || matches!(map.get("entry"), Some(Value::Array(_)))
}

/// `invalid JSON at column C: REASON` (serde_json's reason, which names no input value).
fn json_error(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let reason = match full.rfind(" at line ") {
        Some(i) => &full[..i],
        None => full.as_str(),
    };
    if e.line() > 1 {
        format!(
            "invalid JSON at line {} column {}: {reason}",
            e.line(),
            e.column()
        )
    } else {
        format!("invalid JSON at column {}: {reason}", e.column())
    }
}

fn decode_native(map: &Map<String, Value>, line: usize) -> Res<Event> {
    let event: &'static str = match map.get("type") {
        None | Some(Value::Null) => {
            return Err(format!(
                "missing field `type` (one of {})",
                EVENT_TYPES.join(", ")
            ))
        }
        Some(Value::String(s)) => match EVENT_TYPES.iter().find(|t| **t == s.as_str()) {
            Some(t) => t,
            None => {
                return Err(format!(
                    "unknown event type {} (expected one of {})",
                    shown(s),
                    EVENT_TYPES.join(", ")
                ))
            }
        },
        Some(v) => return Err(format!("`type` must be a string, found {}", kind(v))),
    };
    let top = Obj::top(map, event);
    let at = match top.get("at") {
        None => return Err(top.missing("at")),
        Some(Value::String(s)) => super::json::parse_time(s, "at")?,
        Some(v) => return Err(top.wrong("at", "an RFC 3339 time string", v)),
    };
    let id = top.id_opt("id")?.unwrap_or_else(|| format!("line:{line}"));
    let kind = match event {
        "ticket.created" => EventKind::TicketCreated(new_ticket(&top.obj_req("ticket")?)?),
        "message.received" => EventKind::MessageReceived(message(&top)?),
        "agent.reply" => EventKind::AgentReply(reply(&top)?),
        "ticket.updated" => {
            let ticket = top.id_req("ticket")?;
            let by = match top.get("by") {
                None => {
                    return Err(format!(
                        "{} (one of agent, end_user, api, system)",
                        top.missing("by")
                    ))
                }
                Some(Value::String(s)) => match s.as_str() {
                    "agent" => Actor::Agent,
                    "end_user" => Actor::EndUser,
                    "api" => Actor::Api,
                    "system" => Actor::System,
                    other => {
                        return Err(format!(
                            "unknown actor {} in by (expected one of agent, end_user, api, system)",
                            shown(other)
                        ))
                    }
                },
                Some(v) => return Err(top.wrong("by", "a string", v)),
            };
            let changes = match top.obj_opt("changes")? {
                Some(c) => changes(&c)?,
                None => Changes::default(),
            };
            EventKind::TicketUpdated {
                ticket,
                by,
                changes,
            }
        }
        _ => EventKind::Clock,
    };
    Ok(Event { id, at, kind })
}

/// A channel name: a short lowercase word (`whatsapp`, `email`, …; others are kept).
fn channel(o: &Obj<'_>, key: &str) -> Res<Option<Channel>> {
    let Some(s) = o.str_opt(key)? else {
        return Ok(None);
    };
    let word = !s.is_empty()
        && s.len() <= 32
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !word {
        return Err(format!(
            "`{}` must be a channel name such as whatsapp, email or web, found {}",
            o.field(key),
            shown(&s)
        ));
    }
    Ok(Some(Channel::parse(&s)))
}

fn new_ticket(t: &Obj<'_>) -> Res<NewTicket> {
    Ok(NewTicket {
        id: t.id_req("id")?,
        channel: channel(t, "channel")?.ok_or_else(|| t.missing("channel"))?,
        subject: t.str_opt("subject")?,
        status: t.enum_opt("status", "status", Status::parse, Status::ALL)?,
        priority: t.enum_opt("priority", "priority", Priority::parse, Priority::ALL)?,
        ticket_type: t.enum_opt("type", "type", TicketType::parse, TicketType::ALL)?,
        group: t.id_opt("group")?,
        assignee: t.id_opt("assignee")?,
        form: t.id_opt("form")?,
        brand: t.id_opt("brand")?,
        schedule: t.id_opt("schedule")?,
        due_at: t.time_opt("due_at")?,
        sla_breach_at: t.time_opt("sla_breach_at")?,
        satisfaction: t.enum_opt(
            "satisfaction",
            "satisfaction",
            Satisfaction::parse,
            Satisfaction::ALL,
        )?,
        tags: t.tags_opt("tags")?.unwrap_or_default(),
        fields: t.set_fields_opt("fields")?,
        requester: match t.obj_opt("requester")? {
            Some(r) => requester(&r)?,
            None => Requester::default(),
        },
        organization: match t.obj_opt("organization")? {
            Some(o) => Some(Organization {
                id: o.id_opt("id")?,
                name: o.str_opt("name")?,
                fields: o.set_fields_opt("fields")?,
            }),
            None => None,
        },
    })
}

fn requester(r: &Obj<'_>) -> Res<Requester> {
    Ok(Requester {
        id: r.id_opt("id")?,
        name: r.str_opt("name")?,
        email: r.str_opt("email")?,
        phone: r.str_opt("phone")?,
        opted_in: r.bool_opt("opted_in")?.unwrap_or(false),
        tags: r.tag_set("tags")?,
        fields: r.set_fields_opt("fields")?,
    })
}

fn message(top: &Obj<'_>) -> Res<InboundMessage> {
    let attachments = match top.get("attachments") {
        None => Vec::new(),
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let key = format!("attachments[{i}]");
                let Value::Object(map) = item else {
                    return Err(format!("`{key}` must be an object, found {}", kind(item)));
                };
                let a = Obj {
                    map,
                    path: key,
                    event: top.event,
                };
                let kind = a.str_opt("type")?.ok_or_else(|| a.missing("type"))?;
                out.push(Attachment {
                    kind: kind.to_lowercase(),
                    id: a.id_opt("id")?,
                    caption: a.str_opt("caption")?,
                });
            }
            out
        }
        Some(v) => return Err(top.wrong("attachments", "a list", v)),
    };
    Ok(InboundMessage {
        ticket: TicketRef::Id(top.id_req("ticket")?),
        sent_at: top.time_opt("sent_at")?,
        text: top.str_opt("text")?.unwrap_or_default(),
        attachments,
        forwarded: top.bool_opt("forwarded")?.unwrap_or(false),
        wamid: top.str_opt("wamid")?,
        channel: channel(top, "channel")?,
        requester: match top.obj_opt("requester")? {
            Some(r) => Some(requester(&r)?),
            None => None,
        },
    })
}

fn reply(top: &Obj<'_>) -> Res<AgentReply> {
    let ticket = top.id_req("ticket")?;
    let (author_id, author_name) = match top.get("author") {
        None => (None, None),
        Some(Value::Object(_)) => {
            let a = top.obj_req("author")?;
            (a.id_opt("id")?, a.str_opt("name")?)
        }
        Some(_) => (top.id_opt("author")?, None),
    };
    let via = match top.get("via") {
        None => ReplyVia::Agent,
        Some(Value::String(s)) => match s.as_str() {
            "agent" => ReplyVia::Agent,
            "macro" => ReplyVia::Macro,
            "autoresponder" => ReplyVia::Autoresponder,
            other => {
                return Err(format!(
                    "unknown reply source {} in via (expected one of agent, macro, autoresponder)",
                    shown(other)
                ))
            }
        },
        Some(v) => return Err(top.wrong("via", "a string", v)),
    };
    let content = match (top.get("text"), top.get("template")) {
        (Some(Value::String(s)), None) => ReplyContent::Text(s.clone()),
        (Some(v), None) => return Err(top.wrong("text", "a string", v)),
        (None, Some(_)) => ReplyContent::Template(template(&top.obj_req("template")?)?),
        _ => return Err("agent.reply needs exactly one of `text` or `template`".to_string()),
    };
    Ok(AgentReply {
        ticket,
        author_id,
        author_name,
        via,
        public: top.bool_opt("public")?.unwrap_or(true),
        content,
        wamid: top.str_opt("wamid")?,
        changes: match top.obj_opt("changes")? {
            Some(c) => changes(&c)?,
            None => Changes::default(),
        },
    })
}

/// A template reference; `language` defaults to `en_US` as in the shorthand (W15).
fn template(t: &Obj<'_>) -> Res<TemplateMessage> {
    t.only_keys(&["name", "language", "params"])?;
    let name = t.str_opt("name")?.ok_or_else(|| t.missing("name"))?;
    if name.trim().is_empty() {
        return Err(format!("`{}` must not be empty", t.field("name")));
    }
    let language = t
        .str_opt("language")?
        .unwrap_or_else(|| "en_US".to_string());
    let params = match t.get("params") {
        None => Vec::new(),
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(match item {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    v => {
                        return Err(format!(
                            "`{}[{i}]` must be text or a number, found {}",
                            t.field("params"),
                            kind(v)
                        ))
                    }
                });
            }
            out
        }
        Some(v) => return Err(t.wrong("params", "a list", v)),
    };
    Ok(TemplateMessage {
        name,
        language,
        params,
    })
}

/// `changes` of `ticket.updated` / `agent.reply`: absent key → `None`, `null` → cleared.
fn changes(c: &Obj<'_>) -> Res<Changes> {
    c.only_keys(CHANGE_KEYS)?;
    for key in ["status", "satisfaction"] {
        if c.is_null(key) {
            return Err(format!(
                "`{}` cannot be cleared (null); give one of its values",
                c.field(key)
            ));
        }
    }
    for key in ["add_tags", "remove_tags", "set_tags"] {
        if c.is_null(key) {
            return Err(format!(
                "`{}` must be a list of tags, found null (use [] for none)",
                c.field(key)
            ));
        }
    }
    Ok(Changes {
        status: c.enum_opt("status", "status", Status::parse, Status::ALL)?,
        priority: c.clearable("priority", |c| {
            c.enum_opt("priority", "priority", Priority::parse, Priority::ALL)
        })?,
        ticket_type: c.clearable("type", |c| {
            c.enum_opt("type", "type", TicketType::parse, TicketType::ALL)
        })?,
        group: c.clearable("group", |c| c.id_opt("group"))?,
        assignee: c.clearable("assignee", |c| c.id_opt("assignee"))?,
        form: c.clearable("form", |c| c.id_opt("form"))?,
        brand: c.clearable("brand", |c| c.id_opt("brand"))?,
        schedule: c.clearable("schedule", |c| c.id_opt("schedule"))?,
        subject: c.clearable("subject", |c| c.str_opt("subject"))?,
        due_at: c.clearable("due_at", |c| c.time_opt("due_at"))?,
        sla_breach_at: c.clearable("sla_breach_at", |c| c.time_opt("sla_breach_at"))?,
        satisfaction: c.enum_opt(
            "satisfaction",
            "satisfaction",
            Satisfaction::parse,
            Satisfaction::ALL,
        )?,
        add_tags: c.tags_opt("add_tags")?.unwrap_or_default(),
        remove_tags: c.tags_opt("remove_tags")?.unwrap_or_default(),
        set_tags: c.tags_opt("set_tags")?,
        fields: c.fields_opt("fields")?.unwrap_or_default(),
    })
}
