//! Business-hours calendars (rules-semantics.md S14; whole hours per S12).
//!
//! A [`Calendar`] is a compiled [`ScheduleDef`]: a time zone, opening intervals per
//! weekday in civil (wall-clock) time, and closed holidays. It answers `within
//! business_hours` ([`Calendar::is_open`]) and counts business time between two instants
//! ([`Calendar::business_seconds_between`], [`Calendar::business_hours_between`]). For
//! the automation clock, which jumps from deadline to deadline, it also looks ahead: the
//! instant when enough business time will have passed
//! ([`Calendar::instant_after_business_seconds`]) and when `is_open` next changes
//! ([`Calendar::next_change`]).
//!
//! ## From wall clock to instants (daylight saving)
//! Each day's interval `HH:MM-HH:MM` is turned into the real instants at which the
//! schedule's wall clock **first reaches** its start and its end:
//! - normally that is the one instant showing that civil time, so a `09:00-18:00` day is
//!   9 real hours whatever the offset (DST never gains or loses hours, S14);
//! - in a **gap** (spring forward, e.g. New York 2026-03-08 02:00→03:00) a time that
//!   does not exist is first reached at the transition: `00:00-04:00` lasts 3 real
//!   hours that day, and `02:30-05:00` opens at 03:00 EDT (2 hours);
//! - in a **fold** (fall back, e.g. New York 2026-11-01 02:00→01:00) a time that occurs
//!   twice is first reached at its earlier occurrence: `00:00-04:00` lasts 5 real hours,
//!   `01:30-03:00` runs from 01:30 EDT to 03:00 EST (2.5 hours), and `00:00-01:30`
//!   closes at the first 01:30 (the repeated 01:00–01:30 is closed).
//!
//! This map is monotone, so intervals of different days never overlap and the counts
//! are additive. `24:00` as an end means midnight at the start of the next day.
//!
//! ## Precision and cost
//! Instants are taken to the whole second (sub-second parts are floored), so counts are
//! exact integers and `from..mid + mid..to == from..to` holds for any instants. Counting
//! walks the civil days of the span (plus one day either side), a few time-zone lookups
//! per interval: O(days × intervals per day), about a microsecond per day — a year is
//! well under a millisecond. [`Calendar::always_open`] counts in O(1).
//!
//! Invariant: a compiled calendar is immutable and never fails: `is_open` and the counts
//! are pure functions of the instants, exact in whole seconds and additive.

use std::collections::BTreeSet;

use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::Timestamp;

use crate::model::ScheduleDef;

/// Minutes in a civil day; an interval end of `24:00` is `MINUTES_PER_DAY`.
const MINUTES_PER_DAY: u16 = 24 * 60;

/// Civil days [`Calendar::next_change`] looks ahead before it answers with a lower bound.
pub const SCAN_DAYS: u32 = 400;

/// Weekday keys of `weekly`, Monday first (index = Monday-zero offset).
const WEEKDAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// An error compiling a schedule (S14). Messages name the schedule and the bad text.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum CalendarError {
    /// The schedule's `timezone` is not an IANA time zone known to the bundled database.
    #[error("schedule `{schedule}`: unknown time zone `{timezone}` (use an IANA name such as `Asia/Seoul`)")]
    UnknownTimeZone {
        /// Schedule name.
        schedule: String,
        /// The time-zone text as written.
        timezone: String,
    },
    /// A `weekly` key that is not `mon` … `sun`.
    #[error("schedule `{schedule}`: unknown weekday `{key}` in `weekly` (use mon, tue, wed, thu, fri, sat, sun)")]
    BadWeekday {
        /// Schedule name.
        schedule: String,
        /// The key as written.
        key: String,
    },
    /// Opening hours that are not `HH:MM-HH:MM[,HH:MM-HH:MM…]` with start < end.
    #[error("schedule `{schedule}`, `{day}`: bad opening hours `{text}`: {problem}")]
    BadInterval {
        /// Schedule name.
        schedule: String,
        /// Weekday key (`mon` …).
        day: String,
        /// The offending interval text (one comma-separated item).
        text: String,
        /// What is wrong, and the expected shape.
        problem: String,
    },
}

/// A compiled business-hours calendar (S14): time zone, per-weekday sorted disjoint
/// intervals of civil minutes `[start, end)` (end ≤ 24:00), and closed holiday dates.
#[derive(Debug, Clone)]
pub struct Calendar {
    tz: TimeZone,
    /// Index 0 = Monday. Sorted, non-overlapping, non-empty intervals, minutes of day.
    weekly: [Vec<(u16, u16)>; 7],
    holidays: BTreeSet<Date>,
    /// 24/7 without holidays: counts are `to - from`.
    always: bool,
}

impl Calendar {
    /// Compiles a schedule (S14).
    ///
    /// `weekly` maps `mon` … `sun` to comma-separated `HH:MM-HH:MM` intervals (hours
    /// 0–23, minutes 00–59, end may be `24:00`, start < end, spaces around items
    /// allowed; an empty string or a missing day is closed). Overlapping or touching
    /// intervals of one day are merged. `holidays` are closed all day (civil dates in
    /// the schedule's zone).
    ///
    /// # Errors
    /// [`CalendarError::UnknownTimeZone`], [`CalendarError::BadWeekday`],
    /// [`CalendarError::BadInterval`]; each names the schedule and the bad text.
    pub fn from_schedule(def: &ScheduleDef) -> Result<Calendar, CalendarError> {
        let tz =
            TimeZone::get(def.timezone.trim()).map_err(|_| CalendarError::UnknownTimeZone {
                schedule: def.name.clone(),
                timezone: def.timezone.clone(),
            })?;
        let mut weekly: [Vec<(u16, u16)>; 7] = Default::default();
        for (key, hours) in &def.weekly {
            let Some(index) = WEEKDAY_KEYS.iter().position(|k| k == key) else {
                return Err(CalendarError::BadWeekday {
                    schedule: def.name.clone(),
                    key: key.clone(),
                });
            };
            weekly[index] =
                parse_day(hours).map_err(|(text, problem)| CalendarError::BadInterval {
                    schedule: def.name.clone(),
                    day: key.clone(),
                    text,
                    problem,
                })?;
        }
        Ok(Calendar {
            tz,
            weekly,
            holidays: def.holidays.iter().copied().collect(),
            always: false,
        })
    }

    /// A calendar open 24 hours a day, 7 days a week, with no holidays: the default when
    /// the account has no `default_schedule` (S14). Business time equals elapsed time.
    pub fn always_open(tz: TimeZone) -> Calendar {
        Calendar {
            tz,
            weekly: std::array::from_fn(|_| vec![(0, MINUTES_PER_DAY)]),
            holidays: BTreeSet::new(),
            always: true,
        }
    }

    /// The calendar's time zone.
    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// True when `t` is inside an opening interval (`within business_hours`, S14): start
    /// inclusive, end exclusive, holidays closed. `t` is taken to the whole second.
    pub fn is_open(&self, t: Timestamp) -> bool {
        if self.always {
            return true;
        }
        let s = floor_second(t);
        let mut found = false;
        self.each_interval(t, t, |a, b| {
            if a <= s && s < b {
                found = true;
            }
        });
        found
    }

    /// Seconds of `[from, to)` inside opening intervals (S14); 0 if `to <= from`.
    /// Always between 0 and `to - from` (in whole seconds). Instants are floored to the
    /// second; DST as described in the module docs.
    pub fn business_seconds_between(&self, from: Timestamp, to: Timestamp) -> i64 {
        let (f, t) = (floor_second(from), floor_second(to));
        if t <= f {
            return 0;
        }
        if self.always {
            return t - f;
        }
        let mut total = 0i64;
        self.each_interval(from, to, |a, b| {
            let lo = a.max(f);
            let hi = b.min(t);
            if hi > lo {
                total += hi - lo;
            }
        });
        total
    }

    /// Whole business hours in `[from, to)`: `floor(seconds / 3600)` of
    /// [`Calendar::business_seconds_between`] (S12, S14); 0 if `to <= from`.
    pub fn business_hours_between(&self, from: Timestamp, to: Timestamp) -> i64 {
        self.business_seconds_between(from, to).div_euclid(3600)
    }

    /// The first whole-second instant `s` at or after `from` with
    /// `business_seconds_between(from, s) >= secs` (S14): when `secs` business seconds
    /// will have passed since `from`. `secs <= 0` gives `from` (floored to the second).
    /// `None` when the calendar never opens, or not before the end of the representable
    /// range. Cost: O(days walked) like the counts (O(1) for [`Calendar::always_open`]).
    pub fn instant_after_business_seconds(&self, from: Timestamp, secs: i64) -> Option<Timestamp> {
        let f = floor_second(from);
        if secs <= 0 {
            return Timestamp::from_second(f).ok();
        }
        if self.always {
            return Timestamp::from_second(f.checked_add(secs)?).ok();
        }
        if self.weekly.iter().all(Vec::is_empty) {
            return None;
        }
        let mut acc = 0i64;
        let mut found = None;
        self.walk_from(from, None, |a, b| {
            let lo = a.max(f);
            if b > lo {
                if acc + (b - lo) >= secs {
                    found = Some(lo + (secs - acc));
                    return false;
                }
                acc += b - lo;
            }
            true
        });
        Timestamp::from_second(found?).ok()
    }

    /// A lower bound on the first instant after `t` at which [`Calendar::is_open`]
    /// differs from its value at `t`, in whole seconds; `None` when it never changes
    /// (always open, or never open). Exact when the change lies within
    /// [`SCAN_DAYS`] days; further out, the start of the last civil day looked at
    /// (nothing changes before it).
    pub fn next_change(&self, t: Timestamp) -> Option<Timestamp> {
        if self.always || self.weekly.iter().all(Vec::is_empty) {
            return None;
        }
        let s = floor_second(t);
        // While open: the end of the run of touching intervals that holds `s`.
        let mut open_until: Option<i64> = None;
        let mut found = None;
        let last_day = self.walk_from(t, Some(SCAN_DAYS), |a, b| match open_until {
            Some(end) if a <= end => {
                open_until = Some(end.max(b));
                true
            }
            Some(end) => {
                found = Some(end);
                false
            }
            None if b <= s => true,
            None if a <= s => {
                open_until = Some(b);
                true
            }
            None => {
                found = Some(a);
                false
            }
        });
        let at = match (found, last_day) {
            (Some(x), _) => x,
            // Not found within the scan: nothing changes before the last day looked at.
            (None, Some(day)) => match open_until {
                Some(end) => end,
                None => self.first_reached(day, 0)?,
            }
            .max(s + 1),
            (None, None) => return None,
        };
        Timestamp::from_second(at).ok()
    }

    /// Like `each_interval`, open-ended: visits the opening intervals from the day before
    /// `from`'s date onwards, in order, while `visit` returns true, for at most
    /// `max_days` days. Returns the last civil day visited when the day limit stopped
    /// the walk, else `None`.
    fn walk_from(
        &self,
        from: Timestamp,
        max_days: Option<u32>,
        mut visit: impl FnMut(i64, i64) -> bool,
    ) -> Option<Date> {
        let first = self.tz.to_datetime(from).date();
        let mut day = first.yesterday().unwrap_or(first);
        let mut days = 0u32;
        loop {
            if !self.holidays.contains(&day) {
                let index = usize::try_from(day.weekday().to_monday_zero_offset()).unwrap_or(0);
                for &(s, e) in &self.weekly[index] {
                    let (Some(a), Some(b)) =
                        (self.first_reached(day, s), self.first_reached(day, e))
                    else {
                        continue;
                    };
                    if a < b && !visit(a, b) {
                        return None;
                    }
                }
            }
            days += 1;
            if max_days.is_some_and(|m| days >= m) {
                return Some(day);
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => return None,
            }
        }
    }

    /// Calls `visit(start, end)` (unix seconds, `start < end`) for every opening interval
    /// of every non-holiday civil day from the day before `from`'s date to the day after
    /// `to`'s date, in order. The margin days catch intervals whose instants spill over
    /// a civil-date boundary through a DST transition.
    fn each_interval(&self, from: Timestamp, to: Timestamp, mut visit: impl FnMut(i64, i64)) {
        let first = self.tz.to_datetime(from).date();
        let last = self.tz.to_datetime(to).date();
        let mut day = first.yesterday().unwrap_or(first);
        let end = last.tomorrow().unwrap_or(last);
        loop {
            if !self.holidays.contains(&day) {
                let index = usize::try_from(day.weekday().to_monday_zero_offset()).unwrap_or(0);
                for &(s, e) in &self.weekly[index] {
                    let (Some(a), Some(b)) =
                        (self.first_reached(day, s), self.first_reached(day, e))
                    else {
                        continue;
                    };
                    if a < b {
                        visit(a, b);
                    }
                }
            }
            if day >= end {
                break;
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
    }

    /// The first instant (unix seconds) at which the wall clock in this zone reaches
    /// `minute` (0..=1440) of civil `day`; see the module docs for gaps and folds.
    /// `None` only at the edges of the representable range.
    fn first_reached(&self, day: Date, minute: u16) -> Option<i64> {
        let dt: DateTime = if minute >= MINUTES_PER_DAY {
            day.tomorrow().ok()?.at(0, 0, 0, 0)
        } else {
            let hour = i8::try_from(minute / 60).ok()?;
            let min = i8::try_from(minute % 60).ok()?;
            day.at(hour, min, 0, 0)
        };
        let ambiguous = self.tz.to_ambiguous_timestamp(dt);
        let ts = match ambiguous.offset() {
            AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok()?,
            AmbiguousOffset::Fold { before, after } => {
                let x = before.to_timestamp(dt).ok()?;
                let y = after.to_timestamp(dt).ok()?;
                x.min(y)
            }
            AmbiguousOffset::Gap { before, after } => {
                // `dt` minus the later offset lies before the transition; the next
                // transition after it is when the wall clock jumps past `dt`.
                let late = before.to_timestamp(dt).ok()?;
                let early = after.to_timestamp(dt).ok()?;
                let (early, late) = (early.min(late), early.max(late));
                match self.tz.following(early).next() {
                    Some(tr) if tr.timestamp() <= late => tr.timestamp(),
                    _ => late,
                }
            }
        };
        Some(floor_second(ts))
    }
}

/// Unix seconds of `t`, rounded down (towards the past).
fn floor_second(t: Timestamp) -> i64 {
    let s = t.as_second();
    if t.subsec_nanosecond() < 0 {
        s - 1
    } else {
        s
    }
}

/// Parses one day's `"HH:MM-HH:MM,HH:MM-HH:MM"` into sorted, merged minute intervals.
/// Errors carry the offending item and what is wrong with it.
fn parse_day(text: &str) -> Result<Vec<(u16, u16)>, (String, String)> {
    let mut out = Vec::new();
    if text.trim().is_empty() {
        return Ok(out);
    }
    for item in text.split(',') {
        let item_trimmed = item.trim();
        let bad = |problem: &str| (item_trimmed.to_string(), problem.to_string());
        let Some((start, end)) = item_trimmed.split_once('-') else {
            return Err(bad("expected HH:MM-HH:MM, e.g. 09:00-18:00"));
        };
        let start = parse_clock(start.trim())
            .ok_or_else(|| bad("the start is not a time HH:MM (00:00 to 23:59)"))?;
        let end = parse_clock(end.trim())
            .ok_or_else(|| bad("the end is not a time HH:MM (00:01 to 24:00)"))?;
        if start >= MINUTES_PER_DAY {
            return Err(bad("the start must be before 24:00"));
        }
        if start >= end {
            return Err(bad(
                "the start must be before the end (an interval cannot cross midnight; \
                 end it at 24:00 and start the next day at 00:00)",
            ));
        }
        out.push((start, end));
    }
    out.sort_unstable();
    let mut merged: Vec<(u16, u16)> = Vec::with_capacity(out.len());
    for (s, e) in out {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    Ok(merged)
}

/// `H:MM` or `HH:MM` → minutes since midnight, 0..=1440 (`24:00` only as exactly that).
fn parse_clock(text: &str) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    if !h.bytes().all(|b| b.is_ascii_digit()) || !m.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

#[cfg(test)]
mod tests;
