//! `docs/language.md` cannot drift from the language (issue 3, "Also").
//!
//! - Every fenced block is checked: ` ```rules ` blocks pass `check` with no finding at
//!   all; ` ```rules-warn CODE… ` blocks have no error and warn with each CODE;
//!   ` ```rules-bad CODE… ` blocks have at least one error, among them each CODE.
//! - Every example in a table column named "example condition" / "example action" is
//!   checked inside a small rule, with no finding.
//! - The fields table lists exactly the operators the checker accepts for each field.
//! - Every keyword and operator of `grammar/rules.pest` appears in the doc's code.
//!
//! The tables themselves (fields, operators, anchors, actions, placeholders, rule kinds)
//! are generated from the language catalogue and compared with the doc by the unit tests
//! of `src/lang/docs.rs`; the tests here check that the checker behaves as they say.
//! - The rule blocks of dsl.md (`tests/cases/dsl_examples.rules`) check without errors.

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;
use ticket_rules::check::{check, Checked, RuleSource};
use ticket_rules::diagnostic::{render, Code, Severity};
use ticket_rules::model::{Account, ApprovedTemplate, FieldDef, ScheduleDef};

const LANGUAGE_MD: &str = include_str!("../docs/language.md");
const GRAMMAR: &str = include_str!("../grammar/rules.pest");
const DSL_EXAMPLES: &str = include_str!("cases/dsl_examples.rules");

/// Every condition operator of the language (dsl.md, Conditions).
const OPERATORS: &[&str] = &[
    "is",
    "is not",
    "in",
    "not in",
    "<",
    "<=",
    ">",
    ">=",
    "includes",
    "excludes",
    "contains",
    "not contains",
    "contains word",
    "matches",
    "changed",
    "changed to",
    "changed from",
    "not changed",
    "present",
    "not present",
];

/// Operators the checker accepts for a field although the doc (and the checker's own
/// help text, `Kind::operators`) does not offer them. Each is listed with the reason it
/// stays undocumented; the test fails when the checker stops accepting one, so the list
/// cannot rot.
const ACCEPTED_BUT_UNDOCUMENTED: &[(&str, &str, &str)] = &[
    // A tag set is never equal to a single value: these parse, check, and never hold.
    ("tags", "changed to", "never true on a tag set"),
    ("tags", "changed from", "never true on a tag set"),
    // Membership on a yes/no field works but says nothing `is` does not.
    ("public", "in", "same as `is`"),
    ("public", "not in", "same as `is not`"),
    ("requester.opted_in", "in", "same as `is`"),
    ("requester.opted_in", "not in", "same as `is not`"),
    ("message.forwarded", "in", "same as `is`"),
    ("message.forwarded", "not in", "same as `is not`"),
    ("message.has_attachments", "in", "same as `is`"),
    ("message.has_attachments", "not in", "same as `is not`"),
];

// ------------------------------------------------------------------ helpers

/// An account that knows everything the examples use: the license, the templates, the
/// custom fields and the schedule.
fn account() -> Account {
    let template = |name: &str, language: &str, params: u32| ApprovedTemplate {
        name: name.into(),
        language: language.into(),
        category: Some("utility".into()),
        params,
    };
    let field = |name: &str, t: &str| FieldDef {
        name: name.into(),
        field_type: Some(t.into()),
    };
    let weekly: BTreeMap<String, String> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| (d.to_string(), "09:00-12:00,13:00-18:00".to_string()))
        .collect();
    Account {
        timezone: "Asia/Seoul".into(),
        conversations_license: true,
        templates: vec![
            template("order_followup", "en_US", 1),
            template("csat_survey", "ko_KR", 0),
        ],
        schedules: vec![ScheduleDef {
            name: "Seoul desk".into(),
            timezone: "Asia/Seoul".into(),
            weekly,
            holidays: Vec::new(),
        }],
        fields: vec![
            field("order_id", "text"),
            field("order_total", "number"),
            field("needs_screenshot", "bool"),
            field("delivery_status", "text"),
            field("escalation_reason", "text"),
        ],
        ..Account::default()
    }
}

fn check_text(name: &str, text: &str) -> Checked {
    let account = account();
    check(
        &[RuleSource {
            name: name.into(),
            text: text.into(),
        }],
        Some(&account),
    )
}

/// The findings rendered for a failure message.
fn rendered(c: &Checked) -> String {
    let mut out = String::new();
    for (i, f) in c.files.iter().enumerate() {
        let diags: Vec<_> = c
            .diagnostics
            .iter()
            .filter(|d| d.file == i)
            .map(|d| d.diagnostic.clone())
            .collect();
        out.push_str(&render::human(&diags, f));
    }
    out
}

fn codes(c: &Checked, severity: Severity) -> Vec<&'static str> {
    c.diagnostics
        .iter()
        .filter(|d| d.diagnostic.severity == severity)
        .map(|d| d.diagnostic.code.name())
        .collect()
}

/// A fenced block: its info string (`rules-bad time-condition-in-any`), text and the
/// line of its opening fence.
struct Block {
    info: String,
    text: String,
    line: usize,
}

fn fenced_blocks(md: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in md.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block {
                    info: info.trim().to_string(),
                    text: String::new(),
                    line: i + 1,
                })
            }
            (Some(_), Some(rest)) if rest.trim().is_empty() => {
                blocks.push(open.take().expect("open block"));
            }
            (Some(b), _) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "an unclosed code fence in docs/language.md");
    blocks
}

/// The lines of `md` outside fenced blocks.
fn prose_lines(md: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in md.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            out.push(line);
        }
    }
    out
}

/// Inline code spans of a piece of Markdown.
fn code_spans(text: &str) -> Vec<String> {
    let re = Regex::new(r"`([^`]+)`").expect("regex");
    re.captures_iter(text).map(|c| c[1].to_string()).collect()
}

/// A Markdown table: header cells (lowercased) and rows of cells.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Splits a table row on `|` outside code spans.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_code = false;
    for ch in inner.chars() {
        match ch {
            '`' => {
                in_code = !in_code;
                cur.push(ch);
            }
            '|' if !in_code => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(ch),
        }
    }
    out.push(cur.trim().to_string());
    out
}

fn tables(md: &str) -> Vec<Table> {
    let mut out = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    for line in prose_lines(md).into_iter().chain([""]) {
        if line.trim_start().starts_with('|') {
            cur.push(line);
        } else if !cur.is_empty() {
            let header = cells(cur[0]).iter().map(|c| c.to_lowercase()).collect();
            let rows = cur.iter().skip(2).map(|l| cells(l)).collect();
            out.push(Table { header, rows });
            cur.clear();
        }
    }
    out
}

/// The first column of the table whose first header cell is `first`, as code.
fn first_column(first: &str) -> Vec<String> {
    let t = tables(LANGUAGE_MD)
        .into_iter()
        .find(|t| t.header[0] == first)
        .unwrap_or_else(|| panic!("docs/language.md has a table headed `{first}`"));
    t.rows
        .iter()
        .map(|r| {
            code_spans(&r[0])
                .into_iter()
                .next()
                .unwrap_or_else(|| panic!("row {r:?} starts with code"))
        })
        .collect()
}

/// A trigger around one condition; the tag keeps it from firing on every update (S8).
fn condition_rule(cond: &str) -> String {
    format!(
        "trigger \"doc example\" {{\n  when all {{\n    {cond}\n    tags excludes doc_example\n  }}\n  then {{\n    add tags doc_example\n  }}\n}}\n"
    )
}

/// A trigger around one action.
fn action_rule(action: &str) -> String {
    format!(
        "trigger \"doc example\" {{\n  when all {{\n    ticket is created\n  }}\n  then {{\n    {action}\n  }}\n}}\n"
    )
}

/// The expected codes named after the fence's language, e.g. `rules-bad CODE CODE`.
fn expected_codes(info: &str) -> Vec<&str> {
    info.split_whitespace().skip(1).collect()
}

// ------------------------------------------------------------------ fenced blocks

#[test]
fn rules_blocks_check_without_findings() {
    let blocks: Vec<Block> = fenced_blocks(LANGUAGE_MD)
        .into_iter()
        .filter(|b| b.info == "rules")
        .collect();
    assert!(
        blocks.len() >= 12,
        "expected the doc's examples, found {}",
        blocks.len()
    );
    for b in blocks {
        let c = check_text(&format!("docs/language.md:{}", b.line), &b.text);
        assert!(c.diagnostics.is_empty(), "{}", rendered(&c));
        assert!(!c.rules.is_empty(), "block at line {} has rules", b.line);
    }
}

#[test]
fn rules_warn_blocks_warn_without_errors() {
    let blocks: Vec<Block> = fenced_blocks(LANGUAGE_MD)
        .into_iter()
        .filter(|b| b.info.split_whitespace().next() == Some("rules-warn"))
        .collect();
    assert!(!blocks.is_empty(), "the `is N` pitfall is shown");
    for b in blocks {
        let c = check_text(&format!("docs/language.md:{}", b.line), &b.text);
        assert!(!c.has_errors(), "{}", rendered(&c));
        let warnings = codes(&c, Severity::Warning);
        assert!(!warnings.is_empty(), "block at line {} warns", b.line);
        for code in expected_codes(&b.info) {
            assert!(
                warnings.contains(&code),
                "line {}: {code} expected in {warnings:?}",
                b.line
            );
        }
    }
}

#[test]
fn rules_bad_blocks_fail_with_their_code() {
    let blocks: Vec<Block> = fenced_blocks(LANGUAGE_MD)
        .into_iter()
        .filter(|b| b.info.split_whitespace().next() == Some("rules-bad"))
        .collect();
    assert!(blocks.len() >= 3, "the common mistakes are shown");
    for b in blocks {
        let c = check_text(&format!("docs/language.md:{}", b.line), &b.text);
        let errors = codes(&c, Severity::Error);
        assert!(!errors.is_empty(), "block at line {} is refused", b.line);
        let expected = expected_codes(&b.info);
        assert!(
            !expected.is_empty(),
            "line {}: name the expected code after rules-bad",
            b.line
        );
        for code in expected {
            assert!(
                errors.contains(&code),
                "line {}: {code} expected in {errors:?}",
                b.line
            );
        }
    }
}

#[test]
fn every_fence_has_a_known_kind() {
    for b in fenced_blocks(LANGUAGE_MD) {
        let kind = b.info.split_whitespace().next().unwrap_or("");
        assert!(
            matches!(
                kind,
                "rules" | "rules-warn" | "rules-bad" | "text" | "yaml" | "sh"
            ),
            "line {}: fence `{}` — rule examples are fenced as rules, rules-warn or rules-bad",
            b.line,
            b.info
        );
        if kind == "text" {
            // Only syntax outlines may escape the check: they contain `[…]`/`|` notation.
            assert!(
                b.text.contains('[') || b.text.contains('|'),
                "line {}: a `text` block that is not a syntax outline",
                b.line
            );
        }
    }
}

// ------------------------------------------------------------------ table examples

#[test]
fn table_examples_check_without_findings() {
    let mut n = 0;
    for t in tables(LANGUAGE_MD) {
        for (col, wrap) in [
            ("example condition", condition_rule as fn(&str) -> String),
            ("example action", action_rule),
        ] {
            let Some(i) = t.header.iter().position(|h| h == col) else {
                continue;
            };
            for row in &t.rows {
                let examples = code_spans(&row[i]);
                assert_eq!(examples.len(), 1, "one example per row: {row:?}");
                let src = wrap(&examples[0]);
                let c = check_text("example", &src);
                assert!(
                    c.diagnostics.is_empty(),
                    "`{}`:\n{}",
                    examples[0],
                    rendered(&c)
                );
                n += 1;
            }
        }
    }
    assert!(n >= 60, "expected the table examples, found {n}");
}

// ------------------------------------------------------------------ fields and operators

/// The operators the checker accepts for `field` (no `invalid-operator`), found by
/// checking `FIELD OP VALUE` for every operator of the language.
fn accepted_operators(field: &str) -> BTreeSet<&'static str> {
    let mut ok = BTreeSet::new();
    for op in OPERATORS {
        let value = match *op {
            "changed" | "not changed" | "present" | "not present" => "",
            "matches" => " /x/",
            _ => " x",
        };
        let c = check_text("op", &condition_rule(&format!("{field} {op}{value}")));
        let all = codes(&c, Severity::Error);
        assert!(
            !all.contains(&"syntax"),
            "`{field} {op}` parses: {}",
            rendered(&c)
        );
        if !all.contains(&"invalid-operator") {
            ok.insert(*op);
        }
    }
    ok
}

#[test]
fn fields_table_lists_exactly_the_operators_the_checker_accepts() {
    let table = tables(LANGUAGE_MD)
        .into_iter()
        .find(|t| t.header.first().map(String::as_str) == Some("field"))
        .expect("the fields table");
    let ops_col = table
        .header
        .iter()
        .position(|h| h == "operators")
        .expect("an operators column");
    let mut exceptions_used = 0;
    for row in &table.rows {
        let field = code_spans(&row[0]).remove(0).replace("\"NAME\"", "\"x\"");
        let documented: BTreeSet<&str> = code_spans(&row[ops_col])
            .iter()
            .filter_map(|c| OPERATORS.iter().copied().find(|o| o == c))
            .collect();
        let accepted = accepted_operators(&field);
        for op in &documented {
            assert!(
                accepted.contains(op),
                "the doc offers `{field} {op}`, the checker refuses it"
            );
        }
        for op in &accepted {
            if documented.contains(op) {
                continue;
            }
            let known = ACCEPTED_BUT_UNDOCUMENTED
                .iter()
                .any(|(f, o, _)| *f == field && o == op);
            assert!(
                known,
                "the checker accepts `{field} {op}`, the doc does not list it"
            );
            exceptions_used += 1;
        }
    }
    assert_eq!(
        exceptions_used,
        ACCEPTED_BUT_UNDOCUMENTED.len(),
        "an exception in ACCEPTED_BUT_UNDOCUMENTED is no longer accepted: remove it"
    );
}

#[test]
fn every_deadline_resolves_and_an_unknown_one_does_not() {
    for d in first_column("deadline") {
        let c = check_text("until", &condition_rule(&format!("hours until {d} < 4")));
        assert!(c.diagnostics.is_empty(), "{}", rendered(&c));
    }
    let c = check_text("until", &condition_rule("hours until lunch < 4"));
    assert_eq!(codes(&c, Severity::Error), ["unknown-field"]);
}

// ------------------------------------------------------------------ the grammar

/// The words and operators of the grammar's string literals (`"when"`, `"<="`, …),
/// comments left out.
fn grammar_keywords() -> BTreeSet<String> {
    let lit = Regex::new(r#""((?:[^"\\]|\\.)*)""#).expect("regex");
    let keyword = Regex::new(r"^(?:[a-z][a-z_.]*|[<>=]+)$").expect("regex");
    GRAMMAR
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .flat_map(|l| {
            lit.captures_iter(l)
                .map(|c| c[1].to_string())
                .collect::<Vec<_>>()
        })
        .filter(|w| keyword.is_match(w))
        .collect()
}

#[test]
fn every_grammar_keyword_appears_in_the_doc() {
    let words = grammar_keywords();
    for expected in [
        "trigger",
        "when",
        "redact",
        "business_hours",
        "requester.field",
        "<=",
        "word",
    ] {
        assert!(
            words.contains(expected),
            "extracted {expected} from the grammar: {words:?}"
        );
    }
    // Tokens of the doc's code: inline spans and fenced blocks.
    let token = Regex::new(r"[A-Za-z_][A-Za-z0-9_.]*|[<>=]+").expect("regex");
    let mut code: Vec<String> = prose_lines(LANGUAGE_MD)
        .iter()
        .flat_map(|l| code_spans(l))
        .collect();
    code.extend(fenced_blocks(LANGUAGE_MD).into_iter().map(|b| b.text));
    let tokens: BTreeSet<&str> = code
        .iter()
        .flat_map(|c| token.find_iter(c).map(|m| m.as_str()))
        .collect();
    let missing: Vec<&String> = words
        .iter()
        .filter(|w| !tokens.contains(w.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "grammar keywords not in docs/language.md: {missing:?}"
    );
}

// ------------------------------------------------------------------ dsl.md and links

#[test]
fn dsl_md_examples_check_without_errors() {
    let c = check_text("dsl_examples.rules", DSL_EXAMPLES);
    assert!(!c.has_errors(), "{}", rendered(&c));
    assert_eq!(c.rules.len(), 8, "every rule of dsl.md resolved");
}

#[test]
fn common_mistakes_link_each_code_to_diagnostics_md() {
    let section = LANGUAGE_MD
        .split("## Common mistakes")
        .nth(1)
        .expect("a Common mistakes section");
    let link = Regex::new(r"\[`([a-z-]+)`\]\(diagnostics\.md#([a-z-]+)\)").expect("regex");
    let mut linked = BTreeSet::new();
    for c in link.captures_iter(section) {
        assert_eq!(&c[1], &c[2], "link text and anchor agree");
        linked.insert(c[1].to_string());
    }
    for code in Code::ALL.iter().filter(|c| c.blocks_run()) {
        assert!(linked.contains(code.name()), "{code} is linked");
    }
    for code in [
        "no-conditions",
        "time-condition-in-any",
        "automation-not-nullified",
        "automation-sends-template",
        "unknown-template",
        "template-params",
        "malformed-template-shorthand",
        "send-always-outside-window",
        "fires-on-every-update",
        "exact-hours-may-miss",
        "contradictory-conditions",
        "shadowed-by-earlier-trigger",
    ] {
        assert!(linked.contains(code), "{code} is linked");
    }
    // The codes shown in rules-bad / rules-warn fences are linked too.
    for b in fenced_blocks(LANGUAGE_MD) {
        for code in expected_codes(&b.info) {
            assert!(linked.contains(code), "{code} (line {}) is linked", b.line);
        }
    }
}

/// The workflow in docs/ci.md is valid YAML and runs the two commands the README
/// promises, with the flags CI needs.
#[test]
fn ci_workflow_is_valid_yaml_and_runs_check_and_test() {
    let ci = include_str!("../docs/ci.md");
    let yaml = fenced_blocks(ci)
        .into_iter()
        .find(|b| b.info == "yaml")
        .expect("docs/ci.md has a yaml workflow");
    let wf: serde_json::Value = serde_saphyr::from_str(&yaml.text).expect("valid YAML");
    let steps = wf["jobs"]["validate"]["steps"]
        .as_array()
        .expect("jobs.validate.steps");
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(
        runs.iter().any(|r| r.starts_with("ticket-rules check ")
            && r.contains("--format github")
            && r.contains("--account")),
        "a check step with --format github and --account: {runs:?}"
    );
    assert!(
        runs.iter().any(|r| r.starts_with("ticket-rules test ")),
        "a test step: {runs:?}"
    );
}
