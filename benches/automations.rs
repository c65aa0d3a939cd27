//! An hourly automation run over 1,000,000 tickets with 500 automations (issue #5).
//!
//! Tickets are spread over the 30 days before the run with random statuses, tags and
//! anchors; automation i is `status is S` + `tags includes tK` + `hours since A > N` +
//! `tags excludes done_i` → `add tags done_i` (S15), with S, K (one of 50 tags, each
//! ticket has one), A and N varying — so an automation concerns about 1 ticket in 200. Prints the time of the first run
//! (every anchor that is old enough is a candidate) and of the following hourly runs
//! (only anchors that came of age, and updated tickets).
//!
//! Run: `cargo bench --bench automations` (release; takes about a minute with set-up).

use std::sync::Arc;
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use ticket_rules::model::{Channel, Status, Ticket};
use ticket_rules::{compile, Account, Engine, MemoryStore, RuleSource, TicketStore};

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

const STATUSES: [(&str, Status); 4] = [
    ("open", Status::Open),
    ("pending", Status::Pending),
    ("hold", Status::Hold),
    ("solved", Status::Solved),
];

fn automations(n: usize) -> String {
    let anchors = ["updated", "created", "requester_update"];
    let mut s = String::new();
    for i in 0..n {
        let (status, _) = STATUSES[i % 4];
        // The status anchor for a quarter of them, else a timestamp anchor.
        let anchor = if i % 2 == 0 { status } else { anchors[i % 3] };
        let hours = 24 + (i * 7) % 600;
        s.push_str(&format!(
            "automation \"a{i}\" {{\n  when all {{\n    status is {status}\n    tags includes t{}\n    hours since {anchor} > {hours}\n    tags excludes done_{i}\n  }}\n  then {{\n    add tags done_{i}\n  }}\n}}\n",
            i % 50
        ));
    }
    s
}

fn main() {
    let n_tickets: usize = std::env::var("TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let n_autos = 500;
    let sources = [RuleSource {
        name: "bench.rules".into(),
        text: automations(n_autos),
    }];
    let (rs, _) = compile(&sources, Account::default()).expect("bench automations compile");
    let run_at: Timestamp = "2026-11-30T10:00:00Z".parse().unwrap();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let setup = Instant::now();
    let mut store = MemoryStore::new();
    for i in 0..n_tickets {
        let age = SignedDuration::from_secs(rng.below(30 * 24 * 3600) as i64 + 1);
        let created = run_at.checked_sub(age).unwrap();
        let mut t = Ticket::new(format!("T-{i}"), Channel::Email, created);
        let (_, status) = STATUSES[rng.below(4) as usize];
        t.status = status;
        let since_update = SignedDuration::from_secs(rng.below(age.as_secs() as u64) as i64);
        t.updated_at = run_at.checked_sub(since_update).unwrap();
        t.requester_updated_at = Some(t.updated_at);
        t.status_changed_at = t.updated_at;
        t.assignee = Some("agent".into());
        if status == Status::Solved {
            t.solved_at = Some(t.status_changed_at);
        }
        t.tags.insert(format!("t{}", rng.below(50)));
        store.put(t);
    }
    let mut engine = Engine::with_store(Arc::new(rs), store);
    println!(
        "{n_tickets} tickets, {n_autos} automations; set-up {:.1} s",
        setup.elapsed().as_secs_f64()
    );
    // The clock starts an hour before the first run.
    engine.advance_to(run_at.checked_sub(SignedDuration::from_hours(1)).unwrap());
    for k in 0..8 {
        let at = run_at.checked_add(SignedDuration::from_hours(k)).unwrap();
        let start = Instant::now();
        let runs = engine.advance_to(at);
        let updated: usize = runs.iter().map(|r| r.tickets.len()).sum();
        println!(
            "run at {at}: {:>7.3} s, {updated} tickets updated{}",
            start.elapsed().as_secs_f64(),
            if k == 0 { " (first run)" } else { "" }
        );
    }
    std::hint::black_box(engine.store().len());
}
