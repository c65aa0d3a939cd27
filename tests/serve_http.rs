//! `serve` over real HTTP: a server on an ephemeral loopback port (the library's
//! `Server::run` on a `127.0.0.1:0` listener), a real HTTP client (hyper), one test per
//! route and per promise of the issue (idempotency, reload atomicity, webhook signature
//! and handshake, bearer token, body limit).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{HeaderMap, Method, Request};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use sha2::Sha256;
use ticket_rules::io::{decode_line, output, parse_account};
use ticket_rules::server::{ClockMode, ServeOptions, Server};
use ticket_rules::{compile, Engine, RuleSource};

const RULES: &str = r#"
trigger "Tag new WhatsApp tickets" {
  when all {
    ticket is created
    channel is whatsapp
  }
  then {
    add tags whatsapp
    send message "Hi {{requester.first_name}}, we got your message."
  }
}

automation "Stale new tickets" {
  when all {
    status is new
    hours since created > 1
    tags excludes stale
  }
  then {
    add tags stale
  }
}
"#;

const ACCOUNT: &str =
    "automation_minute: 0\nwhatsapp:\n  app_secret: s3cret\n  verify_token: let-me-in\n";

static N: AtomicUsize = AtomicUsize::new(0);

struct TestServer {
    base: String,
    dir: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    token: Option<String>,
}

struct Reply {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ticket-rules-serve-http-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

async fn start_with(token: Option<&str>, body_limit: usize) -> TestServer {
    let dir = temp_dir();
    std::fs::write(dir.join("test.rules"), RULES).unwrap();
    std::fs::write(dir.join("account.yaml"), ACCOUNT).unwrap();
    let options = ServeOptions {
        rules: vec![dir.join("test.rules")],
        account: Some(dir.join("account.yaml")),
        db: dir.join("state.db"),
        token: token.map(str::to_string),
        body_limit,
        clock: ClockMode::Manual,
        default_rules: true,
        ..ServeOptions::default()
    };
    let (server, _) = Server::open(options).expect("server opens");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    assert!(addr.ip().is_loopback());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.run(listener, async {
        let _ = stopped.await;
    }));
    TestServer {
        base: format!("http://{addr}"),
        dir,
        stop: Some(stop),
        task: Some(task),
        client: Client::builder(TokioExecutor::new()).build_http(),
        token: token.map(str::to_string),
    }
}

async fn start() -> TestServer {
    start_with(None, ticket_rules::server::DEFAULT_BODY_LIMIT).await
}

impl TestServer {
    async fn call(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = self
            .client
            .request(req.body(Full::new(body.into())).unwrap())
            .await
            .expect("request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }

    async fn post(&self, path: &str, body: &str) -> Reply {
        self.call(
            Method::POST,
            path,
            &[("content-type", "application/json")],
            body.to_string(),
        )
        .await
    }

    async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, &[], Bytes::new()).await
    }

    async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.unwrap().unwrap();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const MSG: &str = r#"{"type":"message.received","id":"e1","at":"2026-11-24T09:00:05Z","ticket":"T-1","channel":"whatsapp","sent_at":"2026-11-24T09:00:00Z","requester":{"name":"Maya Torres","phone":"+15550100001"},"text":"my card is 4111 1111 1111 1111"}"#;
const REPLY: &str = r#"{"type":"agent.reply","id":"e2","at":"2026-11-24T09:10:00Z","ticket":"T-1","text":"On it!","wamid":"wamid.A"}"#;

/// What `run` prints for these lines (the library's `event_json`, scrubbed).
fn run_lines(lines: &[&str]) -> Vec<Value> {
    let account = parse_account(ACCOUNT).unwrap();
    let src = [RuleSource {
        name: "test.rules".into(),
        text: RULES.into(),
    }];
    let (rs, _) = compile(&src, account).expect("compiles");
    let mut engine = Engine::new(Arc::new(rs));
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let step = engine.process(decode_line(l, i + 1).unwrap());
        for r in &step.runs {
            out.push(serde_json::from_str(&ticket_rules::redact(&output::run_json(r))).unwrap());
        }
        let line = output::event_json(1, &step.outcome);
        out.push(serde_json::from_str(&ticket_rules::redact(&line)).unwrap());
    }
    out
}

#[tokio::test]
async fn post_events_answers_runs_lines_one_or_many() {
    let s = start().await;
    let r = s.post("/v1/events", MSG).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.headers["content-type"], "application/json");
    let got = r.json();
    let want = run_lines(&[MSG]);
    assert_eq!(got, Value::Array(want.clone()));
    // Keys in the order of events.md (the same bytes as `run`'s line).
    assert!(r.body.starts_with(r#"[{"line":1,"event":"e1","ticket":"T-1","at":"2026-11-24T09:00:05Z","status":"ok","redactions":1,"#), "{}", r.body);
    assert!(
        !r.body.contains("1111 1111 1111"),
        "card in clear: {}",
        r.body
    );
    // A batch: one line per event, `line` = position in the request.
    let batch = format!(
        "[{REPLY},{}]",
        r#"{"type":"ticket.updated","id":"e3","at":"2026-11-24T09:20:00Z","ticket":"T-1","by":"agent","changes":{"priority":"high"}}"#
    );
    let r = s.post("/v1/events", &batch).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let lines = r.json();
    let lines = lines.as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["messages"][0]["delivery"], "delivered");
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[1]["changes"][0]["to"], "high");
    s.stop().await;
}

#[tokio::test]
async fn same_event_twice_gives_the_same_outcome_and_no_second_message() {
    let s = start().await;
    let first = s.post("/v1/events", MSG).await;
    let again = s.post("/v1/events", MSG).await;
    assert_eq!(first.status, 200);
    assert_eq!(again.status, 200);
    assert_eq!(first.body, again.body);
    assert_eq!(first.headers["x-replayed"], "0");
    assert_eq!(again.headers["x-replayed"], "1");
    // Inside one batch too.
    let r = s.post("/v1/events", &format!("[{REPLY},{REPLY}]")).await;
    let lines = r.json();
    assert_eq!(r.headers["x-replayed"], "1");
    let mut second = lines[1].clone();
    second["line"] = 1.into();
    assert_eq!(lines[0], second);
    // The audit holds each event once, so each message id once.
    let audit = s.get("/v1/tickets/T-1/audit").await.json();
    let entries = audit["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{audit}");
    let ids: Vec<&str> = entries
        .iter()
        .flat_map(|e| e["outcome"]["messages"].as_array().unwrap())
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["rule:e1:1", "e2"]);
    // An event without an id is recognised by its bytes.
    let clock = r#"{"type":"ticket.updated","at":"2026-11-24T09:30:00Z","ticket":"T-1","by":"agent","changes":{"add_tags":["x"]}}"#;
    let a = s.post("/v1/events", clock).await;
    let b = s.post("/v1/events", clock).await;
    assert_eq!(a.body, b.body);
    assert!(a.json()[0]["event"].as_str().unwrap().starts_with("h:"));
    s.stop().await;
}

#[tokio::test]
async fn ticket_view_has_state_and_window() {
    let s = start().await;
    s.post("/v1/events", MSG).await;
    let r = s.get("/v1/tickets/T-1").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["ticket"]["id"], "T-1");
    assert_eq!(v["ticket"]["status"], "new");
    assert_eq!(
        v["ticket"]["last_end_user_message_at"],
        "2026-11-24T09:00:00Z"
    );
    // W13: the stored text is redacted.
    assert!(!r.body.contains("1111 1111 1111"));
    // Evaluated at the replay clock (manual mode): open until anchor + 24h (W1, W2).
    assert_eq!(v["window"]["state"], "open");
    assert_eq!(v["window"]["closes_at"], "2026-11-25T09:00:00Z");
    assert_eq!(v["window"]["evaluated_at"], "2026-11-24T09:00:05Z");
    // W2: at exactly 24h it is closed.
    let v = s
        .get("/v1/tickets/T-1?at=2026-11-25T09:00:00Z")
        .await
        .json();
    assert_eq!(v["window"]["state"], "closed");
    assert_eq!(v["window"]["closed_at"], "2026-11-25T09:00:00Z");
    let r = s.get("/v1/tickets/T-1?at=tomorrow").await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("`at`"));
    let r = s.get("/v1/tickets/T-404").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "no ticket `T-404`");
    let list = s.get("/v1/tickets").await.json();
    assert_eq!(list["tickets"], serde_json::json!(["T-1"]));
    s.stop().await;
}

#[tokio::test]
async fn follow_up_ids_with_a_slash_work_raw_and_encoded() {
    let s = start().await;
    let lines = [
        MSG,
        r#"{"type":"ticket.updated","id":"e2","at":"2026-11-24T09:10:00Z","ticket":"T-1","by":"agent","changes":{"status":"solved","assignee":"ana"}}"#,
        r#"{"type":"ticket.updated","id":"e3","at":"2026-11-24T09:11:00Z","ticket":"T-1","by":"system","changes":{"status":"closed"}}"#,
        r#"{"type":"message.received","id":"e4","at":"2026-11-24T09:12:00Z","ticket":"T-1","text":"one more thing"}"#,
    ];
    let r = s
        .post("/v1/events", &format!("[{}]", lines.join(",")))
        .await;
    assert_eq!(r.json()[3]["ticket"], "T-1/2", "{}", r.body);
    assert_eq!(
        s.get("/v1/tickets/T-1/2").await.json()["ticket"]["id"],
        "T-1/2"
    );
    assert_eq!(
        s.get("/v1/tickets/T-1%2F2").await.json()["ticket"]["id"],
        "T-1/2"
    );
    let audit = s.get("/v1/tickets/T-1%2F2/audit").await.json();
    assert_eq!(audit["ticket"], "T-1/2");
    assert_eq!(audit["entries"].as_array().unwrap().len(), 1);
    s.stop().await;
}

#[tokio::test]
async fn clock_runs_automations_and_audit_lists_everything() {
    let s = start().await;
    s.post("/v1/events", MSG).await;
    let r = s
        .post("/v1/clock", r#"{"at":"2026-11-24T12:30:00Z"}"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let runs = r.json();
    let runs = runs.as_array().unwrap();
    // S12/S18: created 09:00:05, `> 1` whole hour first holds in the 12:00 run.
    assert_eq!(runs.len(), 1, "{}", r.body);
    assert_eq!(runs[0]["event"], "automation-run");
    assert_eq!(runs[0]["at"], "2026-11-24T12:00:00Z");
    assert_eq!(
        runs[0]["tickets"][0]["fired"][0],
        "automation:Stale new tickets"
    );
    // The clock never goes backwards: nothing more happens.
    let r = s
        .post("/v1/clock", r#"{"at":"2026-11-24T10:00:00Z"}"#)
        .await;
    assert_eq!(r.body, "[]");
    let all = s.get("/v1/audit").await.json();
    let entries = all["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["seq"], 1);
    assert_eq!(entries[1]["outcome"]["event"], "automation-run");
    let page = s.get("/v1/audit?after=1&limit=1").await.json();
    assert_eq!(page["entries"][0]["seq"], 2);
    assert_eq!(page["next_after"], 2);
    let r = s.post("/v1/clock", r#"{"when":"now"}"#).await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("unknown field `when`"));
    s.stop().await;
}

#[tokio::test]
async fn check_answers_the_json_of_check() {
    let s = start().await;
    let text =
        "trigger \"x\" {\n  when all {\n    foo is 1\n  }\n  then {\n    add tags a\n  }\n}\n";
    let r = s
        .call(
            Method::POST,
            "/v1/check",
            &[("content-type", "text/plain")],
            text.to_string(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.starts_with(r#"[{"file":"request.rules","line":3,"column":5,"end_line":3,"end_column":8,"severity":"error","code":"unknown-field","message":"#),
        "{}",
        r.body
    );
    let keys: Vec<String> = r.json()[0].as_object().unwrap().keys().cloned().collect();
    let mut want = vec![
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "severity",
        "code",
        "message",
        "help",
    ];
    want.sort();
    let mut keys = keys;
    keys.sort();
    assert_eq!(keys, want);
    let r = s
        .post(
            "/v1/check",
            &serde_json::json!({"sources":[{"name":"ok.rules","text":RULES}]}).to_string(),
        )
        .await;
    assert_eq!(r.body, "[]");
    let r = s.post("/v1/check", r#"{"rules":1}"#).await;
    assert_eq!(r.status, 400);
    s.stop().await;
}

#[tokio::test]
async fn redact_masks_card_numbers() {
    let s = start().await;
    let r = s
        .post(
            "/v1/redact",
            r#"{"text":"card 5555 5555 5555 4444, call +4111111111111111"}"#,
        )
        .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(
        v["text"],
        "card 5555 55▇▇ ▇▇▇▇ 4444, call +4111111111111111"
    );
    assert_eq!(v["redactions"], 1);
    let r = s.post("/v1/redact", "{\"text\": 4111111111111111}").await;
    assert_eq!(r.status, 400);
    assert!(!r.body.contains("4111111111111111"), "{}", r.body);
    s.stop().await;
}

#[tokio::test]
async fn reload_is_atomic() {
    let s = start().await;
    let broken = serde_json::json!({"text": "trigger \"Broken\" {\n  when all {\n    colour is red\n  }\n  then {\n    add tags b\n  }\n}\n"});
    let r = s.post("/v1/rules/reload", &broken.to_string()).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let v = r.json();
    assert!(v["error"]
        .as_str()
        .unwrap()
        .contains("previous rule set stays"));
    assert_eq!(v["diagnostics"][0]["code"], "unknown-field");
    // The old rules still apply.
    let r = s.post("/v1/events", MSG).await;
    assert_eq!(
        r.json()[0]["fired"][1],
        "trigger:Tag new WhatsApp tickets",
        "{}",
        r.body
    );
    // A good rule set replaces them for the next event.
    let good = serde_json::json!({"sources":[{"name":"new.rules","text":"trigger \"Tag everything\" {\n  when all {\n    ticket is created\n  }\n  then {\n    add tags everything\n  }\n}\n"}]});
    let r = s.post("/v1/rules/reload", &good.to_string()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["triggers"], 1);
    let r = s
        .post(
            "/v1/events",
            &MSG.replace("\"e1\"", "\"e9\"").replace("T-1", "T-2"),
        )
        .await;
    let fired = &r.json()[0]["fired"];
    assert!(
        fired
            .as_array()
            .unwrap()
            .contains(&"trigger:Tag everything".into()),
        "{fired}"
    );
    assert!(!fired
        .as_array()
        .unwrap()
        .contains(&"trigger:Tag new WhatsApp tickets".into()));
    // An empty body reloads the files given at start.
    let r = s.post("/v1/rules/reload", "").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["automations"], 1);
    s.stop().await;
}

fn sign(body: &str, secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

const WEBHOOK: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","contacts":[{"profile":{"name":"Maya Torres"},"wa_id":"15550100001"}],"messages":[{"from":"15550100001","id":"wamid.IN1","timestamp":"1795510800","type":"text","text":{"body":"Hello"}}]}}]}]}"#;

#[tokio::test]
async fn webhook_needs_a_valid_signature() {
    let s = start().await;
    let path = "/webhooks/whatsapp";
    let r = s.post(path, WEBHOOK).await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("X-Hub-Signature-256"));
    let wrong = sign(WEBHOOK, "not-the-secret");
    let r = s
        .call(
            Method::POST,
            path,
            &[("x-hub-signature-256", wrong.as_str())],
            WEBHOOK.to_string(),
        )
        .await;
    assert_eq!(r.status, 401);
    // Signed over other bytes (a re-serialized body) is refused too.
    let spaced = WEBHOOK.replace(",\"entry\"", ", \"entry\"");
    let r = s
        .call(
            Method::POST,
            path,
            &[("x-hub-signature-256", sign(WEBHOOK, "s3cret").as_str())],
            spaced,
        )
        .await;
    assert_eq!(r.status, 401);
    let good = sign(WEBHOOK, "s3cret");
    let r = s
        .call(
            Method::POST,
            path,
            &[("x-hub-signature-256", good.as_str())],
            WEBHOOK.to_string(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v[0]["event"], "wamid.IN1");
    assert_eq!(v[0]["ticket"], "wa:15550100001");
    // WhatsApp retries: the same delivery is applied once.
    let again = s
        .call(
            Method::POST,
            path,
            &[("x-hub-signature-256", good.as_str())],
            WEBHOOK.to_string(),
        )
        .await;
    assert_eq!(again.body, r.body);
    assert_eq!(again.headers["x-replayed"], "1");
    // Signed but nothing usable: 200 with a rejected line (no retry storm).
    let reaction = r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"account_update","value":{}}]}]}"#;
    let r = s
        .call(
            Method::POST,
            path,
            &[("x-hub-signature-256", sign(reaction, "s3cret").as_str())],
            reaction.to_string(),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()[0]["status"], "rejected");
    s.stop().await;
}

#[tokio::test]
async fn webhook_handshake_checks_the_verify_token() {
    let s = start().await;
    let ok = s
        .get("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=let-me-in&hub.challenge=1158201444")
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body, "1158201444");
    let bad = s
        .get("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1")
        .await;
    assert_eq!(bad.status, 403);
    assert!(bad.json()["error"].is_string());
    let mode = s
        .get("/webhooks/whatsapp?hub.mode=unsubscribe&hub.verify_token=let-me-in&hub.challenge=1")
        .await;
    assert_eq!(mode.status, 403);
    s.stop().await;
}

#[tokio::test]
async fn token_guards_every_v1_route() {
    let mut s = start_with(Some("t0ken"), ticket_rules::server::DEFAULT_BODY_LIMIT).await;
    let r = s.post("/v1/events", MSG).await;
    assert_eq!(r.status, 200, "with the token");
    s.token = None;
    for (m, p) in [
        (Method::POST, "/v1/events"),
        (Method::GET, "/v1/tickets/T-1"),
        (Method::GET, "/v1/tickets/T-1/audit"),
        (Method::GET, "/v1/tickets"),
        (Method::GET, "/v1/audit"),
        (Method::POST, "/v1/check"),
        (Method::POST, "/v1/redact"),
        (Method::POST, "/v1/rules/reload"),
        (Method::POST, "/v1/clock"),
    ] {
        let r = s.call(m.clone(), p, &[], Bytes::new()).await;
        assert_eq!(r.status, 401, "{m} {p}");
        assert_eq!(r.headers["www-authenticate"], "Bearer");
        assert!(r.json()["error"].as_str().unwrap().contains("bearer token"));
    }
    let r = s
        .call(
            Method::GET,
            "/v1/tickets/T-1",
            &[("authorization", "Bearer wrong")],
            Bytes::new(),
        )
        .await;
    assert_eq!(r.status, 401);
    // Health and metrics stay open; the webhook has its own signature.
    assert_eq!(s.get("/healthz").await.status, 200);
    assert_eq!(s.get("/metrics").await.status, 200);
    s.stop().await;
}

#[tokio::test]
async fn body_over_the_limit_is_refused_with_413() {
    let s = start_with(None, 4096).await;
    let big = format!(
        r#"{{"type":"message.received","id":"big","at":"2026-11-24T09:00:05Z","ticket":"T-1","channel":"email","text":"{}"}}"#,
        "x".repeat(5000)
    );
    let r = s.post("/v1/events", &big).await;
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("limit of 4096 bytes"));
    // Nothing was applied.
    assert_eq!(s.get("/v1/tickets/T-1").await.status, 404);
    let r = s.post("/v1/events", MSG).await;
    assert_eq!(r.status, 200);
    s.stop().await;
}

#[tokio::test]
async fn bad_requests_get_a_json_error_saying_where() {
    let s = start().await;
    let r = s.post("/v1/events", r#"{"type":"agent.reply","#).await;
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("body: invalid JSON at line 1 column"),
        "{}",
        r.body
    );
    let r = s
        .post(
            "/v1/events",
            &format!(r#"[{MSG},{{"type":"agent.reply","at":"2026-11-24T09:10:00Z","text":"x"}}]"#),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["error"],
        "events[1]: missing field `ticket` for event type `agent.reply`"
    );
    // The batch was refused whole: the first event was not applied.
    assert_eq!(s.get("/v1/tickets/T-1").await.status, 404);
    // A well-formed event the engine refuses is an outcome, as in `run`.
    let r = s.post("/v1/events", REPLY).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()[0]["status"], "rejected");
    assert_eq!(r.json()[0]["error"], "unknown ticket `T-1`");
    let r = s.get("/v2/nothing").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "no route GET /v2/nothing");
    let r = s
        .call(Method::DELETE, "/v1/events", &[], Bytes::new())
        .await;
    assert_eq!(r.status, 405);
    assert!(r.json()["error"].is_string());
    s.stop().await;
}

#[tokio::test]
async fn healthz_and_metrics() {
    let s = start().await;
    let r = s.get("/healthz").await;
    assert_eq!((r.status, r.body.as_str()), (200, r#"{"status":"ok"}"#));
    s.post("/v1/events", MSG).await;
    s.post("/v1/events", MSG).await;
    s.post("/v1/events", REPLY.replace("T-1", "T-9").as_str())
        .await;
    let m = s.get("/metrics").await;
    assert_eq!(m.status, 200);
    assert!(m.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = m.body;
    for want in [
        "ticket_rules_events_total{status=\"ok\"} 1",
        "ticket_rules_events_total{status=\"rejected\"} 1",
        "ticket_rules_events_total{status=\"replayed\"} 1",
        "ticket_rules_rules_fired_total{rule=\"trigger:Tag new WhatsApp tickets\"} 1",
        "ticket_rules_rules_fired_total{rule=\"redaction:Credit card numbers on social messaging\"} 1",
        "ticket_rules_deliveries_total{delivery=\"delivered\",reason=\"\"} 1",
        "ticket_rules_http_request_duration_seconds_count{route=\"/v1/events\"} 3",
        "ticket_rules_http_request_duration_seconds_bucket{route=\"/v1/events\",le=\"+Inf\"} 3",
        "ticket_rules_tickets 1",
    ] {
        assert!(text.contains(want), "missing {want} in\n{text}");
    }
    s.stop().await;
}

/// Stops `s` without deleting its directory and starts a server on the same files (rules,
/// account, database).
async fn restart(mut s: TestServer) -> TestServer {
    if let Some(stop) = s.stop.take() {
        let _ = stop.send(());
    }
    s.task.take().unwrap().await.unwrap().unwrap();
    let dir = s.dir.clone();
    let options = ServeOptions {
        rules: vec![dir.join("test.rules")],
        account: Some(dir.join("account.yaml")),
        db: dir.join("state.db"),
        clock: ClockMode::Manual,
        ..ServeOptions::default()
    };
    let (server, _) = Server::open(options).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(server.run(listener, async {
        let _ = stopped.await;
    }));
    TestServer {
        base,
        dir,
        stop: Some(stop),
        task: Some(task),
        client: Client::builder(TokioExecutor::new()).build_http(),
        token: None,
    }
}

/// A webhook body from Maya holding these messages (wamid, unix time, text).
fn maya_says(messages: &[(&str, i64, &str)]) -> String {
    let messages: Vec<Value> = messages
        .iter()
        .map(|(id, ts, text)| {
            serde_json::json!({"from": "15550100001", "id": id, "timestamp": ts.to_string(),
                "type": "text", "text": {"body": text}})
        })
        .collect();
    serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "1",
        "changes": [{"field": "messages", "value": {"messaging_product": "whatsapp",
            "contacts": [{"profile": {"name": "Maya Torres"}, "wa_id": "15550100001"}],
            "messages": messages}}]}]})
    .to_string()
}

/// Issue 8, item 5: WhatsApp sends a message again inside a differently batched body
/// (another message beside it) after the server restarted: the message is not applied
/// again and its auto-reply is delivered once; the new message is applied; a retry of
/// the same bytes still gets the stored answer.
#[tokio::test]
async fn rebatched_webhook_message_after_a_restart_is_not_applied_or_answered_twice() {
    let s = start().await;
    let refund_rules = format!(
        "{RULES}\ntrigger \"Auto-reply to refund requests\" {{\n  when all {{\n    current_user is end_user\n    comment contains word \"refund\"\n  }}\n  then {{\n    send message \"We got your refund request.\"\n  }}\n}}\n"
    );
    std::fs::write(s.dir.join("test.rules"), refund_rules).unwrap();
    let r = s.post("/v1/rules/reload", "").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let auto = "trigger:Auto-reply to refund requests";
    let path = "/webhooks/whatsapp";
    let signed = |body: &str| sign(body, "s3cret");
    let first = maya_says(&[("wamid.A", 1795510800, "I want a refund")]);
    let r = s
        .call(
            Method::POST,
            path,
            &[("x-hub-signature-256", signed(&first).as_str())],
            first.clone(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()[0]["fired"],
        serde_json::json!(["trigger:Tag new WhatsApp tickets", auto])
    );

    let s = restart(s).await;
    let rebatched = maya_says(&[
        ("wamid.A", 1795510800, "I want a refund"),
        ("wamid.B", 1795511400, "any news?"),
    ]);
    let sig = signed(&rebatched);
    let r = s
        .call(
            Method::POST,
            path,
            &[("x-hub-signature-256", sig.as_str())],
            rebatched.clone(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.headers["x-replayed"], "0");
    let line = &r.json()[0];
    assert_eq!(line["status"], "ok", "{line}");
    assert_eq!(line["duplicate_items"], serde_json::json!(["wamid.A"]));
    assert_eq!(line["fired"], serde_json::json!([]), "{line}");
    assert_eq!(line["messages"], serde_json::json!([]), "{line}");
    // WhatsApp retries that very delivery: the stored answer, nothing applied.
    let again = s
        .call(
            Method::POST,
            path,
            &[("x-hub-signature-256", sig.as_str())],
            rebatched,
        )
        .await;
    assert_eq!(again.headers["x-replayed"], "1");
    assert_eq!(again.body, r.body);
    // Both messages again, in another order and through /v1/events: a duplicate line.
    let swapped = maya_says(&[
        ("wamid.B", 1795511400, "any news?"),
        ("wamid.A", 1795510800, "I want a refund"),
    ]);
    let d = s.post("/v1/events", &swapped).await;
    assert_eq!(d.json()[0]["status"], "duplicate", "{}", d.body);
    assert_eq!(
        d.json()[0]["duplicate_items"],
        serde_json::json!(["wamid.B", "wamid.A"])
    );

    // The stored state and audit: each message once, one auto-reply delivered.
    let s = restart(s).await;
    let t = s.get("/v1/tickets/wa:15550100001").await.json();
    let comments: Vec<&str> = t["ticket"]["comments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["author"] == "end_user")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(comments, ["wamid.A", "wamid.B"]);
    let audit = s.get("/v1/tickets/wa:15550100001/audit").await.json();
    let entries = audit["entries"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        2,
        "the duplicate line is not audited: {audit}"
    );
    let replies: Vec<&Value> = entries
        .iter()
        .flat_map(|e| e["outcome"]["messages"].as_array().unwrap())
        .filter(|m| m["source"] == auto)
        .collect();
    assert_eq!(replies.len(), 1, "{audit}");
    assert_eq!(replies[0]["delivery"], "delivered");
    s.stop().await;
}

#[tokio::test]
async fn state_survives_a_restart_on_the_same_database() {
    let s = start().await;
    s.post("/v1/events", &format!("[{MSG},{REPLY}]")).await;
    let before = s.get("/v1/tickets/T-1").await.body;
    let audit = s.get("/v1/audit").await.body;
    // Stop without deleting the directory, then start on the same files.
    let s2 = restart(s).await;
    assert_eq!(s2.get("/v1/tickets/T-1").await.body, before);
    assert_eq!(s2.get("/v1/audit").await.body, audit);
    // The outcome of an event applied before the restart is still the stored one.
    let r = s2.post("/v1/events", REPLY).await;
    assert_eq!(r.headers["x-replayed"], "1");
    s2.stop().await;
}

#[test]
fn openapi_describes_every_route() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.yaml"))
        .expect("docs/openapi.yaml");
    let doc: serde_json::Value = serde_saphyr::from_str(&text).expect("valid YAML");
    let paths = doc["paths"].as_object().expect("paths");
    for (path, methods) in [
        ("/v1/events", &["post"][..]),
        ("/webhooks/whatsapp", &["post", "get"]),
        ("/v1/tickets", &["get"]),
        ("/v1/tickets/{id}", &["get"]),
        ("/v1/tickets/{id}/audit", &["get"]),
        ("/v1/audit", &["get"]),
        ("/v1/clock", &["post"]),
        ("/v1/check", &["post"]),
        ("/v1/redact", &["post"]),
        ("/v1/rules/reload", &["post"]),
        ("/healthz", &["get"]),
        ("/metrics", &["get"]),
    ] {
        let entry = paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} missing from docs/openapi.yaml"));
        for m in methods {
            assert!(
                entry.get(*m).is_some(),
                "{m} {path} missing from docs/openapi.yaml"
            );
        }
    }
    assert_eq!(
        paths.len(),
        12,
        "a documented route the server does not have"
    );
    let md = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/http-api.md"))
        .expect("docs/http-api.md");
    for route in [
        "POST /v1/events",
        "GET /v1/tickets/{id}",
        "POST /v1/clock",
        "POST /v1/check",
        "POST /v1/redact",
        "POST /v1/rules/reload",
        "GET /healthz",
        "GET /metrics",
        "POST /webhooks/whatsapp",
    ] {
        assert!(md.contains(route), "{route} not in docs/http-api.md");
    }
}

/// Issue 8, item 7: a stored audit entry that is not valid JSON (a damaged row) keeps its
/// place and its `seq`; every later entry keeps its own.
#[tokio::test]
async fn audit_keeps_every_entry_and_seq_after_a_damaged_one() {
    let s = start().await;
    s.post("/v1/events", &format!("[{MSG},{REPLY}]")).await;
    let before = s.get("/v1/audit").await.json();
    let seqs: Vec<i64> = before["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert!(seqs.len() >= 2, "{before}");
    let db = rusqlite::Connection::open(s.dir.join("state.db")).unwrap();
    db.execute(
        "UPDATE audit SET json = '{not json' WHERE seq = ?1",
        [seqs[0]],
    )
    .unwrap();
    for path in ["/v1/audit", "/v1/tickets/T-1/audit"] {
        let after = s.get(path).await.json();
        let entries = after["entries"].as_array().unwrap();
        let got: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert_eq!(got, seqs, "{path}: {after}");
        assert_eq!(
            entries[0]["outcome"]["error"], "stored outcome is not valid JSON",
            "{path}"
        );
        assert_eq!(
            entries[1]["outcome"], before["entries"][1]["outcome"],
            "{path}"
        );
    }
    s.stop().await;
}

/// Issue 8, item 7: a ticket whose id ends in `/audit` does not hide the audit route of
/// the ticket before it; it is reached with its slash percent-encoded.
#[tokio::test]
async fn a_ticket_named_id_slash_audit_does_not_shadow_the_audit_route() {
    let s = start().await;
    let other = MSG
        .replace(r#""id":"e1""#, r#""id":"e9""#)
        .replace(r#""ticket":"T-1""#, r#""ticket":"T-1/audit""#);
    let r = s.post("/v1/events", &format!("[{MSG},{other}]")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let audit = s.get("/v1/tickets/T-1/audit").await.json();
    assert_eq!(audit["ticket"], "T-1", "{audit}");
    let ticket = s.get("/v1/tickets/T-1%2Faudit").await.json();
    assert_eq!(ticket["ticket"]["id"], "T-1/audit", "{ticket}");
    let its_audit = s.get("/v1/tickets/T-1%2Faudit/audit").await.json();
    assert_eq!(its_audit["ticket"], "T-1/audit", "{its_audit}");
    s.stop().await;
}

/// Issue 8, item 7: answers the sidecar gives itself are JSON even for a path that is not
/// UTF-8 once decoded, or a request target that is too long.
#[tokio::test]
async fn non_2xx_answers_are_json_for_bad_utf8_paths_and_long_targets() {
    let s = start().await;
    let r = s.get("/v1/tickets/%FF%FE").await;
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"].as_str().unwrap().contains("UTF-8"),
        "{}",
        r.body
    );
    let long = format!(
        "/v1/tickets/{}",
        "a".repeat(ticket_rules::server::MAX_URI_BYTES)
    );
    let r = s.get(&long).await;
    assert_eq!(r.status, 414);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("request target"),
        "{}",
        r.body
    );
    let r = s
        .get(&format!("/nowhere/{}", "4111111111111111".repeat(600)))
        .await;
    assert_eq!(r.status, 414);
    assert!(!r.body.contains("4111111111111111"), "{}", r.body);
    s.stop().await;
}
