//! The realtime view: the last 30 minutes minute by minute, and their top
//! pages and sources, counted from the raw events by the Stats engine (a
//! window this short is a few events, never a rollup).

use chrono::TimeZone;

use super::{Asked, timeline};
use crate::{
    analytics::{
        DateRange, GraphMetric,
        report::{
            DayPoint, PageRow, PeriodInfo, REALTIME_INTERVAL, Report, SourceRow, Summary, TOP,
        },
    },
    stats::{self, Answer, Dimension, Metric, Prop, StatsError},
};

/// How far back the realtime view looks.
pub const WINDOW_MS: i64 = 30 * 60 * 1000;
const MINUTE_MS: i64 = 60 * 1000;

pub(super) async fn report(
    asked: &Asked<'_>,
    range: DateRange,
    metric: GraphMetric,
    now_ms: i64,
) -> Result<Report, StatsError> {
    // Whole minutes, the current one last.
    let to = now_ms - now_ms.rem_euclid(MINUTE_MS) + MINUTE_MS;
    let from = to - WINDOW_MS;
    let query = |metrics: Vec<Metric>, dimensions: Vec<Dimension>| stats::Query {
        range,
        tz: asked.tz,
        from,
        to,
        metrics,
        dimensions,
        filter: asked.filter.clone(),
    };
    let mut graphed = vec![Metric::Visitors, Metric::Pageviews];
    graphed.push(timeline::engine_metric(metric));
    // The summary's figures are the top stats the graph can follow.
    let totals = GraphMetric::ALL.map(timeline::engine_metric).to_vec();
    let pair = || vec![Metric::Visitors, Metric::Pageviews];
    let by = |prop: Prop| vec![Dimension::Prop(prop)];
    let queries = [
        query(totals, Vec::new()),
        query(graphed, vec![Dimension::Time(stats::Interval::Minute)]),
        query(pair(), by(Prop::Page)),
        query(pair(), by(Prop::Referrer)),
    ];
    let source = stats::Source::raw(asked.source.db);
    let mut answers = stats::run_all(&source, asked.site, asked.goals, &queries)
        .await?
        .into_iter();
    let mut next = || answers.next().unwrap_or_default();
    let (totals, minutes, pages, sources) = (next(), next(), next(), next());
    let today = range.start.to_string();
    Ok(Report {
        period: PeriodInfo {
            start: today.clone(),
            end: today,
            timezone: asked.tz.name().to_owned(),
        },
        summary: summary(&totals),
        interval: REALTIME_INTERVAL.into(),
        metric: metric.name().to_owned(),
        timeseries: points(asked, &minutes, metric, from),
        // A page only custom events named (a purchase on /checkout) was not
        // viewed in these minutes.
        pages: rows(&pages)
            .filter(|(_, sums)| sums.pageviews > 0)
            .map(|(key, sums)| PageRow {
                path: key.to_owned(),
                pageviews: count(sums.pageviews),
                visitors: count(sums.visitors),
                ..PageRow::default()
            })
            .collect(),
        referrers: rows(&sources)
            .map(|(key, sums)| SourceRow {
                source: key.to_owned(),
                pageviews: count(sums.pageviews),
                visitors: count(sums.visitors),
            })
            .collect(),
        ..Report::default()
    })
}

fn summary(answer: &Answer) -> Summary {
    let Some((key, sums)) = answer.table.keys.first().zip(answer.table.sums.first()) else {
        return Summary::default();
    };
    let value = |metric| answer.value(metric, key, sums);
    Summary {
        pageviews: count(sums.pageviews),
        visitors: count(sums.visitors),
        visits: count(sums.visits),
        bounce_rate: value(Metric::BounceRate),
        visit_duration: value(Metric::VisitDuration),
        views_per_visit: value(Metric::ViewsPerVisit),
    }
}

/// Each of the window's 30 minutes, `YYYY-MM-DD HH:MM` in the site's zone,
/// zeros included.
fn points(asked: &Asked<'_>, answer: &Answer, metric: GraphMetric, from: i64) -> Vec<DayPoint> {
    (0..WINDOW_MS / MINUTE_MS)
        .map(|i| {
            let start = from + i * MINUTE_MS;
            let local = asked
                .tz
                .timestamp_millis_opt(start)
                .single()
                .map(|t| t.naive_local())
                .unwrap_or_default();
            let label = local.format("%Y-%m-%d %H:%M").to_string();
            let engine_label = format!("{label}:00");
            let at = answer.table.keys.iter().position(|k| k[0] == engine_label);
            let sums = at.map(|at| &answer.table.sums[at]);
            let mut point = DayPoint {
                date: label,
                visitors: sums.map_or(0, |s| count(s.visitors)),
                pageviews: sums.map_or(0, |s| count(s.pageviews)),
                value: 0.0,
            };
            point.value = timeline::value(&point, metric, sums);
            point
        })
        .collect()
}

/// A breakdown's rows, most visitors first, at most `TOP`.
fn rows(answer: &Answer) -> impl Iterator<Item = (&str, &stats::Sums)> {
    let mut rows: Vec<(&str, &stats::Sums)> = answer
        .table
        .keys
        .iter()
        .map(|k| k[0].as_str())
        .zip(&answer.table.sums)
        .filter(|(_, sums)| sums.visitors > 0)
        .collect();
    rows.sort_by(|a, b| (b.1.visitors, a.0).cmp(&(a.1.visitors, b.0)));
    rows.truncate(TOP);
    rows.into_iter()
}

fn count(n: i64) -> u64 {
    n.max(0) as u64
}
