//! Business-hours calendars (rules-semantics.md S14; whole hours per S12).
//!
//! A [`Calendar`] is a compiled [`ScheduleDef`]: a time zone, opening intervals per
//! weekday in civil (wall-clock) time, and closed holidays. It answers `within
//! business_hours` ([`Calendar::is_open`]) and counts business time between two instants
//! ([`Calendar::business_seconds_between`], [`Calendar::business_hours_between`]).
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

use std::collections::BTreeSet;

use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::Timestamp;

use crate::model::ScheduleDef;

/// Minutes in a civil day; an interval end of `24:00` is `MINUTES_PER_DAY`.
const MINUTES_PER_DAY: u16 = 24 * 60;

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
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    const HOUR: i64 = 3600;

    /// The `Seoul office` schedule of samples/account.yaml.
    fn seoul() -> Calendar {
        let def: ScheduleDef = serde_saphyr::from_str(
            r#"
name: Seoul office
timezone: Asia/Seoul
weekly: { mon: "09:00-18:00", tue: "09:00-18:00", wed: "09:00-18:00", thu: "09:00-18:00", fri: "09:00-18:00" }
holidays: [2026-12-25]
"#,
        )
        .expect("schedule yaml");
        Calendar::from_schedule(&def).expect("calendar")
    }

    fn schedule(tz: &str, weekly: &[(&str, &str)], holidays: &[&str]) -> ScheduleDef {
        ScheduleDef {
            name: "Test".into(),
            timezone: tz.into(),
            weekly: weekly
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            holidays: holidays.iter().map(|d| d.parse().expect("date")).collect(),
        }
    }

    fn calendar(tz: &str, weekly: &[(&str, &str)]) -> Calendar {
        Calendar::from_schedule(&schedule(tz, weekly, &[])).expect("calendar")
    }

    fn every_day(hours: &'static str) -> Vec<(&'static str, &'static str)> {
        WEEKDAY_KEYS.iter().map(|k| (*k, hours)).collect()
    }

    fn secs(cal: &Calendar, from: &str, to: &str) -> i64 {
        cal.business_seconds_between(ts(from), ts(to))
    }

    #[test]
    fn s14_seoul_span_over_a_weekend() {
        // Fri 2026-11-27 17:00 KST → Mon 2026-11-30 10:00 KST: 1h Friday + 1h Monday.
        let cal = seoul();
        let (from, to) = ("2026-11-27T17:00:00+09:00", "2026-11-30T10:00:00+09:00");
        assert_eq!(secs(&cal, from, to), 2 * HOUR);
        assert_eq!(cal.business_hours_between(ts(from), ts(to)), 2);
        // Saturday and Sunday alone count nothing.
        assert_eq!(
            secs(
                &cal,
                "2026-11-28T00:00:00+09:00",
                "2026-11-30T00:00:00+09:00"
            ),
            0
        );
    }

    #[test]
    fn s14_seoul_full_week_is_45_hours() {
        let cal = seoul();
        assert_eq!(
            secs(
                &cal,
                "2026-11-30T09:00:00+09:00",
                "2026-12-07T09:00:00+09:00"
            ),
            45 * HOUR
        );
    }

    #[test]
    fn s14_seoul_holiday_is_closed_all_day() {
        let cal = seoul();
        // Thu 2026-12-24 17:00 → Mon 2026-12-28 10:00: Fri 25 is a holiday.
        assert_eq!(
            secs(
                &cal,
                "2026-12-24T17:00:00+09:00",
                "2026-12-28T10:00:00+09:00"
            ),
            2 * HOUR
        );
        // The holiday week has 4 working days.
        assert_eq!(
            secs(
                &cal,
                "2026-12-21T00:00:00+09:00",
                "2026-12-28T00:00:00+09:00"
            ),
            36 * HOUR
        );
        assert!(!cal.is_open(ts("2026-12-25T12:00:00+09:00")));
        assert!(cal.is_open(ts("2026-12-24T12:00:00+09:00")));
    }

    #[test]
    fn s14_seoul_start_and_end_inside_an_interval() {
        let cal = seoul();
        let (from, to) = ("2026-11-30T10:30:00+09:00", "2026-11-30T15:45:00+09:00");
        assert_eq!(secs(&cal, from, to), 5 * HOUR + 15 * 60);
        // S12: whole hours, floored.
        assert_eq!(cal.business_hours_between(ts(from), ts(to)), 5);
        // Starts inside Monday's interval, ends inside Tuesday's: 7.5h + 1.25h.
        assert_eq!(
            secs(
                &cal,
                "2026-11-30T10:30:00+09:00",
                "2026-12-01T10:15:00+09:00"
            ),
            7 * HOUR + 30 * 60 + HOUR + 15 * 60
        );
        // Counted in UTC the same: Seoul is UTC+9.
        assert_eq!(
            secs(&cal, "2026-11-30T01:30:00Z", "2026-11-30T06:45:00Z"),
            5 * HOUR + 15 * 60
        );
    }

    #[test]
    fn s14_empty_and_reversed_spans_count_zero() {
        let cal = seoul();
        let t = ts("2026-11-30T10:00:00+09:00");
        assert_eq!(cal.business_seconds_between(t, t), 0);
        assert_eq!(
            cal.business_seconds_between(t, ts("2026-11-30T09:00:00+09:00")),
            0
        );
        assert_eq!(
            cal.business_hours_between(t, ts("2026-11-29T09:00:00+09:00")),
            0
        );
    }

    #[test]
    fn s14_split_intervals() {
        let cal = calendar("Asia/Seoul", &[("mon", "09:00-12:00, 13:00-18:00")]);
        // 11:00 → 14:00 spans the lunch break: 1h + 1h.
        assert_eq!(
            secs(
                &cal,
                "2026-11-30T11:00:00+09:00",
                "2026-11-30T14:00:00+09:00"
            ),
            2 * HOUR
        );
        assert_eq!(
            secs(
                &cal,
                "2026-11-30T00:00:00+09:00",
                "2026-12-01T00:00:00+09:00"
            ),
            8 * HOUR
        );
        assert!(cal.is_open(ts("2026-11-30T11:59:59+09:00")));
        assert!(!cal.is_open(ts("2026-11-30T12:00:00+09:00")));
        assert!(!cal.is_open(ts("2026-11-30T12:59:59+09:00")));
        assert!(cal.is_open(ts("2026-11-30T13:00:00+09:00")));
    }

    #[test]
    fn s14_overlapping_intervals_are_merged_not_double_counted() {
        let cal = calendar("UTC", &[("mon", "13:00-18:00,09:00-14:00,18:00-19:00")]);
        assert_eq!(
            secs(&cal, "2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z"),
            10 * HOUR
        );
    }

    #[test]
    fn s14_end_24_00_is_next_midnight() {
        let cal = calendar(
            "Asia/Seoul",
            &[("mon", "22:00-24:00"), ("tue", "00:00-02:00")],
        );
        assert_eq!(
            secs(
                &cal,
                "2026-11-30T21:00:00+09:00",
                "2026-12-01T03:00:00+09:00"
            ),
            4 * HOUR
        );
        assert!(cal.is_open(ts("2026-11-30T23:59:59+09:00")));
        assert!(cal.is_open(ts("2026-12-01T00:00:00+09:00")));
        assert!(!cal.is_open(ts("2026-12-01T02:00:00+09:00")));
    }

    #[test]
    fn s14_is_open_at_boundaries_start_inclusive_end_exclusive() {
        let cal = seoul();
        assert!(!cal.is_open(ts("2026-11-30T08:59:59+09:00")));
        assert!(cal.is_open(ts("2026-11-30T09:00:00+09:00")));
        assert!(cal.is_open(ts("2026-11-30T17:59:59+09:00")));
        assert!(!cal.is_open(ts("2026-11-30T18:00:00+09:00")));
        // Weekend.
        assert!(!cal.is_open(ts("2026-11-29T12:00:00+09:00")));
        // Sub-second instants are floored: 08:59:59.9 is still closed.
        assert!(!cal.is_open(ts("2026-11-30T08:59:59.9+09:00")));
    }

    /// New York, Sundays `00:00-04:00` (contains 02:00) and `09:00-18:00` (does not).
    fn new_york() -> Calendar {
        calendar("America/New_York", &[("sun", "00:00-04:00,09:00-18:00")])
    }

    #[test]
    fn s14_dst_spring_forward_new_york_2026_03_08() {
        let cal = new_york();
        // 02:00 EST → 03:00 EDT: the interval containing 02:00 lasts 3 real hours.
        assert_eq!(
            secs(
                &cal,
                "2026-03-08T00:00:00-05:00",
                "2026-03-08T06:00:00-04:00"
            ),
            3 * HOUR
        );
        // The interval away from the jump keeps its 9 hours.
        assert_eq!(
            secs(
                &cal,
                "2026-03-08T06:00:00-04:00",
                "2026-03-09T00:00:00-04:00"
            ),
            9 * HOUR
        );
        assert_eq!(
            secs(
                &cal,
                "2026-03-07T00:00:00-05:00",
                "2026-03-10T00:00:00-04:00"
            ),
            12 * HOUR
        );
        // A week earlier (no DST change) the same day has 4 + 9 hours.
        assert_eq!(
            secs(
                &cal,
                "2026-03-01T00:00:00-05:00",
                "2026-03-02T00:00:00-05:00"
            ),
            13 * HOUR
        );
    }

    #[test]
    fn s14_dst_fall_back_new_york_2026_11_01() {
        let cal = new_york();
        // 02:00 EDT → 01:00 EST: the interval containing the fold lasts 5 real hours.
        assert_eq!(
            secs(
                &cal,
                "2026-11-01T00:00:00-04:00",
                "2026-11-01T06:00:00-05:00"
            ),
            5 * HOUR
        );
        assert_eq!(
            secs(
                &cal,
                "2026-11-01T06:00:00-05:00",
                "2026-11-02T00:00:00-05:00"
            ),
            9 * HOUR
        );
        assert_eq!(
            cal.business_hours_between(
                ts("2026-10-31T00:00:00-04:00"),
                ts("2026-11-03T00:00:00-05:00")
            ),
            14
        );
        assert!(cal.is_open(ts("2026-11-01T01:30:00-05:00")));
        assert!(!cal.is_open(ts("2026-11-01T04:00:00-05:00")));
    }

    #[test]
    fn s14_dst_interval_bounds_inside_the_gap_and_the_fold() {
        // Gap: 02:30 does not exist on 2026-03-08; the office opens when the clock
        // jumps to 03:00 EDT.
        let gap = calendar("America/New_York", &[("sun", "02:30-05:00")]);
        assert_eq!(
            secs(
                &gap,
                "2026-03-08T00:00:00-05:00",
                "2026-03-09T00:00:00-04:00"
            ),
            2 * HOUR
        );
        assert!(!gap.is_open(ts("2026-03-08T01:59:59-05:00")));
        assert!(gap.is_open(ts("2026-03-08T03:00:00-04:00")));
        // Fold: 01:30 happens twice on 2026-11-01; both bounds use the first time the
        // wall clock shows them.
        let fold = calendar("America/New_York", &[("sun", "01:30-03:00")]);
        assert_eq!(
            secs(
                &fold,
                "2026-11-01T00:00:00-04:00",
                "2026-11-02T00:00:00-05:00"
            ),
            2 * HOUR + 30 * 60
        );
        assert!(fold.is_open(ts("2026-11-01T01:30:00-04:00")));
        let ends_in_fold = calendar("America/New_York", &[("sun", "00:00-01:30")]);
        assert_eq!(
            secs(
                &ends_in_fold,
                "2026-11-01T00:00:00-04:00",
                "2026-11-02T00:00:00-05:00"
            ),
            HOUR + 30 * 60
        );
        assert!(!ends_in_fold.is_open(ts("2026-11-01T01:15:00-05:00")));
    }

    #[test]
    fn s14_always_open_equals_calendar_hours() {
        let ny = TimeZone::get("America/New_York").expect("tz");
        let always = Calendar::always_open(ny);
        let explicit = calendar("America/New_York", &every_day("00:00-24:00"));
        for (from, to, hours) in [
            ("2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 23),
            ("2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 25),
            ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 365 * 24),
            ("2026-11-24T09:15:00Z", "2026-11-24T12:00:00Z", 2),
        ] {
            let (f, t) = (ts(from), ts(to));
            let elapsed = t.as_second() - f.as_second();
            assert_eq!(always.business_seconds_between(f, t), elapsed, "{from}");
            assert_eq!(explicit.business_seconds_between(f, t), elapsed, "{from}");
            assert_eq!(always.business_hours_between(f, t), hours, "{from}");
            assert_eq!(explicit.business_hours_between(f, t), hours, "{from}");
        }
        assert!(always.is_open(ts("2026-03-08T07:00:00Z")));
        assert!(explicit.is_open(ts("2026-03-08T07:00:00Z")));
    }

    #[test]
    fn s12_whole_hours_solved_at_09_15() {
        // S12 example in calendar hours: 0 at 10:00, 1 at 11:00, 2 at 12:00.
        let cal = Calendar::always_open(TimeZone::UTC);
        let solved = ts("2026-11-24T09:15:00Z");
        let at = |s| cal.business_hours_between(solved, ts(s));
        assert_eq!(
            [
                at("2026-11-24T10:00:00Z"),
                at("2026-11-24T11:00:00Z"),
                at("2026-11-24T12:00:00Z")
            ],
            [0, 1, 2]
        );
    }

    #[test]
    fn s14_long_span_is_exact() {
        // Two years Mon–Fri 09–18 in Seoul (no DST): weekdays × 9h minus the holiday.
        let cal = seoul();
        let (from, to) = ("2026-01-01T00:00:00+09:00", "2028-01-01T00:00:00+09:00");
        let mut weekdays = 0i64;
        let mut d: Date = "2026-01-01".parse().expect("date");
        let end: Date = "2028-01-01".parse().expect("date");
        while d < end {
            if d.weekday().to_monday_zero_offset() < 5 {
                weekdays += 1;
            }
            d = d.tomorrow().expect("date");
        }
        // 2026-12-25 is a Friday: one weekday less.
        assert_eq!(secs(&cal, from, to), (weekdays - 1) * 9 * HOUR);
    }

    #[test]
    fn s14_extreme_instants_do_not_panic() {
        let cal = seoul();
        let t = ts("2026-11-30T10:00:00+09:00");
        assert!(cal.business_seconds_between(Timestamp::MIN, Timestamp::MIN) == 0);
        let _ = cal.is_open(Timestamp::MIN);
        let _ = cal.is_open(Timestamp::MAX);
        let near_max = Timestamp::MAX - jiff::SignedDuration::from_hours(24 * 30);
        let n = cal.business_seconds_between(near_max, Timestamp::MAX);
        assert!(n >= 0 && n <= Timestamp::MAX.as_second() - near_max.as_second());
        assert!(cal.business_seconds_between(t, Timestamp::MAX) > 0);
    }

    #[test]
    fn s14_errors_name_the_schedule_and_the_bad_text() {
        let err = |def: ScheduleDef| {
            Calendar::from_schedule(&def)
                .expect_err("error")
                .to_string()
        };
        insta::assert_snapshot!(
            err(schedule("Asia/Seol", &[], &[])),
            @"schedule `Test`: unknown time zone `Asia/Seol` (use an IANA name such as `Asia/Seoul`)"
        );
        insta::assert_snapshot!(
            err(schedule("UTC", &[("monday", "09:00-18:00")], &[])),
            @"schedule `Test`: unknown weekday `monday` in `weekly` (use mon, tue, wed, thu, fri, sat, sun)"
        );
        insta::assert_snapshot!(
            err(schedule("UTC", &[("mon", "09:00-12:00,9-18")], &[])),
            @"schedule `Test`, `mon`: bad opening hours `9-18`: the start is not a time HH:MM (00:00 to 23:59)"
        );
        insta::assert_snapshot!(
            err(schedule("UTC", &[("tue", "18:00-09:00")], &[])),
            @"schedule `Test`, `tue`: bad opening hours `18:00-09:00`: the start must be before the end (an interval cannot cross midnight; end it at 24:00 and start the next day at 00:00)"
        );
        insta::assert_snapshot!(
            err(schedule("UTC", &[("wed", "09:00")], &[])),
            @"schedule `Test`, `wed`: bad opening hours `09:00`: expected HH:MM-HH:MM, e.g. 09:00-18:00"
        );
        for bad in [
            "09:60-10:00",
            "24:00-24:00",
            "09:00-24:01",
            "09:00-25:00",
            "0900-1000",
            "09:00-10:00,",
            "a:00-10:00",
        ] {
            assert!(
                Calendar::from_schedule(&schedule("UTC", &[("mon", bad)], &[])).is_err(),
                "{bad}"
            );
        }
        // An empty day is closed, not an error.
        let closed = calendar("UTC", &[("mon", " ")]);
        assert_eq!(
            secs(&closed, "2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z"),
            0
        );
    }

    fn arb_2026() -> impl Strategy<Value = Timestamp> {
        // 2026-01-01 .. 2027-01-01 (both New York DST changes), with sub-seconds.
        (1_767_225_600i64..1_798_761_600i64, 0i32..1_000_000_000)
            .prop_map(|(s, ns)| Timestamp::new(s, ns).expect("in range"))
    }

    fn arb_calendar() -> impl Strategy<Value = Calendar> {
        prop_oneof![
            Just(seoul()),
            Just(new_york()),
            Just(calendar(
                "America/New_York",
                &[
                    ("mon", "09:00-12:00,13:00-18:00"),
                    ("sat", "01:30-02:30"),
                    ("sun", "00:00-24:00")
                ]
            )),
            Just(calendar(
                "Europe/London",
                &every_day("00:30-01:30,22:00-24:00")
            )),
        ]
    }

    proptest! {
        #[test]
        fn s14_business_seconds_are_additive_and_bounded(
            cal in arb_calendar(),
            a in arb_2026(),
            b in arb_2026(),
            c in arb_2026(),
        ) {
            let mut v = [a, b, c];
            v.sort();
            let [from, mid, to] = v;
            let whole = cal.business_seconds_between(from, to);
            prop_assert_eq!(
                cal.business_seconds_between(from, mid) + cal.business_seconds_between(mid, to),
                whole
            );
            prop_assert!(whole >= 0);
            prop_assert!(whole <= floor_second(to) - floor_second(from));
        }

        #[test]
        fn s14_is_open_agrees_with_counting(cal in arb_calendar(), t in arb_2026()) {
            let next = t + jiff::SignedDuration::from_secs(1);
            prop_assert_eq!(cal.is_open(t), cal.business_seconds_between(t, next) == 1);
        }
    }
}
