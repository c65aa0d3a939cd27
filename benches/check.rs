//! How long `check()` takes on one file of 7,000 triggers (issue 3: "a file of 7,000
//! triggers checks in under 1 s"). A plain timing harness (`harness = false`):
//!
//! ```text
//! cargo bench --bench check
//! ```
//!
//! The triggers are generated deterministically in the shapes real rule sets use: routing
//! on creation, reactions to status and group changes, comment keywords and regexes,
//! tag-driven template sends, VIP handling with `when any`. Every lint runs, including the
//! cross-rule ones (`duplicate-rule`, `shadowed-by-earlier-trigger`). Prints the parse +
//! resolve + lint time (min and median of several runs) and the findings count.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ticket_rules::check::{check, RuleSource};
use ticket_rules::model::{Account, ApprovedTemplate};

const TRIGGERS: usize = 7_000;

/// CPU time of this thread (user + system), from `/proc/thread-self/stat` (Linux, 10 ms
/// ticks): unlike wall time it does not grow when other processes share the cores.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}
const RUNS: usize = 7;

/// The CPU time `f` takes, or its wall time where CPU time is not available.
fn timed(f: impl FnOnce()) -> Duration {
    match cpu_time() {
        Some(start) => {
            f();
            cpu_time().unwrap_or(start).saturating_sub(start)
        }
        None => {
            let start = Instant::now();
            f();
            start.elapsed()
        }
    }
}

const CHANNELS: &[&str] = &["whatsapp", "email", "web", "messenger", "instagram", "api"];
const STATUSES: &[&str] = &["open", "pending", "hold", "solved"];
const PRIORITIES: &[&str] = &["low", "normal", "high", "urgent"];

/// One trigger in one of eight shapes; `i` makes titles, tags and groups distinct.
fn trigger(i: usize) -> String {
    let ch = CHANNELS[i % CHANNELS.len()];
    let st = STATUSES[i % STATUSES.len()];
    let pr = PRIORITIES[(i / 3) % PRIORITIES.len()];
    let g = i % 60;
    match i % 8 {
        0 => format!(
            "trigger \"Route {i}\" {{\n  when all {{\n    ticket is created\n    channel is {ch}\n    requester.email contains \"@customer{g}.example\"\n  }}\n  then {{\n    set group \"Team {g}\"\n    add tags route_{i}, {ch}\n  }}\n}}\n"
        ),
        1 => format!(
            "trigger \"Notify on {st} {i}\" {{\n  when all {{\n    status changed to {st}\n    group is \"Team {g}\"\n  }}\n  then {{\n    notify group \"Team {g}\" subject \"{{{{ticket.id}}}} is {st}\" body \"{{{{requester.name}}}}: {{{{ticket.subject}}}}\"\n  }}\n}}\n"
        ),
        2 => format!(
            "trigger \"Keyword {i}\" {{\n  when all {{\n    current_user is end_user\n    comment contains word \"keyword{i}\"\n    tags excludes kw_{i}\n  }}\n  then {{\n    set priority {pr}\n    add tags kw_{i}\n  }}\n}}\n"
        ),
        3 => format!(
            "trigger \"Order number {i}\" {{\n  when all {{\n    current_user is end_user\n    comment matches /(?i)\\border\\W*{i}\\d+/\n    field \"order_id\" not present\n  }}\n  then {{\n    set form \"Order issue\"\n    set type incident\n    add note \"Order mentioned ({i})\"\n  }}\n}}\n"
        ),
        4 => format!(
            "trigger \"Re-engage {i}\" {{\n  when all {{\n    channel is whatsapp\n    tags includes reengage_{i}\n  }}\n  then {{\n    send template \"order_followup\" language \"en_US\" params [\"{{{{ticket.id}}}}\"]\n    remove tags reengage_{i}\n  }}\n}}\n"
        ),
        5 => format!(
            "trigger \"VIP {i}\" {{\n  when all {{\n    ticket is created\n    requester.tags includes vip_{g}\n  }}\n  when any {{\n    priority not present\n    priority < high\n  }}\n  then {{\n    set priority high\n    notify group \"Team leads\" subject \"VIP {{{{ticket.id}}}}\" body \"{{{{requester.name}}}}\"\n  }}\n}}\n"
        ),
        6 => format!(
            "trigger \"Assign {i}\" {{\n  when all {{\n    group changed to \"Team {i}\"\n    assignee not present\n    priority >= {pr}\n  }}\n  then {{\n    set assignee \"Agent {i}\"\n    add tags assigned_{i}\n  }}\n}}\n"
        ),
        _ => format!(
            "trigger \"Reply {i}\" {{\n  when all {{\n    channel is {ch}\n    update.via is api\n    field \"delivery_status\" changed to shipped_{g}\n  }}\n  then {{\n    send message \"Hi {{{{requester.first_name}}}}, order {{{{ticket.fields.order_id}}}} is on its way ({i}).\"\n    set field \"notified\" true\n  }}\n}}\n"
        ),
    }
}

fn main() {
    let mut text = String::from("# 7,000 generated triggers (benches/check.rs)\n\n");
    for i in 0..TRIGGERS {
        text.push_str(&trigger(i));
        text.push('\n');
    }
    let sources = vec![RuleSource {
        name: "bench/7000.rules".into(),
        text,
    }];
    let account = Account {
        templates: vec![ApprovedTemplate {
            name: "order_followup".into(),
            language: "en_US".into(),
            category: Some("utility".into()),
            params: 1,
        }],
        ..Account::default()
    };
    let bytes = sources[0].text.len();
    let mut times: Vec<Duration> = Vec::new();
    let mut cpu: Vec<Duration> = Vec::new();
    let mut findings = Vec::new();
    let mut rules = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let cpu_start = cpu_time();
        let checked = black_box(check(black_box(&sources), Some(&account)));
        times.push(start.elapsed());
        if let (Some(a), Some(b)) = (cpu_start, cpu_time()) {
            cpu.push(b.saturating_sub(a));
        }
        findings = checked.diagnostics;
        rules = checked.rules.len();
    }
    times.sort();
    cpu.sort();
    // Where the time goes (CPU time when available): the parser alone, and validating the
    // regexes alone; the rest is resolution and lints.
    let parse = timed(|| {
        black_box(ticket_rules::syntax::parse(black_box(&sources[0].text)));
    });
    let n = (3..TRIGGERS).step_by(8).count();
    let regexes = timed(|| {
        for i in (3..TRIGGERS).step_by(8) {
            let p = format!("(?i)\\border\\W*{i}\\d+");
            black_box(ticket_rules::check::ir::Pattern::new(&p).is_ok());
        }
    });
    println!(
        "check: {TRIGGERS} triggers in one file ({:.1} MB): min {:.1} ms, median {:.1} ms over {RUNS} runs; {rules} rules resolved, {} findings",
        bytes as f64 / 1e6,
        times[0].as_secs_f64() * 1e3,
        times[RUNS / 2].as_secs_f64() * 1e3,
        findings.len(),
    );
    if !cpu.is_empty() {
        println!(
            "  CPU time: min {:.0} ms, median {:.0} ms (wall time grows when other processes share the cores)",
            cpu[0].as_secs_f64() * 1e3,
            cpu[cpu.len() / 2].as_secs_f64() * 1e3
        );
    }
    println!(
        "  of which (CPU): parse {:.0} ms; validating the {n} regexes {:.0} ms; the rest is resolution and lints",
        parse.as_secs_f64() * 1e3,
        regexes.as_secs_f64() * 1e3
    );
    if let Some(d) = findings.first() {
        eprintln!(
            "unexpected findings on the generated rules, e.g. {}: {}",
            d.diagnostic.code, d.diagnostic.message
        );
        std::process::exit(1);
    }
}
