//! The `Reports` service: computes reports and the realtime count for the
//! server. It owns what reports share between requests: the kept counts of
//! settled events (see `count::kept`) and the cap on reports computed at once.
//!
//! Closed days that the rollup job has reached are read from their rollups (a
//! question with one filter from that value's slices of them), the others (and
//! questions with several filters) from raw events; both give the same numbers.

use std::{sync::Arc, time::Duration};

use chrono_tz::Tz;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};
use tokio::sync::{Semaphore, SemaphorePermit};
use uuid::Uuid;

use super::{
    CountryRow, DayPoint, EventRow, NameRow, PageRow, PeriodInfo, PropRow, Report, SourceRow,
    Summary,
    plan::{Figures, Plan},
    rolled::Rollups,
};
use crate::error::{Classify, Failure, Kind};
use crate::{
    analytics::{
        count::{DayStore, KeptCounts, Selection, TopValue, Totals, Values, slot},
        request::{AnalyticsQuery, DateRange, Dimension, Filters, period::local_date},
    },
    entities::{event, rollup_day, site},
};

/// "Realtime" visitors: seen in the last five minutes.
const REALTIME_MS: i64 = 5 * 60 * 1000;
/// Another server's clock may run a little ahead of ours.
const CLOCK_SKEW_MS: i64 = 60 * 1000;
/// How long a report waits for its turn before the caller is told to retry.
const TURN_WAIT: Duration = Duration::from_secs(20);
/// When a caller refused a turn is told to come back.
const BUSY_RETRY_SECS: u64 = 5;

/// Why a report has no answer.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Every turn stayed taken while the report waited: retry shortly.
    #[error("too many reports are being computed; retry shortly")]
    Busy,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Computes reports; one per server, shared by its requests.
pub struct Reports {
    db: DatabaseConnection,
    kept: KeptCounts,
    /// A report may read raw events on several pool connections, so a flood
    /// of them queues here rather than take the pool from ingest.
    turns: Semaphore,
    memo: super::Memo,
    /// Whole days kept column by column, which filtered counts read
    /// instead of the events table (see `count::packed`).
    packs: Option<Arc<dyn DayStore>>,
}

impl Reports {
    /// At most `concurrent` reports (and realtime counts) are computed at once.
    pub fn new(db: DatabaseConnection, concurrent: usize) -> Self {
        Reports {
            db,
            kept: KeptCounts::default(),
            turns: Semaphore::new(concurrent.max(1)),
            memo: super::Memo::default(),
            packs: None,
        }
    }

    /// Filtered counts read whole days from `packs` where it holds them.
    pub fn with_packs(self, packs: Arc<dyn DayStore>) -> Self {
        Reports {
            packs: Some(packs),
            ..self
        }
    }

    /// A turn at computing: the Stats API waits for one too, so no kind of
    /// question can take every connection from the others.
    pub async fn turn(&self) -> Result<SemaphorePermit<'_>, ReportError> {
        tokio::time::timeout(TURN_WAIT, self.turns.acquire())
            .await
            .ok()
            .and_then(Result::ok)
            .ok_or(ReportError::Busy)
    }

    /// Answers other parts of the core keep between reports.
    pub fn memo(&self) -> &super::Memo {
        &self.memo
    }

    /// Every figure of the dashboard for `query` as of `now_ms`.
    pub async fn report(
        &self,
        site: &site::Model,
        query: &AnalyticsQuery,
        now_ms: i64,
    ) -> Result<Report, ReportError> {
        self.answer(site, query, now_ms, true).await
    }

    /// The report from raw events alone, ignoring rollups: what the rollups must
    /// reproduce, for checking them.
    pub async fn report_from_events(
        &self,
        site: &site::Model,
        query: &AnalyticsQuery,
        now_ms: i64,
    ) -> Result<Report, ReportError> {
        self.answer(site, query, now_ms, false).await
    }

    /// Visitors seen in the last five minutes on `site`, with the dashboard's
    /// filters; the dashboard refreshes this alone, not the whole report.
    pub async fn realtime_visitors(
        &self,
        site: Uuid,
        filters: &Filters,
        now_ms: i64,
    ) -> Result<u64, ReportError> {
        let _turn = self.turn().await?;
        Ok(realtime(&self.db, site, filters, now_ms).await?)
    }

    /// Whether anything was ever recorded for the site: an empty dashboard shows
    /// the tracking snippet instead of zeros. Rollups count too: raw events past
    /// their retention are gone.
    pub async fn has_events(&self, site: Uuid) -> Result<bool, DbErr> {
        let any: Option<i64> = event::Entity::find()
            .select_only()
            .column(event::Column::Id)
            .filter(event::Column::SiteId.eq(site))
            .limit(1)
            .into_tuple()
            .one(&self.db)
            .await?;
        if any.is_some() {
            return Ok(true);
        }
        let rolled = rollup_day::Entity::find()
            .filter(rollup_day::Column::SiteId.eq(site))
            .filter(rollup_day::Column::Visits.gt(0))
            .one(&self.db)
            .await?;
        Ok(rolled.is_some())
    }

    /// A range's counted figures (totals, days and, with `breakdowns`, each
    /// dimension's top values), from rollups where they hold them: what the
    /// Stats API answers from when a question is one the rollups can answer.
    pub(crate) async fn figures(
        &self,
        site: &site::Model,
        range: crate::analytics::DateRange,
        filters: &Filters,
        breakdowns: bool,
    ) -> Result<Figures, DbErr> {
        let tz: Tz = site.timezone.parse().unwrap_or(Tz::UTC);
        let rollups = Rollups::for_filters(filters);
        let plan = Plan::load(&self.db, site.id, tz, range, rollups).await?;
        plan.count(
            &self.db,
            filters,
            breakdowns,
            &self.kept,
            self.packs.as_ref(),
        )
        .await
    }

    async fn answer(
        &self,
        site: &site::Model,
        query: &AnalyticsQuery,
        now_ms: i64,
        rollups: bool,
    ) -> Result<Report, ReportError> {
        let _turn = self.turn().await?;
        Ok(self.compute(site, query, now_ms, rollups).await?)
    }

    async fn compute(
        &self,
        site: &site::Model,
        query: &AnalyticsQuery,
        now_ms: i64,
        rollups: bool,
    ) -> Result<Report, DbErr> {
        let db = &self.db;
        let tz: Tz = site.timezone.parse().unwrap_or(Tz::UTC);
        let range = query.period.range(local_date(tz, now_ms));
        let filters = &query.filters;
        // Rollups hold whole days, and each day sliced by one filter value; two
        // filters at once are answered from raw events.
        let rollups = if rollups {
            Rollups::for_filters(filters)
        } else {
            Rollups::None
        };
        let compared = query.compared(range);
        let (now, before) = tokio::try_join!(Plan::load(db, site.id, tz, range, rollups), async {
            match compared {
                Some(other) => Plan::load(db, site.id, tz, other, rollups).await.map(Some),
                None => Ok(None),
            }
        },)?;
        let packs = self.packs.as_ref();
        let (now, before, realtime) = tokio::try_join!(
            now.count(db, filters, true, &self.kept, packs),
            async {
                match before {
                    Some(plan) => plan
                        .count(db, filters, false, &self.kept, packs)
                        .await
                        .map(Some),
                    None => Ok(None),
                }
            },
            realtime(db, site.id, filters, now_ms),
        )?;
        let info = |range: DateRange| PeriodInfo {
            start: range.start.to_string(),
            end: range.end.to_string(),
            timezone: tz.name().to_owned(),
        };
        let points = |range: DateRange, days: &[(i64, i64)]| -> Vec<DayPoint> {
            range
                .dates()
                .zip(days)
                .map(|(date, &(pageviews, visitors))| DayPoint {
                    date: date.to_string(),
                    pageviews: count(pageviews),
                    visitors: count(visitors),
                    value: count(visitors) as f64,
                })
                .collect()
        };
        let timeseries = points(range, &now.days);
        let (previous, previous_timeseries) = match (&before, compared) {
            (Some(before), Some(other)) => (summary(&before.totals), points(other, &before.days)),
            _ => (Summary::default(), Vec::new()),
        };
        let with_props = filters.get(Dimension::Event).is_some();
        let mut report = assemble(with_props, info(range), timeseries, now, previous, realtime)?;
        report.compared = compared.map(info);
        report.interval = "day".into();
        report.previous_timeseries = previous_timeseries;
        Ok(report)
    }
}

async fn realtime(
    db: &DatabaseConnection,
    site: Uuid,
    filters: &Filters,
    now_ms: i64,
) -> Result<u64, DbErr> {
    let recent = Selection {
        site,
        from: now_ms - REALTIME_MS,
        to: now_ms + CLOCK_SKEW_MS,
        filters,
    };
    Ok(count(recent.visitors(db).await?))
}

fn count(n: i64) -> u64 {
    n.max(0) as u64
}

/// The rates from a range's totals; zero visits give zero rates, not NaN.
fn summary(totals: &Totals) -> Summary {
    let visits = count(totals.visits);
    let per_visit = |n: f64| if visits == 0 { 0.0 } else { n / visits as f64 };
    Summary {
        pageviews: count(totals.pageviews),
        visitors: count(totals.visitors),
        visits,
        bounce_rate: per_visit(count(totals.bounces) as f64 * 100.0),
        visit_duration: per_visit(count(totals.duration_ms) as f64 / 1000.0),
        views_per_visit: per_visit(count(totals.pageviews) as f64),
    }
}

/// The report's rows from the period's figures.
fn assemble(
    with_props: bool,
    period: PeriodInfo,
    timeseries: Vec<DayPoint>,
    now: Figures,
    previous: Summary,
    realtime_visitors: u64,
) -> Result<Report, DbErr> {
    // In `slot` order.
    let [
        pages,
        referrers,
        browsers,
        os,
        devices,
        countries,
        utm_sources,
        utm_mediums,
        utm_campaigns,
        events,
        regions,
        cities,
        props,
    ]: [Vec<TopValue>; slot::PROP + 1] = now
        .breakdowns
        .try_into()
        .map_err(|_| DbErr::Custom("a breakdown is missing".into()))?;
    // A mean over the pageviews that reported one, rounded; none without any.
    let mean = |sums: &Values, path: &str, scale: f64| {
        sums.get(path)
            .filter(|(_, reported)| *reported > 0)
            .map(|&(sum, reported)| (sum.max(0) as f64 / reported as f64 / scale).round() as u64)
    };
    let rows = |values: Vec<TopValue>| {
        values
            .into_iter()
            .map(|v| (count(v.pageviews), count(v.visitors), v.value))
    };
    let names = |values: Vec<TopValue>| -> Vec<NameRow> {
        rows(values)
            .map(|(_, visitors, name)| NameRow { name, visitors })
            .collect()
    };
    Ok(Report {
        period,
        timeseries,
        summary: summary(&now.totals),
        previous,
        pages: rows(pages)
            .map(|(pageviews, visitors, path)| PageRow {
                scroll_depth: mean(&now.scroll, &path, 1.0),
                time_on_page: mean(&now.engaged, &path, 1000.0),
                path,
                pageviews,
                visitors,
            })
            .collect(),
        referrers: rows(referrers)
            .map(|(pageviews, visitors, source)| SourceRow {
                source,
                pageviews,
                visitors,
            })
            .collect(),
        browsers: names(browsers),
        os: names(os),
        devices: names(devices),
        countries: rows(countries)
            .map(|(_, visitors, code)| CountryRow { code, visitors })
            .collect(),
        regions: rows(regions)
            .map(|(_, visitors, code)| CountryRow { code, visitors })
            .collect(),
        cities: names(cities),
        utm_sources: names(utm_sources),
        utm_mediums: names(utm_mediums),
        utm_campaigns: names(utm_campaigns),
        events: rows(events)
            .map(|(events, visitors, name)| EventRow {
                name,
                visitors,
                events,
            })
            .collect(),
        props: if with_props {
            rows(props)
                .filter_map(|(events, visitors, pair)| {
                    let (key, value) = pair.split_once('\u{1f}')?;
                    Some(PropRow {
                        key: key.to_owned(),
                        value: value.to_owned(),
                        visitors,
                        events,
                    })
                })
                .collect()
        } else {
            Vec::new()
        },
        realtime_visitors,
        ..Report::default()
    })
}

impl Classify for ReportError {
    fn classify(self) -> Failure {
        match self {
            ReportError::Busy => Failure::new(
                Kind::Busy {
                    retry_after_secs: BUSY_RETRY_SECS,
                },
                self,
            ),
            ReportError::Database(error) => error.classify(),
        }
    }
}
