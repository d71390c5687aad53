//! The report's queries. Each widget is one aggregate over the events of the
//! period (index `events(site_id, ts)`), built with SeaORM's query builder so
//! the same code runs on SQLite and PostgreSQL; only the aggregate expressions
//! are written as SQL. The widgets' queries run concurrently on the pool.

use chrono_tz::Tz;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Select,
    sea_query::{Alias, Expr, Query},
};
use uuid::Uuid;

use super::{
    AnalyticsQuery,
    filters::{Dimension, Filters},
    period::{DateRange, DayBounds, local_date},
    report::{CountryRow, DayPoint, NameRow, PageRow, PeriodInfo, Report, SourceRow, Summary},
};
use crate::entities::{event, site};

const PAGEVIEWS: &str = "CAST(SUM(CASE WHEN name = 'pageview' THEN 1 ELSE 0 END) AS BIGINT)";
const VISITORS: &str = "COUNT(DISTINCT visitor_id)";
/// Lists are cut here (SPEC §6).
const TOP: u64 = 100;
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
    let tz: Tz = site.timezone.parse().unwrap_or(Tz::UTC);
    let range = query.period.range(local_date(tz, now_ms));
    let bounds = DayBounds::new(&range, tz);
    let previous = DayBounds::new(&range.previous(), tz);
    let scope = Scope {
        site: site.id,
        from: bounds.start_ms(),
        to: bounds.end_ms(),
        filters: &query.filters,
    };
    let before = Scope {
        from: previous.start_ms(),
        to: previous.end_ms(),
        ..scope
    };
    let dimension = |d: Dimension| breakdown(db, &scope, d);
    let (summary, before, timeseries, pages, referrers) = tokio::try_join!(
        summary(db, &scope),
        summary(db, &before),
        timeseries(db, &scope, &range, &bounds),
        dimension(Dimension::Page),
        dimension(Dimension::Referrer),
    )?;
    let (browsers, os, devices, countries, utm_sources, utm_mediums, utm_campaigns, realtime) = tokio::try_join!(
        dimension(Dimension::Browser),
        dimension(Dimension::Os),
        dimension(Dimension::Device),
        dimension(Dimension::Country),
        dimension(Dimension::UtmSource),
        dimension(Dimension::UtmMedium),
        dimension(Dimension::UtmCampaign),
        realtime_visitors(db, site.id, &query.filters, now_ms),
    )?;
    let names = |rows: Vec<Counted>| -> Vec<NameRow> {
        rows.into_iter()
            .map(|r| NameRow {
                name: r.key,
                visitors: r.visitors,
            })
            .collect()
    };
    Ok(Report {
        period: PeriodInfo {
            start: range.start.to_string(),
            end: range.end.to_string(),
            timezone: tz.name().to_owned(),
        },
        timeseries: timeseries.unwrap_or_else(|| {
            vec![DayPoint {
                date: range.start.to_string(),
                pageviews: summary.pageviews,
                visitors: summary.visitors,
            }]
        }),
        summary,
        previous: before,
        pages: pages
            .into_iter()
            .map(|r| PageRow {
                path: r.key,
                pageviews: r.pageviews,
                visitors: r.visitors,
            })
            .collect(),
        referrers: referrers
            .into_iter()
            .map(|r| SourceRow {
                source: r.key,
                pageviews: r.pageviews,
                visitors: r.visitors,
            })
            .collect(),
        browsers: names(browsers),
        os: names(os),
        devices: names(devices),
        countries: countries
            .into_iter()
            .map(|r| CountryRow {
                code: r.key,
                visitors: r.visitors,
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
pub async fn has_events(db: &DatabaseConnection, site_id: Uuid) -> Result<bool, DbErr> {
    let any: Option<i64> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .filter(event::Column::SiteId.eq(site_id))
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(any.is_some())
}

/// Which events a widget looks at: one site, `from <= ts < to`, the filters.
#[derive(Clone, Copy)]
struct Scope<'a> {
    site: Uuid,
    from: i64,
    to: i64,
    filters: &'a Filters,
}

impl Scope<'_> {
    fn select(&self) -> Select<event::Entity> {
        self.filters.apply(
            event::Entity::find()
                .filter(event::Column::SiteId.eq(self.site))
                .filter(event::Column::Ts.gte(self.from))
                .filter(event::Column::Ts.lt(self.to)),
        )
    }
}

/// Visits first (their pageviews, first and last event), then totals over them.
async fn summary(db: &DatabaseConnection, scope: &Scope<'_>) -> Result<Summary, DbErr> {
    let visits = scope
        .select()
        .select_only()
        .column(event::Column::VisitId)
        .column(event::Column::VisitorId)
        .column_as(Expr::cust(PAGEVIEWS), "pv")
        .column_as(event::Column::Ts.min(), "first_ts")
        .column_as(event::Column::Ts.max(), "last_ts")
        .group_by(event::Column::VisitId)
        .group_by(event::Column::VisitorId)
        .into_query();
    let totals = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .expr(Expr::cust("CAST(COALESCE(SUM(pv), 0) AS BIGINT)"))
        .expr(Expr::cust(VISITORS))
        .expr(Expr::cust(
            "CAST(COALESCE(SUM(CASE WHEN pv = 1 THEN 1 ELSE 0 END), 0) AS BIGINT)",
        ))
        .expr(Expr::cust(
            "CAST(COALESCE(SUM(last_ts - first_ts), 0) AS BIGINT)",
        ))
        .from_subquery(visits, Alias::new("v"))
        .to_owned();
    let row = db
        .query_one_raw(db.get_database_backend().build(&totals))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("summary".into()))?;
    let number = |i: usize| row.try_get_by_index::<i64>(i).map(|n| n.max(0) as u64);
    Ok(summarise(
        number(1)?,
        number(2)?,
        number(0)?,
        number(3)?,
        number(4)?,
    ))
}

/// Rates from the counts; zero visits give zero rates, not NaN.
fn summarise(
    pageviews: u64,
    visitors: u64,
    visits: u64,
    bounces: u64,
    duration_ms: u64,
) -> Summary {
    let per_visit = |n: f64| if visits == 0 { 0.0 } else { n / visits as f64 };
    Summary {
        pageviews,
        visitors,
        visits,
        bounce_rate: per_visit(bounces as f64 * 100.0),
        visit_duration: per_visit(duration_ms as f64 / 1000.0),
        views_per_visit: per_visit(pageviews as f64),
    }
}

/// Pageviews and visitors per local day, every day of the range present;
/// `None` for a single day, whose one point is the summary itself.
async fn timeseries(
    db: &DatabaseConnection,
    scope: &Scope<'_>,
    range: &DateRange,
    bounds: &DayBounds,
) -> Result<Option<Vec<DayPoint>>, DbErr> {
    if range.days() == 1 {
        return Ok(None);
    }
    let rows: Vec<(i64, i64, i64)> = scope
        .select()
        .select_only()
        .column_as(Expr::cust(bounds.day_index_sql()), "day")
        .column_as(Expr::cust(PAGEVIEWS), "pageviews")
        .column_as(Expr::cust(VISITORS), "visitors")
        .group_by(Expr::cust("day"))
        .into_tuple()
        .all(db)
        .await?;
    let mut points: Vec<DayPoint> = range
        .dates()
        .map(|date| DayPoint {
            date: date.to_string(),
            pageviews: 0,
            visitors: 0,
        })
        .collect();
    for (day, pageviews, visitors) in rows {
        if let Some(point) = usize::try_from(day).ok().and_then(|d| points.get_mut(d)) {
            point.pageviews = pageviews.max(0) as u64;
            point.visitors = visitors.max(0) as u64;
        }
    }
    Ok(Some(points))
}

struct Counted {
    key: String,
    pageviews: u64,
    visitors: u64,
}

/// One dimension's top values by visitors, then pageviews. Pages count pageviews
/// only; "none" is left out except for referrers, where it is direct traffic.
async fn breakdown(
    db: &DatabaseConnection,
    scope: &Scope<'_>,
    dimension: Dimension,
) -> Result<Vec<Counted>, DbErr> {
    let column = dimension.column();
    let mut select = scope.select();
    match dimension {
        Dimension::Page => select = select.filter(event::Column::Name.eq("pageview")),
        Dimension::Referrer => {}
        Dimension::Country => select = select.filter(column.is_not_null()),
        _ => select = select.filter(column.ne("")),
    }
    let rows: Vec<(Option<String>, i64, i64)> = select
        .select_only()
        .column(column)
        .column_as(Expr::cust(PAGEVIEWS), "pageviews")
        .column_as(Expr::cust(VISITORS), "visitors")
        .group_by(column)
        .order_by_desc(Expr::cust("visitors"))
        .order_by_desc(Expr::cust("pageviews"))
        .order_by_asc(column)
        .limit(TOP)
        .into_tuple()
        .all(db)
        .await?;
    let mut rows: Vec<Counted> = rows
        .into_iter()
        .map(|(key, pageviews, visitors)| Counted {
            key: key.unwrap_or_default(),
            pageviews: pageviews.max(0) as u64,
            visitors: visitors.max(0) as u64,
        })
        .collect();
    // Ties in byte order, whatever the database's collation.
    rows.sort_by(|a, b| {
        (b.visitors, b.pageviews)
            .cmp(&(a.visitors, a.pageviews))
            .then_with(|| a.key.cmp(&b.key))
    });
    Ok(rows)
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
    let visitors: Option<i64> = recent
        .select()
        .select_only()
        .column_as(Expr::cust(VISITORS), "visitors")
        .into_tuple()
        .one(db)
        .await?;
    Ok(visitors.unwrap_or(0).max(0) as u64)
}
