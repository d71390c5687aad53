//! The report: every widget of the dashboard for a period. Closed days that the
//! rollup job has reached are read from their rollups (a question with one
//! filter from that value's slices of them), the others (and questions with
//! several filters) from raw events; both give the same numbers.

use chrono_tz::Tz;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{
    AnalyticsQuery,
    filters::Filters,
    period::{DayBounds, local_date},
    raw::{self, Counted, Scope},
    report::{CountryRow, DayPoint, NameRow, PageRow, PeriodInfo, Report, SourceRow},
    span::{Rollups, Span},
};
use crate::entities::{event, rollup_day, site};

/// "Realtime" visitors: seen in the last five minutes.
const REALTIME_MS: i64 = 5 * 60 * 1000;
/// Another server's clock may run a little ahead of ours.
const CLOCK_SKEW_MS: i64 = 60 * 1000;

/// Every figure of the dashboard for `query` as of `now_ms`.
pub async fn report(
    db: &DatabaseConnection,
    site: &site::Model,
    query: &AnalyticsQuery,
    now_ms: i64,
) -> Result<Report, DbErr> {
    report_with(db, site, query, now_ms, true).await
}

/// The report from raw events alone, ignoring rollups: what the rollups must
/// reproduce, for checking them.
pub async fn report_from_events(
    db: &DatabaseConnection,
    site: &site::Model,
    query: &AnalyticsQuery,
    now_ms: i64,
) -> Result<Report, DbErr> {
    report_with(db, site, query, now_ms, false).await
}

async fn report_with(
    db: &DatabaseConnection,
    site: &site::Model,
    query: &AnalyticsQuery,
    now_ms: i64,
    rollups: bool,
) -> Result<Report, DbErr> {
    let tz: Tz = site.timezone.parse().unwrap_or(Tz::UTC);
    let range = query.period.range(local_date(tz, now_ms));
    let filters = &query.filters;
    // Rollups hold whole days, and each day sliced by one filter value; two
    // filters at once are answered from raw events.
    let mut asked = filters.iter();
    let rollups = match (rollups, asked.next(), asked.next()) {
        (false, _, _) | (true, Some(_), Some(_)) => Rollups::None,
        (true, None, _) => Rollups::Days,
        (true, Some((dimension, value)), None) => Rollups::Slice(dimension, value),
    };
    let zone = tz.name();
    let previous = range.previous();
    let (span, before) = tokio::try_join!(
        Span::load(
            db,
            site.id,
            zone,
            range,
            DayBounds::new(&range, tz),
            rollups
        ),
        Span::load(
            db,
            site.id,
            zone,
            previous,
            DayBounds::new(&previous, tz),
            rollups
        ),
    )?;
    let (now, before, realtime) = tokio::try_join!(
        span.count(db, filters, true),
        before.count(db, filters, false),
        realtime_visitors(db, site.id, filters, now_ms),
    )?;
    let (totals, before, daily) = (now.totals, before.totals, now.days);
    // In `Dimension::ALL` order.
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
    ]: [Vec<Counted>; 9] = now
        .breakdowns
        .try_into()
        .map_err(|_| DbErr::Custom("a breakdown is missing".into()))?;
    let count = |n: i64| n.max(0) as u64;
    let names = |rows: Vec<Counted>| -> Vec<NameRow> {
        rows.into_iter()
            .map(|r| NameRow {
                name: r.key,
                visitors: count(r.visitors),
            })
            .collect()
    };
    Ok(Report {
        period: PeriodInfo {
            start: range.start.to_string(),
            end: range.end.to_string(),
            timezone: tz.name().to_owned(),
        },
        timeseries: range
            .dates()
            .zip(daily)
            .map(|(date, (pageviews, visitors))| DayPoint {
                date: date.to_string(),
                pageviews: count(pageviews),
                visitors: count(visitors),
            })
            .collect(),
        summary: totals.summary(),
        previous: before.summary(),
        pages: pages
            .into_iter()
            .map(|r| PageRow {
                path: r.key,
                pageviews: count(r.pageviews),
                visitors: count(r.visitors),
            })
            .collect(),
        referrers: referrers
            .into_iter()
            .map(|r| SourceRow {
                source: r.key,
                pageviews: count(r.pageviews),
                visitors: count(r.visitors),
            })
            .collect(),
        browsers: names(browsers),
        os: names(os),
        devices: names(devices),
        countries: countries
            .into_iter()
            .map(|r| CountryRow {
                code: r.key,
                visitors: count(r.visitors),
            })
            .collect(),
        utm_sources: names(utm_sources),
        utm_mediums: names(utm_mediums),
        utm_campaigns: names(utm_campaigns),
        realtime_visitors: realtime,
    })
}

/// Whether anything was ever recorded for the site: an empty dashboard shows
/// the tracking snippet instead of zeros.
/// Rollups count too: raw events past their retention are gone.
pub async fn has_events(db: &DatabaseConnection, site_id: Uuid) -> Result<bool, DbErr> {
    let any: Option<i64> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .filter(event::Column::SiteId.eq(site_id))
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    if any.is_some() {
        return Ok(true);
    }
    let rolled = rollup_day::Entity::find()
        .filter(rollup_day::Column::SiteId.eq(site_id))
        .filter(rollup_day::Column::Visits.gt(0))
        .one(db)
        .await?;
    Ok(rolled.is_some())
}

/// Visitors seen in the last five minutes on `site`, with the dashboard's
/// filters; the dashboard refreshes this alone, not the whole report.
pub async fn realtime_visitors(
    db: &DatabaseConnection,
    site: Uuid,
    filters: &Filters,
    now_ms: i64,
) -> Result<u64, DbErr> {
    let recent = Scope {
        site,
        from: now_ms - REALTIME_MS,
        to: now_ms + CLOCK_SKEW_MS,
        filters,
    };
    Ok(raw::visitors(db, &recent).await?.max(0) as u64)
}
