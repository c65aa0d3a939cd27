//! Finding, parsing and preparing test files: YAML → [`TestFile`], case and event line
//! numbers, rule sources, accounts (file + overrides), times, and every event decoded
//! through [`crate::io::decode_line`] (one decoding path with `run`).

use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};

use super::model::{Case, Expect, ExpectedStatus, Located, TestFile, TestFileSeed};
use super::time::resolve_time;
use crate::check::RuleSource;
use crate::io::account::check_account;
use crate::io::yaml::{self, ErrorPath};
use crate::io::{decode_line, parse_account, AccountError, DecodeError};
use crate::model::{Account, Event};

/// When a case starts unless it says `start:` (a Monday, 09:00 UTC).
pub const DEFAULT_START: &str = "2026-01-05T09:00:00Z";

/// The gap before an event written without `at` (one minute after the previous event).
pub const DEFAULT_STEP: SignedDuration = SignedDuration::from_secs(60);

/// The event id given to the starting ticket's `ticket.created` event.
pub const START_EVENT_ID: &str = "start";

/// Why a test file cannot be used: unreadable, not valid YAML, an unknown key, a time that
/// is not RFC 3339, an event that does not decode, rules that do not compile, an unusable
/// account. Displayed as `PATH:LINE: MESSAGE` (`PATH: MESSAGE` without a line); the
/// message may span several lines (rule diagnostics).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct TestFileError {
    /// The test file (or the path that could not be searched).
    pub path: String,
    /// 1-based line in the test file, when known.
    pub line: Option<usize>,
    /// What is wrong, in words.
    pub message: String,
}

/// True for file names ending in `.test.yaml` or `.test.yml`.
pub fn is_test_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".test.yaml") || n.ends_with(".test.yml"))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), TestFileError> {
    let err = |e: std::io::Error| TestFileError {
        path: dir.display().to_string(),
        line: None,
        message: e.to_string(),
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out)?;
        } else if is_test_file(&p) {
            out.push(p);
        }
    }
    Ok(())
}

/// The test files named by `paths`: a file is taken as given (whatever its name), a
/// directory is searched recursively for `*.test.yaml` / `*.test.yml` in lexical path
/// order. A file named twice is listed once. A directory without test files adds nothing.
///
/// # Errors
/// A [`TestFileError`] (no line) for a path that does not exist or cannot be read.
pub fn find_test_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, TestFileError> {
    let mut out: Vec<PathBuf> = Vec::new();
    for p in paths {
        let mut found = Vec::new();
        if p.is_dir() {
            collect(p, &mut found)?;
        } else if p.is_file() {
            found.push(p.clone());
        } else {
            return Err(TestFileError {
                path: p.display().to_string(),
                line: None,
                message: "no such file or directory".into(),
            });
        }
        for f in found {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    Ok(out)
}

/// Where cases and events are in the test file's text (1-based lines).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Positions {
    /// The line of each case (its `-` in a block sequence), parallel to `TestFile::cases`;
    /// the line of the `cases:` key when the cases are a flow sequence `[…]`.
    pub cases: Vec<usize>,
    /// Per case, the line of each event (its `-`); `None` for the items of a flow sequence.
    pub events: Vec<Vec<Option<usize>>>,
}

/// A parsed test file with its positions.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// The file as written.
    pub file: TestFile,
    /// Case and event lines.
    pub positions: Positions,
}

/// Parses a test file's text. `path` only names the file in errors.
///
/// # Errors
/// A [`TestFileError`] with the line of the problem for invalid YAML, an unknown key
/// (`cases[0].expect: unknown field \`fird\`, expected one of …`), a value of the wrong
/// type or an unknown word (`unknown variant \`opne\``).
pub fn parse_test_file(text: &str, path: &str) -> Result<ParsedFile, TestFileError> {
    let at = ErrorPath::default();
    let file =
        yaml::from_str_seed(text, TestFileSeed { at: &at }, &at).map_err(|e| TestFileError {
            path: path.to_string(),
            line: e.line,
            message: e.with_path(),
        })?;
    let positions = positions(text, &file);
    Ok(ParsedFile { file, positions })
}

/// How a sequence item starts: after a `-` on some line, or inside a flow sequence.
enum ItemStart {
    /// A block sequence item whose `-` is on this line (or starts on it, when something
    /// other than blanks separates the two).
    Block(usize),
    /// An item of a flow sequence `[…]`.
    Flow,
}

/// What precedes the node of a located item in `text`: the `-` of a block sequence or the
/// `[`/`,` of a flow sequence.
fn item_start<T>(text: &str, item: &Located<T>) -> ItemStart {
    let before = text.get(..item.offset).unwrap_or("").trim_end();
    match before.chars().last() {
        Some('-') => ItemStart::Block(before.matches('\n').count() + 1),
        Some('[' | ',') => ItemStart::Flow,
        _ => ItemStart::Block(item.line),
    }
}

fn positions(text: &str, file: &TestFile) -> Positions {
    let cases_key = file.key_lines.get("cases").copied().unwrap_or(1);
    let cases = file
        .cases
        .iter()
        .map(|case| match item_start(text, case) {
            ItemStart::Block(line) => line,
            ItemStart::Flow => cases_key,
        })
        .collect();
    let events = file
        .cases
        .iter()
        .map(|case| {
            case.events
                .iter()
                .map(|event| match item_start(text, event) {
                    ItemStart::Block(line) => Some(line),
                    ItemStart::Flow => None,
                })
                .collect()
        })
        .collect();
    Positions { cases, events }
}

// ------------------------------------------------------------------ preparation

/// One event ready to apply.
#[derive(Debug, Clone)]
pub struct PreparedEvent {
    /// Index in the case's `events`.
    pub index: usize,
    /// Its line in the test file, when known.
    pub line: Option<usize>,
    /// The decoded event, or the decoding error (only kept when the event's `expect`
    /// says `status: rejected`).
    pub event: Result<Event, DecodeError>,
    /// Its expectations.
    pub expect: Option<Expect>,
}

impl PreparedEvent {
    /// `events[2] (line 18)`.
    pub fn label(&self) -> String {
        match self.line {
            Some(l) => format!("events[{}] (line {l})", self.index),
            None => format!("events[{}]", self.index),
        }
    }
}

/// One case ready to run.
#[derive(Debug, Clone)]
pub struct PreparedCase {
    /// Its name.
    pub name: String,
    /// Its line.
    pub line: usize,
    /// The account (file, file overrides, case overrides).
    pub account: Account,
    /// The starting ticket's `ticket.created` event.
    pub start_event: Option<Event>,
    /// The main ticket: the starting ticket, else the ticket named by the first event that
    /// names one (`ticket`, or `ticket.id` of a `ticket.created`).
    pub main_ticket: Option<String>,
    /// The events.
    pub events: Vec<PreparedEvent>,
    /// Advance the clock to this time at the end.
    pub until: Option<Timestamp>,
    /// Case expectations.
    pub expect: Expect,
}

/// A test file ready to run: rule sources read, every case prepared.
#[derive(Debug, Clone)]
pub struct PreparedFile {
    /// The test file's path as given.
    pub path: String,
    /// Rule sources, in rule order.
    pub sources: Vec<RuleSource>,
    /// Load the default rules.
    pub default_rules: bool,
    /// The line of the `rules:` key, when written.
    pub rules_line: Option<usize>,
    /// The cases.
    pub cases: Vec<PreparedCase>,
}

/// Deep merge: mappings merge key by key, anything else replaces.
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

fn rule_sources(
    dir: &Path,
    rules: &Option<Vec<String>>,
    err: &dyn Fn(Option<usize>, String) -> TestFileError,
    rules_line: Option<usize>,
) -> Result<Vec<RuleSource>, TestFileError> {
    let files: Vec<PathBuf> = match rules {
        Some(list) => {
            if list.is_empty() {
                return Err(err(rules_line, "`rules` names no rule file".into()));
            }
            let paths: Vec<PathBuf> = list.iter().map(|r| dir.join(r)).collect();
            for p in &paths {
                if !p.exists() {
                    return Err(err(
                        rules_line,
                        format!("rules: {} does not exist", p.display()),
                    ));
                }
            }
            crate::io::rules::rule_files(&paths)
                .map_err(|e| err(rules_line, format!("rules: {e}")))?
        }
        None => {
            let read = std::fs::read_dir(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            })
            .map_err(|e| err(None, format!("cannot list {}: {e}", dir.display())))?;
            let mut found: Vec<PathBuf> = read
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "rules"))
                .map(|p| match p.file_name() {
                    Some(name) => dir.join(name),
                    None => p,
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(err(
                    None,
                    "no `*.rules` file beside the test file: name the rules with `rules: [...]`"
                        .into(),
                ));
            }
            found
        }
    };
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p)
                .map_err(|e| err(rules_line, format!("rules: {}: {e}", p.display())))?;
            Ok(RuleSource {
                name: p.display().to_string(),
                text,
            })
        })
        .collect()
}

/// Checks that `overrides` is a mapping of account keys (unknown keys and wrong types are
/// errors); `fail` places the message.
fn check_overrides(
    overrides: &Value,
    fail: &dyn Fn(String) -> TestFileError,
) -> Result<(), TestFileError> {
    if !overrides.is_object() {
        return Err(fail(
            "account_overrides must be a mapping of account keys".into(),
        ));
    }
    serde_json::from_value::<Account>(overrides.clone())
        .map(|_| ())
        .map_err(|e| fail(format!("account_overrides: {e}")))
}

fn is_webhook(map: &Map<String, Value>) -> bool {
    map.get("object").and_then(Value::as_str) == Some("whatsapp_business_account")
        || matches!(map.get("entry"), Some(Value::Array(_)))
}

/// An id written as a string or an integer (as the decoder accepts them).
fn id_of(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// Event types whose `ticket` key names an existing ticket (and may default to the
/// starting ticket).
const TICKET_REF_TYPES: &[&str] = &["message.received", "agent.reply", "ticket.updated"];

/// Reads a test file and prepares it (see [`prepare`]).
///
/// # Errors
/// As [`prepare`], plus an unreadable file.
pub fn load_test_file(path: &Path) -> Result<PreparedFile, TestFileError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| TestFileError {
        path: shown.clone(),
        line: None,
        message: format!("cannot read: {e}"),
    })?;
    let parsed = parse_test_file(&text, &shown)?;
    prepare(&parsed, path)
}

/// Prepares a parsed test file found at `path`: reads its rule files and account
/// (relative to the file's folder), merges account overrides, resolves times, fills in
/// default `at` and `ticket` keys, and decodes every event with
/// [`crate::io::decode_line`].
///
/// # Errors
/// A [`TestFileError`] with the line of the first problem: missing or unreadable rule or
/// account files, an invalid account or override, a bad `start`/`at`/`sent_at`/`until`,
/// an event that does not decode (unless its `expect` says `status: rejected`), `status`
/// or `error_contains` in a case-level `expect`, a case with neither `ticket` nor
/// `events`, a `window_closed_at` expectation that is not RFC 3339.
pub fn prepare(parsed: &ParsedFile, path: &Path) -> Result<PreparedFile, TestFileError> {
    let shown = path.display().to_string();
    let err = |line: Option<usize>, message: String| TestFileError {
        path: shown.clone(),
        line,
        message,
    };
    let file = &parsed.file;
    let pos = &parsed.positions;
    let key_line = |key: &str| file.key_lines.get(key).copied();
    let dir = path.parent().unwrap_or(Path::new(""));
    let sources = rule_sources(dir, &file.rules, &err, key_line("rules"))?;

    let account_line = key_line("account");
    let mut base = Value::Object(Map::new());
    if let Some(a) = &file.account {
        let p = dir.join(a);
        let text = std::fs::read_to_string(&p)
            .map_err(|e| err(account_line, format!("account: {}: {e}", p.display())))?;
        parse_account(&text)
            .map_err(|e| err(account_line, format!("account: {}: {e}", p.display())))?;
        if let Ok(v @ Value::Object(_)) = yaml::from_str(&text) {
            base = v;
        }
    }
    if let Some(o) = &file.account_overrides {
        check_overrides(o, &|m| err(key_line("account_overrides"), m))?;
        merge(&mut base, o);
    }

    let default_start: Timestamp = DEFAULT_START
        .parse()
        .map_err(|_| err(None, "bad built-in start time".into()))?;
    let mut cases = Vec::with_capacity(file.cases.len());
    for (k, case) in file.cases.iter().enumerate() {
        let line = pos.cases.get(k).copied().unwrap_or(1);
        let no_lines = Vec::new();
        let ev_lines = pos.events.get(k).unwrap_or(&no_lines);
        cases.push(prepare_case(
            &case.value,
            line,
            ev_lines,
            &base,
            default_start,
            &|l, m| err(Some(l), m),
        )?);
    }
    Ok(PreparedFile {
        path: shown.clone(),
        sources,
        default_rules: file.default_rules,
        rules_line: key_line("rules"),
        cases,
    })
}

/// Checks what serde cannot: `status`/`error_contains` only per event, RFC 3339 times;
/// `fail` places the message.
fn check_expect(
    e: &Expect,
    per_event: bool,
    fail: &dyn Fn(String) -> TestFileError,
) -> Result<(), TestFileError> {
    if !per_event && (e.status.is_some() || e.error_contains.is_some()) {
        return Err(fail(
            "expect: `status` and `error_contains` belong in an event's `expect`".into(),
        ));
    }
    for (i, m) in e.messages.iter().enumerate() {
        if let Some(Some(t)) = &m.window_closed_at {
            if t.parse::<Timestamp>().is_err() {
                return Err(fail(format!(
                    "expect.messages[{i}].window_closed_at: `{t}` is not an RFC 3339 time"
                )));
            }
        }
    }
    Ok(())
}

fn prepare_case(
    case: &Case,
    line: usize,
    ev_lines: &[Option<usize>],
    base: &Value,
    default_start: Timestamp,
    err: &dyn Fn(usize, String) -> TestFileError,
) -> Result<PreparedCase, TestFileError> {
    let name = &case.name;
    let at_case = |m: String| err(line, format!("case `{name}`: {m}"));
    if case.ticket.is_none() && case.events.is_empty() {
        return Err(at_case(
            "give a starting `ticket`, `events`, or both".into(),
        ));
    }
    let mut merged = base.clone();
    if let Some(o) = &case.account_overrides {
        check_overrides(o, &at_case)?;
        merge(&mut merged, o);
    }
    let account = serde_json::from_value::<Account>(merged)
        .map_err(|e| AccountError::Yaml {
            message: e.to_string(),
            line: None,
            column: None,
        })
        .and_then(check_account)
        .map_err(|e| at_case(e.to_string()))?;

    let start = match &case.start {
        Some(s) => resolve_time(s, default_start).map_err(|m| at_case(format!("start: {m}")))?,
        None => default_start,
    };
    let mut cursor = start;
    let mut any_before = false;
    let mut main_ticket = None;
    let mut start_event = None;
    if let Some(t) = &case.ticket {
        main_ticket = id_of(t.get("id"));
        let mut map = Map::new();
        map.insert("type".into(), "ticket.created".into());
        map.insert("id".into(), START_EVENT_ID.into());
        map.insert("at".into(), start.to_string().into());
        map.insert("ticket".into(), Value::Object(t.clone()));
        let json = Value::Object(map).to_string();
        let ev = decode_line(&json, line).map_err(|e| at_case(format!("ticket: {}", e.message)))?;
        start_event = Some(ev);
        any_before = true;
    }
    if let Some(e) = &case.expect {
        check_expect(e, false, &at_case)?;
    }

    let mut events = Vec::with_capacity(case.events.len());
    for (i, spec) in case.events.iter().enumerate() {
        let ev_line = ev_lines.get(i).copied().flatten();
        // The error's own position is the event's line, so the label needs no line.
        let at_event = |m: String| err(ev_line.unwrap_or(line), format!("events[{i}]: {m}"));
        let mut map = spec.fields.clone();
        if !is_webhook(&map) {
            let at = match map.get("at") {
                None | Some(Value::Null) => {
                    if any_before {
                        cursor
                            .checked_add(DEFAULT_STEP)
                            .map_err(|_| at_event("time out of range".into()))?
                    } else {
                        cursor
                    }
                }
                Some(Value::String(s)) => {
                    resolve_time(s, cursor).map_err(|m| at_event(format!("at: {m}")))?
                }
                Some(_) => {
                    return Err(at_event("at: must be a time or an offset like +25h".into()))
                }
            };
            map.insert("at".into(), at.to_string().into());
            if let Some(Value::String(s)) = map.get("sent_at") {
                if s.starts_with('+') || s.starts_with('-') {
                    let t = resolve_time(s, at).map_err(|m| at_event(format!("sent_at: {m}")))?;
                    map.insert("sent_at".into(), t.to_string().into());
                }
            }
            let kind = map.get("type").and_then(Value::as_str).unwrap_or("");
            if main_ticket.is_none() {
                main_ticket = match (kind, map.get("ticket")) {
                    ("ticket.created", Some(Value::Object(t))) => id_of(t.get("id")),
                    (_, t) if TICKET_REF_TYPES.contains(&kind) => id_of(t),
                    _ => None,
                };
            }
            if TICKET_REF_TYPES.contains(&kind) && !map.contains_key("ticket") {
                if let Some(id) = &main_ticket {
                    map.insert("ticket".into(), id.clone().into());
                }
            }
        }
        let expect = spec.expect.clone();
        if let Some(e) = &expect {
            check_expect(e, true, &at_event)?;
        }
        let wants_rejection = expect.as_ref().is_some_and(|e| {
            e.status == Some(ExpectedStatus::Rejected)
                || (e.status.is_none() && e.error_contains.is_some())
        });
        let json = Value::Object(map).to_string();
        let event = match decode_line(&json, ev_line.unwrap_or(i + 1)) {
            Ok(ev) => {
                cursor = ev.at;
                Ok(ev)
            }
            Err(e) if wants_rejection => Err(e),
            Err(e) => return Err(at_event(e.message)),
        };
        any_before = true;
        events.push(PreparedEvent {
            index: i,
            line: ev_line,
            event,
            expect,
        });
    }
    let until = match &case.until {
        Some(s) => {
            let t = resolve_time(s, cursor).map_err(|m| at_case(format!("until: {m}")))?;
            if t < cursor {
                return Err(at_case(format!(
                    "until: {t} is before the last event ({cursor})"
                )));
            }
            Some(t)
        }
        None => None,
    };
    Ok(PreparedCase {
        name: case.name.clone(),
        line,
        account,
        start_event,
        main_ticket,
        events,
        until,
        expect: case.expect.clone().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
# comment
rules: [a.rules]
cases:
  - name: first
    events:
      - { type: message.received, text: hi }

      # a comment between events
      - type: agent.reply
        text: |
          - not an item
          events:
  - name: second   # trailing comment
    ticket: { id: T-1, channel: email }
  -
    name: third
    events: [{ type: clock }]
";

    #[test]
    fn case_and_event_lines_are_found() {
        let p = parse_test_file(FILE, "x.test.yaml").unwrap();
        assert_eq!(p.positions.cases, vec![4, 13, 15]);
        assert_eq!(p.positions.events[0], vec![Some(6), Some(9)]);
        assert!(p.positions.events[1].is_empty());
        // A flow sequence has no per-item lines.
        assert_eq!(p.positions.events[2], vec![None]);
        assert_eq!(p.file.key_lines.get("rules"), Some(&2));
    }

    #[test]
    fn unknown_key_names_its_line() {
        let text = "cases:\n  - name: a\n    events: []\n    expect:\n      fird: [x]\n";
        let e = parse_test_file(text, "x.test.yaml").unwrap_err();
        assert_eq!(e.line, Some(5), "{e}");
        assert!(e.message.contains("unknown field `fird`"), "{e}");
        assert!(!e.message.contains(" at line "), "{e}");
    }

    #[test]
    fn keys_without_a_value_are_empty() {
        let text = "cases:\n  - name: a\n    ticket: { id: T-1, channel: email }\n    events:\n    expect:\n      fired:\n      ticket:\n        tags_include:\n";
        let p = parse_test_file(text, "x.test.yaml").unwrap();
        let case = &p.file.cases[0];
        assert!(case.events.is_empty());
        let expect = case.expect.as_ref().unwrap();
        assert!(expect.fired.is_empty());
        assert!(expect.ticket.as_ref().unwrap().tags_include.is_empty());
        assert!(parse_test_file("cases:\n", "x")
            .unwrap()
            .file
            .cases
            .is_empty());
    }

    #[test]
    fn unknown_status_word_is_an_error() {
        let text = "cases:\n  - name: a\n    expect:\n      ticket: { status: opne }\n";
        let e = parse_test_file(text, "x.test.yaml").unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        assert!(e.message.contains("opne"), "{e}");
    }

    use proptest::prelude::*;

    /// Renders cases (each a list of events; `true` = block-style event) with blank and
    /// comment lines between items, and returns the text with the expected lines.
    fn render(cases: &[(Vec<bool>, u8)]) -> (String, Vec<usize>, Vec<Vec<Option<usize>>>) {
        let mut text = String::from("# header\ndefault_rules: false\ncases:\n");
        let mut line = 3;
        let (mut case_lines, mut event_lines) = (Vec::new(), Vec::new());
        let push = |text: &mut String, s: &str, line: &mut usize| {
            text.push_str(s);
            text.push('\n');
            *line += 1;
        };
        for (k, (events, noise)) in cases.iter().enumerate() {
            for _ in 0..(*noise % 3) {
                push(
                    &mut text,
                    if noise % 2 == 0 { "" } else { "  # note" },
                    &mut line,
                );
            }
            push(&mut text, &format!("  - name: case {k}"), &mut line);
            case_lines.push(line);
            push(
                &mut text,
                "    ticket: { id: T-1, channel: email }",
                &mut line,
            );
            let mut lines = Vec::new();
            if !events.is_empty() {
                push(&mut text, "    events:", &mut line);
                for block in events {
                    if *noise % 2 == 1 {
                        push(&mut text, "", &mut line);
                    }
                    if *block {
                        push(&mut text, "      - type: clock", &mut line);
                        lines.push(Some(line));
                        push(&mut text, "        at: +1h   # later", &mut line);
                    } else {
                        push(&mut text, "      - { type: clock }", &mut line);
                        lines.push(Some(line));
                    }
                }
            }
            push(&mut text, "    expect: { fired: [] }", &mut line);
            event_lines.push(lines);
        }
        (text, case_lines, event_lines)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The lines found for cases and events are exactly where they were written.
        #[test]
        fn case_and_event_lines_match_the_text(
            cases in prop::collection::vec((prop::collection::vec(any::<bool>(), 0..4), any::<u8>()), 1..6)
        ) {
            let (text, case_lines, event_lines) = render(&cases);
            let p = parse_test_file(&text, "x.test.yaml").unwrap();
            prop_assert_eq!(p.positions.cases, case_lines);
            prop_assert_eq!(p.positions.events, event_lines);
        }

        /// Any text: an error or a file, never a panic; lines stay inside the text.
        #[test]
        fn parsing_never_panics(text in "(cases:\n|  - name: [a-z]{1,3}\n|    events:\n|      - \\{ type: clock \\}\n|[ -~]{0,12}\n){0,12}") {
            let n = text.lines().count().max(1);
            match parse_test_file(&text, "x.test.yaml") {
                Ok(p) => {
                    for l in p.positions.cases.iter().chain(p.positions.events.iter().flatten().flatten()) {
                        prop_assert!(*l >= 1 && *l <= n);
                    }
                }
                Err(e) => prop_assert!(e.line.is_none_or(|l| l >= 1 && l <= n + 1)),
            }
        }
    }

    #[test]
    fn deep_merge_replaces_lists_and_merges_maps() {
        let mut base = serde_json::json!({"a": 1, "w": {"x": 1, "y": 2}, "l": [1, 2]});
        merge(
            &mut base,
            &serde_json::json!({"w": {"y": 3}, "l": [9], "n": true}),
        );
        let want = serde_json::json!({"a": 1, "w": {"x": 1, "y": 3}, "l": [9], "n": true});
        assert_eq!(base, want);
    }
}
