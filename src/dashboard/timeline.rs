//! The graph's buckets: rollups hold days, so weeks and months are their
//! days added up (a visitor's id lives one day, so daily visitors add up
//! exactly), and hours are counted from events by the Stats engine.

use chrono::{Datelike, Duration, NaiveDate};

use super::Asked;
use crate::{
    analytics::{
        AnalyticsQuery, DateRange, Interval,
        report::{DayPoint, Report},
    },
    stats::{self, Metric, StatsError},
};

pub(super) async fn shape(
    asked: &Asked<'_>,
    query: &AnalyticsQuery,
    range: DateRange,
    interval: Interval,
    report: &mut Report,
) -> Result<(), StatsError> {
    report.interval = interval.name().to_owned();
    match interval {
        Interval::Day => {}
        Interval::Week => {
            report.timeseries = regroup(&report.timeseries, week_start);
            report.previous_timeseries = regroup(&report.previous_timeseries, week_start);
        }
        Interval::Month => {
            report.timeseries = regroup(&report.timeseries, |d| d.with_day(1).unwrap_or(d));
            report.previous_timeseries =
                regroup(&report.previous_timeseries, |d| d.with_day(1).unwrap_or(d));
        }
        Interval::Hour => {
            report.timeseries = hours(asked, range).await?;
            report.previous_timeseries = match query.compared(range) {
                Some(other) => hours(asked, other).await?,
                None => Vec::new(),
            };
        }
    }
    Ok(())
}

fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// Daily points added up into the bucket each day's `start` names.
fn regroup(days: &[DayPoint], start: impl Fn(NaiveDate) -> NaiveDate) -> Vec<DayPoint> {
    let mut points: Vec<DayPoint> = Vec::new();
    for day in days {
        let Ok(date) = NaiveDate::parse_from_str(&day.date, "%Y-%m-%d") else {
            continue;
        };
        let label = start(date).to_string();
        match points.last_mut() {
            Some(point) if point.date == label => {
                point.pageviews += day.pageviews;
                point.visitors += day.visitors;
            }
            _ => points.push(DayPoint {
                date: label,
                ..day.clone()
            }),
        }
    }
    points
}

/// Every local hour of `range`, zeros included, as `YYYY-MM-DD HH:00`.
async fn hours(asked: &Asked<'_>, range: DateRange) -> Result<Vec<DayPoint>, StatsError> {
    let ask = (
        vec![Metric::Visitors, Metric::Pageviews],
        vec![stats::Dimension::Time(stats::Interval::Hour)],
    );
    let answer = asked.run(range, &[ask]).await?.pop().unwrap_or_default();
    let mut points: Vec<DayPoint> = range
        .dates()
        .flat_map(|date| {
            (0..24).map(move |hour| DayPoint {
                date: format!("{date} {hour:02}:00"),
                pageviews: 0,
                visitors: 0,
            })
        })
        .collect();
    for (key, sums) in answer.table.keys.iter().zip(&answer.table.sums) {
        // The engine labels an hour `YYYY-MM-DD HH:00:00`.
        let label = key[0].strip_suffix(":00").unwrap_or(&key[0]);
        if let Some(point) = points.iter_mut().find(|p| p.date == label) {
            point.pageviews += sums.pageviews.max(0) as u64;
            point.visitors += sums.visitors.max(0) as u64;
        }
    }
    Ok(points)
}
