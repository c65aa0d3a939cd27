//! Real WhatsApp Cloud API webhook bodies from other projects (shared/corpus/whatsapp) and
//! the samples (shared/samples): each body becomes an event or a rejection with a reason,
//! never a panic (corpus README "Expectations"). A snapshot of per-body summaries shows
//! any change in behaviour.

use std::path::{Path, PathBuf};

use serde_json::Value;
use ticket_rules::io::decode_line;
use ticket_rules::model::{
    DeliveryStatus, Event, EventKind, InboundMessage, TicketRef, WebhookItem,
};

/// `shared/` beside the repository (CI), or two levels up when the repository is a
/// worktree under `wt/`.
fn shared_dir() -> PathBuf {
    let beside = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared"));
    let above = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"));
    let dir = if beside.is_dir() || !above.is_dir() {
        beside
    } else {
        above
    };
    assert!(
        dir.join("corpus/whatsapp").is_dir(),
        "the shared corpus is missing: expected {} (CI checks out shared/ beside the repository)",
        dir.join("corpus/whatsapp").display()
    );
    dir
}

fn corpus_dir() -> PathBuf {
    shared_dir().join("corpus/whatsapp")
}

/// Every `*.json` file below `dir`, in path order.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable corpus folder") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The webhook bodies of one corpus file, each as one input line, labelled. A file that
/// is a collection of named bodies (pywa keeps one body per key) gives one line per key;
/// a file that is not valid JSON is joined to one line as it is.
fn bodies(path: &Path, root: &Path) -> Vec<(String, String)> {
    let label = path
        .strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    let text = std::fs::read_to_string(path).expect("readable corpus file");
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map))
            if !map.contains_key("object")
                && !map.contains_key("entry")
                && map.values().all(|v| v.get("entry").is_some()) =>
        {
            map.iter()
                .map(|(k, v)| (format!("{label}#{k}"), v.to_string()))
                .collect()
        }
        Ok(v) => vec![(label, v.to_string())],
        Err(_) => {
            let joined: Vec<&str> = text.lines().map(str::trim).collect();
            vec![(label, joined.join(" "))]
        }
    }
}

fn messages(e: &Event) -> Vec<&InboundMessage> {
    match &e.kind {
        EventKind::Webhook(b) => b
            .items
            .iter()
            .filter_map(|i| match i {
                WebhookItem::Message(m) => Some(m),
                WebhookItem::Status(_) => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn statuses(e: &Event) -> Vec<&DeliveryStatus> {
    match &e.kind {
        EventKind::Webhook(b) => b
            .items
            .iter()
            .filter_map(|i| match i {
                WebhookItem::Status(s) => Some(s),
                WebhookItem::Message(_) => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// One summary block per body: the counts and skip reasons, then one line per item.
fn summarize(label: &str, result: &Result<Event, ticket_rules::io::DecodeError>) -> String {
    let mut s = format!("{label}: ");
    match result {
        Err(e) => s.push_str(&format!("rejected: {}\n", e.message)),
        Ok(e) => {
            let EventKind::Webhook(b) = &e.kind else {
                s.push_str(&format!("decoded as a native event {:?}\n", e.kind));
                return s;
            };
            s.push_str(&format!(
                "ok: {} messages, {} statuses, {} skipped",
                messages(e).len(),
                statuses(e).len(),
                b.skipped.len()
            ));
            if !b.skipped.is_empty() {
                s.push_str(&format!(": {}", b.skipped.join(" | ")));
            }
            s.push_str(&format!("\n  event {} at {}\n", e.id, e.at));
            for item in &b.items {
                match item {
                    WebhookItem::Message(m) => {
                        let TicketRef::WhatsApp { wa_id } = &m.ticket else {
                            panic!("webhook messages are found by phone")
                        };
                        let name = m
                            .requester
                            .as_ref()
                            .and_then(|r| r.name.as_deref())
                            .unwrap_or("-");
                        s.push_str(&format!(
                            "  message from {wa_id} ({name}) text {:?}",
                            m.text
                        ));
                        for a in &m.attachments {
                            s.push_str(&format!(
                                " [{}{}]",
                                a.kind,
                                if a.caption.is_some() { " +caption" } else { "" }
                            ));
                        }
                        if m.forwarded {
                            s.push_str(" forwarded");
                        }
                        s.push('\n');
                    }
                    WebhookItem::Status(st) => {
                        s.push_str(&format!("  status {}", st.status));
                        if let Some(code) = st.error_code {
                            s.push_str(&format!(" error {code}"));
                        }
                        s.push('\n');
                    }
                }
            }
        }
    }
    s
}

/// Decodes every corpus body by its label.
fn decode_corpus() -> Vec<(String, Result<Event, ticket_rules::io::DecodeError>)> {
    let root = corpus_dir();
    let files = json_files(&root);
    assert!(
        files.len() >= 30,
        "expected the whole corpus, found {} files",
        files.len()
    );
    files
        .iter()
        .flat_map(|f| bodies(f, &root))
        .map(|(label, line)| {
            assert!(!line.contains('\n'), "{label} must be one line");
            let r = decode_line(&line, 1);
            (label, r)
        })
        .collect()
}

fn find<'a>(
    all: &'a [(String, Result<Event, ticket_rules::io::DecodeError>)],
    label: &str,
) -> &'a Result<Event, ticket_rules::io::DecodeError> {
    &all.iter()
        .find(|(l, _)| l == label)
        .unwrap_or_else(|| panic!("no corpus body {label}"))
        .1
}

#[test]
fn corpus_bodies_decode_or_are_rejected_with_a_reason() {
    let all = decode_corpus();
    let mut report = String::new();
    for (label, r) in &all {
        if let Err(e) = r {
            assert!(!e.message.trim().is_empty(), "{label}: empty reason");
        }
        report.push_str(&summarize(label, r));
    }
    insta::assert_snapshot!("corpus_whatsapp", report);
}

#[test]
fn w1_corpus_status_131047_is_kept() {
    let all = decode_corpus();
    let e = find(
        &all,
        "whatsapp-business-java-api/reEngagementMessageError.json",
    )
    .as_ref()
    .expect("decodes");
    let st = statuses(e);
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].status, "failed");
    assert_eq!(st[0].error_code, Some(131047));
    assert_eq!(st[0].recipient.as_deref(), Some("5511111111111"));
    assert_eq!(e.at.as_second(), 1682651887);
    assert_eq!(e.id, st[0].wamid);
}

#[test]
fn w14_corpus_forwarded_messages() {
    let all = decode_corpus();
    for label in [
        "pywa/message.json#forwarded",
        "pywa/message.json#forwarded_many_times",
    ] {
        let e = find(&all, label).as_ref().expect("decodes");
        let m = messages(e);
        assert_eq!(m.len(), 1, "{label}");
        assert!(m[0].forwarded, "{label}");
    }
    let e = find(&all, "pywa/message.json#text")
        .as_ref()
        .expect("decodes");
    assert!(!messages(e)[0].forwarded);
}

#[test]
fn w14_corpus_media_attachments() {
    let all = decode_corpus();
    let e = find(&all, "whatsapp-business-java-api/imageMessage.json")
        .as_ref()
        .expect("decodes");
    let m = messages(e);
    assert_eq!(m[0].attachments.len(), 1);
    assert_eq!(m[0].attachments[0].kind, "image");
    assert_eq!(m[0].attachments[0].id.as_deref(), Some("8472976218001204"));
    let e = find(&all, "whatsapp-business-java-api/videoMessage.json")
        .as_ref()
        .expect("decodes");
    let m = messages(e);
    assert_eq!(m[0].attachments[0].kind, "video");
    assert_eq!(m[0].attachments[0].caption.as_deref(), Some("hello world"));
    assert_eq!(m[0].text, "hello world", "the caption is the message text");
}

#[test]
fn corpus_bad_and_unusable_bodies_are_rejected() {
    let all = decode_corpus();
    let read = find(
        &all,
        "whatsapp-business-java-api/textMessageStatusRead.json",
    );
    let e = read.as_ref().expect_err("malformed JSON is rejected");
    assert!(
        e.message.starts_with("invalid JSON at column "),
        "{}",
        e.message
    );
    let banned = find(&all, "whatsapp-business-java-api/accountBanned.json");
    assert_eq!(
        banned.as_ref().expect_err("no messages").message,
        "webhook body has no messages or statuses (field `account_update`)"
    );
    let reaction = find(&all, "whatsapp-business-java-api/reactMessage.json");
    assert!(
        reaction
            .as_ref()
            .expect_err("nothing usable")
            .message
            .contains("reaction"),
        "{reaction:?}"
    );
}

/// The five sample lines: three messages and two statuses, W1 anchors from `timestamp`.
#[test]
fn samples_whatsapp_cloud_webhooks() {
    let path = shared_dir().join("samples/whatsapp-cloud-webhooks.jsonl");
    let text = std::fs::read_to_string(&path).expect("sample file");
    let events: Vec<Event> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| decode_line(l, i + 1).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert_eq!(events.len(), 5);
    let msgs: Vec<&InboundMessage> = events.iter().flat_map(messages).collect();
    let sts: Vec<&DeliveryStatus> = events.iter().flat_map(statuses).collect();
    assert_eq!((msgs.len(), sts.len()), (3, 2));

    let first = msgs[0];
    assert_eq!(
        first.ticket,
        TicketRef::WhatsApp {
            wa_id: "821000000077".into()
        }
    );
    assert_eq!(first.sent_at.map(|t| t.as_second()), Some(1795510801));
    assert_eq!(events[0].at.as_second(), 1795510801);
    assert_eq!(events[0].id, "wamid.HBgMODIxMDAwMDAwMDc3FQIAEhgUM0E1");
    let req = first.requester.as_ref().expect("requester");
    assert_eq!(req.name.as_deref(), Some("Mina Park"));
    assert_eq!(req.phone.as_deref(), Some("+821000000077"));
    assert!(!req.opted_in);
    assert!(first.text.starts_with("Hi, my card"));

    let image = msgs[1];
    assert_eq!(image.attachments.len(), 1);
    assert_eq!(image.attachments[0].kind, "image");
    assert_eq!(image.attachments[0].id.as_deref(), Some("1048763249812"));
    assert_eq!(
        image.attachments[0].caption.as_deref(),
        Some("receipt attached")
    );
    assert_eq!(image.text, "receipt attached");

    assert!(msgs[2].forwarded);
    assert!(!msgs[0].forwarded && !msgs[1].forwarded);

    assert_eq!(sts[0].status, "delivered");
    assert_eq!(sts[0].error_code, None);
    assert_eq!(sts[1].status, "failed");
    assert_eq!(sts[1].error_code, Some(131047));
    assert_eq!(sts[1].recipient.as_deref(), Some("15550100002"));
    assert_eq!(events[4].at.as_second(), 1795604400);
}
