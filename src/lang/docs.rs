//! The documents that list the language, checked against the catalogue: each table of
//! `docs/language.md`, the code sections of `docs/diagnostics.md` and the word lists of
//! `editors/ticket-rules.tmLanguage.json` are generated here from the catalogue and
//! compared with the files. Nothing is copied by hand: after changing the catalogue, run
//!
//! ```text
//! TICKET_RULES_BLESS=1 cargo test --lib lang::docs
//! ```
//!
//! to write the generated tables and lists into the files (then review the diff).

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::actions::{self, ACTIONS};
use super::codes::Code;
use super::fields::FIELDS;
use super::keywords::RULE_KINDS;
use super::operators::{Operator, OPERATOR_DOCS};
use super::placeholders::PLACEHOLDERS;
use super::time::{TimeWord, SINCE, UNTIL};
use super::values::{Ranked, ValueType, CHANNELS, VIA};
use super::Doc;

fn path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// Write the generated text into the files instead of failing.
fn bless() -> bool {
    std::env::var_os("TICKET_RULES_BLESS").is_some()
}

fn code(s: &str) -> String {
    format!("`{s}`")
}

/// A Markdown table in the docs' layout.
fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut out = format!("| {} |\n", header.join(" | "));
    out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
    for r in rows {
        out.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    out
}

/// The table of `md` whose header line is the header of `generated`.
fn find_table<'m>(md: &'m str, generated: &str) -> Option<&'m str> {
    let header = generated.lines().next()?;
    let start = md.find(&format!("\n{header}\n"))? + 1;
    let len: usize = md[start..]
        .split_inclusive('\n')
        .take_while(|l| l.starts_with('|'))
        .map(str::len)
        .sum();
    Some(&md[start..start + len])
}

/// Compares each generated table with the table of `file` that has its header.
fn check_tables(file: &str, tables: &[String]) {
    let mut md = read(file);
    let mut stale = Vec::new();
    for t in tables {
        let header = t.lines().next().unwrap_or("");
        let found = find_table(&md, t).unwrap_or_else(|| panic!("{file}: no table `{header}`"));
        if found != t {
            stale.push(format!(
                "{file}, table `{header}`:\n--- in the file\n{found}--- from the catalogue\n{t}"
            ));
            md = md.replacen(found, t, 1);
        }
    }
    if bless() {
        std::fs::write(path(file), md).unwrap_or_else(|e| panic!("{file}: {e}"));
    } else {
        assert!(
            stale.is_empty(),
            "{}\nrun `TICKET_RULES_BLESS=1 cargo test --lib lang::docs` to regenerate",
            stale.join("\n")
        );
    }
}

// ------------------------------------------------------------------ docs/language.md

fn rule_kinds_table() -> String {
    table(
        &["kind", "runs", "spec"],
        RULE_KINDS
            .iter()
            .map(|k| vec![code(k.keyword), k.runs.into(), k.spec.into()])
            .collect(),
    )
}

/// A table whose rows are a first column and a [`Doc`]: `| first | text | `example` |`.
fn doc_table<'d>(header: [&str; 3], rows: impl Iterator<Item = (String, &'d Doc)>) -> String {
    table(
        &header,
        rows.map(|(first, d)| vec![first, d.text.into(), code(d.example)])
            .collect(),
    )
}

fn operators_table() -> String {
    doc_table(
        ["operator", "meaning", "example condition"],
        OPERATOR_DOCS.iter().map(|o| (o.written.into(), &o.doc)),
    )
}

/// The operators column of a field: the operators it is offered, as code.
fn field_operators(ty: ValueType, changeable: bool) -> String {
    let ops: Vec<String> = ty
        .operators(changeable)
        .into_iter()
        .map(|op| code(op.as_str()))
        .collect();
    let ops = ops.join(", ");
    match ty {
        ValueType::Comment => ops.replacen(
            "`is`, `is not`",
            "`is`, `is not` (with `public` or `private`)",
            1,
        ),
        _ => ops,
    }
}

fn fields_table() -> String {
    table(
        &["field", "type", "operators", "example condition"],
        FIELDS
            .iter()
            .map(|f| {
                vec![
                    code(f.name),
                    f.doc.text.into(),
                    field_operators(f.ty, f.changeable()),
                    code(f.doc.example),
                ]
            })
            .collect(),
    )
}

fn time_table<T>(first: &str, second: &str, words: &[TimeWord<T>]) -> String {
    doc_table(
        [first, second, "example condition"],
        words.iter().map(|w| (code(w.word), &w.doc)),
    )
}

fn actions_table() -> String {
    doc_table(
        ["action", "effect", "example action"],
        ACTIONS.iter().map(|a| (code(a.written), &a.doc)),
    )
}

fn placeholders_table() -> String {
    doc_table(
        ["placeholder", "replaced by", "example action"],
        PLACEHOLDERS
            .iter()
            .map(|p| (code(&format!("{{{{{}}}}}", p.name)), &p.doc)),
    )
}

#[test]
fn language_md_tables_are_the_catalogue() {
    check_tables(
        "docs/language.md",
        &[
            rule_kinds_table(),
            operators_table(),
            fields_table(),
            time_table("anchor", "counts hours since", SINCE),
            time_table("deadline", "counts hours until", UNTIL),
            actions_table(),
            placeholders_table(),
        ],
    );
}

// ------------------------------------------------------------------ docs/diagnostics.md

/// Each code's section starts with its severity and spec (`**error** · dsl.md`), in the
/// order of [`Code::ALL`]; the codes that stop `run` are listed as the codes say.
#[test]
fn diagnostics_md_sections_are_the_codes() {
    let md = read("docs/diagnostics.md");
    let mut sections = Vec::new();
    let lines: Vec<&str> = md.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if let Some(name) = l.strip_prefix("## `").and_then(|l| l.strip_suffix('`')) {
            let first = lines[i + 1..].iter().find(|l| !l.trim().is_empty());
            sections.push((name.to_string(), first.map(|l| l.to_string())));
        }
    }
    let expected: Vec<(String, Option<String>)> = Code::ALL
        .iter()
        .map(|c| {
            let line = format!("**{}** · {}", c.severity().as_str(), c.spec());
            (c.name().to_string(), Some(line))
        })
        .collect();
    assert_eq!(sections, expected);
    let blocking: Vec<String> = Code::ALL
        .iter()
        .filter(|c| c.blocks_run())
        .map(|c| code(c.name()))
        .collect();
    let (last, init) = blocking.split_last().expect("codes stop run");
    let sentence = format!(
        "`run` refuses to replay (exit 2) on {} and {last};",
        init.join(", ")
    );
    let flat = md.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(&sentence),
        "docs/diagnostics.md says: {sentence}"
    );
}

// ------------------------------------------------------------------ the TextMate grammar

const GRAMMAR: &str = "editors/ticket-rules.tmLanguage.json";

/// `words` as a regex alternation, longest first (then alphabetical), dots escaped.
fn longest_first(words: impl IntoIterator<Item = &'static str>) -> String {
    let mut words: Vec<&str> = words
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    words.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    in_order(words)
}

/// `words` as a regex alternation in the given order, dots escaped.
fn in_order(words: impl IntoIterator<Item = &'static str>) -> String {
    words
        .into_iter()
        .map(|w| w.replace('.', "\\."))
        .collect::<Vec<_>>()
        .join("|")
}

const WORD: &str = "(?<![\\w.-])(?:{})(?![\\w.-])";

/// The regexes of the grammar that hold catalogue words: (JSON pointer, the regex).
fn grammar_lists() -> Vec<(&'static str, String)> {
    let fill = |template: &str, alt: String| template.replace("{}", &alt);
    let ty_words = |pred: fn(&ValueType) -> bool| -> Vec<&'static str> {
        FIELDS
            .iter()
            .filter(|f| pred(&f.ty))
            .flat_map(|f| f.ty.words())
            .collect()
    };
    let status = Ranked::Status.names();
    let priority = Ranked::Priority.names();
    // Every other value word, once: the earlier lists (and `true`, `false`) win.
    let earlier: BTreeSet<&str> = status
        .iter()
        .chain(&priority)
        .chain(CHANNELS)
        .chain(&["true", "false"])
        .copied()
        .collect();
    let values: Vec<&'static str> = ty_words(|_| true)
        .into_iter()
        .chain(VIA.iter().copied())
        .filter(|w| !earlier.contains(w))
        .collect();
    let fields = FIELDS.iter().map(|f| f.custom_keyword().unwrap_or(f.name));
    let settable = actions::settable_names().into_iter().chain(["field"]);
    let single_word_ops = Operator::ALL
        .into_iter()
        .map(Operator::as_str)
        .filter(|w| w.chars().all(|c| c.is_ascii_lowercase()));
    vec![
        (
            "/repository/condition-field/match",
            fill(
                "(?:^|(?<=\\{))\\s*(?:(not)\\s+)?({})(?![\\w.-])",
                longest_first(fields),
            ),
        ),
        (
            "/repository/action/patterns/0/match",
            fill(
                "(?<![\\w.-])(set)\\s+({})(?![\\w.-])",
                longest_first(settable),
            ),
        ),
        (
            "/repository/action/patterns/1/match",
            fill(
                "(?<![\\w.-])(notify)\\s+({})(?![\\w.-])",
                in_order(actions::notify_targets()),
            ),
        ),
        (
            "/repository/constant/patterns/1/match",
            fill(WORD, longest_first(status.clone())),
        ),
        (
            "/repository/constant/patterns/2/match",
            fill(WORD, longest_first(priority.clone())),
        ),
        (
            "/repository/constant/patterns/3/match",
            fill(WORD, longest_first(CHANNELS.iter().copied())),
        ),
        (
            "/repository/constant/patterns/4/match",
            fill(WORD, longest_first(values)),
        ),
        (
            "/repository/operator/patterns/1/match",
            fill(WORD, longest_first(single_word_ops)),
        ),
        (
            "/repository/rule-header/match",
            fill(
                "^\\x{FEFF}?\\s*({})(?![\\w.-])(?:\\s*(\"(?:[^\"\\\\]|\\\\.)*\"))?",
                in_order(RULE_KINDS.iter().map(|k| k.keyword)),
            ),
        ),
    ]
}

#[test]
fn editor_grammar_word_lists_are_the_catalogue() {
    let mut text = read(GRAMMAR);
    let json: serde_json::Value = serde_json::from_str(&text).expect("the grammar is JSON");
    let mut stale = Vec::new();
    for (pointer, want) in grammar_lists() {
        let have = json
            .pointer(pointer)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_else(|| panic!("{GRAMMAR}: no string at {pointer}"));
        if have != want {
            stale.push(format!(
                "{pointer}:\n  in the file: {have}\n  catalogue:   {want}"
            ));
            let quote = |s: &str| serde_json::to_string(s).expect("a string");
            text = text.replacen(&quote(have), &quote(&want), 1);
        }
    }
    if bless() {
        std::fs::write(path(GRAMMAR), text).expect("write the grammar");
    } else {
        assert!(
            stale.is_empty(),
            "{}\nrun `TICKET_RULES_BLESS=1 cargo test --lib lang::docs` to regenerate",
            stale.join("\n")
        );
    }
}

/// The multi-word operators are one token, whatever blanks stand between their words.
#[test]
fn editor_grammar_reads_every_multi_word_operator() {
    let json: serde_json::Value = serde_json::from_str(&read(GRAMMAR)).expect("JSON");
    let re = json
        .pointer("/repository/operator/patterns/0/match")
        .and_then(serde_json::Value::as_str)
        .expect("the multi-word operator pattern");
    let re = fancy_regex::Regex::new(re).expect("it compiles");
    for op in Operator::ALL
        .into_iter()
        .map(Operator::as_str)
        .filter(|o| o.contains(' '))
    {
        for text in [op.to_string(), op.replace(' ', " \t ")] {
            let m = re.find(&text).ok().flatten().map(|m| m.as_str());
            assert_eq!(m, Some(text.as_str()), "{op}");
        }
    }
}
