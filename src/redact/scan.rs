//! The single-pass scanner behind [`super::redact`] (R1–R9).
//!
//! One left-to-right pass over the UTF-8 bytes:
//! - digit-free stretches are skipped 16 bytes at a time;
//! - at each digit that follows white space the expiry-date pattern (R6) is tried, and a
//!   date found is set aside as a barrier;
//! - otherwise a maximal candidate is grown (R1): digit runs joined by at most five
//!   separator characters;
//! - a candidate is judged cheapest test first: length (R2), Luhn (R3), issuer (R4),
//!   groupings (R9), what precedes it (R5), URL context (R5), word boundaries (R8);
//! - a candidate of more than 12 digits in several groups that is not a card, not left
//!   alone by R5 and not glued to a letter before it is searched for cards made of its
//!   whole groups ([`super::inside`]; docs/redaction.md);
//! - the output string is only allocated at the first card found.
//!
//! Every step looks a bounded distance back or ahead, and the URL context is tracked by
//! a cursor that only moves forward, so the time is linear in the input length.

use std::borrow::Cow;

use super::inside;
use super::issuers;
use super::{RedactOptions, Redacted};

/// At most this many separator characters may stand between two digits (R1).
const MAX_SEPARATORS: usize = 5;
/// Fewest digits of a card number (R2).
pub(super) const MIN_DIGITS: usize = 12;
/// Most digits of a card number (R2); digits kept per candidate.
pub(super) const MAX_DIGITS: usize = 19;
/// Words accepted just before a number when word boundaries are required (R8).
const PREFIX_WORDS: [&[u8]; 4] = [b"cc", b"card", b"visa", b"amex"];

/// Is the ASCII byte `b` a separator (R1)? Every ASCII character except letters,
/// digits, `_`, newline, `,`, `(`, `)`, `&`, `.`, `/`, `:`, `;`, `<`, `>`.
/// (Every non-ASCII character is a separator; the caller handles those.)
#[inline]
fn is_ascii_separator(b: u8) -> bool {
    !(b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'_' | b'\n' | b',' | b'(' | b')' | b'&' | b'.' | b'/' | b':' | b';' | b'<' | b'>'
        ))
}

/// Length in bytes of the UTF-8 character whose first byte is `b`.
#[inline]
fn utf8_len(b: u8) -> usize {
    match b {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// Position of the first ASCII digit in `bytes[from..]`.
///
/// Most chat lines have no digits at all: 16-byte blocks are tested with a branch-free
/// fold the compiler turns into SIMD compares, then the block with a digit is searched.
#[inline]
fn find_digit(bytes: &[u8], from: usize) -> Option<usize> {
    const BLOCK: usize = 16;
    let mut i = from;
    while let Some(block) = bytes.get(i..i + BLOCK) {
        let has_digit = block
            .iter()
            .fold(false, |acc, &b| acc | (b.wrapping_sub(b'0') < 10));
        if has_digit {
            break;
        }
        i += BLOCK;
    }
    bytes
        .get(i..)?
        .iter()
        .position(u8::is_ascii_digit)
        .map(|p| i + p)
}

/// R6: if the digit at `d` begins an expiry date, the end (exclusive) of the part set
/// aside — month, `/` or `-`, year and the one non-digit character after it.
///
/// The pattern is white space, a month `1`–`12` (optionally zero-padded), `/` or `-`,
/// exactly 2 or 4 digits, then a non-digit or the end. As in the reference, dates do not
/// overlap: the white space must not lie inside the previous date (`prev_end`).
fn expiry_at(text: &str, d: usize, prev_end: Option<usize>) -> Option<usize> {
    let bytes = text.as_bytes();
    let ws = text.get(..d)?.chars().next_back()?;
    if !ws.is_whitespace() {
        return None;
    }
    if prev_end.is_some_and(|end| d - ws.len_utf8() < end) {
        return None;
    }
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    // The rest after the month (which ends at `m`): separator, year, one non-digit.
    let rest = |m: usize| -> Option<usize> {
        if !matches!(bytes.get(m), Some(b'/' | b'-')) {
            return None;
        }
        let year = m + 1;
        [4usize, 2].into_iter().find_map(|len| {
            let end = year + len;
            if !(year..end).all(digit) {
                return None;
            }
            match bytes.get(end) {
                None => Some(end),
                Some(b) if !b.is_ascii_digit() => Some(end + utf8_len(*b)),
                Some(_) => None,
            }
        })
    };
    match bytes[d] {
        b'0' => match bytes.get(d + 1) {
            Some(b'1'..=b'9') => rest(d + 2),
            _ => None,
        },
        b'1' => rest(d + 1).or_else(|| match bytes.get(d + 1) {
            Some(b'0'..=b'2') => rest(d + 2),
            _ => None,
        }),
        _ => rest(d + 1),
    }
}

/// A candidate number (R1) as it is grown, or a stretch of its digit groups.
pub(super) struct Candidate {
    /// Byte offset of the first digit.
    pub(super) start: usize,
    /// Byte offset just past the last digit.
    pub(super) end: usize,
    /// Total digit count (may exceed `MAX_DIGITS`).
    pub(super) count: usize,
    /// The first `MAX_DIGITS` digit values.
    digits: [u8; MAX_DIGITS],
    /// Sizes of the first `MAX_DIGITS` digit groups (R9).
    pub(super) groups: [u8; MAX_DIGITS],
    /// Number of groups recorded (at most `MAX_DIGITS`).
    pub(super) ngroups: usize,
    /// Some group could begin a stretch printed like a card: it has four digits, or
    /// 12 to 19 ([`super::inside`]).
    pub(super) has_card_start: bool,
}

impl Candidate {
    pub(super) fn new(start: usize) -> Self {
        Candidate {
            start,
            end: start,
            count: 0,
            digits: [0; MAX_DIGITS],
            groups: [0; MAX_DIGITS],
            ngroups: 0,
            has_card_start: false,
        }
    }

    /// Records the digit run `bytes[from..]`, returning the offset just past it.
    #[inline]
    pub(super) fn take_run(&mut self, bytes: &[u8], from: usize) -> usize {
        let mut j = from;
        while let Some(&b) = bytes.get(j) {
            if !b.is_ascii_digit() {
                break;
            }
            if self.count < MAX_DIGITS {
                self.digits[self.count] = b - b'0';
            }
            self.count += 1;
            j += 1;
        }
        let len = j - from;
        self.has_card_start |= len == 4 || (MIN_DIGITS..=MAX_DIGITS).contains(&len);
        if self.ngroups < MAX_DIGITS {
            self.groups[self.ngroups] = u8::try_from(len).unwrap_or(u8::MAX);
            self.ngroups += 1;
        }
        self.end = j;
        j
    }
}

/// Whether a position lies inside a URL (R5): a scheme (a letter, then up to 9 letters,
/// digits, `+`, `.`, `-`), `://`, then no white space and no `>` up to the position.
///
/// Positions are asked for in increasing order. Each question scans backwards from the
/// position only to the nearest white space, `>` or `://`, and never past the previous
/// position (whose answer carries over), so all questions together cost linear time
/// and, in chat text, only a few bytes each.
struct UrlCursor {
    /// The last position asked about.
    pos: usize,
    /// The answer at `pos`.
    in_url: bool,
}

impl UrlCursor {
    fn in_url_at(&mut self, text: &str, at: usize) -> bool {
        if at <= self.pos {
            return self.in_url;
        }
        let Some(segment) = text.get(self.pos..at) else {
            return self.in_url;
        };
        let mut answer = self.in_url; // nothing in between: the state carries over
        for (k, c) in segment.char_indices().rev() {
            if c.is_whitespace() || c == '>' {
                answer = false;
                break;
            }
            if c == ':' {
                let p = self.pos + k;
                if text.as_bytes()[p..].starts_with(b"://") && has_scheme_before(text, p) {
                    answer = true;
                    break;
                }
            }
        }
        self.pos = at;
        self.in_url = answer;
        answer
    }
}

/// Is there a URL scheme ending at byte `p`?
fn has_scheme_before(text: &str, p: usize) -> bool {
    let bytes = text.as_bytes();
    let scheme_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-');
    (1..=10)
        .take_while(|&len| len <= p && scheme_char(bytes[p - len]))
        .any(|len| bytes[p - len].is_ascii_alphabetic())
}

/// Does `bytes` end with `word`, ignoring ASCII case?
fn ends_with_ignore_case(bytes: &[u8], word: &[u8]) -> bool {
    bytes.len() >= word.len() && bytes[bytes.len() - word.len()..].eq_ignore_ascii_case(word)
}

/// Redacts with the given options; see [`super::redact`].
pub(super) fn redact<'a>(text: &'a str, opts: &RedactOptions) -> Redacted<'a> {
    let bytes = text.as_bytes();
    let mut output = Output {
        text,
        out: None,
        copied: 0,
    };
    let mut count = 0;
    let mut last_expiry: Option<usize> = None;
    let mut url = UrlCursor {
        pos: 0,
        in_url: false,
    };
    let mut i = 0;

    while let Some(d) = find_digit(bytes, i) {
        if let Some(end) = expiry_at(text, d, last_expiry) {
            last_expiry = Some(end);
            i = end;
            continue;
        }
        let mut cand = Candidate::new(d);
        let mut j = cand.take_run(bytes, d);
        // Grow the candidate while the next digit is at most five separators away.
        let mut expiry_after: Option<usize> = None;
        loop {
            let mut k = j;
            let mut seps = 0;
            let next = loop {
                let Some(&b) = bytes.get(k) else { break None };
                if b.is_ascii_digit() {
                    break Some(k);
                }
                if seps == MAX_SEPARATORS || (b < 0x80 && !is_ascii_separator(b)) {
                    break None;
                }
                k += utf8_len(b);
                seps += 1;
            };
            let Some(next) = next else { break };
            if let Some(end) = expiry_at(text, next, last_expiry) {
                expiry_after = Some(end);
                break;
            }
            j = cand.take_run(bytes, next);
        }

        if is_card(text, &cand, opts, &mut url) {
            // R7: all digits but the first `keep_first` and the last `keep_last`.
            output.start();
            let mut cursor = DigitCursor::new(cand.start, cand.end);
            let hi = cand.count.saturating_sub(opts.keep_last);
            output.mask(&mut cursor, opts.keep_first, hi, opts.mask);
            count += 1;
        } else if cand.count > MIN_DIGITS
            && cand.ngroups > 1
            && cand.has_card_start
            && !after_letter(bytes, cand.start)
            && !r5_excluded(text, cand.start, &mut url)
        {
            // Not a card as a whole: look for cards made of its whole digit groups.
            count += inside::mask_inside(text, &cand, opts, &mut output);
        }
        i = match expiry_after {
            Some(end) => {
                last_expiry = Some(end);
                end
            }
            None => cand.end,
        };
    }

    Redacted {
        text: output.finish(),
        count,
    }
}

/// R5: is a number starting at byte `start` directly preceded by `+`, `&#43;` or `/`
/// (a phone number or a path)?
fn after_plus_or_slash(text: &str, start: usize) -> bool {
    let before = &text.as_bytes()[..start];
    matches!(before.last(), Some(b'+' | b'/')) || before.ends_with(b"&#43;")
}

/// R5: is the number starting at byte `start` left alone — directly preceded by `+`,
/// `&#43;` or `/`, or inside a URL?
fn r5_excluded(text: &str, start: usize, url: &mut UrlCursor) -> bool {
    after_plus_or_slash(text, start) || url.in_url_at(text, start)
}

/// R2–R5, R8, R9: is the candidate a card number to mask?
fn is_card(text: &str, cand: &Candidate, opts: &RedactOptions, url: &mut UrlCursor) -> bool {
    digits_are_card(cand, opts)
        && !r5_excluded(text, cand.start, url)
        && r8_allows(text, cand, opts)
}

/// R2–R4, R9: are the digits of `cand` (and the sizes of its groups) a card number's?
pub(super) fn digits_are_card(cand: &Candidate, opts: &RedactOptions) -> bool {
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&cand.count) {
        return false; // R2
    }
    let digits = &cand.digits[..cand.count];
    if !issuers::luhn_valid(digits) {
        return false; // R3 (before R4: cheaper, and rejects nine numbers in ten)
    }
    let Some(issuer) = issuers::find(digits) else {
        return false; // R4
    };
    !opts.groupings || issuer.accepts_groups(&cand.groups[..cand.ngroups]) // R9
}

/// R5 without the URL test, and R8: may the number `cand` be masked, given the
/// characters just before and after it? For a number inside a candidate that R5 does
/// not exclude (no URL can begin inside a candidate: `:` ends it).
pub(super) fn edges_allow(text: &str, cand: &Candidate, opts: &RedactOptions) -> bool {
    !after_plus_or_slash(text, cand.start) && r8_allows(text, cand, opts)
}

/// R8: with the word-boundaries option, ASCII letters must not touch the number,
/// except the words cc/card/visa/amex before it and ex… (exp, expires) after it.
fn r8_allows(text: &str, cand: &Candidate, opts: &RedactOptions) -> bool {
    if !opts.word_boundaries {
        return true;
    }
    let before = &text.as_bytes()[..cand.start];
    let letter_before = before.last().is_some_and(u8::is_ascii_alphabetic);
    if letter_before
        && !PREFIX_WORDS
            .iter()
            .any(|w| ends_with_ignore_case(before, w))
    {
        return false;
    }
    let after = &text.as_bytes()[cand.end..];
    !(after.first().is_some_and(u8::is_ascii_alphabetic)
        && !(after.len() >= 2 && after[..2].eq_ignore_ascii_case(b"ex")))
}

/// Is the number starting at byte `start` glued to an ASCII letter before it (`DE89 …`,
/// `INV2024 …`: an identifier)?
fn after_letter(bytes: &[u8], start: usize) -> bool {
    start
        .checked_sub(1)
        .and_then(|p| bytes.get(p))
        .is_some_and(u8::is_ascii_alphabetic)
}

/// The redacted text, allocated at the first card found (clean text is borrowed).
pub(super) struct Output<'a> {
    text: &'a str,
    out: Option<String>,
    /// `text[..copied]` is already in `out`.
    copied: usize,
}

impl<'a> Output<'a> {
    /// A card was found: from now on the result is an owned string.
    pub(super) fn start(&mut self) {
        if self.out.is_none() {
            self.out = Some(String::with_capacity(self.text.len() + 64));
        }
    }

    /// R7: replaces by `mask` the digits of a number whose indices (counted from the
    /// number's first digit, 0-based) lie in `lo..hi`, walking `cursor` forward from
    /// where it stands; separators stay as they are. Calls must come in increasing
    /// order of `lo`, each at or after the `hi` of the previous call.
    pub(super) fn mask(&mut self, cursor: &mut DigitCursor, lo: usize, hi: usize, mask: char) {
        let Some(out) = self.out.as_mut() else {
            return;
        };
        let bytes = self.text.as_bytes();
        while cursor.idx < hi {
            let Some(p) = (cursor.pos..cursor.end).find(|&p| bytes[p].is_ascii_digit()) else {
                return;
            };
            if cursor.idx >= lo {
                out.push_str(&self.text[self.copied..p]);
                out.push(mask);
                self.copied = p + 1;
            }
            cursor.idx += 1;
            cursor.pos = p + 1;
        }
    }

    fn finish(self) -> Cow<'a, str> {
        match self.out {
            None => Cow::Borrowed(self.text),
            Some(mut out) => {
                out.push_str(&self.text[self.copied..]);
                Cow::Owned(out)
            }
        }
    }
}

/// Walks the digits of one number (a candidate) left to right for [`Output::mask`].
pub(super) struct DigitCursor {
    /// The next byte to look at.
    pos: usize,
    /// The index of the next digit (0 for the number's first digit).
    idx: usize,
    /// The end of the number (exclusive).
    end: usize,
}

impl DigitCursor {
    /// A cursor at the first digit of the number `start..end`.
    pub(super) fn new(start: usize, end: usize) -> Self {
        DigitCursor {
            pos: start,
            idx: 0,
            end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r1_separator_classes() {
        for b in [
            b' ', b'-', b'*', b'\t', b'\r', b'#', b'+', b'=', b'\'', b'"', b'~',
        ] {
            assert!(is_ascii_separator(b), "{:?}", b as char);
        }
        for b in b"aZ09_\n,()&./:;<>" {
            assert!(!is_ascii_separator(*b), "{:?}", *b as char);
        }
    }

    #[test]
    fn find_digit_across_blocks() {
        let mut s = "x".repeat(40);
        assert_eq!(find_digit(s.as_bytes(), 0), None);
        s.push('7');
        assert_eq!(find_digit(s.as_bytes(), 0), Some(40));
        assert_eq!(find_digit(s.as_bytes(), 41), None);
        assert_eq!(find_digit(b"12", 5), None);
        assert_eq!(find_digit("ありがとう9".as_bytes(), 0), Some(15));
    }

    #[test]
    fn r6_expiry_pattern() {
        fn at(s: &str) -> Option<&str> {
            let d = s.find(|c: char| c.is_ascii_digit()).unwrap();
            expiry_at(s, d, None).map(|e| &s[d..e])
        }
        assert_eq!(at(" 03/2015"), Some("03/2015"));
        assert_eq!(at(" 3/15 x"), Some("3/15 "));
        assert_eq!(at(" 12-15x"), Some("12-15x"));
        assert_eq!(at(" 11/29"), Some("11/29"));
        assert_eq!(at("\u{3000}11/29です"), Some("11/29で"));
        assert_eq!(at(" 13/15"), None);
        assert_eq!(at(" 00/15"), None);
        assert_eq!(at(" 03/155"), None);
        assert_eq!(at(" 03/20155"), None);
        assert_eq!(at(" 03/1"), None);
        assert_eq!(at(" 03.15"), None);
        assert_eq!(at("x03/15"), None);
        assert_eq!(at(" 1 11"), None);
    }

    #[test]
    fn r5_scheme_detection() {
        assert!(has_scheme_before("https://", 5));
        assert!(has_scheme_before("x-1+a.b://", 7));
        assert!(!has_scheme_before("1://", 1));
        assert!(!has_scheme_before("://", 0));
        // A letter more than 10 characters back does not make a scheme.
        assert!(!has_scheme_before("a1234567890://", 11));
        assert!(has_scheme_before("a123456789://", 10));
    }
}
