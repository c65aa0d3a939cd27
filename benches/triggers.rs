//! Trigger evaluation per event, in-process (issue #5), on the peers' workload:
//! trigger i = `channel is X` (4 channels in turn) + `tags includes ti` +
//! `status in [new, open]`; each event is a new ticket with a channel, a status and 3
//! random tags out of the N trigger tags.
//!
//! Run: `cargo bench --bench triggers` (prints µs/event for 10, 1,000 and 7,000 triggers).

#[path = "common/mod.rs"]
mod common;
use common::{Rng, SEED};

use std::sync::Arc;
use std::time::Instant;

use ticket_rules::model::{Channel, Event, EventKind, NewTicket, Requester, Status};
use ticket_rules::{compile, Account, Engine, RuleSource};

const CHANNELS: [&str; 4] = ["whatsapp", "email", "web", "messenger"];

fn rules(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "trigger \"t{i}\" {{\n  when all {{\n    channel is {}\n    tags includes t{i}\n    status in [new, open]\n  }}\n  then {{\n    add tags hit\n  }}\n}}\n",
            CHANNELS[i % 4]
        ));
    }
    s
}

fn events(n_triggers: usize, count: usize, rng: &mut Rng) -> Vec<Event> {
    let at: jiff::Timestamp = "2026-11-24T09:00:00Z".parse().unwrap();
    (0..count)
        .map(|i| {
            let tags = (0..3)
                .map(|_| format!("t{}", rng.below(n_triggers as u64)))
                .collect();
            Event {
                id: format!("e{i}"),
                at,
                kind: EventKind::TicketCreated(NewTicket {
                    id: format!("T-{i}"),
                    channel: Channel::parse(CHANNELS[rng.below(4) as usize]),
                    subject: None,
                    status: Some(if rng.below(2) == 0 {
                        Status::New
                    } else {
                        Status::Open
                    }),
                    priority: None,
                    ticket_type: None,
                    group: None,
                    assignee: None,
                    form: None,
                    brand: None,
                    schedule: None,
                    due_at: None,
                    sla_breach_at: None,
                    satisfaction: None,
                    tags,
                    fields: Default::default(),
                    requester: Requester::default(),
                    organization: None,
                }),
            }
        })
        .collect()
}

fn main() {
    let mut rng = Rng(SEED);
    println!("triggers  µs/event (median of 5 runs of 20,000 events; engine only, no JSON)");
    for n in [10usize, 1_000, 7_000] {
        let sources = [RuleSource {
            name: "bench.rules".into(),
            text: rules(n),
        }];
        let (rs, _) = compile(&sources, Account::default()).expect("bench rules compile");
        let rs = Arc::new(rs);
        let mut samples = Vec::new();
        for _ in 0..5 {
            let evs = events(n, 20_000, &mut rng);
            let mut engine = Engine::new(Arc::clone(&rs));
            let start = Instant::now();
            let mut fired = 0usize;
            for e in evs {
                let step = engine.process(e);
                fired += step.outcome.tickets[0].fired.len();
            }
            let us = start.elapsed().as_secs_f64() * 1e6 / 20_000.0;
            std::hint::black_box(fired);
            samples.push(us);
        }
        samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!("{n:>8}  {:>8.2}", samples[2]);
    }
}
