//! Built-in WhatsApp guards (whatsapp.md W1–W12, W15; rules-semantics.md S20).
//!
//! Pure functions: no I/O, no clock reading, no knowledge of files or the CLI. The
//! engine calls [`check_outbound`] for every outbound message from every source (W6, S20)
//! at the moment it is sent, with the simulated clock's time, and records the
//! [`Verdict`] and its [`notice`].
//!
//! - [`window`] — the customer-service window (W1–W4);
//! - [`classify_text`] / [`parse_shorthand`] — template shorthand in text (W15);
//! - [`check_outbound`] — the delivery decision (W5–W12);
//! - [`notice`] — the agent-facing sentence for a blocked message (W5).

mod notice;
mod shorthand;
mod template;
mod window;

use jiff::Timestamp;

use crate::model::{Account, Channel, TemplateMessage};

pub use notice::{format_utc_minute, notice};
pub use shorthand::{parse_shorthand, scan_shorthand, Shorthand, ShorthandScan, DEFAULT_LANGUAGE};
pub use template::approved_template;
pub use window::{window, Window, WINDOW_LENGTH};

/// Who sends an outbound message (W6). Every source is guarded the same way for free
/// text; only [`SendSource::Automation`] is refused templates (W10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendSource {
    /// An agent's reply.
    Agent,
    /// A macro applied by an agent.
    Macro,
    /// An autoresponder message.
    Autoresponder,
    /// A trigger's `send message` / `send template` action.
    Trigger,
    /// An automation's action.
    Automation,
}

impl SendSource {
    /// Every source, in declaration order.
    pub const ALL: [SendSource; 5] = [
        SendSource::Agent,
        SendSource::Macro,
        SendSource::Autoresponder,
        SendSource::Trigger,
        SendSource::Automation,
    ];
}

/// An outbound message as the guards see it: free text or a template (W5, W7–W11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// Free text. Build it with [`classify_text`] so that shorthand becomes a template
    /// (W15); [`check_outbound`] classifies again anyway, so a `Text` that holds
    /// well-formed shorthand is still guarded as the template it is.
    Text(String),
    /// A template message (explicit `send template`, an `agent.reply` template, or
    /// shorthand classified by [`classify_text`]).
    Template(TemplateMessage),
}

/// Classifies outbound text (W15): text holding well-formed template shorthand (the
/// first `&((…))&`) is a template send with the shorthand's name, language (default
/// `en_US`) and `body_text` params; the text around the shorthand is ignored for the
/// send. Text without shorthand, or whose first shorthand is malformed, is free text.
pub fn classify_text(text: &str) -> Outbound {
    match parse_shorthand(text) {
        Shorthand::WellFormed(t) => Outbound::Template(t),
        Shorthand::None | Shorthand::Malformed { .. } => Outbound::Text(text.to_string()),
    }
}

/// What the guards need to know about the ticket and the moment of sending (S20).
#[derive(Debug, Clone, Copy)]
pub struct GuardInput<'a> {
    /// The ticket's channel: only WhatsApp has a window and templates.
    pub channel: &'a Channel,
    /// The send time (UTC; the simulated clock during `run`, S18/S20).
    pub now: Timestamp,
    /// WhatsApp send time of the latest end-user message (W1, W3), `None` if the end
    /// user never wrote (W4).
    pub window_anchor: Option<Timestamp>,
    /// The requester opted in to business-initiated messages (W11).
    pub opted_in: bool,
    /// The account: license (W7) and approved-template registry (W9).
    pub account: &'a Account,
}

/// Why a guard stopped a message. [`BlockReason::code`] gives the reason code of the
/// event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockReason {
    /// Free text on WhatsApp with no open window (W4, W5, W12): `outside_24h_window`.
    OutsideWindow,
    /// A template without the conversations license (W7): `templates_require_license`.
    TemplatesRequireLicense,
    /// A template not in the registry (W9): `template_not_approved`.
    TemplateNotApproved,
    /// A template sent by an automation (W10): `automation_template_unsupported`.
    AutomationTemplateUnsupported,
    /// A business-initiated template to a requester who did not opt in (W11): `not_opted_in`.
    NotOptedIn,
    /// A template on a non-WhatsApp ticket: `template_not_supported_on_channel`.
    TemplateNotSupportedOnChannel,
}

impl BlockReason {
    /// Every reason, in declaration order.
    pub const ALL: [BlockReason; 6] = [
        BlockReason::OutsideWindow,
        BlockReason::TemplatesRequireLicense,
        BlockReason::TemplateNotApproved,
        BlockReason::AutomationTemplateUnsupported,
        BlockReason::NotOptedIn,
        BlockReason::TemplateNotSupportedOnChannel,
    ];

    /// The reason code written to the event log (events.md `reason`).
    pub fn code(self) -> &'static str {
        match self {
            BlockReason::OutsideWindow => "outside_24h_window",
            BlockReason::TemplatesRequireLicense => "templates_require_license",
            BlockReason::TemplateNotApproved => "template_not_approved",
            BlockReason::AutomationTemplateUnsupported => "automation_template_unsupported",
            BlockReason::NotOptedIn => "not_opted_in",
            BlockReason::TemplateNotSupportedOnChannel => "template_not_supported_on_channel",
        }
    }
}

/// The guards' decision on one outbound message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The message reaches the end user.
    Delivered,
    /// The message is added to the ticket but not delivered (W5).
    Blocked {
        /// Why.
        reason: BlockReason,
        /// When the window closed (anchor + 24h, UTC) — only for `outside_24h_window`
        /// when a window existed; `None` otherwise (W4: never opened).
        window_closed_at: Option<Timestamp>,
    },
}

impl Verdict {
    /// True for [`Verdict::Delivered`].
    pub fn is_delivered(self) -> bool {
        matches!(self, Verdict::Delivered)
    }

    fn blocked(reason: BlockReason) -> Verdict {
        Verdict::Blocked {
            reason,
            window_closed_at: None,
        }
    }
}

/// Decides whether an outbound message is delivered (W5–W12, W15, S20).
///
/// A [`Outbound::Text`] is first classified with [`classify_text`] (W15), so shorthand
/// is always guarded as a template. Then, first failure wins:
/// - **Template**: channel not WhatsApp → `template_not_supported_on_channel`; source is
///   an automation → `automation_template_unsupported` (W10); no license →
///   `templates_require_license` (W7); not in the registry by name + language + number
///   of params → `template_not_approved` (W9); window open → delivered; requester not
///   opted in → `not_opted_in` (W11); else delivered (W8).
/// - **Free text**: channel not WhatsApp → delivered (no window); window open →
///   delivered; else `outside_24h_window` with `window_closed_at` = anchor + 24h, or
///   `None` if the end user never wrote (W4, W5, W12). Every source is guarded (W6).
pub fn check_outbound(input: &GuardInput, source: SendSource, msg: &Outbound) -> Verdict {
    let classified;
    let msg = match msg {
        Outbound::Text(text) => {
            classified = classify_text(text);
            &classified
        }
        Outbound::Template(_) => msg,
    };
    let is_whatsapp = *input.channel == Channel::Whatsapp;
    let win = window(input.window_anchor, input.now);
    match msg {
        Outbound::Text(_) => {
            if !is_whatsapp {
                return Verdict::Delivered;
            }
            match win {
                Window::Open { .. } => Verdict::Delivered,
                Window::Closed { closed_at } => Verdict::Blocked {
                    reason: BlockReason::OutsideWindow,
                    window_closed_at: Some(closed_at),
                },
                Window::NeverOpened => Verdict::blocked(BlockReason::OutsideWindow),
            }
        }
        Outbound::Template(t) => {
            if !is_whatsapp {
                Verdict::blocked(BlockReason::TemplateNotSupportedOnChannel)
            } else if source == SendSource::Automation {
                Verdict::blocked(BlockReason::AutomationTemplateUnsupported)
            } else if !input.account.conversations_license {
                Verdict::blocked(BlockReason::TemplatesRequireLicense)
            } else if approved_template(input.account, t).is_none() {
                Verdict::blocked(BlockReason::TemplateNotApproved)
            } else if win.is_open() || input.opted_in {
                Verdict::Delivered
            } else {
                Verdict::blocked(BlockReason::NotOptedIn)
            }
        }
    }
}

#[cfg(test)]
mod tests;
