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
