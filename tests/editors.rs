//! The TextMate grammar `editors/ticket-rules.tmLanguage.json` (issue 3, "Editors").
//!
//! TextMate editors (VS Code, Sublime Text, GitHub's linguist, …) run the grammar with
//! Oniguruma regexes. The tests here compile every regex with `fancy-regex` (which, like
//! Oniguruma, has lookarounds) and run the grammar with a small TextMate tokenizer — the
//! TextMate rules simplified: line by line; at each position the pattern whose match
//! starts first wins, ties go to the region's `end` and then to the earlier pattern;
//! `begin`/`end` regions nest; `include` of `#repository` entries and `$self`.
//!
//! The ground truth comes from the real parser (`ticket_rules::syntax::parse`): its
//! comment spans, rule, block and redact spans, field and operator spans. So a file the
//! parser reads one way and the grammar colours another way fails here.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use fancy_regex::Regex;
use serde_json::Value;
use ticket_rules::syntax::ast::{ConditionKind, FieldRef, RuleFile};
use ticket_rules::syntax::parse;

const GRAMMAR_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/editors/ticket-rules.tmLanguage.json"
);
const DSL_EXAMPLES: &str = include_str!("cases/dsl_examples.rules");
/// The language's tables (generated from the language catalogue and checked against it
/// by the tests of `src/lang/docs.rs`): the names every editor must highlight.
const LANGUAGE_MD: &str = include_str!("../docs/language.md");

// ------------------------------------------------------------------ the mini TextMate

/// One compiled grammar rule.
#[derive(Debug)]
enum GRule {
    /// `{"match": …}` with an optional scope name and capture scopes.
    Match {
        re: Regex,
        name: Option<String>,
        captures: Vec<(usize, String)>,
    },
    /// `{"begin": …, "end": …}`: a region with its own patterns.
    Region {
        begin: Regex,
        end: Regex,
        name: Option<String>,
        content_name: Option<String>,
        begin_captures: Vec<(usize, String)>,
        end_captures: Vec<(usize, String)>,
        patterns: Vec<usize>,
    },
    /// `{"patterns": […]}` without match/begin: a group of other rules.
    Group(Vec<usize>),
}

/// A grammar compiled for the tokenizer: rules by index, includes resolved.
struct Grammar {
    rules: Vec<GRule>,
    top: Vec<usize>,
}

/// A run of text with its scope stack (outermost first, without the root scope).
#[derive(Debug, Clone, PartialEq)]
struct Token {
    start: usize,
    end: usize,
    scopes: Vec<String>,
}

impl Token {
    fn has(&self, prefix: &str) -> bool {
        self.scopes
            .iter()
            .flat_map(|s| s.split(' '))
            .any(|s| s.starts_with(prefix))
    }
}

fn compile_regex(src: &str, where_: &str) -> Regex {
    Regex::new(src).unwrap_or_else(|e| panic!("{where_}: regex {src:?} does not compile: {e}"))
}

fn captures_of(v: &Value, key: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    if let Some(obj) = v.get(key).and_then(Value::as_object) {
        for (k, c) in obj {
            let idx: usize = k.parse().expect("capture keys are numbers");
            let name = c
                .get("name")
                .and_then(Value::as_str)
                .expect("each capture has a name")
                .to_string();
            out.push((idx, name));
        }
    }
    out.sort();
    out
}

impl Grammar {
    fn load(json: &Value) -> Grammar {
        let mut g = Grammar {
            rules: Vec::new(),
            top: Vec::new(),
        };
        let repo = json
            .get("repository")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut named: HashMap<String, usize> = HashMap::new();
        // First pass: give every repository entry an index, so includes can be cyclic.
        for key in repo.keys() {
            named.insert(key.clone(), g.rules.len());
            g.rules.push(GRule::Group(Vec::new()));
        }
        for (key, v) in &repo {
            let idx = named[key];
            g.rules[idx] = g.compile(v, &named, &format!("repository.{key}"));
        }
        let top = json["patterns"].as_array().expect("top-level patterns");
        g.top = top
            .iter()
            .enumerate()
            .map(|(i, p)| g.add(p, &named, &format!("patterns[{i}]")))
            .collect();
        g
    }

    fn add(&mut self, v: &Value, named: &HashMap<String, usize>, path: &str) -> usize {
        if let Some(inc) = v.get("include").and_then(Value::as_str) {
            let key = inc
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("{path}: only #repository includes are used, got {inc}"));
            return *named
                .get(key)
                .unwrap_or_else(|| panic!("{path}: include {inc} names no repository entry"));
        }
        let r = self.compile(v, named, path);
        self.rules.push(r);
        self.rules.len() - 1
    }

    fn compile(&mut self, v: &Value, named: &HashMap<String, usize>, path: &str) -> GRule {
        let name = v.get("name").and_then(Value::as_str).map(str::to_string);
        let patterns: Vec<usize> = v
            .get("patterns")
            .and_then(Value::as_array)
            .map(|ps| {
                ps.iter()
                    .enumerate()
                    .map(|(i, p)| self.add(p, named, &format!("{path}.patterns[{i}]")))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(m) = v.get("match").and_then(Value::as_str) {
            GRule::Match {
                re: compile_regex(m, &format!("{path}.match")),
                name,
                captures: captures_of(v, "captures"),
            }
        } else if let Some(b) = v.get("begin").and_then(Value::as_str) {
            let e = v
                .get("end")
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{path}: begin without end"));
            let mut begin_captures = captures_of(v, "beginCaptures");
            let mut end_captures = captures_of(v, "endCaptures");
            if begin_captures.is_empty() {
                begin_captures = captures_of(v, "captures");
            }
            if end_captures.is_empty() {
                end_captures = captures_of(v, "captures");
            }
            GRule::Region {
                begin: compile_regex(b, &format!("{path}.begin")),
                end: compile_regex(e, &format!("{path}.end")),
                name,
                content_name: v
                    .get("contentName")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                begin_captures,
                end_captures,
                patterns,
            }
        } else {
            assert!(
                !patterns.is_empty(),
                "{path}: a rule needs match, begin/end or patterns"
            );
            GRule::Group(patterns)
        }
    }

    /// The match rules and region rules reachable from `ids`, groups flattened, in order.
    fn flatten(&self, ids: &[usize], out: &mut Vec<usize>, depth: usize) {
        assert!(depth < 32, "include cycle");
        for &id in ids {
            match &self.rules[id] {
                GRule::Group(inner) => self.flatten(inner, out, depth + 1),
                _ => out.push(id),
            }
        }
    }

    /// Tokenizes a whole text, line by line, carrying open regions across lines.
    fn tokenize(&self, text: &str) -> Vec<Token> {
        let mut stack: Vec<(usize, Vec<String>)> = Vec::new();
        let mut tokens = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let body = line.strip_suffix('\n').unwrap_or(line);
            let body = body.strip_suffix('\r').unwrap_or(body);
            self.tokenize_line(body, offset, &mut stack, &mut tokens);
            offset += line.len();
        }
        tokens
    }

    fn tokenize_line(
        &self,
        line: &str,
        offset: usize,
        stack: &mut Vec<(usize, Vec<String>)>,
        out: &mut Vec<Token>,
    ) {
        let mut pos = 0;
        let mut steps = 0;
        loop {
            steps += 1;
            assert!(steps < 10_000, "tokenizer does not advance on {line:?}");
            let scopes: Vec<String> = stack.last().map(|s| s.1.clone()).unwrap_or_default();
            // Candidates: the open region's end first (it wins ties), then its patterns.
            let mut ids = Vec::new();
            let end_re = match stack.last() {
                Some((rid, _)) => match &self.rules[*rid] {
                    GRule::Region { end, patterns, .. } => {
                        self.flatten(patterns, &mut ids, 0);
                        Some(end)
                    }
                    _ => unreachable!("only regions are pushed"),
                },
                None => {
                    self.flatten(&self.top, &mut ids, 0);
                    None
                }
            };
            let mut best: Option<(usize, Option<usize>, fancy_regex::Captures<str>)> = None;
            if let Some(re) = end_re {
                if let Some(c) = re.captures_from_pos(line, pos).expect("regex runs") {
                    best = Some((c.get(0).unwrap().start(), None, c));
                }
            }
            for &id in &ids {
                let re = match &self.rules[id] {
                    GRule::Match { re, .. } => re,
                    GRule::Region { begin, .. } => begin,
                    GRule::Group(_) => unreachable!(),
                };
                if let Some(c) = re.captures_from_pos(line, pos).expect("regex runs") {
                    let m = c.get(0).unwrap();
                    // A zero-width match of a pattern makes no progress: TextMate skips it.
                    if m.start() == m.end() {
                        continue;
                    }
                    if best.as_ref().is_none_or(|b| m.start() < b.0) {
                        best = Some((m.start(), Some(id), c));
                    }
                }
            }
            let Some((start, id, caps)) = best else {
                push(out, offset, pos, line.len(), &scopes);
                return;
            };
            push(out, offset, pos, start, &scopes);
            let m = caps.get(0).unwrap();
            match id {
                None => {
                    let (rid, _) = stack.pop().expect("an end needs an open region");
                    let GRule::Region {
                        end_captures, name, ..
                    } = &self.rules[rid]
                    else {
                        unreachable!()
                    };
                    // The end delimiter carries the region's name, not its contentName.
                    let mut s: Vec<String> = stack.last().map(|s| s.1.clone()).unwrap_or_default();
                    s.extend(name.clone());
                    emit_captures(out, offset, &caps, end_captures, &s);
                    // A zero-width end (`$`) still makes progress: the region is closed.
                    pos = m.end();
                }
                Some(id) => match &self.rules[id] {
                    GRule::Match { name, captures, .. } => {
                        let mut s = scopes.clone();
                        s.extend(name.clone());
                        emit_captures(out, offset, &caps, captures, &s);
                        pos = m.end();
                    }
                    GRule::Region {
                        name,
                        content_name,
                        begin_captures,
                        ..
                    } => {
                        let mut s = scopes.clone();
                        s.extend(name.clone());
                        emit_captures(out, offset, &caps, begin_captures, &s);
                        let mut inner = s.clone();
                        inner.extend(content_name.clone());
                        stack.push((id, inner));
                        pos = m.end();
                    }
                    GRule::Group(_) => unreachable!(),
                },
            }
        }
    }
}

fn push(out: &mut Vec<Token>, offset: usize, start: usize, end: usize, scopes: &[String]) {
    if start < end {
        out.push(Token {
            start: offset + start,
            end: offset + end,
            scopes: scopes.to_vec(),
        });
    }
}

/// Emits a match as tokens: capture groups with their scopes on top of `scopes`, the
/// text between them with `scopes` alone. Nested captures are not used by the grammar.
fn emit_captures(
    out: &mut Vec<Token>,
    offset: usize,
    caps: &fancy_regex::Captures<str>,
    names: &[(usize, String)],
    scopes: &[String],
) {
    let m = caps.get(0).unwrap();
    let mut whole: Option<&String> = None;
    let mut parts: Vec<(usize, usize, &String)> = Vec::new();
    for (i, n) in names {
        if *i == 0 {
            whole = Some(n);
        } else if let Some(c) = caps.get(*i) {
            if c.start() < c.end() {
                parts.push((c.start(), c.end(), n));
            }
        }
    }
    parts.sort();
    let mut base = scopes.to_vec();
    base.extend(whole.cloned());
    let mut pos = m.start();
    for (s, e, n) in parts {
        assert!(s >= pos, "nested or overlapping captures are not supported");
        push(out, offset, pos, s, &base);
        let mut sc = base.clone();
        sc.push(n.clone());
        push(out, offset, s, e, &sc);
        pos = e;
    }
    push(out, offset, pos, m.end(), &base);
}

// ------------------------------------------------------------------ helpers

fn grammar_json() -> Value {
    let text = fs::read_to_string(GRAMMAR_PATH).expect("the grammar file exists");
    serde_json::from_str(&text).expect("the grammar is valid JSON")
}

fn grammar() -> Grammar {
    Grammar::load(&grammar_json())
}

/// The first cell of each row of the `docs/language.md` table whose header starts with
/// `| {first} |`, without its backticks.
fn doc_names(first: &str) -> Vec<String> {
    let header = format!("| {first} |");
    let start = LANGUAGE_MD
        .find(&format!("\n{header}"))
        .unwrap_or_else(|| panic!("docs/language.md has a table `{header}`"));
    LANGUAGE_MD[start + 1..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cell = l.trim_start_matches('|').split(" | ").next().unwrap_or("");
            cell.trim().trim_matches('`').to_string()
        })
        .collect()
}

/// Every rule file the grammar is tested on: `rules/examples/*.rules`, the default rule
/// and the dsl.md examples.
fn sample_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["rules/examples", "rules/default"] {
        let mut paths: Vec<_> = fs::read_dir(root.join(dir))
            .expect("rules folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "rules"))
            .collect();
        paths.sort();
        for p in paths {
            let text = fs::read_to_string(&p).expect("readable rule file");
            files.push((p.display().to_string(), text));
        }
    }
    assert!(files.len() >= 4, "expected the example rule files");
    files.push(("dsl_examples.rules".into(), DSL_EXAMPLES.to_string()));
    files
}

/// The tokens that overlap `start..end`.
fn covering(tokens: &[Token], start: usize, end: usize) -> Vec<&Token> {
    tokens
        .iter()
        .filter(|t| t.start < end && start < t.end)
        .collect()
}

/// Asserts every byte of `start..end` lies in tokens with a scope starting with `prefix`.
fn assert_scoped(file: &str, src: &str, tokens: &[Token], start: usize, end: usize, prefix: &str) {
    let toks = covering(tokens, start, end);
    let covered: usize = toks
        .iter()
        .map(|t| t.end.min(end) - t.start.max(start))
        .sum();
    assert_eq!(
        covered,
        end - start,
        "{file}: `{}` at {start} is not fully tokenized",
        &src[start..end]
    );
    for t in toks {
        assert!(
            t.has(prefix),
            "{file}: `{}` (in `{}`) should be scoped {prefix}*, got {:?}",
            &src[t.start.max(start)..t.end.min(end)],
            &src[start..end],
            t.scopes
        );
    }
}

/// String and regex literal spans, found by a reference scan that skips the parser's
/// comment spans: `"…"` with `\"`/`\\` escapes, `/…/` with `\/`.
/// Byte ranges `start..end` of literals.
type Spans = Vec<(usize, usize)>;

fn literal_spans(src: &str, file: &RuleFile) -> (Spans, Spans) {
    let mut strings = Vec::new();
    let mut regexes = Vec::new();
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(c) = file.comments.iter().find(|c| c.span.start == i) {
            i = c.span.end;
            continue;
        }
        let quote = bytes[i];
        if quote == b'"' || quote == b'/' {
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            let span = (start, (i + 1).min(bytes.len()));
            if quote == b'"' {
                strings.push(span);
            } else {
                regexes.push(span);
            }
        }
        i += 1;
    }
    (strings, regexes)
}

// ------------------------------------------------------------------ tests

#[test]
fn grammar_is_valid_json_with_the_required_keys() {
    let g = grammar_json();
    assert_eq!(g["scopeName"], "source.ticket-rules");
    assert_eq!(g["name"], "ticket-rules");
    assert_eq!(g["fileTypes"], serde_json::json!(["rules"]));
    assert!(g["patterns"].as_array().is_some_and(|p| !p.is_empty()));
    assert!(g["repository"].as_object().is_some_and(|r| !r.is_empty()));
}

/// Walks the JSON and compiles every `match`, `begin` and `end` regex; every scope name
/// ends with the language suffix, so themes and other grammars can tell ours apart.
#[test]
fn every_regex_compiles_and_every_scope_is_suffixed() {
    fn walk(v: &Value, path: &str, n: &mut usize) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    let p = format!("{path}.{k}");
                    if matches!(k.as_str(), "match" | "begin" | "end") {
                        let src = x.as_str().unwrap_or_else(|| panic!("{p} is a string"));
                        compile_regex(src, &p);
                        *n += 1;
                    } else if k == "name" || k == "contentName" {
                        for scope in x.as_str().unwrap_or("").split(' ') {
                            assert!(
                                scope.ends_with(".ticket-rules") || path.is_empty(),
                                "{p}: scope {scope} lacks the .ticket-rules suffix"
                            );
                        }
                    } else {
                        walk(x, &p, n);
                    }
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, &format!("{path}[{i}]"), n);
                }
            }
            _ => {}
        }
    }
    let mut n = 0;
    walk(&grammar_json(), "", &mut n);
    assert!(n >= 20, "expected the grammar's regexes, found {n}");
    // Loading resolves every include as well.
    let g = grammar();
    assert!(!g.top.is_empty());
}

/// Comments, strings, regexes and rule keywords on every example file, checked against
/// the parser's reading of the same file.
#[test]
fn example_files_are_scoped_like_the_parser_reads_them() {
    let g = grammar();
    for (name, src) in sample_files() {
        let (file, diags) = parse(&src);
        assert!(diags.is_empty(), "{name} parses");
        let tokens = g.tokenize(&src);
        // Tokens tile the text without overlaps.
        for w in tokens.windows(2) {
            assert!(w[0].end <= w[1].start, "{name}: overlapping tokens {w:?}");
        }
        assert!(!file.comments.is_empty(), "{name} has comments");
        for c in &file.comments {
            assert_scoped(
                &name,
                &src,
                &tokens,
                c.span.start,
                c.span.end,
                "comment.line",
            );
        }
        let (strings, regexes) = literal_spans(&src, &file);
        for &(s, e) in &strings {
            assert_scoped(&name, &src, &tokens, s, e, "string.quoted.double");
        }
        for &(s, e) in &regexes {
            assert_scoped(&name, &src, &tokens, s, e, "string.regexp");
        }
        // Nothing inside a string, regex or comment is a keyword, field or constant.
        let quiet = strings
            .iter()
            .chain(&regexes)
            .copied()
            .chain(file.comments.iter().map(|c| (c.span.start, c.span.end)));
        for (s, e) in quiet {
            for t in covering(&tokens, s, e) {
                assert!(
                    !t.has("keyword.")
                        && !t.has("variable.other.field")
                        && !t.has("constant.language")
                        && !t.has("constant.other")
                        && !t.has("constant.numeric")
                        && !t.has("support.constant"),
                    "{name}: `{}` inside a string or comment is scoped {:?}",
                    &src[t.start..t.end],
                    t.scopes
                );
            }
        }
        // Placeholders inside strings have their own scope.
        for &(s, e) in &strings {
            let text = &src[s..e];
            let mut from = 0;
            while let Some(i) = text[from..].find("{{") {
                let a = s + from + i;
                let Some(j) = src[a..e].find("}}") else { break };
                assert_scoped(
                    &name,
                    &src,
                    &tokens,
                    a,
                    a + j + 2,
                    "variable.other.placeholder",
                );
                from = a + j + 2 - s;
            }
        }
        for rule in &file.rules {
            let kw = rule.kind.keyword();
            let s = rule.span.start;
            assert_eq!(&src[s..s + kw.len()], kw);
            assert_scoped(
                &name,
                &src,
                &tokens,
                s,
                s + kw.len(),
                "keyword.declaration.rule",
            );
            for block in rule.all.iter().chain(&rule.any) {
                let s = block.span.start;
                assert_scoped(&name, &src, &tokens, s, s + 4, "keyword.control.block");
                for c in &block.conditions {
                    match &c.kind {
                        ConditionKind::Field { field, op, .. } => {
                            if matches!(field.node, FieldRef::Named(_)) {
                                let (a, b) = (field.span.start, field.span.end);
                                assert_scoped(&name, &src, &tokens, a, b, "variable.other.field");
                            }
                            let (a, b) = (op.span.start, op.span.end);
                            assert_scoped(&name, &src, &tokens, a, b, "keyword.operator");
                        }
                        ConditionKind::HoursSince { what, op, .. }
                        | ConditionKind::HoursUntil { what, op, .. } => {
                            let (a, b) = (what.span.start, what.span.end);
                            assert_scoped(&name, &src, &tokens, a, b, "support.constant.anchor");
                            let (a, b) = (op.span.start, op.span.end);
                            assert_scoped(&name, &src, &tokens, a, b, "keyword.operator");
                        }
                        ConditionKind::WithinBusinessHours => {}
                    }
                }
            }
            if let Some(then) = &rule.then {
                let s = then.span.start;
                assert_scoped(&name, &src, &tokens, s, s + 4, "keyword.control.block");
                for a in &then.actions {
                    let s = a.span.start;
                    let word = src[s..].split(|c: char| !c.is_ascii_alphabetic()).next();
                    let w = word.unwrap_or("");
                    assert_scoped(&name, &src, &tokens, s, s + w.len(), "keyword.other.action");
                }
            }
            if let Some(r) = &rule.redact {
                let s = r.span.start;
                assert_scoped(&name, &src, &tokens, s, s + 6, "keyword.control.block");
            }
        }
    }
}

/// Keywords in the wrong place are plain text: a tag called `trigger`, a subject
/// mentioning `when all {`, a comment holding a string quote.
#[test]
fn keywords_in_strings_comments_and_values_are_not_keywords() {
    let src = r#"# trigger "not a rule" { when all { status is open } }
trigger "when all { then { }" {
  when all {
    subject contains "trigger # not a comment \" still a string {{ticket.id}}"
    tags includes trigger   # then { add tags x }
    comment matches /a"b#c\/d/
  }
  then {
    add tags trigger, redaction
    add note "send message \"hi\" # {{requester.name}}"
  }
}
"#;
    let (file, diags) = parse(src);
    assert!(diags.is_empty(), "{diags:?}");
    let g = grammar();
    let tokens = g.tokenize(src);
    let (strings, regexes) = literal_spans(src, &file);
    assert_eq!(strings.len(), 3);
    assert_eq!(regexes.len(), 1);
    assert_eq!(file.comments.len(), 2);
    let at = |needle: &str, nth: usize| -> usize {
        src.match_indices(needle)
            .nth(nth)
            .expect("needle present")
            .0
    };
    // Only the real rule keyword (line 2) is a rule keyword.
    let kw: Vec<&str> = tokens
        .iter()
        .filter(|t| t.has("keyword.declaration.rule"))
        .map(|t| &src[t.start..t.end])
        .collect();
    assert_eq!(kw, ["trigger"]);
    assert_eq!(
        tokens
            .iter()
            .find(|t| t.has("keyword.declaration.rule"))
            .unwrap()
            .start,
        at("trigger", 1)
    );
    // `trigger` as a tag value, and in the string, is not a keyword.
    for nth in [2, 3, 4] {
        let s = at("trigger", nth);
        for t in covering(&tokens, s, s + 7) {
            assert!(!t.has("keyword."), "trigger #{nth}: {:?}", t.scopes);
        }
    }
    // The `#` inside the string and the regex is not a comment.
    let hash_in_string = at("# not a comment", 0);
    assert!(covering(&tokens, hash_in_string, hash_in_string + 1)[0].has("string.quoted"));
    let hash_in_regex = at("#c", 0);
    assert!(covering(&tokens, hash_in_regex, hash_in_regex + 1)[0].has("string.regexp"));
    // The escaped quote does not end the string; the placeholder after it is scoped.
    let ph = at("{{ticket.id}}", 0);
    assert_scoped(
        "inline",
        src,
        &tokens,
        ph,
        ph + 13,
        "variable.other.placeholder",
    );
    assert_scoped("inline", src, &tokens, ph, ph + 13, "string.quoted.double");
    let esc = at(r#"\" still"#, 0);
    assert_scoped(
        "inline",
        src,
        &tokens,
        esc,
        esc + 2,
        "constant.character.escape",
    );
}

/// Every name the checker knows is highlighted where it is used: condition fields,
/// settable fields, `hours since` anchors, multi-word operators as one token.
#[test]
fn checker_names_are_highlighted() {
    let g = grammar();
    // Bare field names (custom fields are `field "NAME"` and the like).
    let fields: Vec<String> = doc_names("field")
        .into_iter()
        .filter(|f| !f.contains('"'))
        .collect();
    let anchors = doc_names("anchor");
    // `set status V`, `set tags a, b`, … but not `set field "NAME" V`.
    let settable: Vec<String> = doc_names("action")
        .iter()
        .filter_map(|a| a.strip_prefix("set "))
        .filter_map(|a| a.split(' ').next())
        .filter(|f| *f != "field")
        .map(str::to_string)
        .collect();
    let placeholders: Vec<String> = doc_names("placeholder")
        .iter()
        .map(|p| {
            p.trim_start_matches("{{")
                .trim_end_matches("}}")
                .to_string()
        })
        .collect();
    assert!(
        fields.len() >= 25 && anchors.len() >= 10,
        "{fields:?} {anchors:?}"
    );
    assert!(
        settable.len() >= 10 && placeholders.len() >= 7,
        "{settable:?}"
    );
    let mut conditions = String::new();
    for f in &fields {
        conditions.push_str(&format!("    {f} present\n"));
    }
    for a in &anchors {
        conditions.push_str(&format!("    hours since {a} > 2\n"));
    }
    let mut actions = String::new();
    for f in &settable {
        actions.push_str(&format!("    set {f} x\n"));
    }
    for p in &placeholders {
        actions.push_str(&format!("    add note \"{{{{{p}}}}}\"\n"));
    }
    let src = format!(
        "trigger \"t\" {{\n  when all {{\n{conditions}  }}\n  then {{\n{actions}  }}\n}}\n"
    );
    let (file, diags) = parse(&src);
    assert!(diags.is_empty(), "{diags:?}");
    let tokens = g.tokenize(&src);
    let rule = &file.rules[0];
    for c in &rule.all.as_ref().unwrap().conditions {
        match &c.kind {
            ConditionKind::Field { field, op, .. } => {
                assert_scoped(
                    "fields",
                    &src,
                    &tokens,
                    field.span.start,
                    field.span.end,
                    "variable.other.field",
                );
                assert_scoped(
                    "fields",
                    &src,
                    &tokens,
                    op.span.start,
                    op.span.end,
                    "keyword.operator",
                );
            }
            ConditionKind::HoursSince { what, .. } => {
                assert_scoped(
                    "anchors",
                    &src,
                    &tokens,
                    what.span.start,
                    what.span.end,
                    "support.constant.anchor",
                );
            }
            other => panic!("unexpected condition {other:?}"),
        }
    }
    for f in &settable {
        let s = src.find(&format!("set {f} x")).unwrap() + 4;
        assert_scoped("set", &src, &tokens, s, s + f.len(), "variable.other.field");
    }
    for p in &placeholders {
        let needle = format!("{{{{{p}}}}}");
        let s = src.find(&needle).unwrap();
        assert_scoped(
            "placeholders",
            &src,
            &tokens,
            s,
            s + needle.len(),
            "variable.other.placeholder",
        );
    }
    // Multi-word operators are one token, not `is` + a constant or `not` + `in`.
    let ops = "trigger \"t\" {\n  when all {\n    status is not open\n    channel not in [email, web]\n    comment not contains \"x\"\n    comment contains word \"x\"\n    status changed to solved\n    status changed from new\n    group not changed\n    assignee not present\n    not status is open\n  }\n  then { add tags x }\n}\n";
    let tokens = g.tokenize(ops);
    for op in [
        "is not",
        "not in",
        "not contains",
        "contains word",
        "changed to",
        "changed from",
        "not changed",
        "not present",
    ] {
        let s = ops.find(op).unwrap();
        let toks = covering(&tokens, s, s + op.len());
        assert_eq!(toks.len(), 1, "`{op}` is one token: {toks:?}");
        assert!(
            toks[0].has("keyword.operator.word"),
            "`{op}`: {:?}",
            toks[0].scopes
        );
    }
    let neg = ops.find("not status").unwrap();
    assert!(covering(&tokens, neg, neg + 3)[0].has("keyword.operator.logical.not"));
}

/// A compact dump of how the grammar colours the dsl.md examples: one line per source
/// line, `scope:text` per token (scope without the `.ticket-rules` suffix, innermost
/// only), plain text as `·text`, whitespace left out, comments shortened.
#[test]
fn token_dump_of_the_dsl_examples() {
    let g = grammar();
    let src = DSL_EXAMPLES;
    let tokens = g.tokenize(src);
    let mut out = String::new();
    let mut line_start = 0;
    for (n, line) in src.split_inclusive('\n').enumerate() {
        let line_end = line_start + line.trim_end_matches('\n').len();
        let mut parts = Vec::new();
        for t in covering(&tokens, line_start, line_end) {
            let text = src[t.start..t.end].trim();
            if text.is_empty() {
                continue;
            }
            // The innermost scope; a region's `meta.*` name alone means plain text.
            let scope = t
                .scopes
                .last()
                .map(|s| {
                    s.split(' ')
                        .next_back()
                        .unwrap_or(s)
                        .trim_end_matches(".ticket-rules")
                })
                .filter(|s| !s.starts_with("meta."))
                .unwrap_or("");
            let text = if scope.starts_with("comment") && text.chars().count() > 12 {
                format!("{}…", text.chars().take(12).collect::<String>())
            } else {
                text.to_string()
            };
            if scope.is_empty() {
                parts.push(format!("·{text}"));
            } else {
                parts.push(format!("{scope}:{text}"));
            }
        }
        if !parts.is_empty() {
            out.push_str(&format!("{:>3} {}\n", n + 1, parts.join("  ")));
        }
        line_start += line.len();
    }
    insta::assert_snapshot!("dsl_examples_tokens", out);
}

/// W15 template shorthand inside a `send message` text is marked, its keys are
/// attribute names, placeholders inside it keep their scope, and the string still ends
/// at its closing quote.
#[test]
fn w15_template_shorthand_inside_strings() {
    let src = "trigger \"t\" {\n  when all { ticket is created }\n  then {\n    send message \"&((template=[[order_followup]] language=[[en_US]] body_text=[[{{ticket.id}}]]))&\" # done\n  }\n}\n";
    let (_, diags) = parse(src);
    assert!(diags.is_empty(), "{diags:?}");
    let tokens = grammar().tokenize(src);
    let s = src.find("&((").unwrap();
    let e = src.find("))&").unwrap() + 3;
    assert_scoped("shorthand", src, &tokens, s, e, "string.quoted.double");
    assert_scoped("shorthand", src, &tokens, s, e, "meta.template-shorthand");
    for key in ["template", "language", "body_text"] {
        let k = src.find(&format!("{key}=[[")).unwrap();
        assert_scoped(
            "shorthand",
            src,
            &tokens,
            k,
            k + key.len(),
            "entity.other.attribute-name",
        );
    }
    let ph = src.find("{{ticket.id}}").unwrap();
    assert_scoped(
        "shorthand",
        src,
        &tokens,
        ph,
        ph + 13,
        "variable.other.placeholder",
    );
    let hash = src.find("# done").unwrap();
    assert_scoped("shorthand", src, &tokens, hash, hash + 6, "comment.line");
}
