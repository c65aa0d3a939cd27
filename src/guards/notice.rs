//! Agent-facing notices for blocked messages (whatsapp.md W5, events.md `notices`).

use jiff::{tz::TimeZone, Timestamp};

use super::{classify_text, BlockReason, Outbound, Verdict};
use crate::model::TemplateMessage;

/// Formats an instant in UTC to the minute, as notices show times:
/// `2026-11-25 09:00 UTC` (seconds are dropped, not rounded). Never panics.
pub fn format_utc_minute(t: Timestamp) -> String {
    let dt = TimeZone::UTC.to_datetime(t);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute()
    )
}

/// The agent-facing notice for a blocked message, as one or two English sentences; `None`
/// for [`Verdict::Delivered`] (W5; events.md `notices`).
///
/// Times are in UTC to the minute. For `outside_24h_window` with a closed window the text
/// is exactly `Reply not delivered: the WhatsApp 24-hour window closed at 2026-11-25
/// 09:00 UTC. Send an approved template to re-engage.`; without a window (W4) it says the
/// customer has not written yet and only an approved template can start the
/// conversation. Template reasons name the template and its language. `msg` is
/// classified like [`check_outbound`](super::check_outbound) does (W15), so text holding
/// shorthand is named as the template it is.
pub fn notice(verdict: &Verdict, msg: &Outbound) -> Option<String> {
    let Verdict::Blocked {
        reason,
        window_closed_at,
    } = verdict
    else {
        return None;
    };
    let classified;
    let template = match msg {
        Outbound::Template(t) => Some(t),
        Outbound::Text(text) => {
            classified = classify_text(text);
            match &classified {
                Outbound::Template(t) => Some(t),
                Outbound::Text(_) => None,
            }
        }
    };
    let subject = match template {
        Some(t) => format!("Template {} not delivered", label(t)),
        None => "Template not delivered".to_string(),
    };
    let text = match reason {
        BlockReason::OutsideWindow => match window_closed_at {
            Some(closed) => format!(
                "Reply not delivered: the WhatsApp 24-hour window closed at {}. \
                 Send an approved template to re-engage.",
                format_utc_minute(*closed)
            ),
            None => "Reply not delivered: the customer has not written on WhatsApp yet, \
                     so there is no 24-hour window. Only an approved template can start \
                     the conversation."
                .to_string(),
        },
        BlockReason::TemplatesRequireLicense => format!(
            "{subject}: WhatsApp templates need the conversations license \
             (Sunshine Conversations), which this account does not have."
        ),
        BlockReason::TemplateNotApproved => {
            let params = match template.map(|t| t.params.len()) {
                Some(1) => " with 1 parameter".to_string(),
                Some(n) => format!(" with {n} parameters"),
                None => String::new(),
            };
            match template {
                Some(t) => format!(
                    "Template {}{params} not delivered: it is not an approved template of \
                     this account. Name, language and number of parameters must match the \
                     approved-template registry.",
                    label(t)
                ),
                None => format!(
                    "{subject}: it is not an approved template of this account. Name, \
                     language and number of parameters must match the approved-template \
                     registry."
                ),
            }
        }
        BlockReason::AutomationTemplateUnsupported => format!(
            "{subject}: automations cannot send WhatsApp templates. Send it from a \
             trigger, a macro or an agent reply instead."
        ),
        BlockReason::NotOptedIn => format!(
            "{subject}: no 24-hour window is open and the customer has not opted in to \
             business-initiated messages."
        ),
        BlockReason::TemplateNotSupportedOnChannel => format!(
            "{subject}: templates can be sent only on WhatsApp tickets, and this ticket's \
             channel is not WhatsApp."
        ),
    };
    Some(text)
}

/// `order_followup (en_US)`.
fn label(t: &TemplateMessage) -> String {
    format!("{} ({})", t.name, t.language)
}
