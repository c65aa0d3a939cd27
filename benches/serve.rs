//! Throughput and latency of `serve` over loopback (`cargo bench --bench serve`).
//!
//! Starts the server in-process (release build, a fresh SQLite database in a temp
//! directory, the example rules `rules/examples/` with `examples/account.yaml`, manual
//! clock), then drives it with a small hyper client over N keep-alive connections:
//!
//! 1. sustained throughput: `POST /v1/events` with batches of 100 events, N connections,
//!    for a bounded time → events/s;
//! 2. latency: single-event `POST /v1/events`, first on one connection, then on N → p50,
//!    p99, max.
//!
//! The traffic is synthetic WhatsApp support: per conversation a customer message (every
//! tenth with a card number), an agent reply with a wamid, its `delivered` status
//! webhook, a `ticket.updated` to pending, the customer's answer (which reopens it) and a
//! solving reply — 6 events, 100 ms apart, so hourly automation runs happen along the
//! way as in production. Targets (issue 4): ≥ 20,000 events/s, p99 < 5 ms.
//!
//! Environment: `BENCH_SECONDS` (default 8) bounds the throughput phase, `BENCH_CONNS`
//! (default 4) sets N, `BENCH_SINGLE` (default 3000) the single-event requests per phase.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::Request;
use hyper_util::rt::TokioIo;
use jiff::{SignedDuration, Timestamp};
use ticket_rules::server::{ClockMode, ServeOptions, Server};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Generates conversations in time order; `next_conversation` gives 6 event lines.
struct Traffic {
    conversation: u64,
    clock: Timestamp,
}

impl Traffic {
    fn tick(&mut self) -> Timestamp {
        self.clock += SignedDuration::from_millis(100);
        self.clock
    }

    fn next_conversation(&mut self, tag: &str) -> Vec<String> {
        self.conversation += 1;
        let c = self.conversation;
        let t = format!("B{tag}-{c}");
        let phone = format!("+1555{c:07}");
        let text = if c.is_multiple_of(10) {
            "my card is 4111 1111 1111 1111, the order 48213 arrived broken"
        } else {
            "hi, my order 48213 arrived with a cracked screen, can you help?"
        };
        let at1 = self.tick();
        let at2 = self.tick();
        let at3 = self.tick();
        let at4 = self.tick();
        let at5 = self.tick();
        let at6 = self.tick();
        let wamid = format!("wamid.{tag}{c}");
        vec![
            format!(
                r#"{{"type":"message.received","id":"{t}-1","at":"{at1}","ticket":"{t}","channel":"whatsapp","sent_at":"{at1}","requester":{{"id":"u{c}","name":"Maya Torres","phone":"{phone}"}},"text":"{text}"}}"#
            ),
            format!(
                r#"{{"type":"agent.reply","id":"{t}-2","at":"{at2}","ticket":"{t}","author":{{"id":"agent-ana","name":"Ana Ruiz"}},"via":"agent","text":"Sorry to hear that! Could you send a photo?","wamid":"{wamid}","changes":{{"assignee":"Ana Ruiz"}}}}"#
            ),
            format!(
                r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","statuses":[{{"id":"{wamid}","status":"delivered","timestamp":"{}","recipient_id":"{}"}}]}}}}]}}]}}"#,
                at3.as_second(),
                &phone[1..]
            ),
            format!(
                r#"{{"type":"ticket.updated","id":"{t}-4","at":"{at4}","ticket":"{t}","by":"agent","changes":{{"status":"pending"}}}}"#
            ),
            format!(
                r#"{{"type":"message.received","id":"{t}-5","at":"{at5}","ticket":"{t}","sent_at":"{at5}","text":"here it is","attachments":[{{"type":"image","id":"m{c}","caption":"cracked"}}]}}"#
            ),
            format!(
                r#"{{"type":"agent.reply","id":"{t}-6","at":"{at6}","ticket":"{t}","author":{{"id":"agent-ana"}},"text":"A replacement is on its way.","changes":{{"status":"solved"}}}}"#
            ),
        ]
    }
}

async fn connect(addr: SocketAddr) -> SendRequest<Full<Bytes>> {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    send
}

async fn post(send: &mut SendRequest<Full<Bytes>>, body: Bytes) -> (u16, usize) {
    send.ready().await.expect("connection ready");
    let req = Request::post("/v1/events")
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .body(Full::new(body))
        .expect("request");
    let res = send.send_request(req).await.expect("response");
    let status = res.status().as_u16();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (status, body.len())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

async fn latency_phase(
    addr: SocketAddr,
    conns: usize,
    requests: usize,
    traffic: &mut Traffic,
    tag: &str,
) -> Vec<Duration> {
    let mut per_conn: Vec<Vec<Bytes>> = vec![Vec::new(); conns];
    let mut i = 0;
    while i < requests {
        for line in traffic.next_conversation(tag) {
            per_conn[i % conns].push(Bytes::from(line));
            i += 1;
        }
    }
    let mut tasks = Vec::new();
    for bodies in per_conn {
        tasks.push(tokio::spawn(async move {
            let mut send = connect(addr).await;
            let mut times = Vec::with_capacity(bodies.len());
            for b in bodies {
                let start = Instant::now();
                let (status, _) = post(&mut send, b).await;
                times.push(start.elapsed());
                assert_eq!(status, 200);
            }
            times
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client task"));
    }
    all.sort();
    all
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let seconds = env_or("BENCH_SECONDS", 8);
    let conns = env_or("BENCH_CONNS", 4).max(1) as usize;
    let singles = env_or("BENCH_SINGLE", 3000) as usize;
    let dir = std::env::temp_dir().join(format!("ticket-rules-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let options = ServeOptions {
        rules: vec![root.join("rules/examples")],
        account: Some(root.join("examples/account.yaml")),
        db: dir.join("bench.db"),
        clock: ClockMode::Manual,
        ..ServeOptions::default()
    };
    let (server, _) = Server::open(options).expect("server opens");

    // The server on its own runtime (2 workers), the load generator on another (1).
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("server runtime");
    let listener = server_rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = server_rt.spawn(server.run(listener, async {
        let _ = stopped.await;
    }));

    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("client runtime");
    let mut traffic = Traffic {
        conversation: 0,
        clock: "2026-11-23T08:00:00Z".parse().expect("time"),
    };

    println!("ticket-rules serve benchmark — http://{addr}, rules/examples, examples/account.yaml, SQLite WAL in {}", dir.display());
    println!("connections: {conns}; throughput phase ≤ {seconds} s; {singles} single-event requests per latency phase");

    // Warm-up: 20 batches.
    client_rt.block_on(async {
        let mut send = connect(addr).await;
        for _ in 0..20 {
            let mut lines = Vec::new();
            while lines.len() < 100 {
                lines.extend(traffic.next_conversation("w"));
            }
            let (status, _) = post(&mut send, Bytes::from(format!("[{}]", lines.join(",")))).await;
            assert_eq!(status, 200);
        }
    });

    // 1. Throughput: batches of 100 (16 conversations + 4 events = 100 lines, in time
    // order), handed round-robin to N connections, until the time is up.
    let budget = Duration::from_secs(seconds);
    let (events, elapsed, batch_times) = client_rt.block_on(async {
        let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(conns * 2);
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let start = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..conns {
            let rx = Arc::clone(&rx);
            workers.push(tokio::spawn(async move {
                let mut send = connect(addr).await;
                let mut sent = 0usize;
                let mut times = Vec::new();
                loop {
                    let next = rx.lock().await.recv().await;
                    let Some(body) = next else { break };
                    let t = Instant::now();
                    let (status, _) = post(&mut send, body).await;
                    times.push(t.elapsed());
                    assert_eq!(status, 200);
                    sent += 100;
                }
                (sent, times)
            }));
        }
        let mut pending: Vec<String> = Vec::new();
        while start.elapsed() < budget {
            while pending.len() < 100 {
                pending.extend(traffic.next_conversation("t"));
            }
            let rest = pending.split_off(100);
            let body = Bytes::from(format!("[{}]", pending.join(",")));
            pending = rest;
            if tx.send(body).await.is_err() {
                break;
            }
        }
        drop(tx);
        let mut total = 0;
        let mut times = Vec::new();
        for w in workers {
            let (n, t) = w.await.expect("worker");
            total += n;
            times.extend(t);
        }
        times.sort();
        (total, start.elapsed(), times)
    });
    let rate = events as f64 / elapsed.as_secs_f64();

    // 2. Latency of single events: one connection, then N.
    let one = client_rt.block_on(latency_phase(addr, 1, singles, &mut traffic, "s"));
    let many = client_rt.block_on(latency_phase(addr, conns, singles, &mut traffic, "m"));

    let _ = stop.send(());
    let _ = server_rt.block_on(served);
    let db_size = std::fs::metadata(dir.join("bench.db"))
        .map(|m| m.len())
        .unwrap_or(0)
        + std::fs::metadata(dir.join("bench.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);

    println!();
    println!("throughput  batches of 100, {conns} connections: {events} events in {:.2} s = {:.0} events/s (target ≥ 20000)", elapsed.as_secs_f64(), rate);
    println!(
        "            batch latency p50 {}  p99 {}  max {}",
        ms(percentile(&batch_times, 0.50)),
        ms(percentile(&batch_times, 0.99)),
        ms(percentile(&batch_times, 1.0))
    );
    for (name, t) in [
        ("1 connection", &one),
        (&*format!("{conns} connections"), &many),
    ] {
        println!(
            "single event, {name}: {} requests  p50 {}  p99 {}  max {}  (target p99 < 5 ms)",
            t.len(),
            ms(percentile(t, 0.50)),
            ms(percentile(t, 0.99)),
            ms(percentile(t, 1.0))
        );
    }
    println!(
        "tickets created: {}; database + WAL: {:.1} MiB",
        traffic.conversation,
        db_size as f64 / (1024.0 * 1024.0)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
