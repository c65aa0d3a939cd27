//! Tests of business-hours calendars (S14): DST gaps and folds, holidays, additivity.

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

proptest! {
    /// The skipping clock's business deadline (S14): exactly when `secs` business seconds
    /// have passed — the count reaches `secs` there and not one second earlier.
    #[test]
    fn s14_instant_after_business_seconds_is_the_first_instant_reaching_them(
        cal in arb_calendar(),
        from in arb_2026(),
        secs in 1i64..400 * HOUR,
    ) {
        let at = cal.instant_after_business_seconds(from, secs).expect("reached");
        prop_assert_eq!(cal.business_seconds_between(from, at), secs);
        let before = Timestamp::from_second(at.as_second() - 1).expect("in range");
        prop_assert!(cal.business_seconds_between(from, before) < secs);
    }

    /// `next_change` never jumps over a change of `is_open`, and is one when it is near.
    #[test]
    fn s14_next_change_is_the_next_flip_of_is_open(cal in arb_calendar(), t in arb_2026()) {
        let open = cal.is_open(t);
        let next = cal.next_change(t).expect("these calendars change");
        prop_assert!(next > t);
        prop_assert_ne!(cal.is_open(next), open);
        // No flip in between: the business seconds of [t, next) are all or nothing.
        let span = next.as_second() - floor_second(t);
        let counted = cal.business_seconds_between(t, next);
        prop_assert_eq!(counted, if open { span } else { 0 });
    }
}

#[test]
fn s14_look_ahead_of_always_open_and_never_open_calendars() {
    let always = Calendar::always_open(TimeZone::UTC);
    let t = ts("2026-11-24T09:15:30.5Z");
    assert_eq!(
        always.instant_after_business_seconds(t, 3 * HOUR),
        Some(ts("2026-11-24T12:15:30Z"))
    );
    assert_eq!(always.next_change(t), None);
    let never = calendar("Asia/Seoul", &[]);
    assert_eq!(never.instant_after_business_seconds(t, 1), None);
    assert_eq!(never.next_change(t), None);
    // Seoul: Friday 17:00 KST + 2 business hours = Monday 10:00 KST.
    assert_eq!(
        seoul().instant_after_business_seconds(ts("2026-11-27T08:00:00Z"), 2 * HOUR),
        Some(ts("2026-11-30T01:00:00Z"))
    );
    // A calendar open around the clock on every day never closes: the look-ahead stops
    // after SCAN_DAYS days with a lower bound.
    let all_day = calendar("Europe/London", &every_day("00:00-24:00"));
    let bound = all_day.next_change(t).expect("a lower bound");
    assert!(bound > ts("2027-12-01T00:00:00Z"));
    assert!(all_day.is_open(bound));
}
