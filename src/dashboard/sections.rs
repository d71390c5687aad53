//! The report's sections counted by the Stats engine: goal conversions,
//! entry and exit pages, UTM term and content, channels, one custom
//! property's values.

use std::cmp::Reverse;

use rustc_hash::FxHashMap;

use super::{Ask, Asked};
use crate::{
    analytics::{
        DateRange,
        report::{EntryRow, GoalRow, NameRow, PropRow, Report, Revenue, TOP},
    },
    stats::{Answer, Dimension, Metric, NONE, Prop, StatsError, Sums},
};

/// Fills the report's sections (with the values of the custom `property`,
/// if any), and answers `graph` (the graph's question, if it has one) from
/// the same read of the range's days.
pub(super) async fn fill(
    asked: &Asked<'_>,
    range: DateRange,
    graph: Option<Ask>,
    property: Option<&str>,
    report: &mut Report,
) -> Result<Option<Answer>, StatsError> {
    use Metric::{BounceRate, Events, Pageviews, Visitors, Visits};
    let by = |prop: Prop| vec![Dimension::Prop(prop)];
    let mut asks = vec![
        (vec![Visitors, Visits, BounceRate], by(Prop::EntryPage)),
        (vec![Visitors, Visits], by(Prop::ExitPage)),
        // What an exit rate divides by.
        (vec![Pageviews], by(Prop::Page)),
        (vec![Visitors], by(Prop::UtmTerm)),
        (vec![Visitors], by(Prop::UtmContent)),
        (vec![Visitors], by(Prop::Channel)),
    ];
    if let Some(key) = property {
        asks.push((vec![Visitors, Events], by(Prop::Custom(key.to_owned()))));
    }
    if !asked.goals.is_empty() {
        let mut metrics = vec![Metric::Visitors, Metric::Events, Metric::ConversionRate];
        // Amounts are read only when a revenue metric asks for them.
        if asked.goals.iter().any(|g| g.currency.is_some()) {
            metrics.extend([Metric::TotalRevenue, Metric::AverageRevenue]);
        }
        asks.push((metrics, by(Prop::Goal)));
    }
    let graphed = graph.is_some();
    asks.extend(graph);
    let mut answers = asked.run(range, &asks).await?.into_iter();
    let mut next = || answers.next().unwrap_or_default();
    report.entry_pages = pages(&next(), true);
    let mut exits = pages(&next(), false);
    let viewed = next();
    let pageviews: FxHashMap<&str, i64> = rows(&viewed)
        .map(|(key, sums)| (key[0].as_str(), sums.pageviews))
        .collect();
    for row in &mut exits {
        let pageviews = pageviews.get(row.path.as_str()).copied().unwrap_or(0);
        row.exit_rate = (pageviews > 0)
            .then(|| (row.visits as f64 * 1000.0 / pageviews as f64).round() / 10.0)
            .map(|rate| rate.min(100.0));
    }
    report.exit_pages = exits;
    report.utm_terms = names(&next(), false);
    report.utm_contents = names(&next(), false);
    report.channels = names(&next(), true);
    if let Some(key) = property {
        report.properties = properties(key, &next());
    }
    if !asked.goals.is_empty() {
        report.goals = goals(asked, &next());
    }
    Ok(graphed.then(next))
}

fn goals(asked: &Asked<'_>, answer: &Answer) -> Vec<GoalRow> {
    let mut rows: Vec<GoalRow> = rows(answer)
        .filter_map(|(key, sums)| {
            let goal = asked.goals.iter().find(|g| g.display_name == key[0])?;
            let rate = answer.value(Metric::ConversionRate, key, sums);
            Some(GoalRow {
                name: key[0].clone(),
                visitors: count(sums.visitors),
                events: count(sums.events),
                conversion_rate: (rate * 100.0).round() / 100.0,
                revenue: goal.currency.as_ref().map(|currency| Revenue {
                    currency: currency.clone(),
                    total: cents(sums.revenue),
                    average: cents(answer.value(Metric::AverageRevenue, key, sums)),
                }),
            })
        })
        .collect();
    ranked(&mut rows, |r| (r.visitors, r.events, &r.name));
    rows
}

/// Entry or exit pages; `bounces`: with each one's bounce rate.
fn pages(answer: &Answer, bounces: bool) -> Vec<EntryRow> {
    let mut rows: Vec<EntryRow> = rows(answer)
        .filter(|(key, sums)| !key[0].is_empty() && sums.visits > 0)
        .map(|(key, sums)| EntryRow {
            path: key[0].clone(),
            visitors: count(sums.visitors),
            visits: count(sums.visits),
            bounce_rate: bounces
                .then(|| (answer.value(Metric::BounceRate, key, sums) * 10.0).round() / 10.0),
            exit_rate: None,
        })
        .collect();
    ranked(&mut rows, |r| (r.visitors, r.visits, &r.path));
    rows
}

/// A visit-level property's values by visitors; `with_empty` keeps the
/// empty value (a channel is never empty; an unset UTM tag is not a row).
fn names(answer: &Answer, with_empty: bool) -> Vec<NameRow> {
    let mut rows: Vec<NameRow> = rows(answer)
        .filter(|(key, sums)| (with_empty || !key[0].is_empty()) && sums.visitors > 0)
        .map(|(key, sums)| NameRow {
            name: key[0].clone(),
            visitors: count(sums.visitors),
        })
        .collect();
    ranked(&mut rows, |r| (r.visitors, 0, &r.name));
    rows
}

/// One property's values; events without it (the engine's "(none)") are
/// not a row: no filter could pick them.
fn properties(key: &str, answer: &Answer) -> Vec<PropRow> {
    let mut rows: Vec<PropRow> = rows(answer)
        .filter(|(value, sums)| value[0] != NONE && sums.events > 0)
        .map(|(value, sums)| PropRow {
            key: key.to_owned(),
            value: value[0].clone(),
            visitors: count(sums.visitors),
            events: count(sums.events),
        })
        .collect();
    ranked(&mut rows, |r| (r.visitors, r.events, &r.value));
    rows
}

/// The top rows: most visitors first, then the second count, then by name.
fn ranked<T>(rows: &mut Vec<T>, key: impl Fn(&T) -> (u64, u64, &String)) {
    rows.sort_by(|a, b| {
        let ((av, ac, an), (bv, bc, bn)) = (key(a), key(b));
        (Reverse(av), Reverse(ac), an).cmp(&(Reverse(bv), Reverse(bc), bn))
    });
    rows.truncate(TOP);
}

fn rows(answer: &Answer) -> impl Iterator<Item = (&Vec<String>, &Sums)> {
    answer.table.keys.iter().zip(&answer.table.sums)
}

fn count(n: i64) -> u64 {
    n.max(0) as u64
}

/// Money to the cent, as Plausible reports it.
fn cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}
