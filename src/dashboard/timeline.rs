//! The graph's buckets and the metric they follow. Rollups hold days, so
//! weeks and months are their days added up (a visitor's id lives one day,
//! so daily visitors add up exactly); hours, and every metric beyond
//! visitors and pageviews, are counted from events by the Stats engine.

use chrono::{Datelike, Duration, NaiveDate};
use rustc_hash::FxHashMap;

use super::{Ask, Asked};
use crate::{
    analytics::{
        AnalyticsQuery, DateRange, GraphMetric, Interval,
        report::{DayPoint, Report},
    },
    stats::{self, Answer, Metric, StatsError},
};

/// What the Stats engine must count for the graph over the report's range
/// (asked together with the report's other sections); `None` when the
/// rollups' days answer it.
pub(super) fn ask(metric: GraphMetric, interval: Interval) -> Option<Ask> {
    let from_days = matches!(metric, GraphMetric::Visitors | GraphMetric::Pageviews);
    if interval != Interval::Hour && from_days {
        return None;
    }
    let mut metrics = vec![Metric::Visitors, Metric::Pageviews];
    if !from_days {
        metrics.push(engine_metric(metric));
    }
    Some((
        metrics,
        vec![stats::Dimension::Time(engine_interval(interval))],
    ))
}

/// Shapes the report's daily points into `interval`'s buckets with the
/// value of `query.metric`; `counted` is the answer to `ask` over `range`.
pub(super) async fn shape(
    asked: &Asked<'_>,
    query: &AnalyticsQuery,
    range: DateRange,
    interval: Interval,
    counted: Option<Answer>,
    report: &mut Report,
) -> Result<(), StatsError> {
    report.interval = interval.name().to_owned();
    report.metric = query.metric.name().to_owned();
    let compared = query.compared(range);
    let previous = match (ask(query.metric, interval), compared) {
        (Some(ask), Some(other)) => asked.run(other, &[ask]).await?.pop(),
        _ => None,
    };
    report.timeseries = buckets(
        &report.timeseries,
        range,
        interval,
        query.metric,
        counted.as_ref(),
    );
    report.previous_timeseries = match compared {
        Some(other) => buckets(
            &report.previous_timeseries,
            other,
            interval,
            query.metric,
            previous.as_ref(),
        ),
        None => Vec::new(),
    };
    Ok(())
}

/// `days` (the rollups' daily points of `range`) as `interval`'s buckets,
/// their values from `counted` where the engine counted them.
fn buckets(
    days: &[DayPoint],
    range: DateRange,
    interval: Interval,
    metric: GraphMetric,
    counted: Option<&Answer>,
) -> Vec<DayPoint> {
    let mut points = match interval {
        Interval::Day => days.to_vec(),
        Interval::Week => regroup(days, week_start),
        Interval::Month => regroup(days, |d| d.with_day(1).unwrap_or(d)),
        Interval::Hour => hours(range),
    };
    let counted: FxHashMap<&str, &stats::Sums> = counted
        .map(|answer| {
            answer
                .table
                .keys
                .iter()
                .zip(&answer.table.sums)
                // The engine labels an hour `YYYY-MM-DD HH:00:00`.
                .map(|(key, sums)| (key[0].strip_suffix(":00").unwrap_or(&key[0]), sums))
                .collect()
        })
        .unwrap_or_default();
    let first = range.start.to_string();
    for point in &mut points {
        // The engine names a week or month that began before the range by
        // the range's first day; the API names it by its own.
        let label = if point.date < first {
            &first
        } else {
            &point.date
        };
        let sums = counted.get(label.as_str());
        if interval == Interval::Hour {
            point.visitors = sums.map_or(0, |s| s.visitors.max(0) as u64);
            point.pageviews = sums.map_or(0, |s| s.pageviews.max(0) as u64);
        }
        point.value = value(point, metric, sums.copied());
    }
    points
}

/// A bucket's figure of `metric`: its counts, or what the engine counted
/// (`sums`), rounded as Plausible rounds them (views per visit to two
/// decimals, the bounce rate and duration to whole numbers).
pub(super) fn value(point: &DayPoint, metric: GraphMetric, sums: Option<&stats::Sums>) -> f64 {
    match metric {
        GraphMetric::Visitors => point.visitors as f64,
        GraphMetric::Pageviews => point.pageviews as f64,
        other => sums.map_or(0.0, |sums| {
            let value = stats::metric(engine_metric(other), sums, 0, 0);
            let scale = if other == GraphMetric::ViewsPerVisit {
                100.0
            } else {
                1.0
            };
            (value * scale).round() / scale
        }),
    }
}

pub(super) fn engine_metric(metric: GraphMetric) -> Metric {
    match metric {
        GraphMetric::Visitors => Metric::Visitors,
        GraphMetric::Visits => Metric::Visits,
        GraphMetric::Pageviews => Metric::Pageviews,
        GraphMetric::ViewsPerVisit => Metric::ViewsPerVisit,
        GraphMetric::BounceRate => Metric::BounceRate,
        GraphMetric::VisitDuration => Metric::VisitDuration,
    }
}

fn engine_interval(interval: Interval) -> stats::Interval {
    match interval {
        Interval::Hour => stats::Interval::Hour,
        Interval::Day => stats::Interval::Day,
        Interval::Week => stats::Interval::Week,
        Interval::Month => stats::Interval::Month,
    }
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
fn hours(range: DateRange) -> Vec<DayPoint> {
    range
        .dates()
        .flat_map(|date| {
            (0..24).map(move |hour| DayPoint {
                date: format!("{date} {hour:02}:00"),
                ..DayPoint::default()
            })
        })
        .collect()
}
