//! Whatever text or bytes a test file or an account file holds, loading it gives a value
//! or an error, never a panic; error lines stay inside the text.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use ticket_rules::io::{load_account, parse_account};
use ticket_rules::testing::{load_test_file, parse_test_file, prepare};

/// Pieces of YAML, test-file and account syntax, glued at random.
const PIECES: &[&str] = &[
    "cases:",
    "\n",
    "\n  - ",
    "  ",
    "    ",
    "- ",
    "-",
    "name: a",
    "events:",
    "expect:",
    "fired: [x]",
    "ticket: { id: T-1, channel: email }",
    "{ type: clock }",
    "{ type: message.received, text: hi",
    "type: agent.reply",
    "at: +1h",
    "until: +25h",
    "start: 2026-01-05T09:00:00Z",
    "account: account.yaml",
    "account_overrides:",
    "timezone: UTC",
    "automation_minute: 300",
    "schedules: [{ name: A, timezone: UTC, weekly: { mon: 9-18 } }]",
    "rules: [a.rules]",
    "default_rules: false",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    ": ",
    "? ",
    "#",
    " # note",
    "\"",
    "'",
    "\"\\u",
    "|",
    ">-",
    "&a ",
    "*a",
    "<<: *a",
    "!!str ",
    "!tag ",
    "~",
    "null",
    "yes",
    ".inf",
    "0x1F",
    "007",
    "---",
    "...",
    "%YAML 1.2",
    "\t",
    "\r\n",
    "\u{feff}",
    "é",
    "4111 1111 1111 1111",
];

/// A test file that loads and runs, one line at a time.
const GOOD: &[&str] = &[
    "rules: [a.rules]",
    "account: account.yaml",
    "account_overrides: { automation_minute: 5 }",
    "cases:",
    "  - name: first",
    "    ticket: { id: T-1, channel: email }",
    "    account_overrides:",
    "      timezone: UTC",
    "    events:",
    "      - { type: message.received, text: hi }",
    "      - type: ticket.updated",
    "        by: agent",
    "        changes: { status: open }",
    "        expect: { fired: [\"trigger:t\"] }",
    "    until: +25h",
    "    expect:",
    "      ticket: { status: open, tags_include: [x] }",
    "  -",
    "    name: second",
    "    events: [{ type: clock, at: +1h }]",
];

/// Random pieces glued together, or the good file with some lines replaced or moved.
fn yamlish() -> impl Strategy<Value = String> {
    let glued = prop::collection::vec(prop::sample::select(PIECES), 0..48).prop_map(|p| p.concat());
    let edited = prop::collection::vec(
        (0..40u8, prop::sample::select(PIECES), 0..GOOD.len()),
        GOOD.len(),
    )
    .prop_map(|edits| {
        let mut text = String::new();
        for (i, (dice, piece, other)) in edits.into_iter().enumerate() {
            match dice {
                0 => text.push_str(piece),
                1 => text.push_str(GOOD[other]),
                2 => {}
                _ => text.push_str(GOOD[i]),
            }
            text.push('\n');
        }
        text
    });
    prop_oneof![glued, edited]
}

/// A folder with a rule file and an account file, for `prepare` to read.
fn fixture_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("ticket-rules-prop-yaml-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let rules = "trigger \"t\" { when { channel is email } then { add tags x } }\n";
        std::fs::write(dir.join("a.rules"), rules).expect("rules");
        std::fs::write(dir.join("account.yaml"), "timezone: Asia/Seoul\n").expect("account");
        dir
    })
}

/// Parses and, when that works, prepares `text` as a test file; checks error lines.
fn load_as_test_file(text: &str) -> Result<(), TestCaseError> {
    // An upper bound on YAML's line count (a lone `\r` breaks a line too).
    let lines = text
        .split(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'])
        .count();
    match parse_test_file(text, "x.test.yaml") {
        Ok(parsed) => {
            for line in parsed.positions.cases.iter() {
                prop_assert!((1..=lines).contains(line), "case line {line} of {lines}");
            }
            let _ = prepare(&parsed, &fixture_dir().join("x.test.yaml"));
        }
        Err(e) => {
            prop_assert!(e.line.is_none_or(|l| l >= 1 && l <= lines + 1), "{e}");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// YAML-like text: a file or an error, never a panic.
    #[test]
    fn yaml_like_text_never_panics(text in yamlish()) {
        load_as_test_file(&text)?;
        let _ = parse_account(&text);
    }

    /// Any text at all.
    #[test]
    fn any_text_never_panics(text in any::<String>()) {
        load_as_test_file(&text)?;
        let _ = parse_account(&text);
    }

    /// Any bytes, read from a file (not UTF-8: an error naming the file).
    #[test]
    fn any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let path = fixture_dir().join("bytes.test.yaml");
        std::fs::write(&path, &bytes).expect("write");
        let _ = load_test_file(&path);
        let _ = load_account(&path);
        if let Ok(text) = String::from_utf8(bytes) {
            load_as_test_file(&text)?;
        }
    }
}
