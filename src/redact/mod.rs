//! STUB — card-number scanner.
use std::borrow::Cow;

/// Options of the redaction (R7–R9).
#[derive(Debug, Clone, PartialEq)]
pub struct RedactOptions {
    /// Digits kept at the start.
    pub keep_first: usize,
    /// Digits kept at the end.
    pub keep_last: usize,
    /// Mask character.
    pub mask: char,
    /// R9.
    pub groupings: bool,
    /// R8 option.
    pub word_boundaries: bool,
}

/// Result of a redaction.
pub struct Redacted<'a> {
    /// The text, borrowed when nothing was masked.
    pub text: Cow<'a, str>,
    /// How many card numbers were masked.
    pub count: usize,
}

/// Masks card numbers.
pub fn redact<'a>(_text: &'a str, _opts: &RedactOptions) -> Redacted<'a> {
    unimplemented!("redact")
}
impl Default for RedactOptions {
    fn default() -> Self {
        RedactOptions {
            keep_first: 6,
            keep_last: 4,
            mask: '▇',
            groupings: false,
            word_boundaries: false,
        }
    }
}
impl RedactOptions {
    /// STUB
    pub fn new(
        keep_first: usize,
        keep_last: usize,
        mask: char,
        groupings: bool,
        word_boundaries: bool,
    ) -> Result<Self, String> {
        Ok(RedactOptions {
            keep_first,
            keep_last,
            mask,
            groupings,
            word_boundaries,
        })
    }
}
/// STUB
pub fn scrub(text: &str) -> Cow<'_, str> {
    Cow::Borrowed(text)
}
