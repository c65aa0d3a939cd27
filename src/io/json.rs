//! Reading untrusted JSON values with precise error messages that never echo long input
//! values (they could hold card numbers): only key names and short enum-like words are
//! quoted; anything else is described by its kind or length.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::model::FieldValue;

/// Internal result: the error is the message without the `line N:` prefix.
pub(crate) type Res<T> = Result<T, String>;

/// What kind of JSON value this is, with an article: `a string`, `a list`, `null`…
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Quotes a short enum-like input value (`opne`, `foo.bar`; up to 24 characters with at
/// most 6 digits, or up to 64 without digits) in backticks; describes any other value by
/// its length, so an error message never repeats free text or a long
/// number from the input.
pub(crate) fn shown(s: &str) -> String {
    let len = s.chars().count();
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let enum_like = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '/' | '+'));
    if s.is_empty() {
        "an empty string".to_string()
    } else if enum_like && ((len <= 24 && digits <= 6) || (len <= 64 && digits == 0)) {
        format!("`{s}`")
    } else {
        format!("a {len}-character value")
    }
}

/// A key name as it may appear in a message: printed when short and printable, else
/// replaced by `…` (keys are input too).
pub(crate) fn key_name(k: &str) -> String {
    let digits = k.chars().filter(char::is_ascii_digit).count();
    if !k.is_empty() && k.chars().count() <= 40 && digits <= 6 && !k.chars().any(char::is_control) {
        k.to_string()
    } else {
        "…".to_string()
    }
}

/// Why a text is not an instant the engine accepts ([`parse_instant`]). Messages never
/// quote the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Not RFC 3339 (`2026-11-24T09:00:00Z`, `…+09:00`): why, in words.
    #[error("{0}")]
    Shape(String),
    /// Well-formed, but outside what the engine represents: 0000-01-01T00:00:00Z to
    /// 9999-12-30T22:00:00Z (jiff's range, which leaves room for any offset).
    #[error("it is outside the times the engine can represent (0000-01-01T00:00:00Z to 9999-12-30T22:00:00Z)")]
    Range,
}

/// Parses an RFC 3339 instant (`2026-11-24T09:00:00Z`, `…+09:00`, a UTC instant once
/// read) with jiff, and holds it to RFC 3339 where jiff is more lenient: the year is
/// four digits (no sign, no six-digit years), and a numeric offset is at most ±23:59
/// (jiff takes up to ±25:59).
///
/// # Errors
/// [`TimeError::Shape`] for text that is not such a time, [`TimeError::Range`] for a time
/// past 9999-12-30T22:00:00Z.
pub fn parse_instant(s: &str) -> Result<Timestamp, TimeError> {
    let t = s.parse::<Timestamp>().map_err(|e| {
        let reason = e.to_string();
        // jiff quotes parts of the input ('…' or "…") in some messages; drop those.
        if reason.contains("overflow") {
            TimeError::Range
        } else if !reason.contains(['\'', '"']) {
            TimeError::Shape(reason)
        } else if reason.contains("unparsed input") {
            TimeError::Shape(
                "unexpected text after the time (expected e.g. 2026-11-24T09:00:00Z)".into(),
            )
        } else {
            TimeError::Shape("expected a time like 2026-11-24T09:00:00Z".into())
        }
    })?;
    let b = s.as_bytes();
    let four_digit_year =
        b.get(..4).is_some_and(|y| y.iter().all(u8::is_ascii_digit)) && b.get(4) == Some(&b'-');
    if !four_digit_year {
        return Err(TimeError::Shape(
            "the year must be four digits, 0000 to 9999 (RFC 3339)".into(),
        ));
    }
    if let Some([b'+' | b'-', h1, h2, b':', m1, m2]) =
        s.len().checked_sub(6).and_then(|i| b.get(i..))
    {
        let two = |a: u8, b: u8| a.wrapping_sub(b'0') * 10 + b.wrapping_sub(b'0');
        let digits = [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit());
        if digits && (two(*h1, *h2) > 23 || two(*m1, *m2) > 59) {
            return Err(TimeError::Shape(
                "the offset must be between -23:59 and +23:59 (RFC 3339)".into(),
            ));
        }
    }
    Ok(t)
}

/// [`parse_instant`] with the error as `` `what` is not an RFC 3339 time: why ``.
pub(crate) fn parse_time(s: &str, what: &str) -> Res<Timestamp> {
    parse_instant(s).map_err(|e| match e {
        TimeError::Range => format!("`{what}` cannot be used: {e}"),
        TimeError::Shape(_) => format!("`{what}` is not an RFC 3339 time: {e}"),
    })
}

/// A JSON object being read, with its key path (`""` at top level, `ticket.requester`…)
/// and the event type used in "missing field" messages.
pub(crate) struct Obj<'a> {
    /// The object's members.
    pub map: &'a Map<String, Value>,
    /// Dotted path of this object from the line's top level.
    pub path: String,
    /// Event type, for `missing field … for event type …`.
    pub event: &'static str,
}

impl<'a> Obj<'a> {
    /// The top-level object of an event of type `event`.
    pub fn top(map: &'a Map<String, Value>, event: &'static str) -> Self {
        Obj {
            map,
            path: String::new(),
            event,
        }
    }

    /// The full dotted name of `key` inside this object.
    pub fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            key_name(key)
        } else {
            format!("{}.{}", self.path, key_name(key))
        }
    }

    /// The value of `key`, treating JSON `null` as absent.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// True when `key` is present with JSON `null`.
    pub fn is_null(&self, key: &str) -> bool {
        matches!(self.map.get(key), Some(Value::Null))
    }

    /// `missing field \`PATH\` for event type \`TYPE\``.
    pub fn missing(&self, key: &str) -> String {
        format!(
            "missing field `{}` for event type `{}`",
            self.field(key),
            self.event
        )
    }

    /// `` `PATH` must be EXPECTED, found KIND``.
    pub fn wrong(&self, key: &str, expected: &str, v: &Value) -> String {
        format!(
            "`{}` must be {expected}, found {}",
            self.field(key),
            kind(v)
        )
    }

    /// Rejects members not in `allowed` (used where a typo would silently drop a change).
    pub fn only_keys(&self, allowed: &[&str]) -> Res<()> {
        for k in self.map.keys() {
            if !allowed.contains(&k.as_str()) {
                let where_ = if self.path.is_empty() {
                    "the event".to_string()
                } else {
                    format!("`{}`", self.path)
                };
                return Err(format!(
                    "unknown key `{}` in {where_} (expected one of {})",
                    key_name(k),
                    allowed.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// An optional string (absent or null → `None`).
    pub fn str_opt(&self, key: &str) -> Res<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(self.wrong(key, "a string", v)),
        }
    }

    /// An optional id or name: a non-empty string, or an integer read as its digits.
    pub fn id_opt(&self, key: &str) -> Res<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => self.id_value(key, v).map(Some),
        }
    }

    fn id_value(&self, key: &str, v: &Value) -> Res<String> {
        match v {
            Value::String(s) if s.trim().is_empty() => {
                Err(format!("`{}` must not be empty", self.field(key)))
            }
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
            v => Err(self.wrong(key, "a string or an integer id", v)),
        }
    }

    /// A required id or name (see [`Obj::id_opt`]).
    pub fn id_req(&self, key: &str) -> Res<String> {
        self.id_opt(key)?.ok_or_else(|| self.missing(key))
    }

    /// An optional boolean.
    pub fn bool_opt(&self, key: &str) -> Res<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.wrong(key, "true or false", v)),
        }
    }

    /// An optional RFC 3339 time.
    pub fn time_opt(&self, key: &str) -> Res<Option<Timestamp>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => parse_time(s, &self.field(key)).map(Some),
            Some(v) => Err(self.wrong(key, "an RFC 3339 time string", v)),
        }
    }

    /// An optional nested object.
    pub fn obj_opt(&self, key: &str) -> Res<Option<Obj<'a>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Obj {
                map,
                path: self.field(key),
                event: self.event,
            })),
            Some(v) => Err(self.wrong(key, "an object", v)),
        }
    }

    /// A required nested object.
    pub fn obj_req(&self, key: &str) -> Res<Obj<'a>> {
        self.obj_opt(key)?.ok_or_else(|| self.missing(key))
    }

    /// An optional word from a closed set (`status`, `priority`…), case-insensitive.
    /// `what` names the set in the message: `unknown status \`opne\` in changes.status
    /// (expected one of new, open, …)`.
    pub fn enum_opt<T: Copy + std::fmt::Display>(
        &self,
        key: &str,
        what: &str,
        parse: fn(&str) -> Option<T>,
        all: &[T],
    ) -> Res<Option<T>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => match parse(s) {
                Some(t) => Ok(Some(t)),
                None => {
                    let allowed: Vec<String> = all.iter().map(|t| t.to_string()).collect();
                    Err(format!(
                        "unknown {what} {} in {} (expected one of {})",
                        shown(s),
                        self.field(key),
                        allowed.join(", ")
                    ))
                }
            },
            Some(v) => Err(self.wrong(key, "a string", v)),
        }
    }

    /// A clearable value: absent → `None`, `null` → `Some(None)`, else `Some(Some(read))`.
    pub fn clearable<T>(
        &self,
        key: &str,
        read: impl FnOnce(&Self) -> Res<Option<T>>,
    ) -> Res<Option<Option<T>>> {
        if self.is_null(key) {
            Ok(Some(None))
        } else {
            Ok(read(self)?.map(Some))
        }
    }

    /// An optional list of tags: strings, trimmed and lowercased, duplicates dropped,
    /// order kept. A tag must be one word.
    pub fn tags_opt(&self, key: &str) -> Res<Option<Vec<String>>> {
        let list = match self.get(key) {
            None => return Ok(None),
            Some(Value::Array(list)) => list,
            Some(v) => return Err(self.wrong(key, "a list of tags", v)),
        };
        let mut out: Vec<String> = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            let name = || format!("{}[{i}]", self.field(key));
            let tag = match item {
                Value::String(s) => s.trim().to_lowercase(),
                v => return Err(format!("`{}` must be a string, found {}", name(), kind(v))),
            };
            if tag.is_empty() {
                return Err(format!("`{}` is an empty tag", name()));
            }
            if tag.chars().any(char::is_whitespace) {
                return Err(format!(
                    "`{}` contains a space; a tag is one word (use one list item per tag)",
                    name()
                ));
            }
            if !out.contains(&tag) {
                out.push(tag);
            }
        }
        Ok(Some(out))
    }

    /// Custom field values `{name: value}`; `null` values are returned as `None`.
    pub fn fields_opt(&self, key: &str) -> Res<Option<BTreeMap<String, Option<FieldValue>>>> {
        let map = match self.get(key) {
            None => return Ok(None),
            Some(Value::Object(map)) => map,
            Some(v) => return Err(self.wrong(key, "an object of field values", v)),
        };
        let mut out = BTreeMap::new();
        for (name, v) in map {
            let value = match v {
                Value::Null => None,
                Value::Bool(b) => Some(FieldValue::Bool(*b)),
                Value::Number(n) => Some(match (n.as_i64(), n.as_f64()) {
                    (Some(i), _) => FieldValue::Int(i),
                    (None, Some(f)) => FieldValue::Float(f),
                    (None, None) => {
                        return Err(format!(
                            "`{}.{}` is a number out of range",
                            self.field(key),
                            key_name(name)
                        ))
                    }
                }),
                Value::String(s) => Some(FieldValue::Text(s.clone())),
                v => {
                    return Err(format!(
                        "`{}.{}` must be text, a number or a boolean, found {}",
                        self.field(key),
                        key_name(name),
                        kind(v)
                    ))
                }
            };
            out.insert(name.clone(), value);
        }
        Ok(Some(out))
    }

    /// Custom field values where `null` means "not set" (dropped).
    pub fn set_fields_opt(&self, key: &str) -> Res<BTreeMap<String, FieldValue>> {
        Ok(self
            .fields_opt(key)?
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect())
    }

    /// Tags as a set (requester tags).
    pub fn tag_set(&self, key: &str) -> Res<BTreeSet<String>> {
        Ok(self
            .tags_opt(key)?
            .unwrap_or_default()
            .into_iter()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_quotes_short_words_only() {
        assert_eq!(shown("opne"), "`opne`");
        assert_eq!(shown("ticket.created"), "`ticket.created`");
        assert_eq!(shown("4111111111111111"), "a 16-character value");
        assert_eq!(shown("hello world"), "a 11-character value");
        assert_eq!(shown(""), "an empty string");
    }

    #[test]
    fn parse_time_accepts_z_and_offsets() {
        let a = parse_time("2026-11-24T09:00:00Z", "at").unwrap();
        let b = parse_time("2026-11-24T18:00:00+09:00", "at").unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn offsets_beyond_23_59_are_refused() {
        assert!(parse_time("2026-12-31T23:59:59+01:60", "at").is_err());
        for bad in ["2026-12-31T23:59:59-25:00", "2026-12-31T23:59:59+24:00"] {
            let e = parse_time(bad, "at").unwrap_err();
            assert!(e.contains("offset must be between"), "{bad}: {e}");
        }
        assert!(parse_time("2026-12-31T23:59:59+23:59", "at").is_ok());
        assert!(parse_time("2026-12-31T23:59:59-00:30", "at").is_ok());
    }

    #[test]
    fn years_past_jiffs_range_say_so() {
        let e = parse_time("9999-12-31T23:59:59Z", "at").unwrap_err();
        assert_eq!(
            e,
            "`at` cannot be used: it is outside the times the engine can represent (0000-01-01T00:00:00Z to 9999-12-30T22:00:00Z)"
        );
        assert!(parse_time("9999-12-30T22:00:00Z", "at").is_ok());
        assert!(parse_time("+010000-01-01T00:00:00Z", "at").is_err());
        assert!(parse_time("26-01-01T00:00:00Z", "at").is_err());
        let e = parse_time("-000001-01-01T00:00:00Z", "at").unwrap_err();
        assert!(e.contains("the year must be four digits"), "{e}");
    }

    #[test]
    fn parse_time_error_hides_long_digit_runs() {
        let e = parse_time("4111111111111111", "at").unwrap_err();
        assert!(e.starts_with("`at` is not an RFC 3339 time: "), "{e}");
        assert!(!e.contains("4111111111111111"), "{e}");
    }
}
