//! `ticket-rules check` (events.md; issue 3): the lints by code, with typst-style inline
//! expectations in `tests/cases/check/*.rules` (`# expect: CODE` on the line a finding
//! points at); snapshots of the human and JSON output of the whole suite; the binary's
//! exit statuses and formats; `docs/diagnostics.md` kept in step with the codes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use ticket_rules::check::{check, Checked, RuleSource};
use ticket_rules::diagnostic::{Code, Severity};
use ticket_rules::io::account::load_account;
use ticket_rules::model::Account;

const BIN: &str = env!("CARGO_BIN_EXE_ticket-rules");
const CASES: &str = "tests/cases/check";
const ACCOUNT: &str = "tests/cases/check/account.yaml";
/// First line of a case file that must be checked without an account.
const NO_ACCOUNT: &str = "# check: no account";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn account() -> Account {
    load_account(&root().join(ACCOUNT)).expect("the test account loads")
}

fn case_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(CASES))
        .expect("tests/cases/check exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rules"))
        .collect();
    files.sort();
    files
}

fn source(path: &Path) -> RuleSource {
    RuleSource {
        name: format!(
            "{CASES}/{}",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("?")
        ),
        text: std::fs::read_to_string(path).expect("case file is readable"),
    }
}

/// `(line, code)` of every `# expect: a, b` comment.
fn expectations(text: &str) -> BTreeSet<(usize, String)> {
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(at) = line.find("# expect:") {
            for code in line[at + "# expect:".len()..].split(',') {
                out.insert((i + 1, code.trim().to_string()));
            }
        }
    }
    out
}

/// `(file name, line, code)` of every finding.
fn found(checked: &Checked) -> BTreeSet<(String, usize, String)> {
    checked
        .diagnostics
        .iter()
        .map(|d| {
            let f = &checked.files[d.file];
            let (line, _) = f.line_col(d.diagnostic.span.start);
            (f.name.clone(), line, d.diagnostic.code.to_string())
        })
        .collect()
}

fn check_case(src: &RuleSource) -> Checked {
    let account = account();
    let with = !src.text.starts_with(NO_ACCOUNT);
    check(std::slice::from_ref(src), with.then_some(&account))
}

#[test]
fn every_case_file_reports_exactly_its_inline_expectations() {
    let mut failures = Vec::new();
    let files = case_files();
    assert!(
        files.len() >= Code::ALL.len(),
        "one case file per code at least"
    );
    for path in files {
        let src = source(&path);
        let want: BTreeSet<(usize, String)> = expectations(&src.text);
        let got: BTreeSet<(usize, String)> = found(&check_case(&src))
            .into_iter()
            .map(|(_, l, c)| (l, c))
            .collect();
        if want != got {
            failures.push(format!(
                "{}:\n  missing: {:?}\n  unexpected: {:?}",
                src.name,
                want.difference(&got).collect::<Vec<_>>(),
                got.difference(&want).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_code_has_a_case_file_that_expects_it() {
    for code in Code::ALL {
        let path = root().join(CASES).join(format!("{}.rules", code.name()));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing case file {}", path.display()));
        assert!(
            expectations(&text).iter().any(|(_, c)| c == code.name()),
            "{} expects no `{}`",
            path.display(),
            code.name()
        );
    }
}

#[test]
fn findings_carry_the_severity_of_their_code() {
    for path in case_files() {
        let checked = check_case(&source(&path));
        for d in &checked.diagnostics {
            let code = d.diagnostic.code;
            assert_eq!(code.severity(), d.diagnostic.severity, "{code}");
        }
    }
}

#[test]
fn the_suite_in_one_pass_finds_what_each_file_finds_alone() {
    // No finding depends on another file of the suite (unique titles, no cross-file
    // shadowing), so one pass over all files is the union of the per-file results.
    let account = account();
    let sources: Vec<RuleSource> = case_files().iter().map(|p| source(p)).collect();
    let together = found(&check(&sources, Some(&account)));
    let alone: BTreeSet<_> = sources
        .iter()
        .flat_map(|s| found(&check(std::slice::from_ref(s), Some(&account))))
        .collect();
    assert_eq!(together, alone);
}

#[test]
fn duplicate_titles_across_files_point_to_the_first() {
    let rule = |t: &str| {
        format!(
            "trigger \"{t}\" {{\n  when all {{ ticket is created }}\n  then {{ add tags x }}\n}}\n"
        )
    };
    let sources = [
        RuleSource {
            name: "a.rules".into(),
            text: rule("Greet"),
        },
        RuleSource {
            name: "b.rules".into(),
            text: format!("\n{}", rule("Greet")),
        },
    ];
    let checked = check(&sources, None);
    assert_eq!(checked.diagnostics.len(), 1);
    let d = &checked.diagnostics[0];
    assert_eq!((d.file, d.diagnostic.code.name()), (1, "duplicate-rule"));
    assert!(
        d.diagnostic
            .help
            .as_deref()
            .is_some_and(|h| h.contains("a.rules:1")),
        "{:?}",
        d.diagnostic.help
    );
}

#[test]
fn s5_shadowing_is_not_reported_when_a_later_trigger_can_restore_the_condition() {
    let text = r#"
trigger "Park" {
  when all {
    ticket is created
  }
  then {
    add tags parked
  }
}
trigger "Unpark VIPs" {
  when all {
    tags includes parked
    requester.tags includes vip
  }
  then {
    remove tags parked
  }
}
trigger "Greet unparked" {
  when all {
    ticket is created
    tags excludes parked
  }
  then {
    add note "hello"
  }
}
"#;
    let checked = check(
        &[RuleSource {
            name: "a.rules".into(),
            text: text.into(),
        }],
        None,
    );
    let codes: Vec<&str> = checked
        .diagnostics
        .iter()
        .map(|d| d.diagnostic.code.name())
        .collect();
    assert!(!codes.contains(&"shadowed-by-earlier-trigger"), "{codes:?}");
    // Without the restoring trigger it is shadowed.
    let without = text.replace("remove tags parked", "add tags unparked");
    let checked = check(
        &[RuleSource {
            name: "a.rules".into(),
            text: without,
        }],
        None,
    );
    assert!(checked
        .diagnostics
        .iter()
        .any(|d| d.diagnostic.code == "shadowed-by-earlier-trigger"));
}

#[test]
fn the_example_rules_check_clean_with_their_account() {
    let sources =
        ticket_rules::io::rules::load_rule_sources(&[root().join("rules")]).expect("rules/");
    let account = load_account(&root().join("examples/account.yaml")).expect("account");
    let checked = check(&sources, Some(&account));
    let findings: Vec<String> = checked
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.diagnostic.code, d.diagnostic.message))
        .collect();
    assert!(findings.is_empty(), "{findings:#?}");
}

// ------------------------------------------------------------------------ the binary

struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .arg("check")
        .args(args)
        .current_dir(root())
        .output()
        .expect("start ticket-rules");
    Run {
        status: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn human_output_of_the_whole_suite() {
    let r = run(&[CASES, "--account", ACCOUNT]);
    assert_eq!(r.status, Some(3), "{}", r.stderr);
    insta::assert_snapshot!("human_suite", r.stdout);
    assert_eq!(r.stderr.trim(), "check: 40 errors, 12 warnings in 21 files");
}

#[test]
fn json_output_of_the_whole_suite() {
    let r = run(&[CASES, "--account", ACCOUNT, "--format", "json"]);
    assert_eq!(r.status, Some(3), "{}", r.stderr);
    insta::assert_snapshot!("json_suite", r.stdout);
    // One stable array; keys in the documented order.
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON array");
    let items = v.as_array().expect("an array");
    assert!(items.len() > Code::ALL.len());
    let first = r.stdout.lines().nth(1).expect("an object line");
    let keys = [
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "severity",
        "code",
        "message",
        "help",
    ];
    let mut at = 0;
    for k in keys {
        let i = first[at..]
            .find(&format!("\"{k}\":"))
            .unwrap_or_else(|| panic!("key {k} out of order in {first}"));
        at += i + 1;
    }
}

#[test]
fn human_and_json_of_a_file_with_several_findings() {
    let file = "tests/cases/check/several-findings.rules";
    let r = run(&[file, "--account", ACCOUNT]);
    assert_eq!(r.status, Some(3));
    insta::assert_snapshot!("human_several", r.stdout);
    let r = run(&[file, "--account", ACCOUNT, "--format", "json"]);
    insta::assert_snapshot!("json_several", r.stdout);
}

#[test]
fn github_format_prints_one_annotation_per_finding() {
    let r = run(&[
        "tests/cases/check/several-findings.rules",
        "--account",
        ACCOUNT,
        "--format",
        "github",
    ]);
    assert_eq!(r.status, Some(3));
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 9, "{}", r.stdout);
    for l in &lines {
        assert!(
            l.starts_with("::error file=tests/cases/check/several-findings.rules,line=")
                || l.starts_with("::warning file=tests/cases/check/several-findings.rules,line="),
            "{l}"
        );
    }
    insta::assert_snapshot!("github_several", r.stdout);
}

#[test]
fn exit_0_when_clean() {
    let r = run(&["rules/examples", "--account", "examples/account.yaml"]);
    assert_eq!(r.status, Some(0), "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr.trim(), "check: no findings in 4 files");
    let r = run(&[
        "rules/examples",
        "--account",
        "examples/account.yaml",
        "--format",
        "json",
    ]);
    assert_eq!((r.status, r.stdout.as_str()), (Some(0), "[]\n"));
}

#[test]
fn exit_0_with_warnings_only() {
    let r = run(&["tests/cases/check/fires-on-every-update.rules"]);
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("warning[fires-on-every-update]"));
    assert_eq!(r.stderr.trim(), "check: 0 errors, 2 warnings in 1 file");
}

#[test]
fn default_path_is_rules_and_without_account_templates_are_not_checked() {
    let r = run(&[]);
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    assert!(
        r.stdout.starts_with("warning[templates-not-checked]"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("--> rules/examples/20-whatsapp.rules:"));
    assert_eq!(r.stdout.matches("templates-not-checked").count(), 1);
}

#[test]
fn exit_3_on_errors_in_any_file_and_every_file_is_reported() {
    let r = run(&[
        "tests/cases/check/unknown-field.rules",
        "tests/cases/check/syntax.rules",
        "--format",
        "json",
    ]);
    assert_eq!(r.status, Some(3));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let files: BTreeSet<&str> = v
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
}

#[test]
fn exit_2_on_usage_errors() {
    let r = run(&["tests/cases/check/no-such-file.rules"]);
    assert_eq!(r.status, Some(2));
    assert!(r.stderr.contains("no-such-file.rules"), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    let r = run(&["rules/examples", "--account", "no-such-account.yaml"]);
    assert_eq!(r.status, Some(2));
    let r = run(&[
        "rules/examples",
        "--account",
        "tests/cases/check/syntax.rules",
    ]);
    assert_eq!(r.status, Some(2), "an account that is not YAML");
    let r = run(&["rules/examples", "--format", "xml"]);
    assert_eq!(r.status, Some(2));
}

#[test]
fn no_card_number_in_clear_in_any_format() {
    let dir = std::env::temp_dir().join(format!("ticket-rules-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("cards.rules");
    std::fs::write(
        &file,
        "trigger \"Card 4111 1111 1111 1111\" {\n  when all {\n    ticket is created\n    subject is \"card 4111111111111111\"\n    subject is \"x\"\n  }\n  then {\n    add tags a\n  }\n}\n\ntrigger \"Placeholder\" {\n  when all {\n    ticket is created\n  }\n  then {\n    send message \"{{tikcet.id}} 4111-1111-1111-1111\"\n  }\n}\n",
    )
    .expect("write");
    let path = file.to_str().expect("utf-8 path");
    for format in ["human", "json", "github"] {
        let r = run(&[path, "--format", format]);
        assert_eq!(r.status, Some(3), "{format}");
        // The contradiction's message quotes the condition, the human output shows the
        // source lines: both pass the card scanner.
        assert!(r.stdout.contains("contradictory-conditions"), "{format}");
        let digits: String = r.stdout.chars().filter(char::is_ascii_digit).collect();
        assert!(
            !digits.contains("4111111111111111"),
            "{format}: {}",
            r.stdout
        );
        assert!(
            r.stdout.contains("411111▇▇▇▇▇▇1111"),
            "{format}: {}",
            r.stdout
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------------ docs

/// `## \`code\`` sections of docs/diagnostics.md with their fenced blocks by info string.
fn doc_sections() -> Vec<(String, String)> {
    let doc =
        std::fs::read_to_string(root().join("docs/diagnostics.md")).expect("docs/diagnostics.md");
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in doc.lines() {
        if let Some(rest) = line.strip_prefix("## `") {
            if let Some(c) = current.take() {
                out.push(c);
            }
            let code = rest.trim_end_matches('`').to_string();
            current = Some((code, String::new()));
        } else if line.starts_with("## ") {
            if let Some(c) = current.take() {
                out.push(c);
            }
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out.extend(current);
    out
}

/// The fenced block with info string `info` in `body`.
fn block(body: &str, info: &str) -> Option<String> {
    let start = body.find(&format!("```{info}\n"))? + info.len() + 4;
    let end = body[start..].find("```")?;
    Some(body[start..start + end].to_string())
}

fn codes_of(text: &str, with_account: bool) -> Vec<&'static str> {
    let account = account();
    let checked = check(
        &[RuleSource {
            name: "doc.rules".into(),
            text: text.into(),
        }],
        with_account.then_some(&account),
    );
    checked
        .diagnostics
        .iter()
        .map(|d| d.diagnostic.code.name())
        .collect()
}

#[test]
fn docs_have_a_section_for_every_code_and_no_other() {
    let documented: Vec<String> = doc_sections().into_iter().map(|(c, _)| c).collect();
    let codes: Vec<String> = Code::ALL.iter().map(|c| c.name().to_string()).collect();
    assert_eq!(
        documented, codes,
        "docs/diagnostics.md sections in Code::ALL order"
    );
}

#[test]
fn every_code_is_emitted_in_src_check_or_src_syntax() {
    // Grep the codes named in the checker and the parser: `Code::UnknownField`, ….
    let re = regex::Regex::new(r"\bCode::([A-Z][A-Za-z]+)\b").expect("re");
    let mut emitted = BTreeSet::new();
    for dir in ["src/check", "src/syntax"] {
        let mut stack = vec![root().join(dir)];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                for e in std::fs::read_dir(&p).expect("dir").flatten() {
                    stack.push(e.path());
                }
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).expect("source");
                for c in re.captures_iter(&text) {
                    emitted.insert(c[1].to_string());
                }
            }
        }
    }
    let codes: BTreeSet<String> = Code::ALL.iter().map(|c| format!("{c:?}")).collect();
    emitted.remove("ALL");
    assert!(emitted.len() > 10, "{emitted:?}");
    assert_eq!(emitted, codes);
}

#[test]
fn docs_severities_match_codes() {
    for (code, body) in doc_sections() {
        let c = Code::from_name(&code).expect("a known code");
        let word = match c.severity() {
            Severity::Error => "**error**",
            Severity::Warning => "**warning**",
        };
        assert!(body.contains(word), "{code}: the section says {word}");
        assert!(
            body.contains(c.spec()),
            "{code}: the section names {}",
            c.spec()
        );
    }
}

#[test]
fn docs_bad_examples_have_the_finding_and_fixed_examples_do_not() {
    for (code, body) in doc_sections() {
        let bad = block(&body, "rules bad").unwrap_or_else(|| panic!("{code}: no bad example"));
        let fixed =
            block(&body, "rules fixed").unwrap_or_else(|| panic!("{code}: no fixed example"));
        let with_account = code != "templates-not-checked";
        let bad_codes = codes_of(&bad, with_account);
        assert!(
            bad_codes.contains(&code.as_str()),
            "{code}: the bad example gives {bad_codes:?}"
        );
        let fixed_codes = codes_of(&fixed, true);
        assert!(
            !fixed_codes.contains(&code.as_str()),
            "{code}: the fixed example still gives it"
        );
        // The fixed examples are clean altogether, so they can be copied.
        assert!(
            fixed_codes.is_empty(),
            "{code}: the fixed example gives {fixed_codes:?}"
        );
    }
}

// ------------------------------------------------------------------------ soundness laws

mod laws {
    //! The warnings that claim a rule never fires must be right: whenever `check` reports
    //! `contradictory-conditions` or `shadowed-by-earlier-trigger`, the engine never fires
    //! that trigger, on random tickets and updates.

    use std::sync::Arc;

    use proptest::prelude::*;
    use ticket_rules::{compile, Account, Engine, RuleSource};

    /// Conditions on a few fields, with every operator kind the solvers read.
    fn condition() -> impl Strategy<Value = String> {
        let status = prop::sample::select(vec!["new", "open", "pending", "hold", "solved"]);
        let priority = prop::sample::select(vec!["low", "normal", "high", "urgent", "none"]);
        let tag = prop::sample::select(vec!["a", "b", "c"]);
        let group = prop::sample::select(vec![
            "\"Billing\"",
            "billing",
            "\"Support\"",
            "none",
            "\"\"",
        ]);
        let subject = prop::sample::select(vec!["\"hello\"", "\"Hello world\"", "none"]);
        let needle = prop::sample::select(vec!["\"hello\"", "\"world\"", "\"\"", "\"x\""]);
        let num = prop::sample::select(vec!["2", "3", "5", "\"3\"", "\"abc\"", "none"]);
        let cmp = prop::sample::select(vec!["is", "is not", "<", "<=", ">", ">="]);
        let eq = prop::sample::select(vec!["is", "is not"]);
        let base = prop_oneof![
            (cmp.clone(), status.clone()).prop_map(|(o, v)| format!("status {o} {v}")),
            (status.clone(), status.clone()).prop_map(|(a, b)| format!("status in [{a}, {b}]")),
            status
                .clone()
                .prop_map(|v| format!("status changed to {v}")),
            (cmp.clone(), priority.clone()).prop_map(|(o, v)| format!("priority {o} {v}")),
            prop::sample::select(vec!["present", "not present"])
                .prop_map(|o| format!("priority {o}")),
            (
                prop::sample::select(vec!["includes", "excludes"]),
                tag.clone(),
                tag.clone()
            )
                .prop_map(|(o, a, b)| format!("tags {o} {a}, {b}")),
            prop::sample::select(vec!["present", "not present"]).prop_map(|o| format!("tags {o}")),
            (
                eq.clone(),
                prop::sample::select(vec!["email", "web", "whatsapp"])
            )
                .prop_map(|(o, v)| format!("channel {o} {v}")),
            (eq.clone(), group).prop_map(|(o, v)| format!("group {o} {v}")),
            prop::sample::select(vec!["present", "not present"]).prop_map(|o| format!("group {o}")),
            (eq.clone(), subject).prop_map(|(o, v)| format!("subject {o} {v}")),
            (
                prop::sample::select(vec!["contains", "not contains"]),
                needle
            )
                .prop_map(|(o, v)| format!("subject {o} {v}")),
            (cmp, num).prop_map(|(o, v)| format!("field \"n\" {o} {v}")),
            prop::sample::select(vec!["present", "not present"])
                .prop_map(|o| format!("field \"n\" {o}")),
            (prop::sample::select(vec![">", "<", "is"]), 0i64..4)
                .prop_map(|(o, n)| format!("hours since open {o} {n}")),
        ];
        (any::<bool>(), base).prop_map(|(not, c)| if not { format!("not {c}") } else { c })
    }

    fn action() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "set status open",
            "set status pending",
            "set status hold",
            "set status solved",
            "set priority low",
            "set priority urgent",
            "set priority none",
            "add tags a",
            "remove tags a",
            "set tags b",
            "set group \"Billing\"",
            "set group none",
            "set field \"n\" 3",
            "set field \"n\" \"abc\"",
            "set type incident",
            "add note \"x\"",
        ])
        .prop_map(str::to_string)
    }

    /// A ticket.created line with random fields, then a ticket.updated line.
    fn events() -> impl Strategy<Value = Vec<String>> {
        let status = prop::sample::select(vec!["new", "open", "pending", "hold"]);
        let priority = prop::sample::select(vec![
            "",
            "\"priority\":\"low\",",
            "\"priority\":\"high\",",
            "\"priority\":\"urgent\",",
        ]);
        let tags = prop::sample::select(vec![
            "[]",
            "[\"a\"]",
            "[\"b\",\"c\"]",
            "[\"a\",\"b\",\"c\"]",
        ]);
        let channel = prop::sample::select(vec!["email", "web", "whatsapp"]);
        let group = prop::sample::select(vec![
            "",
            "\"group\":\"Billing\",",
            "\"group\":\"billing\",",
            "\"group\":\"Support\",",
        ]);
        let subject = prop::sample::select(vec![
            "",
            "\"subject\":\"hello\",",
            "\"subject\":\"Hello world\",",
        ]);
        let n = prop::sample::select(vec![
            "{}",
            "{\"n\":3}",
            "{\"n\":\"3\"}",
            "{\"n\":\"abc\"}",
            "{\"n\":7}",
            "{\"n\":2.5}",
        ]);
        let change = prop::sample::select(vec![
            "\"status\":\"open\"",
            "\"status\":\"pending\"",
            "\"priority\":\"normal\"",
            "\"add_tags\":[\"a\"]",
            "\"remove_tags\":[\"a\",\"b\"]",
            "\"group\":\"Billing\"",
            "\"fields\":{\"n\":5}",
            "\"subject\":\"world\"",
        ]);
        (status, priority, tags, channel, group, subject, n, change).prop_map(
            |(s, p, t, c, g, subj, n, ch)| {
                vec![
                    format!("{{\"type\":\"ticket.created\",\"id\":\"c\",\"at\":\"2026-11-24T09:00:00Z\",\"ticket\":{{\"id\":\"T-1\",\"channel\":\"{c}\",\"status\":\"{s}\",{p}{g}{subj}\"tags\":{t},\"fields\":{n}}}}}"),
                    format!("{{\"type\":\"ticket.updated\",\"id\":\"u\",\"at\":\"2026-11-24T11:30:00Z\",\"ticket\":\"T-1\",\"by\":\"agent\",\"changes\":{{{ch}}}}}"),
                ]
            },
        )
    }

    fn trigger(title: &str, conds: &[String], act: &str) -> String {
        format!(
            "trigger \"{title}\" {{\n  when all {{\n{}\n  }}\n  then {{\n    {act}\n  }}\n}}\n",
            conds
                .iter()
                .map(|c| format!("    {c}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    }

    /// `(code, text at the finding's span)` of every finding.
    type Findings = Vec<(String, String)>;

    /// Compiles `text`, replays each list of events on a fresh engine; returns the
    /// findings and every fired rule id.
    fn replay(text: &str, runs: &[Vec<String>]) -> Option<(Findings, Vec<String>)> {
        let sources = [RuleSource {
            name: "law.rules".into(),
            text: text.into(),
        }];
        let (rs, checked) = compile(&sources, Account::default()).ok()?;
        let findings = checked
            .diagnostics
            .iter()
            .map(|d| {
                let s = d.diagnostic.span;
                (
                    d.diagnostic.code.to_string(),
                    text[s.start..s.end].trim_matches('"').to_string(),
                )
            })
            .collect();
        let rs = Arc::new(rs);
        let mut fired = Vec::new();
        for events in runs {
            let mut engine = Engine::new(rs.clone());
            for (i, line) in events.iter().enumerate() {
                let Ok(event) = ticket_rules::io::decode_line(line, i + 1) else {
                    continue;
                };
                for t in engine.process(event).outcome.tickets {
                    fired.extend(t.fired);
                }
            }
        }
        Some((findings, fired))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn s3_contradictory_conditions_never_fire(
            conds in prop::collection::vec(condition(), 1..4),
            runs in prop::collection::vec(events(), 12),
        ) {
            let text = trigger("T", &conds, "add note \"fired\"");
            if let Some((findings, fired)) = replay(&text, &runs) {
                if findings.iter().any(|(c, _)| c == "contradictory-conditions") {
                    prop_assert!(
                        !fired.contains(&"trigger:T".to_string()),
                        "reported contradictory but fired:\n{text}"
                    );
                }
            }
        }

        #[test]
        fn s5_shadowed_triggers_never_fire(
            shared in prop::collection::vec(condition(), 1..3),
            extra in prop::collection::vec(condition(), 1..3),
            act1 in action(),
            other in prop::collection::vec(condition(), 1..3),
            act3 in action(),
            act2 in action(),
            third_between in any::<bool>(),
            runs in prop::collection::vec(events(), 12),
        ) {
            let t1 = trigger("T1", &shared, &act1);
            let mut t2_conds = shared.clone();
            t2_conds.extend(extra);
            let t2 = trigger("T2", &t2_conds, &act2);
            let t3 = trigger("T3", &other, &act3);
            let text = if third_between {
                format!("{t1}\n{t3}\n{t2}")
            } else {
                format!("{t1}\n{t2}\n{t3}")
            };
            if let Some((findings, fired)) = replay(&text, &runs) {
                if findings.iter().any(|(c, t)| c == "shadowed-by-earlier-trigger" && t == "T2") {
                    prop_assert!(
                        !fired.contains(&"trigger:T2".to_string()),
                        "reported shadowed but fired:\n{text}"
                    );
                }
            }
        }
    }
}
