//! End-to-end tests of `ticket-rules redact` (redaction.md R1–R9; events.md exit codes).

use std::io::{Read, Write};
use std::process::{Command, Stdio};

mod common;
use common::BIN;

struct Run {
    status: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn out(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("stdout is UTF-8")
    }
}

fn redact(args: &[&str], stdin: &[u8]) -> Run {
    let output = common::run_bin(std::iter::once("redact").chain(args.iter().copied()), stdin);
    Run {
        status: output.status.code(),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

const CHAT: &str = "\
Hi, my card is 4111 1111 1111 1111 exp 03/2015, can you refund?
amex 3782 822463 10005 ok
call me on +4111111111111111 or see https://help.example.com/tickets/4111111111111111
order 4111 1111 1111 1112 and ref 04111111111111111 and 1748503543012
4111111111111111번 카드
端末上に電波状況が良好状4111111111111111態と表示されていても
card:4111111111111111 <span style=\"display:none;\">5105105105105100</span>
a4111111111111111b INV 6011-1111-1111-1117
";

#[test]
fn r1_r9_text_mode_chat_lines() {
    let run = redact(&[], CHAT.as_bytes());
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let out = run.out();
    assert_eq!(out.lines().count(), CHAT.lines().count());
    assert!(!out.contains("5105105105105100"));
    insta::assert_snapshot!("text_mode_chat", out);
}

#[test]
fn r7_r8_r9_options_are_passed_on() {
    let input =
        "41 11 11 11 11 11 11 11\n4111 1111 1111 1111\nINV4111111111111111 cc4111111111111111\n";
    let run = redact(
        &[
            "--keep-first",
            "4",
            "--keep-last",
            "2",
            "--mask",
            "*",
            "--groupings",
            "--word-boundaries",
        ],
        input.as_bytes(),
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(
        run.out(),
        "41 11 11 11 11 11 11 11\n4111 **** **** **11\nINV4111111111111111 cc4111**********11\n"
    );
}

#[test]
fn text_mode_keeps_crlf_and_missing_final_newline() {
    let input = b"card 4111111111111111\r\nplain\r\n\r\n5555 5555 5555 4444 no newline";
    let run = redact(&[], input);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(
        run.out(),
        "card 411111▇▇▇▇▇▇1111\r\nplain\r\n\r\n5555 55▇▇ ▇▇▇▇ 4444 no newline"
    );
}

#[test]
fn empty_input_gives_empty_output() {
    let run = redact(&[], b"");
    assert_eq!(run.status, Some(0));
    assert!(run.stdout.is_empty());
}

#[test]
fn invalid_utf8_becomes_replacement_character_before_scanning() {
    // A bad byte inside a number is a separator once replaced (R1), so the card is
    // still found; a bad byte elsewhere just becomes U+FFFD.
    let input = b"card 4111\xff1111 1111 1111\n\xfe\xfe ok 12\n";
    let run = redact(&[], input);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(
        run.out(),
        "card 4111\u{fffd}11▇▇ ▇▇▇▇ 1111\n\u{fffd}\u{fffd} ok 12\n"
    );
}

#[test]
fn jsonl_mode_redacts_text_and_reports_bad_lines() {
    let input = concat!(
        "{\"text\": \"my card is 4111111111111111 thanks\"}\n",
        "\n",
        "{\"text\": \"nothing here\", \"id\": 7}\r\n",
        "   \n",
        "{\"text\": 4111111111111111}\n",
        "not json at all 5555555555554444\n",
        "{\"body\": \"x\"}\n",
        "[\"4111111111111111\"]\n",
        "{\"text\": \"two: 4111111111111111 and 5105105105105100\"}\n",
        "{\"text\": \"unterminated\n",
    );
    let run = redact(&["--format", "jsonl"], input.as_bytes());
    assert_eq!(run.status, Some(1), "{}", run.stderr);
    let out = run.out();
    let non_blank = input.lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(out.lines().count(), non_blank);
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("each output line is JSON");
        assert!(v.get("redactions").is_some(), "{line}");
    }
    assert!(!out.contains("4111111111111111"), "{out}");
    assert!(!out.contains("5555555555554444"), "{out}");
    insta::assert_snapshot!("jsonl_mode_with_bad_lines", out);
}

#[test]
fn jsonl_mode_all_good_exits_zero() {
    let input = "{\"text\":\"a 5555 5555 5555 4444\"}\n{\"text\":\"b\"}";
    let run = redact(&["--format", "jsonl"], input.as_bytes());
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(
        run.out(),
        "{\"text\":\"a 5555 55▇▇ ▇▇▇▇ 4444\",\"redactions\":1}\n{\"text\":\"b\",\"redactions\":0}\n"
    );
}

#[test]
fn r7_refused_options_exit_2() {
    for args in [
        &["--keep-first", "8", "--keep-last", "4"][..],
        &["--keep-first", "11", "--keep-last", "0"][..],
        &["--mask", "7"][..],
        &["--mask", "**"][..],
        &["--mask", ""][..],
        &["--keep-first", "-1"][..],
        &["--format", "csv"][..],
    ] {
        let run = redact(args, b"4111111111111111\n");
        assert_eq!(run.status, Some(2), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}");
        assert!(!run.stderr.is_empty(), "{args:?}");
        assert!(!run.stderr.contains("4111111111111111"), "{args:?}");
    }
    let run = redact(&["--keep-first", "8", "--keep-last", "4"], b"");
    insta::assert_snapshot!("refused_keep_digits", run.stderr);
}

#[test]
fn broken_pipe_exits_quietly() {
    let mut child = Command::new(BIN)
        .arg("redact")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ticket-rules");
    let mut input = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let line = "card 4111 1111 1111 1111 and some chat text around it\n".repeat(1000);
        for _ in 0..200 {
            if input.write_all(line.as_bytes()).is_err() {
                break;
            }
        }
    });
    let mut stdout = child.stdout.take().expect("stdout");
    let mut head = [0u8; 100];
    stdout.read_exact(&mut head).expect("some output");
    drop(stdout); // like `| head -c 100`
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let status = child.wait().expect("wait");
    writer.join().expect("writer thread");
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(String::from_utf8_lossy(&head).starts_with("card 4111 11▇▇ ▇▇▇▇ 1111"));
}
