//! `serve` and far-future time (issue 8): with the wall clock an event stamped beyond
//! `--max-future` is rejected (and not remembered); a long automation catch-up does not
//! stop the server from answering `/healthz` and reads, and SIGTERM stops it within a
//! few seconds. Behaviour tests: bounds are generous, nothing is a speed target.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use ticket_rules::server::{ClockMode, ServeOptions, Server};

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ticket-rules-serve-clock-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

async fn call(c: &HttpClient, method: Method, url: String, body: String) -> (u16, String) {
    let req = Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    let res = c.request(req).await.expect("the server answers");
    let status = res.status().as_u16();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn created(id: &str, at: &str) -> String {
    format!(
        r#"{{"type":"ticket.created","id":"{id}","at":"{at}","ticket":{{"id":"{id}","channel":"email","status":"open"}}}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_rejects_an_event_stamped_beyond_max_future_with_the_wall_clock() {
    let dir = temp_dir("future");
    let options = ServeOptions {
        db: dir.join("state.db"),
        clock: ClockMode::Wall,
        max_future_hours: 24,
        ..ServeOptions::default()
    };
    let (server, _) = Server::open(options).expect("server opens");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.run(listener, async {
        let _ = stopped.await;
    }));
    let c = client();
    let now = jiff::Timestamp::now();
    let far = now + jiff::SignedDuration::from_hours(48);
    let near = now + jiff::SignedDuration::from_hours(1);

    let (status, body) = call(
        &c,
        Method::POST,
        format!("{base}/v1/events"),
        created("T-1", &far.to_string()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let lines: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(
        lines.len(),
        1,
        "no automation run before a rejected event: {body}"
    );
    assert_eq!(lines[0]["status"], "rejected");
    let error = lines[0]["error"].as_str().unwrap();
    assert!(
        error.contains("more than 24 hours ahead of the wall clock"),
        "{error}"
    );
    assert!(error.contains("--max-future"), "{error}");
    let (status, _) = call(
        &c,
        Method::GET,
        format!("{base}/v1/tickets/T-1"),
        String::new(),
    )
    .await;
    assert_eq!(status, 404, "nothing was applied");

    // Not remembered: the same event, once due, is applied.
    let (status, body) = call(
        &c,
        Method::POST,
        format!("{base}/v1/events"),
        created("T-1", &near.to_string()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let lines: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(lines.last().unwrap()["status"], "ok", "{body}");

    // POST /v1/clock has no bound.
    let (status, body) = call(
        &c,
        Method::POST,
        format!("{base}/v1/clock"),
        r#"{"at":"2226-01-01T00:00:00Z"}"#.into(),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let _ = stop.send(());
    task.await.unwrap().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_reads_during_a_long_catch_up_and_stops_on_sigterm() {
    let dir = temp_dir("sigterm");
    // Two automations that undo each other: every hourly run changes every ticket, so
    // jumping 200 years means 1.75 million runs that really change something.
    std::fs::write(
        dir.join("toggle.rules"),
        "automation \"on\" {\n  when all {\n    tags excludes x\n  }\n  then {\n    add tags x\n  }\n}\n\
         automation \"off\" {\n  when all {\n    tags includes x\n  }\n  then {\n    remove tags x\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("account.yaml"),
        "automation_updates_per_ticket: 4000000000\n",
    )
    .unwrap();
    let (mut child, base) = start(&dir);
    let c = client();
    for i in 0..10 {
        let (status, body) = call(
            &c,
            Method::POST,
            format!("{base}/v1/events"),
            created(&format!("T-{i}"), "2026-11-24T09:00:00Z"),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let jump = {
        let c = c.clone();
        let base = base.clone();
        tokio::spawn(async move {
            call(
                &c,
                Method::POST,
                format!("{base}/v1/clock"),
                r#"{"at":"2226-01-01T00:00:00Z"}"#.into(),
            )
            .await
        })
    };
    // Wait until runs of the catch-up are committed (the audit shows them).
    let mut seen = false;
    for _ in 0..200 {
        let (status, body) = call(
            &c,
            Method::GET,
            format!("{base}/v1/audit?limit=10000"),
            String::new(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        if body.contains("automation-run") {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(seen, "the catch-up commits its steps");
    // Reads are answered while it goes on.
    let (status, body) = call(&c, Method::GET, format!("{base}/healthz"), String::new()).await;
    assert_eq!((status, body.as_str()), (200, "{\"status\":\"ok\"}"));
    let (status, body) = call(
        &c,
        Method::GET,
        format!("{base}/v1/tickets/T-1"),
        String::new(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(!jump.is_finished(), "the catch-up is still in progress");

    // SIGTERM: the process exits cleanly within a generous bound.
    let pid = child.id().to_string();
    let sent = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let mut exited = None;
    for _ in 0..200 {
        if let Some(s) = child.try_wait().expect("wait") {
            exited = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let Some(status) = exited else {
        let _ = child.kill();
        panic!("serve did not stop within 10 s of SIGTERM during a catch-up");
    };
    assert!(status.success(), "{status:?}");
    let (code, body) = jump.await.expect("the clock request ends");
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("stopping"), "{body}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn start(dir: &Path) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ticket-rules"))
        .args(["serve", "--rules"])
        .arg(dir.join("toggle.rules"))
        .arg("--account")
        .arg(dir.join("account.yaml"))
        .arg("--db")
        .arg(dir.join("state.db"))
        .args(["--addr", "127.0.0.1:0", "--clock", "manual"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
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
    (child, format!("http://{addr}"))
}
