//! Request decoding for `serve`: pure functions from request bytes to engine inputs or a
//! [`RequestError`] that says what is wrong and where (`events[3]: missing field
//! \`ticket\` …`). They never panic on any input (a property test feeds them random
//! bytes and random JSON), and their messages never quote free text or long numbers
//! from the request (they are scrubbed of card numbers again before they are sent).

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::check::RuleSource;
use crate::io::{decode_line, decode_webhook};
use crate::model::Event;

/// A request the server refuses with `400`: the message says what and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RequestError(pub String);

fn utf8(body: &[u8]) -> Result<&str, RequestError> {
    std::str::from_utf8(body).map_err(|e| {
        RequestError(format!(
            "body: not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })
}

/// A serde_json error without input values: `invalid JSON at line L column C: REASON`.
fn json_error(at: &str, e: &serde_json::Error) -> RequestError {
    let full = e.to_string();
    let reason = match full.rfind(" at line ") {
        Some(i) => &full[..i],
        None => full.as_str(),
    };
    RequestError(format!(
        "{at}: invalid JSON at line {} column {}: {reason}",
        e.line(),
        e.column()
    ))
}

/// The id the server gives an event sent without one: `h:` and the first 16 hex digits
/// of the SHA-256 of its JSON text, so that a retry of the same bytes is recognised
/// (idempotency) while `run`'s `line:N` would collide across requests.
pub fn content_id(raw: &str) -> String {
    let digest = Sha256::digest(raw.as_bytes());
    let mut id = String::with_capacity(18);
    id.push_str("h:");
    id.push_str(&hex::encode(&digest[..8]));
    id
}

fn decode_one(raw: &str, index: usize, at: &str) -> Result<Event, RequestError> {
    let mut event =
        decode_line(raw, index + 1).map_err(|e| RequestError(format!("{at}: {}", e.message)))?;
    if event.id == format!("line:{}", index + 1) {
        event.id = content_id(raw);
    }
    Ok(event)
}

/// Decodes the body of `POST /v1/events`: one event object (native or WhatsApp webhook
/// body, events.md "Events in") or a JSON array of them, in order.
///
/// Events without an `id` get [`content_id`]. The whole request is refused if any
/// element is malformed (nothing is applied), so a host fixes and resends it.
///
/// # Errors
/// [`RequestError`] for a body that is not UTF-8 or not JSON (`body: invalid JSON at
/// line 1 column 7: …`), an empty array, or an element that does not decode
/// (`events[2]: missing field \`at\``; a single object: `body: …`).
pub fn decode_events(body: &[u8]) -> Result<Vec<Event>, RequestError> {
    let text = utf8(body)?;
    let raw: &RawValue = serde_json::from_str(text).map_err(|e| json_error("body", &e))?;
    let inner = raw.get().trim_start();
    if inner.starts_with('[') {
        let items: Vec<&RawValue> =
            serde_json::from_str(raw.get()).map_err(|e| json_error("body", &e))?;
        if items.is_empty() {
            return Err(RequestError(
                "body: an empty list holds no event; send an event object or a non-empty list"
                    .into(),
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, r)| decode_one(r.get(), i, &format!("events[{i}]")))
            .collect()
    } else {
        Ok(vec![decode_one(raw.get(), 0, "body")?])
    }
}

/// Decodes the body of `POST /webhooks/whatsapp`: a WhatsApp Cloud API webhook body.
///
/// Returns `Ok(Err(reason))` for well-formed JSON that holds no usable item (a reaction,
/// an account update): the server answers it with a `rejected` outcome and status 200, so
/// WhatsApp does not retry it.
///
/// # Errors
/// [`RequestError`] when the body is not UTF-8 JSON.
pub fn decode_webhook_body(body: &[u8]) -> Result<Result<Event, String>, RequestError> {
    let text = utf8(body)?;
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| json_error("body", &e))?;
    Ok(match decode_webhook(&value, 1) {
        Ok(mut e) => {
            if e.id == "line:1" {
                e.id = content_id(text);
            }
            Ok(e)
        }
        Err(e) => Err(format!("body: {}", e.message)),
    })
}

/// serde's words for a data error without the input value it quotes: `invalid type:
/// integer \`4111…\`, expected a string` → `invalid type: integer, expected a string`.
/// Key names (`unknown field \`x\``) are kept.
fn without_values(reason: &str) -> String {
    if !(reason.starts_with("invalid type") || reason.starts_with("invalid value")) {
        return reason.to_string();
    }
    let mut out = String::with_capacity(reason.len());
    let mut rest = reason;
    while let Some(i) = rest.find(" `") {
        out.push_str(&rest[..i]);
        match rest[i + 2..].find('`') {
            Some(j) => rest = &rest[i + 2 + j + 1..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

fn parse_json<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, RequestError> {
    serde_json::from_str(text).map_err(|e| {
        // Data errors (unknown key, wrong type) name keys; values are left out.
        if e.is_data() {
            let full = e.to_string();
            let reason = match full.rfind(" at line ") {
                Some(i) => &full[..i],
                None => full.as_str(),
            };
            RequestError(format!("body: {}", without_values(reason)))
        } else {
            json_error("body", &e)
        }
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceIn {
    #[serde(default)]
    name: Option<String>,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesIn {
    sources: Vec<SourceIn>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RulesIn {
    Many(SourcesIn),
    One(SourceIn),
}

fn sources(text: &str) -> Result<Vec<RuleSource>, RequestError> {
    let rules: RulesIn = serde_json::from_str(text).map_err(|_| {
        // Untagged enums lose serde's reason: say what is expected.
        match serde_json::from_str::<serde_json::Value>(text) {
            Err(e) => json_error("body", &e),
            Ok(_) => RequestError(
                "body: expected {\"text\": RULES} or {\"sources\": [{\"name\": NAME, \"text\": RULES}, …]}"
                    .into(),
            ),
        }
    })?;
    let list = match rules {
        RulesIn::Many(m) => m.sources,
        RulesIn::One(o) => vec![o],
    };
    Ok(list
        .into_iter()
        .enumerate()
        .map(|(i, s)| RuleSource {
            name: s.name.unwrap_or_else(|| format!("request-{}.rules", i + 1)),
            text: s.text,
        })
        .collect())
}

/// Decodes the body of `POST /v1/check`: with a JSON content type `{"text": RULES}`
/// (optionally `"name"`) or `{"sources": [{"name", "text"}, …]}`; with any other content
/// type the body is the rule text itself (named `request.rules`).
///
/// # Errors
/// [`RequestError`] for a body that is not UTF-8, or JSON of another shape.
pub fn decode_check(body: &[u8], json: bool) -> Result<Vec<RuleSource>, RequestError> {
    let text = utf8(body)?;
    if json {
        sources(text)
    } else {
        Ok(vec![RuleSource {
            name: "request.rules".into(),
            text: text.to_string(),
        }])
    }
}

/// Decodes the body of `POST /v1/rules/reload`: empty (reload the `--rules` paths and
/// the `--account` file from disk) → `None`; otherwise the rule sources as for
/// [`decode_check`] → `Some`.
///
/// # Errors
/// As [`decode_check`].
pub fn decode_reload(body: &[u8], json: bool) -> Result<Option<Vec<RuleSource>>, RequestError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    decode_check(body, json).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedactIn {
    text: String,
}

/// Decodes the body of `POST /v1/redact`: `{"text": TEXT}`.
///
/// # Errors
/// [`RequestError`] for a body that is not UTF-8 JSON of that shape.
pub fn decode_redact(body: &[u8]) -> Result<String, RequestError> {
    let r: RedactIn = parse_json(utf8(body)?)?;
    Ok(r.text)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockIn {
    at: String,
}

/// Decodes the body of `POST /v1/clock`: `{"at": RFC3339}` (a UTC instant, S18).
///
/// # Errors
/// [`RequestError`] for another shape or an `at` that is not RFC 3339.
pub fn decode_clock(body: &[u8]) -> Result<Timestamp, RequestError> {
    let c: ClockIn = parse_json(utf8(body)?)?;
    crate::io::parse_instant(&c.at)
        .map_err(|e| RequestError(format!("body: `at` is not a usable RFC 3339 time: {e}")))
}

/// Parses an optional `at` query parameter (RFC 3339).
///
/// # Errors
/// [`RequestError`] naming the parameter.
pub fn decode_at_param(at: Option<&str>) -> Result<Option<Timestamp>, RequestError> {
    match at {
        None => Ok(None),
        Some(s) => crate::io::parse_instant(s).map(Some).map_err(|e| {
            RequestError(format!(
                "query parameter `at` is not a usable RFC 3339 time: {e}"
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_event_or_a_list() {
        let one = br#"{"type":"clock","id":"c1","at":"2026-11-25T10:00:00Z"}"#;
        assert_eq!(decode_events(one).unwrap()[0].id, "c1");
        let many = br#"[{"type":"clock","id":"c1","at":"2026-11-25T10:00:00Z"},
                        {"type":"clock","id":"c2","at":"2026-11-25T11:00:00Z"}]"#;
        let ev = decode_events(many).unwrap();
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[1].id, "c2");
    }

    #[test]
    fn errors_say_where() {
        let many = br#"[{"type":"clock","at":"2026-11-25T10:00:00Z"},{"type":"agent.reply","at":"2026-11-25T10:00:00Z"}]"#;
        let e = decode_events(many).unwrap_err();
        assert!(e.0.starts_with("events[1]: missing field `ticket`"), "{e}");
        let e = decode_events(br#"{"type":"nope","at":"x"}"#).unwrap_err();
        assert!(e.0.starts_with("body: unknown event type"), "{e}");
        let e = decode_events(b"{\"type\":").unwrap_err();
        assert!(
            e.0.starts_with("body: invalid JSON at line 1 column 8"),
            "{e}"
        );
        let e = decode_events(b"[]").unwrap_err();
        assert!(e.0.contains("empty list"), "{e}");
        let e = decode_events(&[0xff, 0xfe]).unwrap_err();
        assert!(e.0.contains("not UTF-8"), "{e}");
    }

    #[test]
    fn events_without_id_get_a_content_id() {
        let body = br#"{"type":"clock","at":"2026-11-25T10:00:00Z"}"#;
        let a = decode_events(body).unwrap();
        let b = decode_events(body).unwrap();
        assert!(
            a[0].id.starts_with("h:") && a[0].id.len() == 18,
            "{}",
            a[0].id
        );
        assert_eq!(a[0].id, b[0].id);
        let other = decode_events(br#"{"type":"clock","at":"2026-11-25T11:00:00Z"}"#).unwrap();
        assert_ne!(a[0].id, other[0].id);
    }

    #[test]
    fn webhook_without_items_is_a_rejection_not_a_bad_request() {
        let body = br#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"account_update","value":{}}]}]}"#;
        let r = decode_webhook_body(body).unwrap();
        assert!(r.unwrap_err().starts_with("body: webhook body has no"));
        assert!(decode_webhook_body(b"nope").is_err());
    }

    #[test]
    fn check_reload_redact_clock_bodies() {
        let s = decode_check(b"trigger \"x\" {}", false).unwrap();
        assert_eq!(s[0].name, "request.rules");
        let s = decode_check(
            br#"{"sources":[{"name":"a.rules","text":"x"},{"text":"y"}]}"#,
            true,
        )
        .unwrap();
        assert_eq!(
            (s[0].name.as_str(), s[1].name.as_str()),
            ("a.rules", "request-2.rules")
        );
        assert_eq!(decode_check(br#"{"text":"x"}"#, true).unwrap()[0].text, "x");
        assert!(decode_check(br#"{"txt":"x"}"#, true)
            .unwrap_err()
            .0
            .contains("expected"));
        assert!(decode_reload(b"  \n", true).unwrap().is_none());
        assert_eq!(decode_redact(br#"{"text":"a"}"#).unwrap(), "a");
        let e = decode_redact(br#"{"text":1}"#).unwrap_err();
        assert!(e.0.starts_with("body: invalid type"), "{e}");
        let e = decode_redact(br#"{"text":"a","x":1}"#).unwrap_err();
        assert!(e.0.contains("unknown field `x`"), "{e}");
        assert_eq!(
            decode_clock(br#"{"at":"2026-11-25T12:00:00Z"}"#).unwrap(),
            "2026-11-25T12:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert!(decode_clock(br#"{"at":"noon"}"#)
            .unwrap_err()
            .0
            .contains("RFC 3339"));
    }

    #[test]
    fn errors_never_show_a_card_number() {
        let body = br#"{"type":"agent.reply","at":"2026-11-25T10:00:00Z","ticket":"T-1","text":4111111111111111}"#;
        let e = decode_events(body).unwrap_err();
        assert!(!e.0.contains("4111111111111111"), "{e}");
        let e = decode_redact(br#"{"text":4111111111111111}"#).unwrap_err();
        assert!(!e.0.contains("4111111111111111"), "{e}");
        assert_eq!(e.0, "body: invalid type: integer, expected a string");
        let e = decode_clock(br#"{"at":"4111 1111 1111 1111"}"#).unwrap_err();
        assert!(!e.0.contains("1111"), "{e}");
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "[a-z_.:0-9 -]{0,12}".prop_map(Value::String),
            prop_oneof![
                Just("type"),
                Just("at"),
                Just("id"),
                Just("ticket"),
                Just("clock"),
                Just("message.received"),
                Just("agent.reply"),
                Just("ticket.created"),
                Just("2026-11-25T10:00:00Z"),
                Just("whatsapp"),
                Just("entry"),
                Just("changes"),
            ]
            .prop_map(|s| Value::String(s.to_string())),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("type".to_string()),
                        Just("at".to_string()),
                        Just("id".to_string()),
                        Just("ticket".to_string()),
                        Just("text".to_string()),
                        Just("object".to_string()),
                        Just("entry".to_string()),
                        Just("changes".to_string()),
                        Just("value".to_string()),
                        Just("messages".to_string()),
                        Just("statuses".to_string()),
                        Just("sources".to_string()),
                        "[a-z]{1,6}",
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn decoding_random_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = decode_events(&bytes);
            let _ = decode_webhook_body(&bytes);
            let _ = decode_check(&bytes, true);
            let _ = decode_check(&bytes, false);
            let _ = decode_reload(&bytes, true);
            let _ = decode_redact(&bytes);
            let _ = decode_clock(&bytes);
        }

        #[test]
        fn decoding_random_json_never_panics_and_errors_say_where(v in json_value()) {
            let bytes = serde_json::to_vec(&v).unwrap();
            if let Err(e) = decode_events(&bytes) {
                prop_assert!(e.0.starts_with("body: ") || e.0.starts_with("events["), "{}", e);
            }
            let _ = decode_webhook_body(&bytes);
            let _ = decode_check(&bytes, true);
            let _ = decode_reload(&bytes, true);
            let _ = decode_redact(&bytes);
            let _ = decode_clock(&bytes);
        }
    }
}
