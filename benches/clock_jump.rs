//! Moving the clock years ahead (issue 8): the cost against the years jumped (1, 8, 50,
//! 200) with business-hours automations and open tickets. The clock jumps from one run
//! that can change something to the next (deadline indexes, business-hours deadlines from
//! the calendar), so the cost follows the runs that change something, not the hours.
//!
//! Set-up: TICKETS tickets (default 1,000) created over one week in a Seoul office
//! schedule (09:00–18:00 on weekdays, a holiday), a third each open, pending and solved;
//! automations: escalate open tickets after 8 business hours, remind pending tickets
//! within business hours, nudge open tickets once 40 business hours have passed since
//! their last update; the 28-day close of solved tickets (S1). For each jump: runs
//! performed, runs that changed something, tickets updated, and the time.
//! For contrast, the hour-by-hour reference clock on 10 tickets over 1 and 2 years.
//!
//! Run: `cargo bench --bench clock_jump`.

use std::sync::Arc;
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use ticket_rules::io::{decode_line, parse_account};
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
    set priority high
    add tags escalated
  }
}

automation "Remind pending tickets while the office is open" {
  when all {
    status is pending
    within business_hours
    tags excludes reminded
  }
  then {
    add tags reminded
  }
}

automation "Nudge after 40 business hours without an update" {
  when all {
    status is open
    hours since updated > 40 business
    tags excludes nudged
  }
  then {
    add tags nudged
  }
}
"#;

const START: i64 = 1_795_510_800; // 2026-11-24T09:00:00Z

fn engine(tickets: usize) -> Engine {
    let sources = [RuleSource {
        name: "bench.rules".into(),
        text: RULES.into(),
    }];
    let (rs, _) = compile(&sources, parse_account(ACCOUNT).expect("account")).expect("rules");
    let mut e = Engine::new(Arc::new(rs));
    let spread = 7 * 24 * 3600 / tickets.max(1) as i64;
    for i in 0..tickets {
        let at = Timestamp::from_second(START + i as i64 * spread).unwrap();
        let status = ["open", "pending", "solved"][i % 3];
        let line = format!(
            r#"{{"type":"ticket.created","id":"e{i}","at":"{at}","ticket":{{"id":"T-{i}","channel":"email","status":"{status}","assignee":"agent"}}}}"#
        );
        e.process(decode_line(&line, i + 1).expect("event"));
    }
    e
}

fn jump(e: &mut Engine, years: i64) -> (u64, usize, usize, f64) {
    let to = e.clock().unwrap() + SignedDuration::from_hours(24 * 365 * years);
    let before = e.runs_performed();
    let started = Instant::now();
    let runs = e.advance_to(to);
    let secs = started.elapsed().as_secs_f64();
    let updated = runs.iter().map(|r| r.tickets.len()).sum();
    (e.runs_performed() - before, runs.len(), updated, secs)
}

fn main() {
    let tickets: usize = std::env::var("TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    println!("{tickets} tickets; the clock jumps from the last event:");
    println!("years  hourly runs  runs performed  runs changing  tickets updated   time");
    for years in [1, 8, 50, 200] {
        let mut e = engine(tickets);
        let (performed, changing, updated, secs) = jump(&mut e, years);
        println!(
            "{years:>5}  {:>11}  {performed:>14}  {changing:>13}  {updated:>15}  {:>6.3} s",
            24 * 365 * years,
            secs
        );
    }
    println!("hour-by-hour reference clock, 10 tickets:");
    for years in [1, 2] {
        let mut e = engine(10);
        e.set_hour_by_hour(true);
        let (performed, changing, updated, secs) = jump(&mut e, years);
        println!(
            "{years:>5}  {:>11}  {performed:>14}  {changing:>13}  {updated:>15}  {:>6.3} s",
            24 * 365 * years,
            secs
        );
    }
}
