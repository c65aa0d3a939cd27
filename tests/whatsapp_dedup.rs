//! Issue 8, item 5: a WhatsApp message sent again inside a differently batched webhook
//! body (another item beside it) was applied twice — the trigger fired twice and the
//! auto-reply went out twice. Each message (by wamid) and each status (by wamid and
//! status word) is now applied once however it is batched; a line of only old items is
//! `duplicate`, a mixed line applies the new items and names the old ones in
//! `duplicate_items`. Engine level, a property over random batchings, and `run` through
//! the binary (the `serve` tests are in `serve_http.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;

use proptest::prelude::*;
use serde_json::{json, Value};
use ticket_rules::engine::{Delivery, LineStatus, Step};
use ticket_rules::io::{decode_line, output, parse_account};
use ticket_rules::model::AuthorRole;
use ticket_rules::{compile, Engine, RuleSet, RuleSource, TicketStore};

const RULES: &str = r#"
trigger "Auto-reply to refund requests" {
  when all {
    current_user is end_user
    comment contains word "refund"
  }
  then {
    add tags refund
    send message "We got your refund request."
  }
}
"#;

const AUTO_REPLY: &str = "trigger:Auto-reply to refund requests";
const PHONE: &str = "15550100001";
const TICKET: &str = "wa:15550100001";
/// 2026-11-24T09:00:00Z.
const T0: i64 = 1795510800;

fn rules() -> Arc<RuleSet> {
    let account = parse_account("").expect("account");
    let src = [RuleSource {
        name: "dedup.rules".into(),
        text: RULES.into(),
    }];
    match compile(&src, account) {
        Ok((rs, _)) => Arc::new(rs),
        Err(e) => panic!("rules compile: {e:?}"),
    }
}

/// One item of a webhook body.
#[derive(Debug, Clone)]
enum Item {
    /// A customer message: wamid, minutes after T0, text.
    Msg(&'static str, i64, &'static str),
    /// A status of an outbound message: wamid, status, minutes after T0.
    Status(&'static str, &'static str, i64),
}

/// A WhatsApp Cloud API webhook body (one line) holding `items`, messages first as
/// WhatsApp sends them.
fn body(items: &[Item]) -> String {
    let mut messages = Vec::new();
    let mut statuses = Vec::new();
    for item in items {
        match item {
            Item::Msg(id, min, text) => messages.push(json!({
                "from": PHONE, "id": id, "timestamp": (T0 + 60 * min).to_string(),
                "type": "text", "text": {"body": text}
            })),
            Item::Status(id, status, min) => {
                let mut s = json!({
                    "id": id, "status": status, "timestamp": (T0 + 60 * min).to_string(),
                    "recipient_id": PHONE
                });
                if *status == "failed" {
                    s["errors"] = json!([{"code": 131047, "title": "Re-engagement message"}]);
                }
                statuses.push(s)
            }
        }
    }
    let mut value = json!({"messaging_product": "whatsapp",
        "contacts": [{"profile": {"name": "Maya Torres"}, "wa_id": PHONE}]});
    if !messages.is_empty() {
        value["messages"] = Value::Array(messages);
    }
    if !statuses.is_empty() {
        value["statuses"] = Value::Array(statuses);
    }
    json!({"object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]})
    .to_string()
}

struct Replay {
    engine: Engine,
    line: usize,
}

impl Replay {
    fn new() -> Self {
        Replay {
            engine: Engine::new(rules()),
            line: 0,
        }
    }

    fn ev(&mut self, json: &str) -> Step {
        self.line += 1;
        let event = decode_line(json, self.line).expect("event decodes");
        self.engine.process(event)
    }

    fn webhook(&mut self, items: &[Item]) -> Step {
        self.ev(&body(items))
    }

    /// The ids of the ticket's customer comments (the messages applied), in order.
    fn comments(&self) -> Vec<String> {
        let t = self.engine.store().get(TICKET).expect("ticket exists");
        t.comments
            .iter()
            .filter(|c| c.author == AuthorRole::EndUser)
            .map(|c| c.id.clone())
            .collect()
    }

    /// An agent reply on the WhatsApp ticket that WhatsApp numbered `wamid`.
    fn reply(&mut self, wamid: &str) -> Step {
        self.ev(&format!(
            r#"{{"type":"agent.reply","id":"r-{wamid}","at":"2026-11-24T09:05:00Z","ticket":"{TICKET}","text":"On it","wamid":"{wamid}"}}"#
        ))
    }
}

/// How often the auto-reply trigger fired in this step, and how many of its messages
/// were delivered.
fn auto_replies(step: &Step) -> (usize, usize) {
    let records = step.outcome.tickets.iter();
    let fired = records
        .clone()
        .flat_map(|t| &t.fired)
        .filter(|f| *f == AUTO_REPLY)
        .count();
    let delivered = records
        .flat_map(|t| &t.messages)
        .filter(|m| m.source == AUTO_REPLY && m.delivery == Delivery::Delivered)
        .count();
    (fired, delivered)
}

fn names(step: &Step) -> Vec<&str> {
    step.outcome
        .duplicate_items
        .iter()
        .map(String::as_str)
        .collect()
}

#[test]
fn rebatched_message_beside_a_new_one_fires_the_trigger_once_and_applies_the_new_one() {
    let mut r = Replay::new();
    let a = Item::Msg("wamid.A", 0, "I want a refund");
    let first = r.webhook(std::slice::from_ref(&a));
    assert_eq!(first.outcome.status, LineStatus::Ok);
    assert_eq!(auto_replies(&first), (1, 1));
    assert!(names(&first).is_empty());

    // WhatsApp sends A again, batched with a new message B.
    let second = r.webhook(&[a, Item::Msg("wamid.B", 10, "any news?")]);
    assert_eq!(second.outcome.status, LineStatus::Ok);
    assert_eq!(names(&second), ["wamid.A"]);
    assert_eq!(
        auto_replies(&second),
        (0, 0),
        "A's auto-reply is not sent again"
    );
    assert_eq!(r.comments(), ["wamid.A", "wamid.B"], "B applied, A once");
    let line = output::event_json(2, &second.outcome);
    assert!(
        line.starts_with(&format!(
            r#"{{"line":2,"event":"wamid.A","ticket":"{TICKET}","at":"2026-11-24T09:10:00Z","status":"ok","duplicate_items":["wamid.A"],"redactions":0,"#
        )),
        "{line}"
    );

    // The new message's own trigger still fires: C asks for a refund too.
    let third = r.webhook(&[
        Item::Msg("wamid.C", 20, "refund again please"),
        Item::Msg("wamid.A", 0, "I want a refund"),
    ]);
    assert_eq!(names(&third), ["wamid.A"]);
    assert_eq!(auto_replies(&third), (1, 1));
    assert_eq!(r.comments(), ["wamid.A", "wamid.B", "wamid.C"]);
}

#[test]
fn rebatched_body_of_only_old_messages_is_a_duplicate_line() {
    let mut r = Replay::new();
    let a = Item::Msg("wamid.A", 0, "I want a refund");
    let b = Item::Msg("wamid.B", 10, "any news?");
    r.webhook(std::slice::from_ref(&a));
    r.webhook(std::slice::from_ref(&b));
    let before = r.engine.store().get(TICKET).cloned();
    let again = r.webhook(&[b, a.clone()]);
    assert_eq!(again.outcome.status, LineStatus::Duplicate);
    assert_eq!(names(&again), ["wamid.B", "wamid.A"]);
    assert!(again.outcome.tickets.is_empty() && again.runs.is_empty());
    assert_eq!(
        r.engine.store().get(TICKET).cloned(),
        before,
        "nothing changed"
    );
    insta::assert_snapshot!(output::event_json(3, &again.outcome), @r#"{"line":3,"event":"wamid.B","ticket":"wa:15550100001","at":"2026-11-24T09:10:00Z","status":"duplicate","duplicate_items":["wamid.B","wamid.A"],"redactions":0,"fired":[],"changes":[],"messages":[],"notices":[],"warnings":["every message and status of this webhook body was already applied; not applied again"]}"#);
    insta::assert_snapshot!(output::event_pretty(3, &again.outcome), @r"
    line 3    wa:15550100001 2026-11-24 09:10 UTC  wamid.B  duplicate
        warning  every message and status of this webhook body was already applied; not applied again
        duplicate wamid.B, wamid.A (applied before; not applied again)
    ");

    // An identical retry is caught by its event key, as before: no `duplicate_items`.
    let retry = r.webhook(&[a]);
    assert_eq!(retry.outcome.status, LineStatus::Duplicate);
    assert!(retry.outcome.duplicate_items.is_empty());
    let line = output::event_json(4, &retry.outcome);
    assert!(!line.contains("duplicate_items"), "{line}");
    assert!(
        line.contains("event `wamid.A` was already applied"),
        "{line}"
    );
}

#[test]
fn rebatched_statuses_are_applied_once() {
    let mut r = Replay::new();
    r.webhook(&[Item::Msg("wamid.A", 0, "hello")]);
    r.reply("wamid.OUT");
    let delivered = Item::Status("wamid.OUT", "delivered", 6);
    let read = Item::Status("wamid.OUT", "read", 7);
    let failed = Item::Status("wamid.OUT", "failed", 8);
    assert_eq!(
        r.webhook(std::slice::from_ref(&delivered)).outcome.status,
        LineStatus::Ok
    );
    // `delivered` again beside the new `read`: only `read` is new.
    let s = r.webhook(&[delivered.clone(), read.clone()]);
    assert_eq!(s.outcome.status, LineStatus::Ok);
    assert_eq!(names(&s), ["wamid.OUT:delivered"]);
    // The failure (131047) is recorded once, with one notice.
    let s = r.webhook(std::slice::from_ref(&failed));
    assert_eq!(s.outcome.tickets[0].notices.len(), 1);
    assert_eq!(s.outcome.tickets[0].messages[0].delivery, Delivery::Failed);
    // The failure again, beside a new customer message: the message is applied, the
    // failure is not reported twice.
    let s = r.webhook(&[failed.clone(), Item::Msg("wamid.B", 9, "still there?")]);
    assert_eq!(s.outcome.status, LineStatus::Ok);
    assert_eq!(names(&s), ["wamid.OUT:failed"]);
    assert!(s.outcome.tickets[0].notices.is_empty(), "{:?}", s.outcome);
    assert!(s.outcome.tickets[0].messages.is_empty(), "{:?}", s.outcome);
    assert_eq!(r.comments(), ["wamid.A", "wamid.B"]);
    // Only old statuses: a duplicate line.
    let s = r.webhook(&[read, failed, delivered]);
    assert_eq!(s.outcome.status, LineStatus::Duplicate);
    assert_eq!(
        names(&s),
        ["wamid.OUT:read", "wamid.OUT:failed", "wamid.OUT:delivered"]
    );
    assert_eq!(s.outcome.ticket_hint.as_deref(), Some(TICKET));
}

#[test]
fn same_message_twice_in_one_body_is_applied_once() {
    let mut r = Replay::new();
    let a = Item::Msg("wamid.A", 0, "I want a refund");
    let s = r.webhook(&[a.clone(), a]);
    assert_eq!(s.outcome.status, LineStatus::Ok);
    assert_eq!(names(&s), ["wamid.A"]);
    assert_eq!(auto_replies(&s), (1, 1));
    assert_eq!(r.comments(), ["wamid.A"]);
}

/// A native `message.received` carries an optional `wamid` (events.md): the message is
/// the same WhatsApp message whichever shape brings it, so it is applied once.
#[test]
fn native_message_with_a_wamid_already_applied_is_a_duplicate() {
    let mut r = Replay::new();
    r.webhook(&[Item::Msg("wamid.A", 0, "I want a refund")]);
    let native = |id: &str, wamid: &str| {
        format!(
            r#"{{"type":"message.received","id":"{id}","at":"2026-11-24T09:30:00Z","ticket":"{TICKET}","text":"I want a refund","wamid":"{wamid}"}}"#
        )
    };
    let s = r.ev(&native("n1", "wamid.A"));
    assert_eq!(s.outcome.status, LineStatus::Duplicate);
    assert_eq!(names(&s), ["wamid.A"]);
    assert_eq!(s.outcome.ticket_hint.as_deref(), Some(TICKET));
    assert_eq!(
        s.outcome.warnings,
        ["WhatsApp message `wamid.A` was already applied; not applied again"]
    );
    // The other way round: applied natively, then batched in a webhook body.
    let s = r.ev(&native("n2", "wamid.N"));
    assert_eq!(
        (s.outcome.status, auto_replies(&s)),
        (LineStatus::Ok, (1, 1))
    );
    let s = r.webhook(&[
        Item::Msg("wamid.N", 30, "I want a refund"),
        Item::Msg("wamid.D", 40, "thanks"),
    ]);
    assert_eq!(names(&s), ["wamid.N"]);
    assert_eq!(auto_replies(&s), (0, 0));
    assert_eq!(r.comments(), ["wamid.A", "wamid.N", "wamid.D"]);
    // Native events without a wamid keep their id-based check only.
    let plain = r#"{"type":"message.received","id":"n3","at":"2026-11-24T10:00:00Z","ticket":"wa:15550100001","text":"plain"}"#;
    assert_eq!(r.ev(plain).outcome.status, LineStatus::Ok);
    assert_eq!(r.ev(plain).outcome.status, LineStatus::Duplicate);
}

// ------------------------------------------------------------ any batching, once each

/// The items WhatsApp may deliver, each possibly many times in any batching: three
/// refund requests, a plain message, and three statuses of one outbound reply.
const POOL: [Item; 7] = [
    Item::Msg("wamid.A", 10, "refund for order 1"),
    Item::Msg("wamid.B", 11, "refund for order 2"),
    Item::Msg("wamid.C", 12, "hello"),
    Item::Msg("wamid.D", 13, "a refund please"),
    Item::Status("wamid.OUT", "delivered", 14),
    Item::Status("wamid.OUT", "read", 15),
    Item::Status("wamid.OUT", "failed", 16),
];

fn item_name(item: &Item) -> String {
    match item {
        Item::Msg(id, _, _) => id.to_string(),
        Item::Status(id, status, _) => format!("{id}:{status}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// However the pool is batched, repeated and reordered: every message becomes one
    /// comment, each refund request gets one auto-reply, the failure one notice; a line
    /// is `duplicate` exactly when all its items came before, and `duplicate_items`
    /// names exactly the items seen before (in earlier lines or earlier in the body).
    #[test]
    fn every_whatsapp_item_is_applied_once_however_it_is_batched(
        batches in prop::collection::vec(prop::collection::vec(0..POOL.len(), 1..5), 1..12)
    ) {
        let mut r = Replay::new();
        r.webhook(&[Item::Msg("wamid.Z", 0, "hi")]);
        r.reply("wamid.OUT");
        let mut seen = BTreeSet::new();
        let mut replies = 0;
        let mut notices = 0;
        for batch in &batches {
            let items: Vec<Item> = batch.iter().map(|&i| POOL[i].clone()).collect();
            let step = r.webhook(&items);
            let mut want = Vec::new();
            let mut new = 0;
            for item in &items {
                if seen.insert(item_name(item)) {
                    new += 1;
                } else {
                    want.push(item_name(item));
                }
            }
            // WhatsApp sends messages before statuses within one change.
            let order = |n: &String| n.contains(':');
            want.sort_by_key(order);
            let mut got = step.outcome.duplicate_items.clone();
            got.sort_by_key(order);
            let want_status = if new == 0 { LineStatus::Duplicate } else { LineStatus::Ok };
            // An identical retry is caught by its key and names nothing.
            if !(step.outcome.status == LineStatus::Duplicate && got.is_empty()) {
                prop_assert_eq!(got, want);
            }
            prop_assert_eq!(step.outcome.status, want_status);
            replies += auto_replies(&step).1;
            notices += step.outcome.tickets.iter().map(|t| t.notices.len()).sum::<usize>();
        }
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        for c in r.comments() {
            *count.entry(c).or_default() += 1;
        }
        prop_assert!(count.values().all(|&n| n == 1), "{:?}", count);
        let messages = seen.iter().filter(|n| !n.contains(':')).count();
        prop_assert_eq!(count.len(), 1 + messages);
        let refunds = ["wamid.A", "wamid.B", "wamid.D"];
        prop_assert_eq!(replies, refunds.iter().filter(|w| seen.contains(**w)).count());
        prop_assert_eq!(notices, usize::from(seen.contains("wamid.OUT:failed")));
    }
}

// ------------------------------------------------------------------- run, end to end

const BIN: &str = env!("CARGO_BIN_EXE_ticket-rules");

/// Runs `ticket-rules run` on `events` with this file's rules; exit code and stdout.
fn run(events: &str, format: &str) -> (Option<i32>, String) {
    let dir = std::env::temp_dir().join(format!(
        "ticket-rules-dedup-{}-{format}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let rules = dir.join("dedup.rules");
    std::fs::write(&rules, RULES).expect("rules file");
    let mut child = Command::new(BIN)
        .args(["run", "--rules"])
        .arg(&rules)
        .args(["--events", "-", "--format", format])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ticket-rules");
    let mut input = child.stdin.take().expect("stdin");
    let data = events.as_bytes().to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    let _ = std::fs::remove_dir_all(&dir);
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("UTF-8"),
    )
}

#[test]
fn run_applies_a_rebatched_message_once() {
    let a = Item::Msg("wamid.A", 0, "I want a refund");
    let b = Item::Msg("wamid.B", 10, "any news?");
    let events = [
        body(std::slice::from_ref(&a)),
        body(&[a.clone(), b.clone()]),
        body(&[b, a]),
    ]
    .join("\n");
    let (code, out) = run(&events, "jsonl");
    assert_eq!(code, Some(0), "{out}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0]["status"], "ok");
    assert!(lines[0].get("duplicate_items").is_none(), "{out}");
    assert_eq!(lines[1]["status"], "ok");
    assert_eq!(lines[1]["duplicate_items"], json!(["wamid.A"]));
    assert_eq!(lines[2]["status"], "duplicate");
    assert_eq!(lines[2]["duplicate_items"], json!(["wamid.B", "wamid.A"]));
    assert_eq!(
        out.matches(AUTO_REPLY).count(),
        2,
        "fired + message source once: {out}"
    );
    assert_eq!(out.matches(r#""delivery":"delivered""#).count(), 1, "{out}");

    let (code, pretty) = run(&events, "pretty");
    assert_eq!(code, Some(0), "{pretty}");
    assert!(
        pretty.contains("    duplicate wamid.A (applied before; not applied again)\n"),
        "{pretty}"
    );
    assert!(
        pretty.contains("events      3 lines: 2 applied, 0 rejected, 1 duplicate\n"),
        "{pretty}"
    );
    assert_eq!(
        pretty.matches(&format!("× {AUTO_REPLY}")).count(),
        1,
        "{pretty}"
    );
    assert!(
        pretty.contains(&format!("   1 × {AUTO_REPLY}\n")),
        "{pretty}"
    );
}
