//! When an automation can next match a ticket that does not change (S11–S14): the
//! look-ahead that lets the replay clock jump over empty hours.
//!
//! Between two updates of a ticket, everything an automation's conditions read is fixed
//! except the run time `now`: a condition without time (tags, status, fields, `update.via`
//! — always `automation` — and `changed`, which is false before an automation acts, S6)
//! keeps its value, and each time condition is a simple function of `now`:
//! - `hours since X` (calendar or business) never decreases as `now` grows, `hours until`
//!   never increases; comparing it with `N` (`>`, `>=`, `is`, `<`, `<=`, `is not`, with
//!   or without `not`) can only change value where it reaches `N` or `N + 1` (`N - 1`
//!   for `hours until`), instants computed exactly ([`Calendar`] for business hours);
//! - `within business_hours` changes only at the schedule's opening and closing instants
//!   ([`Calendar::next_change`]);
//! - the WhatsApp window (W2) only closes.
//!
//! [`next_match`] walks forward from a run: at each candidate run it evaluates every
//! condition exactly; if the rule does not match, it moves to the latest of the instants
//! at which each false `when all` condition (or the `when any` block) can next be true —
//! no run before that can match — and tries again. A condition that cannot become true
//! again ends the walk: the automation cannot match this ticket until it changes.
//!
//! Invariant: the answer is never later than the first run at which the rule matches the
//! unchanged ticket (it may be earlier: the engine then tests, finds no match and asks
//! again); `None` only when no later run can match it.
//!
//! [`Calendar`]: super::calendar::Calendar
//! [`Calendar::next_change`]: super::calendar::Calendar::next_change

use jiff::Timestamp;

use crate::check::ir::{Cmp, Cond, Role, RuleIr, Test, Until};
use crate::guards;
use crate::model::Ticket;

use super::eval::{self, anchor, Update};
use super::ruleset::RuleSet;

/// Candidate runs [`next_match`] tries before it answers with the last one (a valid
/// lower bound): bounds the work of rules whose time conditions rarely agree.
const MAX_STEPS: usize = 64;

const HOUR: i64 = 3600;

/// The first run time (unix seconds) at or after `secs` at minute `minute` (0–59) of a
/// UTC hour (S18).
pub(crate) fn run_at_or_after(secs: i64, minute: u8) -> i64 {
    let m = i64::from(minute.min(59)) * 60;
    secs.saturating_add((m - secs).rem_euclid(HOUR))
}

/// A lower bound on the first automation run at or after `from` (a run time) at which
/// `rule` matches `ticket` if the ticket does not change; `None` when no run can.
/// Runs are at minute `rs.account.automation_minute` of each UTC hour (S18).
pub(crate) fn next_match(
    rule: &RuleIr,
    ticket: &Ticket,
    from: Timestamp,
    rs: &RuleSet,
) -> Option<Timestamp> {
    let minute = rs.account.automation_minute;
    let mut probe = Update {
        created: false,
        via: "automation".into(),
        role: Role::System,
        comment: None,
        message: None,
        now: from,
        baseline: None,
        explain: false,
    };
    let mut at = from;
    for _ in 0..MAX_STEPS {
        probe.now = at;
        // The latest instant at which a false part of the rule can next be true.
        let mut next = at.as_second();
        let mut matched = true;
        for c in &rule.all {
            if !eval::eval_cond(c, ticket, &probe, rs) {
                matched = false;
                next = next.max(next_true(c, ticket, at, rs)?);
            }
        }
        if !rule.any.is_empty()
            && !rule
                .any
                .iter()
                .any(|c| eval::eval_cond(c, ticket, &probe, rs))
        {
            matched = false;
            let soonest = rule
                .any
                .iter()
                .filter_map(|c| next_true(c, ticket, at, rs))
                .min()?;
            next = next.max(soonest);
        }
        if matched {
            return Some(at);
        }
        let run = run_at_or_after(next.max(at.as_second().saturating_add(1)), minute);
        at = Timestamp::from_second(run).ok()?;
    }
    Some(at)
}

/// For a condition that is false at `at`: a lower bound (unix seconds, after `at`) on
/// the first instant at which it can be true with the ticket unchanged; `None` if never.
fn next_true(c: &Cond, t: &Ticket, at: Timestamp, rs: &RuleSet) -> Option<i64> {
    // The condition's value for an hour count `h`, `not` included.
    let holds = |cmp: Cmp, n: i64, h: i64| cmp.holds(h.cmp(&n)) != c.negated;
    let now = at.as_second();
    match &c.test {
        Test::HoursSince {
            since,
            cmp,
            hours,
            business,
        } => {
            let a = anchor(*since, t)?;
            // The count only grows: it can next make the comparison true where it
            // reaches `hours` or `hours + 1` (values above behave alike, S12).
            let (n, cmp) = (*hours, *cmp);
            if *business {
                let cal = rs.calendar_for(t);
                let start = a.max(at);
                let cur = cal.business_seconds_between(a, at);
                let h0 = cur.div_euclid(HOUR);
                let k = [n, n.saturating_add(1)]
                    .into_iter()
                    .find(|&k| k > h0 && holds(cmp, n, k))?;
                let need = k.checked_mul(HOUR)?.checked_sub(cur)?;
                cal.instant_after_business_seconds(start, need)
                    .map(|s| s.as_second())
            } else {
                let a = a.as_second();
                let h0 = (now - a).div_euclid(HOUR);
                let k = [n, n.saturating_add(1)]
                    .into_iter()
                    .find(|&k| k > h0 && holds(cmp, n, k))?;
                a.checked_add(k.checked_mul(HOUR)?)
            }
        }
        Test::HoursUntil {
            until,
            cmp,
            hours,
            business,
        } => {
            let d = match until {
                Until::Due => t.due_at,
                Until::SlaBreach => t.sla_breach_at,
            }?;
            // The count only shrinks: it can next make the comparison true where it
            // falls to `hours` or `hours - 1`.
            let (n, cmp) = (*hours, *cmp);
            if *business {
                let cal = rs.calendar_for(t);
                let (h0, cur) = if d >= at {
                    let cur = cal.business_seconds_between(at, d);
                    (cur.div_euclid(HOUR), cur)
                } else {
                    let cur = cal.business_seconds_between(d, at);
                    (-cur.div_euclid(HOUR), cur)
                };
                let k = [n, n.saturating_sub(1)]
                    .into_iter()
                    .find(|&k| k < h0 && holds(cmp, n, k))?;
                let reached = if k >= 0 {
                    // Before the due time: when fewer than (k + 1) business hours are left.
                    let left = k.checked_add(1)?.checked_mul(HOUR)?;
                    cal.instant_after_business_seconds(at, cur.checked_sub(left)? + 1)
                } else if d >= at {
                    // After it: when -k business hours have passed since it.
                    cal.instant_after_business_seconds(d, k.checked_neg()?.checked_mul(HOUR)?)
                } else {
                    let need = k.checked_neg()?.checked_mul(HOUR)?.checked_sub(cur)?;
                    cal.instant_after_business_seconds(at, need)
                };
                reached.map(|s| s.as_second())
            } else {
                let d = d.as_second();
                let h0 = (d - now).div_euclid(HOUR);
                let k = [n, n.saturating_sub(1)]
                    .into_iter()
                    .find(|&k| k < h0 && holds(cmp, n, k))?;
                // floor((d - t) / 1h) <= k from t = d - (k + 1) h + 1 s on.
                d.checked_sub(k.checked_add(1)?.checked_mul(HOUR)?)?
                    .checked_add(1)
            }
        }
        // False now: it becomes true where the schedule next opens or closes.
        Test::WithinBusinessHours => rs.calendar_for(t).next_change(at).map(|s| s.as_second()),
        Test::WindowOpen(open) => {
            // True when the window's state is `open != not`; a window only closes.
            let want_open = *open != c.negated;
            match guards::window(t.last_end_user_message_at, at) {
                guards::Window::Open { closes_at } if !want_open => Some(closes_at.as_second()),
                _ => None,
            }
        }
        // Everything else reads only the ticket and this automation update: fixed.
        _ => None,
    }
}

#[cfg(test)]
mod tests;
