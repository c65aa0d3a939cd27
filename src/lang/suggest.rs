//! Did-you-mean: the one place that decides which known word a misspelt one stands for
//! (keywords in the parser; fields, values, anchors, placeholders and templates in the
//! checker).

/// The closest of `candidates` to `word` (compared lowercased), for "did you mean".
///
/// A candidate is close when its Damerau–Levenshtein distance `d` to the word (a swap of
/// two letters counts once) is at least 1, at most 2 (or a quarter of the candidate's
/// length, for long names), and smaller than the candidate's length (so no one-letter
/// candidate is suggested for any word). The first of the closest wins.
/// `None` when nothing is close, and for a word equal to a candidate: callers handle a
/// word that differs only in case on their own (`keywords are lowercase`).
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&word, c), c))
        .filter(|(d, c)| *d > 0 && *d <= 2.max(c.len() / 4) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_words_only() {
        let actions = ["set", "add", "remove", "send", "notify"];
        assert_eq!(did_you_mean("sett", actions), Some("set"));
        assert_eq!(did_you_mean("notfy", actions), Some("notify"));
        assert_eq!(did_you_mean("frobnicate", actions), None);
        assert_eq!(did_you_mean("x", ["all", "any"]), None);
        assert_eq!(did_you_mean("ab", ["x", "y"]), None);
        assert_eq!(did_you_mean("tirgger", ["trigger"]), Some("trigger"));
        assert_eq!(
            did_you_mean("stauts", ["status", "priority"]),
            Some("status")
        );
        assert_eq!(
            did_you_mean("message.has_atachment", ["message.has_attachments"]),
            Some("message.has_attachments")
        );
    }
}
