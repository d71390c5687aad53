//! A funnel's report for a dashboard query: its steps counted by the Stats
//! engine under the dashboard's filters, then the rates between them.

use sea_orm::DatabaseConnection;

use super::{DashboardError, asked_range, stats_filter};
use crate::{
    analytics::{
        AnalyticsQuery, Reports,
        report::{FunnelReport, FunnelStep},
    },
    entities::{funnel, site},
    funnels, goals,
    goals::Matcher,
    stats,
};

pub async fn funnel(
    reports: &Reports,
    db: &DatabaseConnection,
    site: &site::Model,
    funnel: &funnel::Model,
    query: &AnalyticsQuery,
    now_ms: i64,
) -> Result<FunnelReport, DashboardError> {
    let (tz, range) = asked_range(site, query, now_ms);
    let goals = goals::list(db, site.id).await?;
    let steps = funnels::steps(funnel);
    let matchers: Vec<Matcher> = steps.iter().map(|s| s.matcher(&goals)).collect();
    let starts = range.day_starts(tz);
    let counted = stats::Query {
        range,
        tz,
        from: starts[0],
        to: starts[starts.len() - 1],
        metrics: vec![stats::Metric::Visitors],
        dimensions: Vec::new(),
        // A goal filter is not applied: the steps are the goals counted.
        filter: stats_filter(&query.filters, None),
    };
    let _turn = reports.turn().await?;
    let source = stats::Source::with_rollups(db, reports);
    let visitors = stats::funnel(&source, site, &matchers, &counted).await?;
    Ok(FunnelReport {
        name: funnel.name.clone(),
        steps: rates(&steps, &visitors),
    })
}

/// Each step's share of the first step's visitors, and who dropped off
/// since the step before.
fn rates(steps: &[funnels::Step], visitors: &[i64]) -> Vec<FunnelStep> {
    let count = |k: usize| visitors.get(k).copied().unwrap_or(0).max(0) as u64;
    let first = count(0);
    steps
        .iter()
        .enumerate()
        .map(|(k, step)| FunnelStep {
            name: step.name(),
            visitors: count(k),
            conversion_rate: if first == 0 {
                0.0
            } else {
                (count(k) as f64 * 10_000.0 / first as f64).round() / 100.0
            },
            dropoff: if k == 0 {
                0
            } else {
                count(k - 1).saturating_sub(count(k))
            },
        })
        .collect()
}
