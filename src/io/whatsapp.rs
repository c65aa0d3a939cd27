//! Decoding WhatsApp Cloud API webhook bodies (events.md "WhatsApp Cloud API webhook
//! payloads") into one [`Event`] holding a [`WebhookBatch`].
//!
//! Shape: `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages",
//! "value":{"contacts":[…],"messages":[…],"statuses":[…]}}]}]}`. Items are read per change
//! in the order messages, then statuses. Items are numbered from 1 across the whole body
//! (`item 2: …`) in the sentences of [`WebhookBatch::skipped`].
//!
//! - A `messages[]` item becomes a [`WebhookItem::Message`]: the sender `from` (a wa_id,
//!   digits) picks the ticket (W1: `sent_at` is the item's `timestamp`, unix seconds, as a
//!   string or a number); text from `text.body`, a media `caption`, an interactive reply
//!   title, a quick-reply button's text, a location's name and address, shared contacts'
//!   names and phones, or an order's text; media items (`image`, `video`, `audio`,
//!   `document`, `sticker`) give one attachment each (W14); `context.forwarded` or
//!   `context.frequently_forwarded` set `forwarded` (W14); the requester is named from the
//!   `contacts[]` entry with the same wa_id (or the only contact), phone `+<wa_id>`, not
//!   opted in.
//! - A `statuses[]` item becomes a [`WebhookItem::Status`] with the first error's code
//!   (131047 = the window was closed).
//! - Reactions, `unsupported`, `system`, deleted (`revoke`) and `edit` messages, message
//!   echoes, unknown types and changes of a field other than `messages` (account and
//!   template updates) are skipped with one sentence each.

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::events::DecodeError;
use super::json::{kind, shown};
use crate::model::{
    Attachment, Channel, DeliveryStatus, Event, EventKind, InboundMessage, Requester, TicketRef,
    WebhookBatch, WebhookItem,
};

/// The media message types that carry one attachment (W14).
const MEDIA_TYPES: &[&str] = &["image", "video", "audio", "document", "sticker"];

/// Decodes one WhatsApp Cloud API webhook body into an [`Event`] of kind
/// [`EventKind::Webhook`]. The event's `at` is the newest usable item's timestamp (UTC);
/// its `id` is the first usable item's id (a wamid), else `line:N`.
///
/// # Errors
/// A [`DecodeError`] (prefixed `line N:`) when the body is not an object, is for another
/// `object` than `whatsapp_business_account`, has no `entry` list, or has no usable
/// message or status item — the message gives the reason, e.g. `webhook body has no
/// messages or statuses (field \`account_update\`)`. Never panics.
pub fn decode_webhook(value: &Value, line: usize) -> Result<Event, DecodeError> {
    let err = |message: String| DecodeError { line, message };
    let Value::Object(body) = value else {
        return Err(err(format!(
            "a webhook body must be a JSON object, found {}",
            kind(value)
        )));
    };
    match body.get("object") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == "whatsapp_business_account" => {}
        Some(Value::String(s)) => {
            return Err(err(format!(
                "webhook body is for object {}, not `whatsapp_business_account`",
                shown(s)
            )))
        }
        Some(v) => {
            return Err(err(format!(
                "webhook `object` must be a string, found {}",
                kind(v)
            )))
        }
    }
    let entries = match body.get("entry") {
        Some(Value::Array(entries)) => entries,
        None | Some(Value::Null) => {
            return Err(err("webhook body has no `entry` list".to_string()));
        }
        Some(v) => {
            return Err(err(format!(
                "webhook `entry` must be a list, found {}",
                kind(v)
            )))
        }
    };

    let mut d = Decoder::default();
    for (e, entry) in entries.iter().enumerate() {
        d.entry(e + 1, entry);
    }

    if d.items.is_empty() {
        let mut reason = if d.item_count == 0 {
            if d.other_fields.is_empty() {
                "webhook body has no messages or statuses".to_string()
            } else {
                format!(
                    "webhook body has no messages or statuses (field {})",
                    d.other_fields.join(", ")
                )
            }
        } else {
            "webhook body has no usable message or status".to_string()
        };
        if (d.item_count > 0 || d.other_fields.is_empty()) && !d.reasons.is_empty() {
            reason.push_str(&format!(" ({})", d.reasons.join("; ")));
        }
        return Err(err(reason));
    }
    let at = d.newest.unwrap_or_default();
    let id = d.first_id.unwrap_or_else(|| format!("line:{line}"));
    Ok(Event {
        id,
        at,
        kind: EventKind::Webhook(WebhookBatch {
            items: d.items,
            skipped: d
                .reasons
                .into_iter()
                .map(|r| format!("{r}; skipped"))
                .collect(),
        }),
    })
}

/// Accumulates the usable items and the skip reasons of one body.
#[derive(Default)]
struct Decoder {
    items: Vec<WebhookItem>,
    /// Skip reasons, `item N: …` / `change N: …`, without the trailing `; skipped`.
    reasons: Vec<String>,
    /// Items seen (usable or not), for numbering.
    item_count: usize,
    /// Changes seen, for numbering.
    change_count: usize,
    /// Quoted names of fields other than `messages`.
    other_fields: Vec<String>,
    newest: Option<Timestamp>,
    first_id: Option<String>,
}

impl Decoder {
    fn entry(&mut self, n: usize, entry: &Value) {
        let Value::Object(entry) = entry else {
            self.reasons.push(format!("entry {n}: not an object"));
            return;
        };
        let changes = match entry.get("changes") {
            Some(Value::Array(changes)) => changes,
            _ => {
                self.reasons.push(format!("entry {n}: no `changes` list"));
                return;
            }
        };
        for change in changes {
            self.change_count += 1;
            self.change(change);
        }
    }

    fn change(&mut self, change: &Value) {
        let c = self.change_count;
        let Value::Object(change) = change else {
            self.reasons.push(format!("change {c}: not an object"));
            return;
        };
        let field = match change.get("field") {
            Some(Value::String(s)) => s.as_str(),
            _ => {
                self.reasons.push(format!("change {c}: no `field` name"));
                return;
            }
        };
        if field != "messages" {
            let name = shown(field);
            self.reasons.push(format!(
                "change {c}: field {name} carries no customer messages or statuses"
            ));
            if !self.other_fields.contains(&name) {
                self.other_fields.push(name);
            }
            return;
        }
        let Some(Value::Object(value)) = change.get("value") else {
            self.reasons.push(format!("change {c}: no `value` object"));
            return;
        };
        if let Some(Value::Array(errors)) = value.get("errors") {
            if let Some(code) = errors.first().and_then(error_code) {
                self.reasons
                    .push(format!("change {c}: WhatsApp reported error {code}"));
            }
        }
        let contacts: &[Value] = match value.get("contacts") {
            Some(Value::Array(c)) => c,
            _ => &[],
        };
        for m in list(value, "messages") {
            self.item_count += 1;
            let n = self.item_count;
            match message(m, contacts) {
                Ok(msg) => {
                    let id = msg.wamid.clone();
                    let at = msg.sent_at;
                    self.push(WebhookItem::Message(msg), at, id);
                }
                Err(why) => self.reasons.push(format!("item {n}: {why}")),
            }
        }
        for s in list(value, "statuses") {
            self.item_count += 1;
            let n = self.item_count;
            match status(s) {
                Ok(st) => {
                    let id = Some(st.wamid.clone());
                    let at = Some(st.at);
                    self.push(WebhookItem::Status(st), at, id);
                }
                Err(why) => self.reasons.push(format!("item {n}: {why}")),
            }
        }
        for _ in list(value, "message_echoes") {
            self.item_count += 1;
            let n = self.item_count;
            self.reasons.push(format!(
                "item {n}: message echoes are the business's own messages"
            ));
        }
    }

    fn push(&mut self, item: WebhookItem, at: Option<Timestamp>, id: Option<String>) {
        if let Some(at) = at {
            self.newest = Some(self.newest.map_or(at, |n| n.max(at)));
        }
        if self.items.is_empty() {
            self.first_id = id;
        }
        self.items.push(item);
    }
}

/// The items of list `key` in a change value (empty when absent or not a list).
fn list<'a>(value: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    match value.get(key) {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

/// A unix-seconds timestamp given as a string of digits or a JSON integer, from 1970 on
/// (WhatsApp never sends earlier times) up to the latest instant the engine represents.
fn unix_time(v: Option<&Value>) -> Option<Timestamp> {
    let secs = match v? {
        Value::String(s) => s.trim().parse::<i64>().ok()?,
        Value::Number(n) => n.as_i64()?,
        _ => return None,
    };
    if secs < 0 {
        return None;
    }
    Timestamp::from_second(secs).ok()
}

/// An error object's `code`, as a number or a string of digits.
fn error_code(e: &Value) -> Option<i64> {
    match e.get("code")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for key in path {
        cur = cur.get(key)?;
    }
    cur.as_str()
}

/// A `messages[]` item, or the reason it cannot be used.
fn message(m: &Value, contacts: &[Value]) -> Result<InboundMessage, String> {
    if !m.is_object() {
        return Err(format!("a message must be an object, found {}", kind(m)));
    }
    let ty = match m.get("type") {
        Some(Value::String(s)) => s.as_str(),
        _ => return Err("message without a `type`".to_string()),
    };
    // Types that carry no customer content for a ticket.
    match ty {
        "reaction" => return Err("reaction messages carry no text".to_string()),
        "unsupported" => {
            let code = m
                .get("errors")
                .and_then(|e| e.get(0))
                .and_then(error_code)
                .map(|c| format!(" (error {c})"))
                .unwrap_or_default();
            return Err(format!("WhatsApp could not read this message type{code}"));
        }
        "system" => {
            return Err(
                "system messages (a changed number or identity) are not customer messages"
                    .to_string(),
            )
        }
        "revoke" => return Err("a deleted message carries no text".to_string()),
        "edit" => return Err("edits of an earlier message are not applied".to_string()),
        _ => {}
    }
    let from = match m.get("from") {
        Some(Value::String(s)) => s.trim().trim_start_matches('+'),
        _ => return Err("message without a sender `from`".to_string()),
    };
    if from.is_empty() || from.len() > 20 || !from.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the sender `from` is not a WhatsApp id (digits)".to_string());
    }
    let sent_at = unix_time(m.get("timestamp"))
        .ok_or_else(|| "message without a valid unix `timestamp`".to_string())?;

    let mut attachments = Vec::new();
    let text = if MEDIA_TYPES.contains(&ty) {
        let Some(media) = m.get(ty).filter(|v| v.is_object()) else {
            return Err(format!("{ty} message without its `{ty}` object"));
        };
        let caption = media.get("caption").and_then(Value::as_str);
        attachments.push(Attachment {
            kind: ty.to_string(),
            id: media.get("id").and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }),
            caption: caption.map(str::to_string),
        });
        caption.unwrap_or_default().to_string()
    } else {
        match ty {
            "text" => str_at(m, &["text", "body"])
                .ok_or("text message without a `text.body`")?
                .to_string(),
            "button" => str_at(m, &["button", "text"])
                .or_else(|| str_at(m, &["button", "payload"]))
                .ok_or("button message without a `button.text`")?
                .to_string(),
            "interactive" => interactive(m)?,
            "location" => location(m)?,
            "contacts" => shared_contacts(m)?,
            "order" => order(m)?,
            other => {
                return Err(format!(
                    "messages of type {} are not supported",
                    shown(other)
                ));
            }
        }
    };

    let context = m.get("context");
    let flag = |k: &str| context.and_then(|c| c.get(k)).and_then(Value::as_bool) == Some(true);
    let forwarded = flag("forwarded") || flag("frequently_forwarded");

    let contact = contacts
        .iter()
        .find(|c| c.get("wa_id").and_then(Value::as_str) == Some(from))
        .or(if contacts.len() == 1 {
            contacts.first()
        } else {
            None
        });
    let name = contact
        .and_then(|c| str_at(c, &["profile", "name"]))
        .filter(|n| !n.trim().is_empty())
        .map(str::to_string);

    Ok(InboundMessage {
        ticket: TicketRef::WhatsApp {
            wa_id: from.to_string(),
        },
        sent_at: Some(sent_at),
        text,
        attachments,
        forwarded,
        wamid: m
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        channel: Some(Channel::Whatsapp),
        requester: Some(Requester {
            name,
            phone: Some(format!("+{from}")),
            opted_in: false,
            ..Requester::default()
        }),
    })
}

/// The reply of an interactive message: a button or list row title, or a flow's body.
fn interactive(m: &Value) -> Result<String, String> {
    let Some(i) = m.get("interactive") else {
        return Err("interactive message without a reply".to_string());
    };
    let sub = match i.get("type").and_then(Value::as_str) {
        Some(t @ ("button_reply" | "list_reply")) => str_at(i, &[t, "title"]),
        Some("nfm_reply") => str_at(i, &["nfm_reply", "body"]).or(Some("")),
        Some(other) => {
            return Err(format!(
                "interactive replies of type {} are not supported",
                shown(other)
            ))
        }
        None => None,
    };
    sub.map(str::to_string)
        .ok_or_else(|| "interactive message without a reply title".to_string())
}

/// A location as text: its name and address, else its coordinates.
fn location(m: &Value) -> Result<String, String> {
    let Some(loc) = m.get("location").filter(|v| v.is_object()) else {
        return Err("location message without its `location` object".to_string());
    };
    let parts: Vec<&str> = ["name", "address"]
        .iter()
        .filter_map(|k| loc.get(*k).and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty())
        .collect();
    if !parts.is_empty() {
        return Ok(parts.join(", "));
    }
    match (
        loc.get("latitude").and_then(Value::as_f64),
        loc.get("longitude").and_then(Value::as_f64),
    ) {
        (Some(lat), Some(lon)) => Ok(format!("Location: {lat}, {lon}")),
        _ => Err("location message without a name or coordinates".to_string()),
    }
}

/// Shared contact cards as text: `Contact: NAME, PHONE; …`.
fn shared_contacts(m: &Value) -> Result<String, String> {
    let cards = match m.get("contacts") {
        Some(Value::Array(cards)) if !cards.is_empty() => cards,
        _ => return Err("contacts message without contact cards".to_string()),
    };
    let texts: Vec<String> = cards
        .iter()
        .map(|card| {
            let mut parts: Vec<String> = Vec::new();
            if let Some(n) = str_at(card, &["name", "formatted_name"]) {
                parts.push(n.to_string());
            }
            if let Some(Value::Array(phones)) = card.get("phones") {
                parts.extend(
                    phones
                        .iter()
                        .filter_map(|p| p.get("phone").and_then(Value::as_str))
                        .map(str::to_string),
                );
            }
            format!("Contact: {}", parts.join(", "))
        })
        .collect();
    Ok(texts.join("; "))
}

/// An order as text: its note, else its items (`Order: 3 x HAMBURGER, …`).
fn order(m: &Value) -> Result<String, String> {
    let Some(o) = m.get("order").filter(|v| v.is_object()) else {
        return Err("order message without its `order` object".to_string());
    };
    if let Some(t) = o.get("text").and_then(Value::as_str) {
        if !t.trim().is_empty() {
            return Ok(t.to_string());
        }
    }
    let items: Vec<String> = match o.get("product_items") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|it| {
                let q = it.get("quantity").map(Value::to_string).unwrap_or_default();
                let p = it
                    .get("product_retailer_id")
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                format!("{q} x {p}")
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(format!("Order: {}", items.join(", ")))
}

/// A `statuses[]` item, or the reason it cannot be used.
fn status(s: &Value) -> Result<DeliveryStatus, String> {
    if !s.is_object() {
        return Err(format!("a status must be an object, found {}", kind(s)));
    }
    let wamid = match s.get("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => return Err("status without a message `id`".to_string()),
    };
    let status = match s.get("status") {
        Some(Value::String(st))
            if !st.is_empty()
                && st.len() <= 32
                && st.chars().all(|c| c.is_ascii_alphabetic() || c == '_') =>
        {
            st.to_ascii_lowercase()
        }
        Some(Value::String(_)) => return Err("status with an unreadable `status` word".to_string()),
        _ => return Err("status without a `status`".to_string()),
    };
    let at = unix_time(s.get("timestamp"))
        .ok_or_else(|| "status without a valid unix `timestamp`".to_string())?;
    let error_code = match s.get("errors") {
        Some(Value::Array(errors)) => errors.first().and_then(error_code),
        _ => None,
    };
    let recipient = match s.get("recipient_id") {
        Some(Value::String(r)) if !r.is_empty() => Some(r.clone()),
        _ => None,
    };
    Ok(DeliveryStatus {
        wamid,
        status,
        at,
        error_code,
        recipient,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(value: Value) -> Value {
        json!({"object": "whatsapp_business_account",
               "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]})
    }

    fn batch(e: &Event) -> &WebhookBatch {
        match &e.kind {
            EventKind::Webhook(b) => b,
            other => panic!("{other:?}"),
        }
    }

    fn msg(item: &WebhookItem) -> &InboundMessage {
        match item {
            WebhookItem::Message(m) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn w3_mixed_body_keeps_usable_items_and_skips_others() {
        let v = body(json!({
            "contacts": [
                {"profile": {"name": "Ann Lee"}, "wa_id": "15550100001"},
                {"profile": {"name": "Bo Kim"}, "wa_id": "15550100002"}
            ],
            "messages": [
                {"from": "15550100001", "id": "wamid.R", "timestamp": "1795510900",
                 "type": "reaction", "reaction": {"message_id": "wamid.X", "emoji": "+1"}},
                {"from": "15550100002", "id": "wamid.B", "timestamp": 1795510850,
                 "type": "text", "text": {"body": "second"}},
                {"from": "15550100001", "id": "wamid.A", "timestamp": "1795510800",
                 "type": "text", "text": {"body": "first"}}
            ],
            "statuses": [
                {"id": "wamid.OUT", "status": "FAILED", "timestamp": "1795510820",
                 "recipient_id": "15550100001", "errors": [{"code": "131047"}]}
            ],
            "message_echoes": [{"id": "wamid.E", "timestamp": "1795510999", "type": "text"}]
        }));
        let e = decode_webhook(&v, 4).unwrap();
        let b = batch(&e);
        assert_eq!(e.id, "wamid.B", "first usable item's id");
        assert_eq!(
            e.at,
            Timestamp::from_second(1795510850).unwrap(),
            "newest usable item; skipped items do not count"
        );
        assert_eq!(b.items.len(), 3);
        let second = msg(&b.items[0]);
        assert_eq!(second.text, "second");
        assert_eq!(
            second.requester.as_ref().unwrap().name.as_deref(),
            Some("Bo Kim"),
            "contact matched by wa_id"
        );
        assert_eq!(
            msg(&b.items[1]).sent_at,
            Timestamp::from_second(1795510800).ok()
        );
        match &b.items[2] {
            WebhookItem::Status(s) => {
                assert_eq!(s.status, "failed");
                assert_eq!(s.error_code, Some(131047));
                assert_eq!(s.recipient.as_deref(), Some("15550100001"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            b.skipped,
            vec![
                "item 1: reaction messages carry no text; skipped",
                "item 5: message echoes are the business's own messages; skipped",
            ]
        );
    }

    #[test]
    fn w1_sent_at_is_the_item_timestamp_not_receipt() {
        let v = body(
            json!({"messages": [{"from": "821000000077", "id": "wamid.1",
            "timestamp": "1795510801", "type": "text", "text": {"body": "hi"}}]}),
        );
        let e = decode_webhook(&v, 1).unwrap();
        let m = msg(&batch(&e).items[0]);
        assert_eq!(m.sent_at, Timestamp::from_second(1795510801).ok());
        assert_eq!(
            m.ticket,
            TicketRef::WhatsApp {
                wa_id: "821000000077".into()
            }
        );
        let r = m.requester.as_ref().unwrap();
        assert_eq!(r.phone.as_deref(), Some("+821000000077"));
        assert_eq!(r.name, None, "no contacts: no name");
        assert!(!r.opted_in);
        assert_eq!(m.channel, Some(Channel::Whatsapp));
    }

    #[test]
    fn items_are_numbered_across_changes_and_entries() {
        let v = json!({"object": "whatsapp_business_account", "entry": [
            {"changes": [{"field": "account_update", "value": {"event": "X"}}]},
            {"changes": [{"field": "messages", "value": {"messages": [
                {"from": "1555", "id": "w1", "timestamp": "100", "type": "system"}]}},
                         {"field": "messages", "value": {"statuses": [
                {"id": "w2", "status": "read", "timestamp": "200"}]}}]}
        ]});
        let e = decode_webhook(&v, 1).unwrap();
        let b = batch(&e);
        assert_eq!(b.items.len(), 1);
        assert_eq!(
            b.skipped,
            vec![
                "change 1: field `account_update` carries no customer messages or statuses; skipped",
                "item 1: system messages (a changed number or identity) are not customer messages; skipped",
            ]
        );
        assert_eq!(e.id, "w2");
    }

    #[test]
    fn negative_unix_timestamps_are_not_times() {
        assert_eq!(unix_time(Some(&json!("-99999999999"))), None);
        assert_eq!(unix_time(Some(&json!(-1))), None);
        assert_eq!(unix_time(Some(&json!(99999999999999_i64))), None);
        assert_eq!(unix_time(Some(&json!(0))), Some(Timestamp::UNIX_EPOCH));
    }

    #[test]
    fn unusable_senders_and_timestamps_are_skipped() {
        let v = body(json!({"messages": [
            {"from": "<WHATSAPP_USER_PHONE_NUMBER>", "id": "w1", "timestamp": "100", "type": "text", "text": {"body": "a"}},
            {"from": "1555", "id": "w2", "timestamp": "soon", "type": "text", "text": {"body": "b"}},
            {"from": "1555", "id": "w3", "timestamp": "100", "type": "ephemeral"},
            {"from": "1555", "id": "w4", "timestamp": "100", "type": "image"},
            {"from": "+1555", "timestamp": 300, "type": "text", "text": {"body": "ok"}}
        ]}));
        let e = decode_webhook(&v, 9).unwrap();
        let b = batch(&e);
        assert_eq!(b.items.len(), 1);
        assert_eq!(e.id, "line:9", "the usable item has no id");
        assert_eq!(
            msg(&b.items[0]).ticket,
            TicketRef::WhatsApp {
                wa_id: "1555".into()
            },
            "a leading + is dropped"
        );
        assert_eq!(
            b.skipped,
            vec![
                "item 1: the sender `from` is not a WhatsApp id (digits); skipped",
                "item 2: message without a valid unix `timestamp`; skipped",
                "item 3: messages of type `ephemeral` are not supported; skipped",
                "item 4: image message without its `image` object; skipped",
            ]
        );
    }

    #[test]
    fn whole_body_rejections_give_reasons() {
        let reject = |v: Value| decode_webhook(&v, 2).unwrap_err().to_string();
        assert_eq!(
            reject(json!([1])),
            "line 2: a webhook body must be a JSON object, found a list"
        );
        assert_eq!(
            reject(json!({"object": "page", "entry": []})),
            "line 2: webhook body is for object `page`, not `whatsapp_business_account`"
        );
        assert_eq!(
            reject(json!({"object": "whatsapp_business_account"})),
            "line 2: webhook body has no `entry` list"
        );
        assert_eq!(
            reject(json!({"object": "whatsapp_business_account", "entry": []})),
            "line 2: webhook body has no messages or statuses"
        );
        assert_eq!(
            reject(body(json!({"messages": [{"type": "reaction"}]}))),
            "line 2: webhook body has no usable message or status (item 1: reaction messages carry no text)"
        );
    }

    #[test]
    fn w14_texts_of_non_text_messages() {
        let v = body(json!({"messages": [
            {"from": "1", "id": "a", "timestamp": "1", "type": "interactive",
             "interactive": {"type": "list_reply", "list_reply": {"id": "x", "title": "Refund"}}},
            {"from": "1", "id": "b", "timestamp": "1", "type": "button", "button": {"payload": "P", "text": "Yes"}},
            {"from": "1", "id": "c", "timestamp": "1", "type": "location",
             "location": {"latitude": 1.5, "longitude": 2.5, "name": "Shop"}},
            {"from": "1", "id": "d", "timestamp": "1", "type": "document",
             "document": {"id": 77, "caption": "invoice"}, "context": {"frequently_forwarded": true}}
        ]}));
        let e = decode_webhook(&v, 1).unwrap();
        let texts: Vec<&str> = batch(&e)
            .items
            .iter()
            .map(|i| msg(i).text.as_str())
            .collect();
        assert_eq!(texts, vec!["Refund", "Yes", "Shop", "invoice"]);
        let doc = msg(&batch(&e).items[3]);
        assert!(doc.forwarded);
        assert_eq!(doc.attachments[0].id.as_deref(), Some("77"));
    }

    #[test]
    fn long_field_names_are_not_echoed() {
        let v = json!({"object": "whatsapp_business_account", "entry": [{"changes": [
            {"field": "card 4111 1111 1111 1111", "value": {}}]}]});
        let msg = decode_webhook(&v, 1).unwrap_err().to_string();
        assert!(!msg.contains("4111"), "{msg}");
    }
}
