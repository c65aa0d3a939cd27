//! A small hand-written tokenizer over a rule file.
//!
//! The pest grammar is the authority on what parses. This tokenizer exists for the parts
//! pest is not good at: collecting comments (for the formatter), finding rule and block
//! boundaries when the file does not parse (so that every error is reported), naming the
//! token an error was found at, and lexical errors with precise messages (unterminated
//! strings and regexes, unknown escapes). It agrees with the grammar on what is a
//! string, a regex and a comment, which is all that matters for brace matching.

use std::iter::Peekable;
use std::str::CharIndices;

use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::ast::{Comment, Span};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokKind {
    /// `[A-Za-z_][A-Za-z0-9_.-]*`
    Word,
    /// `"…"`; `closed` is false when the line ended first.
    Str {
        closed: bool,
    },
    /// `/…/`; `closed` is false when the line ended first.
    Regex {
        closed: bool,
    },
    /// A digit (or `-` and a digit) and any word characters after it, e.g. `96`, `-3`, `3.5`.
    Number,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    /// `<`, `<=`, `>`, `>=`
    Compare,
    /// A line break (`\n`, `\r\n` or `\r`).
    Newline,
    /// Any other single character.
    Other,
}

/// One token: its kind, where it is, and whether it is the first token on its line.
#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    pub kind: TokKind,
    pub span: Span,
    /// No token other than blanks precedes it on its line.
    pub line_start: bool,
}

/// The tokens of a file (comments excluded), its comments, and its lexical errors.
#[derive(Debug, Default)]
pub(super) struct Lexed {
    pub tokens: Vec<Token>,
    pub comments: Vec<Comment>,
    pub errors: Vec<Diagnostic>,
}

/// `[A-Za-z0-9_.-]`: the characters that may continue a bare word.
pub(super) fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'
}

fn is_newline_start(c: char) -> bool {
    c == '\n' || c == '\r'
}

/// Consumes the rest of a string or regex literal (its opening delimiter consumed) up to
/// `close` or the end of the line; a backslash takes the next character with it. In a
/// string (`close` is `"`) the only escapes are `\"` and `\\`: `escape(at, c)` is called
/// for any other. Returns whether the literal was closed.
fn literal(
    chars: &mut Peekable<CharIndices<'_>>,
    close: char,
    mut escape: impl FnMut(Span, char),
) -> bool {
    while let Some(&(i, c)) = chars.peek() {
        if is_newline_start(c) {
            return false;
        }
        chars.next();
        if c == close {
            return true;
        }
        if c != '\\' {
            continue;
        }
        if let Some(&(j, e)) = chars.peek().filter(|&&(_, e)| !is_newline_start(e)) {
            chars.next();
            if close == '"' && !matches!(e, '"' | '\\') {
                escape(Span::new(i, j + e.len_utf8()), e);
            }
        }
    }
    false
}

/// Splits `src` into tokens. Never fails: anything unexpected becomes an `Other` token or
/// a lexical error.
pub(super) fn lex(src: &str) -> Lexed {
    let mut out = Lexed::default();
    let mut chars = src.char_indices().peekable();
    let mut line_start = true;
    if src.starts_with('\u{FEFF}') {
        chars.next();
    }
    while let Some(&(start, c)) = chars.peek() {
        let kind = match c {
            ' ' | '\t' => {
                chars.next();
                continue;
            }
            '\n' | '\r' => {
                chars.next();
                if c == '\r' {
                    if let Some(&(_, '\n')) = chars.peek() {
                        chars.next();
                    }
                }
                let end = chars.peek().map_or(src.len(), |&(i, _)| i);
                out.tokens.push(Token {
                    kind: TokKind::Newline,
                    span: Span::new(start, end),
                    line_start,
                });
                line_start = true;
                continue;
            }
            '#' => {
                while let Some(&(_, c)) = chars.peek() {
                    if is_newline_start(c) {
                        break;
                    }
                    chars.next();
                }
                let end = chars.peek().map_or(src.len(), |&(i, _)| i);
                out.comments.push(Comment {
                    span: Span::new(start, end),
                    text: src[start + 1..end].to_string(),
                });
                continue;
            }
            '"' => {
                chars.next();
                let closed = literal(&mut chars, '"', |at, e| {
                    out.errors.push(
                        Diagnostic::new(
                            Code::Syntax,
                            at,
                            format!("unknown escape `\\{e}` in a string"),
                        )
                        .with_help("the only escapes are `\\\"` and `\\\\`"),
                    );
                });
                let end = chars.peek().map_or(src.len(), |&(i, _)| i);
                if !closed {
                    out.errors.push(
                        Diagnostic::new(Code::Syntax, Span::new(start, end), "unterminated string")
                            .with_help("close the string with `\"` on the line where it starts"),
                    );
                }
                TokKind::Str { closed }
            }
            '/' => {
                chars.next();
                // Every escape goes to the regex engine as written.
                let closed = literal(&mut chars, '/', |_, _| {});
                let end = chars.peek().map_or(src.len(), |&(i, _)| i);
                if !closed {
                    out.errors.push(
                        Diagnostic::new(Code::Syntax, Span::new(start, end), "unterminated regex")
                            .with_help(
                                "end the regex with `/` on the same line; write `\\/` for a slash inside it",
                            ),
                    );
                }
                TokKind::Regex { closed }
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                chars.next();
                while chars.peek().is_some_and(|&(_, c)| is_word_char(c)) {
                    chars.next();
                }
                TokKind::Word
            }
            c if c.is_ascii_digit()
                || (c == '-' && src[start + 1..].starts_with(|d: char| d.is_ascii_digit())) =>
            {
                chars.next();
                while chars.peek().is_some_and(|&(_, c)| is_word_char(c)) {
                    chars.next();
                }
                TokKind::Number
            }
            '<' | '>' => {
                chars.next();
                if let Some(&(_, '=')) = chars.peek() {
                    chars.next();
                }
                TokKind::Compare
            }
            '{' | '}' | '[' | ']' | ',' => {
                chars.next();
                match c {
                    '{' => TokKind::LBrace,
                    '}' => TokKind::RBrace,
                    '[' => TokKind::LBracket,
                    ']' => TokKind::RBracket,
                    _ => TokKind::Comma,
                }
            }
            _ => {
                chars.next();
                TokKind::Other
            }
        };
        let end = chars.peek().map_or(src.len(), |&(i, _)| i);
        out.tokens.push(Token {
            kind,
            span: Span::new(start, end),
            line_start,
        });
        line_start = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokKind> {
        lex(src).tokens.iter().map(|t| t.kind).collect()
    }

    #[test]
    fn strings_regexes_and_comments_hide_braces_and_hashes() {
        use TokKind::*;
        let l = lex("a \"{#}\" /x{2}#/ # }\n}");
        assert_eq!(
            l.tokens.iter().map(|t| t.kind).collect::<Vec<_>>(),
            vec![
                Word,
                Str { closed: true },
                Regex { closed: true },
                Newline,
                RBrace
            ]
        );
        assert_eq!(l.comments.len(), 1);
        assert_eq!(l.comments[0].text, " }");
        assert!(l.tokens[4].line_start);
        assert!(l.errors.is_empty());
    }

    #[test]
    fn unterminated_string_stops_at_the_line_end() {
        let l = lex("x \"abc }\n}");
        assert_eq!(l.tokens[1].kind, TokKind::Str { closed: false });
        assert_eq!(l.tokens[1].span, Span::new(2, 8));
        assert_eq!(l.errors.len(), 1);
        assert_eq!(l.errors[0].message, "unterminated string");
    }

    #[test]
    fn unknown_escape_is_reported_and_the_string_goes_on() {
        let l = lex(r#""a\nb" c"#);
        assert_eq!(l.tokens[0].kind, TokKind::Str { closed: true });
        assert_eq!(l.errors.len(), 1);
        assert_eq!(l.errors[0].span, Span::new(2, 4));
        assert_eq!(kinds(r#""a\"b\\""#), vec![TokKind::Str { closed: true }]);
    }

    #[test]
    fn numbers_words_and_crlf() {
        use TokKind::*;
        assert_eq!(
            kinds("-3 3.5 a-b <= >\r\n{"),
            vec![Number, Number, Word, Compare, Compare, Newline, LBrace]
        );
    }
}
