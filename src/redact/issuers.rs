//! The issuer table of redaction.md (R4, R9) and the Luhn checksum (R3).
//!
//! Everything here works on digit *values* (`0..=9`, not ASCII bytes), most significant
//! first, as collected by the scanner.

/// Digits of a number read to test its prefix: no prefix is longer.
const HEAD: usize = 6;

/// A prefix range: the first digits, as many as `lo` has, read as a number, lie in
/// `lo..=hi`.
#[derive(Debug, Clone, Copy)]
struct Prefix {
    lo: u32,
    hi: u32,
    /// `10^(HEAD - width)`: divides a number's [`head`] down to its prefix.
    div: u32,
}

/// A single prefix (`lo == hi`); its width is its number of decimal digits.
const fn one(value: u32) -> Prefix {
    range(value, value)
}

/// A prefix range `lo..=hi`; both ends have the same number of decimal digits, at most
/// [`HEAD`] (checked when the table is compiled).
const fn range(lo: u32, hi: u32) -> Prefix {
    let mut width = 1;
    let mut v = lo / 10;
    while v > 0 {
        width += 1;
        v /= 10;
    }
    assert!(width <= HEAD, "a prefix has at most HEAD digits");
    let mut div = 1;
    while width < HEAD {
        div *= 10;
        width += 1;
    }
    Prefix { lo, hi, div }
}

/// The first [`HEAD`] digit values of `digits` read as a number, or `None` when there
/// are fewer (no issuer has such short numbers).
fn head(digits: &[u8]) -> Option<u32> {
    let first = digits.get(..HEAD)?;
    Some(first.iter().fold(0u32, |acc, &d| acc * 10 + u32::from(d)))
}

impl Prefix {
    /// Does the prefix of a number whose [`head`] is `head` lie in `lo..=hi`?
    fn matches(&self, head: u32) -> bool {
        (self.lo..=self.hi).contains(&(head / self.div))
    }
}

/// One row of the issuer table (redaction.md, "Issuer prefixes and lengths").
#[derive(Debug)]
pub(crate) struct Issuer {
    /// The issuer's name as the spec writes it (read by tests and `Debug`).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) name: &'static str,
    prefixes: &'static [Prefix],
    /// Prefixes carved out of `prefixes` (Laser: "not 677189").
    excluded: &'static [Prefix],
    /// Valid total digit counts.
    lengths: &'static [usize],
    /// R9: digit-group sizes a separated number must begin with.
    groupings: &'static [&'static [u8]],
}

impl Issuer {
    /// Do a number's length and [`head`] match this row?
    fn matches_head(&self, len: usize, head: u32) -> bool {
        self.lengths.contains(&len)
            && self.prefixes.iter().any(|p| p.matches(head))
            && !self.excluded.iter().any(|p| p.matches(head))
    }

    #[cfg(test)]
    fn matches(&self, digits: &[u8]) -> bool {
        head(digits).is_some_and(|h| self.matches_head(digits.len(), h))
    }

    /// R9: do the digit groups (sizes, in order) begin with one of this issuer's
    /// groupings? A single group (contiguous digits) always qualifies.
    pub(crate) fn accepts_groups(&self, groups: &[u8]) -> bool {
        groups.len() <= 1 || self.groupings.iter().any(|g| groups.starts_with(g))
    }
}

const G4444: &[&[u8]] = &[&[4, 4, 4, 4]];
const G4444_PLUS_123: &[&[u8]] = &[
    &[4, 4, 4, 4],
    &[4, 4, 4, 4, 1],
    &[4, 4, 4, 4, 2],
    &[4, 4, 4, 4, 3],
];
const L16: &[usize] = &[16];
const L12_19: &[usize] = &[12, 13, 14, 15, 16, 17, 18, 19];

/// The issuer table, in matching order (R4; R9 uses the first matching row).
pub(crate) static ISSUERS: &[Issuer] = &[
    Issuer {
        name: "Visa",
        prefixes: &[one(4)],
        excluded: &[],
        lengths: &[13, 16, 19],
        groupings: &[&[4, 4, 4, 4], &[4, 4, 4, 4, 3]],
    },
    Issuer {
        name: "Mastercard",
        prefixes: &[range(51, 55), range(2221, 2720), one(677189)],
        excluded: &[],
        lengths: L16,
        groupings: G4444,
    },
    Issuer {
        name: "Discover",
        prefixes: &[one(6011), range(644, 649), one(65), range(622126, 622925)],
        excluded: &[],
        lengths: L16,
        groupings: G4444,
    },
    Issuer {
        name: "American Express",
        prefixes: &[one(34), one(37)],
        excluded: &[],
        lengths: &[15],
        groupings: &[&[4, 6, 5]],
    },
    Issuer {
        name: "Diners Club",
        prefixes: &[range(300, 305), one(36), one(38)],
        excluded: &[],
        lengths: &[14],
        groupings: &[&[4, 6, 4]],
    },
    Issuer {
        name: "JCB",
        prefixes: &[range(3528, 3589)],
        excluded: &[],
        lengths: L16,
        groupings: G4444,
    },
    Issuer {
        name: "Switch",
        prefixes: &[
            one(4903),
            one(4905),
            one(4911),
            one(4936),
            one(564182),
            one(633110),
            one(6333),
            one(6759),
        ],
        excluded: &[],
        lengths: &[16, 18, 19],
        groupings: G4444,
    },
    Issuer {
        name: "Solo",
        prefixes: &[one(6334), one(6767)],
        excluded: &[],
        lengths: &[16, 18, 19],
        groupings: &[&[4, 4, 4, 4], &[4, 4, 4, 4, 2], &[4, 4, 4, 4, 3]],
    },
    Issuer {
        name: "Dankort",
        prefixes: &[one(5019)],
        excluded: &[],
        lengths: L16,
        groupings: G4444,
    },
    Issuer {
        name: "Maestro",
        prefixes: &[one(50), range(56, 58), one(6)],
        excluded: &[],
        lengths: L12_19,
        groupings: &[
            &[4],
            &[5],
            &[4, 4, 4, 4],
            &[4, 4, 4, 4, 1],
            &[4, 4, 4, 4, 2],
            &[4, 4, 4, 4, 3],
        ],
    },
    Issuer {
        name: "Forbrugsforeningen",
        prefixes: &[one(600722)],
        excluded: &[],
        lengths: L16,
        groupings: G4444,
    },
    Issuer {
        name: "Laser",
        prefixes: &[one(6304), one(6706), one(6709), one(6771)],
        excluded: &[one(677189)],
        lengths: L12_19,
        groupings: G4444_PLUS_123,
    },
    Issuer {
        name: "BC Global",
        prefixes: &[one(6541), one(6556)],
        excluded: &[],
        lengths: L16,
        groupings: G4444,
    },
    Issuer {
        name: "Carte Blanche",
        prefixes: &[one(389)],
        excluded: &[],
        lengths: &[14],
        groupings: &[&[4, 6, 4]],
    },
    Issuer {
        name: "InstaPayment",
        prefixes: &[range(637, 639)],
        excluded: &[],
        lengths: L16,
        groupings: G4444,
    },
    Issuer {
        name: "Korean domestic cards",
        prefixes: &[one(9)],
        excluded: &[],
        lengths: L16,
        groupings: G4444,
    },
    Issuer {
        name: "UnionPay",
        prefixes: &[one(62)],
        excluded: &[],
        lengths: &[16, 17, 18, 19],
        groupings: G4444_PLUS_123,
    },
];

/// R4: the first issuer (in table order) whose prefix and length match `digits`
/// (digit values, most significant first), or `None`.
pub(crate) fn find(digits: &[u8]) -> Option<&'static Issuer> {
    let head = head(digits)?;
    ISSUERS.iter().find(|i| i.matches_head(digits.len(), head))
}

/// R3: does `digits` (digit values, most significant first) pass the Luhn checksum?
pub(crate) fn luhn_valid(digits: &[u8]) -> bool {
    // From the right: the last digit as it is, the one before it doubled (its two
    // digits added: 7 → 14 → 5), and so on.
    let mut sum = 0u32;
    let mut double = false;
    for &d in digits.iter().rev() {
        let d = u32::from(d);
        sum += if double {
            let x = 2 * d;
            if x > 9 {
                x - 9
            } else {
                x
            }
        } else {
            d
        };
        double = !double;
    }
    sum.is_multiple_of(10)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Digit values of an ASCII digit string (test helper).
    pub(crate) fn values(s: &str) -> Vec<u8> {
        s.bytes().map(|b| b - b'0').collect()
    }

    fn issuer_of(s: &str) -> Option<&'static str> {
        find(&values(s)).map(|i| i.name)
    }

    #[test]
    fn r3_luhn_known_numbers() {
        for ok in [
            "4111111111111111",
            "5555555555554444",
            "378282246310005",
            "4012888888881881",
            "6011111111111117",
            "5105105105105100",
            "79927398713",
        ] {
            assert!(luhn_valid(&values(ok)), "{ok}");
        }
        for bad in ["4111111111111112", "378282246310006", "79927398710"] {
            assert!(!luhn_valid(&values(bad)), "{bad}");
        }
    }

    #[test]
    fn r4_issuer_prefixes_and_lengths() {
        assert_eq!(issuer_of("4111111111111111"), Some("Visa"));
        assert_eq!(issuer_of("4222222222222"), Some("Visa"));
        assert_eq!(issuer_of("4111111111111111111"), Some("Visa"));
        // 18 digits starting 4903: not Visa (13/16/19), but Switch.
        assert_eq!(issuer_of("490300000000000000"), Some("Switch"));
        assert_eq!(issuer_of("41111111111111111"), None);
        assert_eq!(issuer_of("5555555555554444"), Some("Mastercard"));
        assert_eq!(issuer_of("2221000000000009"), Some("Mastercard"));
        assert_eq!(issuer_of("2720990000000000"), Some("Mastercard"));
        assert_eq!(issuer_of("2721000000000000"), None);
        assert_eq!(issuer_of("2220990000000000"), None);
        assert_eq!(issuer_of("6771890000000000"), Some("Mastercard"));
        assert_eq!(issuer_of("6011111111111117"), Some("Discover"));
        assert_eq!(issuer_of("6221260000000000"), Some("Discover"));
        assert_eq!(issuer_of("378282246310005"), Some("American Express"));
        assert_eq!(issuer_of("3782822463100050"), None);
        assert_eq!(issuer_of("30569309025904"), Some("Diners Club"));
        assert_eq!(issuer_of("38520000023237"), Some("Diners Club"));
        assert_eq!(issuer_of("3530111333300000"), Some("JCB"));
        assert_eq!(issuer_of("3527000000000000"), None);
        assert_eq!(issuer_of("5019000000000000"), Some("Dankort"));
        // Maestro's broad `6` comes before the later 6-prefixed rows.
        assert_eq!(issuer_of("6304000000000000"), Some("Maestro"));
        assert_eq!(issuer_of("6007220000000000"), Some("Maestro"));
        assert_eq!(issuer_of("500000000000"), Some("Maestro"));
        assert_eq!(issuer_of("5600000000000"), Some("Maestro"));
        assert_eq!(issuer_of("3890000000000000"), None);
        assert_eq!(issuer_of("38900000000000"), Some("Diners Club"));
        assert_eq!(issuer_of("9000000000000000"), Some("Korean domestic cards"));
        assert_eq!(issuer_of("900000000000000"), None);
        assert_eq!(issuer_of("04111111111111111"), None);
        assert_eq!(issuer_of("1748503543012"), None);
    }

    #[test]
    fn r4_rows_behind_maestro_match_on_their_own() {
        // The rows after Maestro are shadowed for lookup, but each row's own prefix
        // logic must still be right (Laser's carve-out of 677189).
        let laser = ISSUERS.iter().find(|i| i.name == "Laser").unwrap();
        assert!(laser.matches(&values("6771000000000000")));
        assert!(!laser.matches(&values("6771890000000000")));
        let up = ISSUERS.iter().find(|i| i.name == "UnionPay").unwrap();
        assert!(up.matches(&values("6200000000000000000")));
        assert!(!up.matches(&values("620000000000000")));
    }

    #[test]
    fn r9_groupings_begin_with_issuer_grouping() {
        let visa = find(&values("4111111111111111")).unwrap();
        assert!(visa.accepts_groups(&[4, 4, 4, 4]));
        assert!(visa.accepts_groups(&[16]));
        assert!(!visa.accepts_groups(&[2, 2, 2, 2, 2, 2, 2, 2]));
        let amex = find(&values("378282246310005")).unwrap();
        assert!(amex.accepts_groups(&[4, 6, 5]));
        assert!(!amex.accepts_groups(&[4, 4, 4, 3]));
        let maestro = find(&values("6304000000000000")).unwrap();
        assert!(maestro.accepts_groups(&[4, 12]));
        assert!(maestro.accepts_groups(&[5, 11]));
        assert!(!maestro.accepts_groups(&[3, 13]));
    }
}
