//! Fuzz targets: one function per entry point that takes untrusted text, from raw bytes.
//!
//! Not part of the public API (hidden from the docs, no stability promise). The fuzz
//! tests (`tests/fuzz_targets.rs`, which replay `fuzz/corpus/` and `fuzz/crashes/` under
//! `cargo test`) and the long runs (`fuzz/run.sh`) call only these functions, so a change
//! of a module path is fixed here once.
//!
//! Each target accepts any bytes. Its own plumbing never panics: bytes that are not UTF-8
//! are decoded lossily, options are read from leading bytes with fallbacks. A target
//! panics only when the code under test panics, or breaks a law the target states
//! (redaction). To keep the long runs from stalling on the known cost of a far clock jump
//! (issue 8, "Time that cannot stall"), the engine targets skip events more than
//! [`MAX_SPAN_DAYS`] days after the first one; everything else reaches the engine as is.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use jiff::{SignedDuration, Timestamp};

use crate::check::{self, RuleSource};
use crate::diagnostic::{render, SourceFile};
use crate::engine::{Engine, RuleSet};
use crate::model::Account;
use crate::redact::{self, RedactOptions};

/// The longest stretch of engine time, in days, that one fuzz input may cover (from its
/// first event): later events are skipped, and test files covering more are not run.
pub const MAX_SPAN_DAYS: i64 = 31;

/// The longest input, in bytes, the engine and test-file targets look at (longer inputs
/// are cut at a character boundary): keeps every execution short.
pub const MAX_INPUT: usize = 64 * 1024;

/// A fuzz target: its name (as given to `fuzz/run.sh` and its corpus folder
/// `fuzz/__fuzz__/NAME/`) and its function.
pub type Target = (&'static str, fn(&[u8]));

/// Every target.
pub const TARGETS: &[Target] = &[
    ("rules", rules),
    ("event_line", event_line),
    ("account", account),
    ("test_file", test_file),
    ("redact", redact),
    ("engine", engine),
    #[cfg(feature = "server")]
    ("server_request", server_request),
];

/// The input as text: borrowed when it is UTF-8, else decoded lossily (U+FFFD).
fn text(data: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// At most [`MAX_INPUT`] bytes of `s`, cut at a character boundary.
fn bounded(s: &str) -> &str {
    if s.len() <= MAX_INPUT {
        return s;
    }
    let mut end = MAX_INPUT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The repository's folder with the example rules and their tests (`rules/examples`).
fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/examples")
}

/// The example account (`examples/account.yaml`), or the default account if it is
/// missing or invalid.
fn example_account() -> &'static Account {
    static ACCOUNT: OnceLock<Account> = OnceLock::new();
    ACCOUNT.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/account.yaml");
        crate::io::load_account(&path).unwrap_or_default()
    })
}

/// The example rules (`rules/examples/*.rules`, in file-name order).
fn example_sources() -> &'static [RuleSource] {
    static SOURCES: OnceLock<Vec<RuleSource>> = OnceLock::new();
    SOURCES.get_or_init(|| {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(examples_dir())
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "rules"))
                    .collect()
            })
            .unwrap_or_default();
        paths.sort();
        paths
            .into_iter()
            .filter_map(|p| {
                let text = std::fs::read_to_string(&p).ok()?;
                let name = p.file_name()?.to_string_lossy().into_owned();
                Some(RuleSource { name, text })
            })
            .collect()
    })
}

/// The example rules compiled against the example account, once; `None` if they do not
/// compile (then the engine target has nothing to run).
fn example_rule_set() -> Option<Arc<RuleSet>> {
    static RULES: OnceLock<Option<Arc<RuleSet>>> = OnceLock::new();
    RULES
        .get_or_init(|| {
            crate::compile(example_sources(), example_account().clone())
                .ok()
                .map(|(rules, _)| Arc::new(rules))
        })
        .clone()
}

/// Rule parser, checker, diagnostics renderers, formatter and compiler on one rule file.
///
/// The input is the text of a `.rules` file. It is checked with and without the example
/// account (`check`), every finding is rendered as `check` prints it (human, JSON lines,
/// GitHub annotations), the file is formatted (`fmt`), and it is compiled alone and after
/// the example rules (`compile`, as `run` does). Law: none beyond never panicking.
pub fn rules(data: &[u8]) {
    let text = text(data);
    let source = RuleSource {
        name: "fuzz.rules".into(),
        text: text.clone().into_owned(),
    };
    let account = example_account();
    let sources = std::slice::from_ref(&source);
    let _ = check::check(sources, None);
    let checked = check::check(sources, Some(account));
    let file = SourceFile::new("fuzz.rules", text.as_ref());
    let findings = checked.diagnostics_of(0);
    let _ = render::human(&findings, &file);
    let _ = render::json_lines(&findings, &file);
    let _ = render::github(&findings, &file);
    let _ = crate::syntax::format::format(&text);
    let _ = crate::compile(sources, account.clone());
    let mut with_examples = example_sources().to_vec();
    with_examples.push(source);
    let _ = crate::compile(&with_examples, account.clone());
}

/// The event line decoder (`io::decode_line`): one JSONL line, a native event or a
/// WhatsApp webhook body, as `run` and `test` read it.
///
/// The input is one line (newlines inside are left for the decoder to refuse). Law: none
/// beyond never panicking.
pub fn event_line(data: &[u8]) {
    let _ = crate::io::decode_line(&text(data), 1);
}

/// The account loader (`io::parse_account`) on the text of an `account.yaml`.
///
/// Law: none beyond never panicking.
pub fn account(data: &[u8]) {
    let _ = crate::io::parse_account(&text(data));
}

/// The rule-test file loader and runner on the text of a `*.test.yaml`.
///
/// The text is parsed (`testing::parse_test_file`); when it names only files of
/// `rules/examples` (no `rules:` key, or plain names of example rule files) and no account
/// or the example account, it is prepared as if it were `rules/examples/fuzz.test.yaml`
/// (rule files read, events decoded) and, when every case spans at most
/// [`MAX_SPAN_DAYS`] days, run through the engine (`testing::run_prepared`). Other paths
/// are never read. Law: none beyond never panicking.
pub fn test_file(data: &[u8]) {
    let text = text(data);
    let text = bounded(&text);
    let Ok(parsed) = crate::testing::parse_test_file(text, "fuzz.test.yaml") else {
        return;
    };
    let example_rules: Vec<String> = example_sources().iter().map(|s| s.name.clone()).collect();
    let rules_ok = parsed
        .file
        .rules
        .as_ref()
        .is_none_or(|names| names.iter().all(|n| example_rules.contains(n)));
    let account_ok = parsed
        .file
        .account
        .as_deref()
        .is_none_or(|a| a == "../../examples/account.yaml");
    if !(rules_ok && account_ok) {
        return;
    }
    let path = examples_dir().join("fuzz.test.yaml");
    let Ok(prepared) = crate::testing::prepare(&parsed, &path) else {
        return;
    };
    let short = prepared.cases.iter().all(|case| {
        let times = case
            .start_event
            .iter()
            .map(|e| e.at)
            .chain(
                case.events
                    .iter()
                    .filter_map(|e| e.event.as_ref().ok())
                    .map(|e| e.at),
            )
            .chain(case.until);
        within_span(times)
    });
    if short {
        let _ = crate::testing::run_prepared(&prepared);
    }
}

/// True when all `times` lie within [`MAX_SPAN_DAYS`] days of each other.
fn within_span(times: impl Iterator<Item = Timestamp>) -> bool {
    let mut range: Option<(Timestamp, Timestamp)> = None;
    for t in times {
        range = Some(match range {
            None => (t, t),
            Some((lo, hi)) => (lo.min(t), hi.max(t)),
        });
    }
    range.is_none_or(|(lo, hi)| hi.duration_since(lo) <= max_span())
}

fn max_span() -> SignedDuration {
    SignedDuration::from_hours(24 * MAX_SPAN_DAYS)
}

/// Redaction (`redact::scrub` and `redact::redact` with options), with its laws.
///
/// The first byte picks options for the second call: keep-first (0–7) and keep-last
/// (0–7) from its bits, then groupings and word-boundary tests; the second byte picks the
/// mask from a list (`▇`, `*`, `#`, `x`, `-`, ` `, `…`). Options that
/// [`RedactOptions::new`] refuses are skipped. The rest is the text.
///
/// Laws checked on both calls (a broken law panics):
/// - the output has exactly as many characters as the input, and differs from it only
///   where an ASCII digit became the mask;
/// - the count is 0 exactly when the text is unchanged, and then the text is borrowed;
/// - scrubbing is idempotent: `scrub(scrub(x)) == scrub(x)` (default options only; a
///   mask that is a separator or a short keep can expose digits anew).
pub fn redact(data: &[u8]) {
    let (head, rest) = match data {
        [a, b, rest @ ..] => ((*a, *b), rest),
        _ => ((0, 0), data),
    };
    let text = text(rest);
    let defaults = RedactOptions::default();
    let scrubbed = redact::scrub(&text);
    check_masking(&text, &redact::redact(&text, &defaults), '▇');
    let again = redact::scrub(&scrubbed);
    assert_eq!(
        again.as_ref(),
        scrubbed.as_ref(),
        "scrub is not idempotent on {text:?}"
    );

    const MASKS: [char; 7] = ['▇', '*', '#', 'x', '-', ' ', '…'];
    let (bits, pick) = head;
    let keep_first = usize::from(bits & 0b111);
    let keep_last = usize::from((bits >> 3) & 0b111);
    let groupings = bits & 0b0100_0000 != 0;
    let word_boundaries = bits & 0b1000_0000 != 0;
    let mask = MASKS[usize::from(pick) % MASKS.len()];
    if let Ok(opts) = RedactOptions::new(keep_first, keep_last, mask, groupings, word_boundaries) {
        check_masking(&text, &redact::redact(&text, &opts), mask);
    }
}

/// The masking laws of [`redact`] for one call.
fn check_masking(input: &str, out: &redact::Redacted<'_>, mask: char) {
    let output = out.text.as_ref();
    assert_eq!(
        out.count == 0,
        output == input,
        "count {} but the text {} on {input:?}",
        out.count,
        if output == input {
            "is unchanged"
        } else {
            "changed"
        }
    );
    if out.count == 0 {
        assert!(
            matches!(out.text, Cow::Borrowed(_)),
            "nothing masked but the text was copied"
        );
    }
    assert_eq!(
        output.chars().count(),
        input.chars().count(),
        "the number of characters changed on {input:?}"
    );
    for (a, b) in input.chars().zip(output.chars()) {
        assert!(
            a == b || (a.is_ascii_digit() && b == mask),
            "{a:?} became {b:?} (only a digit may become the mask {mask:?}) on {input:?}"
        );
    }
}

/// The engine on a stream of event lines: each non-blank line is decoded
/// (`io::decode_line`) and processed by one fresh [`Engine`] on the example rules and
/// account, and every outcome and automation run is written as `run` writes it (JSON
/// lines and the pretty form).
///
/// Events more than [`MAX_SPAN_DAYS`] days after the first decoded event are skipped.
/// Law: none beyond never panicking.
pub fn engine(data: &[u8]) {
    let Some(rules) = example_rule_set() else {
        return;
    };
    let text = text(data);
    let mut engine = Engine::new(rules);
    let mut first: Option<Timestamp> = None;
    for (i, line) in bounded(&text).lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Ok(event) = crate::io::decode_line(line, i + 1) else {
            continue;
        };
        let start = *first.get_or_insert(event.at);
        if event.at.duration_since(start) > max_span() {
            continue;
        }
        write(i + 1, engine.process(event));
    }
}

/// Renders one engine step as `run` does (JSON lines, scrubbed, and the pretty form).
fn write(line: usize, step: crate::engine::Step) {
    use crate::io::output;
    let mut sink = Vec::new();
    for run in &step.runs {
        let _ = output::write_line(&mut sink, &output::run_json(run));
        let _ = output::run_pretty(run);
    }
    let _ = output::write_line(&mut sink, &output::event_json(line, &step.outcome));
    let _ = output::event_pretty(line, &step.outcome);
}

/// The HTTP request decoders of `serve` (`server::decode`).
///
/// The first byte picks the decoder (`decode_events`, `decode_webhook_body`,
/// `decode_check` as JSON and as text, `decode_reload`, `decode_redact`, `decode_clock`,
/// `decode_at_param`); the rest is the request body (or the query value). Law: none
/// beyond never panicking.
#[cfg(feature = "server")]
pub fn server_request(data: &[u8]) {
    use crate::server::decode;
    let Some((pick, body)) = data.split_first() else {
        return;
    };
    match pick % 8 {
        0 => drop(decode::decode_events(body)),
        1 => drop(decode::decode_webhook_body(body)),
        2 => drop(decode::decode_check(body, true)),
        3 => drop(decode::decode_check(body, false)),
        4 => drop(decode::decode_reload(body, true)),
        5 => drop(decode::decode_redact(body)),
        6 => drop(decode::decode_clock(body)),
        _ => drop(decode::decode_at_param(Some(&text(body)))),
    }
}
