//! The value semantics of conditions, in one place: the engine evaluates with them and
//! `check` reasons with them (equality is case-insensitive for text, `none` equals an
//! empty text, `<`/`>` compare ranks or numbers, a missing value makes every comparison
//! false; dsl.md "Conditions").

use std::cmp::Ordering;

use super::ir::Lit;

/// A single field value, borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ValueRef<'a> {
    /// No value.
    Null,
    /// An ordered enum value by rank.
    Rank(u8),
    /// Text as written.
    Text(&'a str),
    /// A boolean.
    Bool(bool),
    /// A number.
    Num(f64),
}

/// Case-insensitive equality of `text` with an already lowercased `lower`.
pub(crate) fn eq_lower(text: &str, lower: &str) -> bool {
    if text.is_ascii() {
        text.eq_ignore_ascii_case(lower)
    } else {
        text.chars().flat_map(char::to_lowercase).eq(lower.chars())
    }
}

/// `is` between a value and one literal.
pub(crate) fn eq_lit(v: ValueRef, l: &Lit) -> bool {
    match (v, l) {
        (ValueRef::Null, Lit::Null) => true,
        (ValueRef::Text(s), Lit::Null) => s.is_empty(),
        (ValueRef::Rank(a), Lit::Rank(b)) => a == *b,
        (ValueRef::Text(a), Lit::Text(b)) => eq_lower(a, b),
        (ValueRef::Bool(a), Lit::Bool(b)) => a == *b,
        (ValueRef::Num(a), Lit::Num(b)) => a == *b,
        (ValueRef::Text(a), Lit::Num(b)) => a.trim().parse::<f64>().is_ok_and(|a| a == *b),
        (ValueRef::Num(a), Lit::Text(b)) => b.parse::<f64>().is_ok_and(|b| a == b),
        (ValueRef::Bool(a), Lit::Text(b)) => (if a { "true" } else { "false" }) == b,
        _ => false,
    }
}

/// The order of a value against a literal for `<`, `<=`, `>`, `>=`; `None` when they do
/// not compare (the condition is then false).
pub(crate) fn cmp_lit(v: ValueRef, l: &Lit) -> Option<Ordering> {
    match (v, l) {
        (ValueRef::Rank(a), Lit::Rank(b)) => Some(a.cmp(b)),
        (ValueRef::Num(a), Lit::Num(b)) => a.partial_cmp(b),
        (ValueRef::Text(a), Lit::Num(b)) => a.trim().parse::<f64>().ok()?.partial_cmp(b),
        _ => None,
    }
}

/// `present`: the value is set and not empty text.
pub(crate) fn present(v: ValueRef) -> bool {
    match v {
        ValueRef::Null => false,
        ValueRef::Text(s) => !s.is_empty(),
        _ => true,
    }
}

/// `contains word`: `needle` occurs in `hay` with no letter, digit or `_` on either side.
pub(crate) fn contains_word(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut start = 0;
    while let Some(i) = hay[start..].find(needle) {
        let at = start + i;
        let end = at + needle.len();
        let before_ok = hay[..at].chars().next_back().is_none_or(|c| !is_word(c));
        let after_ok = hay[end..].chars().next().is_none_or(|c| !is_word(c));
        if before_ok && after_ok {
            return true;
        }
        start = at + needle.chars().next().map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_word_needs_boundaries() {
        assert!(contains_word("please refund me", "refund"));
        assert!(!contains_word("refunded", "refund"));
        assert!(contains_word("refund.", "refund"));
        assert!(contains_word("a refunded refund", "refund"));
    }

    #[test]
    fn equality_is_case_insensitive_and_none_is_empty() {
        assert!(eq_lit(
            ValueRef::Text("WhatsApp"),
            &Lit::Text("whatsapp".into())
        ));
        assert!(eq_lit(ValueRef::Text(""), &Lit::Null));
        assert!(eq_lit(ValueRef::Num(3.0), &Lit::Text("3".into())));
        assert!(eq_lower("ÉTÉ", "été"));
        assert_eq!(cmp_lit(ValueRef::Null, &Lit::Rank(1)), None);
    }
}
