//! The look-ahead never skips a run at which the automation matches: compared with
//! testing every hour, on random time conditions, tickets and schedules (S12–S14).

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::*;
use crate::check::RuleSource;
use crate::engine::ruleset::{CompileOptions, RuleSet};
use crate::model::{Account, Channel, ScheduleDef, Status};

const START: i64 = 1_795_510_800; // 2026-11-24T09:00:00Z, a run time (minute 0)
const HORIZON_HOURS: i64 = 24 * 45;

fn account() -> Account {
    let schedule = |name: &str, tz: &str, weekly: &[(&str, &str)], holidays: &[&str]| ScheduleDef {
        name: name.into(),
        timezone: tz.into(),
        weekly: weekly
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        holidays: holidays.iter().map(|d| d.parse().expect("date")).collect(),
    };
    let week = |h: &'static str| {
        ["mon", "tue", "wed", "thu", "fri"]
            .into_iter()
            .map(move |d| (d, h))
            .collect::<Vec<_>>()
    };
    Account {
        schedules: vec![
            schedule("seoul", "Asia/Seoul", &week("09:00-18:00"), &["2026-12-25"]),
            schedule(
                "split",
                "America/New_York",
                &[("mon", "09:00-12:00,13:00-18:00"), ("sat", "01:30-02:30")],
                &[],
            ),
            schedule("short", "Europe/London", &week("10:10-10:40"), &[]),
        ],
        default_schedule: Some("seoul".into()),
        ..Account::default()
    }
}

fn time_condition() -> impl Strategy<Value = String> {
    let op = prop::sample::select(vec![">", ">=", "is", "<", "<=", "is not"]);
    let neg = prop::sample::select(vec!["", "not "]);
    prop_oneof![
        (
            neg.clone(),
            prop::sample::select(vec!["created", "updated", "open", "last_end_user_message"]),
            op.clone(),
            0..40i64,
            prop::sample::select(vec!["", " business"]),
        )
            .prop_map(|(n, a, op, h, b)| format!("{n}hours since {a} {op} {h}{b}")),
        (
            neg.clone(),
            op,
            -30..40i64,
            prop::sample::select(vec!["", " business"])
        )
            .prop_map(|(n, op, h, b)| format!("{n}hours until due {op} {h}{b}")),
        neg.clone()
            .prop_map(|n| format!("{n}within business_hours")),
        (neg, prop::sample::select(vec!["open", "closed"]))
            .prop_map(|(n, w)| format!("{n}window is {w}")),
    ]
}

fn automation() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(time_condition(), 1..4),
        prop::collection::vec(time_condition(), 0..3),
        any::<bool>(),
    )
        .prop_map(|(all, any, pending)| {
            let mut s = String::from("automation \"a\" {\n  when all {\n    tags excludes z\n");
            if pending {
                s.push_str("    status is open\n");
            }
            for c in all {
                s.push_str(&format!("    {c}\n"));
            }
            s.push_str("  }\n");
            if !any.is_empty() {
                s.push_str("  when any {\n");
                for c in any {
                    s.push_str(&format!("    {c}\n"));
                }
                s.push_str("  }\n");
            }
            s.push_str("  then {\n    add tags z\n  }\n}\n");
            s
        })
}

fn ticket() -> impl Strategy<Value = Ticket> {
    (
        -200..20i64,
        -100..100i64,
        prop::option::of(-200..900i64),
        prop::option::of(-60..20i64),
        prop::sample::select(vec![None, Some("split"), Some("short")]),
        any::<bool>(),
    )
        .prop_map(|(created, updated, due, message, schedule, open)| {
            let at = |h: i64| Timestamp::from_second(START + h * 3600 + 17 * 60 + 5).unwrap();
            let mut t = Ticket::new("T-1", Channel::Whatsapp, at(created));
            t.updated_at = at(updated);
            t.status = if open { Status::Open } else { Status::Pending };
            t.status_changed_at = at(updated);
            t.due_at = due.map(at);
            t.last_end_user_message_at = message.map(at);
            t.schedule = schedule.map(str::to_string);
            t
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn next_match_never_skips_a_matching_run(rule in automation(), t in ticket()) {
        let sources = [RuleSource { name: "w.rules".into(), text: rule.clone() }];
        let (rs, _) = RuleSet::compile(&sources, account(), CompileOptions { default_rules: false })
            .map_err(|e| TestCaseError::fail(format!("{e}: {rule}")))?;
        let rs = Arc::new(rs);
        let auto = &rs.automations[0];
        let from = Timestamp::from_second(START).unwrap();
        let mut probe = Update {
            created: false,
            via: "automation".into(),
            role: Role::System,
            comment: None,
            message: None,
            now: from,
            baseline: None,
            explain: false,
        };
        let first = (0..HORIZON_HOURS).map(|h| from + SignedDuration::from_hours(h)).find(|&at| {
            probe.now = at;
            eval::rule_matches(auto, &t, &probe, &rs)
        });
        let wake = next_match(auto, &t, from, &rs);
        match (wake, first) {
            (None, Some(f)) => prop_assert!(false, "no wake-up but a match at {f}\n{rule}"),
            (Some(w), Some(f)) => prop_assert!(w <= f, "wake-up {w} after the match at {f}\n{rule}"),
            _ => {}
        }
        if let Some(w) = wake {
            prop_assert_eq!(w.as_second().rem_euclid(3600), 0, "a run time");
            prop_assert!(w >= from);
        }
    }
}

#[test]
fn run_times_are_at_the_automation_minute() {
    assert_eq!(run_at_or_after(START, 0), START);
    assert_eq!(run_at_or_after(START + 1, 0), START + 3600);
    assert_eq!(run_at_or_after(START + 1, 30), START + 1800);
    assert_eq!(run_at_or_after(START - 1, 0), START);
}

#[test]
fn business_deadline_is_found_in_one_step() {
    // Created Friday 17:00 KST: one business hour on Friday, eight more on Monday, so
    // more than 8 have passed on Monday at 17:00 KST (08:00Z), found without trying
    // the runs in between.
    let sources = [RuleSource {
        name: "w.rules".into(),
        text: "automation \"a\" {\n  when all {\n    hours since created > 8 business\n    tags excludes z\n  }\n  then {\n    add tags z\n  }\n}\n".into(),
    }];
    let (rs, _) = RuleSet::compile(
        &sources,
        account(),
        CompileOptions {
            default_rules: false,
        },
    )
    .expect("compiles");
    let created: Timestamp = "2026-11-27T08:00:00Z".parse().unwrap();
    let t = Ticket::new("T-1", Channel::Email, created);
    let wake = next_match(
        &rs.automations[0],
        &t,
        "2026-11-27T09:00:00Z".parse().unwrap(),
        &rs,
    );
    assert_eq!(wake, Some("2026-11-30T08:00:00Z".parse().unwrap()));
}
