//! The crate's one YAML reader (`account.yaml`, `*.test.yaml`): serde-saphyr, with the
//! key path of a problem tracked by serde_path_to_error and messages in serde's own words
//! (`cases[0].expect: unknown field \`fird\`, expected one of …`), positioned by line and
//! column.
//!
//! The options follow the YAML 1.2 core schema the files were written for: only
//! `true`/`false` are booleans, a plain null read as text is its spelling, numbers with
//! leading zeros or underscores stay text in untyped values, and `.inf`/`.nan` become null
//! in JSON values.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    Deserialize, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};
use serde_path_to_error::{Path, Segment, Track};
use serde_saphyr::granit_parser::{ErrorKind, ScanError};
use serde_saphyr::{
    DefaultMessageFormatter, Error, ExternalMessageSource, Location, MessageFormatter,
    NonFiniteFloatPolicy,
};

/// The options every YAML file of the crate is read with.
fn options(strict_indentation: bool) -> serde_saphyr::Options {
    serde_saphyr::options! {
        strict_booleans: true,
        null_as_string: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        non_finite_float_policy: NonFiniteFloatPolicy::PassThrough,
        strict_indentation: strict_indentation,
        with_snippet: false,
    }
}

/// Why a YAML text could not be read into the wanted shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    /// The key path of the problem (`cases[0].expect`), empty at the top level.
    pub(crate) path: String,
    /// What is wrong, without the path or the position.
    pub(crate) message: String,
    /// 1-based line of the problem, when known.
    pub(crate) line: Option<usize>,
    /// 1-based column of the problem, when known.
    pub(crate) column: Option<usize>,
}

impl YamlError {
    /// `path: message`, or the message alone at the top level.
    pub(crate) fn with_path(&self) -> String {
        if self.path.is_empty() {
            self.message.clone()
        } else {
            format!("{}: {}", self.path, self.message)
        }
    }
}

/// Where an error below a key happened: the key and the path under it. Filled by
/// [`Tracked`] and read once the parse has failed.
#[derive(Default)]
pub(crate) struct ErrorPath(Cell<Option<(&'static str, Path)>>);

/// Deserializes a `T` found under the key `key` (`""` for the whole document), recording
/// the path of an error in an [`ErrorPath`].
pub(crate) struct Tracked<'a, T> {
    key: &'static str,
    at: &'a ErrorPath,
    wanted: PhantomData<T>,
}

impl<'a, T> Tracked<'a, T> {
    /// A `T` under `key`, its error path recorded in `at`.
    pub(crate) fn new(key: &'static str, at: &'a ErrorPath) -> Self {
        Tracked {
            key,
            at,
            wanted: PhantomData,
        }
    }
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Tracked<'_, T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<T, D::Error> {
        let mut track = Track::new();
        let value = T::deserialize(serde_path_to_error::Deserializer::new(de, &mut track));
        if value.is_err() {
            self.at.0.set(Some((self.key, track.path())));
        }
        value
    }
}

/// Reads `text` as one YAML document into a `T`.
pub(crate) fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    let at = ErrorPath::default();
    from_str_seed(text, Tracked::<T>::new("", &at), &at)
}

/// Reads `text` as one YAML document with `seed`, which records the path of an error in
/// `at` (through [`Tracked`]).
pub(crate) fn from_str_seed<'de, S: DeserializeSeed<'de>>(
    text: &'de str,
    seed: S,
    at: &ErrorPath,
) -> Result<S::Value, YamlError> {
    serde_saphyr::with_deserializer_from_str_with_options(text, options(false), |de| {
        seed.deserialize(de)
    })
    .map_err(|e| error(text, &e, at.0.take()))
}

/// True when `text` holds no YAML value: empty, only comments, or a null document.
pub(crate) fn is_null_document(text: &str) -> bool {
    matches!(
        serde_saphyr::from_str_with_options::<Option<IgnoredAny>>(text, options(false)),
        Ok(None)
    )
}

/// A known location as 1-based (line, column).
fn line_and_column(at: Location) -> Option<(usize, usize)> {
    let line = usize::try_from(at.line()).ok().filter(|&l| l > 0)?;
    let column = usize::try_from(at.column()).ok().filter(|&c| c > 0)?;
    Some((line, column))
}

/// A serde-saphyr error as a [`YamlError`]; `at` is the tracked path of the failed value.
fn error(text: &str, e: &Error, at: Option<(&'static str, Path)>) -> YamlError {
    let e = original(e);
    let position = e.location().and_then(line_and_column);
    if let Some(scan) = parser_error(e) {
        // Like libyaml's, a syntax error names a position, not a key path.
        let (message, line) = match (unclosed_flow(scan), position) {
            (Some(open), Some((line, column))) => (
                flow_message(open, line, column),
                Some(broken_flow_line(text, line)),
            ),
            _ => (wording(e, text), position.map(|p| p.0)),
        };
        return YamlError {
            path: String::new(),
            message,
            line,
            column: position.map(|p| p.1),
        };
    }
    // An error outside any tracked value is about the top level.
    let (key, path) = at.unwrap_or_else(|| ("", Track::new().path()));
    let position = match e {
        Error::SerdeMissingField { .. } => mapping_start(text, key, &path).or(position),
        _ => position,
    };
    let about_key = matches!(
        e,
        Error::SerdeUnknownField { .. } | Error::DuplicateMappingKey { .. }
    );
    YamlError {
        path: shown_path(key, &path, about_key),
        message: wording(e, text),
        line: position.map(|p| p.0),
        column: position.map(|p| p.1),
    }
}

/// The error itself, out of the wrappers that only add context (snippets, aliases).
fn original(e: &Error) -> &Error {
    match e.without_snippet() {
        Error::AliasError { error, .. } => original(error),
        other => other,
    }
}

/// `cases[0].expect` from the key and the tracked path below it. For an error about a key
/// (unknown, repeated) the path is that of the mapping holding it. The `value` step that
/// serde-saphyr's located items (`Spanned`) add after a sequence index is not shown.
fn shown_path(key: &str, path: &Path, about_key: bool) -> String {
    let mut segments: Vec<&Segment> = path.iter().collect();
    if about_key
        && matches!(
            segments.last(),
            Some(Segment::Map { .. } | Segment::Unknown)
        )
    {
        segments.pop();
    }
    let mut out = key.to_string();
    let mut after_index = false;
    for segment in segments {
        let name = match segment {
            Segment::Seq { index } => {
                out.push_str(&format!("[{index}]"));
                after_index = true;
                continue;
            }
            Segment::Map { key } if after_index && key == "value" => {
                after_index = false;
                continue;
            }
            Segment::Map { key } => key.as_str(),
            Segment::Enum { variant } => variant.as_str(),
            Segment::Unknown => "?",
        };
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(name);
        after_index = false;
    }
    out
}

/// The shape of a YAML document with the location of every node, to find a node by its
/// key path once reading the document has failed.
struct Skeleton {
    at: Location,
    inner: Inner,
}

/// A node's children.
enum Inner {
    Map(Vec<(String, Skeleton)>),
    Seq(Vec<Skeleton>),
    Scalar,
}

impl<'de> Deserialize<'de> for Skeleton {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<Inner>::deserialize(d)?;
        Ok(Skeleton {
            at: spanned.referenced,
            inner: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Inner {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Shape)
    }
}

/// Reads any node as its [`Inner`] shape.
struct Shape;

impl<'de> Visitor<'de> for Shape {
    type Value = Inner;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Inner, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Inner::Map(entries))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Inner, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Inner::Seq(items))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Inner, E> {
        Ok(Inner::Scalar)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Inner, E> {
        Ok(Inner::Scalar)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Inner, E> {
        Ok(Inner::Scalar)
    }

    fn visit_i128<E>(self, _: i128) -> Result<Inner, E> {
        Ok(Inner::Scalar)
    }

    fn visit_u128<E>(self, _: u128) -> Result<Inner, E> {
        Ok(Inner::Scalar)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Inner, E> {
        Ok(Inner::Scalar)
    }

    fn visit_str<E>(self, _: &str) -> Result<Inner, E> {
        Ok(Inner::Scalar)
    }

    fn visit_bytes<E>(self, _: &[u8]) -> Result<Inner, E> {
        Ok(Inner::Scalar)
    }

    fn visit_unit<E>(self) -> Result<Inner, E> {
        Ok(Inner::Scalar)
    }
}

/// Where the mapping at `key` + `path` starts (line, column), for a missing key:
/// serde-saphyr places that error at the mapping's last key, libyaml (and so the messages
/// users know) at its start. Asks the parser once more, for the document's shape.
fn mapping_start(text: &str, key: &str, path: &Path) -> Option<(usize, usize)> {
    let root: Skeleton = serde_saphyr::from_str_with_options(text, options(false)).ok()?;
    let top = (!key.is_empty()).then(|| Segment::Map {
        key: key.to_string(),
    });
    let mut node = &root;
    let mut after_index = false;
    for step in top.into_iter().chain(path.iter().cloned()) {
        node = match (&node.inner, step) {
            (Inner::Seq(items), Segment::Seq { index }) => {
                after_index = true;
                items.get(index)?
            }
            // The `value` step of a located item (see `shown_path`).
            (_, Segment::Map { key }) if after_index && key == "value" => {
                after_index = false;
                continue;
            }
            (Inner::Map(entries), Segment::Map { key }) => {
                after_index = false;
                &entries.iter().find(|(k, _)| *k == key)?.1
            }
            _ => return None,
        };
    }
    line_and_column(node.at)
}

/// `` `a` ``, `` `a` or `b` ``, `` one of `a`, `b`, `c` `` (serde's wording).
fn one_of(names: &[&str]) -> String {
    match names {
        [a] => format!("`{a}`"),
        [a, b] => format!("`{a}` or `{b}`"),
        _ => {
            let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            format!("one of {}", quoted.join(", "))
        }
    }
}

/// The scalar an error points at, as written (line breaks folded, quotes off).
fn scalar_at(text: &str, at: Location) -> Option<String> {
    let span = at.span();
    let start = usize::try_from(span.byte_offset()?).ok()?;
    let len = usize::try_from(span.byte_len()?).ok()?;
    let raw = text.get(start..start.checked_add(len)?)?;
    let words: Vec<&str> = raw.trim_matches(['"', '\'']).split_whitespace().collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// `` integer `300` `` or `string "abc"`, as serde names an unexpected scalar.
fn unexpected_scalar(scalar: &str) -> String {
    match scalar.parse::<i128>() {
        Ok(n) => format!("integer `{n}`"),
        Err(_) => format!("string {scalar:?}"),
    }
}

/// The message in serde's words where serde has words for it, else serde-saphyr's.
fn wording(e: &Error, text: &str) -> String {
    let scalar = || e.location().and_then(|at| scalar_at(text, at));
    match e {
        Error::SerdeUnknownField {
            field, expected, ..
        } if expected.is_empty() => format!("unknown field `{field}`, there are no fields"),
        Error::SerdeUnknownField {
            field, expected, ..
        } => format!("unknown field `{field}`, expected {}", one_of(expected)),
        Error::SerdeUnknownVariant {
            variant, expected, ..
        } if expected.is_empty() => format!("unknown variant `{variant}`, there are no variants"),
        Error::SerdeUnknownVariant {
            variant, expected, ..
        } => format!("unknown variant `{variant}`, expected {}", one_of(expected)),
        Error::SerdeMissingField { field, .. } => format!("missing field `{field}`"),
        Error::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => format!("invalid type: {unexpected}, expected {expected}"),
        Error::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => format!("invalid value: {unexpected}, expected {expected}"),
        Error::SerdeInvalidLength { len, expected, .. } => {
            format!("invalid length {len}, expected {expected}")
        }
        Error::InvalidBooleanStrict { .. } => match scalar() {
            Some(s) => format!("invalid type: string {s:?}, expected a boolean"),
            None => "invalid type, expected a boolean".into(),
        },
        Error::InvalidScalar { ty, .. } => match scalar() {
            Some(s) if s.parse::<i128>().is_ok() => {
                format!("invalid value: {}, expected {ty}", unexpected_scalar(&s))
            }
            Some(s) => format!("invalid type: {}, expected {ty}", unexpected_scalar(&s)),
            None => format!("invalid value, expected {ty}"),
        },
        Error::Unexpected { expected, .. } => match *expected {
            "sequence start" => "invalid type, expected a sequence".into(),
            "mapping start" => "invalid type, expected a mapping".into(),
            other => format!("expected {other}"),
        },
        Error::DuplicateMappingKey { key: Some(key), .. } => format!("duplicate field `{key}`"),
        Error::DuplicateMappingKey { key: None, .. } => "duplicate key".into(),
        Error::MultipleDocuments { .. } => {
            "deserializing from YAML containing more than one document is not supported".into()
        }
        other => DefaultMessageFormatter.format_message(other).into_owned(),
    }
}

/// The YAML parser's own error, when the text is not well-formed YAML.
fn parser_error(e: &Error) -> Option<&ScanError> {
    let Error::ExternalMessage { source, .. } = e else {
        return None;
    };
    match source.as_ref() {
        ExternalMessageSource::Parser(scan) => Some(scan),
        _ => None,
    }
}

/// The opening bracket of a flow collection left unclosed, when that is the error.
fn unclosed_flow(e: &ScanError) -> Option<char> {
    match e.kind() {
        ErrorKind::UnclosedFlowCollection { open } => Some(*open),
        _ => None,
    }
}

/// An unclosed `{` or `[` in the words YAML users know from libyaml, naming where the
/// collection started.
fn flow_message(open: char, line: usize, column: usize) -> String {
    let (close, what) = if open == '[' {
        (']', "sequence")
    } else {
        ('}', "mapping")
    };
    format!(
        "did not find expected ',' or '{close}', while parsing a flow {what} at line {line} column {column}"
    )
}

/// The line where an unclosed flow collection opened at `open_line` stops making sense:
/// the first content indented less than the collection allows, else its opening line.
/// The parse that reads the file accepts such content inside the collection (as YAML
/// allows), so this asks the parser once more with strict indentation.
fn broken_flow_line(text: &str, open_line: usize) -> usize {
    serde_saphyr::from_str_with_options::<IgnoredAny>(text, options(true))
        .err()
        .and_then(|e| original(&e).location())
        .and_then(line_and_column)
        .map(|(line, _)| line)
        .filter(|&line| line > open_line)
        .unwrap_or(open_line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        #[serde(default)]
        items: Vec<Inner>,
        #[serde(default)]
        flag: bool,
        #[serde(default)]
        kind: Option<Kind>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        name: String,
        #[serde(default)]
        count: u8,
        #[serde(default)]
        note: Option<String>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        One,
        Two,
    }

    fn err(text: &str) -> YamlError {
        from_str::<Outer>(text).unwrap_err()
    }

    #[test]
    fn a_good_document_reads() {
        let o: Outer =
            from_str("items:\n  - { name: a, count: 2 }\nflag: true\nkind: two\n").unwrap();
        assert_eq!((o.items[0].name.as_str(), o.items[0].count), ("a", 2));
        assert_eq!(o.items[0].note, None);
        assert!(o.flag);
        assert_eq!(o.kind, Some(Kind::Two));
    }

    #[test]
    fn unknown_key_names_the_mapping_and_the_key_position() {
        let e = err("items:\n  - name: a\n    cuont: 1\n");
        assert_eq!(e.path, "items[0]");
        assert_eq!(
            e.message,
            "unknown field `cuont`, expected one of `name`, `count`, `note`"
        );
        assert_eq!(one_of(&["a"]), "`a`");
        assert_eq!(one_of(&["a", "b"]), "`a` or `b`");
        assert_eq!((e.line, e.column), (Some(3), Some(5)));
        let e = err("flags: true\n");
        assert_eq!(
            e.with_path(),
            "unknown field `flags`, expected one of `items`, `flag`, `kind`"
        );
    }

    #[test]
    fn wrong_values_use_serde_words() {
        let e = err("kind: three\n");
        assert_eq!(
            e.with_path(),
            "kind: unknown variant `three`, expected `one` or `two`"
        );
        let e = err("items:\n  - count: 1\n");
        assert_eq!(e.with_path(), "items[0]: missing field `name`");
        // At the start of the mapping that misses it, not at its last key.
        let e = err("flag: true\nitems:\n  - count: 1\n\n    # a note\n    note: x\n");
        assert_eq!(e.with_path(), "items[0]: missing field `name`");
        assert_eq!((e.line, e.column), (Some(3), Some(5)), "{e:?}");
        // YAML 1.2: `yes` is text, not a boolean.
        assert_eq!(
            err("flag: yes\n").with_path(),
            "flag: invalid type: string \"yes\", expected a boolean"
        );
        assert_eq!(
            err("items: [{ name: a, count: 300 }]\n").with_path(),
            "items[0].count: invalid value: integer `300`, expected u8"
        );
        assert_eq!(
            err("items: [{ name: a, count: many }]\n").with_path(),
            "items[0].count: invalid type: string \"many\", expected u8"
        );
        assert_eq!(
            err("flag: yes\n  please\n").with_path(),
            "flag: invalid type: string \"yes please\", expected a boolean"
        );
        assert_eq!(
            err("items: { name: a }\n").with_path(),
            "items: invalid type, expected a sequence"
        );
        assert_eq!(
            err("items: []\nflag: true\nflag: false\n").with_path(),
            "duplicate field `flag`"
        );
        assert_eq!(
            err("flag: true\n---\nflag: false\n").with_path(),
            "deserializing from YAML containing more than one document is not supported"
        );
    }

    #[test]
    fn an_unclosed_flow_mapping_is_reported_where_it_breaks() {
        let e = err("items:\n  - { name: a\nflag: true\n");
        assert_eq!(
            e.message,
            "did not find expected ',' or '}', while parsing a flow mapping at line 2 column 5"
        );
        assert_eq!(e.line, Some(3));
        assert_eq!(e.path, "", "a syntax error has no key path");
        let e = err("items: [\n");
        assert!(
            e.message.contains("flow sequence at line 1 column 8"),
            "{e:?}"
        );
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn null_documents() {
        for text in ["", "# only a comment\n", "---\n", "~\n"] {
            assert!(is_null_document(text), "{text:?}");
        }
        assert!(!is_null_document("a: 1\n"));
        assert!(!is_null_document("[\n"));
    }
}
