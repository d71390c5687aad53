use super::*;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn range(start: &str, end: &str) -> DateRange {
    DateRange {
        start: date(start),
        end: date(end),
    }
}

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

#[test]
fn named_periods_end_today_or_cover_whole_months() {
    let today = date("2026-03-10");
    let of = |p: &str| Period::parse(p, None, None).unwrap().range(today);
    assert_eq!(of("today"), range("2026-03-10", "2026-03-10"));
    assert_eq!(of("yesterday"), range("2026-03-09", "2026-03-09"));
    assert_eq!(of("7d"), range("2026-03-04", "2026-03-10"));
    assert_eq!(of("30d"), range("2026-02-09", "2026-03-10"));
    assert_eq!(of("month"), range("2026-03-01", "2026-03-31"));
    assert_eq!(of("12mo"), range("2025-04-01", "2026-03-31"));
    assert_eq!(of("30d").days(), 30);
}

#[test]
fn the_previous_period_has_the_same_length_and_ends_the_day_before() {
    assert_eq!(
        range("2026-03-04", "2026-03-10").previous(),
        range("2026-02-25", "2026-03-03")
    );
    assert_eq!(
        range("2026-03-10", "2026-03-10").previous(),
        range("2026-03-09", "2026-03-09")
    );
}

#[test]
fn custom_ranges_are_checked() {
    let custom = |s: Option<&str>, e: Option<&str>| Period::parse("custom", s, e);
    assert_eq!(
        custom(Some("2026-01-01"), Some("2026-01-31")).unwrap(),
        Period::Custom(range("2026-01-01", "2026-01-31"))
    );
    assert_eq!(
        custom(Some("2026-01-05"), Some("2026-01-05")).unwrap(),
        Period::Custom(range("2026-01-05", "2026-01-05"))
    );
    let message = |s, e| custom(s, e).unwrap_err().0;
    assert!(message(None, Some("2026-01-01")).contains("needs `start`"));
    assert!(message(Some("2026-01-01"), None).contains("needs `end`"));
    assert!(message(Some("2026-1-1"), Some("2026-01-02")).contains("YYYY-MM-DD"));
    assert!(message(Some("2026-02-30"), Some("2026-03-01")).contains("YYYY-MM-DD"));
    assert!(message(Some("yesterday"), Some("2026-03-01")).contains("YYYY-MM-DD"));
    assert!(message(Some("2026-02-02"), Some("2026-02-01")).contains("before"));
    assert!(message(Some("2020-01-01"), Some("2023-01-01")).contains("3 years"));
    assert!(custom(Some("2020-01-01"), Some("2022-12-31")).is_ok());
    let unknown = Period::parse("90d", None, None).unwrap_err().0;
    assert!(unknown.contains("unknown period `90d`"), "{unknown}");
}

#[test]
fn days_in_utc_are_24_hours() {
    let starts = range("2026-01-01", "2026-01-03").day_starts(Tz::UTC);
    assert_eq!(starts.first(), Some(&ms("2026-01-01T00:00:00Z")));
    assert_eq!(starts.last(), Some(&ms("2026-01-04T00:00:00Z")));
    assert!(starts.windows(2).all(|w| w[1] - w[0] == 86_400_000));
}

#[test]
fn a_los_angeles_autumn_change_makes_a_25_hour_day() {
    let tz: Tz = "America/Los_Angeles".parse().unwrap();
    let starts = range("2026-10-31", "2026-11-02").day_starts(tz);
    assert_eq!(
        starts,
        vec![
            ms("2026-10-31T07:00:00Z"),
            ms("2026-11-01T07:00:00Z"),
            ms("2026-11-02T08:00:00Z"),
            ms("2026-11-03T08:00:00Z"),
        ]
    );
    assert_eq!(starts[2] - starts[1], 25 * 3_600_000);
}

#[test]
fn a_spring_change_makes_a_23_hour_day_and_a_skipped_midnight_is_handled() {
    let la: Tz = "America/Los_Angeles".parse().unwrap();
    let spring = range("2026-03-08", "2026-03-08").day_starts(la);
    assert_eq!(spring[1] - spring[0], 23 * 3_600_000);
    // Santiago moves its clocks at midnight: 2026-09-06 begins at 01:00 local.
    let santiago: Tz = "America/Santiago".parse().unwrap();
    assert_eq!(
        day_start(santiago, date("2026-09-06")),
        ms("2026-09-06T01:00:00-03:00")
    );
}

#[test]
fn the_local_date_follows_the_time_zone() {
    let tz: Tz = "America/Los_Angeles".parse().unwrap();
    let now = ms("2026-11-02T05:00:00Z");
    assert_eq!(local_date(tz, now), date("2026-11-01"));
    assert_eq!(local_date(Tz::UTC, now), date("2026-11-02"));
}
