//! The dashboard's whole report, as the pages, the analytics API and the CSV
//! export give it: the figures `analytics` keeps in rollups (totals, the daily
//! graph, the classic breakdowns), and the sections only Plausible's meaning
//! of a visit can count (goal conversions, entry and exit pages, channels,
//! hourly graphs), counted by the Stats API's engine so they equal what the
//! Stats API answers.

mod funnel;
mod realtime;
mod sections;
mod timeline;

pub use funnel::funnel;

use chrono_tz::Tz;
use sea_orm::{DatabaseConnection, DbErr};

use crate::{
    analytics::{
        AnalyticsQuery, DateRange, Filters, Interval, Match, Period, QueryError, ReportError,
        Reports,
        report::{Report, TOP},
        request::MAX_HOURLY_DAYS,
    },
    entities::{goal, site},
    error::{Classify, Failure},
    goals::{self, Target},
    stats::{self, Condition, Filter, Op, Prop, StatsError},
};

/// Why a dashboard has no report.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Stats(#[from] StatsError),
}

impl From<DbErr> for DashboardError {
    fn from(error: DbErr) -> Self {
        DashboardError::Report(ReportError::Database(error))
    }
}

impl Classify for DashboardError {
    fn classify(self) -> Failure {
        match self {
            DashboardError::Query(error) => error.classify(),
            DashboardError::Report(error) => error.classify(),
            DashboardError::Stats(error) => error.classify(),
        }
    }
}

/// Every figure of the dashboard of `site` for `query`, as of `now_ms`.
pub async fn report(
    reports: &Reports,
    db: &DatabaseConnection,
    site: &site::Model,
    query: &AnalyticsQuery,
    now_ms: i64,
) -> Result<Report, DashboardError> {
    let (tz, range) = asked_range(site, query, now_ms);
    let interval = query.interval.unwrap_or_else(|| Interval::fitting(&range));
    if interval == Interval::Hour && range.days() > MAX_HOURLY_DAYS {
        return Err(QueryError(format!(
            "`interval=hour` is for ranges of at most {MAX_HOURLY_DAYS} days"
        ))
        .into());
    }
    let goals = goals::list(db, site.id).await?;
    let mut counted = query.clone();
    if let Some(name) = &query.goal {
        let goal = goals
            .iter()
            .find(|g| &g.display_name == name)
            .ok_or_else(|| QueryError(format!("`{name}` is not a goal of this site")))?;
        add_goal(&mut counted.filters, goal)?;
    }
    let realtime = query.period == Period::Realtime;
    let mut report = if realtime {
        Report {
            realtime_visitors: reports
                .realtime_visitors(site.id, &counted.filters, now_ms)
                .await?,
            ..Report::default()
        }
    } else {
        reports.report(site, &counted, now_ms).await?
    };
    let _turn = reports.turn().await?;
    let asked = Asked {
        source: stats::Source::with_rollups(db, reports),
        reports,
        site,
        goals: &goals,
        tz,
        filter: stats_filter(&query.filters, query.goal.as_deref()),
        settled: settled_midnight(now_ms),
    };
    if realtime {
        let current = report.realtime_visitors;
        report = realtime::report(&asked, range, query.metric, now_ms).await?;
        report.realtime_visitors = current;
        return Ok(report);
    }
    let graph = timeline::ask(query.metric, interval);
    report.property_keys = asked.prop_keys(range).await?;
    let property = query
        .property
        .clone()
        .or_else(|| report.property_keys.first().cloned());
    let counted = sections::fill(&asked, range, graph, property.as_deref(), &mut report).await?;
    timeline::shape(&asked, query, range, interval, counted, &mut report).await?;
    Ok(report)
}

/// The site's zone and the local days the query's period covers.
fn asked_range(site: &site::Model, query: &AnalyticsQuery, now_ms: i64) -> (Tz, DateRange) {
    let tz: Tz = site.timezone.parse().unwrap_or(Tz::UTC);
    let today = crate::analytics::request::period::local_date(tz, now_ms);
    (tz, query.period.range(today))
}

/// The last UTC midnight before which every event has settled: its UTC
/// days never change again, so their counts can be kept.
fn settled_midnight(now_ms: i64) -> i64 {
    let settled = now_ms - crate::analytics::SETTLE_MS;
    settled - settled.rem_euclid(crate::analytics::DAY_MS)
}

/// How long the open days' Stats-engine answers are kept when nothing was
/// stored meanwhile by this process.
const OPEN_KEPT: std::time::Duration = std::time::Duration::from_secs(5);

/// What every Stats-engine question of one report shares.
struct Asked<'a> {
    source: stats::Source<'a>,
    reports: &'a Reports,
    site: &'a site::Model,
    goals: &'a [goal::Model],
    tz: Tz,
    filter: Option<Filter>,
    /// See `settled_midnight`.
    settled: i64,
}

/// One Stats-engine question of a report: its metrics and dimensions.
type Ask = (Vec<stats::Metric>, Vec<stats::Dimension>);

impl Asked<'_> {
    /// Counts each ask over the local days of `range`, all from one read of
    /// each day: the settled UTC days' answers are kept between reports
    /// (visitor ids and visits never span a UTC midnight, so the parts add
    /// up), the rest is counted afresh.
    async fn run(&self, range: DateRange, asks: &[Ask]) -> Result<Vec<stats::Answer>, StatsError> {
        let queries = |from: i64, to: i64| -> Vec<stats::Query> {
            asks.iter()
                .map(|(metrics, dimensions)| stats::Query {
                    range,
                    tz: self.tz,
                    from,
                    to,
                    metrics: metrics.clone(),
                    dimensions: dimensions.clone(),
                    filter: self.filter.clone(),
                })
                .collect()
        };
        let tag = format!("{:?}|{asks:?}|{:?}", self.filter, self.goals);
        self.kept(
            range,
            &tag,
            |from, to| {
                let queries = queries(from, to);
                async move { stats::run_all(&self.source, self.site, self.goals, &queries).await }
            },
            |settled: Vec<stats::Answer>, open| {
                settled
                    .into_iter()
                    .zip(open)
                    .map(|(settled, open)| settled.merge(open))
                    .collect()
            },
        )
        .await
    }

    /// The custom property keys of `range`'s events, the most carried
    /// first, kept as `run` keeps its answers.
    async fn prop_keys(&self, range: DateRange) -> Result<Vec<String>, StatsError> {
        let mut counted = self
            .kept(
                range,
                "prop keys",
                |from, to| stats::prop_keys(&self.source, self.site, from, to),
                |settled: Vec<(String, u64)>, open| {
                    let mut sum: std::collections::HashMap<String, u64> =
                        settled.into_iter().collect();
                    for (key, n) in open {
                        *sum.entry(key).or_default() += n;
                    }
                    sum.into_iter().collect()
                },
            )
            .await?;
        counted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(counted.into_iter().map(|(key, _)| key).take(TOP).collect())
    }

    /// `count` over the UTC instants of `range`'s local days, the settled
    /// part kept between reports under `tag`, the open part until this
    /// process stores another event (another process may store: a few
    /// seconds at most); `merge` adds the two parts.
    async fn kept<T, F, Fut>(
        &self,
        range: DateRange,
        tag: &str,
        count: F,
        merge: impl FnOnce(T, T) -> T,
    ) -> Result<T, StatsError>
    where
        T: Clone + Send + Sync + 'static,
        F: Fn(i64, i64) -> Fut,
        Fut: std::future::Future<Output = Result<T, StatsError>>,
    {
        let starts = range.day_starts(self.tz);
        let (from, to) = (starts[0], starts[starts.len() - 1]);
        let split = self.settled.clamp(from, to);
        let memo = self.reports.memo();
        let site = self.site.id;
        let mut settled = None;
        if split > from {
            let key = format!("dashboard|{site}|{from}|{split}|{tag}");
            settled = Some(match memo.get::<T>(&key) {
                Some(kept) => (*kept).clone(),
                None => {
                    let counted = count(from, split).await?;
                    memo.put(key, counted.clone());
                    counted
                }
            });
        }
        let mut open = None;
        if to > split {
            let key = format!(
                "open|{site}|{split}|{to}|{tag}|{}",
                crate::ingest::store::committed()
            );
            open = Some(match memo.get_within::<T>(&key, OPEN_KEPT) {
                Some(kept) => (*kept).clone(),
                None => {
                    let counted = count(split, to).await?;
                    memo.put(key, counted.clone());
                    counted
                }
            });
        }
        Ok(match (settled, open) {
            (Some(settled), Some(open)) => merge(settled, open),
            (Some(part), None) | (None, Some(part)) => part,
            // A range covers at least one instant; counted whole all the same.
            (None, None) => count(from, to).await?,
        })
    }
}

/// A goal as the dashboard's own filters express it: its event's name, or
/// its page pattern.
fn add_goal(filters: &mut Filters, goal: &goal::Model) -> Result<(), QueryError> {
    use crate::analytics::Dimension;
    match goals::target(goal) {
        Target::Event(name) => filters.add(Dimension::Event, Match::Is, vec![name]),
        // A page goal is reached by a pageview, as Plausible counts it: a
        // custom event sent on a matching path is no conversion.
        Target::Page(path) => {
            filters.add(Dimension::Page, Match::Glob, vec![path])?;
            filters.only_pageviews();
            Ok(())
        }
    }
}

/// The dashboard's filters as a Stats API filter: each a condition on the
/// property of the same meaning, all of them together.
fn stats_filter(filters: &Filters, goal: Option<&str>) -> Option<Filter> {
    use crate::analytics::Dimension as D;
    let mut all: Vec<Filter> = filters
        .iter()
        .map(|f| {
            let prop = match f.dimension {
                D::Page => Prop::Page,
                D::Referrer => Prop::Referrer,
                D::Browser => Prop::Browser,
                D::Os => Prop::Os,
                D::Device => Prop::Device,
                D::Country => Prop::Country,
                D::UtmSource => Prop::UtmSource,
                D::UtmMedium => Prop::UtmMedium,
                D::UtmCampaign => Prop::UtmCampaign,
                D::Event => Prop::Name,
                D::Region => Prop::Region,
                D::City => Prop::City,
            };
            let op = match f.op {
                Match::Is => Op::Is,
                Match::IsNot => Op::IsNot,
                Match::Contains => Op::Contains,
                Match::Glob => Op::Wildcard,
            };
            Filter::Test(Condition {
                prop,
                op,
                values: f.values.clone(),
                case_sensitive: f.op != Match::Contains,
            })
        })
        .collect();
    for f in filters.props() {
        let prop = Prop::Custom(f.key.clone());
        let op = match f.op {
            Match::Is => Op::Is,
            Match::IsNot => Op::IsNot,
            Match::Contains | Match::Glob => Op::Contains,
        };
        all.push(Filter::Test(Condition {
            prop: prop.clone(),
            op,
            values: f.values.clone(),
            case_sensitive: op != Op::Contains,
        }));
        // The engine reads a missing property as "(none)"; the figures from
        // counts as no value, which only `is not` keeps.
        if op != Op::IsNot {
            all.push(Filter::Test(Condition {
                prop,
                op: Op::IsNot,
                values: vec![stats::NONE.to_owned()],
                case_sensitive: true,
            }));
        }
    }
    if let Some(goal) = goal {
        all.push(Filter::Test(Condition {
            prop: Prop::Goal,
            op: Op::Is,
            values: vec![goal.to_owned()],
            case_sensitive: true,
        }));
    }
    (!all.is_empty()).then_some(Filter::And(all))
}
