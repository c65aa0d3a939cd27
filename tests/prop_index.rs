//! The trigger index changes nothing (issue #5, S4/S5): an engine that walks every
//! trigger (explain on) and one that walks only the index's candidates fire the same
//! triggers in the same order and make the same changes, for random rule sets.

use std::sync::Arc;

use proptest::prelude::*;
use ticket_rules::io::decode_line;
use ticket_rules::{compile, Account, Engine, RuleSource};

fn condition() -> impl Strategy<Value = String> {
    prop_oneof![
        (0..4u8).prop_map(|k| format!("tags includes t{k}")),
        (0..4u8).prop_map(|k| format!("tags excludes t{k}")),
        (0..4u8, 0..4u8).prop_map(|(a, b)| format!("tags includes t{a}, t{b}")),
        prop::sample::select(vec!["whatsapp", "email", "web"])
            .prop_map(|c| format!("channel is {c}")),
        prop::sample::select(vec!["[whatsapp, web]", "[email]"])
            .prop_map(|c| format!("channel in {c}")),
        prop::sample::select(vec!["new", "open", "pending"]).prop_map(|s| format!("status is {s}")),
        Just("status in [new, open]".to_string()),
        Just("ticket is created".to_string()),
        Just("ticket is updated".to_string()),
        Just("not tags includes t1".to_string()),
        prop::sample::select(vec!["low", "normal", "high"])
            .prop_map(|p| format!("priority is {p}")),
    ]
}

fn action() -> impl Strategy<Value = String> {
    prop_oneof![
        (0..4u8).prop_map(|k| format!("add tags t{k}")),
        (0..4u8).prop_map(|k| format!("remove tags t{k}")),
        prop::sample::select(vec!["low", "normal", "high"])
            .prop_map(|p| format!("set priority {p}")),
        prop::sample::select(vec!["open", "pending"]).prop_map(|s| format!("set status {s}")),
    ]
}

fn trigger(i: usize) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(condition(), 1..4),
        prop::collection::vec(condition(), 0..3),
        prop::collection::vec(action(), 1..3),
    )
        .prop_map(move |(all, any, acts)| {
            let mut s = format!("trigger \"r{i}\" {{\n  when all {{\n");
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
            s.push_str("  then {\n");
            for a in acts {
                s.push_str(&format!("    {a}\n"));
            }
            s.push_str("  }\n}\n");
            s
        })
}

fn rule_set() -> impl Strategy<Value = String> {
    (1..12usize).prop_flat_map(|n| {
        (0..n)
            .map(trigger)
            .collect::<Vec<_>>()
            .prop_map(|ts| ts.concat())
    })
}

fn events() -> impl Strategy<Value = Vec<String>> {
    let create = (
        prop::sample::select(vec!["whatsapp", "email", "web"]),
        prop::sample::select(vec!["new", "open"]),
        prop::collection::vec(0..4u8, 0..3),
    )
        .prop_map(|(c, s, tags)| {
            let tags: Vec<String> = tags.iter().map(|k| format!("\"t{k}\"")).collect();
            format!(
                r#"{{"type":"ticket.created","at":"2026-11-24T09:00:00Z","ticket":{{"id":"T","channel":"{c}","status":"{s}","tags":[{}]}}}}"#,
                tags.join(",")
            )
        });
    let update = (prop::collection::vec(0..4u8, 0..2), prop::sample::select(vec!["low", "high"])).prop_map(
        |(tags, p)| {
            let tags: Vec<String> = tags.iter().map(|k| format!("\"t{k}\"")).collect();
            format!(
                r#"{{"type":"ticket.updated","at":"2026-11-24T09:05:00Z","ticket":"T","by":"agent","changes":{{"add_tags":[{}],"priority":"{p}"}}}}"#,
                tags.join(",")
            )
        },
    );
    (create, prop::collection::vec(update, 0..4)).prop_map(|(c, us)| {
        let mut v = vec![c];
        v.extend(us);
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn index_gives_the_same_result_as_walking_every_trigger(rules in rule_set(), evs in events()) {
        let sources = [RuleSource { name: "p.rules".into(), text: rules.clone() }];
        let (rs, _) = compile(&sources, Account::default()).expect("generated rules compile");
        let rs = Arc::new(rs);
        let mut indexed = Engine::new(Arc::clone(&rs));
        let mut full = Engine::new(Arc::clone(&rs));
        full.set_explain(true);
        for (i, line) in evs.iter().enumerate() {
            let a = indexed.process(decode_line(line, i + 1).unwrap());
            let b = full.process(decode_line(line, i + 1).unwrap());
            let strip = |s: &ticket_rules::Step| s.outcome.tickets.iter()
                .map(|t| (t.fired.clone(), t.changes.clone()))
                .collect::<Vec<_>>();
            prop_assert_eq!(strip(&a), strip(&b), "rules:\n{}", rules);
            // S4: every trigger fires at most once per update.
            for t in &a.outcome.tickets {
                let mut f = t.fired.clone();
                f.sort();
                f.dedup();
                prop_assert_eq!(f.len(), t.fired.len());
            }
        }
    }
}

fn automation(i: usize) -> impl Strategy<Value = String> {
    let time = (
        prop::sample::select(vec![
            "created",
            "updated",
            "open",
            "pending",
            "solved",
            "requester_update",
        ]),
        prop::sample::select(vec![">", ">=", "is", "<"]),
        0..6i64,
    )
        .prop_map(|(a, op, n)| format!("hours since {a} {op} {n}"));
    (
        time,
        prop::collection::vec(condition(), 0..2),
        (0..4u8),
        prop::collection::vec(action(), 0..2),
        any::<bool>(),
    )
        .prop_map(move |(time, conds, k, acts, second_time)| {
            let mut s = format!(
                "automation \"a{i}\" {{\n  when all {{\n    {time}\n    tags excludes n{k}\n"
            );
            if second_time {
                s.push_str("    hours since created < 30\n");
            }
            for c in conds {
                if !c.contains("ticket is") {
                    s.push_str(&format!("    {c}\n"));
                }
            }
            s.push_str(&format!("  }}\n  then {{\n    add tags n{k}\n"));
            for a in acts {
                s.push_str(&format!("    {a}\n"));
            }
            s.push_str("  }\n}\n");
            s
        })
}

fn automation_set() -> impl Strategy<Value = String> {
    (1..6usize).prop_flat_map(|n| {
        (0..n)
            .map(automation)
            .collect::<Vec<_>>()
            .prop_map(|a| a.concat())
    })
}

fn timeline() -> impl Strategy<Value = Vec<String>> {
    let ev = (
        0..3u8,
        0..4u8,
        prop::sample::select(vec!["open", "pending", "solved"]),
        1..200i64,
    );
    prop::collection::vec(ev, 1..12).prop_map(|evs| {
        let mut t = 1_795_510_800i64; // 2026-11-24T09:00:00Z
        let mut out = Vec::new();
        let mut created = [false; 3];
        for (tk, tag, status, gap) in evs {
            t += gap * 60;
            let at = jiff::Timestamp::from_second(t).unwrap();
            if !created[tk as usize] {
                created[tk as usize] = true;
                out.push(format!(
                    r#"{{"type":"ticket.created","at":"{at}","ticket":{{"id":"T{tk}","channel":"email","assignee":"a","status":"{status}","tags":["t{tag}"]}}}}"#
                ));
            } else {
                out.push(format!(
                    r#"{{"type":"ticket.updated","at":"{at}","ticket":"T{tk}","by":"agent","changes":{{"status":"{status}","add_tags":["t{tag}"]}}}}"#
                ));
            }
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]
    /// Deadline-driven automation runs (issue #5) give the same runs as testing every
    /// ticket against every automation (explain mode), S11–S17.
    #[test]
    fn automation_schedule_gives_the_same_runs_as_a_full_scan(autos in automation_set(), evs in timeline(), limit in 1..4u32) {
        let account = ticket_rules::io::parse_account(&format!("automation_ticket_limit: {limit}\n")).unwrap();
        let sources = [RuleSource { name: "a.rules".into(), text: autos.clone() }];
        let (rs, _) = compile(&sources, account).expect("generated automations compile");
        let rs = Arc::new(rs);
        let mut fast = Engine::new(Arc::clone(&rs));
        let mut full = Engine::new(Arc::clone(&rs));
        full.set_explain(true);
        let key = |r: &ticket_rules::AutomationRun| (r.at, r.tickets.iter().map(|t| (t.ticket.clone(), t.fired.clone(), t.changes.clone())).collect::<Vec<_>>());
        for (i, line) in evs.iter().enumerate() {
            let a = fast.process(decode_line(line, i + 1).unwrap());
            let b = full.process(decode_line(line, i + 1).unwrap());
            prop_assert_eq!(a.runs.iter().map(key).collect::<Vec<_>>(), b.runs.iter().map(key).collect::<Vec<_>>(), "automations:\n{}", autos);
        }
        let end = fast.clock().unwrap().checked_add(jiff::SignedDuration::from_hours(40)).unwrap();
        let a = fast.advance_to(end);
        let b = full.advance_to(end);
        prop_assert_eq!(a.iter().map(key).collect::<Vec<_>>(), b.iter().map(key).collect::<Vec<_>>(), "automations:\n{}", autos);
    }
}
