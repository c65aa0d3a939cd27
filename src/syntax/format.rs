//! The canonical layout of a rule file (`ticket-rules fmt`, issue 3).
//!
//! [`format()`] parses a file with [`parse`] and prints its AST back in one
//! layout, putting every `#` comment back where it was. The layout:
//!
//! - A rule is `KIND "TITLE" {`, its clauses in source order (`when all` / `when any` /
//!   `redact …` / `then`), then `}`. Clauses are indented two spaces, conditions and
//!   actions four, one per line. A block holding a single item is written on three lines
//!   like any other (`when all { ticket is created }` is expanded). An empty block is
//!   `when all {` + `}`.
//! - Exactly one blank line between rules; no blank lines inside a rule; no blank line
//!   at the start of the file; the file ends with exactly one `\n` (an empty file stays
//!   empty). Line ends are `\n` (CRLF and CR are rewritten); a leading byte-order mark is
//!   dropped.
//! - Tokens are separated by one space, with `, ` between list items and no space inside
//!   brackets: `[a, b]`. Multi-word operators are written with one space (`is not`,
//!   `not in`, `contains word`, `changed to`, …).
//! - Only layout changes; the author's choice of form is kept, so the file always parses
//!   to the same AST: a value written as a bare word stays a word and one written as a
//!   string stays a string (also for tags, template names, languages, group and webhook
//!   names, where both are allowed); `[a, b]` stays bracketed and `a, b` stays bare;
//!   `params []` stays when written; numbers are kept as written (`007`); regexes are
//!   copied verbatim. Strings are re-quoted from their value with the only two escapes
//!   (`\"` and `\\`), which is the one way the language allows to write them.
//! - The options of a `redact` clause are written `groupings, word_boundaries` (in that
//!   order, whatever order they were written in), after `keep first N last N` and
//!   `with "C"`.
//! - Comments keep their text (trailing blanks are removed) and their place:
//!   - a comment after code on a line stays at the end of that code's line, two spaces
//!     after it (`add tags nudged  # …`); after an expanded one-line block such as
//!     `then { add tags x }  # c`, it ends the block's closing-brace line;
//!   - a comment on its own line stays on its own line before the item, clause, closing
//!     brace or rule that follows it, indented like that item (a comment just before a
//!     closing brace is indented like the block's items);
//!   - comments before the first rule (file header) and after the last one stay there;
//!     between a top-level comment and what follows it, any number of blank lines
//!     becomes one and none stays none; after a rule's `}` there is always one blank
//!     line.

use super::ast::{
    Action, ActionBlock, ActionKind, Comment, Condition, ConditionBlock, ConditionKind, FieldRef,
    NotifyTarget, RedactClause, Rule, RuleFile, Span, Spanned, Value, ValueKind,
};
use super::parse;
use crate::diagnostic::Diagnostic;

/// Formats one rule file in the canonical layout (see the module documentation).
///
/// `source` is the whole file text. Returns the formatted text, or — when the file has
/// a syntax error — every diagnostic [`parse`] reported (code `syntax`,
/// spans into `source`), in which case nothing can be formatted. Laws (tested in
/// `tests/fmt.rs`): `format(format(x)) == format(x)`; the result parses to the same AST
/// as `source`, spans aside; every comment is kept, in order, with its text (trailing
/// blanks trimmed). Never panics.
pub fn format(source: &str) -> Result<String, Vec<Diagnostic>> {
    let (file, diags) = parse(source);
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Printer { src: source }.file(&file))
}

/// What a code line is, for comment placement and blank lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    /// `KIND "TITLE" {`
    RuleOpen,
    /// `when all {`, `when any {`, `then {`, a condition, an action, a `redact` clause.
    Inner,
    /// The `}` of a block.
    BlockClose,
    /// The `}` of a rule.
    RuleClose,
}

/// One line of formatted code, with the source offset of what it prints.
#[derive(Debug)]
struct Line {
    kind: LineKind,
    indent: usize,
    text: String,
    /// Source offset where the printed element starts (for `}`: the brace itself).
    anchor: usize,
    /// Trailing comments (normally at most one).
    trailing: Vec<String>,
}

/// One entry of the output: a code line or an own-line comment.
enum Entry<'c> {
    Code(usize),
    Comment(&'c Comment),
}

struct Printer<'s> {
    src: &'s str,
}

impl Printer<'_> {
    fn file(&self, file: &RuleFile) -> String {
        let mut lines: Vec<Line> = Vec::new();
        for rule in &file.rules {
            self.rule(rule, &mut lines);
        }
        // Attach comments: trailing ones to the code line they end, own-line ones before
        // the first code line that starts after them.
        let mut own: Vec<&Comment> = Vec::new();
        for c in &file.comments {
            if self.is_trailing(c) {
                let i = lines.partition_point(|l| l.anchor <= c.span.start);
                if i > 0 {
                    lines[i - 1].trailing.push(comment_text(c));
                    continue;
                }
            }
            own.push(c);
        }
        let mut entries: Vec<Entry<'_>> = Vec::with_capacity(lines.len() + own.len());
        let mut pending = own.into_iter().peekable();
        for (i, line) in lines.iter().enumerate() {
            while let Some(c) = pending.next_if(|c| c.span.start < line.anchor) {
                entries.push(Entry::Comment(c));
            }
            entries.push(Entry::Code(i));
        }
        entries.extend(pending.map(Entry::Comment));
        self.render(&lines, &entries)
    }

    /// Writes the entries with the blank-line rules of the module documentation.
    fn render(&self, lines: &[Line], entries: &[Entry<'_>]) -> String {
        /// What was written last, for deciding on a blank line.
        #[derive(Clone, Copy)]
        enum Prev {
            Nothing,
            RuleClose,
            /// A comment outside any rule, ending at this source offset.
            TopComment(usize),
            Other,
        }
        let mut out = String::new();
        let mut prev = Prev::Nothing;
        let mut depth = 0usize;
        for (n, entry) in entries.iter().enumerate() {
            match *entry {
                Entry::Code(i) => {
                    let line = &lines[i];
                    if line.kind == LineKind::RuleOpen {
                        let blank = match prev {
                            Prev::Nothing => false,
                            Prev::TopComment(end) => self.blank_between(end, line.anchor),
                            Prev::RuleClose | Prev::Other => true,
                        };
                        if blank {
                            out.push('\n');
                        }
                        depth += 1;
                    }
                    push_indent(&mut out, line.indent);
                    out.push_str(&line.text);
                    let mut extra = line.trailing.iter();
                    if let Some(c) = extra.next() {
                        out.push_str("  ");
                        out.push_str(c);
                    }
                    out.push('\n');
                    // More than one trailing comment cannot come from a parsed file; if it
                    // ever does, keep them on their own lines rather than lose them.
                    let indent = match line.kind {
                        LineKind::RuleOpen => line.indent + 2,
                        _ => line.indent,
                    };
                    for c in extra {
                        push_indent(&mut out, indent);
                        out.push_str(c);
                        out.push('\n');
                    }
                    prev = if line.kind == LineKind::RuleClose {
                        depth = depth.saturating_sub(1);
                        Prev::RuleClose
                    } else {
                        Prev::Other
                    };
                }
                Entry::Comment(c) => {
                    let top = depth == 0;
                    if top {
                        let blank = match prev {
                            Prev::Nothing => false,
                            Prev::TopComment(end) => self.blank_between(end, c.span.start),
                            Prev::RuleClose | Prev::Other => true,
                        };
                        if blank {
                            out.push('\n');
                        }
                    }
                    let indent = if top {
                        0
                    } else {
                        next_code_indent(lines, &entries[n + 1..])
                    };
                    push_indent(&mut out, indent);
                    out.push_str(&comment_text(c));
                    out.push('\n');
                    prev = if top {
                        Prev::TopComment(c.span.end)
                    } else {
                        Prev::Other
                    };
                }
            }
        }
        out
    }

    /// The code lines of one rule.
    fn rule(&self, rule: &Rule, lines: &mut Vec<Line>) {
        lines.push(line(
            LineKind::RuleOpen,
            0,
            format!("{} {} {{", rule.kind.keyword(), quote(&rule.title.node)),
            rule.span.start,
        ));
        enum Clause<'r> {
            Block(&'static str, &'r ConditionBlock),
            Redact(&'r RedactClause),
            Then(&'r ActionBlock),
        }
        let mut clauses: Vec<(usize, Clause<'_>)> = Vec::new();
        if let Some(b) = &rule.all {
            clauses.push((b.span.start, Clause::Block("when all", b)));
        }
        if let Some(b) = &rule.any {
            clauses.push((b.span.start, Clause::Block("when any", b)));
        }
        if let Some(r) = &rule.redact {
            clauses.push((r.span.start, Clause::Redact(r)));
        }
        if let Some(b) = &rule.then {
            clauses.push((b.span.start, Clause::Then(b)));
        }
        clauses.sort_by_key(|(start, _)| *start);
        for (_, clause) in clauses {
            match clause {
                Clause::Block(head, b) => {
                    let items = b
                        .conditions
                        .iter()
                        .map(|c| (c.span.start, self.condition(c)));
                    block(lines, head, b.span, items);
                }
                Clause::Then(b) => {
                    let items = b.actions.iter().map(|a| (a.span.start, self.action(a)));
                    block(lines, "then", b.span, items);
                }
                Clause::Redact(r) => {
                    lines.push(line(LineKind::Inner, 2, self.redact(r), r.span.start));
                }
            }
        }
        lines.push(line(
            LineKind::RuleClose,
            0,
            "}".to_string(),
            rule.span.end.saturating_sub(1),
        ));
    }

    fn condition(&self, c: &Condition) -> String {
        let mut out = String::new();
        if c.negated {
            out.push_str("not ");
        }
        match &c.kind {
            ConditionKind::Field { field, op, value } => {
                out.push_str(&field_ref(&field.node));
                out.push(' ');
                out.push_str(op.node.as_str());
                if let Some(v) = value {
                    out.push(' ');
                    out.push_str(&self.value(v));
                }
            }
            ConditionKind::HoursSince {
                what,
                op,
                hours,
                business,
            }
            | ConditionKind::HoursUntil {
                what,
                op,
                hours,
                business,
            } => {
                let dir = if matches!(c.kind, ConditionKind::HoursSince { .. }) {
                    "since"
                } else {
                    "until"
                };
                out.push_str(&format!(
                    "hours {dir} {} {} {}",
                    what.node,
                    op.node.as_str(),
                    self.number(hours.node, hours.span)
                ));
                if *business {
                    out.push_str(" business");
                }
            }
            ConditionKind::WithinBusinessHours => out.push_str("within business_hours"),
        }
        out
    }

    fn action(&self, a: &Action) -> String {
        match &a.kind {
            ActionKind::Set { field, value } => {
                format!("set {} {}", field_ref(&field.node), self.value(value))
            }
            ActionKind::AddTags(tags) => format!("add tags {}", self.tags(tags)),
            ActionKind::RemoveTags(tags) => format!("remove tags {}", self.tags(tags)),
            ActionKind::SendMessage { text } => format!("send message {}", quote(&text.node)),
            ActionKind::AddNote { text } => format!("add note {}", quote(&text.node)),
            ActionKind::SendTemplate {
                name,
                language,
                params,
            } => {
                let mut out = format!(
                    "send template {} language {}",
                    self.name(name),
                    self.name(language)
                );
                let after = self
                    .src
                    .get(language.span.end..a.span.end)
                    .unwrap_or("")
                    .trim_start_matches([' ', '\t']);
                if !params.is_empty() || after.starts_with("params") {
                    let ps: Vec<String> = params.iter().map(|p| quote(&p.node)).collect();
                    out.push_str(&format!(" params [{}]", ps.join(", ")));
                }
                out
            }
            ActionKind::Notify {
                target,
                subject,
                body,
            } => {
                let mut out = String::from("notify ");
                match target {
                    NotifyTarget::Requester => out.push_str("requester"),
                    NotifyTarget::Assignee => out.push_str("assignee"),
                    NotifyTarget::Group(n) => out.push_str(&format!("group {}", self.name(n))),
                    NotifyTarget::Webhook(n) => out.push_str(&format!("webhook {}", self.name(n))),
                }
                if let Some(s) = subject {
                    out.push_str(&format!(" subject {}", quote(&s.node)));
                }
                out.push_str(&format!(" body {}", quote(&body.node)));
                out
            }
        }
    }

    fn redact(&self, r: &RedactClause) -> String {
        let mut out = format!("redact {}", r.target.node);
        match (&r.keep_first, &r.keep_last) {
            (Some(f), Some(l)) => out.push_str(&format!(
                " keep first {} last {}",
                self.number(f.node, f.span),
                self.number(l.node, l.span)
            )),
            (Some(f), None) => {
                out.push_str(&format!(" keep first {}", self.number(f.node, f.span)))
            }
            (None, Some(l)) => out.push_str(&format!(" keep last {}", self.number(l.node, l.span))),
            (None, None) => {}
        }
        if let Some(m) = &r.mask {
            out.push_str(&format!(" with {}", quote(&m.node)));
        }
        let options: Vec<&str> = [
            (r.groupings, "groupings"),
            (r.word_boundaries, "word_boundaries"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        if !options.is_empty() {
            out.push(' ');
            out.push_str(&options.join(", "));
        }
        out
    }

    fn value(&self, v: &Value) -> String {
        match &v.kind {
            ValueKind::Word(w) => w.clone(),
            ValueKind::Str(s) => quote(s),
            ValueKind::Number(n) => self.number(*n, v.span),
            ValueKind::Regex(pattern) => match self.src.get(v.span.start..v.span.end) {
                Some(raw) if raw.len() >= 2 && raw.starts_with('/') && raw.ends_with('/') => {
                    raw.to_string()
                }
                _ => regex_literal(pattern),
            },
            ValueKind::List(items) => {
                let texts: Vec<String> = items.iter().map(|i| self.value(i)).collect();
                let bracketed = items.len() < 2 || self.src_at(v.span.start).starts_with('[');
                if bracketed {
                    format!("[{}]", texts.join(", "))
                } else {
                    texts.join(", ")
                }
            }
        }
    }

    /// The tags of `add tags` / `remove tags`: `[…]` kept when written, each tag quoted
    /// only if it was written quoted.
    fn tags(&self, tags: &[Spanned<String>]) -> String {
        let texts: Vec<String> = tags.iter().map(|t| self.name(t)).collect();
        let bracketed = tags.first().is_some_and(|t| {
            self.src
                .get(..t.span.start)
                .unwrap_or("")
                .trim_end_matches([' ', '\t'])
                .ends_with('[')
        });
        if bracketed {
            format!("[{}]", texts.join(", "))
        } else {
            texts.join(", ")
        }
    }

    /// A name that may be a string or a bare word: written the way it was.
    fn name(&self, n: &Spanned<String>) -> String {
        if self.src_at(n.span.start).starts_with('"') || !is_word(&n.node) {
            quote(&n.node)
        } else {
            n.node.clone()
        }
    }

    /// A number as written, when the written text is that number; else its decimal form.
    fn number(&self, n: i64, span: Span) -> String {
        match self.src.get(span.start..span.end) {
            Some(raw) if raw.parse::<i64>().ok() == Some(n) => raw.to_string(),
            _ => n.to_string(),
        }
    }

    fn src_at(&self, offset: usize) -> &str {
        self.src.get(offset..).unwrap_or("")
    }

    /// Whether code precedes the comment on its line.
    fn is_trailing(&self, c: &Comment) -> bool {
        let before = self.src.get(..c.span.start).unwrap_or("");
        let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
        before[line_start..]
            .chars()
            .any(|ch| !matches!(ch, ' ' | '\t' | '\u{FEFF}'))
    }

    /// Whether the source has a blank line between two offsets (two or more line breaks).
    fn blank_between(&self, from: usize, to: usize) -> bool {
        let text = self.src.get(from..to).unwrap_or("");
        let bytes = text.as_bytes();
        let breaks = bytes
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
            .count();
        breaks >= 2
    }
}

fn line(kind: LineKind, indent: usize, text: String, anchor: usize) -> Line {
    Line {
        kind,
        indent,
        text,
        anchor,
        trailing: Vec::new(),
    }
}

/// A block: `HEAD {`, its items at indent 4, `}`.
fn block(
    lines: &mut Vec<Line>,
    head: &str,
    span: Span,
    items: impl Iterator<Item = (usize, String)>,
) {
    lines.push(line(LineKind::Inner, 2, format!("{head} {{"), span.start));
    for (anchor, text) in items {
        lines.push(line(LineKind::Inner, 4, text, anchor));
    }
    lines.push(line(
        LineKind::BlockClose,
        2,
        "}".to_string(),
        span.end.saturating_sub(1),
    ));
}

/// The indentation of an own-line comment inside a rule: that of the code line after it,
/// or of a block's items when that line is a closing brace.
fn next_code_indent(lines: &[Line], rest: &[Entry<'_>]) -> usize {
    rest.iter()
        .find_map(|e| match e {
            Entry::Code(i) => Some(&lines[*i]),
            Entry::Comment(_) => None,
        })
        .map_or(2, |l| match l.kind {
            LineKind::BlockClose | LineKind::RuleClose => l.indent + 2,
            _ => l.indent,
        })
}

fn push_indent(out: &mut String, n: usize) {
    out.push_str(&" ".repeat(n));
}

/// `#` and the comment's text without trailing blanks.
fn comment_text(c: &Comment) -> String {
    format!("#{}", c.text.trim_end_matches([' ', '\t']))
}

fn field_ref(f: &FieldRef) -> String {
    match f {
        FieldRef::Named(w) => w.clone(),
        FieldRef::Custom(n) => format!("field {}", quote(n)),
        FieldRef::RequesterField(n) => format!("requester.field {}", quote(n)),
        FieldRef::OrganizationField(n) => format!("organization.field {}", quote(n)),
    }
}

/// A string literal: `"…"` with `\` and `"` escaped, the only escapes of the language.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A regex literal from its pattern: `/` becomes `\/`, other escapes are kept as they are.
fn regex_literal(pattern: &str) -> String {
    let mut out = String::from("/");
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push('\\');
                if let Some(e) = chars.next() {
                    out.push(e);
                }
            }
            '/' => out.push_str("\\/"),
            _ => out.push(c),
        }
    }
    out.push('/');
    out
}

/// A bare word of the language: `[A-Za-z_][A-Za-z0-9_.-]*`.
fn is_word(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_only_quotes_and_backslashes() {
        assert_eq!(quote(r#"a"b\c ▇ #{x}"#), r#""a\"b\\c ▇ #{x}""#);
    }

    #[test]
    fn regex_literal_escapes_slashes_and_keeps_other_escapes() {
        assert_eq!(regex_literal(r"a/b\d\\"), r"/a\/b\d\\/");
        assert_eq!(regex_literal(r"\\/"), r"/\\\//");
    }

    #[test]
    fn words_follow_the_bare_word_pattern() {
        assert!(is_word("a.b-c_9"));
        assert!(is_word("_x"));
        assert!(!is_word("9a"));
        assert!(!is_word("a b"));
        assert!(!is_word(""));
    }
}
