//! The `*.test.yaml` file model (docs/testing.md): plain serde data, every struct with
//! `deny_unknown_fields` so a misspelt key is an error with its line and column. Cases
//! and events are [`Located`], and the top level is read by hand to record the line of
//! each key ([`TestFile::key_lines`]): every line number comes from the one parse.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::io::yaml::{ErrorPath, Tracked};
use crate::model::account::null_as_default;
use crate::model::{Priority, Satisfaction, Status, TicketType};

/// Deserializes a key that may be absent (`None`), `null` (`Some(None)`) or a value.
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A value of a test file with where its YAML node starts (for a mapping, its first key;
/// for a flow mapping, its `{`).
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// 1-based line where the node starts.
    pub line: usize,
    /// Byte offset in the file's text where the node starts.
    pub offset: usize,
}

/// A located value reads as the value itself (`case.events`, `event.expect`).
impl<T> std::ops::Deref for Located<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(d)?;
        let at = spanned.referenced;
        Ok(Located {
            value: spanned.value,
            line: usize::try_from(at.line()).unwrap_or(0),
            offset: at
                .span()
                .byte_offset()
                .and_then(|o| usize::try_from(o).ok())
                .unwrap_or(0),
        })
    }
}

/// One test file: where the rules and the account come from, and the cases.
#[derive(Debug, Clone)]
pub struct TestFile {
    /// Rule files or folders, relative to the test file, in rule order. `None`: every
    /// `*.rules` file in the test file's own folder (not below it), in lexical order.
    pub rules: Option<Vec<String>>,
    /// Load the built-in default rules first (W13), as `run` does. Default true.
    pub default_rules: bool,
    /// An `account.yaml`, relative to the test file. `None`: the default account.
    pub account: Option<String>,
    /// Account keys merged over the account file for every case (mappings merge key by
    /// key, any other value replaces).
    pub account_overrides: Option<Value>,
    /// The cases, in file order.
    pub cases: Vec<Located<Case>>,
    /// The 1-based line of each top-level key written (`rules`, `account`, …).
    pub key_lines: BTreeMap<String, usize>,
}

/// The top-level keys of a test file, in the order they are listed in errors.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Key {
    Rules,
    DefaultRules,
    Account,
    AccountOverrides,
    Cases,
}

impl Key {
    fn name(self) -> &'static str {
        match self {
            Key::Rules => "rules",
            Key::DefaultRules => "default_rules",
            Key::Account => "account",
            Key::AccountOverrides => "account_overrides",
            Key::Cases => "cases",
        }
    }
}

/// Reads a [`TestFile`] from serde-saphyr: the top-level mapping by hand, to record the
/// line of each key, and each value with [`Tracked`], so an error names its key path.
pub(crate) struct TestFileSeed<'a> {
    /// Where the path of an error is recorded.
    pub(crate) at: &'a ErrorPath,
}

impl<'de> DeserializeSeed<'de> for TestFileSeed<'_> {
    type Value = TestFile;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<TestFile, D::Error> {
        const KEYS: &[&str] = &[
            "rules",
            "default_rules",
            "account",
            "account_overrides",
            "cases",
        ];
        d.deserialize_struct("TestFile", KEYS, self)
    }
}

impl<'de> Visitor<'de> for TestFileSeed<'_> {
    type Value = TestFile;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a test file mapping")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TestFile, A::Error> {
        let mut file = TestFile {
            rules: None,
            default_rules: true,
            account: None,
            account_overrides: None,
            cases: Vec::new(),
            key_lines: BTreeMap::new(),
        };
        let mut has_cases = false;
        while let Some(key) = map.next_key::<Located<Key>>()? {
            let name = key.value.name();
            file.key_lines.insert(name.to_string(), key.line);
            match key.value {
                Key::Rules => file.rules = map.next_value_seed(Tracked::new(name, self.at))?,
                Key::DefaultRules => {
                    file.default_rules = map.next_value_seed(Tracked::new(name, self.at))?
                }
                Key::Account => file.account = map.next_value_seed(Tracked::new(name, self.at))?,
                Key::AccountOverrides => {
                    file.account_overrides = map.next_value_seed(Tracked::new(name, self.at))?
                }
                Key::Cases => {
                    // `cases:` without a value: no cases, as for any list.
                    let cases: Option<_> = map.next_value_seed(Tracked::new(name, self.at))?;
                    file.cases = cases.unwrap_or_default();
                    has_cases = true;
                }
            }
        }
        if !has_cases {
            return Err(serde::de::Error::missing_field("cases"));
        }
        Ok(file)
    }
}

/// One test case: a starting ticket and/or events, an optional clock advance, and the
/// expectations.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the case shows, printed on its result line.
    pub name: String,
    /// The case's start time (RFC 3339, UTC instant). Default [`super::DEFAULT_START`].
    #[serde(default)]
    pub start: Option<String>,
    /// Account keys merged over the file's account for this case only.
    #[serde(default)]
    pub account_overrides: Option<Value>,
    /// A starting ticket in the `ticket.created` shape of events.md (`id`, `channel`, …),
    /// created at `start` (triggers run on it).
    #[serde(default)]
    pub ticket: Option<Map<String, Value>>,
    /// Events in the native event shape of events.md (or WhatsApp webhook bodies), as
    /// YAML objects; `at`, `sent_at` and `ticket` may be left out (docs/testing.md).
    #[serde(default, deserialize_with = "null_as_default")]
    pub events: Vec<Located<EventSpec>>,
    /// After the events, perform the automation runs up to this time (S18): RFC 3339, or
    /// `+DURATION` after the last event (`+25h`, `+1d2h`).
    #[serde(default)]
    pub until: Option<String>,
    /// What must hold over the whole case.
    #[serde(default)]
    pub expect: Option<Expect>,
}

/// One event of a case: the native event object, plus an optional `expect` that checks
/// what processing this event produced.
#[derive(Debug, Clone, Deserialize)]
pub struct EventSpec {
    /// Expectations about this event alone: the automation runs due before it (S18) and
    /// its own outcome; `ticket` is the state right after it.
    #[serde(default)]
    pub expect: Option<Expect>,
    /// The event's keys (everything but `expect`).
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

/// How an event's line ended (events.md `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpectedStatus {
    /// Applied.
    Ok,
    /// Not applied (decoding or validation failed).
    Rejected,
    /// An event id seen before.
    Duplicate,
}

impl ExpectedStatus {
    /// The word used in events.md.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpectedStatus::Ok => "ok",
            ExpectedStatus::Rejected => "rejected",
            ExpectedStatus::Duplicate => "duplicate",
        }
    }
}

/// Expectations, for a whole case (`case.expect`) or for one event (`events[i].expect`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Events only: the line's status. Without it an event must be `ok`.
    #[serde(default)]
    pub status: Option<ExpectedStatus>,
    /// Events only: a text the rejection error must contain.
    #[serde(default)]
    pub error_contains: Option<String>,
    /// Rule ids (`trigger:TITLE`, `automation:TITLE`, `redaction:TITLE`, `system:reopen`,
    /// `system:close-after-28-days`) that must fire, on any ticket.
    #[serde(default, deserialize_with = "null_as_default")]
    pub fired: Vec<String>,
    /// Rule ids that must not fire.
    #[serde(default, deserialize_with = "null_as_default")]
    pub not_fired: Vec<String>,
    /// The state of the case's main ticket (the starting ticket, else the ticket named by
    /// the first event that names one) at the end (or right after the event).
    #[serde(default)]
    pub ticket: Option<TicketExpect>,
    /// The state of other tickets, by id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tickets: BTreeMap<String, TicketExpect>,
    /// Outbound items, in order of appearance (an ordered subsequence of what was sent).
    #[serde(default, deserialize_with = "null_as_default")]
    pub messages: Vec<MessageExpect>,
    /// The number of outbound items (every kind, every ticket).
    #[serde(default)]
    pub message_count: Option<usize>,
    /// Total card numbers removed by redaction rules (W13).
    #[serde(default)]
    pub redactions: Option<usize>,
    /// Texts that must each appear in some agent notice.
    #[serde(default, deserialize_with = "null_as_default")]
    pub notices_include: Vec<String>,
    /// Texts that must each appear in some warning.
    #[serde(default, deserialize_with = "null_as_default")]
    pub warnings_include: Vec<String>,
}

impl Expect {
    /// True when nothing is expected.
    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.error_contains.is_none()
            && self.fired.is_empty()
            && self.not_fired.is_empty()
            && self.ticket.is_none()
            && self.tickets.is_empty()
            && self.messages.is_empty()
            && self.message_count.is_none()
            && self.redactions.is_none()
            && self.notices_include.is_empty()
            && self.warnings_include.is_empty()
    }
}

/// Expected ticket state. Every key is optional; `null` means "unset" where a field can
/// be unset.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketExpect {
    /// Status (S1).
    #[serde(default)]
    pub status: Option<Status>,
    /// Priority; `null` = unset.
    #[serde(default, deserialize_with = "nullable")]
    pub priority: Option<Option<Priority>>,
    /// Type; `null` = unset.
    #[serde(default, rename = "type", deserialize_with = "nullable")]
    pub ticket_type: Option<Option<TicketType>>,
    /// Channel name.
    #[serde(default)]
    pub channel: Option<String>,
    /// Subject; `null` = unset.
    #[serde(default, deserialize_with = "nullable")]
    pub subject: Option<Option<String>>,
    /// Group; `null` = unset.
    #[serde(default, deserialize_with = "nullable")]
    pub group: Option<Option<String>>,
    /// Assignee; `null` = unset.
    #[serde(default, deserialize_with = "nullable")]
    pub assignee: Option<Option<String>>,
    /// Ticket form; `null` = unset.
    #[serde(default, deserialize_with = "nullable")]
    pub form: Option<Option<String>>,
    /// Brand; `null` = unset.
    #[serde(default, deserialize_with = "nullable")]
    pub brand: Option<Option<String>>,
    /// Business-hours schedule; `null` = unset.
    #[serde(default, deserialize_with = "nullable")]
    pub schedule: Option<Option<String>>,
    /// Satisfaction survey state.
    #[serde(default)]
    pub satisfaction: Option<Satisfaction>,
    /// The exact tag set (order does not matter).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Tags that must be present.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags_include: Vec<String>,
    /// Tags that must be absent.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags_exclude: Vec<String>,
    /// Custom fields: name → value (text, number or bool; `null` = not present).
    /// Compared with their type: `"80021"` is not `80021`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub fields: BTreeMap<String, Value>,
}

/// `kind` of an outbound item (events.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpectedKind {
    /// Free text.
    Text,
    /// Template (W7–W11, W15).
    Template,
    /// Private note.
    Note,
    /// Email notification.
    Email,
    /// Webhook call.
    Webhook,
}

/// `delivery` of an outbound item (events.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpectedDelivery {
    /// Sent.
    Delivered,
    /// Stopped by a guard.
    Blocked,
    /// Reported failed by the platform.
    Failed,
    /// Nothing to send (S9, W5b).
    Skipped,
    /// Notes and webhooks.
    Recorded,
}

/// One expected outbound item. It is matched with the next item sent (after the one that
/// matched the previous expectation) from `source`, of `kind` and on `ticket` when given;
/// the other keys are then compared.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageExpect {
    /// `agent`, `macro`, `autoresponder`, `trigger:TITLE`, `automation:TITLE`.
    pub source: String,
    /// text / template / note / email / webhook.
    #[serde(default)]
    pub kind: Option<ExpectedKind>,
    /// The ticket it was sent on.
    #[serde(default)]
    pub ticket: Option<String>,
    /// delivered / blocked / failed / skipped / recorded.
    #[serde(default)]
    pub delivery: Option<ExpectedDelivery>,
    /// The reason code (`outside_24h_window`, `not_opted_in`, …); `null` = none.
    #[serde(default, deserialize_with = "nullable")]
    pub reason: Option<Option<String>>,
    /// When the window closed (RFC 3339); `null` = none (W4).
    #[serde(default, deserialize_with = "nullable")]
    pub window_closed_at: Option<Option<String>>,
    /// A platform error code; `null` = none.
    #[serde(default, deserialize_with = "nullable")]
    pub error_code: Option<Option<i64>>,
    /// The recipient (group or webhook name, `requester`, `assignee`).
    #[serde(default)]
    pub to: Option<String>,
    /// A text the rendered message (or notification body) must contain.
    #[serde(default)]
    pub text_contains: Option<String>,
}
