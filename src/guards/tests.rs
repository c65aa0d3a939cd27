//! Tests of the delivery decision and the notices (W4–W12, W15).

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::*;
use crate::model::{Account, ApprovedTemplate, Channel, TemplateMessage};

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

/// The sample account: license on, `order_followup` (en_US, 1 param) approved.
fn licensed() -> Account {
    Account {
        conversations_license: true,
        templates: vec![
            ApprovedTemplate {
                name: "order_followup".into(),
                language: "en_US".into(),
                category: Some("utility".into()),
                params: 1,
            },
            ApprovedTemplate {
                name: "csat_survey".into(),
                language: "ko_KR".into(),
                category: Some("marketing".into()),
                params: 0,
            },
        ],
        ..Account::default()
    }
}

fn unlicensed() -> Account {
    Account {
        conversations_license: false,
        ..licensed()
    }
}

fn order_followup() -> Outbound {
    Outbound::Template(TemplateMessage {
        name: "order_followup".into(),
        language: "en_US".into(),
        params: vec!["T-1001".into()],
    })
}

fn text(s: &str) -> Outbound {
    Outbound::Text(s.to_string())
}

const ANCHOR: &str = "2026-11-24T09:00:01Z";
const INSIDE: &str = "2026-11-24T10:15:00Z";
const OUTSIDE: &str = "2026-11-25T11:00:00Z";

struct Case {
    channel: Channel,
    anchor: Option<Timestamp>,
    now: Timestamp,
    opted_in: bool,
    account: Account,
}

impl Case {
    fn whatsapp(now: &str) -> Case {
        Case {
            channel: Channel::Whatsapp,
            anchor: Some(ts(ANCHOR)),
            now: ts(now),
            opted_in: false,
            account: licensed(),
        }
    }
    fn check(&self, source: SendSource, msg: &Outbound) -> Verdict {
        let input = GuardInput {
            channel: &self.channel,
            now: self.now,
            window_anchor: self.anchor,
            opted_in: self.opted_in,
            account: &self.account,
        };
        check_outbound(&input, source, msg)
    }
}

fn blocked(reason: BlockReason) -> Verdict {
    Verdict::Blocked {
        reason,
        window_closed_at: None,
    }
}

#[test]
fn block_reason_codes_are_the_spec_codes() {
    let codes: Vec<_> = BlockReason::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(
        codes,
        [
            "outside_24h_window",
            "templates_require_license",
            "template_not_approved",
            "automation_template_unsupported",
            "not_opted_in",
            "template_not_supported_on_channel",
        ]
    );
}

#[test]
fn w1_guard_uses_send_time_anchor() {
    // Sent 09:00, delivered 11:30: a reply at 10:00 next day is outside the window.
    let mut case = Case::whatsapp("2026-11-25T10:00:00Z");
    case.anchor = Some(ts("2026-11-24T09:00:00Z"));
    assert_eq!(
        case.check(SendSource::Agent, &text("Hi")),
        Verdict::Blocked {
            reason: BlockReason::OutsideWindow,
            window_closed_at: Some(ts("2026-11-25T09:00:00Z")),
        }
    );
}

#[test]
fn w2_guard_blocks_at_exactly_24h_and_delivers_one_second_before() {
    let at_24h = ts(ANCHOR) + SignedDuration::from_hours(24);
    let mut case = Case::whatsapp(INSIDE);
    case.now = at_24h;
    assert!(!case.check(SendSource::Agent, &text("Hi")).is_delivered());
    case.now = at_24h - SignedDuration::from_secs(1);
    assert!(case.check(SendSource::Agent, &text("Hi")).is_delivered());
}

#[test]
fn w4_free_text_without_end_user_message_is_blocked_without_close_time() {
    let mut case = Case::whatsapp(INSIDE);
    case.anchor = None;
    let msg = text("Hello, we are following up on your order.");
    let verdict = case.check(SendSource::Agent, &msg);
    assert_eq!(verdict, blocked(BlockReason::OutsideWindow));
    insta::assert_snapshot!(
        notice(&verdict, &msg).expect("notice"),
        @"Reply not delivered: the customer has not written on WhatsApp yet, so there is no 24-hour window. Only an approved template can start the conversation."
    );
}

#[test]
fn w5_text_outside_window_is_blocked_with_close_time_and_exact_notice() {
    let case = Case::whatsapp(OUTSIDE);
    let msg = text("Sorry for the delay!");
    let verdict = case.check(SendSource::Agent, &msg);
    assert_eq!(
        verdict,
        Verdict::Blocked {
            reason: BlockReason::OutsideWindow,
            window_closed_at: Some(ts("2026-11-25T09:00:01Z")),
        }
    );
    assert_eq!(
        notice(&verdict, &msg).as_deref(),
        Some(
            "Reply not delivered: the WhatsApp 24-hour window closed at 2026-11-25 09:00 UTC. \
             Send an approved template to re-engage."
        )
    );
}

#[test]
fn w5_text_inside_window_is_delivered_without_notice() {
    let case = Case::whatsapp(INSIDE);
    let msg = text("On it!");
    let verdict = case.check(SendSource::Agent, &msg);
    assert_eq!(verdict, Verdict::Delivered);
    assert_eq!(notice(&verdict, &msg), None);
}

#[test]
fn w6_every_source_is_guarded_for_free_text() {
    for source in SendSource::ALL {
        let outside = Case::whatsapp(OUTSIDE);
        assert_eq!(
            outside.check(source, &text("Any news?")),
            Verdict::Blocked {
                reason: BlockReason::OutsideWindow,
                window_closed_at: Some(ts("2026-11-25T09:00:01Z")),
            },
            "{source:?} outside the window"
        );
        let inside = Case::whatsapp(INSIDE);
        assert_eq!(
            inside.check(source, &text("Any news?")),
            Verdict::Delivered,
            "{source:?} inside the window (macros and autoresponders work while open)"
        );
    }
}

#[test]
fn w7_templates_need_the_license() {
    let mut case = Case::whatsapp(INSIDE);
    case.account = unlicensed();
    for source in [
        SendSource::Agent,
        SendSource::Macro,
        SendSource::Autoresponder,
        SendSource::Trigger,
    ] {
        assert_eq!(
            case.check(source, &order_followup()),
            blocked(BlockReason::TemplatesRequireLicense),
            "{source:?}"
        );
    }
    case.now = ts(OUTSIDE);
    case.opted_in = true;
    assert_eq!(
        case.check(SendSource::Agent, &order_followup()),
        blocked(BlockReason::TemplatesRequireLicense)
    );
}

#[test]
fn w7_license_is_checked_before_the_registry() {
    let mut case = Case::whatsapp(INSIDE);
    case.account = unlicensed();
    let unknown = Outbound::Template(TemplateMessage {
        name: "nope".into(),
        language: "en_US".into(),
        params: vec![],
    });
    assert_eq!(
        case.check(SendSource::Agent, &unknown),
        blocked(BlockReason::TemplatesRequireLicense)
    );
}

#[test]
fn w8_licensed_template_outside_window_is_delivered_to_opted_in_user() {
    let mut case = Case::whatsapp(OUTSIDE);
    case.opted_in = true;
    for source in [
        SendSource::Agent,
        SendSource::Macro,
        SendSource::Autoresponder,
        SendSource::Trigger,
    ] {
        assert_eq!(
            case.check(source, &order_followup()),
            Verdict::Delivered,
            "{source:?}"
        );
    }
    // Also when the end user never wrote (business-initiated conversation).
    case.anchor = None;
    assert_eq!(
        case.check(SendSource::Agent, &order_followup()),
        Verdict::Delivered
    );
}

#[test]
fn w9_unknown_name_wrong_language_or_param_count_is_not_approved() {
    let case = Case::whatsapp(INSIDE);
    let tpl = |name: &str, language: &str, params: &[&str]| {
        Outbound::Template(TemplateMessage {
            name: name.into(),
            language: language.into(),
            params: params.iter().map(|p| p.to_string()).collect(),
        })
    };
    for (label, msg) in [
        ("unknown name", tpl("order_update", "en_US", &["T-1001"])),
        (
            "wrong language",
            tpl("order_followup", "ko_KR", &["T-1001"]),
        ),
        ("too few params", tpl("order_followup", "en_US", &[])),
        (
            "too many params",
            tpl("order_followup", "en_US", &["a", "b"]),
        ),
    ] {
        assert_eq!(
            case.check(SendSource::Agent, &msg),
            blocked(BlockReason::TemplateNotApproved),
            "{label}"
        );
    }
    assert_eq!(
        case.check(SendSource::Agent, &tpl("csat_survey", "ko_KR", &[])),
        Verdict::Delivered
    );
}

#[test]
fn w9_not_approved_wins_over_opt_in_outside_the_window() {
    let case = Case::whatsapp(OUTSIDE);
    let msg = Outbound::Template(TemplateMessage {
        name: "order_followup".into(),
        language: "en_US".into(),
        params: vec![],
    });
    let verdict = case.check(SendSource::Agent, &msg);
    assert_eq!(verdict, blocked(BlockReason::TemplateNotApproved));
    insta::assert_snapshot!(
        notice(&verdict, &msg).expect("notice"),
        @"Template order_followup (en_US) with 0 parameters not delivered: it is not an approved template of this account. Name, language and number of parameters must match the approved-template registry."
    );
}

#[test]
fn w10_automations_cannot_send_templates_even_when_everything_else_is_fine() {
    let mut case = Case::whatsapp(INSIDE);
    case.opted_in = true;
    let verdict = case.check(SendSource::Automation, &order_followup());
    assert_eq!(verdict, blocked(BlockReason::AutomationTemplateUnsupported));
    // W10 comes before W7: even without the license the reason is the automation.
    case.account = unlicensed();
    assert_eq!(
        case.check(SendSource::Automation, &order_followup()),
        blocked(BlockReason::AutomationTemplateUnsupported)
    );
    insta::assert_snapshot!(
        notice(&verdict, &order_followup()).expect("notice"),
        @"Template order_followup (en_US) not delivered: automations cannot send WhatsApp templates. Send it from a trigger, a macro or an agent reply instead."
    );
}

#[test]
fn w10_automation_shorthand_is_a_template_and_is_refused() {
    let case = Case::whatsapp(INSIDE);
    let msg = text("&((template=[[order_followup]] body_text=[[T-1]]))&");
    assert_eq!(
        case.check(SendSource::Automation, &msg),
        blocked(BlockReason::AutomationTemplateUnsupported)
    );
}

#[test]
fn w11_template_outside_window_needs_opt_in() {
    let mut case = Case::whatsapp(OUTSIDE);
    let verdict = case.check(SendSource::Agent, &order_followup());
    assert_eq!(verdict, blocked(BlockReason::NotOptedIn));
    insta::assert_snapshot!(
        notice(&verdict, &order_followup()).expect("notice"),
        @"Template order_followup (en_US) not delivered: no 24-hour window is open and the customer has not opted in to business-initiated messages."
    );
    // Never-opened window: same rule.
    case.anchor = None;
    assert_eq!(
        case.check(SendSource::Agent, &order_followup()),
        blocked(BlockReason::NotOptedIn)
    );
}

#[test]
fn w11_opt_in_is_not_needed_inside_the_window() {
    let case = Case::whatsapp(INSIDE);
    assert!(!case.opted_in);
    assert_eq!(
        case.check(SendSource::Agent, &order_followup()),
        Verdict::Delivered
    );
}

#[test]
fn w12_no_proactive_free_text_only_templates_start_a_conversation() {
    let mut case = Case::whatsapp(INSIDE);
    case.anchor = None;
    case.opted_in = true;
    for source in SendSource::ALL {
        assert_eq!(
            case.check(source, &text("Hello!")),
            blocked(BlockReason::OutsideWindow),
            "{source:?}"
        );
    }
    assert_eq!(
        case.check(SendSource::Trigger, &order_followup()),
        Verdict::Delivered
    );
}

#[test]
fn other_channels_deliver_free_text_and_refuse_templates() {
    for channel in [
        Channel::Email,
        Channel::Messenger,
        Channel::Other("sms".into()),
    ] {
        let mut case = Case::whatsapp(OUTSIDE);
        case.channel = channel.clone();
        case.anchor = None;
        for source in SendSource::ALL {
            assert_eq!(
                case.check(source, &text("Hi")),
                Verdict::Delivered,
                "{channel} {source:?}"
            );
            // Channel check comes first, before W10 and W7.
            assert_eq!(
                case.check(source, &order_followup()),
                blocked(BlockReason::TemplateNotSupportedOnChannel),
                "{channel} {source:?}"
            );
        }
    }
    let verdict = blocked(BlockReason::TemplateNotSupportedOnChannel);
    insta::assert_snapshot!(
        notice(&verdict, &order_followup()).expect("notice"),
        @"Template order_followup (en_US) not delivered: templates can be sent only on WhatsApp tickets, and this ticket's channel is not WhatsApp."
    );
}

#[test]
fn w7_license_notice_names_template_and_license() {
    let verdict = blocked(BlockReason::TemplatesRequireLicense);
    insta::assert_snapshot!(
        notice(&verdict, &order_followup()).expect("notice"),
        @"Template order_followup (en_US) not delivered: WhatsApp templates need the conversations license (Sunshine Conversations), which this account does not have."
    );
}

#[test]
fn w15_classify_text() {
    assert_eq!(classify_text("Hello"), text("Hello"));
    assert_eq!(
        classify_text(
            "Hi! &((namespace=[[ns]] template=[[order_followup]] fallback=[[Your order update]] \
             language=[[en_US]] body_text=[[T-1001]]))& thanks"
        ),
        order_followup()
    );
    let malformed = "&((template=[[order_followup]] body_text=[[T-1001]]";
    assert_eq!(classify_text(malformed), text(malformed));
    let no_template = "&((language=[[en_US]]))&";
    assert_eq!(classify_text(no_template), text(no_template));
}

#[test]
fn w15_shorthand_outside_window_with_license_and_opt_in_is_delivered() {
    let mut case = Case::whatsapp(OUTSIDE);
    case.opted_in = true;
    let msg = classify_text("&((template=[[order_followup]] body_text=[[T-1001]]))&");
    assert_eq!(msg, order_followup());
    assert_eq!(case.check(SendSource::Macro, &msg), Verdict::Delivered);
    // Unclassified text holding the same shorthand gets the same verdict.
    let raw = text("&((template=[[order_followup]] body_text=[[T-1001]]))&");
    assert_eq!(case.check(SendSource::Macro, &raw), Verdict::Delivered);
}

#[test]
fn w15_shorthand_goes_through_template_checks() {
    let mut case = Case::whatsapp(OUTSIDE);
    let raw = text("&((template=[[order_followup]] body_text=[[T-1001]]))&");
    assert_eq!(
        case.check(SendSource::Macro, &raw),
        blocked(BlockReason::NotOptedIn)
    );
    case.account = unlicensed();
    let verdict = case.check(SendSource::Macro, &raw);
    assert_eq!(verdict, blocked(BlockReason::TemplatesRequireLicense));
    // The notice names the template behind the shorthand.
    assert!(notice(&verdict, &raw)
        .expect("notice")
        .starts_with("Template order_followup (en_US) not delivered"));
}

#[test]
fn w15_malformed_shorthand_outside_window_is_free_text_blocked() {
    let mut case = Case::whatsapp(OUTSIDE);
    case.opted_in = true;
    for raw in [
        "&((template=[[order_followup]] body_text=[[T-1001]]",
        "&((language=[[en_US]] body_text=[[T-1001]]))&",
        "&((template=[[order_followup]] ?? body_text=[[T-1001]]))&",
    ] {
        let msg = classify_text(raw);
        assert_eq!(msg, text(raw));
        assert_eq!(
            case.check(SendSource::Macro, &msg),
            Verdict::Blocked {
                reason: BlockReason::OutsideWindow,
                window_closed_at: Some(ts("2026-11-25T09:00:01Z")),
            },
            "{raw}"
        );
    }
}

#[test]
fn notice_is_none_for_delivered_and_handles_mismatched_inputs() {
    assert_eq!(notice(&Verdict::Delivered, &order_followup()), None);
    assert_eq!(notice(&Verdict::Delivered, &text("x")), None);
    // A template reason with plain text still gives a sentence (no panic, no name).
    let n = notice(&blocked(BlockReason::TemplateNotApproved), &text("x")).expect("notice");
    assert!(n.starts_with("Template not delivered: "), "{n}");
}

#[test]
fn notice_time_is_utc_to_the_minute() {
    assert_eq!(
        format_utc_minute(ts("2026-11-25T09:00:59Z")),
        "2026-11-25 09:00 UTC"
    );
    assert_eq!(
        format_utc_minute(ts("2026-01-05T23:59:00+09:00")),
        "2026-01-05 14:59 UTC"
    );
    // Extremes never panic.
    let _ = format_utc_minute(Timestamp::MIN);
    let _ = format_utc_minute(Timestamp::MAX);
}

fn arb_ts() -> impl Strategy<Value = Timestamp> {
    (1_577_836_800i64..1_893_456_000i64).prop_map(|s| Timestamp::from_second(s).expect("in range"))
}

fn arb_source() -> impl Strategy<Value = SendSource> {
    proptest::sample::select(SendSource::ALL.to_vec())
}

proptest! {
    /// W2, W4, W5, W6: free text on WhatsApp is delivered iff a window exists and
    /// `now < anchor + 24h`, whatever the source, license or opt-in.
    #[test]
    fn w5_free_text_delivered_iff_window_open(
        anchor in proptest::option::of(arb_ts()),
        now in arb_ts(),
        source in arb_source(),
        opted_in in any::<bool>(),
        license in any::<bool>(),
        body in "[A-Za-z0-9 .,!?]{0,40}",
    ) {
        let account = Account { conversations_license: license, ..licensed() };
        let input = GuardInput {
            channel: &Channel::Whatsapp,
            now,
            window_anchor: anchor,
            opted_in,
            account: &account,
        };
        let verdict = check_outbound(&input, source, &Outbound::Text(body));
        let open = anchor.is_some_and(|a| now < a + SignedDuration::from_hours(24));
        prop_assert_eq!(verdict.is_delivered(), open);
        if let Verdict::Blocked { reason, window_closed_at } = verdict {
            prop_assert_eq!(reason, BlockReason::OutsideWindow);
            prop_assert_eq!(window_closed_at, anchor.map(|a| a + SignedDuration::from_hours(24)));
        }
    }
}
