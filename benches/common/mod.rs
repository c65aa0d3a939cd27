//! Generators shared by the benchmarks: a deterministic xorshift generator and the
//! chat-like, digit-dense and digit-free texts the redaction benchmarks scan.
#![allow(dead_code)] // each benchmark uses part of it

/// The seed every benchmark starts from, so runs are comparable.
pub const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// A small deterministic generator (xorshift).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// Lines from `line(rng, n)` until the text holds at least `bytes` bytes.
pub fn build_text(bytes: usize, mut line: impl FnMut(&mut Rng, usize) -> String) -> String {
    let mut rng = Rng(SEED);
    let mut text = String::with_capacity(bytes + 1024);
    let mut n = 0;
    while text.len() < bytes {
        text.push_str(&line(&mut rng, n));
        text.push('\n');
        n += 1;
    }
    text
}

/// Chat messages, mostly without digits; one line in 50 carries a card.
pub fn chat(bytes: usize) -> String {
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
    build_text(bytes, |rng, n| {
        let mut l = rng.pick(LINES).to_string();
        if n % 50 == 0 {
            l.push_str(" my card is 4111 1111 1111 1111 exp 03/29");
        }
        l
    })
}

/// Log-like lines full of numbers that are not cards (dates, ids, phones, amounts,
/// Luhn failures), with a real card one line in 20.
pub fn digits(bytes: usize) -> String {
    build_text(bytes, |rng, n| {
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
pub fn digit_free(bytes: usize) -> String {
    build_text(bytes, |rng, _| {
        rng.pick(&[
            "Thanks for reaching out! Let me look into this for you.",
            "Could you send me the invoice again? I lost the email.",
        ])
        .to_string()
    })
}
