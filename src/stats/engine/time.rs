//! Time buckets in the site's zone: their labels, and every label of a range.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Timelike};

use crate::stats::query::{Interval, Query};

/// The label of the time bucket `ts` falls in, in the site's zone: a date,
/// an hour `YYYY-MM-DD HH:00:00`, a week by its Monday (or the range's first
/// day), a month by its first day.
pub(crate) fn bucket(query: &Query, interval: Interval, ts: i64) -> String {
    let local = query
        .tz
        .timestamp_millis_opt(ts)
        .single()
        .map(|t| t.naive_local())
        .unwrap_or_default();
    let date = local.date();
    match interval {
        Interval::Minute => local.format("%Y-%m-%d %H:%M:00").to_string(),
        Interval::Hour => format!("{} {:02}:00:00", date.format("%Y-%m-%d"), local.hour()),
        Interval::Day => date.format("%Y-%m-%d").to_string(),
        Interval::Week => week_start(date)
            .max(query.range.start)
            .format("%Y-%m-%d")
            .to_string(),
        Interval::Month => month_start(date)
            .max(query.range.start)
            .format("%Y-%m-%d")
            .to_string(),
    }
}

/// The bucket the last event fell in, `[from, to)` and its label: a day's
/// events come in time order, so most events fall in the bucket before.
#[derive(Default)]
pub(crate) struct Recent(Option<(i64, i64, String)>);

impl Recent {
    pub fn label(&mut self, query: &Query, interval: Interval, ts: i64) -> &str {
        let hit = self
            .0
            .as_ref()
            .is_some_and(|(from, to, _)| (*from..*to).contains(&ts));
        if !hit {
            let local = query
                .tz
                .timestamp_millis_opt(ts)
                .single()
                .map(|t| t.naive_local())
                .unwrap_or_default();
            let (from, to) = match interval {
                Interval::Minute => {
                    let from = ts - i64::from(local.second()) * 1000 - ts.rem_euclid(1000);
                    (from, from + 60_000)
                }
                Interval::Hour => {
                    let into = i64::from(local.minute() * 60 + local.second()) * 1000;
                    let from = ts - into - ts.rem_euclid(1000);
                    (from, from + 3_600_000)
                }
                _ => {
                    let day = crate::analytics::request::period::day_start;
                    let date = local.date();
                    (day(query.tz, date), day(query.tz, date + Duration::days(1)))
                }
            };
            let label = bucket(query, interval, ts);
            // A bucket that cannot hold `ts` (a zone's odd hour) is not kept.
            self.0 = Some(if (from..to).contains(&ts) {
                (from, to, label)
            } else {
                (ts, ts + 1, label)
            });
        }
        self.0.as_ref().map_or("", |(_, _, label)| label.as_str())
    }
}

pub(crate) fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

pub(crate) fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// Every bucket label of the query's range, in order, for gap filling.
pub(crate) fn labels(query: &Query, interval: Interval) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    let mut push = |label: String| {
        if labels.last() != Some(&label) {
            labels.push(label);
        }
    };
    match interval {
        Interval::Hour | Interval::Minute => {
            let step = if interval == Interval::Hour {
                3_600_000
            } else {
                60_000
            };
            let mut ts = query.from;
            while ts < query.to {
                push(bucket(query, interval, ts));
                ts += step;
            }
        }
        _ => {
            for date in query.range.dates() {
                let ts = crate::analytics::request::period::day_start(query.tz, date);
                push(bucket(query, interval, ts));
            }
        }
    }
    labels
}
