//! The clock that jumps from run to run changes nothing (issue 8, S11–S19): an engine
//! that performs only the automation runs that can change something gives the same
//! outcomes, byte for byte, as one that performs every hourly run and tests every ticket
//! ([`Engine::set_hour_by_hour`]) — on random automations (calendar and business hours,
//! `hours until`, `within business_hours`, the window, none at all), random tickets and
//! random gaps between events from minutes to weeks.

use std::sync::Arc;

use proptest::prelude::*;
use ticket_rules::io::{decode_line, output::event_json, output::run_json, parse_account};
use ticket_rules::{compile, Engine, RuleSource};

const ACCOUNT: &str = r#"
timezone: Asia/Seoul
default_schedule: seoul
schedules:
  - name: seoul
    timezone: Asia/Seoul
    weekly: { mon: "09:00-18:00", tue: "09:00-18:00", wed: "09:00-18:00", thu: "09:00-18:00", fri: "09:00-18:00" }
    holidays: [2026-12-25]
  - name: split
    timezone: America/New_York
    weekly: { mon: "09:00-12:00,13:00-18:00", sat: "01:30-02:30" }
"#;

fn time_condition() -> impl Strategy<Value = String> {
    let op = prop::sample::select(vec![">", ">=", "is", "<", "is not"]);
    let neg = prop::sample::select(vec!["", "", "not "]);
    prop_oneof![
        3 => (
            neg.clone(),
            prop::sample::select(vec!["created", "updated", "open", "pending", "solved", "requester_update", "last_end_user_message"]),
            op.clone(),
            0..30i64,
            prop::sample::select(vec!["", " business"]),
        )
            .prop_map(|(n, a, op, h, b)| format!("{n}hours since {a} {op} {h}{b}")),
        1 => (op, -10..30i64, prop::sample::select(vec!["", " business"]))
            .prop_map(|(op, h, b)| format!("hours until due {op} {h}{b}")),
        1 => neg.clone().prop_map(|n| format!("{n}within business_hours")),
        1 => (neg, prop::sample::select(vec!["open", "closed"]))
            .prop_map(|(n, w)| format!("{n}window is {w}")),
    ]
}

fn state_condition() -> impl Strategy<Value = String> {
    prop_oneof![
        (0..3u8).prop_map(|k| format!("tags includes t{k}")),
        (0..3u8).prop_map(|k| format!("tags excludes t{k}")),
        prop::sample::select(vec!["open", "pending", "solved"])
            .prop_map(|s| format!("status is {s}")),
        prop::sample::select(vec!["whatsapp", "email"]).prop_map(|c| format!("channel is {c}")),
        Just("priority is high".to_string()),
    ]
}

fn action() -> impl Strategy<Value = String> {
    prop_oneof![
        (0..3u8).prop_map(|k| format!("add tags t{k}")),
        (0..3u8).prop_map(|k| format!("remove tags t{k}")),
        prop::sample::select(vec!["low", "high"]).prop_map(|p| format!("set priority {p}")),
        prop::sample::select(vec!["open", "pending", "solved"])
            .prop_map(|s| format!("set status {s}")),
    ]
}

fn automation(i: usize) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(time_condition(), 0..3),
        prop::collection::vec(state_condition(), 0..3),
        prop::collection::vec(time_condition(), 0..2),
        prop::collection::vec(action(), 0..2),
        0..3u8,
        any::<bool>(),
    )
        .prop_map(move |(time, state, any, acts, k, nullify)| {
            let mut s = format!("automation \"a{i}\" {{\n  when all {{\n");
            if nullify {
                s.push_str(&format!("    tags excludes n{k}\n"));
            }
            for c in time.iter().chain(&state) {
                s.push_str(&format!("    {c}\n"));
            }
            if time.is_empty() && state.is_empty() && !nullify {
                s.push_str("    status is open\n");
            }
            s.push_str("  }\n");
            if !any.is_empty() {
                s.push_str("  when any {\n");
                for c in any {
                    s.push_str(&format!("    {c}\n"));
                }
                s.push_str("  }\n");
            }
            s.push_str("  then {\n");
            if nullify {
                s.push_str(&format!("    add tags n{k}\n"));
            }
            if !nullify && acts.is_empty() {
                s.push_str("    add tags t0\n");
            }
            for a in acts {
                s.push_str(&format!("    {a}\n"));
            }
            s.push_str("  }\n}\n");
            s
        })
}

fn rules() -> impl Strategy<Value = String> {
    let autos = (1..5usize).prop_flat_map(|n| {
        (0..n)
            .map(automation)
            .collect::<Vec<_>>()
            .prop_map(|a| a.concat())
    });
    // A trigger that reacts to automation updates, so their triggers run too (S11).
    (autos, any::<bool>()).prop_map(|(a, trigger)| {
        if trigger {
            a + "trigger \"tr\" {\n  when all {\n    update.via is automation\n    tags includes t1\n    tags excludes seen\n  }\n  then {\n    add tags seen\n  }\n}\n"
        } else {
            a
        }
    })
}

fn timeline() -> impl Strategy<Value = (Vec<String>, i64)> {
    let gap = prop_oneof![
        3 => 1..180i64,             // minutes
        2 => 180..(3 * 24 * 60i64), // hours to days
        1 => (3 * 24 * 60i64)..(30 * 24 * 60i64), // weeks
    ];
    let ev = (
        0..3u8,
        0..3u8,
        prop::sample::select(vec!["open", "pending", "solved"]),
        gap,
        0..4u8,
        prop::option::of(-20..200i64),
    );
    (prop::collection::vec(ev, 1..10), 0..(60 * 24i64)).prop_map(|(evs, tail)| {
        let mut t = 1_795_510_800i64; // 2026-11-24T09:00:00Z
        let mut out = Vec::new();
        let mut created = [false; 3];
        for (tk, tag, status, gap, kind, due) in evs {
            t += gap * 60 + 7;
            let at = jiff::Timestamp::from_second(t).unwrap();
            let due = due
                .map(|h| format!(r#","due_at":"{}""#, jiff::Timestamp::from_second(t + h * 3600).unwrap()))
                .unwrap_or_default();
            if !created[tk as usize] {
                created[tk as usize] = true;
                let channel = if tk == 0 { "whatsapp" } else { "email" };
                let schedule = if tk == 2 { r#","schedule":"split""# } else { "" };
                out.push(format!(
                    r#"{{"type":"ticket.created","at":"{at}","ticket":{{"id":"T{tk}","channel":"{channel}","assignee":"a","status":"{status}","tags":["t{tag}"]{due}{schedule},"requester":{{"phone":"+8210000000{tk}"}}}}}}"#
                ));
            } else if kind == 0 {
                out.push(format!(
                    r#"{{"type":"message.received","at":"{at}","ticket":"T{tk}","text":"hello"}}"#
                ));
            } else {
                out.push(format!(
                    r#"{{"type":"ticket.updated","at":"{at}","ticket":"T{tk}","by":"agent","changes":{{"status":"{status}","add_tags":["t{tag}"]{due}}}}}"#
                ));
            }
        }
        (out, tail)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn skipping_clock_gives_the_same_lines_as_the_hour_by_hour_clock(
        rules in rules(),
        (events, tail) in timeline(),
        limit in 1..4u32,
        minute in prop::sample::select(vec![0u8, 30]),
    ) {
        let account = parse_account(&format!("{ACCOUNT}automation_ticket_limit: {limit}\nautomation_minute: {minute}\n")).unwrap();
        let sources = [RuleSource { name: "a.rules".into(), text: rules.clone() }];
        let (rs, _) = compile(&sources, account).expect("generated automations compile");
        let rs = Arc::new(rs);
        let mut fast = Engine::new(Arc::clone(&rs));
        let mut slow = Engine::new(Arc::clone(&rs));
        slow.set_hour_by_hour(true);
        let lines = |runs: &[ticket_rules::AutomationRun]| runs.iter().map(run_json).collect::<Vec<_>>();
        for (i, line) in events.iter().enumerate() {
            let a = fast.process(decode_line(line, i + 1).unwrap());
            let b = slow.process(decode_line(line, i + 1).unwrap());
            prop_assert_eq!(lines(&a.runs), lines(&b.runs), "rules:\n{}\nevents:\n{}", rules, events.join("\n"));
            prop_assert_eq!(event_json(i + 1, &a.outcome), event_json(i + 1, &b.outcome));
        }
        let end = fast.clock().unwrap() + jiff::SignedDuration::from_mins(tail);
        prop_assert_eq!(lines(&fast.advance_to(end)), lines(&slow.advance_to(end)), "rules:\n{}\nevents:\n{}", rules, events.join("\n"));
        prop_assert!(fast.runs_performed() <= slow.runs_performed());
    }
}
