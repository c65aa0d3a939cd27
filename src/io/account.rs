//! Loading `account.yaml` (events.md "`account.yaml`"): YAML through serde-saphyr into
//! [`Account`] (unknown keys are errors naming the key path, its line and column), then checks
//! that the settings make sense: IANA time zones (jiff's bundled database), the automation
//! minute (S18), the default schedule (S14), weekly opening hours, and the template
//! registry (W9).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;

use crate::model::Account;

/// Why an account file could not be used. Messages name the offending key and, for YAML
/// errors, its line and column; they never print long values.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The file could not be read.
    #[error("cannot read account file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Not valid YAML, or a key or value of the wrong shape (e.g. an unknown key):
    /// `message` ends with `at line L column C` when the position is known.
    #[error("invalid account settings: {message}")]
    Yaml {
        /// What was wrong, with the key path and position.
        message: String,
        /// 1-based line of the problem, when known.
        line: Option<usize>,
        /// 1-based column of the problem, when known.
        column: Option<usize>,
    },
    /// Well-formed YAML whose values do not make sense; one entry per problem, each
    /// starting with the key path (`schedules[0].weekly.mon: "9-18" is not HH:MM-HH:MM`).
    #[error("invalid account settings: {}", problems.join("; "))]
    Invalid {
        /// Every problem found, in file order.
        problems: Vec<String>,
    },
}

/// Reads and validates the account settings file at `path` (see [`parse_account`]).
///
/// # Errors
/// [`AccountError::Io`] (naming the path) when the file cannot be read; otherwise as
/// [`parse_account`].
pub fn load_account(path: &Path) -> Result<Account, AccountError> {
    let text = std::fs::read_to_string(path).map_err(|source| AccountError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_account(&text)
}

/// Parses and validates account settings from YAML text. Every key is optional (defaults
/// in [`Account`]); an empty document gives the defaults.
///
/// # Errors
/// [`AccountError::Yaml`] for YAML syntax errors, unknown keys (`unknown field \`foo\`,
/// expected one of … at line 3 column 1`) and values of the wrong type;
/// [`AccountError::Invalid`] listing every failed check: an unknown IANA `timezone`
/// (account or schedule), `automation_minute` outside 0–59 (S18), a `default_schedule`
/// naming no schedule (S14), an empty or duplicate schedule name, a weekly key other than
/// `mon`…`sun`, opening hours that are not `HH:MM-HH:MM` ranges with start before end
/// (see [`parse_day_hours`]), an empty template name or language, a duplicate template
/// (name, language) (W9), an empty or duplicate custom field name.
pub fn parse_account(yaml: &str) -> Result<Account, AccountError> {
    let account: Account = match super::yaml::from_str(yaml) {
        Ok(a) => a,
        // A null document (`---`, `~`) means "all defaults", as an empty one does.
        Err(_) if super::yaml::is_null_document(yaml) => Account::default(),
        Err(e) => {
            let at = match (e.line, e.column) {
                (Some(l), Some(c)) => format!(" at line {l} column {c}"),
                _ => String::new(),
            };
            return Err(AccountError::Yaml {
                message: scrub_quoted(&format!("{}{at}", e.with_path())),
                line: e.line,
                column: e.column,
            });
        }
    };
    check_account(account)
}

/// Checks well-typed account settings (see [`parse_account`] for the checks), for settings
/// built another way than from YAML text (e.g. a test file's account with overrides).
///
/// # Errors
/// [`AccountError::Invalid`] listing every failed check.
pub(crate) fn check_account(account: Account) -> Result<Account, AccountError> {
    let problems = validate(&account);
    if problems.is_empty() {
        Ok(account)
    } else {
        Err(AccountError::Invalid { problems })
    }
}

/// The weekday keys of `weekly`, Monday first.
pub const WEEKDAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Parses one day's opening hours, `"09:00-12:00,13:00-18:00"`, into ranges of minutes
/// since midnight (civil time in the schedule's zone, S14), sorted by start. Each range is
/// `H:MM-H:MM` or `HH:MM-HH:MM` with start < end; `24:00` is allowed as an end only.
/// An empty string is a closed day (no ranges).
///
/// # Errors
/// A message without the key path, e.g. `"9-18" is not HH:MM-HH:MM`,
/// `"18:00-09:00" does not start before it ends`, `"09:00-12:00" and "11:00-13:00" overlap`.
pub fn parse_day_hours(spec: &str) -> Result<Vec<(u16, u16)>, String> {
    let mut ranges: Vec<(u16, u16, &str)> = Vec::new();
    if spec.trim().is_empty() {
        return Ok(Vec::new());
    }
    for part in spec.split(',') {
        let part = part.trim();
        let parsed = part
            .split_once('-')
            .and_then(|(a, b)| Some((clock(a.trim(), false)?, clock(b.trim(), true)?)));
        let Some((start, end)) = parsed else {
            return Err(format!("{} is not HH:MM-HH:MM", quoted(part)));
        };
        if start >= end {
            return Err(format!("{} does not start before it ends", quoted(part)));
        }
        ranges.push((start, end, part));
    }
    ranges.sort_by_key(|r| r.0);
    for pair in ranges.windows(2) {
        if pair[1].0 < pair[0].1 {
            return Err(format!(
                "{} and {} overlap",
                quoted(pair[0].2),
                quoted(pair[1].2)
            ));
        }
    }
    Ok(ranges.into_iter().map(|(s, e, _)| (s, e)).collect())
}

/// `H:MM` / `HH:MM` → minutes since midnight; `24:00` only when `end`.
fn clock(s: &str, end: bool) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if !(1..=2).contains(&h.len()) || m.len() != 2 || !digits(h) || !digits(m) {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) if end => Some(24 * 60),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

/// A value quoted for a message (`"Asia/Seoul"`), or described by its length when long or
/// number-like.
fn quoted(s: &str) -> String {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    if s.chars().count() <= 64 && digits <= 8 && !s.chars().any(char::is_control) {
        format!("{s:?}")
    } else {
        format!("a {}-character value", s.chars().count())
    }
}

/// Replaces long double-quoted values inside a serde message by `"…"`.
fn scrub_quoted(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(open) = rest.find('"') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('"') {
            Some(close) => {
                let inner = &after[..close];
                let digits = inner.chars().filter(char::is_ascii_digit).count();
                if inner.chars().count() <= 64 && digits <= 8 {
                    out.push('"');
                    out.push_str(inner);
                    out.push('"');
                } else {
                    out.push_str("\"…\"");
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every problem with well-typed settings, in file order.
fn validate(a: &Account) -> Vec<String> {
    let mut p = Vec::new();
    let check_zone = |p: &mut Vec<String>, key: &str, name: &str| {
        if TimeZone::get(name).is_err() {
            p.push(format!(
                "{key}: {} is not an IANA time zone name (e.g. \"Asia/Seoul\", \"UTC\")",
                quoted(name)
            ));
        }
    };
    check_zone(&mut p, "timezone", &a.timezone);
    if let Some(name) = &a.default_schedule {
        if !a.schedules.iter().any(|s| &s.name == name) {
            let defined: Vec<String> = a.schedules.iter().map(|s| quoted(&s.name)).collect();
            let hint = if defined.is_empty() {
                "no schedules are defined".to_string()
            } else {
                format!("defined: {}", defined.join(", "))
            };
            p.push(format!(
                "default_schedule: {} names no schedule ({hint})",
                quoted(name)
            ));
        }
    }
    if a.automation_minute > 59 {
        p.push(format!(
            "automation_minute: {} is not a minute of the hour (0-59)",
            a.automation_minute
        ));
    }
    if a.automation_ticket_limit == 0 {
        p.push(
            "automation_ticket_limit: 0 would let no automation update any ticket (S16); use 1 or more"
                .to_string(),
        );
    }
    if a.automation_updates_per_ticket == 0 {
        p.push(
            "automation_updates_per_ticket: 0 would let no automation update any ticket (S16); use 1 or more"
                .to_string(),
        );
    }
    let mut seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (i, t) in a.templates.iter().enumerate() {
        if let Some(c) = &t.category {
            if !TEMPLATE_CATEGORIES
                .iter()
                .any(|k| k.eq_ignore_ascii_case(c))
            {
                p.push(format!(
                    "templates[{i}].category: {} is not a WhatsApp template category (use {})",
                    quoted(c),
                    TEMPLATE_CATEGORIES.join(", ")
                ));
            }
        }
        if t.name.trim().is_empty() {
            p.push(format!("templates[{i}].name: must not be empty"));
        }
        if t.language.trim().is_empty() {
            p.push(format!("templates[{i}].language: must not be empty"));
        }
        if let Some(j) = seen.insert((&t.name, &t.language), i) {
            p.push(format!(
                "templates[{i}]: {} in {} is already registered by templates[{j}]",
                quoted(&t.name),
                quoted(&t.language)
            ));
        }
    }
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in a.schedules.iter().enumerate() {
        if s.name.trim().is_empty() {
            p.push(format!("schedules[{i}].name: must not be empty"));
        } else if let Some(j) = names.insert(&s.name, i) {
            p.push(format!(
                "schedules[{i}].name: {} is already used by schedules[{j}]",
                quoted(&s.name)
            ));
        }
        check_zone(&mut p, &format!("schedules[{i}].timezone"), &s.timezone);
        // `weekly` is a sorted map: days come in alphabetical key order.
        for (day, hours) in &s.weekly {
            if !WEEKDAYS.contains(&day.as_str()) {
                p.push(format!(
                    "schedules[{i}].weekly: {} is not a weekday key (use {})",
                    quoted(day),
                    WEEKDAYS.join(", ")
                ));
            } else if let Err(e) = parse_day_hours(hours) {
                p.push(format!("schedules[{i}].weekly.{day}: {e}"));
            }
        }
    }
    let mut fields: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, f) in a.fields.iter().enumerate() {
        if f.name.trim().is_empty() {
            p.push(format!("fields[{i}].name: must not be empty"));
        } else if let Some(j) = fields.insert(&f.name, i) {
            p.push(format!(
                "fields[{i}].name: {} is already defined by fields[{j}]",
                quoted(&f.name)
            ));
        }
        if let Some(t) = &f.field_type {
            if !FIELD_TYPES.contains(&t.as_str()) {
                p.push(format!(
                    "fields[{i}].type: {} is not a field type (use {})",
                    quoted(t),
                    FIELD_TYPES.join(", ")
                ));
            }
        }
    }
    p
}

/// The categories of WhatsApp message templates (Meta's `category`: marketing, utility,
/// authentication), matched without regard to case.
pub const TEMPLATE_CATEGORIES: &[&str] = &["utility", "marketing", "authentication"];

/// The types a custom field (`fields[].type`) may declare.
pub const FIELD_TYPES: &[&str] = &["text", "number", "bool", "date", "dropdown", "multiselect"];

#[cfg(test)]
mod tests {
    /// Issue 8, item 7: values of the right YAML type but no meaning are refused.
    #[test]
    fn nonsense_field_type_template_category_and_zero_limits_are_refused() {
        let yaml = "automation_ticket_limit: 0\nautomation_updates_per_ticket: 0\ntemplates:\n  - { name: a, language: en, category: nonsense }\n  - { name: b, language: en, category: MARKETING }\nfields:\n  - { name: f, type: nonsense }\n  - { name: g, type: bool }\n";
        let msg = super::parse_account(yaml).unwrap_err().to_string();
        for want in [
            "automation_ticket_limit: 0 would let no automation",
            "automation_updates_per_ticket: 0 would let no automation",
            "templates[0].category: \"nonsense\" is not a WhatsApp template category",
            "fields[0].type: \"nonsense\" is not a field type",
        ] {
            assert!(msg.contains(want), "{want}: {msg}");
        }
        assert!(!msg.contains("templates[1]"), "{msg}");
        assert!(!msg.contains("fields[1]"), "{msg}");
    }

    use super::*;

    /// `shared/samples/account.yaml`: beside the repository (CI), or two levels up when
    /// the repository is a worktree under `wt/`.
    fn sample_path() -> PathBuf {
        let beside = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/samples/account.yaml"
        ));
        let above = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/samples/account.yaml"
        ));
        if beside.exists() || !above.exists() {
            beside
        } else {
            above
        }
    }

    fn problems(yaml: &str) -> Vec<String> {
        match parse_account(yaml) {
            Err(AccountError::Invalid { problems }) => problems,
            other => panic!("expected validation problems, got {other:?}"),
        }
    }

    #[test]
    fn sample_account_loads() {
        let path = sample_path();
        assert!(
            path.exists(),
            "shared samples missing at {} (CI checks out shared/ beside the repo)",
            path.display()
        );
        let a = load_account(&path).expect("sample account.yaml must load");
        assert_eq!(a.timezone, "Asia/Seoul");
        assert!(a.conversations_license);
        assert_eq!(a.templates.len(), 2);
        assert_eq!(a.templates[0].name, "order_followup");
        assert_eq!(a.templates[0].params, 1);
        assert_eq!(a.schedules[0].name, "Seoul office");
        assert_eq!(a.schedules[0].weekly.len(), 5);
        assert_eq!(
            a.schedules[0].holidays,
            vec![jiff::civil::date(2026, 12, 25)]
        );
    }

    #[test]
    fn empty_document_gives_defaults() {
        assert_eq!(parse_account("").unwrap(), Account::default());
        assert_eq!(
            parse_account("# only a comment\n").unwrap(),
            Account::default()
        );
    }

    #[test]
    fn keys_without_a_value_are_empty() {
        let yaml = "templates:\nschedules:\n  - name: A\n    timezone: UTC\n    weekly:\n    holidays:\nwhatsapp:\n";
        let a = parse_account(yaml).unwrap();
        assert!(a.templates.is_empty());
        assert!(a.schedules[0].weekly.is_empty() && a.schedules[0].holidays.is_empty());
        assert_eq!(a.whatsapp, crate::model::WhatsAppSettings::default());
    }

    #[test]
    fn unknown_key_names_key_line_and_column() {
        let e = parse_account("timezone: UTC\nautomation_minuet: 5\n").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("unknown field `automation_minuet`"), "{msg}");
        assert!(msg.contains("line 2 column 1"), "{msg}");
        match e {
            AccountError::Yaml { line, column, .. } => {
                assert_eq!((line, column), (Some(2), Some(1)));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_nested_key_names_its_path() {
        let yaml = "schedules:\n  - name: A\n    timezone: UTC\n    hours: {}\n";
        let msg = parse_account(yaml).unwrap_err().to_string();
        assert!(msg.contains("schedules[0]"), "{msg}");
        assert!(msg.contains("unknown field `hours`"), "{msg}");
        assert!(msg.contains("line 4"), "{msg}");
    }

    #[test]
    fn io_error_names_the_path() {
        let e = load_account(Path::new("/nonexistent/dir/account.yaml")).unwrap_err();
        assert!(matches!(e, AccountError::Io { .. }));
        assert!(
            e.to_string().contains("/nonexistent/dir/account.yaml"),
            "{e}"
        );
    }

    #[test]
    fn s14_bad_time_zones_are_reported() {
        let p =
            problems("timezone: Asia/Seol\nschedules:\n  - name: A\n    timezone: Mars/Olympus\n");
        assert_eq!(
            p,
            vec![
                "timezone: \"Asia/Seol\" is not an IANA time zone name (e.g. \"Asia/Seoul\", \"UTC\")",
                "schedules[0].timezone: \"Mars/Olympus\" is not an IANA time zone name (e.g. \"Asia/Seoul\", \"UTC\")",
            ]
        );
    }

    #[test]
    fn s18_automation_minute_must_be_0_to_59() {
        assert_eq!(
            problems("automation_minute: 60\n"),
            vec!["automation_minute: 60 is not a minute of the hour (0-59)"]
        );
        assert!(parse_account("automation_minute: 59\n").is_ok());
        // Beyond u8: a type error with the position.
        let msg = parse_account("automation_minute: 300\n")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("automation_minute"), "{msg}");
        assert!(msg.contains("line 1"), "{msg}");
    }

    #[test]
    fn s14_default_schedule_must_exist() {
        assert_eq!(
            problems("default_schedule: Nowhere\n"),
            vec!["default_schedule: \"Nowhere\" names no schedule (no schedules are defined)"]
        );
        let ok = "default_schedule: A\nschedules:\n  - { name: A, timezone: UTC }\n";
        assert_eq!(
            parse_account(ok).unwrap().default_schedule.as_deref(),
            Some("A")
        );
    }

    #[test]
    fn s14_weekly_hours_are_checked() {
        let yaml = r#"
schedules:
  - name: A
    timezone: UTC
    weekly: { mon: "9-18", tue: "18:00-09:00", wed: "09:00-12:00,11:00-13:00", thu: "09:00-24:00", monday: "09:00-10:00", fri: "24:00-24:00" }
"#;
        assert_eq!(
            problems(yaml),
            vec![
                "schedules[0].weekly.fri: \"24:00-24:00\" is not HH:MM-HH:MM",
                "schedules[0].weekly.mon: \"9-18\" is not HH:MM-HH:MM",
                "schedules[0].weekly: \"monday\" is not a weekday key (use mon, tue, wed, thu, fri, sat, sun)",
                "schedules[0].weekly.tue: \"18:00-09:00\" does not start before it ends",
                "schedules[0].weekly.wed: \"09:00-12:00\" and \"11:00-13:00\" overlap",
            ]
        );
    }

    #[test]
    fn s14_parse_day_hours_gives_sorted_minutes() {
        assert_eq!(
            parse_day_hours("13:00-18:00, 9:00-12:00").unwrap(),
            vec![(540, 720), (780, 1080)]
        );
        assert_eq!(parse_day_hours("00:00-24:00").unwrap(), vec![(0, 1440)]);
        assert_eq!(parse_day_hours("").unwrap(), vec![]);
        assert!(parse_day_hours("09:00-12:60").is_err());
        assert!(parse_day_hours("09:00-").is_err());
        assert!(parse_day_hours("09:00-10:00,").is_err());
        // Touching ranges are fine.
        assert_eq!(
            parse_day_hours("09:00-12:00,12:00-13:00").unwrap(),
            vec![(540, 720), (720, 780)]
        );
    }

    #[test]
    fn w9_template_registry_is_checked() {
        let yaml = r#"
templates:
  - { name: order_followup, language: en_US }
  - { name: "", language: en_US }
  - { name: order_followup, language: "" }
  - { name: order_followup, language: en_US, params: 2 }
  - { name: order_followup, language: ko_KR }
"#;
        assert_eq!(
            problems(yaml),
            vec![
                "templates[1].name: must not be empty",
                "templates[2].language: must not be empty",
                "templates[3]: \"order_followup\" in \"en_US\" is already registered by templates[0]",
            ]
        );
    }

    #[test]
    fn duplicate_schedule_and_field_names() {
        let yaml = r#"
schedules:
  - { name: A, timezone: UTC }
  - { name: A, timezone: UTC }
fields:
  - { name: order_id, type: text }
  - { name: order_id }
"#;
        assert_eq!(
            problems(yaml),
            vec![
                "schedules[1].name: \"A\" is already used by schedules[0]",
                "fields[1].name: \"order_id\" is already defined by fields[0]",
            ]
        );
    }

    #[test]
    fn yaml_errors_do_not_echo_long_values() {
        let yaml = "timezone: UTC\nautomation_ticket_limit: \"4111 1111 1111 1111 is my card\"\n";
        let msg = parse_account(yaml).unwrap_err().to_string();
        assert!(!msg.contains("4111"), "{msg}");
        assert!(msg.contains("automation_ticket_limit"), "{msg}");
    }

    #[test]
    fn syntax_error_has_position() {
        let e = parse_account("timezone: [UTC\n").unwrap_err();
        match e {
            AccountError::Yaml { line, .. } => assert!(line.is_some()),
            other => panic!("{other:?}"),
        }
    }
}
