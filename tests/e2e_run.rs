//! End-to-end tests of `ticket-rules run` through the binary: the README's example day
//! (snapshots of both formats), the output contract of events.md ("Results out": one line
//! per non-blank input line, key order, rejected lines), "no card number in clear", S18
//! (`--until`, automation minute), S19 (byte-identical replays), W7 (the unlicensed
//! account), W13 (`--no-default-rules`), exit codes, stdin/CRLF/blank lines, and every
//! WhatsApp webhook body of the shared corpus.
//!
//! Every command runs from the repository root (`CARGO_MANIFEST_DIR`), like the README.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_ticket-rules");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The README's main command, without `--format`.
const DAY: &[&str] = &[
    "run",
    "--rules",
    "rules/examples",
    "--account",
    "examples/account.yaml",
    "--events",
    "examples/day.jsonl",
];

/// Fixtures of this file.
const CASES: &str = "tests/cases/e2e";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary from the repository root with `args`; `stdin` is piped when given,
/// else empty.
fn run(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(ROOT)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ticket-rules");
    let writer = stdin.map(|data| {
        let mut input = child.stdin.take().expect("stdin");
        let data = data.to_vec();
        // The child may exit before reading everything (usage errors): ignore EPIPE.
        std::thread::spawn(move || {
            let _ = input.write_all(&data);
        })
    });
    let out = child.wait_with_output().expect("wait for ticket-rules");
    if let Some(w) = writer {
        w.join().expect("stdin writer");
    }
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

fn with(base: &[&str], more: &[&str]) -> Vec<String> {
    base.iter().chain(more).map(|s| s.to_string()).collect()
}

fn run_owned(args: &[String], stdin: Option<&[u8]>) -> Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args, stdin)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(path)).expect("readable file")
}

fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The per-ticket records of an output line: the line itself, or its `tickets`.
fn records(v: &serde_json::Value) -> Vec<&serde_json::Value> {
    match v.get("tickets").and_then(|t| t.as_array()) {
        Some(ts) => ts.iter().collect(),
        None => vec![v],
    }
}

fn all_messages(lines: &[serde_json::Value]) -> Vec<&serde_json::Value> {
    lines
        .iter()
        .flat_map(records)
        .flat_map(|r| r["messages"].as_array().expect("messages array"))
        .collect()
}

// ------------------------------------------------------------------ key order scanner

/// A JSON value with object keys in the order they appear in the text (serde_json's
/// `Map` sorts them, so the raw order is read here).
#[derive(Debug)]
enum J {
    Obj(Vec<(String, J)>),
    Arr(Vec<J>),
    Scalar,
}

struct Scanner<'a> {
    s: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) {
        self.ws();
        assert_eq!(
            self.s.get(self.i),
            Some(&c),
            "expected {:?} at byte {}",
            c as char,
            self.i
        );
        self.i += 1;
    }

    fn string(&mut self) -> String {
        self.eat(b'"');
        let start = self.i;
        while self.s[self.i] != b'"' {
            if self.s[self.i] == b'\\' {
                self.i += 1;
            }
            self.i += 1;
        }
        let raw = &self.s[start..self.i];
        self.i += 1;
        String::from_utf8(raw.to_vec()).expect("UTF-8 key")
    }

    fn value(&mut self) -> J {
        self.ws();
        match self.s[self.i] {
            b'{' => {
                self.i += 1;
                let mut keys = Vec::new();
                self.ws();
                if self.s[self.i] == b'}' {
                    self.i += 1;
                    return J::Obj(keys);
                }
                loop {
                    let k = self.string();
                    self.eat(b':');
                    let v = self.value();
                    keys.push((k, v));
                    self.ws();
                    let c = self.s[self.i];
                    self.i += 1;
                    if c == b'}' {
                        return J::Obj(keys);
                    }
                    assert_eq!(c, b',', "object separator");
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s[self.i] == b']' {
                    self.i += 1;
                    return J::Arr(items);
                }
                loop {
                    items.push(self.value());
                    self.ws();
                    let c = self.s[self.i];
                    self.i += 1;
                    if c == b']' {
                        return J::Arr(items);
                    }
                    assert_eq!(c, b',', "array separator");
                }
            }
            b'"' => {
                self.string();
                J::Scalar
            }
            _ => {
                while self.i < self.s.len() && !b",]}".contains(&self.s[self.i]) {
                    self.i += 1;
                }
                J::Scalar
            }
        }
    }
}

fn scan(line: &str) -> J {
    let mut s = Scanner {
        s: line.as_bytes(),
        i: 0,
    };
    let v = s.value();
    s.ws();
    assert_eq!(s.i, line.len(), "trailing text after the JSON object");
    v
}

fn keys(j: &J) -> Vec<&str> {
    match j {
        J::Obj(kv) => kv.iter().map(|(k, _)| k.as_str()).collect(),
        _ => panic!("expected an object, found {j:?}"),
    }
}

fn get<'a>(j: &'a J, key: &str) -> &'a J {
    match j {
        J::Obj(kv) => &kv.iter().find(|(k, _)| k == key).expect("key present").1,
        _ => panic!("expected an object"),
    }
}

fn items(j: &J) -> &[J] {
    match j {
        J::Arr(a) => a,
        _ => panic!("expected an array, found {j:?}"),
    }
}

const RECORD_KEYS: &[&str] = &[
    "ticket",
    "redactions",
    "fired",
    "changes",
    "messages",
    "notices",
    "warnings",
];

/// Checks the key order of a per-ticket record's nested objects (events.md).
fn check_record_parts(rec: &J, line: &str) {
    for c in items(get(rec, "changes")) {
        let k = keys(c);
        assert!(
            k == ["field", "from", "to"] || k == ["field", "added", "removed"],
            "change keys {k:?} in {line}"
        );
    }
    for m in items(get(rec, "messages")) {
        let k = keys(m);
        assert_eq!(k[..4], ["id", "source", "kind", "delivery"], "in {line}");
        let optional = ["reason", "window_closed_at", "error_code"];
        let rest: Vec<&str> = k[4..].to_vec();
        let expected: Vec<&str> = optional
            .iter()
            .copied()
            .filter(|o| rest.contains(o))
            .collect();
        assert_eq!(rest, expected, "message keys out of order in {line}");
    }
}

/// Checks the key order of one output line (events.md "Results out": keys appear in this
/// order, always; `error` only on rejected lines).
fn check_key_order(line: &str) {
    let j = scan(line);
    let k = keys(&j);
    if k.contains(&"tickets") {
        assert_eq!(
            k,
            ["line", "event", "ticket", "at", "status", "tickets"],
            "{line}"
        );
        for rec in items(get(&j, "tickets")) {
            assert_eq!(keys(rec), RECORD_KEYS, "{line}");
            check_record_parts(rec, line);
        }
    } else {
        let mut expected = vec!["line", "event"];
        expected.extend_from_slice(RECORD_KEYS);
        expected.insert(3, "at");
        expected.insert(4, "status");
        if k.last() == Some(&"error") {
            expected.push("error");
        }
        assert_eq!(k, expected, "{line}");
        check_record_parts(&j, line);
    }
}

// ------------------------------------------------------------------ card numbers

// `is_multiple_of` needs Rust 1.87; the README promises 1.80.
#[allow(unknown_lints, clippy::manual_is_multiple_of)]
fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// Every Luhn-valid number of 13–19 digits in `text`, written as digit groups joined by
/// single spaces or dashes (as it appears, and with the separators removed). Every run of
/// whole groups inside a longer run counts too, so `4012 8888 8888 1881 03` yields
/// `4012 8888 8888 1881`.
fn luhn_numbers(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // A run: digit groups separated by exactly one space or dash.
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut j = i;
        loop {
            let start = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            groups.push((start, j));
            if j + 1 < b.len() && (b[j] == b' ' || b[j] == b'-') && b[j + 1].is_ascii_digit() {
                j += 1;
            } else {
                break;
            }
        }
        for a in 0..groups.len() {
            for z in a..groups.len() {
                let written = &text[groups[a].0..groups[z].1];
                let digits: Vec<u8> = written.bytes().filter(u8::is_ascii_digit).collect();
                if (13..=19).contains(&digits.len()) && luhn(&digits) {
                    found.push(written.to_string());
                    found.push(String::from_utf8(digits).expect("ASCII digits"));
                }
            }
        }
        i = j;
    }
    found.sort();
    found.dedup();
    found
}

fn assert_no_card(numbers: &[String], what: &str, text: &str) {
    for n in numbers {
        assert!(!text.contains(n.as_str()), "{what} holds {n} in clear");
    }
}

#[test]
fn luhn_scanner_finds_the_cards_it_must() {
    let found =
        luhn_numbers("visa 4012 8888 8888 1881 03/27, 6011-1111-1111-1117 and 4111 1111 1111 1112");
    assert!(
        found.contains(&"4012 8888 8888 1881".to_string()),
        "{found:?}"
    );
    assert!(found.contains(&"4012888888881881".to_string()));
    assert!(found.contains(&"6011-1111-1111-1117".to_string()));
    assert!(found.contains(&"6011111111111117".to_string()));
    assert!(!found.iter().any(|f| f.contains("1112")), "{found:?}");
}

// ------------------------------------------------------------------ the example day

#[test]
fn example_day_jsonl_snapshot() {
    let r = run(DAY, None);
    // The day holds 8 rejected lines on purpose (examples/README.md).
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    // The account is given (no default-account note) and the example rules have no
    // findings: nothing on stderr.
    insta::assert_snapshot!("day_jsonl_stderr", r.stderr);
    insta::assert_snapshot!("day_jsonl", r.stdout);
}

#[test]
fn example_day_pretty_snapshot() {
    let args = with(DAY, &["--format", "pretty"]);
    let r = run_owned(&args, None);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    insta::assert_snapshot!("day_pretty_stderr", r.stderr);
    assert!(
        r.stdout.contains("── Summary ─"),
        "the pretty output ends with the summary"
    );
    assert!(
        r.stdout
            .contains("events      310 lines: 301 applied, 8 rejected, 1 duplicate\n"),
        "examples/README.md expected totals"
    );
    insta::assert_snapshot!("day_pretty", r.stdout);
}

/// events.md "Results out": one line per non-blank input line, in input order, with the
/// physical line number, plus automation-run lines; keys in the contract's order;
/// rejected lines name their own line and the replay goes on after them.
#[test]
fn example_day_output_contract() {
    let input = read("examples/day.jsonl");
    let physical: Vec<usize> = input
        .split('\n')
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(physical.len(), 310, "examples/README.md: 310 events");
    let r = run(DAY, None);
    assert_eq!(r.code, Some(1));
    let raw: Vec<&str> = r.stdout.lines().collect();
    let lines = json_lines(&r.stdout);

    // Automation-run lines: no line number, no ticket, a `tickets` array, at minute 0 of
    // an hour (account automation_minute: 0), in time order.
    let runs: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|v| v["event"] == "automation-run")
        .collect();
    assert_eq!(runs.len(), 12, "examples/README.md: 12 runs with updates");
    let mut last_run = String::new();
    for v in &runs {
        assert!(v["line"].is_null() && v["ticket"].is_null(), "{v}");
        assert_eq!(v["status"], "ok");
        let at = v["at"].as_str().expect("run time");
        assert!(at.ends_with(":00:00Z"), "run at minute 0: {at}");
        assert!(at > last_run.as_str(), "runs in time order");
        last_run = at.to_string();
        assert!(!v["tickets"].as_array().expect("tickets").is_empty());
    }

    // Input lines: exactly one output line each, in order, with the physical number.
    let numbered: Vec<usize> = lines
        .iter()
        .filter(|v| v["event"] != "automation-run")
        .map(|v| v["line"].as_u64().expect("line number") as usize)
        .collect();
    assert_eq!(numbered, physical);
    assert_eq!(lines.len(), physical.len() + runs.len());

    for (text, v) in raw.iter().zip(&lines) {
        check_key_order(text);
        let status = v["status"].as_str().expect("status");
        assert!(["ok", "rejected", "duplicate"].contains(&status), "{text}");
        match status {
            "rejected" => {
                let n = v["line"].as_u64().expect("line");
                let e = v["error"].as_str().expect("rejected lines carry an error");
                assert!(e.starts_with(&format!("line {n}: ")), "{text}");
                for rec in records(v) {
                    assert_eq!(rec["fired"], serde_json::json!([]), "{text}");
                    assert_eq!(rec["messages"], serde_json::json!([]), "{text}");
                }
            }
            _ => assert!(v.get("error").is_none(), "{text}"),
        }
        if v["event"] != "automation-run" && v["status"] != "rejected" {
            assert!(!v["event"].is_null() && !v["at"].is_null(), "{text}");
        }
    }

    // examples/README.md "Rejected, duplicate and blank lines".
    let with_status = |s: &str| -> Vec<u64> {
        lines
            .iter()
            .filter(|v| v["status"] == s)
            .map(|v| v["line"].as_u64().expect("line"))
            .collect()
    };
    assert_eq!(
        with_status("rejected"),
        [146, 156, 185, 189, 190, 192, 193, 200]
    );
    assert_eq!(with_status("duplicate"), [155]);
    // The replay goes on after the rejected lines: the last input line is applied.
    assert_eq!(
        lines.last().map(|v| (&v["line"], &v["status"])),
        Some((&serde_json::json!(313), &serde_json::json!("ok")))
    );
}

/// events.md: "No card number appears in clear anywhere" — every Luhn-valid number of the
/// input is masked or absent in both output formats and on stderr.
#[test]
fn example_day_prints_no_card_number_in_clear() {
    let numbers = luhn_numbers(&read("examples/day.jsonl"));
    for card in [
        "4111111111111111",
        "5105 1051 0510 5100",
        "3782 822463 10005",
    ] {
        assert!(numbers.contains(&card.to_string()), "{card} in {numbers:?}");
    }
    for format in ["jsonl", "pretty"] {
        let args = with(DAY, &["--format", format]);
        let r = run_owned(&args, None);
        assert_eq!(r.code, Some(1));
        assert_no_card(&numbers, &format!("{format} stdout"), &r.stdout);
        assert_no_card(&numbers, &format!("{format} stderr"), &r.stderr);
        // The masked subject of line 126 is there (W13, R7).
        assert!(
            r.stdout.contains("Card 401288▇▇▇▇▇▇1881 declined"),
            "{format}"
        );
    }
}

/// A card inside a malformed line never reaches the error text (events.md, redaction.md
/// "Where it runs": errors included).
#[test]
fn rejected_lines_do_not_repeat_card_numbers() {
    let path = format!("{CASES}/cards_in_rejected.jsonl");
    let input = read(&path);
    let numbers = luhn_numbers(&input);
    for card in [
        "4111 1111 1111 1111",
        "5555 5555 5555 4444",
        "5105105105105100",
        "6011-1111-1111-1117",
        "378282246310005",
        "4012888888881881",
        "4111111111111111",
    ] {
        assert!(numbers.contains(&card.to_string()), "{card} in {numbers:?}");
    }
    let base = [
        "run",
        "--rules",
        "rules/examples",
        "--account",
        "examples/account.yaml",
        "--events",
        &path,
    ];
    for format in ["jsonl", "pretty"] {
        let args = with(&base, &["--format", format]);
        let r = run_owned(&args, None);
        assert_eq!(r.code, Some(1), "{}", r.stderr);
        assert_no_card(&numbers, &format!("{format} stdout"), &r.stdout);
        assert_no_card(&numbers, &format!("{format} stderr"), &r.stderr);
    }
    let r = run(&base, None);
    let lines = json_lines(&r.stdout);
    assert_eq!(lines.len(), input.lines().count());
    for (i, v) in lines.iter().enumerate() {
        assert_eq!(v["status"], "rejected", "{v}");
        let e = v["error"].as_str().expect("error");
        assert!(e.starts_with(&format!("line {}: ", i + 1)), "{e}");
        // No run of 12 or more digits survives in an error (masked or not).
        let longest = e
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(longest < 12, "{e}");
    }
}

/// S19: the same rules, account and events give the same output byte for byte.
#[test]
fn s19_two_replays_are_byte_identical() {
    for format in ["jsonl", "pretty"] {
        let args = with(DAY, &["--format", format]);
        let a = run_owned(&args, None);
        let b = run_owned(&args, None);
        assert!(!a.stdout.is_empty());
        assert!(a.stdout == b.stdout, "{format} output differs between runs");
        assert_eq!(a.stderr, b.stderr);
    }
}

/// W7: without the conversations license every template is blocked
/// `templates_require_license`, whatever the window, opt-in or registry say.
#[test]
fn w7_unlicensed_account_blocks_every_template() {
    let r = run(
        &[
            "run",
            "--account",
            "examples/unlicensed/account.yaml",
            "--events",
            "examples/unlicensed/events.jsonl",
        ],
        None,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let lines = json_lines(&r.stdout);
    let messages = all_messages(&lines);
    let templates: Vec<_> = messages
        .iter()
        .filter(|m| m["kind"] == "template")
        .collect();
    // Lines 4, 5 (shorthand in a macro, W15) and 8 (examples/README.md).
    assert_eq!(templates.len(), 3, "{}", r.stdout);
    for m in &templates {
        assert_eq!(m["delivery"], "blocked", "{m}");
        assert_eq!(m["reason"], "templates_require_license", "{m}");
    }
    // Free text inside the window is delivered (the license is only about templates).
    let line2 = lines.iter().find(|v| v["line"] == 2).expect("line 2");
    assert_eq!(line2["messages"][0]["delivery"], "delivered");
}

// ------------------------------------------------------------------ exit codes

#[test]
fn exit_0_for_a_clean_replay() {
    let r = run(
        &[
            "run",
            "--rules",
            &format!("{CASES}/followup.rules"),
            "--account",
            &format!("{CASES}/account.yaml"),
            "--events",
            &format!("{CASES}/clean.jsonl"),
        ],
        None,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let lines = json_lines(&r.stdout);
    assert_eq!(lines.len(), 4);
    assert!(lines.iter().all(|v| v["status"] == "ok"), "{}", r.stdout);
}

#[test]
fn exit_1_when_a_line_is_rejected() {
    let mut events = read(&format!("{CASES}/clean.jsonl"));
    events.push_str("{\"type\":\"agent.reply\",\"id\":\"r9\",\"at\":\"2026-11-24T11:00:00Z\",\"ticket\":\"T-404\",\"text\":\"hi\"}\n");
    let r = run(
        &["run", "--rules", &format!("{CASES}/followup.rules")],
        Some(events.as_bytes()),
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let lines = json_lines(&r.stdout);
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[4]["status"], "rejected");
    assert_eq!(lines[4]["error"], "line 5: unknown ticket `T-404`");
}

#[test]
fn exit_2_for_a_rule_with_an_unknown_field() {
    let rules = format!("{CASES}/unknown_field.rules");
    let r = run(
        &[
            "run",
            "--rules",
            &rules,
            "--events",
            &format!("{CASES}/clean.jsonl"),
        ],
        None,
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert_eq!(r.stdout, "", "nothing is replayed");
    assert!(r.stderr.contains("unknown-field"), "{}", r.stderr);
    // file:line:col of `requester.shoe_size`.
    assert!(r.stderr.contains(&format!("{rules}:5:5")), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was replayed"), "{}", r.stderr);
}

#[test]
fn exit_2_for_a_bad_until() {
    let r = run(
        &[
            "run",
            "--rules",
            &format!("{CASES}/followup.rules"),
            "--events",
            &format!("{CASES}/clean.jsonl"),
            "--until",
            "tomorrow",
        ],
        None,
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("--until"), "{}", r.stderr);
    assert!(r.stderr.contains("RFC 3339"), "{}", r.stderr);
}

#[test]
fn exit_2_for_a_missing_events_file() {
    let r = run(
        &[
            "run",
            "--rules",
            &format!("{CASES}/followup.rules"),
            "--events",
            &format!("{CASES}/no_such_file.jsonl"),
        ],
        None,
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("no_such_file.jsonl"), "{}", r.stderr);
}

#[test]
fn exit_2_for_an_account_with_an_unknown_key() {
    let r = run(
        &[
            "run",
            "--rules",
            &format!("{CASES}/followup.rules"),
            "--account",
            &format!("{CASES}/unknown_key.account.yaml"),
            "--events",
            &format!("{CASES}/clean.jsonl"),
        ],
        None,
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("conversation_license"), "{}", r.stderr);
    // events.md: the error names the key and its line.
    assert!(r.stderr.contains("line 3"), "{}", r.stderr);
}

// ------------------------------------------------------------------ replay clock

/// S18, S12: `--until` performs the runs after the last event, at minute
/// `automation_minute` (15 here) of each UTC hour. Solved at 09:10: the run at 09:15
/// counts 0 whole hours, 10:15 counts 1 (`> 1` is strict), 11:15 counts 2 and fires;
/// 12:15 is after `--until`.
#[test]
fn s18_until_performs_runs_after_the_last_event() {
    let base = [
        "run",
        "--rules",
        &format!("{CASES}/followup.rules"),
        "--account",
        &format!("{CASES}/account.yaml"),
        "--events",
        &format!("{CASES}/solved.jsonl"),
    ];
    let r = run_owned(&with(&base, &["--until", "2026-11-24T12:10:00Z"]), None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let lines = json_lines(&r.stdout);
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert_eq!(lines[0]["line"], 1);
    let run_line = r.stdout.lines().nth(1).expect("the run line");
    assert_eq!(
        run_line,
        r#"{"line":null,"event":"automation-run","ticket":null,"at":"2026-11-24T11:15:00Z","status":"ok","tickets":[{"ticket":"T-1","redactions":0,"fired":["automation:Follow up on solved tickets"],"changes":[{"field":"tags","added":["followed_up"],"removed":[]}],"messages":[],"notices":[],"warnings":[]}]}"#
    );

    // Without --until: no run after the last event.
    let r = run(&base, None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(json_lines(&r.stdout).len(), 1);

    // --until before the hour's minute 15 stops short of the run.
    let r = run_owned(&with(&base, &["--until", "2026-11-24T11:14:59Z"]), None);
    assert_eq!(json_lines(&r.stdout).len(), 1, "{}", r.stdout);
    // ... and at exactly 11:15 includes it ("up to and including TIME").
    let r = run_owned(&with(&base, &["--until", "2026-11-24T11:15:00Z"]), None);
    let lines = json_lines(&r.stdout);
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert_eq!(lines[1]["at"], "2026-11-24T11:15:00Z");
}

// ------------------------------------------------------------------ stdin, CRLF, blanks

/// events.md: `--events` defaults to stdin (also `-`); blank lines give no output line but
/// still count; CRLF line ends are accepted.
#[test]
fn events_from_stdin_with_crlf_and_blank_lines() {
    let clean = read(&format!("{CASES}/clean.jsonl"));
    let events: Vec<&str> = clean.lines().collect();
    // Physical lines: 1 event, 2 blank, 3 event, 4 spaces only, 5 event, 6 event.
    let input = format!(
        "{}\r\n\r\n{}\r\n   \r\n{}\r\n{}\r\n",
        events[0], events[1], events[2], events[3]
    );
    let rules = format!("{CASES}/followup.rules");
    let expected = run(
        &[
            "run",
            "--rules",
            &rules,
            "--events",
            &format!("{CASES}/clean.jsonl"),
        ],
        None,
    );
    assert_eq!(expected.code, Some(0), "{}", expected.stderr);
    for args in [
        vec!["run", "--rules", rules.as_str(), "--events", "-"],
        vec!["run", "--rules", rules.as_str()],
    ] {
        let r = run(&args, Some(input.as_bytes()));
        assert_eq!(r.code, Some(0), "{args:?}: {}", r.stderr);
        // No --account: the defaults apply and run says so.
        assert!(r.stderr.contains("no --account"), "{}", r.stderr);
        let lines = json_lines(&r.stdout);
        let numbers: Vec<u64> = lines
            .iter()
            .map(|v| v["line"].as_u64().expect("line"))
            .collect();
        assert_eq!(numbers, [1, 3, 5, 6], "{args:?}");
        assert!(lines.iter().all(|v| v["status"] == "ok"), "{}", r.stdout);
        // Same results as the LF file, up to the line numbers (and ids made of them).
        assert_eq!(lines[3]["event"], "line:6", "a clock line's id is its line");
        let strip = |v: &serde_json::Value| {
            let mut v = v.clone();
            v["line"] = serde_json::Value::Null;
            if v["event"].as_str().is_some_and(|e| e.starts_with("line:")) {
                v["event"] = serde_json::Value::Null;
            }
            v
        };
        let want: Vec<_> = json_lines(&expected.stdout).iter().map(strip).collect();
        let got: Vec<_> = lines.iter().map(strip).collect();
        assert_eq!(got, want);
    }
}

// ------------------------------------------------------------------ default rules

/// W13 and `--no-default-rules`: without the built-in rule a WhatsApp card is not redacted
/// (0 redactions, no tag), but the output is still scrubbed by the last line of defence.
#[test]
fn w13_no_default_rules_leaves_content_but_output_is_still_scrubbed() {
    let input = concat!(
        r#"{"type":"ticket.created","id":"c1","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"whatsapp","subject":"card 4111 1111 1111 1111 declined"}}"#,
        "\n",
        r#"{"type":"message.received","id":"m1","at":"2026-11-24T09:01:00Z","ticket":"T-1","sent_at":"2026-11-24T09:00:30Z","text":"it is 5555 5555 5555 4444"}"#,
        "\n"
    );
    let numbers = luhn_numbers(input);
    let rules = format!("{CASES}/followup.rules");
    let mut by_mode = Vec::new();
    for extra in [&[][..], &["--no-default-rules"][..]] {
        let args = with(&["run", "--rules", &rules], extra);
        for format in ["jsonl", "pretty"] {
            let args = with(
                &args.iter().map(String::as_str).collect::<Vec<_>>(),
                &["--format", format],
            );
            let r = run_owned(&args, Some(input.as_bytes()));
            assert_eq!(r.code, Some(0), "{}", r.stderr);
            assert_no_card(&numbers, &format!("{args:?} stdout"), &r.stdout);
            assert_no_card(&numbers, &format!("{args:?} stderr"), &r.stderr);
            if format == "jsonl" {
                by_mode.push(json_lines(&r.stdout));
            }
        }
    }
    let tagged = |v: &serde_json::Value| v.to_string().contains("system_credit_card_redaction");
    let (with_rule, without) = (&by_mode[0], &by_mode[1]);
    assert_eq!(with_rule[0]["redactions"], 1);
    assert_eq!(with_rule[1]["redactions"], 1);
    assert!(tagged(&with_rule[0]));
    for v in without {
        assert_eq!(v["redactions"], 0, "{v}");
        assert!(v["fired"]
            .as_array()
            .expect("fired")
            .iter()
            .all(|f| !f.as_str().unwrap_or("").starts_with("redaction:")));
        assert!(!tagged(v), "{v}");
    }
    // The subject change is still printed masked (scrubbed on output).
    assert!(
        without[0]
            .to_string()
            .contains("card 4111 11▇▇ ▇▇▇▇ 1111 declined"),
        "{}",
        without[0]
    );
}

// ------------------------------------------------------------------ the WhatsApp corpus

/// `shared/` beside the repository (CI), or two levels up when the repository is a
/// worktree under `wt/` (as tests/corpus.rs finds it).
fn corpus_dir() -> PathBuf {
    let beside = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared"));
    let above = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"));
    let dir = if beside.is_dir() || !above.is_dir() {
        beside
    } else {
        above
    };
    let dir = dir.join("corpus/whatsapp");
    assert!(
        dir.is_dir(),
        "the shared corpus is missing: expected {}",
        dir.display()
    );
    dir
}

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

/// One input line per webhook body: pywa files hold one body per top-level key; a file
/// that is not valid JSON is joined to one line as it is.
fn corpus_lines() -> Vec<(String, String)> {
    let root = corpus_dir();
    let mut out = Vec::new();
    for path in json_files(&root) {
        let label = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).expect("readable corpus file");
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(map))
                if !map.contains_key("object")
                    && !map.contains_key("entry")
                    && map.values().all(|v| v.get("entry").is_some()) =>
            {
                for (k, v) in &map {
                    out.push((format!("{label}#{k}"), v.to_string()));
                }
            }
            Ok(v) => out.push((label, v.to_string())),
            Err(_) => {
                let joined: Vec<&str> = text.lines().map(str::trim).collect();
                out.push((label, joined.join(" ")));
            }
        }
    }
    out
}

/// Every WhatsApp body of the shared corpus through the binary: exit 0 or 1, one output
/// line per input line, no panic; each line is `ok`, `rejected` with an error, or
/// `duplicate` (several corpus files reuse placeholder ids such as `wamid.xyzxyz`).
#[test]
fn whatsapp_corpus_bodies_replay_without_panic() {
    let bodies = corpus_lines();
    assert!(bodies.len() >= 60, "the whole corpus: {}", bodies.len());
    let mut input = String::new();
    for (label, line) in &bodies {
        assert!(!line.contains('\n'), "{label} must be one line");
        input.push_str(line);
        input.push('\n');
    }
    let r = run(
        &["run", "--account", "examples/account.yaml", "--events", "-"],
        Some(input.as_bytes()),
    );
    assert!(
        matches!(r.code, Some(0) | Some(1)),
        "{:?}: {}",
        r.code,
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let lines = json_lines(&r.stdout);
    let numbered: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|v| v["event"] != "automation-run")
        .collect();
    assert_eq!(numbered.len(), bodies.len());
    let mut rejected = 0;
    for (i, ((label, _), v)) in bodies.iter().zip(&numbered).enumerate() {
        assert_eq!(v["line"], i + 1, "{label}");
        match v["status"].as_str() {
            Some("rejected") => {
                rejected += 1;
                let e = v["error"].as_str().unwrap_or("");
                assert!(e.starts_with(&format!("line {}: ", i + 1)), "{label}: {v}");
            }
            Some("ok") | Some("duplicate") => assert!(v.get("error").is_none(), "{label}"),
            other => panic!("{label}: status {other:?}"),
        }
    }
    assert!(rejected > 0, "the corpus holds bodies with no usable item");
    assert_eq!(r.code, Some(1), "rejected lines give exit 1");
    for text in r.stdout.lines() {
        check_key_order(text);
    }
}
