//! Crash safety of `serve` (issue: "Durability and correctness under faults").
//!
//! The real binary on a temp database: stream the example day (examples/day.jsonl) one
//! event per `POST /v1/events`, `kill -9` it while a request is in flight, restart it on
//! the same database and replay the whole stream from the start — twice — then compare
//! with an uninterrupted run on a fresh database: every answer of the last replay, every
//! ticket and the whole audit log are equal, and no outbound message is in the audit
//! twice.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Running {
    child: Child,
    base: String,
}

fn start(db: &Path, log: &Path) -> Running {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("log file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ticket-rules"))
        .current_dir(root())
        .args([
            "serve",
            "--rules",
            "rules/examples",
            "--account",
            "examples/account.yaml",
        ])
        .arg("--db")
        .arg(db)
        .args(["--addr", "127.0.0.1:0", "--clock", "manual"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("first line");
    let addr = first
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_string();
    Running {
        child,
        base: format!("http://{addr}"),
    }
}

/// One request: `Ok((status, body))`, or `Err` when the connection failed (killed server).
async fn call(
    client: &HttpClient,
    method: Method,
    url: String,
    body: String,
) -> Result<(u16, String), String> {
    let req = Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let res = client.request(req).await.map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let body = res
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

fn events() -> Vec<String> {
    std::fs::read_to_string(root().join("examples/day.jsonl"))
        .expect("examples/day.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// Streams `events[..until]`, one request each; answers in order.
async fn stream(base: &str, events: &[String]) -> Vec<(u16, String)> {
    let c = client();
    let mut out = Vec::new();
    for e in events {
        let r = call(&c, Method::POST, format!("{base}/v1/events"), e.clone())
            .await
            .expect("server answers");
        out.push(r);
    }
    out
}

/// Streams events until `kill_at`, then sends events `kill_at..kill_at + batch` (one
/// event alone, or a JSON array) and kills the server with SIGKILL `delay_us` later,
/// while that request is in flight or just after it was answered. Returns whether the
/// in-flight request was answered.
async fn stream_and_kill(
    mut srv: Running,
    events: &[String],
    kill_at: usize,
    batch: usize,
    delay_us: u64,
) -> bool {
    let c = client();
    for e in &events[..kill_at] {
        call(
            &c,
            Method::POST,
            format!("{}/v1/events", srv.base),
            e.clone(),
        )
        .await
        .expect("server answers before the kill");
    }
    let url = format!("{}/v1/events", srv.base);
    let body = if batch == 1 {
        events[kill_at].clone()
    } else {
        format!("[{}]", events[kill_at..kill_at + batch].join(","))
    };
    let in_flight = tokio::spawn(async move { call(&client(), Method::POST, url, body).await });
    tokio::time::sleep(Duration::from_micros(delay_us)).await;
    srv.child.kill().expect("kill -9"); // SIGKILL on Unix
    let _ = srv.child.wait();
    // Answered or cut off: both are allowed.
    matches!(in_flight.await, Ok(Ok(_)))
}

/// Every ticket (GET /v1/tickets/{id}) and the whole audit log.
async fn state(base: &str) -> (Vec<String>, Vec<Value>) {
    let c = client();
    let (_, ids) = call(&c, Method::GET, format!("{base}/v1/tickets"), String::new())
        .await
        .unwrap();
    let ids: Value = serde_json::from_str(&ids).unwrap();
    let mut tickets = Vec::new();
    for id in ids["tickets"].as_array().unwrap() {
        let id = id.as_str().unwrap().replace('/', "%2F");
        let (status, body) = call(
            &c,
            Method::GET,
            format!("{base}/v1/tickets/{id}"),
            String::new(),
        )
        .await
        .unwrap();
        assert_eq!(status, 200, "{body}");
        tickets.push(body);
    }
    let (_, audit) = call(
        &c,
        Method::GET,
        format!("{base}/v1/audit?limit=10000"),
        String::new(),
    )
    .await
    .unwrap();
    let audit: Value = serde_json::from_str(&audit).unwrap();
    (tickets, audit["entries"].as_array().unwrap().clone())
}

fn message_ids(entries: &[Value]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in entries {
        let o = &e["outcome"];
        let mut records = vec![o];
        if let Some(ts) = o["tickets"].as_array() {
            records.extend(ts.iter());
        }
        for r in records {
            for m in r["messages"].as_array().into_iter().flatten() {
                out.push((
                    m["id"].as_str().unwrap().to_string(),
                    m["delivery"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    out
}

fn stop(mut srv: Running) {
    let _ = srv.child.kill();
    let _ = srv.child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_stream_then_replay_equals_an_uninterrupted_run() {
    let dir = std::env::temp_dir().join(format!("ticket-rules-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("serve.log");
    let events = events();
    assert!(events.len() > 300);

    // The reference: one uninterrupted run on a fresh database.
    let fresh = start(&dir.join("fresh.db"), &log);
    let want_answers = stream(&fresh.base, &events).await;
    let (want_tickets, want_audit) = state(&fresh.base).await;
    stop(fresh);
    assert!(want_tickets.len() > 60, "{} tickets", want_tickets.len());
    assert!(want_audit.len() > 300);

    // Crash twice at different points, replaying from the start after each restart.
    let db = dir.join("crashed.db");
    let answered = stream_and_kill(start(&db, &log), &events, 97, 1, 0).await;
    // A batch of 60 events (one transaction) takes milliseconds: the kill usually lands
    // inside it, and then none of the 60 may be kept.
    let answered_batch = stream_and_kill(start(&db, &log), &events, 211, 60, 1500).await;
    eprintln!(
        "in-flight requests answered before the kill: single {answered}, batch {answered_batch}"
    );
    let srv = start(&db, &log);
    let answers = stream(&srv.base, &events).await;
    let (tickets, audit) = state(&srv.base).await;
    stop(srv);

    for (i, (got, want)) in answers.iter().zip(&want_answers).enumerate() {
        assert_eq!(got, want, "answer to event {i} differs after the crashes");
    }
    assert_eq!(tickets.len(), want_tickets.len());
    for (got, want) in tickets.iter().zip(&want_tickets) {
        assert_eq!(got, want);
    }
    assert_eq!(audit.len(), want_audit.len(), "audit length");
    assert_eq!(audit, want_audit);

    // No outbound message was recorded twice (a later failure report of a message is
    // another delivery state, not a second message).
    let ids = message_ids(&audit);
    assert!(ids.len() > 100, "{} messages", ids.len());
    let mut seen = HashSet::new();
    for id in &ids {
        assert!(seen.insert(id), "message {id:?} appears twice in the audit");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
