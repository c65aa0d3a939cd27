//! The ticket-rules side of `benches/peers/run.sh` (issue #5): writes the shared workload
//! files the peers read and times ticket-rules in-process on exactly the same data.
//!
//! ```text
//! cargo bench --bench peers_workload -- --dir DIR [--counts 10=20000,1000=2000,7000=1000]
//!                                       [--repeats 5] [--redact-mb 8] [--sample-bytes B]
//! ```
//!
//! For each `N=COUNT` pair it writes
//! - `DIR/events-N.jsonl`: COUNT lines `{"channel":…,"status":…,"tags":[…]}`, generated
//!   exactly as `benches/triggers.rs` generates them (same xorshift, same seed, same order
//!   of draws: 3 tags out of `t0..t{N-1}`, then one of 4 channels, then new|open);
//! - `DIR/bench-N.rules`: N triggers, trigger i = `channel is X` (the 4 channels in
//!   turn) + `tags includes ti` + `status in [new, open]`, action `add tags hit`;
//!
//! and prints one line `TR triggers=N events=COUNT us_per_event=… fired=…`: the median
//! over at least `--repeats` passes and at least one second of timed work (after one
//! warm-up pass) of `Engine::process` over the COUNT events, each pass on a fresh `Engine`; parsing, compiling and building the events are
//! outside the timed loop. `fired` is the number of trigger firings in one pass, which the
//! peers print too, so the script can check all engines did the same matching.
//!
//! It also writes `DIR/chat.txt` and `DIR/digits.txt` (`--redact-mb` MB each, the chat-like
//! and the digit-dense generators of `benches/redact.rs`) and prints
//! `REDACT file=… mode=lines|whole mb_per_s=… cards=…` for the in-process scanner (best
//! of several passes) and, with `--sample-bytes`, `SAMPLE file=… bytes=… cards=…`: the
//! cards ticket-rules finds in the prefix Presidio scans, so the script can time the whole-process `ticket-rules redact` and
//! Presidio's recognizer on the very same bytes.

#[path = "common/mod.rs"]
mod common;
use common::{chat, digits, Rng, SEED};

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ticket_rules::model::{Channel, Event, EventKind, NewTicket, Requester, Status};
use ticket_rules::redact::{redact, RedactOptions};
use ticket_rules::{compile, Account, Engine, RuleSource};

const CHANNELS: [&str; 4] = ["whatsapp", "email", "web", "messenger"];

/// One generated event, as every engine receives it.
struct Spec {
    channel: &'static str,
    open: bool,
    tags: Vec<String>,
}

fn specs(n_triggers: usize, count: usize) -> Vec<Spec> {
    let mut rng = Rng(SEED);
    (0..count)
        .map(|_| {
            let tags = (0..3)
                .map(|_| format!("t{}", rng.below(n_triggers as u64)))
                .collect();
            let channel = CHANNELS[rng.below(4) as usize];
            let open = rng.below(2) != 0;
            Spec {
                channel,
                open,
                tags,
            }
        })
        .collect()
}

fn rules(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let _ = write!(
            s,
            "trigger \"t{i}\" {{\n  when all {{\n    channel is {}\n    tags includes t{i}\n    status in [new, open]\n  }}\n  then {{\n    add tags hit\n  }}\n}}\n",
            CHANNELS[i % 4]
        );
    }
    s
}

fn events(specs: &[Spec]) -> Vec<Event> {
    let at: jiff::Timestamp = "2026-11-24T09:00:00Z".parse().expect("a valid instant");
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| Event {
            id: format!("e{i}"),
            at,
            kind: EventKind::TicketCreated(NewTicket {
                id: format!("T-{i}"),
                channel: Channel::parse(s.channel),
                subject: None,
                status: Some(if s.open { Status::Open } else { Status::New }),
                priority: None,
                ticket_type: None,
                group: None,
                assignee: None,
                form: None,
                brand: None,
                schedule: None,
                due_at: None,
                sla_breach_at: None,
                satisfaction: None,
                tags: s.tags.clone(),
                fields: Default::default(),
                requester: Requester::default(),
                organization: None,
            }),
        })
        .collect()
}

fn write_events(path: &Path, specs: &[Spec]) {
    let mut out = String::new();
    for s in specs {
        let line = serde_json::json!({
            "channel": s.channel,
            "status": if s.open { "open" } else { "new" },
            "tags": s.tags,
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap_or_else(|e| die(&format!("{}: {e}", path.display())));
}

/// One pass of the engine over all events; returns (seconds, firings).
fn pass(rs: &Arc<ticket_rules::RuleSet>, evs: Vec<Event>) -> (f64, usize) {
    let mut engine = Engine::new(Arc::clone(rs));
    let start = Instant::now();
    let mut fired = 0usize;
    for e in evs {
        let step = engine.process(e);
        fired += step.outcome.tickets.first().map_or(0, |t| t.fired.len());
    }
    let secs = start.elapsed().as_secs_f64();
    black_box(&engine);
    (secs, fired)
}

fn triggers(dir: &Path, n: usize, count: usize, repeats: usize) {
    let sp = specs(n, count);
    write_events(&dir.join(format!("events-{n}.jsonl")), &sp);
    let text = rules(n);
    let rules_path = dir.join(format!("bench-{n}.rules"));
    std::fs::write(&rules_path, &text)
        .unwrap_or_else(|e| die(&format!("{}: {e}", rules_path.display())));
    let sources = [RuleSource {
        name: "bench.rules".into(),
        text,
    }];
    let (rs, _) = compile(&sources, Account::default())
        .unwrap_or_else(|_| die("the bench rules do not compile"));
    let rs = Arc::new(rs);
    let _ = pass(&rs, events(&sp)); // warm-up
    let mut samples = Vec::new();
    let mut fired = 0;
    let mut timed = 0.0;
    // At least `repeats` passes and at least one second of timed work in all (a pass over
    // a few hundred events takes well under a millisecond), at most 10,000 passes.
    while samples.len() < repeats.max(1) || (timed < 1.0 && samples.len() < 10_000) {
        let evs = events(&sp);
        let (secs, f) = pass(&rs, evs);
        fired = f;
        timed += secs;
        samples.push(secs * 1e6 / count as f64);
    }
    samples.sort_by(f64::total_cmp);
    println!(
        "TR triggers={n} events={count} us_per_event={:.3} fired={fired} passes={}",
        samples[samples.len() / 2],
        samples.len()
    );
}

/// The first `max` bytes of `text` cut after its last line end, as `presidio_cc.py` cuts
/// its sample (the whole text when it is not longer than `max`).
fn sample(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    match text.as_bytes()[..max].iter().rposition(|&b| b == b'\n') {
        Some(i) => &text[..=i],
        None => "",
    }
}

fn redaction(dir: &Path, name: &str, text: &str, sample_bytes: usize) {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| die(&format!("{}: {e}", path.display())));
    let opts = RedactOptions::default();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if sample_bytes > 0 {
        let part = sample(text, sample_bytes);
        let cards: usize = part
            .split_inclusive('\n')
            .map(|l| redact(l, &opts).count)
            .sum();
        println!("SAMPLE file={name} bytes={} cards={cards}", part.len());
    }
    for per_line in [true, false] {
        let mut best = Duration::MAX;
        let mut cards = 0;
        let start = Instant::now();
        let mut runs = 0;
        while runs < 3 || (start.elapsed() < Duration::from_secs(2) && runs < 30) {
            let t = Instant::now();
            cards = 0;
            if per_line {
                for line in &lines {
                    cards += black_box(redact(black_box(line), &opts)).count;
                }
            } else {
                cards = black_box(redact(black_box(text), &opts)).count;
            }
            best = best.min(t.elapsed());
            runs += 1;
        }
        println!(
            "REDACT file={name} mode={} bytes={} mb_per_s={:.1} cards={cards} runs={runs}",
            if per_line { "lines" } else { "whole" },
            text.len(),
            text.len() as f64 / 1e6 / best.as_secs_f64()
        );
    }
}

fn die(msg: &str) -> ! {
    eprintln!("peers_workload: {msg}");
    std::process::exit(2)
}

fn main() {
    let mut dir: Option<PathBuf> = None;
    let mut counts = vec![(10usize, 20_000usize), (1_000, 2_000), (7_000, 1_000)];
    let mut repeats = 5usize;
    let mut redact_mb = 8usize;
    let mut sample_bytes = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| die(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--bench" => {}
            "--dir" => dir = Some(PathBuf::from(value())),
            "--repeats" => {
                repeats = value()
                    .parse()
                    .unwrap_or_else(|_| die("--repeats: a whole number"))
            }
            "--redact-mb" => {
                redact_mb = value()
                    .parse()
                    .unwrap_or_else(|_| die("--redact-mb: a whole number"))
            }
            "--sample-bytes" => {
                sample_bytes = value()
                    .parse()
                    .unwrap_or_else(|_| die("--sample-bytes: a whole number"))
            }
            "--counts" => {
                counts = value()
                    .split(',')
                    .map(|p| {
                        let (n, c) = p
                            .split_once('=')
                            .unwrap_or_else(|| die("--counts: N=COUNT,N=COUNT,…"));
                        match (n.parse(), c.parse()) {
                            (Ok(n), Ok(c)) if n > 0 && c > 0 => (n, c),
                            _ => die("--counts: N=COUNT with whole numbers > 0"),
                        }
                    })
                    .collect()
            }
            other => die(&format!("unknown argument {other}")),
        }
    }
    let dir = dir.unwrap_or_else(|| die("--dir DIR is required"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| die(&format!("{}: {e}", dir.display())));
    for (n, count) in counts {
        triggers(&dir, n, count, repeats);
    }
    if redact_mb > 0 {
        redaction(&dir, "chat.txt", &chat(redact_mb << 20), sample_bytes);
        redaction(&dir, "digits.txt", &digits(redact_mb << 20), sample_bytes);
    }
}
