//! Value types: what a field holds decides the operators a condition on it takes and how
//! its values are read (dsl.md, "Conditions"), and the words worth knowing for a type.

use super::operators::Operator;
use crate::model::{Priority, Satisfaction, Status, TicketType};

/// An enum of the ticket model whose values a field holds by rank (position in `ALL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ranked {
    /// [`Status`].
    Status,
    /// [`Priority`].
    Priority,
    /// [`TicketType`].
    TicketType,
    /// [`Satisfaction`].
    Satisfaction,
}

impl Ranked {
    /// The value names in rank order.
    pub fn names(self) -> Vec<&'static str> {
        match self {
            Ranked::Status => Status::ALL.iter().map(|v| v.as_str()).collect(),
            Ranked::Priority => Priority::ALL.iter().map(|v| v.as_str()).collect(),
            Ranked::TicketType => TicketType::ALL.iter().map(|v| v.as_str()).collect(),
            Ranked::Satisfaction => Satisfaction::ALL.iter().map(|v| v.as_str()).collect(),
        }
    }
}

/// The value type of a field: decides the operators it takes and how its values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueType {
    /// An ordered enum: `<`, `<=`, `>`, `>=` compare the order (status, priority).
    Ordered(Ranked),
    /// An enum without order (type, satisfaction).
    Enum(Ranked),
    /// One word of an open set; `known` are the words documented (channel, update.via).
    Word {
        /// The known words.
        known: &'static [&'static str],
    },
    /// Free text.
    Text,
    /// A set of lowercase tags.
    Tags,
    /// `true` or `false`.
    Bool,
    /// A custom field: text, number or `true`/`false`.
    Custom,
    /// The comment of this update: its text, and `is public` / `is private`.
    Comment,
    /// One of these words, with `is` / `is not` (`ticket is created`, `window is open`).
    OneOf(&'static [&'static str]),
    /// Some of these words, with `in` / `not in` too (`current_user in [agent, system]`).
    AnyOf(&'static [&'static str]),
}

impl ValueType {
    /// True when a condition on a field of this type offers `op` (the operators of help
    /// texts and of the docs). `changeable`: the field changes during a ticket's life,
    /// so `changed …` applies.
    pub fn offers(self, op: Operator, changeable: bool) -> bool {
        use Operator::*;
        if op.compares_with_before() {
            return changeable
                && match self {
                    ValueType::Tags => matches!(op, Changed | NotChanged),
                    ValueType::Bool
                    | ValueType::Comment
                    | ValueType::OneOf(_)
                    | ValueType::AnyOf(_) => false,
                    _ => true,
                };
        }
        match self {
            ValueType::Ordered(_) => {
                matches!(
                    op,
                    Is | IsNot | In | NotIn | Lt | Le | Gt | Ge | Present | NotPresent
                )
            }
            ValueType::Enum(_) | ValueType::Word { .. } => {
                matches!(op, Is | IsNot | In | NotIn | Present | NotPresent)
            }
            ValueType::Text => matches!(
                op,
                Is | IsNot
                    | In
                    | NotIn
                    | Contains
                    | NotContains
                    | ContainsWord
                    | Matches
                    | Present
                    | NotPresent
            ),
            ValueType::Tags => matches!(op, Includes | Excludes | Present | NotPresent),
            ValueType::Bool | ValueType::OneOf(_) => matches!(op, Is | IsNot),
            ValueType::AnyOf(_) => matches!(op, Is | IsNot | In | NotIn),
            ValueType::Custom => !matches!(op, Includes | Excludes),
            ValueType::Comment => matches!(
                op,
                Is | IsNot | Contains | NotContains | ContainsWord | Matches | Present | NotPresent
            ),
        }
    }

    /// True when the checker accepts `op`: what it offers, and two forms accepted since
    /// the first release though never offered — `changed to|from V` on a changeable tag
    /// set (a set is never equal to one value, so they never hold) and `in` / `not in`
    /// on a yes/no field (the same as `is` / `is not`).
    pub fn accepts(self, op: Operator, changeable: bool) -> bool {
        use Operator::*;
        self.offers(op, changeable)
            || match self {
                ValueType::Tags => changeable && matches!(op, ChangedTo | ChangedFrom),
                ValueType::Bool => matches!(op, In | NotIn),
                _ => false,
            }
    }

    /// The operators offered, in the order of [`Operator::ALL`].
    pub fn operators(self, changeable: bool) -> Vec<Operator> {
        Operator::ALL
            .into_iter()
            .filter(|op| self.offers(*op, changeable))
            .collect()
    }

    /// The operators offered, as a help text lists them: `is, is not, in, not in, …`
    /// (`is public, is private, …` for the comment).
    pub fn operators_help(self, changeable: bool) -> String {
        self.operators(changeable)
            .into_iter()
            .map(|op| match (self, op) {
                (ValueType::Comment, Operator::Is) => "is public",
                (ValueType::Comment, Operator::IsNot) => "is private",
                _ => op.as_str(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The value names of an enum type in rank order (empty for other types).
    #[cfg(test)]
    pub fn rank_names(self) -> Vec<&'static str> {
        match self {
            ValueType::Ordered(r) | ValueType::Enum(r) => r.names(),
            _ => Vec::new(),
        }
    }

    /// The words of the type that are worth knowing (enum values, known words, choices).
    pub fn words(self) -> Vec<&'static str> {
        match self {
            ValueType::Ordered(r) | ValueType::Enum(r) => r.names(),
            ValueType::Word { known } => known.to_vec(),
            ValueType::OneOf(w) | ValueType::AnyOf(w) => w.to_vec(),
            ValueType::Bool => vec!["true", "false"],
            ValueType::Comment => vec!["public", "private"],
            ValueType::Text | ValueType::Tags | ValueType::Custom => Vec::new(),
        }
    }
}

/// The channels the ticket model knows (any other word is a channel too).
pub(crate) const CHANNELS: &[&str] = &[
    "whatsapp",
    "email",
    "web",
    "api",
    "messenger",
    "instagram",
    "x",
    "line",
    "wechat",
    "telegram",
    "viber",
    "chat",
];

/// The sources of an update besides the channels (`update.via`).
pub(crate) const VIA: &[&str] = &[
    "agent",
    "macro",
    "autoresponder",
    "api",
    "system",
    "automation",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::fields::named;
    use crate::model::Channel;

    #[test]
    fn channels_are_the_models_known_channels() {
        for c in CHANNELS {
            let parsed = Channel::parse(c);
            assert!(!matches!(parsed, Channel::Other(_)), "{c}");
            assert_eq!(parsed.as_str(), *c);
        }
        let distinct: std::collections::BTreeSet<&str> = CHANNELS.iter().copied().collect();
        assert_eq!(distinct.len(), CHANNELS.len());
    }

    #[test]
    fn operator_help_texts() {
        let tags = named("tags").expect("tags");
        assert_eq!(
            tags.ty.operators_help(tags.changeable()),
            "includes, excludes, changed, not changed, present, not present"
        );
        let comment = named("comment").expect("comment");
        assert_eq!(
            comment.ty.operators_help(comment.changeable()),
            "is public, is private, contains, not contains, contains word, matches, present, not present"
        );
        assert!(tags.ty.accepts(Operator::ChangedTo, true));
        assert!(!tags.ty.offers(Operator::ChangedTo, true));
    }
}
