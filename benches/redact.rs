//! Throughput of the card scanner (redaction.md; architecture.md "no allocation per clean
//! line"). A plain timing harness (`harness = false`), no extra dependency:
//!
//! ```text
//! cargo bench --bench redact
//! ```
//!
//! Prints MB/s for chat-like text with an occasional card, digit-dense text, digit-free
//! text and adversarial inputs, both over one big string and line by line (as the CLI
//! and the engine call it).

#[path = "common/mod.rs"]
mod common;
use common::{chat, digit_free, digits};

use std::hint::black_box;
use std::time::{Duration, Instant};

use ticket_rules::redact::{redact, RedactOptions};

const TARGET_BYTES: usize = 8 << 20;

fn measure(name: &str, text: &str, per_line: bool) {
    let opts = RedactOptions::default();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut best = Duration::MAX;
    let mut count = 0;
    let start = Instant::now();
    let mut runs = 0;
    while runs < 3 || (start.elapsed() < Duration::from_secs(2) && runs < 50) {
        let t = Instant::now();
        count = 0;
        if per_line {
            for line in &lines {
                count += black_box(redact(black_box(line), &opts)).count;
            }
        } else {
            count = black_box(redact(black_box(text), &opts)).count;
        }
        best = best.min(t.elapsed());
        runs += 1;
    }
    let mbps = text.len() as f64 / 1e6 / best.as_secs_f64();
    println!(
        "{name:<34} {:>6} {:>8.1} MB/s  ({:.1} MB, {count} cards, best of {runs})",
        if per_line { "lines" } else { "whole" },
        mbps,
        text.len() as f64 / 1e6
    );
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument is a name filter.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let cases: Vec<(&str, String)> = vec![
        ("chat, a card every 50 lines", chat(TARGET_BYTES)),
        ("digit-dense, a card every 20 lines", digits(TARGET_BYTES)),
        ("digit-free ASCII", digit_free(TARGET_BYTES)),
        (
            "adversarial: \"1 \" repeated",
            "1 ".repeat(TARGET_BYTES / 2),
        ),
        (
            "adversarial: \"1-----\" repeated",
            "1-----".repeat(TARGET_BYTES / 6),
        ),
        (
            "adversarial: \" 1/1\" repeated",
            " 1/1".repeat(TARGET_BYTES / 4),
        ),
        (
            "adversarial: card repeated, no gap",
            "4111111111111111".repeat(TARGET_BYTES / 16),
        ),
        ("adversarial: cards in one URL", {
            let mut s = String::from("https://x/");
            s.push_str(&"a=4111111111111111&".repeat(TARGET_BYTES / 19));
            s
        }),
        (
            "cards between words",
            "card 4111111111111111 ok ".repeat(TARGET_BYTES / 25),
        ),
    ];
    for (name, text) in &cases {
        if filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str())) {
            measure(name, text, false);
            if text.contains('\n') {
                measure(name, text, true);
            }
        }
    }
}
