//! Diagnostics as plain data: a [`Code`] (printed as a stable kebab-case name), a
//! severity, a message in words, a primary span, labels and an optional help line.
//! Rendering (human, JSON, GitHub annotations) lives in [`render`] and happens at the edge.

pub mod render;

pub use crate::lang::{Code, Severity};
use crate::syntax::ast::Span;

/// A secondary span with a short message.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it.
    pub message: String,
}

/// One finding about one rule file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// What kind of finding it is. It prints as its stable kebab-case name: `syntax`,
    /// `unknown-field`, … (events.md).
    pub code: Code,
    /// The code's severity ([`Code::severity`]); `run` may print it as a warning.
    pub severity: Severity,
    /// What is wrong, in words (no card number in clear).
    pub message: String,
    /// The offending text.
    pub span: Span,
    /// Other spans involved.
    pub labels: Vec<Label>,
    /// What to do about it, e.g. a did-you-mean.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A finding of `code` with `message` at `span`, with the code's severity.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            span,
            labels: Vec::new(),
            help: None,
        }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// True for [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A rule file's name (as given on the command line) and its text; turns byte offsets
/// into 1-based line and column numbers (columns count characters).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to users, e.g. `rules/examples/whatsapp.rules`.
    pub name: String,
    /// The whole text.
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps a file's name and text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// 1-based (line, column) of a byte offset; the column counts characters.
    /// Offsets past the end map to the end; offsets inside a character to its start.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let col = self.text[start..offset].chars().count() + 1;
        (line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let f = SourceFile::new("a.rules", "ab\nc▇d\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // `d` is after a 3-byte character: byte 7, column 3.
        assert_eq!(f.line_col(7), (2, 3));
        assert_eq!(f.line_col(100), (3, 1));
    }
}
