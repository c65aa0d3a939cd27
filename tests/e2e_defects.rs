//! Issue 8, item 7: small defects of `run` and `redact` found by a hostile tester, one
//! test each, named after the defect.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

mod common;
use common::{BIN, ROOT};

fn run(args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
    let out = common::run_bin(args, stdin.as_bytes());
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const EVENT: &str = r#"{"type":"message.received","id":"e1","at":"2026-11-24T09:00:00Z","ticket":"T-1","channel":"email","text":"hello"}"#;

/// A line holding only a byte-order mark is blank, like a line of other invisible
/// characters: skipped, no output line, exit 0.
#[test]
fn bom_only_line_is_blank_like_other_invisible_lines() {
    for blank in [
        "\u{feff}",
        "\u{200b}",
        "\u{feff}  \u{2060}",
        " \t",
        "\u{3000}",
    ] {
        let input = format!("{blank}\n{EVENT}\n{blank}\r\n");
        let (code, out, err) = run(
            &["run", "--rules", "tests/cases/e2e/followup.rules"],
            &input,
        );
        assert_eq!(code, Some(0), "{blank:?}: {err}\n{out}");
        assert_eq!(out.lines().count(), 1, "{blank:?}: {out}");
        assert!(out.contains(r#""line":2"#), "{out}");
    }
}

/// `run … | head -1` must not exit 0: the reader went away, so not every line was
/// processed. Exit 1 when a line was rejected before that, else 141 (as SIGPIPE would).
#[test]
fn run_into_a_closed_pipe_does_not_exit_0() {
    for (first, want) in [("not json", 1), (EVENT, 141)] {
        let mut child = Command::new(BIN)
            .args(["run", "--rules", "tests/cases/e2e/followup.rules"])
            .current_dir(ROOT)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start");
        let mut stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        // One line in, read its answer, then close our end of the output pipe (like
        // `head -1`) and keep feeding lines until `run` notices.
        writeln!(stdin, "{first}").expect("write");
        stdin.flush().expect("flush");
        let mut reader = BufReader::new(stdout);
        let mut answer = String::new();
        reader.read_line(&mut answer).expect("an answer");
        drop(reader);
        let feeder = std::thread::spawn(move || {
            for i in 0..100_000 {
                let line = EVENT.replace("\"e1\"", &format!("\"x{i}\""));
                if writeln!(stdin, "{line}").is_err() {
                    break;
                }
            }
        });
        let status = child.wait().expect("wait");
        feeder.join().expect("feeder");
        assert_eq!(status.code(), Some(want), "first line {first:?}: {answer}");
    }
}

/// `redact --mask` refuses a character that shows nothing (zero-width space, BOM, a
/// plain space, a combining mark): masked digits would vanish from sight (R7).
#[test]
fn redact_mask_refuses_invisible_characters() {
    for mask in [
        "\u{200b}", "\u{feff}", " ", "\u{0301}", "\u{2060}", "\u{e000}",
    ] {
        let (code, out, err) = run(&["redact", "--mask", mask], "4111 1111 1111 1111\n");
        assert_eq!(code, Some(2), "{mask:?}: {err}");
        assert_eq!(out, "", "{mask:?}");
        assert!(err.contains("invisible"), "{mask:?}: {err}");
    }
    let (code, out, _) = run(&["redact", "--mask", "*"], "4111 1111 1111 1111\n");
    assert_eq!(code, Some(0));
    assert_eq!(out, "4111 11** **** 1111\n");
}
