//! `ticket-rules test` end to end (events.md: exit 0 all pass, 4 failures or no cases,
//! 2 usage), the shipped tests of `rules/examples/` and their coverage, and snapshots of
//! the failure output and the JUnit XML (fixtures in `tests/cases/rule_tests/`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use ticket_rules::testing::{self, Expect};

const BIN: &str = env!("CARGO_BIN_EXE_ticket-rules");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const CASES: &str = "tests/cases/rule_tests";

struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `ticket-rules test ARGS` in `dir` (relative to the repository root).
fn test_in(dir: &str, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .arg("test")
        .args(args)
        .current_dir(Path::new(ROOT).join(dir))
        .output()
        .expect("start ticket-rules");
    Run {
        status: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

fn test(args: &[&str]) -> Run {
    test_in(".", args)
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or("")
}

// ------------------------------------------------------------------ shipped tests

#[test]
fn shipped_example_tests_pass() {
    let run = test(&["rules/examples"]);
    assert_eq!(run.status, Some(0), "{}\n{}", run.stdout, run.stderr);
    let last = last_line(&run.stdout);
    let passed: usize = last
        .strip_suffix(" passed, 0 failed")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("last line {last:?}"));
    assert!(passed >= 40, "{last}");
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.starts_with("ok   "))
            .count(),
        passed
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

fn expectations(e: &Expect, fired: &mut BTreeSet<String>, not_fired: &mut BTreeSet<String>) {
    fired.extend(e.fired.iter().cloned());
    not_fired.extend(e.not_fired.iter().cloned());
}

/// Every trigger and automation in `rules/examples/` must fire in some shipped case and be
/// shown not firing in another, so coverage cannot silently drop when a rule is added.
#[test]
fn shipped_tests_cover_every_example_rule() {
    let dir = Path::new(ROOT).join("rules/examples");
    let sources =
        ticket_rules::io::rules::load_rule_sources(std::slice::from_ref(&dir)).expect("rules load");
    let checked = ticket_rules::check::check(&sources, None);
    let ids: Vec<String> = checked.rules.iter().map(|r| r.id()).collect();
    assert!(ids.len() >= 28, "{ids:?}");

    let files = testing::find_test_files(&[dir]).expect("test files");
    assert!(files.len() >= 4, "{files:?}");
    let (mut fired, mut not_fired) = (BTreeSet::new(), BTreeSet::new());
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read");
        let parsed = testing::parse_test_file(&text, &f.display().to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        for case in &parsed.file.cases {
            if let Some(e) = &case.expect {
                expectations(e, &mut fired, &mut not_fired);
            }
            for ev in &case.events {
                if let Some(e) = &ev.expect {
                    expectations(e, &mut fired, &mut not_fired);
                }
            }
        }
    }
    let never_fired: Vec<&String> = ids.iter().filter(|id| !fired.contains(*id)).collect();
    assert!(
        never_fired.is_empty(),
        "rules no shipped case expects to fire: {never_fired:?}"
    );
    let never_quiet: Vec<&String> = ids.iter().filter(|id| !not_fired.contains(*id)).collect();
    assert!(
        never_quiet.is_empty(),
        "rules no shipped case shows not firing: {never_quiet:?}"
    );
}

// ------------------------------------------------------------------ exit codes and output

#[test]
fn failures_are_reported_with_a_diff_and_exit_4() {
    let run = test(&[&format!("{CASES}/failing")]);
    assert_eq!(run.status, Some(4), "{}", run.stderr);
    assert_eq!(last_line(&run.stdout), "1 passed, 4 failed");
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(!run.stdout.contains("4111"), "a card number was printed");
    insta::assert_snapshot!("failing_human", run.stdout);
}

#[test]
fn junit_xml_has_a_suite_per_file_and_a_case_per_case() {
    let run = test(&[
        "--format",
        "junit",
        &format!("{CASES}/failing"),
        &format!("{CASES}/project/rules/tag.test.yaml"),
    ]);
    assert_eq!(run.status, Some(4), "{}", run.stderr);
    assert_eq!(run.stderr.trim_end(), "3 passed, 4 failed");
    assert!(run
        .stdout
        .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    assert_eq!(run.stdout.matches("<testsuite ").count(), 2);
    assert_eq!(run.stdout.matches("<testcase ").count(), 7);
    assert_eq!(run.stdout.matches("<failure ").count(), 4);
    insta::assert_snapshot!("failing_junit", run.stdout);
}

#[test]
fn junit_reports_an_unusable_file_as_an_error() {
    let run = test(&[
        "--format",
        "junit",
        &format!("{CASES}/bad/unknown-key.test.yaml"),
    ]);
    assert_eq!(run.status, Some(2));
    assert!(run.stdout.contains("errors=\"1\""), "{}", run.stdout);
    assert!(
        run.stdout.contains("<testcase name=\"(load)\""),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("line=\"7\""), "{}", run.stdout);
}

#[test]
fn bad_test_files_exit_2_naming_file_and_line() {
    let mut report = String::new();
    for name in [
        "bad/unknown-key.test.yaml",
        "bad/yaml-syntax.test.yaml",
        "bad/undecodable-event.test.yaml",
        "bad/bad-override.test.yaml",
        "broken-rules",
    ] {
        let run = test(&[&format!("{CASES}/{name}")]);
        assert_eq!(run.status, Some(2), "{name}: {}", run.stderr);
        assert_eq!(last_line(&run.stdout), "0 passed, 0 failed", "{name}");
        assert!(
            run.stderr.starts_with("error: tests/cases/rule_tests/"),
            "{name}: {}",
            run.stderr
        );
        report.push_str(&format!(
            "$ ticket-rules test {CASES}/{name}\n{}\n",
            run.stderr
        ));
    }
    insta::assert_snapshot!("bad_files", report);
}

#[test]
fn a_bad_file_does_not_stop_the_others_and_exit_2_wins() {
    let run = test(&[
        &format!("{CASES}/bad/unknown-key.test.yaml"),
        &format!("{CASES}/project"),
    ]);
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert_eq!(last_line(&run.stdout), "2 passed, 0 failed");
    assert!(
        run.stderr.contains("unknown field `fird`"),
        "{}",
        run.stderr
    );
}

#[test]
fn no_cases_found_exits_4() {
    let run = test(&[&format!("{CASES}/empty")]);
    assert_eq!(run.status, Some(4), "{}", run.stderr);
    assert_eq!(last_line(&run.stdout), "0 passed, 0 failed");
    assert!(run.stderr.contains("no test cases found"), "{}", run.stderr);
}

#[test]
fn a_missing_path_exits_2() {
    let run = test(&[&format!("{CASES}/no-such-folder")]);
    assert_eq!(run.status, Some(2));
    assert!(
        run.stderr.contains("no such file or directory"),
        "{}",
        run.stderr
    );
}

#[test]
fn default_path_is_rules_folder() {
    let run = test_in(&format!("{CASES}/project"), &[]);
    assert_eq!(run.status, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        "ok   rules/tag.test.yaml:3  tags new WhatsApp tickets\n\
         ok   rules/tag.test.yaml:9  leaves email tickets alone\n\
         2 passed, 0 failed\n"
    );
}

#[test]
fn without_a_rules_folder_the_default_path_is_a_usage_error() {
    let run = test_in(&format!("{CASES}/empty"), &[]);
    assert_eq!(run.status, Some(2));
    assert!(run.stderr.contains("no rules/ folder"), "{}", run.stderr);
}

#[test]
fn unknown_format_is_a_usage_error() {
    let run = test(&["--format", "tap", "rules/examples"]);
    assert_eq!(run.status, Some(2));
}

// ------------------------------------------------------------------ library

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "ticket-rules-rule-tests-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

const TAG_RULES: &str = r#"
trigger "Tag WhatsApp tickets" {
  when all {
    ticket is created
    channel is whatsapp
  }
  then { add tags whatsapp }
}
"#;

/// Events without `at` come one minute apart from `start`; `+DURATION` is relative to the
/// previous event, and `sent_at: -D` to the event's own time (the window anchor, W1).
#[test]
fn w1_event_times_default_and_offsets() {
    let dir = temp_dir("times");
    write(&dir, "tag.rules", TAG_RULES);
    let yaml = r#"
cases:
  - name: times
    start: 2026-03-02T08:00:00Z
    ticket: { id: T-1, channel: whatsapp }
    events:
      - { type: message.received, text: one }
      - { type: message.received, at: +2h, sent_at: -30m, text: two }
      - { type: agent.reply, at: "+23h29m", author: { name: A }, via: agent, text: three }
"#;
    let path = write(&dir, "t.test.yaml", yaml);
    let parsed = testing::parse_test_file(yaml, "t.test.yaml").unwrap();
    let prepared = testing::prepare(&parsed, &path).unwrap();
    let case = &prepared.cases[0];
    let start = case.start_event.as_ref().unwrap();
    assert_eq!(start.at.to_string(), "2026-03-02T08:00:00Z");
    assert_eq!(start.id, testing::START_EVENT_ID);
    let times: Vec<String> = case
        .events
        .iter()
        .map(|e| e.event.as_ref().unwrap().at.to_string())
        .collect();
    assert_eq!(
        times,
        [
            "2026-03-02T08:01:00Z",
            "2026-03-02T10:01:00Z",
            "2026-03-03T09:30:00Z"
        ]
    );
    // The anchor is 09:31, so the reply at 09:30 the next day is still inside the window.
    let yaml_ok =
        format!("{yaml}    expect:\n      messages: [{{ source: agent, delivery: delivered }}]\n");
    let parsed = testing::parse_test_file(&yaml_ok, "t.test.yaml").unwrap();
    let report = testing::run_prepared(&testing::prepare(&parsed, &path).unwrap());
    assert!(report.cases[0].passed(), "{:?}", report.cases[0].failures);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn rules_and_account_are_resolved_beside_the_test_file() {
    let dir = temp_dir("paths");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    write(&dir, "sub/tag.rules", TAG_RULES);
    write(&dir, "account.yaml", "conversations_license: true\n");
    let yaml = r#"
rules: [sub]
account: account.yaml
default_rules: false
cases:
  - name: card numbers stay when the default rules are off
    events:
      - { type: message.received, ticket: wa-1, channel: whatsapp, text: "card 4111 1111 1111 1111" }
    expect:
      fired: [trigger:Tag WhatsApp tickets]
      redactions: 0
"#;
    let path = write(&dir, "t.test.yaml", yaml);
    let report = testing::run_test_file(&path);
    assert_eq!(report.error, None);
    assert!(report.cases[0].passed(), "{:?}", report.cases[0].failures);
    assert!(report.cases[0].line > 0);
    // A missing rules path is a file error naming the `rules:` line.
    let bad = yaml.replace("rules: [sub]", "rules: [nope]");
    let path = write(&dir, "bad.test.yaml", &bad);
    let report = testing::run_test_file(&path);
    let e = report.error.expect("missing rules are an error");
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.message.contains("does not exist"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn w7_account_overrides_merge_per_case() {
    let dir = temp_dir("overrides");
    write(&dir, "none.rules", "");
    write(
        &dir,
        "account.yaml",
        "conversations_license: true\ntemplates:\n  - { name: hello, language: en_US }\n",
    );
    let yaml = r#"
account: account.yaml
cases:
  - name: licensed
    ticket: { id: wa-1, channel: whatsapp, requester: { opted_in: true } }
    events:
      - { type: agent.reply, author: { name: A }, via: agent, template: { name: hello, language: en_US } }
    expect:
      messages: [{ source: agent, kind: template, delivery: delivered }]
  - name: unlicensed
    account_overrides: { conversations_license: false }
    ticket: { id: wa-1, channel: whatsapp, requester: { opted_in: true } }
    events:
      - { type: agent.reply, author: { name: A }, via: agent, template: { name: hello, language: en_US } }
    expect:
      messages: [{ source: agent, kind: template, delivery: blocked, reason: templates_require_license }]
"#;
    let path = write(&dir, "t.test.yaml", yaml);
    let report = testing::run_test_file(&path);
    assert_eq!(report.error, None);
    for c in &report.cases {
        assert!(c.passed(), "{}: {:?}", c.name, c.failures);
    }
    std::fs::remove_dir_all(&dir).ok();
}
