//! WhatsApp template shorthand in outbound text (whatsapp.md W15).
//!
//! The conversations platform lets agents send a template by writing shorthand in a
//! macro or reply:
//!
//! ```text
//! &((namespace=[[ns]] template=[[order_followup]] fallback=[[Your order update]] language=[[en_US]] body_text=[[T-1001]]))&
//! ```
//!
//! Grammar (what this module accepts as *well-formed*):
//! - the shorthand starts at the **first** `&((` in the text and ends at the `))&` that
//!   follows its last pair; text before and after it is **ignored for the template send**
//!   (the template carries only the shorthand's fields);
//! - between the delimiters: zero or more whitespace, then `key=[[value]]` pairs, each
//!   followed by whitespace or by the closing `))&`;
//! - a key is one or more ASCII letters, digits, `_` or `-`, compared case-sensitively
//!   (`template`, not `Template`);
//! - a value is any text up to the first `]]` (spaces allowed, may be empty);
//! - `template` must appear exactly once with a non-blank value (trimmed); `language`
//!   at most once, non-blank (trimmed), default `en_US`; `body_text` repeats once per
//!   body parameter, kept verbatim, in order; every other key (`namespace`, `fallback`,
//!   `header_*`, `button_*`, …) is carried along as an extra.
//!
//! Anything else after a `&((` is *malformed* — no closing `))&`, a missing or repeated
//! `template`, text that is not a pair, a value without `]]` — and the whole text is then
//! free text (W15). Only the first `&((` is considered: a malformed first shorthand makes
//! the text free text even if a later one would be well-formed.

use std::ops::Range;

use crate::model::TemplateMessage;

/// The language of a shorthand template without a `language` key (W15).
pub const DEFAULT_LANGUAGE: &str = "en_US";

const OPEN: &str = "&((";
const CLOSE: &str = "))&";

/// What a text holds in the way of template shorthand (W15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shorthand {
    /// No `&((` anywhere in the text: plain free text.
    None,
    /// A well-formed shorthand: the template it sends (name, language, body params).
    WellFormed(TemplateMessage),
    /// A `&((` that does not start a well-formed shorthand; the text is free text.
    /// `reason` is one English sentence fragment for `check` (it names keys, never values).
    Malformed {
        /// Why the shorthand is malformed.
        reason: String,
    },
}

/// The full result of scanning a text for shorthand: the verdict, where it is, and the
/// keys that are carried along (W15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShorthandScan {
    /// The verdict (same value [`parse_shorthand`] returns).
    pub shorthand: Shorthand,
    /// Byte range in the scanned text: from `&((` through `))&` when well-formed; from
    /// `&((` to the point where parsing failed (or the end of text) when malformed;
    /// `None` when there is no shorthand.
    pub span: Option<Range<usize>>,
    /// Keys other than `template`, `language` and `body_text`, with their values, in
    /// source order (only for a well-formed shorthand; empty otherwise).
    pub extras: Vec<(String, String)>,
}

/// Parses the first template shorthand in `text` (W15). Never fails: see [`Shorthand`].
pub fn parse_shorthand(text: &str) -> Shorthand {
    scan_shorthand(text).shorthand
}

/// Scans `text` for its first template shorthand and returns the verdict with its byte
/// span and extra keys (W15). Never panics; runs in time linear in `text`.
pub fn scan_shorthand(text: &str) -> ShorthandScan {
    let Some(open) = text.find(OPEN) else {
        return ShorthandScan {
            shorthand: Shorthand::None,
            span: None,
            extras: Vec::new(),
        };
    };
    let closed_somewhere = text[open + OPEN.len()..].contains(CLOSE);
    let malformed = |reason: String, at: usize| {
        let reason = if closed_somewhere {
            reason
        } else {
            "the template shorthand `&((` is not closed by `))&`".to_string()
        };
        ShorthandScan {
            shorthand: Shorthand::Malformed { reason },
            span: Some(open..at.min(text.len())),
            extras: Vec::new(),
        }
    };

    let mut name: Option<String> = None;
    let mut language: Option<String> = None;
    let mut params = Vec::new();
    let mut extras = Vec::new();
    let mut i = open + OPEN.len();
    let end = loop {
        i = skip_whitespace(text, i);
        let rest = &text[i..];
        if rest.starts_with(CLOSE) {
            break i + CLOSE.len();
        }
        if rest.is_empty() {
            return malformed(
                "the template shorthand `&((` is not closed by `))&`".to_string(),
                i,
            );
        }
        let key_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
            .count();
        if key_len == 0 {
            return malformed(
                format!(
                    "the template shorthand has text that is not a key=[[value]] pair at byte {}",
                    i - open
                ),
                i,
            );
        }
        let key = &rest[..key_len];
        let after_key = &rest[key_len..];
        if !after_key.starts_with("=[[") {
            // Not a pair: do not echo the word, it may be anything the agent typed.
            return malformed(
                format!(
                    "the template shorthand has text that is not a key=[[value]] pair at byte {}",
                    i - open
                ),
                i + key_len,
            );
        }
        let value_start = i + key_len + 3;
        let Some(value_len) = text[value_start..].find("]]") else {
            return malformed(
                format!(
                    "the value of {} in the template shorthand is not closed by ]]",
                    describe_key(key)
                ),
                text.len(),
            );
        };
        let value = &text[value_start..value_start + value_len];
        i = value_start + value_len + 2;
        match key {
            "template" => {
                if name.is_some() {
                    return malformed(
                        "the template shorthand repeats the `template` key".to_string(),
                        i,
                    );
                }
                let v = value.trim();
                if v.is_empty() {
                    return malformed(
                        "the template shorthand has an empty `template` value".to_string(),
                        i,
                    );
                }
                name = Some(v.to_string());
            }
            "language" => {
                if language.is_some() {
                    return malformed(
                        "the template shorthand repeats the `language` key".to_string(),
                        i,
                    );
                }
                let v = value.trim();
                if v.is_empty() {
                    return malformed(
                        "the template shorthand has an empty `language` value".to_string(),
                        i,
                    );
                }
                language = Some(v.to_string());
            }
            "body_text" => params.push(value.to_string()),
            _ => extras.push((key.to_string(), value.to_string())),
        }
        // Pairs are separated by whitespace; only the closing `))&` may follow directly.
        let next = &text[i..];
        let separated = next.chars().next().is_some_and(char::is_whitespace);
        if !separated && !next.starts_with(CLOSE) {
            if next.is_empty() {
                return malformed(
                    "the template shorthand `&((` is not closed by `))&`".to_string(),
                    i,
                );
            }
            return malformed(
                format!(
                    "the template shorthand has text that is not a key=[[value]] pair at byte {}",
                    i - open
                ),
                i,
            );
        }
    };

    let Some(name) = name else {
        return ShorthandScan {
            shorthand: Shorthand::Malformed {
                reason: "the template shorthand has no `template` key".to_string(),
            },
            span: Some(open..end),
            extras: Vec::new(),
        };
    };
    ShorthandScan {
        shorthand: Shorthand::WellFormed(TemplateMessage {
            name,
            language: language.unwrap_or_else(|| DEFAULT_LANGUAGE.to_string()),
            params,
        }),
        span: Some(open..end),
        extras,
    }
}

/// A key for a message: `` `key` ``, or "a key" when it holds 8 or more digits (it could
/// be part of a card number, which must never be printed).
fn describe_key(key: &str) -> String {
    if key.bytes().filter(u8::is_ascii_digit).count() >= 8 {
        "a key".to_string()
    } else {
        format!("`{key}`")
    }
}

/// Advances `i` past any Unicode whitespace in `text` (always on a char boundary).
fn skip_whitespace(text: &str, i: usize) -> usize {
    let rest = &text[i..];
    let trimmed = rest.trim_start();
    i + (rest.len() - trimmed.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "&((namespace=[[ns]] template=[[order_followup]] fallback=[[Your order update]] language=[[en_US]] body_text=[[T-1001]]))&";

    fn tm(name: &str, language: &str, params: &[&str]) -> TemplateMessage {
        TemplateMessage {
            name: name.to_string(),
            language: language.to_string(),
            params: params.iter().map(|p| p.to_string()).collect(),
        }
    }

    fn reason_of(text: &str) -> String {
        match parse_shorthand(text) {
            Shorthand::Malformed { reason } => reason,
            other => panic!("expected malformed, got {other:?}"),
        }
    }

    #[test]
    fn w15_spec_example_is_well_formed_with_extras() {
        let scan = scan_shorthand(SAMPLE);
        assert_eq!(
            scan.shorthand,
            Shorthand::WellFormed(tm("order_followup", "en_US", &["T-1001"]))
        );
        assert_eq!(scan.span, Some(0..SAMPLE.len()));
        assert_eq!(
            scan.extras,
            vec![
                ("namespace".to_string(), "ns".to_string()),
                ("fallback".to_string(), "Your order update".to_string()),
            ]
        );
    }

    #[test]
    fn w15_language_defaults_to_en_us_and_body_text_keeps_order() {
        let text =
            "&((template=[[csat]] body_text=[[first one]] body_text=[[]] body_text=[[ third ]]))&";
        assert_eq!(
            parse_shorthand(text),
            Shorthand::WellFormed(tm("csat", "en_US", &["first one", "", " third "]))
        );
    }

    #[test]
    fn w15_embedded_in_text_uses_first_occurrence_and_ignores_surroundings() {
        let text = "Hi Ana! &((template=[[a]] language=[[ko_KR]]))& and &((template=[[b]]))& bye";
        let scan = scan_shorthand(text);
        assert_eq!(scan.shorthand, Shorthand::WellFormed(tm("a", "ko_KR", &[])));
        let span = scan.span.expect("span");
        assert_eq!(&text[span], "&((template=[[a]] language=[[ko_KR]]))&");
    }

    #[test]
    fn w15_whitespace_around_pairs_and_newlines_are_accepted() {
        let text = "&((\n  template=[[order_followup]]\n\tbody_text=[[T-1]]  \n))&";
        assert_eq!(
            parse_shorthand(text),
            Shorthand::WellFormed(tm("order_followup", "en_US", &["T-1"]))
        );
    }

    #[test]
    fn w15_values_may_contain_close_delimiter_text() {
        // `))&` inside a value does not end the shorthand: values end at `]]`.
        let text = "&((template=[[t]] fallback=[[a ))& b]]))&";
        let scan = scan_shorthand(text);
        assert_eq!(scan.shorthand, Shorthand::WellFormed(tm("t", "en_US", &[])));
        assert_eq!(scan.extras[0].1, "a ))& b");
    }

    #[test]
    fn w15_no_shorthand_is_none() {
        assert_eq!(parse_shorthand("Your order shipped."), Shorthand::None);
        assert_eq!(parse_shorthand(""), Shorthand::None);
        assert_eq!(parse_shorthand("&( template=[[x]] )&"), Shorthand::None);
        assert_eq!(scan_shorthand("plain").span, None);
    }

    #[test]
    fn w15_unclosed_is_malformed() {
        assert!(reason_of("&((template=[[order_followup]]").contains("not closed by `))&`"));
        assert!(reason_of("hello &((").contains("not closed by `))&`"));
        assert!(reason_of("&((template=[[order_followup").contains("not closed"));
        assert!(reason_of("&((template=[[x]] garbage").contains("not closed by `))&`"));
    }

    #[test]
    fn w15_missing_template_key_is_malformed() {
        assert_eq!(
            reason_of("&((language=[[en_US]] body_text=[[1]]))&"),
            "the template shorthand has no `template` key"
        );
        assert_eq!(
            reason_of("&(())&"),
            "the template shorthand has no `template` key"
        );
        // Keys are case-sensitive.
        assert_eq!(
            reason_of("&((Template=[[x]]))&"),
            "the template shorthand has no `template` key"
        );
    }

    #[test]
    fn w15_garbage_between_pairs_is_malformed() {
        assert!(reason_of("&((template=[[x]] oops body_text=[[1]]))&")
            .contains("not a key=[[value]] pair at byte 18"));
        assert!(
            reason_of("&((template=[[x]], body_text=[[1]]))&").contains("not a key=[[value]] pair")
        );
        assert!(
            reason_of("&((template=[[x]]body_text=[[1]]))&").contains("not a key=[[value]] pair")
        );
        assert!(reason_of("&((template = [[x]]))&").contains("not a key=[[value]] pair at byte 3"));
    }

    #[test]
    fn w15_repeated_or_empty_template_and_language_are_malformed() {
        assert!(reason_of("&((template=[[a]] template=[[b]]))&").contains("repeats"));
        assert!(
            reason_of("&((template=[[a]] language=[[x]] language=[[y]]))&")
                .contains("repeats the `language`")
        );
        assert!(reason_of("&((template=[[  ]]))&").contains("empty `template`"));
        assert!(reason_of("&((template=[[a]] language=[[]]))&").contains("empty `language`"));
    }

    #[test]
    fn w15_malformed_reason_does_not_echo_values() {
        let r = reason_of("&((template=[[x]] 4111 1111 1111 1111))&");
        assert!(!r.contains("4111"), "{r}");
        let r = reason_of("&((template=[[x]] 4111111111111111=[[x");
        assert!(!r.contains("4111"), "{r}");
        let r = reason_of("&((template=[[x]] 4111111111111111=[[x))&");
        assert_eq!(
            r,
            "the value of a key in the template shorthand is not closed by ]]"
        );
        let r = reason_of("&((template=[[x]] header_1=[[x))&");
        assert!(r.contains("`header_1`"), "{r}");
    }

    #[test]
    fn w15_malformed_span_starts_at_opening() {
        let scan = scan_shorthand("ab &((template=[[x]] !! ))&");
        assert_eq!(scan.span.map(|s| s.start), Some(3));
        assert!(scan.extras.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn w15_scan_never_panics_and_span_is_in_bounds(text in "(&|\\(|\\)|\\[|\\]|=|[a-z_]|\\s|é){0,80}") {
            let scan = scan_shorthand(&text);
            if let Some(span) = scan.span {
                proptest::prop_assert!(span.start <= span.end && span.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(span.start));
                proptest::prop_assert!(text.is_char_boundary(span.end));
            }
        }
    }
}
