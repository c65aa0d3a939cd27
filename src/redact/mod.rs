//! Card-number scanner and masking (redaction.md R1–R9; whatsapp.md W13).
//!
//! Pure functions over `&str`: no I/O, no allocation when the text holds no card number
//! (the result borrows the input), time linear in the input length.
//!
//! - [`redact`] masks with explicit [`RedactOptions`] (the `redact` rule action and
//!   `ticket-rules redact`).
//! - [`scrub`] masks with the defaults; it is the last line of defence every string the
//!   program writes passes through (events.md).
//!
//! ```
//! use ticket_rules::redact::{redact, scrub, RedactOptions};
//! let r = redact("my card is 4111111111111111 thanks", &RedactOptions::default());
//! assert_eq!(r.text, "my card is 411111▇▇▇▇▇▇1111 thanks");
//! assert_eq!(r.count, 1);
//! assert_eq!(scrub("no card here"), "no card here");
//! ```

use std::borrow::Cow;

mod inside;
mod issuers;
mod scan;

/// The default mask character, `▇` (U+2587, LOWER SEVEN EIGHTHS BLOCK) (R7).
pub const DEFAULT_MASK: char = '\u{2587}';

/// Largest `keep_first + keep_last` accepted: a 12-digit number keeps at least 2 digits
/// masked (R7).
pub const MAX_KEPT_DIGITS: usize = 10;

/// Options of the redaction (R7–R9). Build checked values with [`RedactOptions::new`];
/// [`Default`] gives the spec's defaults (6, 4, `▇`, no groupings, no word boundaries).
///
/// The fields are public for reading; a value built by hand that breaks the R7 limits
/// still never makes [`redact`] panic (it simply masks fewer digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedactOptions {
    /// Digits kept in clear at the start of a card number (R7; default 6).
    pub keep_first: usize,
    /// Digits kept in clear at the end of a card number (R7; default 4).
    pub keep_last: usize,
    /// The character each masked digit becomes (R7; default `▇`, U+2587).
    pub mask: char,
    /// R9: a separated number is only a card if its digit groups begin with one of its
    /// issuer's groupings (default off).
    pub groupings: bool,
    /// R8 option: ASCII letters may not touch the number, except `cc`, `card`, `visa`,
    /// `amex` just before it and `ex…` (`exp`, `expires`) just after it (default off).
    pub word_boundaries: bool,
}

impl Default for RedactOptions {
    /// The spec's defaults: keep 6 and 4, mask `▇`, no groupings, no word boundaries.
    fn default() -> Self {
        RedactOptions {
            keep_first: 6,
            keep_last: 4,
            mask: DEFAULT_MASK,
            groupings: false,
            word_boundaries: false,
        }
    }
}

/// Options refused by [`RedactOptions::new`] (R7).
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum RedactOptionsError {
    /// `keep_first + keep_last` exceeds [`MAX_KEPT_DIGITS`].
    #[error(
        "keep-first {keep_first} plus keep-last {keep_last} would keep {} digits in clear, more than {max}: \
         a 12-digit card number must keep at least 2 digits masked (R7); lower one of them",
        keep_first.saturating_add(*keep_last),
        max = MAX_KEPT_DIGITS
    )]
    KeepsTooMany {
        /// The refused keep-first.
        keep_first: usize,
        /// The refused keep-last.
        keep_last: usize,
    },
    /// The mask character is numeric (a digit would look like part of the number).
    #[error("the mask {mask:?} is a digit; masked digits must not look like digits (R7): use e.g. '▇' or '*'")]
    NumericMask {
        /// The refused mask.
        mask: char,
    },
    /// The mask character is a control character (a newline mask would split lines).
    #[error("the mask {mask:?} is a control character, which would break the line structure of the text: use a visible character such as '▇' or '*'")]
    ControlMask {
        /// The refused mask.
        mask: char,
    },
    /// The mask character shows nothing by itself (white space, zero-width or format
    /// character, combining mark, private-use or unassigned code point): masked digits
    /// would vanish from sight.
    #[error("the mask U+{:04X} is invisible (white space, a zero-width or format character, or a combining mark); masked digits must stay visible (R7): use e.g. '▇' or '*'", u32::from(*mask))]
    InvisibleMask {
        /// The refused mask.
        mask: char,
    },
}

/// True for a character that shows nothing by itself: white space, format characters
/// (zero-width space, byte-order mark, joiners, direction marks), combining marks,
/// surrogates, private-use and unassigned code points.
fn is_invisible(c: char) -> bool {
    use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};
    c.is_whitespace()
        || matches!(
            c.general_category(),
            G::Format
                | G::SpaceSeparator
                | G::LineSeparator
                | G::ParagraphSeparator
                | G::NonspacingMark
                | G::EnclosingMark
                | G::SpacingMark
                | G::Surrogate
                | G::PrivateUse
                | G::Unassigned
        )
}

impl RedactOptions {
    /// Checked options (R7).
    ///
    /// # Errors
    /// [`RedactOptionsError::KeepsTooMany`] when `keep_first + keep_last > 10`;
    /// [`RedactOptionsError::NumericMask`] when `mask` is numeric (`char::is_numeric`,
    /// which includes the ASCII digits); [`RedactOptionsError::ControlMask`] when `mask`
    /// is a control character; [`RedactOptionsError::InvisibleMask`] when it shows nothing
    /// by itself (white space, a format character such as U+200B, a combining mark, a
    /// private-use or unassigned code point).
    pub fn new(
        keep_first: usize,
        keep_last: usize,
        mask: char,
        groupings: bool,
        word_boundaries: bool,
    ) -> Result<Self, RedactOptionsError> {
        if keep_first.saturating_add(keep_last) > MAX_KEPT_DIGITS {
            return Err(RedactOptionsError::KeepsTooMany {
                keep_first,
                keep_last,
            });
        }
        if mask.is_numeric() {
            return Err(RedactOptionsError::NumericMask { mask });
        }
        if mask.is_control() {
            return Err(RedactOptionsError::ControlMask { mask });
        }
        if is_invisible(mask) {
            return Err(RedactOptionsError::InvisibleMask { mask });
        }
        Ok(RedactOptions {
            keep_first,
            keep_last,
            mask,
            groupings,
            word_boundaries,
        })
    }
}

/// The result of [`redact`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted<'a> {
    /// The text with card numbers masked; `Cow::Borrowed` (the input itself) when no
    /// card number was found.
    pub text: Cow<'a, str>,
    /// How many card numbers were masked.
    pub count: usize,
}

/// Masks every card number in `text` (R1–R9).
///
/// A candidate is a maximal run of ASCII digits, consecutive digits at most five
/// separator characters apart (R1), after expiry dates are set aside (R6). It is a card
/// number if it has 12–19 digits (R2), passes Luhn (R3), matches an issuer's prefix and
/// length (R4), is not preceded by `+`, `&#43;` or `/` nor inside a URL (R5), and meets
/// the optional groupings (R9) and word-boundary (R8) tests. A candidate that is not a
/// card is searched for cards made of its whole digit groups — a card next to another
/// number, its security code or a second card (docs/redaction.md, "Cards next to other
/// numbers"; this supersedes R1's "a longer run is never searched"). A card's digits
/// except the first `keep_first` and last `keep_last` become `mask`; everything else is
/// unchanged (R7), so with a one-character mask the output has as many characters as
/// the input. [`Redacted::count`] counts the cards masked.
///
/// Never panics; allocates only when something is masked; linear time.
pub fn redact<'a>(text: &'a str, opts: &RedactOptions) -> Redacted<'a> {
    scan::redact(text, opts)
}

/// [`redact`] with the default options, returning only the text: the last line of
/// defence every string the program writes passes through (events.md; W13).
pub fn scrub(text: &str) -> Cow<'_, str> {
    redact(text, &RedactOptions::default()).text
}

#[cfg(test)]
mod tests;
