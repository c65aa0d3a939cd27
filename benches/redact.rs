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

use std::hint::black_box;
use std::time::{Duration, Instant};

use ticket_rules::redact::{redact, RedactOptions};

const TARGET_BYTES: usize = 8 << 20;

/// A tiny deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn build(mut line: impl FnMut(&mut Rng, usize) -> String) -> String {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut text = String::with_capacity(TARGET_BYTES + 1024);
    let mut n = 0;
    while text.len() < TARGET_BYTES {
        text.push_str(&line(&mut rng, n));
        text.push('\n');
        n += 1;
    }
    text
}

/// Chat messages, mostly without digits; one line in 50 carries a card.
fn chat() -> String {
    const LINES: &[&str] = &[
        "Hi, I still haven't received my order, can you check please?",
        "Thanks for reaching out! Let me look into this for you.",
        "端末上に電波状況が良好状態と表示されていても、実際の通信状態は安定していない場合がございます",
        "배송이 아직 안 왔어요. 확인 부탁드립니다",
        "The parcel was delivered on 3 May, tracking says so.",
        "Ok great, talk soon :)",
        "Could you send me the invoice again? I lost the email.",
        "Estamos revisando su solicitud, gracias por su paciencia.",
    ];
    build(|rng, n| {
        let mut l = rng.pick(LINES).to_string();
        if n % 50 == 0 {
            l.push_str(" my card is 4111 1111 1111 1111 exp 03/29");
        }
        l
    })
}

/// Log-like lines full of numbers that are not cards (dates, ids, phones, amounts,
/// Luhn failures), with a real card one line in 20.
fn digits() -> String {
    build(|rng, n| {
        let a = rng.next();
        let b = rng.next();
        let mut l = format!(
            "2026-11-{:02} 10:{:02}:{:02} order {} qty {} total {}.{:02} tel +1 555 {:04} ref {:016} {}",
            a % 28 + 1,
            a % 60,
            b % 60,
            a % 1_000_000_000,
            b % 10,
            b % 10_000,
            a % 100,
            b % 10_000,
            a % 10_000_000_000_000_000,
            b % 1_000_000_000_000
        );
        if n % 20 == 0 {
            l.push_str(" card 5555-5555-5555-4444");
        }
        l
    })
}

/// English chat without a single digit.
fn digit_free() -> String {
    build(|rng, _| {
        rng.pick(&[
            "Thanks for reaching out! Let me look into this for you.",
            "Could you send me the invoice again? I lost the email.",
        ])
        .to_string()
    })
}

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
        ("chat, a card every 50 lines", chat()),
        ("digit-dense, a card every 20 lines", digits()),
        ("digit-free ASCII", digit_free()),
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
