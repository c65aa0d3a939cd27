//! Rendering diagnostics for people and machines: `human` (codespan-reporting, no colours),
//! `json` (one object per finding) and `github` (workflow-command annotations). These are
//! the three `--format`s of `ticket-rules check` (events.md). Pure functions: they build
//! strings and values, the caller prints them.

use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity,
};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Chars, Config};
use serde::Serialize;

use super::{Diagnostic, Severity, SourceFile};
#[cfg(test)]
use crate::lang::Code;
use crate::syntax::ast::Span;

/// Renders diagnostics the way rustc does, without colours:
///
/// ```text
/// error[syntax]: unknown action `sett`; expected one of: set, add, remove, send, notify
///   --> rules/a.rules:7:5
///   |
/// 7 |     sett status open
///   |     ^^^^
///   |
///   = help: did you mean `set`?
/// ```
///
/// Each diagnostic ends with a blank line. Spans outside the text or inside a character
/// are clamped, never a panic.
pub fn human(diags: &[Diagnostic], file: &SourceFile) -> String {
    let files = SimpleFile::new(file.name.as_str(), file.text.as_str());
    let config = Config {
        chars: Chars::ascii(),
        ..Config::default()
    };
    let mut out = String::new();
    for d in diags {
        let mut labels = vec![CsLabel::primary((), clamp(&file.text, d.span))];
        labels.extend(
            d.labels.iter().map(|l| {
                CsLabel::secondary((), clamp(&file.text, l.span)).with_message(&l.message)
            }),
        );
        let severity = match d.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
        };
        let mut cs = CsDiagnostic::new(severity)
            .with_code(d.code.name())
            .with_message(&d.message)
            .with_labels(labels);
        if let Some(help) = &d.help {
            cs = cs.with_notes(vec![format!("help: {help}")]);
        }
        match term::emit_into_string(&config, &files, &cs) {
            Ok(s) => out.push_str(&s),
            Err(_) => {
                // Only reachable with a span codespan cannot place; say it plainly.
                let (line, col) = file.line_col(d.span.start);
                out.push_str(&format!(
                    "{}[{}]: {}\n  --> {}:{line}:{col}\n\n",
                    d.severity.as_str(),
                    d.code,
                    d.message,
                    file.name
                ));
            }
        }
    }
    out
}

/// `span` as a range inside `text` whose ends are on character boundaries.
fn clamp(text: &str, span: Span) -> std::ops::Range<usize> {
    let fix = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = fix(span.start);
    let end = fix(span.end).max(start);
    start..end
}

/// One diagnostic as JSON; field order is the output's key order.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    severity: Severity,
    code: &'a str,
    message: &'a str,
    help: Option<&'a str>,
}

fn records<'a>(
    diags: &'a [Diagnostic],
    file: &'a SourceFile,
) -> impl Iterator<Item = JsonDiagnostic<'a>> {
    diags.iter().map(move |d| {
        let (line, column) = file.line_col(d.span.start);
        let (end_line, end_column) = file.line_col(d.span.end);
        JsonDiagnostic {
            file: &file.name,
            line,
            column,
            end_line,
            end_column,
            severity: d.severity,
            code: d.code.name(),
            message: &d.message,
            help: d.help.as_deref(),
        }
    })
}

/// One JSON object per diagnostic with the keys `file`, `line`, `column`, `end_line`,
/// `end_column` (1-based; columns count characters; the end is exclusive), `severity`
/// (`"error"`/`"warning"`), `code`, `message`, `help` (`null` when none).
///
/// A `serde_json::Value` keeps its keys sorted unless serde_json's `preserve_order`
/// feature is on; to print the keys in the order above, use [`json_lines`].
pub fn json(diags: &[Diagnostic], file: &SourceFile) -> Vec<serde_json::Value> {
    records(diags, file)
        .map(|j| serde_json::to_value(&j).unwrap_or(serde_json::Value::Null))
        .collect()
}

/// The objects of [`json`] as JSON Lines (one object per line, each line ending in
/// `\n`), with the keys in the documented order: `file, line, column, end_line,
/// end_column, severity, code, message, help`.
pub fn json_lines(diags: &[Diagnostic], file: &SourceFile) -> String {
    let mut out = String::new();
    for j in records(diags, file) {
        if let Ok(line) = serde_json::to_string(&j) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// GitHub Actions workflow commands, one line per diagnostic:
/// `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=CODE::MESSAGE` (or
/// `::warning`). The message (with its help after a line break) escapes `%`, `\r`, `\n`;
/// property values also escape `:` and `,`.
pub fn github(diags: &[Diagnostic], file: &SourceFile) -> String {
    let mut out = String::new();
    for d in diags {
        let (line, col) = file.line_col(d.span.start);
        let (end_line, end_col) = file.line_col(d.span.end);
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}\n",
            d.severity.as_str(),
            escape_property(&file.name),
            escape_property(d.code.name()),
            escape_data(&message),
        ));
    }
    out
}

/// GitHub's escaping of a workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping of a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(start: usize, end: usize, message: &str) -> Diagnostic {
        Diagnostic::new(Code::Syntax, Span::new(start, end), message)
    }

    #[test]
    fn github_escapes_message_and_properties() {
        let file = SourceFile::new("rules/a,b:c%.rules", "abc\ndef\n");
        let d = diag(4, 7, "50% off\r\nnow").with_help("x");
        assert_eq!(
            github(&[d], &file),
            "::error file=rules/a%2Cb%3Ac%25.rules,line=2,col=1,endLine=2,endColumn=4,\
             title=syntax::50%25 off%0D%0Anow%0Ahelp: x\n"
        );
    }

    #[test]
    fn github_warnings_use_the_warning_command() {
        let file = SourceFile::new("a.rules", "x");
        let d = Diagnostic::new(Code::FiresOnEveryUpdate, Span::new(0, 1), "m");
        assert!(github(&[d], &file).starts_with("::warning file=a.rules,line=1,col=1,"));
    }

    #[test]
    fn json_lines_keep_the_key_order_and_help_is_null() {
        let file = SourceFile::new("a.rules", "ab\nc▇d\n");
        assert_eq!(
            json_lines(&[diag(7, 8, "m"), diag(0, 1, "n").with_help("h")], &file),
            "{\"file\":\"a.rules\",\"line\":2,\"column\":3,\"end_line\":2,\"end_column\":4,\
             \"severity\":\"error\",\"code\":\"syntax\",\"message\":\"m\",\"help\":null}\n\
             {\"file\":\"a.rules\",\"line\":1,\"column\":1,\"end_line\":1,\"end_column\":2,\
             \"severity\":\"error\",\"code\":\"syntax\",\"message\":\"n\",\"help\":\"h\"}\n"
        );
    }

    #[test]
    fn json_values_hold_the_same_fields() {
        let file = SourceFile::new("a.rules", "ab\nc▇d\n");
        let v = json(&[diag(3, 7, "m")], &file);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0]["line"], 2);
        assert_eq!(v[0]["column"], 1);
        assert_eq!(v[0]["end_column"], 3);
        assert_eq!(v[0]["severity"], "error");
        assert!(v[0]["help"].is_null());
    }

    #[test]
    fn human_shows_code_location_underline_and_help() {
        let file = SourceFile::new("a.rules", "first\nsett status open\n");
        let d = diag(6, 10, "unknown action `sett`").with_help("did you mean `set`?");
        let out = human(&[d], &file);
        assert!(
            out.starts_with("error[syntax]: unknown action `sett`\n"),
            "{out}"
        );
        assert!(out.contains("--> a.rules:2:1"), "{out}");
        assert!(out.contains("2 | sett status open"), "{out}");
        assert!(out.contains("  | ^^^^"), "{out}");
        assert!(out.contains("= help: did you mean `set`?"), "{out}");
    }

    #[test]
    fn human_clamps_spans_outside_the_text_or_inside_a_character() {
        let file = SourceFile::new("a.rules", "a▇b");
        let out = human(&[diag(2, 99, "m"), diag(50, 60, "n")], &file);
        assert!(out.contains("error[syntax]: m"), "{out}");
        assert!(out.contains("error[syntax]: n"), "{out}");
    }
}
