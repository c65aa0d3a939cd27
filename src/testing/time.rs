//! Times written in test files (S18): RFC 3339 instants, or offsets like `+25h`,
//! `+1d2h30m` and `-90m` from a base time.

use jiff::{SignedDuration, Timestamp};

/// Why a time written in a test file is unusable. The message quotes what was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Starts with `+` or `-` but is not an offset of whole `d`/`h`/`m`/`s` units.
    #[error("`{0}` is not an offset like +25h, +1d2h30m or -90m (units d, h, m, s)")]
    BadOffset(String),
    /// An offset that takes the time outside the representable range.
    #[error("`{0}` is out of range")]
    OutOfRange(String),
    /// Neither an offset nor an RFC 3339 time.
    #[error("`{0}` is not an RFC 3339 time (e.g. 2026-01-05T09:00:00Z) or an offset like +25h")]
    NotATime(String),
}

/// Parses `+1d2h30m`, `-90m`, `+45s` (units `d` = 24 h, `h`, `m`, `s`; integers).
fn parse_offset(s: &str) -> Option<SignedDuration> {
    let (neg, body) = if let Some(body) = s.strip_prefix('+') {
        (false, body)
    } else {
        (true, s.strip_prefix('-')?)
    };
    if body.is_empty() {
        return None;
    }
    let mut secs: i64 = 0;
    let mut num = String::new();
    for c in body.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit: i64 = match c {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        let n: i64 = num.parse().ok()?;
        secs = secs.checked_add(n.checked_mul(unit)?)?;
        num.clear();
    }
    if !num.is_empty() {
        return None;
    }
    let d = SignedDuration::from_secs(secs);
    Some(if neg { -d } else { d })
}

/// A time written in a test: RFC 3339, or `+DURATION` / `-DURATION` from `base` (S18).
///
/// # Errors
/// A [`TimeError`] naming what was expected.
pub fn resolve_time(s: &str, base: Timestamp) -> Result<Timestamp, TimeError> {
    if s.starts_with('+') || s.starts_with('-') {
        let d = parse_offset(s).ok_or_else(|| TimeError::BadOffset(s.to_string()))?;
        return base
            .checked_add(d)
            .map_err(|_| TimeError::OutOfRange(s.to_string()));
    }
    s.parse::<Timestamp>()
        .map_err(|_| TimeError::NotATime(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s18_offsets_and_absolute_times() {
        let base: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let t = |s: &str| resolve_time(s, base).map(|t| t.to_string());
        assert_eq!(t("+25h").unwrap(), "2026-01-06T10:00:00Z");
        assert_eq!(t("+1d2h30m").unwrap(), "2026-01-06T11:30:00Z");
        assert_eq!(t("-90m").unwrap(), "2026-01-05T07:30:00Z");
        assert_eq!(t("+45s").unwrap(), "2026-01-05T09:00:45Z");
        assert_eq!(t("2026-02-01T00:00:00Z").unwrap(), "2026-02-01T00:00:00Z");
        assert!(t("+").is_err());
        assert!(t("+5").is_err());
        assert!(t("+5w").is_err());
        assert!(t("tomorrow").is_err());
        assert!(t("+99999999999999999d").is_err());
    }

    #[test]
    fn errors_quote_what_was_written() {
        let base: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let msg = |s: &str| resolve_time(s, base).unwrap_err().to_string();
        assert_eq!(
            msg("+5w"),
            "`+5w` is not an offset like +25h, +1d2h30m or -90m (units d, h, m, s)"
        );
        assert_eq!(msg("+99999999999d"), "`+99999999999d` is out of range");
        assert_eq!(
            msg("tomorrow"),
            "`tomorrow` is not an RFC 3339 time (e.g. 2026-01-05T09:00:00Z) or an offset like +25h"
        );
    }
}
