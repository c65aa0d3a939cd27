//! Engine semantics, one test per spec id (rules-semantics.md S1–S20, whatsapp.md W1–W15).
//! Rules are written in the rule language; events in the native JSONL shape.

use std::sync::Arc;

use ticket_rules::engine::{Delivery, LineStatus, Step};
use ticket_rules::io::{decode_line, output, parse_account};
use ticket_rules::model::Status;
use ticket_rules::{compile, Engine, RuleSource};

struct Replay {
    engine: Engine,
    line: usize,
}

impl Replay {
    fn new(rules: &str) -> Self {
        Self::with_account(rules, "")
    }

    fn with_account(rules: &str, account: &str) -> Self {
        let account = parse_account(account).expect("account parses");
        let sources = [RuleSource {
            name: "test.rules".into(),
            text: rules.into(),
        }];
        let (rs, _) = match compile(&sources, account) {
            Ok(x) => x,
            Err(e) => panic!("rules compile: {e:?}"),
        };
        Replay {
            engine: Engine::new(Arc::new(rs)),
            line: 0,
        }
    }

    /// Applies one JSON event line.
    fn ev(&mut self, json: &str) -> Step {
        self.line += 1;
        let event = decode_line(json, self.line).expect("event decodes");
        self.engine.process(event)
    }

    fn ticket(&self, id: &str) -> &ticket_rules::Ticket {
        use ticket_rules::TicketStore;
        self.engine.store().get(id).expect("ticket exists")
    }
}

fn fired(step: &Step) -> Vec<String> {
    step.outcome
        .tickets
        .first()
        .map(|t| t.fired.clone())
        .unwrap_or_default()
}

const WA_CREATE: &str = r#"{"type":"message.received","id":"m1","at":"2026-11-24T09:00:05Z","ticket":"T-1","channel":"whatsapp","sent_at":"2026-11-24T09:00:00Z","text":"hello","requester":{"name":"Mina Park","phone":"+821000000077"}}"#;

// ---------------------------------------------------------------- S1 system rules

#[test]
fn s1_end_user_message_reopens_solved_ticket() {
    let mut r = Replay::new("");
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email","status":"solved","assignee":"ana"}}"#);
    let s = r.ev(r#"{"type":"message.received","id":"m","at":"2026-11-24T10:00:00Z","ticket":"T-1","text":"still broken"}"#);
    assert_eq!(fired(&s), vec!["system:reopen"]);
    assert_eq!(r.ticket("T-1").status, Status::Open);
}

#[test]
fn s1_input_that_solves_without_assignee_is_rejected() {
    let mut r = Replay::new("");
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email"}}"#);
    let s = r.ev(r#"{"type":"ticket.updated","id":"u","at":"2026-11-24T10:00:00Z","ticket":"T-1","by":"agent","changes":{"status":"solved"}}"#);
    assert_eq!(s.outcome.status, LineStatus::Rejected);
    assert!(s.outcome.error.as_deref().unwrap().contains("assignee"));
    assert_eq!(r.ticket("T-1").status, Status::New);
}

#[test]
fn s1_rule_action_that_solves_without_assignee_is_skipped_with_notice() {
    let mut r = Replay::new(
        r#"trigger "Solve thanks" {
  when all { comment contains "thanks" }
  then {
    set status solved
    add tags thanked
  }
}"#,
    );
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email"}}"#);
    let s = r.ev(r#"{"type":"message.received","id":"m","at":"2026-11-24T10:00:00Z","ticket":"T-1","text":"thanks!"}"#);
    let rec = &s.outcome.tickets[0];
    assert_eq!(rec.fired, vec!["trigger:Solve thanks"]);
    assert!(rec.notices[0].contains("no assignee"), "{:?}", rec.notices);
    assert_eq!(r.ticket("T-1").status, Status::New);
    assert!(r.ticket("T-1").tags.contains("thanked"));
}

#[test]
fn s1_never_returns_to_new() {
    let mut r = Replay::new("");
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email","status":"open"}}"#);
    let s = r.ev(r#"{"type":"ticket.updated","id":"u","at":"2026-11-24T10:00:00Z","ticket":"T-1","by":"api","changes":{"status":"new"}}"#);
    assert_eq!(s.outcome.status, LineStatus::Rejected);
}

#[test]
fn s1_message_on_closed_ticket_opens_follow_up() {
    let mut r = Replay::new("");
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email","status":"closed","assignee":"ana"}}"#);
    let s = r.ev(r#"{"type":"message.received","id":"m","at":"2026-11-24T10:00:00Z","ticket":"T-1","text":"one more thing"}"#);
    let rec = &s.outcome.tickets[0];
    assert_eq!(rec.ticket, "T-1/2");
    assert!(r.ticket("T-1/2").tags.contains("followup"));
    assert_eq!(r.ticket("T-1").status, Status::Closed);
    let s = r.ev(r#"{"type":"ticket.updated","id":"u","at":"2026-11-24T10:05:00Z","ticket":"T-1","by":"agent","changes":{"priority":"high"}}"#);
    assert_eq!(
        s.outcome.status,
        LineStatus::Rejected,
        "a closed ticket is immutable except tags"
    );
    let s = r.ev(r#"{"type":"ticket.updated","id":"u2","at":"2026-11-24T10:06:00Z","ticket":"T-1","by":"agent","changes":{"add_tags":["audit"]}}"#);
    assert_eq!(s.outcome.status, LineStatus::Ok);
}

#[test]
fn s1_closes_28_days_after_solved_without_triggers() {
    let mut r = Replay::new(
        r#"trigger "On close" {
  when all { status changed to closed }
  then { add tags closed_by_trigger }
}"#,
    );
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-01T09:30:00Z","ticket":{"id":"T-1","channel":"email","status":"solved","assignee":"ana"}}"#);
    let runs = r.engine.advance_to("2026-11-29T10:00:00Z".parse().unwrap());
    let closing: Vec<_> = runs
        .iter()
        .filter(|run| {
            run.tickets
                .iter()
                .any(|t| t.fired.contains(&"system:close-after-28-days".to_string()))
        })
        .collect();
    assert_eq!(closing.len(), 1);
    assert_eq!(closing[0].at.to_string(), "2026-11-29T10:00:00Z");
    assert_eq!(r.ticket("T-1").status, Status::Closed);
    assert!(!r.ticket("T-1").tags.contains("closed_by_trigger"));
}

// ---------------------------------------------------------------- S2–S10 triggers

#[test]
fn s2_s4_cycle_restarts_and_fires_each_trigger_once() {
    let mut r = Replay::new(
        r#"trigger "A needs b" {
  when all { tags includes b }
  then { add tags a }
}
trigger "B on create" {
  when all { ticket is created }
  then { add tags b }
}
trigger "Always" {
  when all { channel is email }
  then { add tags always }
}"#,
    );
    let s = r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email"}}"#);
    // B fires in pass 1 (A did not match yet), restart: A now matches (S5), then Always.
    assert_eq!(
        fired(&s),
        vec!["trigger:B on create", "trigger:A needs b", "trigger:Always"]
    );
}

#[test]
fn s5_earlier_trigger_stops_a_later_one() {
    let mut r = Replay::new(
        r#"trigger "Lower" {
  when all { ticket is created }
  then { set priority low }
}
trigger "Urgent only" {
  when all { priority is urgent }
  then { add tags paged }
}"#,
    );
    let s = r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email","priority":"urgent"}}"#);
    assert_eq!(fired(&s), vec!["trigger:Lower"]);
}

#[test]
fn s6_changed_compares_with_the_baseline_for_the_whole_cycle() {
    let mut r = Replay::new(
        r#"trigger "Priority changed" {
  when all { priority changed }
  then { add tags prio_changed }
}
trigger "Set high" {
  when all { tags includes escalate }
  then { set priority high }
}"#,
    );
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email","priority":"normal"}}"#);
    // A plain comment: nothing changed.
    let s = r.ev(r#"{"type":"ticket.updated","id":"u1","at":"2026-11-24T09:10:00Z","ticket":"T-1","by":"agent","changes":{"group":"Billing"}}"#);
    assert!(fired(&s).is_empty());
    // A later trigger's change makes the earlier `changed` trigger match on the restart.
    let s = r.ev(r#"{"type":"ticket.updated","id":"u2","at":"2026-11-24T09:20:00Z","ticket":"T-1","by":"agent","changes":{"add_tags":["escalate"]}}"#);
    assert_eq!(
        fired(&s),
        vec!["trigger:Set high", "trigger:Priority changed"]
    );
}

#[test]
fn s6_on_create_every_set_field_has_changed() {
    let mut r = Replay::new("");
    let s = r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email","subject":"Hi","priority":"high","tags":["vip"],"fields":{"order_id":"A-1"}}}"#);
    let line = output::event_json(1, &s.outcome);
    insta::assert_snapshot!(line, @r#"{"line":1,"event":"c","ticket":"T-1","at":"2026-11-24T09:00:00Z","status":"ok","redactions":0,"fired":[],"changes":[{"field":"channel","from":null,"to":"email"},{"field":"status","from":null,"to":"new"},{"field":"subject","from":null,"to":"Hi"},{"field":"priority","from":null,"to":"high"},{"field":"fields.order_id","from":null,"to":"A-1"},{"field":"tags","added":["vip"],"removed":[]}],"messages":[],"notices":[],"warnings":[]}"#);
}

#[test]
fn s7_no_triggers_on_closed_tickets() {
    let mut r = Replay::new(
        r#"trigger "Any update" {
  when all { ticket is updated }
  then { add tags touched }
}"#,
    );
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email","status":"closed","assignee":"a"}}"#);
    let s = r.ev(r#"{"type":"ticket.updated","id":"u","at":"2026-11-24T09:10:00Z","ticket":"T-1","by":"agent","changes":{"add_tags":["x"]}}"#);
    assert!(fired(&s).is_empty());
}

#[test]
fn s9_notify_requester_needs_a_public_comment() {
    let rules = r#"trigger "Notify" {
  when all { ticket is updated }
  then { notify requester subject "Update" body "Ticket {{ticket.id}} changed" }
}"#;
    let mut r = Replay::new(rules);
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email"}}"#);
    let s = r.ev(r#"{"type":"ticket.updated","id":"u","at":"2026-11-24T09:10:00Z","ticket":"T-1","by":"agent","changes":{"group":"x"}}"#);
    let m = &s.outcome.tickets[0].messages[0];
    assert_eq!(
        (m.delivery, m.reason.map(|r| r.code())),
        (Delivery::Skipped, Some("no_public_comment"))
    );
    let s = r.ev(r#"{"type":"agent.reply","id":"a","at":"2026-11-24T09:20:00Z","ticket":"T-1","text":"Hello"}"#);
    let m = &s.outcome.tickets[0].messages[1];
    assert_eq!(m.delivery, Delivery::Delivered);
    assert_eq!(m.body.as_deref(), Some("Ticket T-1 changed"));
}

#[test]
fn s10_setting_a_field_to_its_value_records_nothing() {
    let mut r = Replay::new(
        r#"trigger "Keep normal" {
  when all { ticket is updated }
  then { set priority normal }
}"#,
    );
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email","priority":"normal"}}"#);
    let s = r.ev(r#"{"type":"ticket.updated","id":"u","at":"2026-11-24T09:10:00Z","ticket":"T-1","by":"agent","changes":{"add_tags":["a"]}}"#);
    let rec = &s.outcome.tickets[0];
    assert_eq!(rec.fired, vec!["trigger:Keep normal"]);
    assert_eq!(
        rec.changes.len(),
        1,
        "only the tag change: {:?}",
        rec.changes
    );
}

// ---------------------------------------------------------------- S11–S18 automations

const CLOSE_SOLVED: &str = r#"automation "Close solved after 4 days" {
  when all {
    status is solved
    hours since solved > 96
  }
  then { set status closed }
}"#;

#[test]
fn s12_hours_since_counts_whole_hours_at_runs() {
    let rules = r#"automation "Two hours after solved" {
  when all {
    status is solved
    hours since solved > 1
    tags excludes pinged
  }
  then { add tags pinged }
}"#;
    let mut r = Replay::new(rules);
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T09:15:00Z","ticket":{"id":"T-1","channel":"email","status":"solved","assignee":"a"}}"#);
    // Solved 09:15: 0 at 10:00, 1 at 11:00, 2 at 12:00 → fires at 12:00 (S12).
    let runs = r.engine.advance_to("2026-11-24T13:30:00Z".parse().unwrap());
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].at.to_string(), "2026-11-24T12:00:00Z");
}

#[test]
fn s11_automation_updates_run_triggers_and_later_automations_see_changes() {
    let rules = r#"automation "First" {
  when all {
    status is open
    hours since created > 0
    tags excludes first
  }
  then { add tags first }
}
automation "Second" {
  when all {
    tags includes first
    tags excludes second
  }
  then { add tags second }
}
trigger "React to automation" {
  when all { update.via is automation }
  then { add tags via_automation }
}"#;
    let mut r = Replay::new(rules);
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email","status":"open"}}"#);
    let runs = r.engine.advance_to("2026-11-24T10:00:00Z".parse().unwrap());
    assert_eq!(runs.len(), 1);
    assert_eq!(
        runs[0].tickets[0].fired,
        // Each automation update is a ticket update of its own: the trigger runs on both.
        vec![
            "automation:First",
            "trigger:React to automation",
            "automation:Second",
            "trigger:React to automation"
        ]
    );
}

#[test]
fn s13_hours_since_status_only_while_in_that_status() {
    let mut r = Replay::new(CLOSE_SOLVED);
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-20T08:30:00Z","ticket":{"id":"T-1","channel":"email","status":"solved","assignee":"a"}}"#);
    r.ev(r#"{"type":"ticket.updated","id":"u","at":"2026-11-21T08:30:00Z","ticket":"T-1","by":"agent","changes":{"status":"open"}}"#);
    let runs = r.engine.advance_to("2026-11-26T00:00:00Z".parse().unwrap());
    assert!(runs.is_empty());
}

#[test]
fn s14_business_hours_count_only_open_hours() {
    let account = r#"
timezone: Asia/Seoul
default_schedule: Office
schedules:
  - name: Office
    timezone: Asia/Seoul
    weekly: { mon: "09:00-18:00", tue: "09:00-18:00", wed: "09:00-18:00", thu: "09:00-18:00", fri: "09:00-18:00" }
"#;
    let rules = r#"automation "Escalate after 8 business hours" {
  when all {
    status is open
    hours since requester_update > 8 business
    tags excludes escalated
  }
  then { add tags escalated }
}"#;
    let mut r = Replay::with_account(rules, account);
    // Friday 2026-11-27 17:00 KST = 08:00 UTC; 1 business hour that day, then Monday.
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-27T08:00:00Z","ticket":{"id":"T-1","channel":"email","status":"open"}}"#);
    let runs = r.engine.advance_to("2026-12-01T00:00:00Z".parse().unwrap());
    assert_eq!(runs.len(), 1);
    // Monday 09:00 KST (00:00 UTC) + 8h → 9 business hours > 8 at Monday 17:00 KST = 08:00 UTC.
    assert_eq!(runs[0].at.to_string(), "2026-11-30T08:00:00Z");
}

#[test]
fn s15_automation_fires_once_per_ticket_per_run_and_is_nullified() {
    let mut r = Replay::new(CLOSE_SOLVED);
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-20T08:30:00Z","ticket":{"id":"T-1","channel":"email","status":"solved","assignee":"a"}}"#);
    let runs = r.engine.advance_to("2026-11-26T00:00:00Z".parse().unwrap());
    assert_eq!(
        runs.len(),
        1,
        "fires once, then its own action makes it false"
    );
    // Solved 2026-11-20 08:30: 96 whole hours at 24 Nov 09:00, 97 (> 96) at 10:00 (S12).
    assert_eq!(runs[0].at.to_string(), "2026-11-24T10:00:00Z");
    assert_eq!(r.ticket("T-1").status, Status::Closed);
}

#[test]
fn s16_ticket_limit_per_automation_per_run() {
    let rules = r#"automation "Tag old" {
  when all {
    hours since created > 0
    tags excludes old
  }
  then { add tags old }
}"#;
    let mut r = Replay::with_account(rules, "automation_ticket_limit: 1\n");
    for i in 1..=3 {
        r.ev(&format!(r#"{{"type":"ticket.created","id":"c{i}","at":"2026-11-24T08:00:00Z","ticket":{{"id":"T-{i}","channel":"email"}}}}"#));
    }
    let runs = r.engine.advance_to("2026-11-24T12:00:00Z".parse().unwrap());
    let per_run: Vec<Vec<String>> = runs
        .iter()
        .map(|r| r.tickets.iter().map(|t| t.ticket.clone()).collect())
        .collect();
    assert_eq!(per_run, vec![vec!["T-1"], vec!["T-2"], vec!["T-3"]]);
}

#[test]
fn s17_automations_never_run_on_closed_tickets() {
    let rules = r#"automation "Tag" {
  when all {
    hours since created > 0
    tags excludes seen
  }
  then { add tags seen }
}"#;
    let mut r = Replay::new(rules);
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T08:00:00Z","ticket":{"id":"T-1","channel":"email","status":"closed","assignee":"a"}}"#);
    assert!(r
        .engine
        .advance_to("2026-11-24T12:00:00Z".parse().unwrap())
        .is_empty());
}

#[test]
fn s18_runs_happen_between_events_at_the_automation_minute() {
    let rules = r#"automation "Hourly tag" {
  when all {
    hours since created > 0
    tags excludes seen
  }
  then { add tags seen }
}"#;
    let mut r = Replay::with_account(rules, "automation_minute: 30\n");
    r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T08:00:00Z","ticket":{"id":"T-1","channel":"email"}}"#);
    // Runs at 08:30 (0 h), 09:30 (1 h → fires) before the event at 09:45.
    let s = r.ev(r#"{"type":"clock","id":"k","at":"2026-11-24T09:45:00Z"}"#);
    assert_eq!(s.runs.len(), 1);
    assert_eq!(s.runs[0].at.to_string(), "2026-11-24T09:30:00Z");
    // An event earlier than the clock is applied at its own time, with a warning.
    let s = r.ev(r#"{"type":"ticket.updated","id":"late","at":"2026-11-24T09:00:00Z","ticket":"T-1","by":"agent","changes":{"group":"x"}}"#);
    assert_eq!(s.outcome.status, LineStatus::Ok);
    assert!(s.outcome.warnings[0].contains("earlier than the replay clock"));
    assert_eq!(
        r.engine.clock().unwrap().to_string(),
        "2026-11-24T09:45:00Z"
    );
}

#[test]
fn s19_replay_is_deterministic() {
    let run = || {
        let mut r = Replay::new(CLOSE_SOLVED);
        let mut out = Vec::new();
        for line in [
            WA_CREATE,
            r#"{"type":"agent.reply","id":"a","at":"2026-11-25T10:00:00Z","ticket":"T-1","text":"late"}"#,
        ] {
            let s = r.ev(line);
            out.push(output::event_json(r.line, &s.outcome));
        }
        out
    };
    assert_eq!(run(), run());
}

#[test]
fn s20_automation_messages_go_through_the_guards() {
    let rules = r#"automation "Nudge" {
  when all {
    channel is whatsapp
    hours since last_end_user_message > 25
    tags excludes nudged
  }
  then {
    send message "Still there?"
    add tags nudged
  }
}"#;
    let mut r = Replay::new(rules);
    r.ev(WA_CREATE);
    let runs = r.engine.advance_to("2026-11-25T11:00:00Z".parse().unwrap());
    let m = &runs[0].tickets[0].messages[0];
    assert_eq!(m.id, "auto:2026-11-25T11:00:00Z:T-1:1");
    assert_eq!(m.reason.map(|r| r.code()), Some("outside_24h_window"));
}

// ---------------------------------------------------------------- WhatsApp

#[test]
fn w1_w3_window_anchor_is_the_latest_send_time() {
    let mut r = Replay::new("");
    r.ev(WA_CREATE);
    // Delivered late: sent 10:00 (anchor), received 11:30.
    r.ev(r#"{"type":"message.received","id":"m2","at":"2026-11-24T11:30:00Z","ticket":"T-1","sent_at":"2026-11-24T10:00:00Z","text":"late"}"#);
    // Out of order: an older send time does not move the anchor back.
    r.ev(r#"{"type":"message.received","id":"m3","at":"2026-11-24T11:31:00Z","ticket":"T-1","sent_at":"2026-11-24T09:30:00Z","text":"older"}"#);
    assert_eq!(
        r.ticket("T-1")
            .last_end_user_message_at
            .unwrap()
            .to_string(),
        "2026-11-24T10:00:00Z"
    );
    let s = r.ev(
        r#"{"type":"agent.reply","id":"a","at":"2026-11-25T10:00:00Z","ticket":"T-1","text":"hi"}"#,
    );
    let m = &s.outcome.tickets[0].messages[0];
    assert_eq!(
        m.window_closed_at.unwrap().to_string(),
        "2026-11-25T10:00:00Z"
    );
}

#[test]
fn w5_blocked_reply_is_kept_on_the_ticket_with_a_notice() {
    let mut r = Replay::new("");
    r.ev(WA_CREATE);
    let s = r.ev(r#"{"type":"agent.reply","id":"e9","at":"2026-11-25T11:00:00Z","ticket":"T-1","text":"Sorry"}"#);
    let line = output::event_json(9, &s.outcome);
    insta::assert_snapshot!(line, @r#"{"line":9,"event":"e9","ticket":"T-1","at":"2026-11-25T11:00:00Z","status":"ok","redactions":0,"fired":[],"changes":[],"messages":[{"id":"e9","source":"agent","kind":"text","delivery":"blocked","reason":"outside_24h_window","window_closed_at":"2026-11-25T09:00:00Z"}],"notices":["Reply not delivered: the WhatsApp 24-hour window closed at 2026-11-25 09:00 UTC. Send an approved template to re-engage."],"warnings":[]}"#);
    assert_eq!(r.ticket("T-1").comments.last().unwrap().text, "Sorry");
}

#[test]
fn w5b_notify_requester_of_a_blocked_reply_is_skipped() {
    let rules = r#"trigger "Email the requester on agent replies" {
  when all {
    current_user is agent
    comment is public
  }
  then { notify requester subject "Reply" body "See your ticket" }
}"#;
    let mut r = Replay::new(rules);
    r.ev(WA_CREATE);
    let s = r.ev(r#"{"type":"agent.reply","id":"a","at":"2026-11-26T11:00:00Z","ticket":"T-1","text":"Sorry"}"#);
    let msgs = &s.outcome.tickets[0].messages;
    assert_eq!(msgs[0].delivery, Delivery::Blocked);
    assert_eq!(
        (msgs[1].delivery, msgs[1].reason.map(|r| r.code())),
        (Delivery::Skipped, Some("reply_not_delivered"))
    );
}

#[test]
fn w6_macro_and_trigger_replies_are_guarded_too() {
    let rules = r#"trigger "Auto answer" {
  when all {
    current_user is agent
    comment contains "escalate"
  }
  then { send message "A specialist will reply." }
}"#;
    let mut r = Replay::new(rules);
    r.ev(WA_CREATE);
    let s = r.ev(r#"{"type":"agent.reply","id":"a","at":"2026-11-26T11:00:00Z","ticket":"T-1","via":"macro","text":"We will escalate"}"#);
    let msgs = &s.outcome.tickets[0].messages;
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].source, "macro");
    assert_eq!(msgs[1].source, "trigger:Auto answer");
    assert_eq!(msgs[1].id, "rule:a:1");
    assert!(msgs
        .iter()
        .all(|m| m.reason.map(|r| r.code()) == Some("outside_24h_window")));
}

#[test]
fn w7_w8_w11_templates_outside_the_window() {
    let account = "conversations_license: true\ntemplates:\n  - { name: order_followup, language: en_US, params: 1 }\n";
    let mut r = Replay::with_account("", account);
    r.ev(WA_CREATE);
    let reply = r#"{"type":"agent.reply","id":"ID","at":"2026-11-26T11:00:00Z","ticket":"T-1","template":{"name":"order_followup","language":"en_US","params":["T-1"]}}"#;
    let s = r.ev(&reply.replace("ID", "t1"));
    assert_eq!(
        s.outcome.tickets[0].messages[0].reason.map(|r| r.code()),
        Some("not_opted_in")
    );
    let mut r = Replay::with_account("", "conversations_license: false\n");
    r.ev(WA_CREATE);
    let s = r.ev(&reply.replace("ID", "t2"));
    assert_eq!(
        s.outcome.tickets[0].messages[0].reason.map(|r| r.code()),
        Some("templates_require_license")
    );
}

#[test]
fn w10_automation_template_is_blocked_at_runtime() {
    let account = "conversations_license: true\ntemplates:\n  - { name: order_followup, language: en_US, params: 0 }\n";
    let rules = r#"automation "Template" {
  when all {
    hours since created > 0
    tags excludes sent
  }
  then {
    send template "order_followup" language "en_US"
    add tags sent
  }
}"#;
    let mut r = Replay::with_account(rules, account);
    r.ev(WA_CREATE);
    let runs = r.engine.advance_to("2026-11-24T11:00:00Z".parse().unwrap());
    let m = &runs[0].tickets[0].messages[0];
    assert_eq!(
        m.reason.map(|r| r.code()),
        Some("automation_template_unsupported")
    );
}

#[test]
fn w13_default_rule_redacts_whatsapp_but_not_email() {
    let mut r = Replay::new("");
    let s = r.ev(r#"{"type":"message.received","id":"m","at":"2026-11-24T09:00:00Z","ticket":"T-1","channel":"whatsapp","text":"card 4111 1111 1111 1111"}"#);
    let rec = &s.outcome.tickets[0];
    assert_eq!(rec.redactions, 1);
    assert_eq!(
        rec.fired,
        vec!["redaction:Credit card numbers on social messaging"]
    );
    assert_eq!(r.ticket("T-1").comments[0].text, "card 4111 11▇▇ ▇▇▇▇ 1111");
    assert!(r
        .ticket("T-1")
        .tags
        .contains("system_credit_card_redaction"));
    let s = r.ev(r#"{"type":"message.received","id":"m2","at":"2026-11-24T09:00:00Z","ticket":"T-2","channel":"email","text":"card 4111 1111 1111 1111"}"#);
    assert_eq!(s.outcome.tickets[0].redactions, 0);
    // Disabled by the account setting.
    let mut r = Replay::with_account("", "social_messaging_card_redaction: false\n");
    let s = r.ev(r#"{"type":"message.received","id":"m","at":"2026-11-24T09:00:00Z","ticket":"T-1","channel":"whatsapp","text":"card 4111 1111 1111 1111"}"#);
    assert_eq!(s.outcome.tickets[0].redactions, 0);
}

#[test]
fn w13_rules_see_redacted_text_only() {
    let rules = r#"trigger "Card seen" {
  when all { comment contains "4111 1111 1111 1111" }
  then { add tags leaked }
}"#;
    let mut r = Replay::new(rules);
    let s = r.ev(r#"{"type":"message.received","id":"m","at":"2026-11-24T09:00:00Z","ticket":"T-1","channel":"whatsapp","text":"card 4111 1111 1111 1111"}"#);
    assert!(!s.outcome.tickets[0]
        .fired
        .contains(&"trigger:Card seen".to_string()));
}

#[test]
fn w14_forwarded_messages_can_be_tested() {
    let rules = r#"trigger "Ask for a screenshot when a message was forwarded" {
  when all {
    message.forwarded is true
    current_user is end_user
  }
  then {
    send message "We only received the forwarded message. Could you send a screenshot of the rest?"
  }
}"#;
    let mut r = Replay::new(rules);
    let s = r.ev(r#"{"type":"message.received","id":"m","at":"2026-11-24T09:00:00Z","ticket":"T-1","channel":"whatsapp","forwarded":true,"text":"fwd"}"#);
    let rec = &s.outcome.tickets[0];
    assert_eq!(rec.messages[0].delivery, Delivery::Delivered);
}

#[test]
fn whatsapp_status_131047_marks_the_reply_failed() {
    let mut r = Replay::new("");
    r.ev(WA_CREATE);
    r.ev(r#"{"type":"agent.reply","id":"a","at":"2026-11-24T10:00:00Z","ticket":"T-1","text":"hi","wamid":"wamid.X"}"#);
    let status = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"1"},"statuses":[{"id":"wamid.X","status":"failed","timestamp":"1795600000","recipient_id":"821000000077","errors":[{"code":131047,"title":"Re-engagement message"}]}]}}]}]}"#;
    let s = r.ev(status);
    let m = &s.outcome.tickets[0].messages[0];
    assert_eq!(m.id, "a");
    assert_eq!(
        (m.delivery, m.reason.map(|r| r.code()), m.error_code),
        (Delivery::Failed, Some("outside_24h_window"), Some(131047))
    );
}

#[test]
fn duplicate_event_ids_are_not_applied_twice() {
    let mut r = Replay::new("");
    r.ev(WA_CREATE);
    let s = r.ev(WA_CREATE);
    assert_eq!(s.outcome.status, LineStatus::Duplicate);
    assert_eq!(r.ticket("T-1").comments.len(), 1);
}

// ---------------------------------------------------------------- explain (issue 3)

#[test]
fn explain_lists_every_rule_considered_including_s4_restarts() {
    let mut r = Replay::new(
        r#"trigger "A needs b" {
  when all { tags includes b }
  then { add tags a }
}
trigger "B on create" {
  when all { ticket is created }
  then { add tags b }
}"#,
    );
    r.engine.set_explain(true);
    let s = r.ev(r#"{"type":"ticket.created","id":"c","at":"2026-11-24T09:00:00Z","ticket":{"id":"T-1","channel":"email"}}"#);
    let rec = &s.outcome.tickets[0];
    let seen: Vec<(String, bool)> = rec
        .explain
        .iter()
        .map(|t| (t.rule.clone(), t.matched))
        .collect();
    // The default redaction rule first (W13: email is not social messaging), then
    // pass 1: A ✗, B ✓ → restart; pass 2: A ✓ (B skipped: fired) → restart; pass 3: nothing left.
    assert_eq!(
        seen,
        vec![
            (
                "redaction:Credit card numbers on social messaging".to_string(),
                false
            ),
            ("trigger:A needs b".to_string(), false),
            ("trigger:B on create".to_string(), true),
            ("trigger:A needs b".to_string(), true),
        ]
    );
    let line = output::event_json_with(1, &s.outcome, true);
    assert!(line.contains(r#"{"rule":"trigger:A needs b","matched":false,"conditions":[{"text":"tags includes b","value":false}]}"#), "{line}");
}
