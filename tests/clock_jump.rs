//! Moving the clock costs runs, not hours (issue 8): a jump of years performs only the
//! automation runs that can change something, found through the deadline indexes —
//! business hours included — and gives the runs the hour-by-hour clock gives (S11–S19;
//! tests/prop_clock.rs checks that equivalence on random rule sets). Work is counted
//! (runs performed), never timed.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use ticket_rules::io::{decode_line, output::run_json, parse_account};
use ticket_rules::{compile, Engine, RuleSource};

const ACCOUNT: &str = r#"
timezone: Asia/Seoul
default_schedule: seoul
schedules:
  - name: seoul
    timezone: Asia/Seoul
    weekly: { mon: "09:00-18:00", tue: "09:00-18:00", wed: "09:00-18:00", thu: "09:00-18:00", fri: "09:00-18:00" }
    holidays: [2026-12-25]
"#;

const RULES: &str = r#"
automation "Escalate after 8 business hours" {
  when all {
    status is open
    hours since created > 8 business
    tags excludes escalated
  }
  then {
    add tags escalated
  }
}

automation "Remind while the office is open" {
  when all {
    status is pending
    within business_hours
    tags excludes reminded
  }
  then {
    add tags reminded
  }
}
"#;

/// Friday 2026-11-27 17:00 KST and after: T-1 open, T-2 pending, T-3 solved.
const EVENTS: [&str; 3] = [
    r#"{"type":"ticket.created","id":"e1","at":"2026-11-27T08:00:00Z","ticket":{"id":"T-1","channel":"email","status":"open"}}"#,
    r#"{"type":"ticket.created","id":"e2","at":"2026-11-27T08:10:00Z","ticket":{"id":"T-2","channel":"email","status":"pending"}}"#,
    r#"{"type":"ticket.created","id":"e3","at":"2026-11-27T08:20:00Z","ticket":{"id":"T-3","channel":"email","status":"solved","assignee":"agent"}}"#,
];

fn engine() -> Engine {
    let sources = [RuleSource {
        name: "jump.rules".into(),
        text: RULES.into(),
    }];
    let (rs, _) = compile(&sources, parse_account(ACCOUNT).expect("account")).expect("rules");
    let mut e = Engine::new(Arc::new(rs));
    for (i, line) in EVENTS.iter().enumerate() {
        e.process(decode_line(line, i + 1).expect("event"));
    }
    e
}

fn years(n: i64) -> Timestamp {
    let start: Timestamp = "2026-11-27T08:20:00Z".parse().unwrap();
    start + SignedDuration::from_hours(24 * 365 * n)
}

/// (run time, ticket, rules fired) of every run that changed something.
fn summary(runs: &[ticket_rules::AutomationRun]) -> Vec<(String, String, Vec<String>)> {
    runs.iter()
        .flat_map(|r| {
            r.tickets
                .iter()
                .map(move |t| (r.at.to_string(), t.ticket.clone(), t.fired.clone()))
        })
        .collect()
}

#[test]
fn clock_jump_of_200_years_costs_runs_not_hours() {
    let mut e = engine();
    let before = e.runs_performed();
    let runs = e.advance_to(years(200));
    // 1,753,200 hourly runs lie in between; a handful can change something: the first
    // run after the events, each deadline, and the run after each change.
    let performed = e.runs_performed() - before;
    assert!(performed <= 8, "{performed} runs performed");
    assert_eq!(
        summary(&runs),
        [
            // Monday 09:00 KST: the office opens, T-2 is reminded.
            (
                "2026-11-30T00:00:00Z".into(),
                "T-2".into(),
                vec!["automation:Remind while the office is open".to_string()]
            ),
            // Monday 17:00 KST: 1 business hour on Friday + 8 on Monday > 8.
            (
                "2026-11-30T08:00:00Z".into(),
                "T-1".into(),
                vec!["automation:Escalate after 8 business hours".to_string()]
            ),
            // 28 days after it was solved, at the first run after (S1).
            (
                "2026-12-25T09:00:00Z".into(),
                "T-3".into(),
                vec!["system:close-after-28-days".to_string()]
            ),
        ]
    );
    assert_eq!(e.clock(), Some(years(200)));
}

#[test]
fn clock_jump_costs_the_same_runs_for_1_8_50_and_200_years() {
    let counts: Vec<u64> = [1, 8, 50, 200]
        .into_iter()
        .map(|n| {
            let mut e = engine();
            e.advance_to(years(n));
            e.runs_performed()
        })
        .collect();
    assert!(counts.iter().all(|&c| c == counts[0]), "{counts:?}");
}

#[test]
fn skipping_clock_matches_the_hour_by_hour_clock_over_two_months() {
    let to = "2027-01-27T08:00:00Z".parse().unwrap();
    let mut fast = engine();
    let mut slow = engine();
    slow.set_hour_by_hour(true);
    let a: Vec<String> = fast.advance_to(to).iter().map(run_json).collect();
    let b: Vec<String> = slow.advance_to(to).iter().map(run_json).collect();
    assert_eq!(a, b);
    assert!(slow.runs_performed() > 1400);
    assert!(fast.runs_performed() < 10);
}

#[test]
fn an_event_stamped_years_ahead_costs_runs_not_hours() {
    let mut e = engine();
    let before = e.runs_performed();
    let line = r#"{"type":"ticket.updated","id":"e4","at":"2226-01-01T00:00:00Z","ticket":"T-1","by":"agent","changes":{"status":"pending"}}"#;
    let step = e.process(decode_line(line, 4).expect("event"));
    assert_eq!(step.runs.len(), 3);
    assert!(e.runs_performed() - before <= 8);
    assert_eq!(e.clock(), Some("2226-01-01T00:00:00Z".parse().unwrap()));
}

#[test]
fn advance_in_steps_gives_the_runs_of_one_call() {
    let to = years(3);
    let mut whole = engine();
    let one: Vec<String> = whole.advance_to(to).iter().map(run_json).collect();
    let mut stepped = engine();
    let mut lines = Vec::new();
    let mut calls = 0;
    loop {
        calls += 1;
        // Stop after every run.
        let adv = stepped.advance_within(to, || false);
        lines.extend(adv.runs.iter().map(run_json));
        if adv.done {
            break;
        }
        assert!(calls < 100, "no progress");
    }
    assert_eq!(lines, one);
    assert!(calls > 1);
    assert_eq!(stepped.clock(), Some(to));
    assert_eq!(stepped.runs_performed(), whole.runs_performed());
}
