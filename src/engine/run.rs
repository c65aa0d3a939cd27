//! One hourly automation run on the replay clock: the 28-day close (S1), then every
//! automation in file order over its candidates (S11–S17), merged per ticket.
//!
//! Invariant: a run reports each ticket it updated once ([`RunRecord`]), with net changes
//! against the ticket at the start of the run (S10), in ticket creation order; which
//! tickets are tested is the [`Schedule`](super::schedule::Schedule)'s decision, which
//! never changes which tickets match.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use crate::check::ir::{Role, RuleIr};
use crate::guards::SendSource;
use crate::model::{Status, Ticket};

use super::changes::{diff, Key};
use super::eval::{self, Update};
use super::outcome::{AutomationRun, RuleTrace, TicketOutcome};
use super::ruleset::RuleSet;
use super::schedule::RunCandidates;
use super::store::TicketStore;
use super::update::{Finished, IdScheme, Work};
use super::wake::next_match;
use super::{Engine, CLOSE_AFTER_SOLVED_DAYS};

/// The rule id a 28-day close is reported under (S1).
const CLOSE_RULE: &str = "system:close-after-28-days";

/// One ticket's share of an automation run: every update the run made to it, merged, and
/// diffed once against the ticket at the start of the run (S10, S15).
struct RunRecord {
    /// The ticket at the start of the run.
    before: Ticket,
    /// Rules fired, messages, notices and warnings, in the order they happened.
    outcome: TicketOutcome,
    /// Fields touched, in first-touched order.
    touched: Vec<Key>,
    /// Tags added or removed, in the order applied.
    tag_order: Vec<String>,
    /// The ticket's outbound-id counter in this run (`auto:<at>:<ticket>:<n>`).
    counter: usize,
}

impl RunRecord {
    fn new(before: Ticket) -> Self {
        RunRecord {
            outcome: TicketOutcome {
                ticket: before.id.clone(),
                ..Default::default()
            },
            before,
            touched: Vec::new(),
            tag_order: Vec::new(),
            counter: 0,
        }
    }

    /// Adds one automation's update of the ticket (explain traces are kept apart) and
    /// gives back the ticket after it.
    fn merge(&mut self, f: Finished) -> Ticket {
        let o = f.outcome;
        self.counter = f.counter;
        self.outcome.redactions += o.redactions;
        self.outcome.fired.extend(o.fired);
        self.outcome.messages.extend(o.messages);
        self.outcome.notices.extend(o.notices);
        self.outcome.warnings.extend(o.warnings);
        for k in f.touched {
            if !self.touched.contains(&k) {
                self.touched.push(k);
            }
        }
        self.tag_order.extend(f.tag_order);
        f.ticket
    }

    /// The ticket's record of the run: its net changes up to `after`, with `explain`.
    fn into_outcome(self, after: Option<&Ticket>, explain: Vec<RuleTrace>) -> TicketOutcome {
        let mut o = self.outcome;
        o.explain = explain;
        if let Some(after) = after {
            o.changes = diff(Some(&self.before), after, &self.touched, &self.tag_order);
        }
        o
    }
}

/// One run while it goes on.
struct Run {
    at: Timestamp,
    /// `at` as text, for outbound ids.
    at_text: String,
    /// How automations see a ticket before acting: the baseline is the ticket itself
    /// (S6), so it is cloned only for tickets that match.
    probe: Update,
    candidates: RunCandidates,
    records: Vec<RunRecord>,
    /// Ticket id → index in `records`.
    index: HashMap<String, usize>,
    /// With explain on: per ticket id, every rule considered.
    traces: HashMap<String, Vec<RuleTrace>>,
}

impl Run {
    /// The record of ticket `t`'s id, created with `t` as the start of the run.
    fn record(&mut self, t: &Ticket) -> &mut RunRecord {
        let slot = match self.index.get(&t.id) {
            Some(&slot) => slot,
            None => {
                self.index.insert(t.id.clone(), self.records.len());
                self.records.push(RunRecord::new(t.clone()));
                self.records.len() - 1
            }
        };
        &mut self.records[slot]
    }
}

impl<S: TicketStore> Engine<S> {
    /// One hourly automation run at `at` (S11–S17) plus the 28-day close (S1). Returns
    /// `None` when no ticket was updated.
    pub(super) fn automation_run(&mut self, at: Timestamp) -> Option<AutomationRun> {
        self.runs_performed += 1;
        let rs = Arc::clone(&self.rules);
        let store = &self.store;
        let candidates = self.schedule.start_run(
            at,
            store.len(),
            |p| store.ticket_at(p as usize),
            &rs.automation_key_tags,
        );
        let mut run = Run {
            at,
            at_text: at.to_string(),
            probe: Update {
                created: false,
                via: "automation".into(),
                role: Role::System,
                comment: None,
                message: None,
                now: at,
                baseline: None,
                explain: self.explain,
            },
            candidates,
            records: Vec::new(),
            index: HashMap::new(),
            traces: HashMap::new(),
        };
        self.close_solved(&mut run);
        let mut scratch = Vec::new();
        for (ai, auto) in rs.automations.iter().enumerate() {
            self.run_automation(&rs, ai, auto, &mut run, &mut scratch);
        }
        if run.records.is_empty() {
            return None;
        }
        let mut tickets: Vec<TicketOutcome> = run
            .records
            .into_iter()
            .map(|r| {
                let explain = run.traces.remove(&r.before.id).unwrap_or_default();
                let after = self.store.get(&r.before.id);
                r.into_outcome(after, explain)
            })
            .collect();
        tickets.sort_by_key(|o| self.store.position(&o.ticket).unwrap_or(usize::MAX));
        Some(AutomationRun { at, tickets })
    }

    /// S1: tickets solved [`CLOSE_AFTER_SOLVED_DAYS`] days before the run close, without
    /// triggers.
    fn close_solved(&mut self, run: &mut Run) {
        let close_after = SignedDuration::from_hours(24 * CLOSE_AFTER_SOLVED_DAYS);
        let Ok(limit) = run.at.checked_sub(close_after) else {
            return;
        };
        for pos in self.schedule.solved_by(limit) {
            let Some(before) = self.store.ticket_at(pos as usize) else {
                continue;
            };
            let mut t = before.clone();
            let rec = run.record(before);
            rec.outcome.fired.push(CLOSE_RULE.into());
            rec.touched.push(Key::Status);
            t.status = Status::Closed;
            t.status_changed_at = run.at;
            t.updated_at = run.at;
            self.save(t);
        }
    }

    /// Automation `ai` over its candidates: each matching ticket is updated (actions,
    /// then triggers, S15) until the per-automation limit; the matching rest wait for a
    /// later run (S16).
    fn run_automation(
        &mut self,
        rs: &RuleSet,
        ai: usize,
        auto: &RuleIr,
        run: &mut Run,
        candidates: &mut Vec<u32>,
    ) {
        let limit = rs.account.automation_ticket_limit as usize;
        let per_ticket = rs.account.automation_updates_per_ticket;
        let Some(plan) = rs.automation_plans.get(ai) else {
            return;
        };
        self.schedule.candidates(
            &run.candidates,
            ai,
            plan,
            self.explain || self.hour_by_hour,
            self.store.len(),
            candidates,
        );
        // A timed automation's candidates that do not match wake up again at the next
        // run at which they can (none for closed tickets or those at the S16 limit).
        let timed = plan.timed();
        let next_run = run.at.checked_add(SignedDuration::from_hours(1)).ok();
        let mut updated = 0usize;
        for (ci, &pos) in candidates.iter().enumerate() {
            if updated >= limit {
                // S16: the rest are picked up in later runs while they still match.
                for &p in candidates.iter().skip(ci) {
                    if let Some(t) = self.store.ticket_at(p as usize) {
                        if t.status != Status::Closed && t.automation_updates < per_ticket {
                            if eval::rule_matches(auto, t, &run.probe, rs) {
                                self.schedule.defer(ai, p);
                            } else if timed {
                                let wake = next_run.and_then(|n| next_match(auto, t, n, rs));
                                self.schedule.wake(ai, p, wake);
                            }
                        }
                    }
                }
                break;
            }
            let Some(t) = self.store.ticket_at(pos as usize) else {
                continue;
            };
            if t.status == Status::Closed || t.automation_updates >= per_ticket {
                continue;
            }
            if self.explain {
                run.traces
                    .entry(t.id.clone())
                    .or_default()
                    .push(eval::trace(auto, t, &run.probe, rs));
            }
            if !eval::rule_matches(auto, t, &run.probe, rs) {
                if timed {
                    let wake = next_run.and_then(|n| next_match(auto, t, n, rs));
                    self.schedule.wake(ai, pos, wake);
                }
                continue;
            }
            updated += 1;
            let upd = Update {
                baseline: Some(t.clone()),
                ..run.probe.clone()
            };
            let t = t.clone();
            let counter = run.record(&t).counter;
            let mut w = Work::new(
                rs,
                t,
                upd,
                IdScheme::Automation(run.at_text.clone()),
                counter,
            );
            let src = auto.id();
            w.fire(src.clone());
            for a in &auto.actions {
                w.act(a, &src, SendSource::Automation);
            }
            w.stamp(run.at, Role::System);
            w.count_automation_update();
            w.run_triggers();
            let mut f = w.into_parts();
            if self.explain {
                run.traces
                    .entry(f.ticket.id.clone())
                    .or_default()
                    .append(&mut f.outcome.explain);
            }
            run.candidates
                .updated(&rs.automation_key_tags, pos, &f.ticket);
            let after = run.record(&f.ticket).merge(f);
            self.save(after);
        }
    }
}
