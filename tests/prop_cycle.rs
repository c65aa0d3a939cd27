//! Property tests of the trigger cycle (rules-semantics.md S4, with S2, S3, S5, S6, S10,
//! S19) on the library API: random rule sets written in the rule language, random short
//! event sequences, and these laws:
//!
//! - S4: the call returns (the cycle terminates); every trigger fires at most once per
//!   update, so `fired` holds each trigger id at most once and at most N of them;
//! - S19: a second engine fed the same events gives identical outcomes;
//! - S10: `changes` are exactly the net changes of the update;
//! - S2–S6 (model): `fired` and the resulting ticket equal those of a small reference
//!   model of the cycle — walk the triggers top to bottom, apply the first that matches,
//!   restart from the top skipping fired ones, stop when a pass fires nothing; `changed`
//!   compares with the ticket before the event (an empty ticket on create).

use std::collections::BTreeSet;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use ticket_rules::engine::Change;
use ticket_rules::io::decode_line;
use ticket_rules::{compile, Account, Engine, RuleSource, Step, TicketStore};

const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];
const STATUSES: [&str; 3] = ["new", "open", "pending"];

#[derive(Debug, Clone)]
enum Cond {
    TagIncludes(u8),
    TagExcludes(u8),
    PriorityIs(usize),
    PriorityBelow(usize),
    StatusIs(usize),
    Created,
    Updated,
    PriorityChanged,
    TagsChanged,
}

#[derive(Debug, Clone)]
enum Act {
    AddTag(u8),
    RemoveTag(u8),
    SetPriority(usize),
    /// Index into [`STATUSES`]: 1 (open) or 2 (pending).
    SetStatus(usize),
}

#[derive(Debug, Clone)]
struct Trigger {
    all: Vec<Cond>,
    any: Vec<Cond>,
    then: Vec<Act>,
}

#[derive(Debug, Clone)]
struct Created {
    priority: Option<usize>,
    tags: Vec<u8>,
}

#[derive(Debug, Clone)]
struct Updated {
    add_tags: Vec<u8>,
    remove_tags: Vec<u8>,
    priority: Option<usize>,
}

impl Cond {
    fn text(&self) -> String {
        match self {
            Cond::TagIncludes(k) => format!("tags includes t{k}"),
            Cond::TagExcludes(k) => format!("tags excludes t{k}"),
            Cond::PriorityIs(p) => format!("priority is {}", PRIORITIES[*p]),
            Cond::PriorityBelow(p) => format!("priority < {}", PRIORITIES[*p]),
            Cond::StatusIs(s) => format!("status is {}", STATUSES[*s]),
            Cond::Created => "ticket is created".into(),
            Cond::Updated => "ticket is updated".into(),
            Cond::PriorityChanged => "priority changed".into(),
            Cond::TagsChanged => "tags changed".into(),
        }
    }

    /// The model's reading of the condition (dsl.md, S6).
    fn holds(&self, t: &State, baseline: Option<&State>) -> bool {
        match self {
            Cond::TagIncludes(k) => t.tags.contains(k),
            Cond::TagExcludes(k) => !t.tags.contains(k),
            Cond::PriorityIs(p) => t.priority == Some(*p),
            // An unset priority is not ordered: `<` is false.
            Cond::PriorityBelow(p) => t.priority.is_some_and(|q| q < *p),
            Cond::StatusIs(s) => t.status == *s,
            Cond::Created => baseline.is_none(),
            Cond::Updated => baseline.is_some(),
            // On create the baseline is an empty ticket.
            Cond::PriorityChanged => {
                baseline.map_or(t.priority.is_some(), |b| b.priority != t.priority)
            }
            Cond::TagsChanged => baseline.map_or(!t.tags.is_empty(), |b| b.tags != t.tags),
        }
    }
}

impl Act {
    fn text(&self) -> String {
        match self {
            Act::AddTag(k) => format!("add tags t{k}"),
            Act::RemoveTag(k) => format!("remove tags t{k}"),
            Act::SetPriority(p) => format!("set priority {}", PRIORITIES[*p]),
            Act::SetStatus(s) => format!("set status {}", STATUSES[*s]),
        }
    }

    fn apply(&self, t: &mut State) {
        match self {
            Act::AddTag(k) => {
                t.tags.insert(*k);
            }
            Act::RemoveTag(k) => {
                t.tags.remove(k);
            }
            Act::SetPriority(p) => t.priority = Some(*p),
            Act::SetStatus(s) => t.status = *s,
        }
    }
}

impl Trigger {
    fn matches(&self, t: &State, baseline: Option<&State>) -> bool {
        self.all.iter().all(|c| c.holds(t, baseline))
            && (self.any.is_empty() || self.any.iter().any(|c| c.holds(t, baseline)))
    }
}

/// The rule file: triggers `R0`, `R1`, … in order.
fn rules_text(triggers: &[Trigger]) -> String {
    let mut s = String::new();
    for (i, t) in triggers.iter().enumerate() {
        s.push_str(&format!("trigger \"R{i}\" {{\n  when all {{\n"));
        for c in &t.all {
            s.push_str(&format!("    {}\n", c.text()));
        }
        s.push_str("  }\n");
        if !t.any.is_empty() {
            s.push_str("  when any {\n");
            for c in &t.any {
                s.push_str(&format!("    {}\n", c.text()));
            }
            s.push_str("  }\n");
        }
        s.push_str("  then {\n");
        for a in &t.then {
            s.push_str(&format!("    {}\n", a.text()));
        }
        s.push_str("  }\n}\n\n");
    }
    s
}

fn tag_list(tags: &[u8]) -> String {
    let v: Vec<String> = tags.iter().map(|k| format!("\"t{k}\"")).collect();
    format!("[{}]", v.join(","))
}

/// The event lines: the creation, then the updates, one minute apart (no automation run
/// falls between them).
fn event_lines(created: &Created, updates: &[Updated]) -> Vec<String> {
    let priority = created
        .priority
        .map(|p| format!(",\"priority\":\"{}\"", PRIORITIES[p]))
        .unwrap_or_default();
    let mut lines = vec![format!(
        r#"{{"type":"ticket.created","id":"e0","at":"2026-11-24T09:00:00Z","ticket":{{"id":"T-1","channel":"email","tags":{}{priority}}}}}"#,
        tag_list(&created.tags)
    )];
    for (i, u) in updates.iter().enumerate() {
        let mut changes = format!(
            r#""add_tags":{},"remove_tags":{}"#,
            tag_list(&u.add_tags),
            tag_list(&u.remove_tags)
        );
        if let Some(p) = u.priority {
            changes.push_str(&format!(r#","priority":"{}""#, PRIORITIES[p]));
        }
        lines.push(format!(
            r#"{{"type":"ticket.updated","id":"e{n}","at":"2026-11-24T09:{n:02}:00Z","ticket":"T-1","by":"agent","changes":{{{changes}}}}}"#,
            n = i + 1
        ));
    }
    lines
}

/// The model's ticket: what the generated rules can see and change.
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    status: usize,
    priority: Option<usize>,
    tags: BTreeSet<u8>,
}

/// S4 as written: the ids (indices) fired, in firing order.
fn model_cycle(triggers: &[Trigger], t: &mut State, baseline: Option<&State>) -> Vec<usize> {
    let mut fired = Vec::new();
    'pass: loop {
        for (i, trig) in triggers.iter().enumerate() {
            if fired.contains(&i) || !trig.matches(t, baseline) {
                continue;
            }
            trig.then.iter().for_each(|a| a.apply(t));
            fired.push(i);
            continue 'pass;
        }
        return fired;
    }
}

/// Net changes as comparable data: (field, from, to) for single fields, sorted, and the
/// added/removed tag sets.
type NetChanges = (
    BTreeSet<(String, Option<String>, Option<String>)>,
    BTreeSet<String>,
    BTreeSet<String>,
);

fn net_changes(changes: &[Change]) -> Result<NetChanges, String> {
    let mut fields = BTreeSet::new();
    let (mut added, mut removed) = (BTreeSet::new(), BTreeSet::new());
    let text =
        |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.as_str().unwrap_or("?").to_string());
    let mut tag_entries = 0;
    for c in changes {
        match c {
            Change::Field { field, from, to } => {
                if !fields.insert((field.clone(), text(from), text(to))) {
                    return Err(format!("field {field} listed twice"));
                }
            }
            Change::Tags {
                added: a,
                removed: r,
            } => {
                tag_entries += 1;
                added.extend(a.iter().cloned());
                removed.extend(r.iter().cloned());
            }
        }
    }
    if tag_entries > 1 {
        return Err("tags listed twice".into());
    }
    Ok((fields, added, removed))
}

fn model_changes(before: Option<&State>, after: &State) -> NetChanges {
    let mut fields = BTreeSet::new();
    let name = |k: &u8| format!("t{k}");
    let empty = BTreeSet::new();
    let old_tags = before.map_or(&empty, |b| &b.tags);
    let added = after.tags.difference(old_tags).map(name).collect();
    let removed = old_tags.difference(&after.tags).map(name).collect();
    let status = |s: usize| Some(STATUSES[s].to_string());
    let priority = |p: Option<usize>| p.map(|p| PRIORITIES[p].to_string());
    match before {
        None => {
            // On create every field set at creation is listed, from null (events.md).
            fields.insert(("channel".to_string(), None, Some("email".to_string())));
            fields.insert(("status".to_string(), None, status(after.status)));
            if after.priority.is_some() {
                fields.insert(("priority".to_string(), None, priority(after.priority)));
            }
        }
        Some(b) => {
            if b.status != after.status {
                fields.insert(("status".to_string(), status(b.status), status(after.status)));
            }
            if b.priority != after.priority {
                fields.insert((
                    "priority".to_string(),
                    priority(b.priority),
                    priority(after.priority),
                ));
            }
        }
    }
    (fields, added, removed)
}

fn engine_state(engine: &Engine) -> Result<State, String> {
    let t = engine.store().get("T-1").ok_or("T-1 is not in the store")?;
    let status = STATUSES
        .iter()
        .position(|s| *s == t.status.as_str())
        .ok_or_else(|| format!("unexpected status {}", t.status.as_str()))?;
    let priority = t
        .priority
        .map(|p| PRIORITIES.iter().position(|s| *s == p.as_str()))
        .map(|p| p.ok_or("unexpected priority"))
        .transpose()?;
    let tags = t
        .tags
        .iter()
        .map(|s| {
            s.strip_prefix('t')
                .and_then(|k| k.parse::<u8>().ok())
                .ok_or_else(|| format!("unexpected tag {s}"))
        })
        .collect::<Result<_, _>>()?;
    Ok(State {
        status,
        priority,
        tags,
    })
}

fn replay(rules: &str, lines: &[String]) -> Result<(Engine, Vec<Step>), String> {
    let sources = [RuleSource {
        name: "cycle.rules".into(),
        text: rules.into(),
    }];
    let (rs, _lints) = compile(&sources, Account::default())
        .map_err(|e| format!("rules do not compile: {e:?}"))?;
    let mut engine = Engine::new(Arc::new(rs));
    let mut steps = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let event = decode_line(line, i + 1).map_err(|e| format!("{e}: {line}"))?;
        steps.push(engine.process(event));
    }
    Ok((engine, steps))
}

/// Checks every law for one case; `Err` says which failed and how.
fn check_case(triggers: &[Trigger], created: &Created, updates: &[Updated]) -> Result<(), String> {
    let rules = rules_text(triggers);
    let lines = event_lines(created, updates);
    let (engine, steps) = replay(&rules, &lines)?;

    // S19: a second engine fed the same events gives identical outcomes.
    let (_, again) = replay(&rules, &lines)?;
    if again != steps {
        return Err("a second engine gave different outcomes (S19)".into());
    }

    // The model, event by event.
    let mut state = State {
        status: 0,
        priority: created.priority,
        tags: created.tags.iter().copied().collect(),
    };
    for (i, step) in steps.iter().enumerate() {
        let o = &step.outcome;
        if o.status != ticket_rules::engine::LineStatus::Ok {
            return Err(format!("line {} not applied: {:?}", i + 1, o.error));
        }
        let [rec] = o.tickets.as_slice() else {
            return Err(format!("line {}: expected one ticket record", i + 1));
        };
        // S4: each trigger at most once, at most N trigger entries.
        let triggers_fired: Vec<&String> = rec
            .fired
            .iter()
            .filter(|f| f.starts_with("trigger:"))
            .collect();
        let distinct: BTreeSet<&&String> = triggers_fired.iter().collect();
        if distinct.len() != triggers_fired.len() {
            return Err(format!(
                "line {}: a trigger fired twice: {:?}",
                i + 1,
                rec.fired
            ));
        }
        if triggers_fired.len() > triggers.len() {
            return Err(format!("line {}: more firings than triggers", i + 1));
        }
        if rec.fired.len() != triggers_fired.len() {
            return Err(format!(
                "line {}: unexpected entries {:?}",
                i + 1,
                rec.fired
            ));
        }

        // The model's cycle for this event.
        let baseline = if i == 0 {
            None
        } else {
            let before = state.clone();
            let u = &updates[i - 1];
            u.add_tags.iter().for_each(|k| {
                state.tags.insert(*k);
            });
            u.remove_tags.iter().for_each(|k| {
                state.tags.remove(k);
            });
            if u.priority.is_some() {
                state.priority = u.priority;
            }
            Some(before)
        };
        let expected: Vec<String> = model_cycle(triggers, &mut state, baseline.as_ref())
            .into_iter()
            .map(|k| format!("trigger:R{k}"))
            .collect();
        if rec.fired != expected {
            return Err(format!(
                "line {}: fired {:?}, the S4 model fires {:?}",
                i + 1,
                rec.fired,
                expected
            ));
        }
        // S10: `changes` are the net changes from the baseline, nothing else.
        let got = net_changes(&rec.changes)?;
        let want = model_changes(baseline.as_ref(), &state);
        if got != want {
            return Err(format!(
                "line {}: changes {got:?}, the model's net changes are {want:?}",
                i + 1
            ));
        }
    }
    let got = engine_state(&engine)?;
    if got != state {
        return Err(format!(
            "final ticket {got:?}, the model ends with {state:?}"
        ));
    }
    Ok(())
}

fn cond() -> impl Strategy<Value = Cond> {
    prop_oneof![
        (0u8..4).prop_map(Cond::TagIncludes),
        (0u8..4).prop_map(Cond::TagExcludes),
        (0usize..4).prop_map(Cond::PriorityIs),
        (0usize..4).prop_map(Cond::PriorityBelow),
        (0usize..3).prop_map(Cond::StatusIs),
        Just(Cond::Created),
        Just(Cond::Updated),
        Just(Cond::PriorityChanged),
        Just(Cond::TagsChanged),
    ]
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        (0u8..4).prop_map(Act::AddTag),
        (0u8..4).prop_map(Act::RemoveTag),
        (0usize..4).prop_map(Act::SetPriority),
        (1usize..3).prop_map(Act::SetStatus),
    ]
}

fn trigger() -> impl Strategy<Value = Trigger> {
    (
        prop::collection::vec(cond(), 1..=3),
        // S3: an optional `when any` block.
        prop::collection::vec(cond(), 0..=2),
        prop::collection::vec(act(), 1..=3),
    )
        .prop_map(|(all, any, then)| Trigger { all, any, then })
}

fn tags() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(0u8..4, 0..=2)
}

fn created() -> impl Strategy<Value = Created> {
    (prop::option::of(0usize..4), tags()).prop_map(|(priority, tags)| Created { priority, tags })
}

fn updated() -> impl Strategy<Value = Updated> {
    (tags(), tags(), prop::option::of(0usize..4)).prop_map(|(add_tags, remove_tags, priority)| {
        Updated {
            add_tags,
            remove_tags,
            priority,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// S4 laws and the S2–S6 model on random rule sets and events. The replay runs on a
    /// watchdog thread, so a cycle that never stops fails the case instead of hanging.
    #[test]
    fn s4_cycle_terminates_fires_each_trigger_once_and_matches_the_model(
        triggers in prop::collection::vec(trigger(), 1..=12),
        created in created(),
        updates in prop::collection::vec(updated(), 0..=4),
    ) {
        let (tx, rx) = mpsc::channel();
        let (t, c, u) = (triggers.clone(), created.clone(), updates.clone());
        std::thread::spawn(move || {
            let _ = tx.send(check_case(&t, &c, &u));
        });
        let result = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| Err("the replay did not return within 30 s (S4: the cycle must terminate)".into()));
        prop_assert!(result.is_ok(), "{}\nrules:\n{}", result.unwrap_err(), rules_text(&triggers));
    }
}

/// The model itself: a later trigger's change wakes an earlier one on the restart (S5),
/// and the baseline does not move on restarts (S6).
#[test]
fn s5_s6_model_restarts_from_the_top_with_a_fixed_baseline() {
    let triggers = vec![
        Trigger {
            all: vec![Cond::TagIncludes(1)],
            any: vec![],
            then: vec![Act::AddTag(2)],
        },
        Trigger {
            all: vec![Cond::Created],
            any: vec![],
            then: vec![Act::AddTag(1)],
        },
        Trigger {
            all: vec![Cond::TagsChanged, Cond::TagIncludes(2)],
            any: vec![],
            then: vec![Act::SetPriority(3)],
        },
    ];
    let created = Created {
        priority: None,
        tags: vec![],
    };
    check_case(&triggers, &created, &[]).expect("engine agrees with the model");
    let mut state = State {
        status: 0,
        priority: None,
        tags: BTreeSet::new(),
    };
    assert_eq!(model_cycle(&triggers, &mut state, None), [1, 0, 2]);
    assert_eq!(state.priority, Some(3));
}
