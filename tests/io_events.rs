//! Native event decoding (events.md "Events in" §1): every type with its defaults, the
//! error messages for bad lines (snapshot), and the never-panic / never-echo laws.

use jiff::Timestamp;
use proptest::prelude::*;
use ticket_rules::io::{decode_line, DecodeError};
use ticket_rules::model::{
    Actor, Channel, EventKind, FieldValue, Priority, ReplyContent, ReplyVia, Satisfaction, Status,
    TicketRef, TicketType,
};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn ok(line: &str) -> ticket_rules::model::Event {
    match decode_line(line, 7) {
        Ok(e) => e,
        Err(e) => panic!("expected {line} to decode, got {e}"),
    }
}

#[test]
fn ticket_created_with_every_key() {
    let e = ok(r#"{"type":"ticket.created","id":"e1","at":"2026-11-24T09:00:00Z","host_meta":{"x":1},
        "ticket":{"id":"T-1001","channel":"WhatsApp","subject":"Card charged twice","status":"open",
        "priority":"HIGH","type":"incident","group":"Billing","assignee":42,"form":"Default","brand":"Acme",
        "schedule":"Seoul office","due_at":"2026-11-25T09:00:00+09:00","sla_breach_at":"2026-11-24T12:00:00Z",
        "satisfaction":"offered","tags":["VIP"," billing ","vip"],
        "fields":{"order_id":"5521","qty":3,"ratio":0.5,"gift":true,"gone":null},
        "requester":{"id":7,"name":"Mina Park","email":"mina@example.com","phone":"+821000000077",
                     "opted_in":true,"tags":["Korean"],"fields":{"tier":"gold"}},
        "organization":{"id":"org-1","name":"Acme","fields":{"plan":"pro"}}}}"#
        .replace('\n', " ")
        .as_str());
    assert_eq!(e.id, "e1");
    assert_eq!(e.at, ts("2026-11-24T09:00:00Z"));
    let EventKind::TicketCreated(t) = e.kind else {
        panic!("{:?}", e.kind)
    };
    assert_eq!(t.id, "T-1001");
    assert_eq!(t.channel, Channel::Whatsapp);
    assert_eq!(t.subject.as_deref(), Some("Card charged twice"));
    assert_eq!(t.status, Some(Status::Open));
    assert_eq!(t.priority, Some(Priority::High));
    assert_eq!(t.ticket_type, Some(TicketType::Incident));
    assert_eq!(t.group.as_deref(), Some("Billing"));
    assert_eq!(
        t.assignee.as_deref(),
        Some("42"),
        "integer ids read as digits"
    );
    assert_eq!(t.form.as_deref(), Some("Default"));
    assert_eq!(t.brand.as_deref(), Some("Acme"));
    assert_eq!(t.schedule.as_deref(), Some("Seoul office"));
    assert_eq!(
        t.due_at,
        Some(ts("2026-11-25T00:00:00Z")),
        "offsets accepted"
    );
    assert_eq!(t.sla_breach_at, Some(ts("2026-11-24T12:00:00Z")));
    assert_eq!(t.satisfaction, Some(Satisfaction::Offered));
    assert_eq!(
        t.tags,
        vec!["vip", "billing"],
        "lowercased, trimmed, deduplicated"
    );
    assert_eq!(
        t.fields.len(),
        4,
        "null field values are dropped at creation"
    );
    assert_eq!(t.fields["order_id"], FieldValue::Text("5521".into()));
    assert_eq!(t.fields["qty"], FieldValue::Int(3));
    assert_eq!(t.fields["ratio"], FieldValue::Float(0.5));
    assert_eq!(t.fields["gift"], FieldValue::Bool(true));
    assert_eq!(t.requester.id.as_deref(), Some("7"));
    assert_eq!(t.requester.name.as_deref(), Some("Mina Park"));
    assert_eq!(t.requester.email.as_deref(), Some("mina@example.com"));
    assert_eq!(t.requester.phone.as_deref(), Some("+821000000077"));
    assert!(t.requester.opted_in);
    assert!(t.requester.tags.contains("korean"));
    assert_eq!(t.requester.fields["tier"], FieldValue::Text("gold".into()));
    let org = t.organization.expect("organization");
    assert_eq!(org.id.as_deref(), Some("org-1"));
    assert_eq!(org.fields["plan"], FieldValue::Text("pro".into()));
}

#[test]
fn ticket_created_defaults() {
    let e = ok(
        r#"{"type":"ticket.created","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email"}}"#,
    );
    assert_eq!(e.id, "line:7", "id defaults to line:N");
    let EventKind::TicketCreated(t) = e.kind else {
        panic!()
    };
    assert_eq!(t.channel, Channel::Email);
    assert_eq!(t.status, None, "unset: the engine applies `new`");
    assert_eq!(t.satisfaction, None);
    assert!(t.tags.is_empty() && t.fields.is_empty());
    assert!(!t.requester.opted_in);
    assert_eq!(t.organization, None);
    // An unknown channel name is kept, lowercased.
    let e = ok(
        r#"{"type":"ticket.created","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-2","channel":"Kakao"}}"#,
    );
    let EventKind::TicketCreated(t) = e.kind else {
        panic!()
    };
    assert_eq!(t.channel, Channel::Other("kakao".into()));
}

#[test]
fn w1_message_received_sent_at_and_defaults() {
    let e = ok(
        r#"{"type":"message.received","id":"e2","at":"2026-11-24T11:30:00Z","ticket":"T-1","sent_at":"2026-11-24T09:00:00Z","text":"hello","wamid":"wamid.X","channel":"whatsapp","requester":{"phone":"+15550100002"}}"#,
    );
    let EventKind::MessageReceived(m) = e.kind else {
        panic!()
    };
    assert_eq!(m.ticket, TicketRef::Id("T-1".into()));
    assert_eq!(m.sent_at, Some(ts("2026-11-24T09:00:00Z")));
    assert_eq!(m.text, "hello");
    assert_eq!(m.wamid.as_deref(), Some("wamid.X"));
    assert_eq!(m.channel, Some(Channel::Whatsapp));
    assert_eq!(
        m.requester.and_then(|r| r.phone).as_deref(),
        Some("+15550100002")
    );
    assert!(!m.forwarded);

    let e = ok(r#"{"type":"message.received","at":"2026-11-24T11:30:00Z","ticket":"T-1"}"#);
    let EventKind::MessageReceived(m) = e.kind else {
        panic!()
    };
    assert_eq!(m.sent_at, None, "None means the event's at");
    assert_eq!(m.text, "");
    assert!(m.attachments.is_empty());
    assert_eq!(
        m.channel, None,
        "the engine decides whether channel is needed"
    );
    assert_eq!(m.requester, None);
    assert_eq!(m.wamid, None);
}

#[test]
fn w14_message_attachments_and_forwarded() {
    let e = ok(
        r#"{"type":"message.received","at":"2026-11-24T11:30:00Z","ticket":"T-1","forwarded":true,"attachments":[{"type":"Image","id":"m1","caption":"receipt"},{"type":"document"}]}"#,
    );
    let EventKind::MessageReceived(m) = e.kind else {
        panic!()
    };
    assert!(m.forwarded);
    assert_eq!(m.attachments.len(), 2);
    assert_eq!(m.attachments[0].kind, "image");
    assert_eq!(m.attachments[0].id.as_deref(), Some("m1"));
    assert_eq!(m.attachments[0].caption.as_deref(), Some("receipt"));
    assert_eq!(m.attachments[1].id, None);
}

#[test]
fn w6_agent_reply_defaults() {
    let e = ok(
        r#"{"type":"agent.reply","id":"e3","at":"2026-11-24T10:15:00Z","ticket":"T-1","text":"On it"}"#,
    );
    let EventKind::AgentReply(r) = e.kind else {
        panic!()
    };
    assert_eq!(r.ticket, "T-1");
    assert_eq!(r.via, ReplyVia::Agent);
    assert!(r.public);
    assert_eq!(r.content, ReplyContent::Text("On it".into()));
    assert_eq!((r.author_id, r.author_name), (None, None));
    assert_eq!(r.wamid, None);
    assert_eq!(r.changes, Default::default());
}

#[test]
fn w7_agent_reply_template_with_changes() {
    let e = ok(r#"{"type":"agent.reply","at":"2026-11-24T10:15:00Z","ticket":"T-1","via":"macro","public":false,
        "author":{"id":"a1","name":"Agent One"},"wamid":"wamid.OUT",
        "template":{"name":"order_followup","params":["T-1", 5521]},
        "changes":{"status":"pending","assignee":null,"add_tags":["Waiting"]}}"#
        .replace('\n', " ")
        .as_str());
    let EventKind::AgentReply(r) = e.kind else {
        panic!()
    };
    assert_eq!(r.via, ReplyVia::Macro);
    assert!(!r.public);
    assert_eq!(r.author_id.as_deref(), Some("a1"));
    assert_eq!(r.author_name.as_deref(), Some("Agent One"));
    assert_eq!(r.wamid.as_deref(), Some("wamid.OUT"));
    let ReplyContent::Template(t) = r.content else {
        panic!()
    };
    assert_eq!(t.name, "order_followup");
    assert_eq!(t.language, "en_US", "language defaults to en_US as in W15");
    assert_eq!(t.params, vec!["T-1", "5521"]);
    assert_eq!(r.changes.status, Some(Status::Pending));
    assert_eq!(r.changes.assignee, Some(None));
    assert_eq!(r.changes.add_tags, vec!["waiting"]);

    let e = ok(
        r#"{"type":"agent.reply","at":"2026-11-24T10:15:00Z","ticket":"T-1","via":"autoresponder","template":{"name":"csat_survey","language":"ko_KR"}}"#,
    );
    let EventKind::AgentReply(r) = e.kind else {
        panic!()
    };
    assert_eq!(r.via, ReplyVia::Autoresponder);
    let ReplyContent::Template(t) = r.content else {
        panic!()
    };
    assert_eq!((t.language.as_str(), t.params.len()), ("ko_KR", 0));
}

#[test]
fn ticket_updated_set_clear_and_absent() {
    let e = ok(r#"{"type":"ticket.updated","at":"2026-11-24T10:15:00Z","ticket":"T-1","by":"end_user",
        "changes":{"priority":null,"type":"task","group":"Tier 2","subject":null,"due_at":"2026-11-30T00:00:00Z",
        "sla_breach_at":null,"satisfaction":"good","remove_tags":["VIP"],"set_tags":[],
        "fields":{"order_id":null,"qty":2}}}"#
        .replace('\n', " ")
        .as_str());
    let EventKind::TicketUpdated {
        ticket,
        by,
        changes: c,
    } = e.kind
    else {
        panic!()
    };
    assert_eq!(ticket, "T-1");
    assert_eq!(by, Actor::EndUser);
    assert_eq!(c.status, None, "not mentioned");
    assert_eq!(c.priority, Some(None), "null clears");
    assert_eq!(c.ticket_type, Some(Some(TicketType::Task)));
    assert_eq!(c.group, Some(Some("Tier 2".into())));
    assert_eq!(c.assignee, None);
    assert_eq!(c.subject, Some(None));
    assert_eq!(c.due_at, Some(Some(ts("2026-11-30T00:00:00Z"))));
    assert_eq!(c.sla_breach_at, Some(None));
    assert_eq!(c.satisfaction, Some(Satisfaction::Good));
    assert_eq!(c.remove_tags, vec!["vip"]);
    assert_eq!(c.set_tags, Some(vec![]));
    assert_eq!(c.fields["order_id"], None, "null clears a custom field");
    assert_eq!(c.fields["qty"], Some(FieldValue::Int(2)));

    for (by, actor) in [
        ("agent", Actor::Agent),
        ("api", Actor::Api),
        ("system", Actor::System),
    ] {
        let line = format!(
            r#"{{"type":"ticket.updated","at":"2026-11-24T10:15:00Z","ticket":"T-1","by":"{by}"}}"#
        );
        let EventKind::TicketUpdated { by, changes, .. } = ok(&line).kind else {
            panic!()
        };
        assert_eq!(by, actor);
        assert_eq!(changes, Default::default(), "changes default to none");
    }
}

#[test]
fn s18_clock_and_at_parsing() {
    let e = ok(r#"{"type":"clock","at":"2026-11-25T21:00:00+09:00"}"#);
    assert_eq!(e.kind, EventKind::Clock);
    assert_eq!(e.at, ts("2026-11-25T12:00:00Z"));
    // CRLF line ends and a byte-order mark are accepted.
    let e = ok("\u{feff}{\"type\":\"clock\",\"at\":\"2026-11-25T12:00:00Z\",\"id\":\"c1\"}\r");
    assert_eq!(e.id, "c1");
}

#[test]
fn line_number_prefixes_errors() {
    let e = decode_line("{}", 12).unwrap_err();
    assert_eq!(e.line, 12);
    assert!(e.to_string().starts_with("line 12: "), "{e}");
}

#[test]
fn spec_example_error_message() {
    let e = decode_line(
        r#"{"type":"agent.reply","at":"2026-11-24T10:15:00Z","text":"hi"}"#,
        12,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 12: missing field `ticket` for event type `agent.reply`"
    );
}

/// Bad lines and their messages; the snapshot shows what users see.
#[test]
fn error_messages() {
    let at = r#""at":"2026-11-24T10:15:00Z""#;
    let bad: Vec<String> = vec![
        r#"{"type":"agent.reply","at":"#.to_string(),
        r#"{"type": "clock", "at": 2026}"#.to_string(),
        "[1,2,3]".to_string(),
        "\"just a string\"".to_string(),
        "   ".to_string(),
        r#"{"at":"2026-11-24T10:15:00Z"}"#.to_string(),
        format!(r#"{{"type":"foo",{at}}}"#),
        format!(r#"{{"type":"card 4111 1111 1111 1111",{at}}}"#),
        r#"{"type":7,"at":"2026-11-24T10:15:00Z"}"#.to_string(),
        r#"{"type":"clock"}"#.to_string(),
        r#"{"type":"clock","at":"yesterday"}"#.to_string(),
        r#"{"type":"clock","at":"2026-11-24 10:15"}"#.to_string(),
        r#"{"type":"clock","at":"4111111111111111"}"#.to_string(),
        format!(r#"{{"type":"clock","id":"",{at}}}"#),
        format!(r#"{{"type":"clock","id":1.5,{at}}}"#),
        format!(r#"{{"type":"ticket.created",{at}}}"#),
        format!(r#"{{"type":"ticket.created",{at},"ticket":"T-1"}}"#),
        format!(r#"{{"type":"ticket.created",{at},"ticket":{{"channel":"email"}}}}"#),
        format!(r#"{{"type":"ticket.created",{at},"ticket":{{"id":"T-1"}}}}"#),
        format!(
            r#"{{"type":"ticket.created",{at},"ticket":{{"id":"T-1","channel":"my card 4111111111111111"}}}}"#
        ),
        format!(
            r#"{{"type":"ticket.created",{at},"ticket":{{"id":"T-1","channel":"web","status":"opne"}}}}"#
        ),
        format!(
            r#"{{"type":"ticket.created",{at},"ticket":{{"id":"T-1","channel":"web","priority":"4111111111111111"}}}}"#
        ),
        format!(
            r#"{{"type":"ticket.created",{at},"ticket":{{"id":"T-1","channel":"web","tags":"vip"}}}}"#
        ),
        format!(
            r#"{{"type":"ticket.created",{at},"ticket":{{"id":"T-1","channel":"web","tags":["two words"]}}}}"#
        ),
        format!(
            r#"{{"type":"ticket.created",{at},"ticket":{{"id":"T-1","channel":"web","tags":[1]}}}}"#
        ),
        format!(
            r#"{{"type":"ticket.created",{at},"ticket":{{"id":"T-1","channel":"web","fields":{{"order":[1]}}}}}}"#
        ),
        format!(
            r#"{{"type":"ticket.created",{at},"ticket":{{"id":"T-1","channel":"web","requester":{{"opted_in":"yes"}}}}}}"#
        ),
        format!(
            r#"{{"type":"ticket.created",{at},"ticket":{{"id":"T-1","channel":"web","due_at":"soon"}}}}"#
        ),
        format!(r#"{{"type":"message.received",{at}}}"#),
        format!(r#"{{"type":"message.received",{at},"ticket":"T-1","text":4111111111111111}}"#),
        format!(
            r#"{{"type":"message.received",{at},"ticket":"T-1","attachments":[{{"id":"m1"}}]}}"#
        ),
        format!(r#"{{"type":"message.received",{at},"ticket":"T-1","attachments":{{}}}}"#),
        format!(r#"{{"type":"message.received",{at},"ticket":"T-1","forwarded":"true"}}"#),
        format!(
            r#"{{"type":"message.received",{at},"ticket":"T-1","sent_at":"4111 1111 1111 1111"}}"#
        ),
        format!(r#"{{"type":"message.received",{at},"ticket":true}}"#),
        format!(r#"{{"type":"agent.reply",{at},"ticket":"T-1"}}"#),
        format!(
            r#"{{"type":"agent.reply",{at},"ticket":"T-1","text":"a","template":{{"name":"t"}}}}"#
        ),
        format!(r#"{{"type":"agent.reply",{at},"ticket":"T-1","text":["a"]}}"#),
        format!(r#"{{"type":"agent.reply",{at},"ticket":"T-1","text":"a","via":"robot"}}"#),
        format!(r#"{{"type":"agent.reply",{at},"ticket":"T-1","text":"a","public":"no"}}"#),
        format!(
            r#"{{"type":"agent.reply",{at},"ticket":"T-1","template":{{"language":"en_US"}}}}"#
        ),
        format!(
            r#"{{"type":"agent.reply",{at},"ticket":"T-1","template":{{"name":"t","lang":"en_US"}}}}"#
        ),
        format!(
            r#"{{"type":"agent.reply",{at},"ticket":"T-1","template":{{"name":"t","params":[{{}}]}}}}"#
        ),
        format!(
            r#"{{"type":"agent.reply",{at},"ticket":"T-1","text":"a","changes":{{"status":"opne"}}}}"#
        ),
        format!(r#"{{"type":"ticket.updated",{at},"ticket":"T-1"}}"#),
        format!(r#"{{"type":"ticket.updated",{at},"ticket":"T-1","by":"robot"}}"#),
        format!(
            r#"{{"type":"ticket.updated",{at},"ticket":"T-1","by":"agent","changes":{{"stauts":"open"}}}}"#
        ),
        format!(
            r#"{{"type":"ticket.updated",{at},"ticket":"T-1","by":"agent","changes":{{"status":null}}}}"#
        ),
        format!(
            r#"{{"type":"ticket.updated",{at},"ticket":"T-1","by":"agent","changes":{{"set_tags":null}}}}"#
        ),
        format!(
            r#"{{"type":"ticket.updated",{at},"ticket":"T-1","by":"agent","changes":{{"satisfaction":"great"}}}}"#
        ),
        format!(
            r#"{{"type":"ticket.updated",{at},"ticket":"T-1","by":"agent","changes":{{"assignee":[]}}}}"#
        ),
        format!(
            r#"{{"type":"ticket.updated",{at},"ticket":"T-1","by":"agent","changes":"close it"}}"#
        ),
        format!(
            r#"{{"type":"ticket.updated",{at},"ticket":"T-1","by":"agent","changes":{{"fields":{{"x":{{"a":1}}}}}}}}"#
        ),
    ];
    let mut report = String::new();
    for (i, line) in bad.iter().enumerate() {
        let n = i + 1;
        match decode_line(line, n) {
            Ok(e) => panic!("line {n} should be rejected: {line}\n got {e:?}"),
            Err(DecodeError { line: l, message }) => {
                assert_eq!(l, n);
                assert!(
                    !message.contains("4111"),
                    "error echoes a card number: {message}"
                );
                report.push_str(&format!("{n}: {message}\n"));
            }
        }
    }
    insta::assert_snapshot!("io_events_errors", report);
}

proptest! {
    /// Any text decodes or fails with a message; never a panic.
    #[test]
    fn never_panics_on_any_text(s in "\\PC{0,200}") {
        let _ = decode_line(&s, 1);
    }

    /// Lines built from event-like pieces with arbitrary values never panic, and an error
    /// never repeats a 16-digit number the line carried.
    #[test]
    fn errors_never_echo_card_numbers(
        ty in prop::sample::select(vec!["ticket.created", "message.received", "agent.reply", "ticket.updated", "clock", "x"]),
        key in prop::sample::select(vec!["ticket", "at", "id", "text", "channel", "by", "via", "changes", "template", "sent_at", "status", "type"]),
        shape in 0usize..6,
    ) {
        let card = "4111111111111111";
        let value = match shape {
            0 => format!("\"{card}\""),
            1 => card.to_string(),
            2 => format!("{{\"status\":\"{card}\",\"id\":\"{card}\",\"channel\":\"{card}\"}}"),
            3 => format!("[\"{card}\"]"),
            4 => format!("\"card {card} please\""),
            _ => format!("{{\"name\":\"{card}\",\"{card}\":1}}"),
        };
        let line = format!(
            "{{\"type\":\"{ty}\",\"at\":\"2026-11-24T10:15:00Z\",\"ticket\":{{\"id\":\"T\",\"channel\":\"web\"}},\"{key}\":{value}}}"
        );
        if let Err(e) = decode_line(&line, 3) {
            prop_assert!(!e.message.contains(card), "{}", e.message);
        }
    }
}

/// Arbitrary JSON values, biased towards the keys a webhook body uses.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        prop::sample::select(vec![
            "text",
            "image",
            "reaction",
            "failed",
            "1795510801",
            "821000000077",
            "",
            "wamid.A",
            "messages",
            "-5",
            "99999999999999999999",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "type",
                        "from",
                        "id",
                        "timestamp",
                        "text",
                        "body",
                        "image",
                        "caption",
                        "context",
                        "forwarded",
                        "status",
                        "errors",
                        "code",
                        "contacts",
                        "wa_id",
                        "profile",
                        "name",
                        "messages",
                        "statuses",
                        "interactive",
                        "location",
                    ]),
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

proptest! {
    /// W1: any webhook body decodes or is rejected, never panics; when it decodes, it has at
    /// least one item and its `at` is the newest item's timestamp.
    #[test]
    fn w1_webhook_bodies_never_panic_and_at_is_newest(
        value in json_value(),
        messages in prop::collection::vec(json_value(), 0..3),
        statuses in prop::collection::vec(json_value(), 0..3),
    ) {
        use serde_json::json;
        use ticket_rules::model::WebhookItem;
        let body = json!({"object": "whatsapp_business_account", "entry": [{"changes": [
            {"field": "messages", "value": value},
            {"field": "messages", "value": {"messages": messages, "statuses": statuses}}
        ]}]});
        if let Ok(e) = decode_line(&body.to_string(), 1) {
            let EventKind::Webhook(b) = &e.kind else { panic!("not a webhook: {e:?}") };
            prop_assert!(!b.items.is_empty());
            let newest = b.items.iter().map(|i| match i {
                WebhookItem::Message(m) => m.sent_at.expect("webhook messages carry sent_at"),
                WebhookItem::Status(s) => s.at,
            }).max();
            prop_assert_eq!(Some(e.at), newest);
        }
    }
}
