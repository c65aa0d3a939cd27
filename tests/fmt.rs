//! `ticket_rules::syntax::format` and `ticket-rules fmt` (issue 3).
//!
//! Laws, as property tests over the shipped rule files and `dsl.md` examples with their
//! whitespace perturbed, and over randomly generated rule files:
//! 1. idempotence: `format(format(x)) == format(x)`;
//! 2. the formatted file parses to the same AST as `x`, spans aside;
//! 3. every comment is kept, with its text (trailing blanks trimmed), in order, between
//!    the same two code tokens, and a trailing comment stays trailing;
//! 4. the layout does not depend on the input's spacing: perturbing `x`'s whitespace
//!    changes `format(x)` at most in blank lines between top-level comments.
//!
//! Snapshots (insta) of the formatted shipped rules and of a messy file; targeted tests
//! of each layout decision; end-to-end tests of the command's exit statuses.

use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use ticket_rules::diagnostic::{render, SourceFile};
use ticket_rules::syntax::ast::RuleFile;
use ticket_rules::syntax::{format, parse};

const BIN: &str = env!("CARGO_BIN_EXE_ticket-rules");

const DSL_EXAMPLES: &str = include_str!("cases/dsl_examples.rules");
const MESSY: &str = include_str!("cases/fmt/messy.rules");
const ROUTING: &str = include_str!("../rules/examples/10-routing.rules");
const WHATSAPP: &str = include_str!("../rules/examples/20-whatsapp.rules");
const NOTIFICATIONS: &str = include_str!("../rules/examples/30-notifications.rules");
const AUTOMATIONS: &str = include_str!("../rules/examples/90-automations.rules");
const CREDIT_CARDS: &str = include_str!("../rules/default/credit_cards.rules");

/// Every shipped or spec rule file, plus the messy test file.
const CORPUS: [&str; 7] = [
    DSL_EXAMPLES,
    MESSY,
    ROUTING,
    WHATSAPP,
    NOTIFICATIONS,
    AUTOMATIONS,
    CREDIT_CARDS,
];

// ------------------------------------------------------------------------- helpers

fn rendered(diags: &[ticket_rules::diagnostic::Diagnostic], src: &str) -> String {
    render::human(diags, &SourceFile::new("input.rules", src))
}

/// Formats text that must be valid; fails the test with the diagnostics if not.
fn fmt(src: &str) -> String {
    match format(src) {
        Ok(out) => out,
        Err(diags) => panic!("{}\n{src}", rendered(&diags, src)),
    }
}

/// The rules of a file as a string with every span erased: two files with the same
/// meaning and different layout give the same string.
fn erase_spans(file: &RuleFile) -> String {
    let debug = format!("{:#?}", file.rules);
    let span = regex::Regex::new(r"Span \{\s*start: \d+,\s*end: \d+,?\s*\}").expect("regex");
    span.replace_all(&debug, "Span").into_owned()
}

/// Comment texts in order, trailing blanks trimmed (the formatter trims them).
fn comment_texts(file: &RuleFile) -> Vec<String> {
    file.comments
        .iter()
        .map(|c| c.text.trim_end_matches([' ', '\t']).to_string())
        .collect()
}

/// Checks laws 1–3 on `src` (which must parse) and the shape of the output; returns
/// the formatted text.
fn check_laws(src: &str) -> Result<String, TestCaseError> {
    let (original, diags) = parse(src);
    prop_assert!(
        diags.is_empty(),
        "the input does not parse:\n{}\n--- input\n{}",
        rendered(&diags, src),
        src
    );
    let once = match format(src) {
        Ok(o) => o,
        Err(d) => return Err(TestCaseError::fail(rendered(&d, src))),
    };
    let (after, diags) = parse(&once);
    prop_assert!(
        diags.is_empty(),
        "the formatted text does not parse:\n{}\n--- formatted\n{}",
        rendered(&diags, &once),
        once
    );
    prop_assert_eq!(
        erase_spans(&original),
        erase_spans(&after),
        "the AST changed\n--- input\n{}\n--- formatted\n{}",
        src,
        once
    );
    prop_assert_eq!(comment_texts(&original), comment_texts(&after));
    prop_assert_eq!(
        comment_places(src),
        comment_places(&once),
        "a comment moved\n--- input\n{}\n--- formatted\n{}",
        src,
        once
    );
    let twice = match format(&once) {
        Ok(o) => o,
        Err(d) => return Err(TestCaseError::fail(rendered(&d, &once))),
    };
    prop_assert_eq!(&twice, &once, "not idempotent\n--- input\n{}", src);
    // The shape of any canonical file.
    prop_assert!(once.is_empty() || once.ends_with('\n') && !once.ends_with("\n\n"));
    prop_assert!(!once.starts_with('\n'));
    prop_assert!(!once.contains('\r'));
    prop_assert!(
        !once.contains("\n\n\n"),
        "two blank lines in a row:\n{}",
        once
    );
    for line in once.lines() {
        prop_assert!(
            !line.ends_with([' ', '\t']),
            "trailing blanks on {:?}",
            line
        );
        let indent = line.len() - line.trim_start_matches(' ').len();
        prop_assert!(indent % 2 == 0 && indent <= 4, "indent of {:?}", line);
        prop_assert!(
            !line.trim_start_matches(' ').starts_with('\t'),
            "tab indent {:?}",
            line
        );
    }
    Ok(once)
}

/// Where each comment is: how many code tokens come before it (commas and `redact`
/// options aside, since the formatter may add, drop or reorder those), whether code
/// precedes it on its line, and its text without trailing blanks. Equal for input and
/// output when every comment stayed in place.
fn comment_places(src: &str) -> Vec<(usize, bool, String)> {
    let mut count = 0;
    let mut out = Vec::new();
    for line in split_lines(src) {
        let mut code_on_line = false;
        for (kind, text) in tokens(line) {
            match kind {
                Tok::Comment => out.push((
                    count,
                    code_on_line,
                    text.trim_end_matches([' ', '\t']).to_string(),
                )),
                Tok::Other if text == "\u{FEFF}" => {}
                Tok::Punct if text == "," => code_on_line = true,
                Tok::Wordy if text == "groupings" || text == "word_boundaries" => {
                    code_on_line = true
                }
                _ => {
                    count += 1;
                    code_on_line = true;
                }
            }
        }
    }
    out
}

/// Lines split at `\r\n`, `\n` or `\r` (the language's line breaks).
fn split_lines(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(['\n', '\r']) {
        out.push(&rest[..i]);
        let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
        rest = &rest[i + skip..];
    }
    out.push(rest);
    out
}

fn without_blank_lines(s: &str) -> String {
    s.lines()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

// ----------------------------------------------------------- whitespace perturbation

/// A small deterministic generator (xorshift64*), driven by a proptest seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, in_: u64) -> bool {
        self.below(in_) == 0
    }
    /// A run of 1..=max blanks, spaces or tabs.
    fn blanks(&mut self, min: u64, max: u64) -> String {
        let n = min + self.below(max - min + 1);
        (0..n)
            .map(|_| if self.chance(3) { '\t' } else { ' ' })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    /// Word or number characters `[A-Za-z0-9_.-]`, or a negative number.
    Wordy,
    Str,
    Regex,
    Punct,
    Compare,
    Comment,
    Other,
}

/// Splits one line (no line break) into tokens the way the grammar sees them.
fn tokens(line: &str) -> Vec<(Tok, &str)> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let wordy = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-');
    while i < b.len() {
        let start = i;
        let kind = match b[i] {
            b' ' | b'\t' => {
                i += 1;
                continue;
            }
            b'#' => {
                i = b.len();
                Tok::Comment
            }
            q @ (b'"' | b'/') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
                if q == b'"' {
                    Tok::Str
                } else {
                    Tok::Regex
                }
            }
            c if wordy(c) => {
                while i < b.len() && wordy(b[i]) {
                    i += 1;
                }
                Tok::Wordy
            }
            b'<' | b'>' => {
                i += 1;
                if i < b.len() && b[i] == b'=' {
                    i += 1;
                }
                Tok::Compare
            }
            b'{' | b'}' | b'[' | b']' | b',' => {
                i += 1;
                Tok::Punct
            }
            _ => {
                i += 1;
                while i < b.len() && !line.is_char_boundary(i) {
                    i += 1;
                }
                Tok::Other
            }
        };
        out.push((kind, &line[start..i]));
    }
    out
}

/// Re-spaces one line: random indentation, random blanks between tokens (none where the
/// grammar allows none), random trailing blanks.
fn respace(line: &str, rng: &mut Rng) -> String {
    let toks = tokens(line);
    let mut out = rng.blanks(0, 5);
    for (i, (kind, text)) in toks.iter().enumerate() {
        if i > 0 {
            let prev = toks[i - 1].0;
            let need = prev == Tok::Wordy && *kind == Tok::Wordy;
            out.push_str(&rng.blanks(u64::from(need), 3));
        }
        out.push_str(text);
    }
    if toks.last().is_none_or(|t| t.0 != Tok::Comment) && rng.chance(3) {
        out.push_str(&rng.blanks(1, 3));
    } else if rng.chance(4) {
        out.push_str(&rng.blanks(1, 2));
    }
    out
}

/// Joins `HEAD {` / one item / `}` into `HEAD { item }` when no comment is in the way.
fn collapse_single_item_blocks(lines: Vec<String>, rng: &mut Rng) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        if i + 2 < lines.len() && rng.chance(2) {
            let (head, item, close) = (
                lines[i].trim(),
                lines[i + 1].trim(),
                lines[i + 2].trim_start(),
            );
            let is_head = (head.starts_with("when ") || head.starts_with("then"))
                && head.ends_with('{')
                && !head.contains('#');
            let is_item = !item.is_empty()
                && !item.contains('#')
                && !item.ends_with('{')
                && !item.starts_with('}');
            if is_head && is_item && close.starts_with('}') {
                out.push(format!("{head} {item} {close}"));
                i += 3;
                continue;
            }
        }
        out.push(lines[i].clone());
        i += 1;
    }
    out
}

/// `src` with its whitespace perturbed: blanks between tokens, indentation, trailing
/// blanks, blank lines, CRLF/CR line ends, single-item blocks on one line, a BOM.
fn perturb(src: &str, seed: u64) -> String {
    let mut rng = Rng(seed);
    let lines: Vec<String> = split_lines(src).into_iter().map(str::to_string).collect();
    let lines = collapse_single_item_blocks(lines, &mut rng);
    let mut out = String::new();
    if rng.chance(8) {
        out.push('\u{FEFF}');
    }
    for line in &lines {
        let ends = ["\n", "\n", "\n", "\r\n", "\r"];
        while rng.chance(6) {
            out.push_str(&rng.blanks(0, 2));
            out.push('\n');
        }
        out.push_str(&respace(line, &mut rng));
        out.push_str(ends[rng.below(ends.len() as u64) as usize]);
    }
    out
}

// -------------------------------------------------------------- random rule files

const KEYWORDS: &[&str] = &[
    "trigger",
    "automation",
    "redaction",
    "when",
    "all",
    "any",
    "then",
    "redact",
    "hours",
    "since",
    "until",
    "within",
    "business_hours",
    "business",
    "field",
    "requester.field",
    "organization.field",
    "set",
    "add",
    "remove",
    "tags",
    "note",
    "send",
    "message",
    "template",
    "language",
    "params",
    "notify",
    "requester",
    "assignee",
    "group",
    "webhook",
    "subject",
    "body",
    "keep",
    "first",
    "last",
    "with",
    "not",
    "is",
    "in",
    "includes",
    "excludes",
    "contains",
    "word",
    "matches",
    "changed",
    "to",
    "from",
    "present",
    "groupings",
    "word_boundaries",
];

fn word() -> BoxedStrategy<String> {
    prop_oneof![
        prop::sample::select(vec![
            "open",
            "vip",
            "whatsapp",
            "end_user",
            "true",
            "Billing",
            "a.b-c",
            "_x9",
            "x",
            "en_US",
            "order_followup",
        ])
        .prop_map(String::from),
        "[a-zA-Z_][a-zA-Z0-9_.-]{0,8}"
            .prop_filter("a keyword", |w| !KEYWORDS.contains(&w.as_str())),
    ]
    .boxed()
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn string() -> BoxedStrategy<String> {
    prop::collection::vec(
        prop::sample::select(vec![
            'a', 'Z', ' ', ' ', '"', '\\', '#', '{', '}', '/', 'é', '▇', '\t', '[', ',', '1',
        ]),
        0..10,
    )
    .prop_map(|cs| quote(&cs.into_iter().collect::<String>()))
    .boxed()
}

fn number() -> BoxedStrategy<String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (0..200i64).prop_map(|n| n.to_string()),
        prop::sample::select(vec!["007", "-0", "00", "-12"]).prop_map(String::from),
    ]
    .boxed()
}

fn regex_lit() -> BoxedStrategy<String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a", "(?i)", "\\/", "\\d", "#", "x{2}", "\\\\", " ", "é", "\"", "[a-z]+",
        ]),
        0..6,
    )
    .prop_map(|parts| format!("/{}/", parts.concat()))
    .boxed()
}

fn scalar() -> BoxedStrategy<String> {
    prop_oneof![word(), string(), number()].boxed()
}

fn value() -> BoxedStrategy<String> {
    prop_oneof![
        4 => scalar(),
        1 => regex_lit(),
        1 => prop::collection::vec(scalar(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
        1 => prop::collection::vec(scalar(), 2..4).prop_map(|v| v.join(", ")),
    ]
    .boxed()
}

fn field() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "status",
            "priority",
            "tags",
            "requester.tags",
            "comment",
            "ticket",
            "channel",
            "message.forwarded",
            "update.via",
            "satisfaction",
        ])
        .prop_map(String::from),
        1 => word(),
        1 => string().prop_map(|s| format!("field {s}")),
        1 => string().prop_map(|s| format!("requester.field {s}")),
        1 => string().prop_map(|s| format!("organization.field {s}")),
    ]
    .boxed()
}

fn condition() -> BoxedStrategy<String> {
    let value_op = prop::sample::select(vec![
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
        "changed to",
        "changed from",
    ]);
    let bare_op = prop::sample::select(vec!["changed", "not changed", "present", "not present"]);
    let compare = prop::sample::select(vec!["is", "is not", "<", "<=", ">", ">="]);
    let body = prop_oneof![
        5 => (field(), value_op, value()).prop_map(|(f, o, v)| format!("{f} {o} {v}")),
        2 => (field(), bare_op).prop_map(|(f, o)| format!("{f} {o}")),
        2 => (
            prop::sample::select(vec!["since", "until"]),
            word(),
            compare,
            number(),
            any::<bool>()
        )
            .prop_map(|(d, w, o, n, b)| {
                format!("hours {d} {w} {o} {n}{}", if b { " business" } else { "" })
            }),
        1 => Just("within business_hours".to_string()),
    ];
    (any::<bool>(), body)
        .prop_map(|(neg, b)| if neg { format!("not {b}") } else { b })
        .boxed()
}

fn name() -> BoxedStrategy<String> {
    prop_oneof![word(), string()].boxed()
}

fn tag_list() -> BoxedStrategy<String> {
    (any::<bool>(), prop::collection::vec(name(), 1..4))
        .prop_map(|(bracket, tags)| {
            if bracket {
                format!("[{}]", tags.join(", "))
            } else {
                tags.join(", ")
            }
        })
        .boxed()
}

fn action() -> BoxedStrategy<String> {
    let set_field = prop_oneof![
        prop::sample::select(vec!["status", "priority", "tags", "group", "assignee"])
            .prop_map(String::from),
        word(),
        string().prop_map(|s| format!("field {s}")),
    ];
    let params = prop_oneof![
        Just(String::new()),
        Just(" params []".to_string()),
        prop::collection::vec(string(), 1..3).prop_map(|p| format!(" params [{}]", p.join(", "))),
    ];
    let target = prop_oneof![
        Just("requester".to_string()),
        Just("assignee".to_string()),
        name().prop_map(|n| format!("group {n}")),
        name().prop_map(|n| format!("webhook {n}")),
    ];
    prop_oneof![
        (set_field, value()).prop_map(|(f, v)| format!("set {f} {v}")),
        tag_list().prop_map(|t| format!("add tags {t}")),
        tag_list().prop_map(|t| format!("remove tags {t}")),
        string().prop_map(|s| format!("send message {s}")),
        string().prop_map(|s| format!("add note {s}")),
        (name(), name(), params).prop_map(|(n, l, p)| format!("send template {n} language {l}{p}")),
        (target, prop::option::of(string()), string()).prop_map(|(t, s, b)| {
            let subject = s.map(|s| format!(" subject {s}")).unwrap_or_default();
            format!("notify {t}{subject} body {b}")
        }),
    ]
    .boxed()
}

fn redact_clause() -> BoxedStrategy<String> {
    let keep = prop_oneof![
        Just(String::new()),
        (number(), prop::option::of(number())).prop_map(|(f, l)| match l {
            Some(l) => format!(" keep first {f} last {l}"),
            None => format!(" keep first {f}"),
        }),
        number().prop_map(|l| format!(" keep last {l}")),
    ];
    let options = prop::collection::vec(
        (
            prop::sample::select(vec!["groupings", "word_boundaries"]),
            any::<bool>(),
        ),
        0..3,
    )
    .prop_map(|opts| {
        let mut out = String::new();
        for (i, (o, comma)) in opts.iter().enumerate() {
            out.push_str(if i > 0 && *comma { ", " } else { " " });
            out.push_str(o);
        }
        out
    });
    (keep, prop::option::of(string()), options)
        .prop_map(|(k, m, o)| {
            let mask = m.map(|m| format!(" with {m}")).unwrap_or_default();
            format!("redact credit_cards{k}{mask}{o}")
        })
        .boxed()
}

/// A comment's text (after `#`), possibly with trailing blanks.
fn comment() -> BoxedStrategy<String> {
    prop::collection::vec(
        prop::sample::select(vec![
            'a', ' ', '#', '"', '{', '}', 'é', '\t', '/', '`', 'x', '-',
        ]),
        0..12,
    )
    .prop_map(|cs| format!("#{}", cs.into_iter().collect::<String>()))
    .boxed()
}

/// An item (condition, action or redact clause) with its comments.
#[derive(Debug, Clone)]
struct Item {
    before: Vec<String>,
    text: String,
    trailing: Option<String>,
}

fn item(text: BoxedStrategy<String>) -> BoxedStrategy<Item> {
    (
        prop::collection::vec(comment(), 0..2),
        text,
        prop::option::weighted(0.3, comment()),
    )
        .prop_map(|(before, text, trailing)| Item {
            before,
            text,
            trailing,
        })
        .boxed()
}

#[derive(Debug, Clone)]
struct Block {
    head: &'static str,
    head_comment: Option<String>,
    items: Vec<Item>,
    end_comment: Option<String>,
    one_line: bool,
}

fn block(head: &'static str, items: BoxedStrategy<String>) -> BoxedStrategy<Block> {
    (
        prop::option::weighted(0.2, comment()),
        prop::collection::vec(item(items), 0..4),
        prop::option::weighted(0.2, comment()),
        any::<bool>(),
    )
        .prop_map(move |(head_comment, items, end_comment, one_line)| Block {
            head,
            head_comment,
            items,
            end_comment,
            one_line,
        })
        .boxed()
}

fn push_item(out: &mut Vec<String>, indent: &str, it: &Item) {
    for c in &it.before {
        out.push(format!("{indent}{c}"));
    }
    match &it.trailing {
        Some(c) => out.push(format!("{indent}{} {c}", it.text)),
        None => out.push(format!("{indent}{}", it.text)),
    }
}

fn push_block(out: &mut Vec<String>, b: &Block) {
    let single = b.items.len() == 1
        && b.items[0].before.is_empty()
        && b.items[0].trailing.is_none()
        && b.head_comment.is_none()
        && b.end_comment.is_none();
    if single && b.one_line {
        out.push(format!("  {} {{ {} }}", b.head, b.items[0].text));
        return;
    }
    match &b.head_comment {
        Some(c) => out.push(format!("  {} {{ {c}", b.head)),
        None => out.push(format!("  {} {{", b.head)),
    }
    for it in &b.items {
        push_item(out, "    ", it);
    }
    if let Some(c) = &b.end_comment {
        out.push(format!("    {c}"));
    }
    out.push("  }".to_string());
}

#[derive(Debug, Clone)]
enum Clause {
    Block(Block),
    Redact(Item),
}

fn rule() -> BoxedStrategy<Vec<String>> {
    let kind = prop::sample::select(vec!["trigger", "automation", "redaction"]);
    (
        kind,
        string(),
        prop::option::of(block("when all", condition())),
        prop::option::of(block("when any", condition())),
        any::<bool>(),
        item(redact_clause()),
        0..3usize,
        prop::option::weighted(0.9, block("then", action())),
        prop::option::weighted(0.2, comment()),
        prop::option::weighted(0.2, comment()),
    )
        .prop_map(
            |(kind, title, all, any, any_first, redact, redact_at, then, head_c, end_c)| {
                let mut clauses: Vec<Clause> = Vec::new();
                clauses.extend(all.map(Clause::Block));
                let at = if any_first { 0 } else { clauses.len() };
                if let Some(b) = any {
                    clauses.insert(at, Clause::Block(b));
                }
                if kind == "redaction" {
                    let at = redact_at.min(clauses.len());
                    clauses.insert(at, Clause::Redact(redact));
                }
                clauses.extend(then.map(Clause::Block));
                let mut out = Vec::new();
                match head_c {
                    Some(c) => out.push(format!("{kind} {title} {{ {c}")),
                    None => out.push(format!("{kind} {title} {{")),
                }
                for c in &clauses {
                    match c {
                        Clause::Block(b) => push_block(&mut out, b),
                        Clause::Redact(it) => push_item(&mut out, "  ", it),
                    }
                }
                if let Some(c) = end_c {
                    out.push(format!("  {c}"));
                }
                out.push("}".to_string());
                out
            },
        )
        .boxed()
}

/// A whole file: rules and top-level comments, with 0–2 blank lines between chunks.
fn rule_file() -> BoxedStrategy<String> {
    let chunk = prop_oneof![
        3 => rule(),
        1 => prop::collection::vec(comment(), 1..3),
    ];
    prop::collection::vec((chunk, 0..3usize, any::<bool>()), 0..5)
        .prop_map(|chunks| {
            let mut out = String::new();
            for (lines, blanks, trailing_after_close) in chunks {
                for _ in 0..blanks {
                    out.push('\n');
                }
                for (i, l) in lines.iter().enumerate() {
                    out.push_str(l);
                    if i + 1 == lines.len() && l == "}" && trailing_after_close {
                        out.push_str(" # after the rule");
                    }
                    out.push('\n');
                }
            }
            out
        })
        .boxed()
}

// ---------------------------------------------------------------------------- laws

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Laws 1–3 and 4 on the shipped rules, the dsl.md examples and the messy file,
    /// with their whitespace perturbed.
    #[test]
    fn laws_hold_for_perturbed_shipped_rules(which in 0..CORPUS.len(), seed in any::<u64>()) {
        let original = CORPUS[which];
        let messy = perturb(original, seed);
        let formatted = check_laws(&messy)?;
        prop_assert_eq!(
            without_blank_lines(&formatted),
            without_blank_lines(&fmt(original)),
            "layout depends on spacing\n--- perturbed\n{}", messy
        );
    }

    /// Laws 1–3 and 4 on random rule files from the token grammar (and the same files
    /// with their whitespace perturbed).
    #[test]
    fn laws_hold_for_generated_rule_files(src in rule_file(), seed in any::<u64>()) {
        let formatted = check_laws(&src)?;
        let messy = perturb(&src, seed);
        let formatted_messy = check_laws(&messy)?;
        prop_assert_eq!(
            without_blank_lines(&formatted_messy),
            without_blank_lines(&formatted),
            "layout depends on spacing\n--- input\n{}\n--- perturbed\n{}", src, messy
        );
    }
}

#[test]
fn laws_hold_for_every_shipped_file_as_written() {
    for src in CORPUS {
        check_laws(src).unwrap_or_else(|e| panic!("{e}"));
    }
}

// ------------------------------------------------------------------------ snapshots

#[test]
fn snapshot_messy_file() {
    insta::assert_snapshot!("messy", fmt(MESSY));
}

#[test]
fn snapshot_examples_routing() {
    insta::assert_snapshot!("examples_10_routing", fmt(ROUTING));
}

#[test]
fn snapshot_examples_whatsapp() {
    insta::assert_snapshot!("examples_20_whatsapp", fmt(WHATSAPP));
}

#[test]
fn snapshot_examples_notifications() {
    insta::assert_snapshot!("examples_30_notifications", fmt(NOTIFICATIONS));
}

#[test]
fn snapshot_examples_automations() {
    insta::assert_snapshot!("examples_90_automations", fmt(AUTOMATIONS));
}

#[test]
fn snapshot_default_credit_cards() {
    insta::assert_snapshot!("default_credit_cards", fmt(CREDIT_CARDS));
}

/// The shipped files are canonical except for the column of their trailing comments
/// (they align them; the canonical layout puts two spaces before `#`).
#[test]
fn shipped_rules_are_canonical() {
    // The shipped rules are kept formatted (`ticket-rules fmt rules/`); the dsl.md copy
    // lines its trailing comments up in a column, which is the only difference.
    for src in [ROUTING, WHATSAPP, NOTIFICATIONS, AUTOMATIONS, CREDIT_CARDS] {
        assert_eq!(fmt(src), src);
    }
    let squeeze = regex::Regex::new(r"[ ]{2,}#").expect("regex");
    assert_eq!(squeeze.replace_all(DSL_EXAMPLES, "  #"), fmt(DSL_EXAMPLES));
}

// ----------------------------------------------------------------- layout decisions

#[test]
fn single_item_blocks_are_expanded() {
    let out = fmt("trigger \"t\" { when all { ticket is created } then { add tags vip } }\n");
    assert_eq!(
        out,
        "trigger \"t\" {\n  when all {\n    ticket is created\n  }\n  then {\n    add tags vip\n  }\n}\n"
    );
}

#[test]
fn empty_block_is_two_lines() {
    assert_eq!(
        fmt("trigger \"t\" { when all { } }"),
        "trigger \"t\" {\n  when all {\n  }\n}\n"
    );
}

#[test]
fn clause_order_is_kept_any_before_all() {
    let out =
        fmt("trigger \"t\" {\nwhen any { a is b }\nwhen all { c is d }\nthen { add tags x }\n}\n");
    let any = out.find("when any").expect("any");
    let all = out.find("when all").expect("all");
    assert!(any < all, "{out}");
}

#[test]
fn trailing_comments_get_two_spaces() {
    let out = fmt(
        "trigger \"t\" {   # head\n  when all {\n    a is b       # one\n    c is d# two\n  }\n}\n",
    );
    assert_eq!(
        out,
        "trigger \"t\" {  # head\n  when all {\n    a is b  # one\n    c is d  # two\n  }\n}\n"
    );
}

#[test]
fn trailing_comment_after_a_one_line_block_ends_its_closing_brace() {
    let out = fmt("trigger \"t\" {\n  then { add tags x }   # why\n}\n");
    assert_eq!(
        out,
        "trigger \"t\" {\n  then {\n    add tags x\n  }  # why\n}\n"
    );
}

#[test]
fn own_line_comments_take_the_indentation_of_what_follows() {
    let src = "trigger \"t\" {\n# before all\nwhen all {\n        # before a\na is b\n# end of block\n}\n   # end of rule\n}\n";
    assert_eq!(
        fmt(src),
        "trigger \"t\" {\n  # before all\n  when all {\n    # before a\n    a is b\n    # end of block\n  }\n  # end of rule\n}\n"
    );
}

#[test]
fn blank_lines_between_top_level_comments_and_rules_become_one_or_none() {
    let src = "\n\n# header\n\n\n\n# about t\ntrigger \"t\" {\n\n  then { add tags x }\n\n}\n# about u\n\n\ntrigger \"u\" {\n}\n\n\n\n# end\n\n\n";
    assert_eq!(
        fmt(src),
        "# header\n\n# about t\ntrigger \"t\" {\n  then {\n    add tags x\n  }\n}\n\n# about u\n\ntrigger \"u\" {\n}\n\n# end\n"
    );
}

#[test]
fn rules_are_separated_by_exactly_one_blank_line() {
    let out = fmt("trigger \"a\" {\n}\ntrigger \"b\" {\n}\n\n\n\nautomation \"c\" {\n}");
    assert_eq!(
        out,
        "trigger \"a\" {\n}\n\ntrigger \"b\" {\n}\n\nautomation \"c\" {\n}\n"
    );
}

#[test]
fn crlf_bom_and_trailing_blanks_are_normalised() {
    let src =
        "\u{FEFF}# c  \r\ntrigger \"t\" {\r\n  then {\t\r\n    add tags x   \r\n  }\r\n}\r\n\r\n";
    assert_eq!(
        fmt(src),
        "# c\ntrigger \"t\" {\n  then {\n    add tags x\n  }\n}\n"
    );
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n \n\t\r\n"), "");
    assert_eq!(fmt("  # only\n\n\n# comments"), "# only\n\n# comments\n");
}

#[test]
fn the_written_form_of_values_is_kept() {
    let src = "trigger \"t\" {\n  when all {\n    channel is \"whatsapp\"\n    channel is whatsapp\n    status in [open]\n    status in open,pending\n    status in [open,pending]\n    tags includes \"vip\", gold\n    priority >= 007\n    comment matches /a\\/b\\d/\n  }\n  then {\n    add tags [\"vip\"]\n    remove tags a,\"b c\"\n    send template order_followup language \"en_US\" params []\n    send template \"x\" language en\n    notify group Billing body \"b\"\n    notify webhook \"pager\" body \"b\"\n  }\n}\n";
    assert_eq!(
        fmt(src),
        "trigger \"t\" {\n  when all {\n    channel is \"whatsapp\"\n    channel is whatsapp\n    status in [open]\n    status in open, pending\n    status in [open, pending]\n    tags includes \"vip\", gold\n    priority >= 007\n    comment matches /a\\/b\\d/\n  }\n  then {\n    add tags [\"vip\"]\n    remove tags a, \"b c\"\n    send template order_followup language \"en_US\" params []\n    send template \"x\" language en\n    notify group Billing body \"b\"\n    notify webhook \"pager\" body \"b\"\n  }\n}\n"
    );
}

#[test]
fn operators_are_written_with_single_spaces() {
    let src = "trigger \"t\" {\n when all {\n  not  a is\t not b\n  a not   in [b]\n  a contains \t word \"w\"\n  a changed   to b\n  a not\tpresent\n  hours  since solved>=  24   business\n }\n}\n";
    assert_eq!(
        fmt(src),
        "trigger \"t\" {\n  when all {\n    not a is not b\n    a not in [b]\n    a contains word \"w\"\n    a changed to b\n    a not present\n    hours since solved >= 24 business\n  }\n}\n"
    );
}

#[test]
fn strings_are_requoted_with_the_two_escapes() {
    let src = "trigger   \"a \\\"b\\\" \\\\ c\" {\n then { add note \"x\\\\\\\"y\" }\n}\n";
    assert_eq!(
        fmt(src),
        "trigger \"a \\\"b\\\" \\\\ c\" {\n  then {\n    add note \"x\\\\\\\"y\"\n  }\n}\n"
    );
}

#[test]
fn redact_options_are_canonical() {
    let src = "redaction \"r\" {\n redact credit_cards   keep  first 6   last 4 with \"*\"  word_boundaries   groupings\n then { add tags x }\n}\n";
    assert_eq!(
        fmt(src),
        "redaction \"r\" {\n  redact credit_cards keep first 6 last 4 with \"*\" groupings, word_boundaries\n  then {\n    add tags x\n  }\n}\n"
    );
}

#[test]
fn syntax_errors_are_returned_not_formatted() {
    let diags =
        format("trigger \"t\" {\n  when all {\n    status is\n  }\n}\n").expect_err("error");
    assert!(!diags.is_empty());
    assert!(diags.iter().all(|d| d.code == "syntax"), "{diags:?}");
    assert!(format("trigger \"t\" {").is_err());
}

// ------------------------------------------------------------------- the command

/// A fresh, empty directory under the system temp dir.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ticket-rules-fmt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_fmt(cwd: &Path, args: &[&str]) -> Out {
    let out = Command::new(BIN)
        .arg("fmt")
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run ticket-rules");
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read")
}

const UGLY: &str = "trigger \"t\" { when all { ticket is created } then { add tags x } }\n";
const BROKEN: &str = "trigger \"t\" {\n  when all {\n    status is\n  }\n}\n";

/// Names of the files in `dir` (not recursive), sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

#[test]
fn cli_fmt_rewrites_changed_files_and_lists_them() {
    let dir = temp_dir("rewrite");
    let canonical = fmt(UGLY);
    write(&dir.join("rules/a.rules"), UGLY);
    write(&dir.join("rules/b.rules"), &canonical);
    write(&dir.join("rules/sub/c.rules"), MESSY);
    write(&dir.join("rules/notes.txt"), UGLY);
    let out = run_fmt(&dir, &["rules"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout, "rules/a.rules\nrules/sub/c.rules\n");
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    assert_eq!(read(&dir.join("rules/a.rules")), canonical);
    assert_eq!(read(&dir.join("rules/b.rules")), canonical);
    assert_eq!(read(&dir.join("rules/sub/c.rules")), fmt(MESSY));
    assert_eq!(read(&dir.join("rules/notes.txt")), UGLY);
    // No temporary file is left behind.
    assert_eq!(
        entries(&dir.join("rules")),
        ["a.rules", "b.rules", "notes.txt", "sub"]
    );
    assert_eq!(entries(&dir.join("rules/sub")), ["c.rules"]);
    // Now everything is canonical: nothing to list, nothing would change.
    let again = run_fmt(&dir, &["rules"]);
    assert_eq!((again.code, again.stdout.as_str()), (Some(0), ""));
    let check = run_fmt(&dir, &["--check", "rules"]);
    assert_eq!((check.code, check.stdout.as_str()), (Some(0), ""));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_fmt_check_lists_files_exits_5_and_writes_nothing() {
    let dir = temp_dir("check");
    write(&dir.join("a.rules"), UGLY);
    write(&dir.join("b.rules"), &fmt(UGLY));
    let out = run_fmt(&dir, &["--check", "a.rules", "b.rules"]);
    assert_eq!(out.code, Some(5), "{}", out.stderr);
    assert_eq!(out.stdout, "a.rules\n");
    assert_eq!(read(&dir.join("a.rules")), UGLY);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_fmt_defaults_to_the_rules_folder() {
    let dir = temp_dir("default");
    write(&dir.join("rules/x.rules"), UGLY);
    write(&dir.join("other/y.rules"), UGLY);
    let out = run_fmt(&dir, &["--check"]);
    assert_eq!(out.code, Some(5), "{}", out.stderr);
    assert_eq!(out.stdout, "rules/x.rules\n");
    let empty = temp_dir("no-rules");
    let out = run_fmt(&empty, &[]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("rules/"), "{}", out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&empty);
}

#[test]
fn cli_fmt_syntax_error_exits_3_leaves_the_file_and_formats_the_others() {
    let dir = temp_dir("syntax");
    write(&dir.join("rules/1-bad.rules"), BROKEN);
    write(&dir.join("rules/2-good.rules"), UGLY);
    let out = run_fmt(&dir, &[]);
    assert_eq!(out.code, Some(3), "{}", out.stderr);
    assert!(out.stderr.contains("error[syntax]"), "{}", out.stderr);
    assert!(
        out.stderr.contains("rules/1-bad.rules:3:"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "rules/2-good.rules\n");
    assert_eq!(read(&dir.join("rules/1-bad.rules")), BROKEN);
    assert_eq!(read(&dir.join("rules/2-good.rules")), fmt(UGLY));
    // With --check a syntax error still wins over "would change".
    write(&dir.join("rules/2-good.rules"), UGLY);
    let out = run_fmt(&dir, &["--check"]);
    assert_eq!(out.code, Some(3));
    assert_eq!(out.stdout, "rules/2-good.rules\n");
    assert_eq!(read(&dir.join("rules/2-good.rules")), UGLY);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_fmt_missing_path_exits_2_after_formatting_the_rest() {
    let dir = temp_dir("missing");
    write(&dir.join("a.rules"), UGLY);
    let out = run_fmt(&dir, &["nope.rules", "a.rules"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("nope.rules"), "{}", out.stderr);
    assert_eq!(read(&dir.join("a.rules")), fmt(UGLY));
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn cli_fmt_keeps_file_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("perms");
    let file = dir.join("a.rules");
    write(&file, UGLY);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let out = run_fmt(&dir, &["a.rules"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let mode = std::fs::metadata(&file).expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
    let _ = std::fs::remove_dir_all(&dir);
}
