//! Account settings (`account.yaml`, schema in events.md). Every key is optional.

use serde::{Deserialize, Deserializer, Serialize};

/// Reads a key written without a value (`templates:` with nothing after it), `~` or `null`
/// as the empty collection or the default settings, as YAML readers commonly do. Shared by
/// the test-file model.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

/// The account: time zone, license, approved templates, schedules, limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Account {
    /// IANA time zone of the default schedule (S14). Default `UTC`.
    pub timezone: String,
    /// Name of the default business-hours schedule; `None` = 24/7 in `timezone` (S14).
    pub default_schedule: Option<String>,
    /// The conversations-platform license that templates need (W7). Default false.
    pub conversations_license: bool,
    /// The default card-redaction rule on social messaging (W13). Default true.
    pub social_messaging_card_redaction: bool,
    /// Minute of each UTC hour at which automations run (S18), 0–59. Default 0.
    pub automation_minute: u8,
    /// Tickets updated per automation per run (S16). Default 1000.
    pub automation_ticket_limit: u32,
    /// Automation updates after which a ticket is excluded (S16). Default 100.
    pub automation_updates_per_ticket: u32,
    /// The registry of approved templates (W9).
    #[serde(deserialize_with = "null_as_default")]
    pub templates: Vec<ApprovedTemplate>,
    /// Business-hours schedules (S14).
    #[serde(deserialize_with = "null_as_default")]
    pub schedules: Vec<ScheduleDef>,
    /// Custom field definitions, for `check`.
    #[serde(deserialize_with = "null_as_default")]
    pub fields: Vec<FieldDef>,
    /// WhatsApp settings for `serve`.
    #[serde(deserialize_with = "null_as_default")]
    pub whatsapp: WhatsAppSettings,
}

impl Default for Account {
    fn default() -> Self {
        Account {
            timezone: "UTC".to_string(),
            default_schedule: None,
            conversations_license: false,
            social_messaging_card_redaction: true,
            automation_minute: 0,
            automation_ticket_limit: 1000,
            automation_updates_per_ticket: 100,
            templates: Vec::new(),
            schedules: Vec::new(),
            fields: Vec::new(),
            whatsapp: WhatsAppSettings::default(),
        }
    }
}

/// One approved template (W9): name + language, with its number of body parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovedTemplate {
    /// Template name.
    pub name: String,
    /// Language code, e.g. `en_US`.
    pub language: String,
    /// `utility`, `marketing`, `authentication`.
    #[serde(default)]
    pub category: Option<String>,
    /// Number of body parameters.
    #[serde(default)]
    pub params: u32,
}

/// A business-hours schedule (S14).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleDef {
    /// Name, referred to by tickets' `schedule` and `default_schedule`.
    pub name: String,
    /// IANA time zone.
    pub timezone: String,
    /// Opening hours per weekday key (`mon` … `sun`): `"09:00-12:00,13:00-18:00"`.
    /// A missing day is closed.
    #[serde(default, deserialize_with = "null_as_default")]
    pub weekly: std::collections::BTreeMap<String, String>,
    /// Closed days (civil dates in the schedule's zone).
    #[serde(default, deserialize_with = "null_as_default")]
    pub holidays: Vec<jiff::civil::Date>,
}

/// A custom field definition (for `check`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// Field name.
    pub name: String,
    /// `text`, `number`, `bool`, …
    #[serde(rename = "type", default)]
    pub field_type: Option<String>,
}

/// WhatsApp settings used by `serve`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WhatsAppSettings {
    /// App secret that signs webhook bodies (X-Hub-Signature-256).
    pub app_secret: Option<String>,
    /// Token for the webhook GET handshake.
    pub verify_token: Option<String>,
}
