//! Unit and property tests of the redaction (named after redaction.md's R ids).

use std::borrow::Cow;

use proptest::prelude::*;

use super::*;

fn red(text: &str) -> String {
    redact(text, &RedactOptions::default()).text.into_owned()
}

fn red_with(text: &str, opts: RedactOptions) -> String {
    redact(text, &opts).text.into_owned()
}

fn groupings() -> RedactOptions {
    RedactOptions {
        groupings: true,
        ..RedactOptions::default()
    }
}

fn word_boundaries() -> RedactOptions {
    RedactOptions {
        word_boundaries: true,
        ..RedactOptions::default()
    }
}

#[track_caller]
fn unchanged(text: &str) {
    let r = redact(text, &RedactOptions::default());
    assert!(
        matches!(r.text, Cow::Borrowed(_)),
        "{text:?} was changed to {:?}",
        r.text
    );
    assert_eq!(r.count, 0, "{text:?}");
}

#[test]
fn cases_table_of_redaction_md() {
    // (input, output or "=" for unchanged, cards masked)
    let cases: &[(&str, &str, usize)] = &[
        (
            "my card is 4111111111111111 thanks",
            "my card is 411111▇▇▇▇▇▇1111 thanks",
            1,
        ),
        ("5555 5555 5555 4444", "5555 55▇▇ ▇▇▇▇ 4444", 1),
        ("amex 3782 822463 10005 ok", "amex 3782 82▇▇▇▇ ▇0005 ok", 1),
        (
            "visa 4012888888881881 exp 11/29",
            "visa 401288▇▇▇▇▇▇1881 exp 11/29",
            1,
        ),
        ("6011-1111-1111-1117", "6011-11▇▇-▇▇▇▇-1117", 1),
        ("call +4111111111111111", "=", 0),
        (
            "see https://help.example.com/tickets/4111111111111111",
            "=",
            0,
        ),
        ("order 4111 1111 1111 1112", "=", 0),
        ("4111.1111.1111.1111", "=", 0),
        ("ref 04111111111111111", "=", 0),
        (
            "two: 4111111111111111 and 5105105105105100",
            "two: 411111▇▇▇▇▇▇1111 and 510510▇▇▇▇▇▇5100",
            2,
        ),
        (
            "4111 1111 1111 1111 03/2015",
            "4111 11▇▇ ▇▇▇▇ 1111 03/2015",
            1,
        ),
        ("card:4111111111111111", "card:411111▇▇▇▇▇▇1111", 1),
        ("4111111111111111번 카드", "411111▇▇▇▇▇▇1111번 카드", 1),
        ("1748503543012 please check", "=", 0),
    ];
    for &(input, expected, count) in cases {
        let r = redact(input, &RedactOptions::default());
        if expected == "=" {
            assert_eq!(r.text, input);
            assert!(matches!(r.text, Cow::Borrowed(_)), "{input:?} allocated");
        } else {
            assert_eq!(r.text, expected, "{input:?}");
        }
        assert_eq!(r.count, count, "{input:?}");
    }
}

#[test]
fn r1_spaces_dashes_and_stars_join_digits() {
    assert_eq!(red("4111 1111 1111 1111"), "4111 11▇▇ ▇▇▇▇ 1111");
    assert_eq!(red("4111-1111-1111-1111"), "4111-11▇▇-▇▇▇▇-1111");
    assert_eq!(
        red("4111*1111***1111*****1111"),
        "4111*11▇▇***▇▇▇▇*****1111"
    );
    assert_eq!(red("4111\t1111 - 1111 -1111"), "4111\t11▇▇ - ▇▇▇▇ -1111");
    assert_eq!(
        red("4111\u{a0}1111\u{2014}1111\u{2007}1111"),
        "4111\u{a0}11▇▇\u{2014}▇▇▇▇\u{2007}1111"
    );
}

#[test]
fn r1_non_separators_break_the_number() {
    for text in [
        "4111.1111.1111.1111",
        "4111,1111,1111,1111",
        "4111/1111/1111/1111",
        "4111:1111:1111:1111",
        "4111;1111;1111;1111",
        "4111<1111>1111 1111",
        "4111_1111_1111_1111",
        "4111a1111b1111c1111",
        "(411)1111111111111",
        "4111 1111\n1111 1111",
        "4111 1111\r\n1111 1111",
        "4111 1111&1111 1111",
    ] {
        unchanged(text);
    }
}

#[test]
fn r1_six_separators_break_the_number() {
    unchanged("4111 1111 1111      1111");
    unchanged("4111******1111 1111 1111");
    assert_eq!(red("4111*****1111 1111 1111"), "4111*****11▇▇ ▇▇▇▇ 1111");
}

#[test]
fn r1_non_ascii_letters_separate_counted_in_characters() {
    assert_eq!(red("4111カ1111カ1111カ1111"), "4111カ11▇▇カ▇▇▇▇カ1111");
    assert_eq!(red("4111한1111한1111한1111"), "4111한11▇▇한▇▇▇▇한1111");
    // Five kana are 15 bytes but 5 characters: still one number.
    assert_eq!(
        red("4111あいうえお111111111111"),
        "4111あいうえお11▇▇▇▇▇▇1111"
    );
    unchanged("4111あいうえおか111111111111");
    // Full-width digits are not digits (they separate).
    unchanged("４１１１１１１１１１１１１１１１");
}

/// R1 as superseded by issue 8 (docs/redaction.md): a candidate is still formed
/// maximally, but one that is not a card is searched for a card made of whole digit
/// groups (a number before, a digit or code after are no longer a hiding place).
#[test]
fn r1_candidates_are_maximal() {
    assert_eq!(red("12 4111111111111111"), "12 411111▇▇▇▇▇▇1111");
    assert_eq!(red("4111111111111111 1"), "411111▇▇▇▇▇▇1111 1");
    assert_eq!(red("4111 1111 1111 1111 5"), "4111 11▇▇ ▇▇▇▇ 1111 5");
    let long = "4111111111111111".repeat(500);
    unchanged(&long);
    // Far enough apart (6 separators) they are two numbers again.
    assert_eq!(red("12      4111111111111111"), "12      411111▇▇▇▇▇▇1111");
}

#[test]
fn r2_twelve_to_nineteen_digits() {
    // 12-digit Maestro, 19-digit Visa: the shortest and longest lengths.
    assert_eq!(red("500000000009"), "500000▇▇0009");
    assert_eq!(red("4111111111111111110"), "411111▇▇▇▇▇▇▇▇▇1110");
    // 11 and 20 digits with Maestro prefixes and a valid Luhn digit.
    unchanged("50000000009");
    unchanged("50000000000000000009");
}

#[test]
fn r3_luhn_must_pass() {
    unchanged("order 4111 1111 1111 1112");
    unchanged("5555555555554445");
    assert_eq!(red("5555555555554444"), "555555▇▇▇▇▇▇4444");
}

#[test]
fn r4_issuer_prefix_and_length() {
    unchanged("ref 04111111111111111");
    // Luhn-valid, Visa prefix, but 17 digits: Visa is 13, 16 or 19.
    unchanged("41111111111111113");
    // Luhn-valid 13 digits with no issuer (a timestamp-like number).
    unchanged("2000554750123");
    unchanged("1748503543012 please check");
    assert_eq!(red("diners 30569309025904"), "diners 305693▇▇▇▇5904");
    assert_eq!(red("jcb 3530111333300000"), "jcb 353011▇▇▇▇▇▇0000");
}

#[test]
fn r5_plus_prefix_is_phone_number() {
    unchanged("call +4111111111111111");
    unchanged("call &#43;4111111111111111");
    // Only when it directly precedes the number.
    assert_eq!(red("call + 4111111111111111"), "call + 411111▇▇▇▇▇▇1111");
}

#[test]
fn r5_slash_prefix_is_path() {
    unchanged("/4111111111111111");
    unchanged("files/4111111111111111.pdf");
}

#[test]
fn r5_inside_url_left_alone() {
    unchanged("see https://help.example.com/tickets/4111111111111111");
    unchanged("see https://help.example.com/t?id=4111111111111111&x=1");
    unchanged("x-my.app+1://open?n=4111-1111-1111-1111");
    // White space or `>` ends the URL.
    assert_eq!(
        red("see https://help.example.com/ 4111111111111111"),
        "see https://help.example.com/ 411111▇▇▇▇▇▇1111"
    );
    assert_eq!(
        red(r#"<a href="https://x.example">4111111111111111</a>"#),
        r#"<a href="https://x.example">411111▇▇▇▇▇▇1111</a>"#
    );
    // A scheme starts with a letter; `card:` without `//` is no URL.
    assert_eq!(red("1://x=4111111111111111"), "1://x=411111▇▇▇▇▇▇1111");
    assert_eq!(red("card:4111111111111111"), "card:411111▇▇▇▇▇▇1111");
    assert_eq!(
        red(r#"<span style="display:none;">4111111111111111</span>"#),
        r#"<span style="display:none;">411111▇▇▇▇▇▇1111</span>"#
    );
}

#[test]
fn r6_expiry_date_stays() {
    assert_eq!(
        red("4111 1111 1111 1111 03/2015"),
        "4111 11▇▇ ▇▇▇▇ 1111 03/2015"
    );
    assert_eq!(
        red("4111 1111 1111 1111 03-15"),
        "4111 11▇▇ ▇▇▇▇ 1111 03-15"
    );
    assert_eq!(
        red("4111 1111 1111 1111 3/15."),
        "4111 11▇▇ ▇▇▇▇ 1111 3/15."
    );
    assert_eq!(
        red("visa 4012888888881881 exp 11/29"),
        "visa 401288▇▇▇▇▇▇1881 exp 11/29"
    );
    // The date comes first too.
    assert_eq!(
        red("exp 12/2029 4111 1111 1111 1111"),
        "exp 12/2029 4111 11▇▇ ▇▇▇▇ 1111"
    );
    // The character after a date is set aside with it, but it still directly
    // precedes a number that follows (R5 reads the text as written).
    unchanged("exp 03/15+4111111111111111");
    assert_eq!(
        red("exp 03/15 4111111111111111"),
        "exp 03/15 411111▇▇▇▇▇▇1111"
    );
    // Dates do not overlap: the space after `1/15` belongs to that date, so ` 4-11 `
    // is no date and its digits begin the (masked) number.
    assert_eq!(
        red("exp 1/15 4-11 1111 1111 11111"),
        "exp 1/15 4-11 111▇ ▇▇▇▇ ▇1111"
    );
    // Not a date (month 13, or a 3-digit year): the digits join the run, which is too
    // long to be a card (R1, R2) — but the card inside it, in whole groups, is found
    // and masked (issue 8, docs/redaction.md).
    assert_eq!(
        red("4111 1111 1111 1111 13-15"),
        "4111 11▇▇ ▇▇▇▇ 1111 13-15"
    );
    assert_eq!(
        red("4111 1111 1111 1111 03-151"),
        "4111 11▇▇ ▇▇▇▇ 1111 03-151"
    );
}

#[test]
fn r7_keep_six_and_four() {
    assert_eq!(
        red("Hello 4111 1111 1111 1111 there"),
        "Hello 4111 11▇▇ ▇▇▇▇ 1111 there"
    );
    assert_eq!(red("378282246310005"), "378282▇▇▇▇▇0005");
}

#[test]
fn r7_options_change_kept_digits_and_mask() {
    let opts = RedactOptions::new(4, 2, '*', false, false).unwrap();
    assert_eq!(red_with("4111 1111 1111 1111", opts), "4111 **** **** **11");
    let opts = RedactOptions::new(0, 0, 'X', false, false).unwrap();
    assert_eq!(red_with("4111-1111-1111-1111", opts), "XXXX-XXXX-XXXX-XXXX");
    let opts = RedactOptions::new(10, 0, '#', false, false).unwrap();
    assert_eq!(red_with("500000000009", opts), "5000000000##");
}

#[test]
fn r7_refuses_weak_or_digit_options() {
    assert!(RedactOptions::new(6, 4, '▇', false, false).is_ok());
    assert!(RedactOptions::new(10, 0, '*', false, false).is_ok());
    assert_eq!(
        RedactOptions::new(6, 5, '▇', false, false),
        Err(RedactOptionsError::KeepsTooMany {
            keep_first: 6,
            keep_last: 5
        })
    );
    assert!(RedactOptions::new(usize::MAX, usize::MAX, '*', false, false).is_err());
    assert_eq!(
        RedactOptions::new(6, 4, '7', false, false),
        Err(RedactOptionsError::NumericMask { mask: '7' })
    );
    // Other numeric characters too (Arabic-Indic three, Roman numeral one).
    assert!(RedactOptions::new(6, 4, '\u{663}', false, false).is_err());
    assert!(RedactOptions::new(6, 4, '\u{2160}', false, false).is_err());
    assert_eq!(
        RedactOptions::new(6, 4, '\n', false, false),
        Err(RedactOptionsError::ControlMask { mask: '\n' })
    );
    let msg = RedactOptions::new(8, 8, '*', false, false)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("keep-first 8") && msg.contains("R7"), "{msg}");
}

#[test]
fn r7_hand_built_options_never_panic() {
    let opts = RedactOptions {
        keep_first: 30,
        keep_last: usize::MAX,
        ..RedactOptions::default()
    };
    assert_eq!(red_with("4111111111111111", opts), "4111111111111111");
}

#[test]
fn r8_letters_do_not_protect_by_default() {
    assert_eq!(red("a4111111111111111b"), "a411111▇▇▇▇▇▇1111b");
    assert_eq!(red("INV4111111111111111"), "INV411111▇▇▇▇▇▇1111");
}

#[test]
fn r8_word_boundaries_option() {
    let wb = word_boundaries();
    assert_eq!(red_with("a4111111111111111b", wb), "a4111111111111111b");
    assert_eq!(red_with("INV4111111111111111", wb), "INV4111111111111111");
    assert_eq!(red_with("4111111111111111x", wb), "4111111111111111x");
    assert_eq!(red_with("cc4111111111111111", wb), "cc411111▇▇▇▇▇▇1111");
    assert_eq!(
        red_with("Card4111111111111111exp", wb),
        "Card411111▇▇▇▇▇▇1111exp"
    );
    assert_eq!(
        red_with("VISA4111111111111111Expires", wb),
        "VISA411111▇▇▇▇▇▇1111Expires"
    );
    assert_eq!(red_with("amex378282246310005", wb), "amex378282▇▇▇▇▇0005");
    assert_eq!(red_with("_4111111111111111_", wb), "_411111▇▇▇▇▇▇1111_");
    assert_eq!(red_with("(4111111111111111)", wb), "(411111▇▇▇▇▇▇1111)");
    // Only ASCII letters count: Korean and Japanese write numbers against words.
    assert_eq!(
        red_with("4111111111111111번 카드", wb),
        "411111▇▇▇▇▇▇1111번 카드"
    );
    assert_eq!(red_with("状4111111111111111態", wb), "状411111▇▇▇▇▇▇1111態");
}

#[test]
fn r9_groupings_option() {
    let g = groupings();
    assert_eq!(
        red_with("41 11 11 11 11 11 11 11", g),
        "41 11 11 11 11 11 11 11"
    );
    assert_eq!(red("41 11 11 11 11 11 11 11"), "41 11 11 ▇▇ ▇▇ ▇▇ 11 11");
    assert_eq!(red_with("4111 1111 1111 1111", g), "4111 11▇▇ ▇▇▇▇ 1111");
    assert_eq!(red_with("4111111111111111", g), "411111▇▇▇▇▇▇1111");
    assert_eq!(
        red_with("amex 3782 822463 10005 ok", g),
        "amex 3782 82▇▇▇▇ ▇0005 ok"
    );
    assert_eq!(red_with("3782 8224 6310 005", g), "3782 8224 6310 005");
    assert_eq!(red_with("3056 930902 5904", g), "3056 93▇▇▇▇ 5904");
    // 19-digit Visa as 4-4-4-4-3.
    assert_eq!(
        red_with("4111 1111 1111 1111 110", g),
        "4111 11▇▇ ▇▇▇▇ ▇▇▇1 110"
    );
    // Maestro: a first group of 5.
    assert_eq!(red_with("63040 00000 000000", g), "63040 0▇▇▇▇ ▇▇0000");
}

#[test]
fn r9_uses_first_matching_issuer_row() {
    // 6011… is Discover (4-4-4-4) before it is Maestro (first group of 4 or 5).
    let g = groupings();
    assert_eq!(red_with("60111 11111 111117", g), "60111 11111 111117");
    assert_eq!(red("60111 11111 111117"), "60111 1▇▇▇▇ ▇▇1117");
}

#[test]
fn clean_text_is_borrowed() {
    for text in [
        "",
        "hello",
        "no digits at all, ありがとう",
        "order 12345 on 2026-11-30",
        "call +4111111111111111",
    ] {
        unchanged(text);
    }
    assert!(matches!(scrub("hello 42"), Cow::Borrowed("hello 42")));
    assert_eq!(scrub("4111111111111111"), "411111▇▇▇▇▇▇1111");
}

/// The Japanese sample has two copies of the Visa test number 4111111111111111 (lines
/// 17 and 54, between kana/kanji) and two non-card numbers: `2000554750123` (13 digits,
/// Luhn-valid but no issuer starts with 2000) and `200055475` (9 digits).
#[test]
fn japanese_sample_masks_only_the_two_cards() {
    let paths = [
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/samples/japanese-text.txt"
        ),
        // A git worktree one level deeper than the main checkout.
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/samples/japanese-text.txt"
        ),
    ];
    let text = paths
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .expect("shared/samples/japanese-text.txt beside the repository");
    assert!(text.len() > 30_000);
    let r = redact(&text, &RedactOptions::default());
    assert_eq!(r.count, 2);
    assert!(!r.text.contains("4111111111111111"));
    assert_eq!(r.text.matches("411111▇▇▇▇▇▇1111").count(), 2);
    assert!(r.text.contains("、2000554750123実際"));
    assert!(r.text.contains("良好200055475状態"));
    // Nothing else changed: undoing the two masks gives the input back.
    assert_eq!(r.text.replace("411111▇▇▇▇▇▇1111", "4111111111111111"), text);
}

// ---------------------------------------------------------------------------------
// Property tests.

/// Issuer table rows as (prefix low, prefix high, lengths), written out again from
/// redaction.md so the tests do not trust the implementation's table.
const SPEC_ROWS: &[(u32, u32, &[usize])] = &[
    (4, 4, &[13, 16, 19]),
    (51, 55, &[16]),
    (2221, 2720, &[16]),
    (677189, 677189, &[16]),
    (6011, 6011, &[16]),
    (644, 649, &[16]),
    (65, 65, &[16]),
    (622126, 622925, &[16]),
    (34, 34, &[15]),
    (37, 37, &[15]),
    (300, 305, &[14]),
    (36, 36, &[14]),
    (38, 38, &[14]),
    (3528, 3589, &[16]),
    (4903, 4903, &[16, 18, 19]),
    (4905, 4905, &[16, 18, 19]),
    (4911, 4911, &[16, 18, 19]),
    (4936, 4936, &[16, 18, 19]),
    (6333, 6333, &[16, 18, 19]),
    (564182, 564182, &[16, 18, 19]),
    (633110, 633110, &[16, 18, 19]),
    (6759, 6759, &[16, 18, 19]),
    (6334, 6334, &[16, 18, 19]),
    (6767, 6767, &[16, 18, 19]),
    (5019, 5019, &[16]),
    (50, 50, &[12, 13, 14, 15, 16, 17, 18, 19]),
    (56, 58, &[12, 13, 14, 15, 16, 17, 18, 19]),
    (6, 6, &[12, 13, 14, 15, 16, 17, 18, 19]),
    (600722, 600722, &[16]),
    (6304, 6304, &[12, 13, 14, 15, 16, 17, 18, 19]),
    (6706, 6706, &[12, 13, 14, 15, 16, 17, 18, 19]),
    (6709, 6709, &[12, 13, 14, 15, 16, 17, 18, 19]),
    (6771, 6771, &[12, 13, 14, 15, 16, 17, 18, 19]),
    (6541, 6541, &[16]),
    (6556, 6556, &[16]),
    (389, 389, &[14]),
    (637, 639, &[16]),
    (9, 9, &[16]),
    (62, 62, &[16, 17, 18, 19]),
];

/// Appends the Luhn check digit to `payload` (ASCII digits).
fn with_check_digit(payload: &str) -> String {
    let sum: u32 = payload
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    format!("{payload}{}", (10 - sum % 10) % 10)
}

/// A Luhn-valid number with a spec issuer prefix and a length valid for that issuer.
fn card_number() -> impl Strategy<Value = String> {
    (
        any::<prop::sample::Index>(),
        any::<u32>(),
        any::<prop::sample::Index>(),
        prop::collection::vec(0u8..10, 19),
    )
        .prop_map(|(row, pick, len, body)| {
            let (lo, hi, lengths) = SPEC_ROWS[row.index(SPEC_ROWS.len())];
            let prefix = (lo + pick % (hi - lo + 1)).to_string();
            let len = lengths[len.index(lengths.len())];
            let mut payload = prefix;
            for d in body {
                if payload.len() == len - 1 {
                    break;
                }
                payload.push(char::from(b'0' + d));
            }
            with_check_digit(&payload)
        })
}

/// `digits` split into groups (sizes 1..=5 at random, or issuer-like) joined by
/// separators of one family: white-space-like (no `-`), or dash-like (no white space),
/// so that no group pair looks like an expiry date (R6).
fn written(
    digits: &str,
    sizes: &[usize],
    issuer_like: bool,
    dashes: bool,
    seps: &[usize],
) -> String {
    const SPACES: &[&str] = &[" ", "  ", "\t", "\u{a0}", " * ", "\u{3000}", "   "];
    const DASHES: &[&str] = &["-", "--", "*-*", "\u{2013}", "\u{30fc}", "-・-"];
    let family = if dashes { DASHES } else { SPACES };
    let like: [usize; 5] = if digits.len() == 15 {
        [4, 6, 5, 4, 4]
    } else {
        [4, 4, 4, 4, 3]
    };
    let mut out = String::new();
    let mut rest = digits;
    let mut g = 0;
    while !rest.is_empty() {
        if g > 0 {
            out.push_str(family[seps[g % seps.len()] % family.len()]);
        }
        let size = if issuer_like {
            like[g % like.len()]
        } else {
            sizes[g % sizes.len()]
        };
        let (head, tail) = rest.split_at(size.min(rest.len()));
        out.push_str(head);
        rest = tail;
        g += 1;
    }
    out
}

/// Digit-free text without `+`, `/` or `:` (so no phone prefix, path or URL).
fn context() -> impl Strategy<Value = String> {
    "[a-zA-Z ,.!?()_<>=#&;é漢字カナ한글\n\t-]{0,20}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn prop_r1_r7_known_cards_are_masked(
        number in card_number(),
        sizes in prop::collection::vec(1usize..=5, 1..8),
        issuer_like in any::<bool>(),
        dashes in any::<bool>(),
        seps in prop::collection::vec(any::<usize>(), 1..8),
        mut left in context(),
        right in context(),
    ) {
        let shown = written(&number, &sizes, issuer_like, dashes, &seps);
        if dashes && left.ends_with(char::is_whitespace) {
            left.push('x');
        }
        let text = format!("{left}{shown}{right}");
        let r = redact(&text, &RedactOptions::default());
        prop_assert_eq!(r.count, 1, "{:?}", text);
        let kept: String = r.text.chars().filter(char::is_ascii_digit).collect();
        let expected = format!("{}{}", &number[..6], &number[number.len() - 4..]);
        prop_assert_eq!(kept, expected);
        prop_assert!(!r.text.contains(&*number));
        prop_assert_eq!(r.text.matches(DEFAULT_MASK).count(), number.len() - 10);
    }

    #[test]
    fn prop_never_panics_and_digit_free_text_is_untouched(text in any::<String>()) {
        let r = redact(&text, &RedactOptions::default());
        if !text.bytes().any(|b| b.is_ascii_digit()) {
            prop_assert!(matches!(r.text, Cow::Borrowed(_)));
            prop_assert_eq!(r.count, 0);
        }
        prop_assert_eq!(r.text.chars().count(), text.chars().count());
    }

    #[test]
    fn prop_masking_replaces_digits_one_for_one(
        text in "[0-9 \\-+/:.,&#;*a-zA-Z\u{3042}\u{a0}\n]{0,300}|(4111 1111 1111 1111|5555555555554444|378282246310005|[ \\-:/+a-z]){0,20}",
        keep_first in 0usize..=10,
        keep_last in 0usize..=10,
        mask in prop::sample::select(vec!['▇', '*', 'X', '#', '█', '\u{1f0a0}', '_']),
        groupings in any::<bool>(),
        word_boundaries in any::<bool>(),
    ) {
        let keep_last = keep_last.min(10 - keep_first);
        let opts = RedactOptions::new(keep_first, keep_last, mask, groupings, word_boundaries).unwrap();
        let r = redact(&text, &opts);
        prop_assert_eq!(r.text.chars().count(), text.chars().count());
        for (a, b) in text.chars().zip(r.text.chars()) {
            prop_assert!(a == b || (a.is_ascii_digit() && b == mask), "{:?} became {:?}", a, b);
        }
        prop_assert_eq!(r.count == 0, matches!(r.text, Cow::Borrowed(_)));
    }
}

// ---------------------------------------------------------------------------------
// Cards inside a longer candidate (docs/redaction.md, "Cards next to other numbers";
// supersedes R1's "a longer run is never searched for a card inside it").

#[track_caller]
fn red_count(text: &str) -> (String, usize) {
    let r = redact(text, &RedactOptions::default());
    (r.text.into_owned(), r.count)
}

#[test]
fn r1_inside_the_cases_of_the_issue() {
    let cases: &[(&str, &str, usize)] = &[
        ("qty 2 4111 1111 1111 1111", "qty 2 4111 11▇▇ ▇▇▇▇ 1111", 1),
        ("4111 1111 1111 1111 123", "4111 11▇▇ ▇▇▇▇ 1111 123", 1),
        ("4111111111111111 123", "411111▇▇▇▇▇▇1111 123", 1),
        (
            "4111111111111111 5105105105105100",
            "411111▇▇▇▇▇▇1111 510510▇▇▇▇▇▇5100",
            2,
        ),
        ("378282246310005 83665", "378282▇▇▇▇▇0005 83665", 1),
    ];
    for &(input, expected, count) in cases {
        assert_eq!(red_count(input), (expected.to_string(), count), "{input:?}");
    }
}

#[test]
fn r1_inside_numbers_before_and_after() {
    assert_eq!(red("12 4111111111111111"), "12 411111▇▇▇▇▇▇1111");
    assert_eq!(red("4111111111111111 1"), "411111▇▇▇▇▇▇1111 1");
    assert_eq!(
        red("order 482913 - 4111-1111-1111-1111 thanks"),
        "order 482913 - 4111-11▇▇-▇▇▇▇-1111 thanks"
    );
    assert_eq!(
        red("qty 2 4111 1111 1111 1111 123 ok"),
        "qty 2 4111 11▇▇ ▇▇▇▇ 1111 123 ok"
    );
    // American Express with its four-digit code, printed 4-6-5 or in fours.
    assert_eq!(red("3782 822463 10005 8366"), "3782 82▇▇▇▇ ▇0005 8366");
    assert_eq!(red("3782 8224 6310 005 8366"), "3782 82▇▇ ▇▇▇0 005 8366");
    // A security code glued to the last group is out of reach (a group is never split).
    unchanged("4111 1111 1111 1111123");
}

#[test]
fn r1_inside_expiry_dates_after() {
    // R6 dates are set aside before candidates are formed, as before.
    assert_eq!(
        red("4111 1111 1111 1111 03/29 123"),
        "4111 11▇▇ ▇▇▇▇ 1111 03/29 123"
    );
    // Dates R6 does not set aside join the candidate; the card is found inside it.
    assert_eq!(red("4111 1111 1111 1111 0329"), "4111 11▇▇ ▇▇▇▇ 1111 0329");
    assert_eq!(
        red("4111 1111 1111 1111 0329 123"),
        "4111 11▇▇ ▇▇▇▇ 1111 0329 123"
    );
    assert_eq!(
        red("4111-1111-1111-1111-03-29"),
        "4111-11▇▇-▇▇▇▇-1111-03-29"
    );
    assert_eq!(red("4111111111111111 03 29"), "411111▇▇▇▇▇▇1111 03 29");
}

#[test]
fn r1_inside_cards_side_by_side() {
    assert_eq!(
        red_count("4111 1111 1111 1111 5105 1051 0510 5100"),
        ("4111 11▇▇ ▇▇▇▇ 1111 5105 10▇▇ ▇▇▇▇ 5100".to_string(), 2)
    );
    assert_eq!(
        red_count("4111-1111-1111-1111 378282246310005 6011 1111 1111 1117"),
        (
            "4111-11▇▇-▇▇▇▇-1111 378282▇▇▇▇▇0005 6011 11▇▇ ▇▇▇▇ 1117".to_string(),
            3
        )
    );
}

#[test]
fn r1_inside_overlapping_cards_mask_every_digit_either_masks() {
    // A 12-digit Maestro then a 14-digit Diners Club card; the first card's groups and
    // the next group also make a valid 16-digit number. Each stretch that is a card is
    // masked, so no digit kept by one but masked by another shows.
    let (out, count) = red_count("5687 1609 3527  3640 977886-6252");
    assert_eq!(out, "5687 16▇▇ ▇▇▇▇  3640 97▇▇▇▇-6252");
    assert_eq!(count, 3);
}

#[test]
fn r1_inside_longer_numbers_printed_in_fours_stay() {
    // A longer number printed in fours (a tracking number, an account) is not cut
    // into a card: a card printed in fours must begin its row of fours …
    unchanged("9400 4111 1111 1111 1111 12");
    unchanged("7019 4111 1111 1111 1111");
    // … and end it, or be followed by another card or by a single MMYY group.
    unchanged("4111 1111 1111 1111 4111");
    unchanged("4111 1111 1111 1111 0329 2211");
    unchanged("4111 1111 1111 1111 0329 15");
    unchanged("4111 1111 1111 1111 2222 33");
    // So a four-digit number just before a card printed in fours is out of reach …
    unchanged("1234 4111 1111 1111 1111");
    // … but not before a card in one piece or printed 4-6-5.
    assert_eq!(red("1234 4111111111111111"), "1234 411111▇▇▇▇▇▇1111");
    assert_eq!(red("1234 3782 822463 10005"), "1234 3782 82▇▇▇▇ ▇0005");
}

#[test]
fn r1_inside_only_stretches_printed_like_a_card() {
    // In one piece, in fours (the last group shorter), or 4-6-5 / 4-6-4.
    unchanged("12 41 11 11 11 11 11 11 11");
    unchanged("12 411 111 111 111 1111");
    unchanged("12 41111 11111 111111");
    assert_eq!(red("12 3056 930902 5904"), "12 3056 93▇▇▇▇ 5904");
    assert_eq!(red("12 4222 2222 2222 2"), "12 4222 22▇▇ ▇222 2");
}

#[test]
fn r1_inside_identifiers_after_letters_are_not_searched() {
    // An IBAN-like or invoice number glued to letters is an identifier.
    unchanged("DE12 4111 1111 1111 1111 00");
    unchanged("INV2024 4111111111111111");
    // Letters after it do not make an identifier.
    assert_eq!(red("4111111111111111 123abc"), "411111▇▇▇▇▇▇1111 123abc");
    // A card alone glued to letters is still a card (R8).
    assert_eq!(red("INV4111111111111111"), "INV411111▇▇▇▇▇▇1111");
}

#[test]
fn r1_inside_r5_holds_for_the_candidate_and_each_card() {
    // A candidate R5 leaves alone is not searched inside.
    unchanged("call +1 4111 1111 1111 1111 123");
    unchanged("call &#43;12 4111111111111111");
    unchanged("files/12 4111111111111111");
    unchanged("https://x.example/a?n=12 4111111111111111 x");
    // A card inside directly after `+` (a separator inside a candidate) is left alone.
    unchanged("12 +4111111111111111");
    assert_eq!(red("12 + 4111111111111111"), "12 + 411111▇▇▇▇▇▇1111");
}

#[test]
fn r1_inside_with_options() {
    let opts = RedactOptions::new(0, 0, '*', false, false).unwrap();
    assert_eq!(
        red_with("12 4111111111111111 123", opts),
        "12 **************** 123"
    );
    // R9: the stretch must also begin with its issuer's grouping.
    let g = groupings();
    assert_eq!(
        red_with("qty 2 4111 1111 1111 1111", g),
        "qty 2 4111 11▇▇ ▇▇▇▇ 1111"
    );
    assert_eq!(red_with("12 4222 2222 2222 2", g), "12 4222 2222 2222 2");
    // R8: the words around the card, not around the candidate, count.
    let wb = word_boundaries();
    assert_eq!(
        red_with("qty 2 4111 1111 1111 1111 ok", wb),
        "qty 2 4111 11▇▇ ▇▇▇▇ 1111 ok"
    );
}

#[test]
fn r1_inside_clean_digit_dense_text_is_borrowed() {
    for text in [
        "USPS 9400 1118 9922 3397 9990 30 and 7019 2280 0000 1234 5678",
        "order 112-1234567-1234567 qty 2, tel 415 555 2671 204",
        "ts 1714651200123 1714651260456, 2024 05 03 1422",
        "IBAN DE89 3704 0044 0532 0130 00, 12 345 678 901",
    ] {
        unchanged(text);
    }
}

/// Inputs of about 1 MB built to make the search inside candidates work hardest: one
/// candidate spanning the whole text, groups of every size, cards everywhere.
#[test]
fn r1_inside_work_is_linear_in_the_input_length() {
    const MB: usize = 1 << 20;
    // Groups of four before one huge group: each start reaching it reads it.
    let huge = format!("{}{}", "4111 ".repeat(5), "1".repeat(MB));
    inside::steps::take();
    let _ = redact(&huge, &RedactOptions::default());
    let steps = inside::steps::take();
    assert!(steps <= 16 * huge.len(), "{steps} digits read");
    for unit in [
        "1 ",
        "12 ",
        "4111 ",
        "4111-",
        "4111 1111 1111 1111 ",
        "4111 1111 1111 1111 0329 ",
        "4111111111111111 ",
        "3782 822463 10005 ",
        "5105 1051 0510 5100 1 ",
        "4111 1111 1111 11112 ",
        "9 4 ",
    ] {
        let text = unit.repeat(MB / unit.len());
        inside::steps::take();
        let r = redact(&text, &RedactOptions::default());
        let steps = inside::steps::take();
        assert!(
            steps <= 16 * text.len(),
            "{unit:?}: {steps} digits read for {} bytes",
            text.len()
        );
        assert_eq!(r.text.chars().count(), text.chars().count());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every card next to other numbers (not four digits just before it, not a lone
    /// group of four just after it) is masked.
    #[test]
    fn prop_r1_inside_cards_next_to_numbers_are_masked(
        number in card_number(),
        fours_style in any::<bool>(),
        before in "|[0-9]{1,3}|[0-9]{5,8}",
        after in "|[0-9]{1,3}|[0-9]{5,8}",
        joiners in prop::sample::subsequence(vec![" ", "  ", "\u{a0}", " * ", "\t"], 2),
        second in prop::option::of(card_number()),
    ) {
        let shown = if fours_style {
            written(&number, &[4], false, false, &[0])
        } else {
            number.clone()
        };
        let mut text = String::from("x ");
        if !before.is_empty() {
            text.push_str(&before);
            text.push_str(joiners[0]);
        }
        let at = text.chars().count();
        text.push_str(&shown);
        if let Some(second) = &second {
            text.push_str(joiners[1]);
            text.push_str(second);
        }
        if !after.is_empty() {
            text.push_str(joiners[1]);
            text.push_str(&after);
        }
        let out: Vec<char> = redact(&text, &RedactOptions::default()).text.chars().collect();
        let mut idx = 0;
        for (k, c) in shown.chars().enumerate() {
            if c.is_ascii_digit() {
                if idx >= 6 && idx + 4 < number.len() {
                    prop_assert_eq!(out[at + k], DEFAULT_MASK, "{:?}", text);
                }
                idx += 1;
            }
        }
    }
}
