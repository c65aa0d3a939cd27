//! Deadline-driven automation runs (issues #5 and 8): an hourly run must not test every
//! ticket against every automation, and moving the clock must not cost the hours in
//! between. S11–S17 are unchanged; this only decides which tickets an automation *can*
//! match at a run, and at which runs anything can change at all.
//!
//! Every automation's candidates at a run at `t` (previous run performed at `p`) include
//! the tickets updated since the start of the previous run (their state changed; those
//! updated by the previous run may still match, S15) and those left over when the
//! previous run hit the per-automation limit (S16). Besides, by kind:
//! - **driven**: a calendar-hours condition `hours since X > N` (or `>= N`, `is N`) in
//!   `when all` and no other time condition. It first holds at the run when the ticket's
//!   anchor X is `m` whole hours old (`m = N+1` for `>`, else `N`, S12). The engine keeps
//!   every anchor it needs in a sorted index (anchor time → ticket position); the
//!   candidates add the tickets whose anchor came of age since `p`: anchor in
//!   `(p − m h, t − m h]`.
//! - **timed**: any other time condition (business hours, `hours until`, `within
//!   business_hours`, the window, a second `hours since`, a time condition in `when
//!   any`). Each ticket it was tested on without matching gets a wake-up time: the next
//!   run at which it can match if the ticket does not change ([`super::wake`]); the
//!   candidates add the tickets whose wake-up time has come.
//! - **untimed**: no time condition. Nothing more: its result changes only when the
//!   ticket does ([`Schedule::candidates`] has the argument).
//!
//! A ticket outside these sets was tested at an earlier run in its present state and
//! did not match, and its time conditions cannot have turned true since, so its result
//! then is its result now. The first run, explain mode and the hour-by-hour reference
//! clock test every ticket.
//!
//! [`Schedule::next_due`] gives the next run at which anything can change: the next run
//! when tickets were updated or left over, else the earliest coming of age, wake-up time
//! or 28-day close (S1). The engine performs that run and skips the ones before it, so
//! the cost of moving the clock follows the runs that can change something.
//!
//! Invariant: the schedule owns candidate selection and only narrows which tickets are
//! *tested* and which runs are performed: every ticket an automation matches at a run is
//! among its candidates, every run that would change something is performed, and
//! candidates come in ascending ticket position (creation order), as a full scan would.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Bound;

use jiff::Timestamp;

use crate::check::ir::{Cmp, RuleIr, Since, Test};
use crate::model::{Status, Ticket};

use super::eval::anchor;
use super::wake::run_at_or_after;

/// How an automation's candidates are found, and when it can next match.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    /// The driving anchor and the whole hours `m` at which it first holds.
    driver: Option<(Since, i64)>,
    /// The automation has time-dependent conditions besides the driver.
    other_time: bool,
    /// A `when all` condition on the ticket's own state that must hold (tags, status,
    /// channel): updated tickets are looked up by it.
    pub key: Option<StateKey>,
}

/// A required condition on a ticket's tags, status or channel.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StateKey {
    /// `tags includes a, b`: one of these tags.
    Tags(Vec<String>),
    /// `status is|in …`: one of these status ranks.
    Statuses(Vec<u8>),
    /// `channel is|in …`: one of these channels.
    Channels(Vec<String>),
}

/// The state condition a test requires, if it is one (tags includes / status is|in /
/// channel is|in); shared with the trigger index.
pub(crate) fn state_key(t: &Test) -> Option<StateKey> {
    use crate::check::ir::{Field, Lit};
    match t {
        Test::Tags {
            field: Field::Tags,
            tags,
            include: true,
        } if !tags.is_empty() => Some(StateKey::Tags(tags.clone())),
        Test::Cmp {
            field: Field::Status,
            cmp: Cmp::Eq,
            lits,
        } => lits
            .iter()
            .map(|l| match l {
                Lit::Rank(r) if (*r as usize) < 6 => Some(*r),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(StateKey::Statuses),
        Test::Cmp {
            field: Field::Channel,
            cmp: Cmp::Eq,
            lits,
        } => lits
            .iter()
            .map(|l| match l {
                Lit::Text(s) => Some(s.clone()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(StateKey::Channels),
        _ => None,
    }
}

/// Updated tickets bucketed by the state keys automations use.
#[derive(Debug, Default)]
struct DirtyBuckets {
    by_tag: HashMap<String, Vec<u32>>,
    by_status: [Vec<u32>; 6],
    by_channel: HashMap<String, Vec<u32>>,
    all: Vec<u32>,
}

impl DirtyBuckets {
    /// Files an updated ticket under its tags (those automations key on), status and channel.
    fn add(&mut self, key_tags: &std::collections::HashSet<String>, pos: u32, t: &Ticket) {
        self.all.push(pos);
        self.by_status[t.status as usize].push(pos);
        if let Some(b) = self.by_channel.get_mut(t.channel.as_str()) {
            b.push(pos);
        } else {
            self.by_channel
                .insert(t.channel.as_str().to_string(), vec![pos]);
        }
        for tag in &t.tags {
            if key_tags.contains(tag) {
                self.by_tag.entry(tag.clone()).or_default().push(pos);
            }
        }
    }

    /// The updated tickets that can satisfy `key` (all of them without a key).
    fn select(&self, key: Option<&StateKey>, out: &mut Vec<u32>) {
        match key {
            None => out.extend_from_slice(&self.all),
            Some(StateKey::Tags(tags)) => {
                for t in tags {
                    if let Some(b) = self.by_tag.get(t) {
                        out.extend_from_slice(b);
                    }
                }
            }
            Some(StateKey::Statuses(ss)) => {
                for &s in ss {
                    out.extend_from_slice(&self.by_status[s as usize]);
                }
            }
            Some(StateKey::Channels(cs)) => {
                for c in cs {
                    if let Some(b) = self.by_channel.get(c) {
                        out.extend_from_slice(b);
                    }
                }
            }
        }
    }
}

fn time_dependent(t: &Test) -> bool {
    matches!(
        t,
        Test::HoursSince { .. }
            | Test::HoursUntil { .. }
            | Test::WithinBusinessHours
            | Test::WindowOpen(_)
    )
}

/// Finds the driving condition of an automation.
pub(crate) fn plan(r: &RuleIr) -> Plan {
    let mut driver = None;
    let mut other_time = false;
    // Prefer tags, then status, then channel (most selective first).
    let rank = |k: &StateKey| match k {
        StateKey::Tags(_) => 0,
        StateKey::Statuses(_) => 1,
        StateKey::Channels(_) => 2,
    };
    let key = r
        .all
        .iter()
        .filter(|c| !c.negated)
        .filter_map(|c| state_key(&c.test))
        .min_by_key(rank);
    for c in &r.all {
        match &c.test {
            Test::HoursSince {
                since,
                cmp,
                hours,
                business: false,
            } if !c.negated && matches!(cmp, Cmp::Gt | Cmp::Ge | Cmp::Eq) && driver.is_none() => {
                let m = if *cmp == Cmp::Gt {
                    hours.saturating_add(1)
                } else {
                    *hours
                };
                driver = Some((*since, m));
            }
            t if time_dependent(t) => other_time = true,
            _ => {}
        }
    }
    if r.any.iter().any(|c| time_dependent(&c.test)) {
        other_time = true;
    }
    Plan {
        driver,
        other_time,
        key,
    }
}

impl Plan {
    /// The automation has time conditions that the anchor indexes do not follow (business
    /// hours, `hours until`, `within business_hours`, the window, a second `hours since`,
    /// any time condition without a calendar-hours driver): the schedule keeps, per
    /// ticket, the next run at which it can match ([`super::wake::next_match`]).
    pub fn timed(&self) -> bool {
        self.other_time
    }
}

/// A small key for an anchor kind.
fn kind(s: Since) -> u8 {
    match s {
        Since::Created => 0,
        Since::Updated => 1,
        Since::RequesterUpdate => 2,
        Since::AssigneeUpdate => 3,
        Since::Status(st) => 4 + st as u8,
        Since::Assigned => 11,
        Since::LastEndUserMessage => 12,
    }
}

/// The solved anchor, which the 28-day close (S1) always needs.
pub(crate) const SOLVED: Since = Since::Status(Status::Solved);

/// The engine's automation bookkeeping: anchor indexes, updated tickets, leftovers.
#[derive(Debug, Default)]
pub(crate) struct Schedule {
    /// Anchor kinds indexed, with their index: (anchor seconds, ticket position).
    anchors: Vec<(Since, BTreeSet<(i64, u32)>)>,
    kinds: HashMap<u8, usize>,
    /// Positions of tickets updated since the start of the last run (with repeats).
    dirty: Vec<u32>,
    /// Per automation: candidates left over when the limit was hit at the last run (S16).
    pending: Vec<Vec<u32>>,
    /// The previous run's time.
    last_run: Option<Timestamp>,
    /// Per automation (`None` unless [`Plan::timed`]): the next run at which it can
    /// match each ticket it was tested on without matching.
    wakes: Vec<Option<Wakes>>,
    /// The indexes of the timed automations in `wakes`.
    timed: Vec<usize>,
    /// The anchors (kind, whole hours `m`) of the calendar-driven automations that are
    /// not timed, without repeats.
    driven: Vec<(Since, i64)>,
}

/// Wake-up times of one timed automation: ticket position → run time (unix seconds), and
/// the same ordered by time.
#[derive(Debug, Default)]
struct Wakes {
    by_pos: HashMap<u32, i64>,
    queue: BTreeSet<(i64, u32)>,
}

impl Wakes {
    fn remove(&mut self, pos: u32) {
        if let Some(at) = self.by_pos.remove(&pos) {
            self.queue.remove(&(at, pos));
        }
    }

    /// Removes and appends to `out` every position due at or before `at`.
    fn take_due(&mut self, at: i64, out: &mut Vec<u32>) {
        while let Some(&(t, pos)) = self.queue.first() {
            if t > at {
                break;
            }
            self.queue.pop_first();
            self.by_pos.remove(&pos);
            out.push(pos);
        }
    }
}

/// Candidate selection while one run goes on: the run time, the previous run's, and the
/// tickets updated since the previous run started (then also those this run updates),
/// bucketed by the state automations key on.
#[derive(Debug)]
pub(crate) struct RunCandidates {
    at: Timestamp,
    prev: Option<Timestamp>,
    updated: DirtyBuckets,
}

impl RunCandidates {
    /// Records that this run updated the ticket at `pos`: later automations of the run
    /// take it as a candidate (S15).
    pub fn updated(&mut self, key_tags: &HashSet<String>, pos: u32, t: &Ticket) {
        self.updated.add(key_tags, pos, t);
    }
}

impl Schedule {
    /// Bookkeeping for the anchors `plans` need (plus the solved anchor).
    pub fn new(plans: &[Plan]) -> Self {
        let mut s = Schedule {
            pending: vec![Vec::new(); plans.len()],
            wakes: plans
                .iter()
                .map(|p| p.timed().then(Wakes::default))
                .collect(),
            ..Default::default()
        };
        s.timed = (0..plans.len()).filter(|&i| plans[i].timed()).collect();
        for p in plans.iter().filter(|p| !p.timed()) {
            if let Some(d) = p.driver {
                if !s.driven.contains(&d) {
                    s.driven.push(d);
                }
            }
        }
        for since in plans
            .iter()
            .filter_map(|p| p.driver.map(|d| d.0))
            .chain([SOLVED])
        {
            if let std::collections::hash_map::Entry::Vacant(e) = s.kinds.entry(kind(since)) {
                e.insert(s.anchors.len());
                s.anchors.push((since, BTreeSet::new()));
            }
        }
        s
    }

    /// Starts the run at `at` over `len` tickets (`ticket_at` gives the ticket at a
    /// position; `key_tags` are the tags automations key on). On the first run every
    /// ticket counts as updated: nothing is known about it yet.
    pub fn start_run<'t>(
        &mut self,
        at: Timestamp,
        len: usize,
        ticket_at: impl Fn(u32) -> Option<&'t Ticket>,
        key_tags: &HashSet<String>,
    ) -> RunCandidates {
        let prev = self.last_run.replace(at);
        let mut positions = std::mem::take(&mut self.dirty);
        if prev.is_none() {
            positions = (0..len as u32).collect();
        }
        positions.sort_unstable();
        positions.dedup();
        let mut updated = DirtyBuckets::default();
        for p in positions {
            if let Some(t) = ticket_at(p) {
                updated.add(key_tags, p, t);
            }
        }
        RunCandidates { at, prev, updated }
    }

    /// Positions of the tickets solved at or before `limit` and not closed (S1's 28-day
    /// close), ascending.
    pub fn solved_by(&self, limit: Timestamp) -> Vec<u32> {
        let mut due = Vec::new();
        self.anchored(SOLVED, None, limit.as_second(), &mut due);
        due.sort_unstable();
        due
    }

    /// The candidates of automation `ai` (planned as `plan`) at the run, ascending and
    /// without repeats, into `out`; takes the automation's leftovers of the previous run
    /// and, for a timed automation, the tickets due to wake up (the caller gives each
    /// candidate that does not match a new wake-up time, [`Schedule::wake`]). With
    /// `scan_all` (explain mode, the hour-by-hour reference) every one of the `len`
    /// tickets.
    ///
    /// Besides the updated tickets and the leftovers:
    /// - a calendar-driven automation takes the anchors that came of age since the
    ///   previous run (module docs);
    /// - a timed one takes the tickets whose wake-up time has come;
    /// - one without any time condition takes nothing more. Its conditions read only the
    ///   ticket's state (an automation update's `changed` is false, `update.via` is
    ///   `automation`), so its result on a ticket changes only when the ticket does. A
    ///   ticket that is not among the updated ones was tested, in its present state, at
    ///   the first run after its last update (every run with updated tickets is
    ///   performed, [`Schedule::next_due`]) — and did not match, or it would have been
    ///   updated again or left over (S16). So it does not match now either.
    pub fn candidates(
        &mut self,
        run: &RunCandidates,
        ai: usize,
        plan: &Plan,
        scan_all: bool,
        len: usize,
        out: &mut Vec<u32>,
    ) {
        out.clear();
        let leftovers = self.pending.get_mut(ai).map(std::mem::take);
        if scan_all {
            out.extend(0..len as u32);
        } else {
            match (plan.driver, self.wakes.get_mut(ai)) {
                (_, Some(Some(w))) => w.take_due(run.at.as_second(), out),
                (Some((since, m)), _) => {
                    let hi = run.at.as_second().saturating_sub(m.saturating_mul(3600));
                    // Only anchors that came of age since the previous run are new. (On
                    // the first run every ticket is among the updated ones.)
                    if let Some(p) = run.prev {
                        let lo = p.as_second().saturating_sub(m.saturating_mul(3600));
                        self.anchored(since, Some(lo), hi, out);
                    }
                }
                _ => {}
            }
            out.extend(leftovers.into_iter().flatten());
            run.updated.select(plan.key.as_ref(), out);
            out.sort_unstable();
            out.dedup();
        }
        // Every candidate gets a new wake-up time once tested.
        if let Some(Some(w)) = self.wakes.get_mut(ai) {
            for &pos in out.iter() {
                w.remove(pos);
            }
        }
    }

    /// Sets when timed automation `ai` can next match the ticket at `pos` (`None`: not
    /// until the ticket changes). No effect for other automations.
    pub fn wake(&mut self, ai: usize, pos: u32, at: Option<Timestamp>) {
        if let Some(Some(w)) = self.wakes.get_mut(ai) {
            w.remove(pos);
            if let Some(at) = at {
                let at = at.as_second();
                w.by_pos.insert(pos, at);
                w.queue.insert((at, pos));
            }
        }
    }

    /// The first run time (unix seconds) at or after `from` (a run time) at which a run
    /// can change something, or `None` if none can while no event comes; runs are at
    /// minute `minute` of each UTC hour (S18). A run can change something only if:
    /// - it is the first run, or tickets were updated since the previous run, or some
    ///   were left over by the limit (S16): `from` itself;
    /// - a calendar-driven automation's anchor comes of age (its first run with
    ///   `hours since X ≥ m`);
    /// - a timed automation's wake-up time comes;
    /// - a solved ticket reaches its 28-day close (S1; `close_after` seconds).
    ///
    /// Every other run tests only tickets that did not match at an earlier run in the
    /// same state ([`Schedule::candidates`]), so it changes nothing and leaves the
    /// schedule as it found it: skipping it changes no output (S19).
    pub fn next_due(&self, from: i64, minute: u8, close_after: i64) -> Option<i64> {
        if self.last_run.is_none()
            || !self.dirty.is_empty()
            || self.pending.iter().any(|p| !p.is_empty())
        {
            return Some(from);
        }
        let mut due: Option<i64> = None;
        let mut consider = |t: i64| {
            let t = run_at_or_after(t, minute).max(from);
            due = Some(due.map_or(t, |d| d.min(t)));
        };
        let prev = self.last_run.map_or(i64::MIN, |p| p.as_second());
        for &(since, m) in &self.driven {
            let age = m.saturating_mul(3600);
            let lo = prev.saturating_sub(age);
            if let Some(&(a, _)) = self.index(since).and_then(|set| {
                set.range((Bound::Excluded((lo, u32::MAX)), Bound::Unbounded))
                    .next()
            }) {
                consider(a.saturating_add(age));
            }
        }
        for w in self.wakes.iter().flatten() {
            if let Some(&(t, _)) = w.queue.first() {
                consider(t);
            }
        }
        if let Some(&(s, _)) = self.index(SOLVED).and_then(|set| set.first()) {
            consider(s.saturating_add(close_after));
        }
        due
    }

    fn index(&self, since: Since) -> Option<&BTreeSet<(i64, u32)>> {
        self.kinds
            .get(&kind(since))
            .and_then(|&i| self.anchors.get(i))
            .map(|(_, set)| set)
    }

    /// Remembers a ticket that still matched automation `ai` when the run hit the
    /// per-automation limit: a candidate of the next run (S16).
    pub fn defer(&mut self, ai: usize, pos: u32) {
        if let Some(p) = self.pending.get_mut(ai) {
            p.push(pos);
        }
    }

    fn key(since: Since, t: &Ticket) -> Option<i64> {
        if t.status == Status::Closed {
            return None;
        }
        anchor(since, t).map(|a| a.as_second())
    }

    /// Records that the ticket at `pos` changed from `before` to `after`: it is a
    /// candidate of the next run, and its wake-up times no longer hold.
    pub fn update(&mut self, pos: u32, before: Option<&Ticket>, after: &Ticket) {
        for &i in &self.timed {
            if let Some(Some(w)) = self.wakes.get_mut(i) {
                w.remove(pos);
            }
        }
        for (since, set) in &mut self.anchors {
            let old = before.and_then(|b| Self::key(*since, b));
            let new = Self::key(*since, after);
            if old != new {
                if let Some(o) = old {
                    set.remove(&(o, pos));
                }
                if let Some(n) = new {
                    set.insert((n, pos));
                }
            }
        }
        self.dirty.push(pos);
    }

    /// Positions whose `since` anchor (in seconds) lies in `(lo, hi]` (`lo = None`: no
    /// lower bound), appended to `out`.
    fn anchored(&self, since: Since, lo: Option<i64>, hi: i64, out: &mut Vec<u32>) {
        let Some(set) = self.index(since) else {
            return;
        };
        let lower = match lo {
            Some(l) => Bound::Excluded((l, u32::MAX)),
            None => Bound::Unbounded,
        };
        if lo.is_some_and(|l| l >= hi) {
            return;
        }
        out.extend(
            set.range((lower, Bound::Included((hi, u32::MAX))))
                .map(|&(_, p)| p),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Channel;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn candidates_are_ascending_once_each_and_take_the_leftovers() {
        // `hours since created > 1`: first holds 2 whole hours after creation.
        let plan = Plan {
            driver: Some((Since::Created, 2)),
            other_time: false,
            key: None,
        };
        let mut s = Schedule::new(std::slice::from_ref(&plan));
        let tickets = [
            Ticket::new("T-1", Channel::Email, ts("2026-11-24T09:30:00Z")),
            Ticket::new("T-2", Channel::Email, ts("2026-11-24T08:30:00Z")),
            Ticket::new("T-3", Channel::Email, ts("2026-11-24T07:30:00Z")),
        ];
        for (pos, t) in tickets.iter().enumerate() {
            s.update(pos as u32, None, t);
        }
        let key_tags = HashSet::new();
        let at = |p: u32| tickets.get(p as usize);
        let mut out = Vec::new();

        // The first run: every ticket counts as updated.
        let run = s.start_run(ts("2026-11-24T10:00:00Z"), 3, at, &key_tags);
        s.candidates(&run, 0, &plan, false, 3, &mut out);
        assert_eq!(out, [0, 1, 2]);
        s.defer(0, 2);
        s.defer(0, 2);

        // The next run: T-2 came of age (08:30 + 2 h ≤ 11:00), T-3 is a leftover; both
        // once, in creation order. Nothing was updated in between.
        let run = s.start_run(ts("2026-11-24T11:00:00Z"), 3, at, &key_tags);
        s.candidates(&run, 0, &plan, false, 3, &mut out);
        assert_eq!(out, [1, 2]);

        // The leftovers were taken: the run after has only T-1 coming of age.
        let run = s.start_run(ts("2026-11-24T12:00:00Z"), 3, at, &key_tags);
        s.candidates(&run, 0, &plan, false, 3, &mut out);
        assert_eq!(out, [0]);
        // Explain mode (and undriven automations) test every ticket.
        s.candidates(&run, 0, &plan, true, 3, &mut out);
        assert_eq!(out, [0, 1, 2]);
    }

    #[test]
    fn solved_by_lists_solved_tickets_ascending_and_forgets_closed_ones() {
        let mut s = Schedule::new(&[]);
        let mut a = Ticket::new("T-1", Channel::Email, ts("2026-10-01T00:00:00Z"));
        a.status = Status::Solved;
        a.status_changed_at = ts("2026-10-02T00:00:00Z");
        a.solved_at = Some(ts("2026-10-02T00:00:00Z"));
        let mut b = a.clone();
        b.id = "T-2".into();
        b.status_changed_at = ts("2026-10-01T00:00:00Z");
        b.solved_at = Some(ts("2026-10-01T00:00:00Z"));
        s.update(0, None, &a);
        s.update(1, None, &b);
        assert_eq!(s.solved_by(ts("2026-10-03T00:00:00Z")), [0, 1]);
        assert_eq!(s.solved_by(ts("2026-10-01T12:00:00Z")), [1]);
        let mut closed = b.clone();
        closed.status = Status::Closed;
        s.update(1, Some(&b), &closed);
        assert_eq!(s.solved_by(ts("2026-10-03T00:00:00Z")), [0]);
    }
}
