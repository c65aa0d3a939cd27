//! Cards inside a longer candidate (docs/redaction.md, "Cards next to other numbers";
//! supersedes the last sentence of redaction.md R1, "a longer run is never searched for
//! a card inside it").
//!
//! A candidate that is not a card as a whole may hold one next to another number:
//! `qty 2 4111 1111 1111 1111`, `4111 1111 1111 1111 123`, two cards one space apart.
//! A *group* is a run of digits with no separator inside; a group is never split.
//! Every *stretch* of whole consecutive groups that
//!
//! 1. is written the way card numbers are printed ([`printed_like_a_card`]),
//! 2. is a card number by R2–R4 and R9, and R5/R8 allow it at its own edges, and
//! 3. if printed in fours, fits its *run of fours* ([`fits_run_of_fours`]),
//!
//! is masked (R7); where two such stretches overlap, a digit either of them masks stays
//! masked. The stretches are tried left to right, shortest first at each group.
//!
//! Cost: a stretch printed like a card has at most five groups (4-4-4-4-3), so from
//! each group at most five stretches are tried, each of at most 19 digits, and the run
//! test looks at most one card's length further: the work is linear in the candidate's
//! length.

use super::scan::{
    digits_are_card, edges_allow, Candidate, DigitCursor, Output, MAX_DIGITS, MIN_DIGITS,
};
use super::RedactOptions;

/// Is a stretch of groups (their sizes, in order) written the way card numbers are
/// printed: in one piece; in fours, the last group 1 to 4 digits long (4-4-4, 4-4-4-1 …
/// 4-4-4-4-3); or 4-6-5 / 4-6-4 (American Express, Diners Club)?
pub(super) fn printed_like_a_card(groups: &[u8]) -> bool {
    match groups {
        [] => false,
        [_] | [4, 6, 4] | [4, 6, 5] => true,
        [init @ .., last] => init.iter().all(|&g| g == 4) && (1..=4).contains(last),
    }
}

/// Is a stretch printed like a card printed *in fours*: two or more groups, all of
/// four digits but the last?
fn in_fours(groups: &[u8]) -> bool {
    groups.len() >= 2 && groups[..groups.len() - 1].iter().all(|&g| g == 4)
}

/// Can a stretch whose groups so far are `groups` still grow into one printed like a
/// card ([`printed_like_a_card`]) by adding a group at its end?
fn may_grow(groups: &[u8]) -> bool {
    groups == [4, 6] || groups.iter().all(|&g| g == 4)
}

/// Does the four-digit group `g` read as a month and year, `MMYY` with `MM` 01–12?
fn month_year(g: &[u8]) -> bool {
    matches!(g, [b'0', b'1'..=b'9', ..] | [b'1', b'0'..=b'2', ..])
}

/// The end of the digit run starting at `from`.
fn run_end(bytes: &[u8], from: usize) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|b| !b.is_ascii_digit()))
        .map_or(bytes.len(), |k| from + k)
}

/// The first digit in `bytes[from..end]`.
fn next_digit(bytes: &[u8], from: usize, end: usize) -> Option<usize> {
    (from..end).find(|&p| bytes[p].is_ascii_digit())
}

/// The stretches starting at the group at byte `at` (up to the candidate's end
/// `end`) that are printed like a card and are cards by R2–R4, R9 and R5/R8 at their
/// edges, shortest first, each passed to `each` until it returns `false`. Returns the
/// end of the group at `at`.
fn card_stretches(
    text: &str,
    at: usize,
    end: usize,
    opts: &RedactOptions,
    mut each: impl FnMut(&Candidate) -> bool,
) -> usize {
    let bytes = text.as_bytes();
    let mut stretch = Candidate::new(at);
    let first_end = stretch.take_run(bytes, at);
    steps::add(first_end - at);
    if stretch.count != 4 && !(MIN_DIGITS..=MAX_DIGITS).contains(&stretch.count) {
        return first_end; // no stretch printed like a card begins with such a group
    }
    let mut group_end = first_end;
    while stretch.count <= MAX_DIGITS {
        let groups = &stretch.groups[..stretch.ngroups];
        if stretch.count >= MIN_DIGITS
            && printed_like_a_card(groups)
            && digits_are_card(&stretch, opts)
            && edges_allow(text, &stretch, opts)
            && !each(&stretch)
        {
            break;
        }
        if !may_grow(groups) {
            break;
        }
        let Some(next) = next_digit(bytes, group_end, end) else {
            break;
        };
        group_end = stretch.take_run(bytes, next);
        steps::add(group_end - next);
    }
    first_end
}

/// Does a card stretch start at the group at byte `at`?
fn card_starts_at(text: &str, at: usize, end: usize, opts: &RedactOptions) -> bool {
    let mut found = false;
    let _ = card_stretches(text, at, end, opts, |_| {
        found = true;
        false
    });
    found
}

/// The run-of-fours test for a stretch printed in fours ([`in_fours`]). A longer
/// number printed in fours (a tracking number, a bank account) looks like a card
/// followed or preceded by more fours, so the stretch must begin where its row of
/// four-digit groups begins or right where a card found before it ends (`may_begin`), and
/// if its last group has four digits, the row must end there, or go on with another
/// card, or hold just one more group that reads as a month and year (`MMYY`) and ends
/// the candidate or is followed by a three-digit security code. Other stretches always
/// pass.
fn fits_run_of_fours(
    text: &str,
    stretch: &Candidate,
    end: usize,
    opts: &RedactOptions,
    may_begin: bool,
) -> bool {
    let groups = &stretch.groups[..stretch.ngroups];
    if !in_fours(groups) {
        return true;
    }
    if !may_begin {
        return false;
    }
    if groups.last() != Some(&4) {
        return true;
    }
    let bytes = text.as_bytes();
    let Some(next) = next_digit(bytes, stretch.end, end) else {
        return true;
    };
    let next_end = run_end(bytes, next);
    steps::add(next_end - next);
    if next_end - next != 4 || card_starts_at(text, next, end, opts) {
        return true;
    }
    // One more group of four: an expiry date `MMYY`, the last group of the candidate
    // or followed by a security code of three digits.
    let then_code = match next_digit(bytes, next_end, end) {
        None => true,
        Some(n) => {
            let n_end = run_end(bytes, n);
            steps::add(n_end - n);
            n_end - n == 3
        }
    };
    then_code && month_year(&bytes[next..next_end])
}

/// Masks the cards made of whole groups of `cand`, which is not a card as a whole, is
/// not left alone by R5 and touches no ASCII letter; returns how many were found.
pub(super) fn mask_inside(
    text: &str,
    cand: &Candidate,
    opts: &RedactOptions,
    output: &mut Output<'_>,
) -> usize {
    let bytes = text.as_bytes();
    let mut found = 0;
    let mut cursor = DigitCursor::new(cand.start, cand.end);
    // The digits still to mask, as candidate digit indices `lo..hi`: ranges come in
    // increasing order of `lo`, so overlapping ones merge here before being written.
    let mut pending: Option<(usize, usize)> = None;
    let mut start = Some(cand.start);
    let mut start_idx = 0usize; // index in the candidate of the first digit of `start`
                                // Digits in the group before `start` (0: none).
    let mut prev_group = 0usize;
    // Bit k: a card found so far ends just before digit `start_idx + k` (a card has at
    // most 19 digits, so k < 64).
    let mut card_ends: u64 = 0;
    while let Some(s) = start {
        let may_begin = prev_group != 4 || card_ends & 1 == 1;
        let first_end = card_stretches(text, s, cand.end, opts, |stretch| {
            if fits_run_of_fours(text, stretch, cand.end, opts, may_begin) {
                found += 1;
                output.start();
                card_ends |= 1 << stretch.count;
                let lo = start_idx.saturating_add(opts.keep_first);
                let hi = (start_idx + stretch.count).saturating_sub(opts.keep_last);
                if lo < hi {
                    pending = match pending {
                        Some((plo, phi)) if lo <= phi => Some((plo, phi.max(hi))),
                        Some((plo, phi)) => {
                            output.mask(&mut cursor, plo, phi, opts.mask);
                            Some((lo, hi))
                        }
                        None => Some((lo, hi)),
                    };
                }
            }
            true
        });
        let digits = first_end - s;
        start_idx += digits;
        card_ends = u32::try_from(digits)
            .ok()
            .and_then(|d| card_ends.checked_shr(d))
            .unwrap_or(0);
        prev_group = digits;
        start = next_digit(bytes, first_end, cand.end);
    }
    if let Some((lo, hi)) = pending {
        output.mask(&mut cursor, lo, hi, opts.mask);
    }
    found
}

/// A count of the digits the search inside candidates reads, for the test that its
/// work is linear in the input length (no timing). Does nothing outside tests.
pub(super) mod steps {
    #[cfg(test)]
    thread_local! {
        static STEPS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// Counts `n` digits read.
    #[inline]
    pub(in crate::redact) fn add(n: usize) {
        #[cfg(test)]
        STEPS.with(|s| s.set(s.get() + n));
        let _ = n;
    }

    /// Digits read on this thread since the last call, and reset.
    #[cfg(test)]
    pub(in crate::redact) fn take() -> usize {
        STEPS.with(|s| s.replace(0))
    }
}
