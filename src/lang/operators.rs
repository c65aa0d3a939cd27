//! Condition operators (dsl.md, "Conditions"): how each is written, and the rows of the
//! operator table of `docs/language.md`. Which fields take which operators is decided by
//! the field's value type ([`super::ValueType`]).

use super::Doc;

/// Condition operators (`dsl.md`, Conditions table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `is`
    Is,
    /// `is not`
    IsNot,
    /// `in [..]`
    In,
    /// `not in [..]`
    NotIn,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `includes a, b` (at least one)
    Includes,
    /// `excludes a, b` (none)
    Excludes,
    /// `contains "text"` (case-insensitive substring)
    Contains,
    /// `not contains "text"`
    NotContains,
    /// `contains word "x"`
    ContainsWord,
    /// `matches /re/`
    Matches,
    /// `changed`
    Changed,
    /// `changed to V`
    ChangedTo,
    /// `changed from V`
    ChangedFrom,
    /// `not changed`
    NotChanged,
    /// `present`
    Present,
    /// `not present`
    NotPresent,
}

/// Every operator and how it is written, in the order help texts list them.
const WRITTEN: [(Operator, &str); 20] = [
    (Operator::Is, "is"),
    (Operator::IsNot, "is not"),
    (Operator::In, "in"),
    (Operator::NotIn, "not in"),
    (Operator::Lt, "<"),
    (Operator::Le, "<="),
    (Operator::Gt, ">"),
    (Operator::Ge, ">="),
    (Operator::Includes, "includes"),
    (Operator::Excludes, "excludes"),
    (Operator::Contains, "contains"),
    (Operator::NotContains, "not contains"),
    (Operator::ContainsWord, "contains word"),
    (Operator::Matches, "matches"),
    (Operator::Changed, "changed"),
    (Operator::ChangedTo, "changed to"),
    (Operator::ChangedFrom, "changed from"),
    (Operator::NotChanged, "not changed"),
    (Operator::Present, "present"),
    (Operator::NotPresent, "not present"),
];

impl Operator {
    /// Every operator, in the order help texts list them.
    pub const ALL: [Operator; 20] = {
        let mut all = [Operator::Is; 20];
        let mut i = 0;
        while i < WRITTEN.len() {
            all[i] = WRITTEN[i].0;
            i += 1;
        }
        all
    };

    /// The operator as written in a rule file, e.g. `is not`, `contains word`.
    pub fn as_str(self) -> &'static str {
        WRITTEN
            .iter()
            .find(|(o, _)| *o == self)
            .map_or("", |(_, w)| w)
    }

    /// The operator written `text`, with any run of blanks between its words
    /// (`is \t not`); `None` for anything else.
    pub fn parse(text: &str) -> Option<Operator> {
        WRITTEN
            .iter()
            .find(|(_, w)| w.split(' ').eq(text.split_whitespace()))
            .map(|(o, _)| *o)
    }

    /// True for `changed`, `changed to`, `changed from`, `not changed`: they compare with
    /// the ticket before this update (S6).
    pub(crate) fn compares_with_before(self) -> bool {
        matches!(
            self,
            Operator::Changed | Operator::ChangedTo | Operator::ChangedFrom | Operator::NotChanged
        )
    }
}

/// Every operator, written and joined: `is, is not, in, …, not present`.
pub(crate) fn all_written() -> String {
    Operator::ALL.map(Operator::as_str).join(", ")
}

/// A row of the operator table of `docs/language.md` (only the docs read it).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct OperatorDoc {
    /// The operators of the row.
    pub operators: &'static [Operator],
    /// How the row writes them, e.g. ``` `in [a, b]`, `not in [a, b]` ```.
    pub written: &'static str,
    /// What they mean, and an example condition.
    pub doc: Doc,
}

/// The operator table: every operator in exactly one row.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) const OPERATOR_DOCS: &[OperatorDoc] = &[
    OperatorDoc {
        operators: &[Operator::Is, Operator::IsNot],
        written: "`is`, `is not`",
        doc: Doc {
            text: "equal / not equal (words and text case-insensitive)",
            example: "status is not closed",
        },
    },
    OperatorDoc {
        operators: &[Operator::In, Operator::NotIn],
        written: "`in [a, b]`, `not in [a, b]`",
        doc: Doc {
            text: "equal to one of / to none of",
            example: "channel in [email, web]",
        },
    },
    OperatorDoc {
        operators: &[Operator::Lt, Operator::Le, Operator::Gt, Operator::Ge],
        written: "`<`, `<=`, `>`, `>=`",
        doc: Doc {
            text: "order of an ordered field (status, priority) or of a number",
            example: "priority >= high",
        },
    },
    OperatorDoc {
        operators: &[Operator::Includes],
        written: "`includes a, b`",
        doc: Doc {
            text: "the tag set has at least one of the tags",
            example: "tags includes vip, gold",
        },
    },
    OperatorDoc {
        operators: &[Operator::Excludes],
        written: "`excludes a, b`",
        doc: Doc {
            text: "the tag set has none of the tags",
            example: "tags excludes nudged",
        },
    },
    OperatorDoc {
        operators: &[Operator::Contains],
        written: "`contains \"text\"`",
        doc: Doc {
            text: "has this text anywhere, case-insensitive",
            example: "subject contains \"invoice\"",
        },
    },
    OperatorDoc {
        operators: &[Operator::NotContains],
        written: "`not contains \"text\"`",
        doc: Doc {
            text: "does not have it (true when there is no text at all)",
            example: "comment not contains \"unsubscribe\"",
        },
    },
    OperatorDoc {
        operators: &[Operator::ContainsWord],
        written: "`contains word \"x\"`",
        doc: Doc {
            text: "has it as a whole word (`refund` but not `refunded`)",
            example: "comment contains word \"refund\"",
        },
    },
    OperatorDoc {
        operators: &[Operator::Matches],
        written: "`matches /regex/`",
        doc: Doc {
            text: "the regex finds a match ([Rust regex syntax](https://docs.rs/regex/latest/regex/#syntax), case-sensitive unless `(?i)`, size-limited)",
            example: "requester.email matches /@example\\.com$/",
        },
    },
    OperatorDoc {
        operators: &[Operator::Changed],
        written: "`changed`",
        doc: Doc {
            text: "differs from the ticket before this update (S6)",
            example: "group changed",
        },
    },
    OperatorDoc {
        operators: &[Operator::ChangedTo],
        written: "`changed to V`",
        doc: Doc {
            text: "changed, and is now V",
            example: "status changed to solved",
        },
    },
    OperatorDoc {
        operators: &[Operator::ChangedFrom],
        written: "`changed from V`",
        doc: Doc {
            text: "changed, and was V",
            example: "status changed from solved",
        },
    },
    OperatorDoc {
        operators: &[Operator::NotChanged],
        written: "`not changed`",
        doc: Doc {
            text: "same as before this update",
            example: "assignee not changed",
        },
    },
    OperatorDoc {
        operators: &[Operator::Present],
        written: "`present`",
        doc: Doc {
            text: "has a value (a non-empty text, a non-empty tag set)",
            example: "assignee present",
        },
    },
    OperatorDoc {
        operators: &[Operator::NotPresent],
        written: "`not present`",
        doc: Doc {
            text: "has no value",
            example: "field \"order_id\" not present",
        },
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_read_with_any_inner_blanks() {
        assert_eq!(Operator::parse("is \t not"), Some(Operator::IsNot));
        assert_eq!(
            Operator::parse("contains  word"),
            Some(Operator::ContainsWord)
        );
        assert_eq!(Operator::parse("equals"), None);
        assert_eq!(Operator::parse("is not not"), None);
        for op in Operator::ALL {
            assert_eq!(Operator::parse(op.as_str()), Some(op));
        }
    }

    #[test]
    fn every_operator_is_in_exactly_one_doc_row() {
        for op in Operator::ALL {
            let rows = OPERATOR_DOCS
                .iter()
                .filter(|r| r.operators.contains(&op))
                .count();
            assert_eq!(rows, 1, "{op:?}");
        }
        for r in OPERATOR_DOCS {
            for op in r.operators {
                assert!(r.written.contains(&format!("`{}", op.as_str())), "{op:?}");
            }
        }
    }
}
