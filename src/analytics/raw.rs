//! Aggregates over raw events, shared by the report (for days not rolled up, and
//! for every filtered question) and by the rollup job (which stores them per
//! day). Each is one query built with SeaORM's builder, so the same code runs on
//! SQLite and PostgreSQL; only the aggregate expressions are SQL.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select,
    sea_query::{Alias, Expr, Query},
};
use uuid::Uuid;

use super::{
    filters::{Dimension, Filters},
    period::DayBounds,
    report::Summary,
};
use crate::entities::event;

const PAGEVIEWS: &str = "CAST(SUM(CASE WHEN name = 'pageview' THEN 1 ELSE 0 END) AS BIGINT)";
const VISITORS: &str = "COUNT(DISTINCT visitor_id)";
pub(crate) const DAY_MS: i64 = 86_400_000;

/// Which events an aggregate looks at: one site, `from <= ts < to`, the filters.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub site: Uuid,
    pub from: i64,
    pub to: i64,
    pub filters: &'a Filters,
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

/// The summary's counts before any division. Counts of neighbouring blocks of
/// days add up, less what the blocks share (`Carry`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub pageviews: i64,
    pub visitors: i64,
    pub visits: i64,
    pub bounces: i64,
    pub duration_ms: i64,
}

/// What a block shares with the block before it, across the local midnight
/// between them. Visitor ids rotate at UTC midnight and a visit never outlives
/// its visitor id, so only a local midnight inside a UTC day can be shared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Carry {
    pub visitors: i64,
    pub visits: i64,
    /// Bounces the halves of crossing visits count that the whole visits do not.
    pub bounces: i64,
    /// The time between the halves of crossing visits, which neither half counts.
    pub duration_ms: i64,
}

impl Totals {
    pub fn add(&mut self, other: &Totals) {
        self.pageviews += other.pageviews;
        self.visitors += other.visitors;
        self.visits += other.visits;
        self.bounces += other.bounces;
        self.duration_ms += other.duration_ms;
    }

    pub fn join(&mut self, carry: &Carry) {
        self.visitors -= carry.visitors;
        self.visits -= carry.visits;
        self.bounces -= carry.bounces;
        self.duration_ms += carry.duration_ms;
    }

    /// Rates from the counts; zero visits give zero rates, not NaN.
    pub fn summary(&self) -> Summary {
        let count = |n: i64| n.max(0) as u64;
        let visits = count(self.visits);
        let per_visit = |n: f64| if visits == 0 { 0.0 } else { n / visits as f64 };
        Summary {
            pageviews: count(self.pageviews),
            visitors: count(self.visitors),
            visits,
            bounce_rate: per_visit(count(self.bounces) as f64 * 100.0),
            visit_duration: per_visit(count(self.duration_ms) as f64 / 1000.0),
            views_per_visit: per_visit(count(self.pageviews) as f64),
        }
    }
}

/// Visits first (their pageviews, first and last event), then totals over them.
pub(crate) async fn totals<C: ConnectionTrait>(db: &C, scope: &Scope<'_>) -> Result<Totals, DbErr> {
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
        .ok_or_else(|| DbErr::RecordNotFound("totals".into()))?;
    let number = |i: usize| row.try_get_by_index::<i64>(i);
    Ok(Totals {
        visits: number(0)?,
        pageviews: number(1)?,
        visitors: number(2)?,
        bounces: number(3)?,
        duration_ms: number(4)?,
    })
}

/// Pageviews and visitors per day of `bounds` (0-based index), days without
/// events left out.
pub(crate) async fn daily<C: ConnectionTrait>(
    db: &C,
    scope: &Scope<'_>,
    bounds: &DayBounds,
) -> Result<Vec<(i64, i64, i64)>, DbErr> {
    scope
        .select()
        .select_only()
        .column_as(Expr::cust(bounds.day_index_sql()), "day")
        .column_as(Expr::cust(PAGEVIEWS), "pageviews")
        .column_as(Expr::cust(VISITORS), "visitors")
        .group_by(Expr::cust("day"))
        .into_tuple()
        .all(db)
        .await
}

/// One breakdown value's counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Counted {
    pub key: String,
    pub pageviews: i64,
    pub visitors: i64,
}

/// One dimension's values by visitors, then pageviews, the first `limit` of
/// them. Pages count pageviews only; "none" is left out except for referrers,
/// where it is direct traffic.
pub(crate) async fn breakdown<C: ConnectionTrait>(
    db: &C,
    scope: &Scope<'_>,
    dimension: Dimension,
    limit: Option<u64>,
) -> Result<Vec<Counted>, DbErr> {
    let column = dimension.column();
    let rows: Vec<(Option<String>, i64, i64)> = counted(scope.select(), dimension)
        .select_only()
        .column(column)
        .column_as(Expr::cust(PAGEVIEWS), "pageviews")
        .column_as(Expr::cust(VISITORS), "visitors")
        .group_by(column)
        .order_by_desc(Expr::cust("visitors"))
        .order_by_desc(Expr::cust("pageviews"))
        .order_by_asc(column)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(key, pageviews, visitors)| Counted {
            key: key.unwrap_or_default(),
            pageviews,
            visitors,
        })
        .collect())
}

/// The events a breakdown of `dimension` counts.
fn counted(select: Select<event::Entity>, dimension: Dimension) -> Select<event::Entity> {
    let column = dimension.column();
    match dimension {
        Dimension::Page => select.filter(event::Column::Name.eq("pageview")),
        Dimension::Referrer => select,
        Dimension::Country => select.filter(column.is_not_null()),
        _ => select.filter(column.ne("")),
    }
}

/// Where the day starting at `midnight` meets the day before inside one UTC
/// day: that UTC day's part of the two days, or `None` when the local midnight
/// is a UTC midnight and nothing can be shared.
pub(crate) fn seam(midnight: i64, day_before: i64, day_after: i64) -> Option<(i64, i64)> {
    let utc_day = midnight - midnight.rem_euclid(DAY_MS);
    (utc_day != midnight).then(|| (utc_day.max(day_before), (utc_day + DAY_MS).min(day_after)))
}

/// What the events of `scope` (a seam's window) share across `midnight`:
/// visitors seen on both sides and visits that cross it.
pub(crate) async fn carry<C: ConnectionTrait>(
    db: &C,
    scope: &Scope<'_>,
    midnight: i64,
) -> Result<Carry, DbErr> {
    let before = format!("ts < {midnight}");
    let crossing = format!("MIN(ts) < {midnight} AND MAX(ts) >= {midnight}");
    let visits = scope
        .select()
        .select_only()
        .column(event::Column::VisitId)
        .column_as(
            Expr::cust(format!(
                "CAST(SUM(CASE WHEN {before} AND name = 'pageview' THEN 1 ELSE 0 END) AS BIGINT)"
            )),
            "pv_before",
        )
        .column_as(
            Expr::cust(format!(
                "CAST(SUM(CASE WHEN NOT ({before}) AND name = 'pageview' THEN 1 ELSE 0 END) AS BIGINT)"
            )),
            "pv_after",
        )
        .column_as(
            Expr::cust(format!("MAX(CASE WHEN {before} THEN ts END)")),
            "last_before",
        )
        .column_as(
            Expr::cust(format!("MIN(CASE WHEN NOT ({before}) THEN ts END)")),
            "first_after",
        )
        .group_by(event::Column::VisitId)
        .group_by(event::Column::VisitorId)
        .having(Expr::cust(crossing.clone()))
        .into_query();
    let sums = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .expr(Expr::cust(
            "CAST(COALESCE(SUM(CASE WHEN pv_before = 1 THEN 1 ELSE 0 END \
             + CASE WHEN pv_after = 1 THEN 1 ELSE 0 END \
             - CASE WHEN pv_before + pv_after = 1 THEN 1 ELSE 0 END), 0) AS BIGINT)",
        ))
        .expr(Expr::cust(
            "CAST(COALESCE(SUM(first_after - last_before), 0) AS BIGINT)",
        ))
        .from_subquery(visits, Alias::new("v"))
        .to_owned();
    let row = db
        .query_one_raw(db.get_database_backend().build(&sums))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("carry".into()))?;
    let visitors = scope
        .select()
        .select_only()
        .column(event::Column::VisitorId)
        .group_by(event::Column::VisitorId)
        .having(Expr::cust(crossing))
        .into_query();
    let count = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(visitors, Alias::new("v"))
        .to_owned();
    let visitors = db
        .query_one_raw(db.get_database_backend().build(&count))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("carry".into()))?
        .try_get_by_index::<i64>(0)?;
    Ok(Carry {
        visitors,
        visits: row.try_get_by_index(0)?,
        bounces: row.try_get_by_index(1)?,
        duration_ms: row.try_get_by_index(2)?,
    })
}

/// Per value of `dimension`: the visitors seen with it on both sides of
/// `midnight` within `scope` (a seam's window).
pub(crate) async fn value_carry<C: ConnectionTrait>(
    db: &C,
    scope: &Scope<'_>,
    dimension: Dimension,
    midnight: i64,
) -> Result<Vec<(String, i64)>, DbErr> {
    let column = dimension.column();
    let pairs = counted(scope.select(), dimension)
        .select_only()
        .column_as(column, "value")
        .column(event::Column::VisitorId)
        .group_by(column)
        .group_by(event::Column::VisitorId)
        .having(Expr::cust(format!(
            "MIN(ts) < {midnight} AND MAX(ts) >= {midnight}"
        )))
        .into_query();
    let per_value = Query::select()
        .column(Alias::new("value"))
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(pairs, Alias::new("p"))
        .group_by_col(Alias::new("value"))
        .to_owned();
    let rows = db
        .query_all_raw(db.get_database_backend().build(&per_value))
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get_by_index::<Option<String>>(0)?
                    .unwrap_or_default(),
                row.try_get_by_index::<i64>(1)?,
            ))
        })
        .collect()
}

/// Visitors with events in `scope` (the realtime count).
pub(crate) async fn visitors<C: ConnectionTrait>(db: &C, scope: &Scope<'_>) -> Result<i64, DbErr> {
    let visitors: Option<i64> = scope
        .select()
        .select_only()
        .column_as(Expr::cust(VISITORS), "visitors")
        .into_tuple()
        .one(db)
        .await?;
    Ok(visitors.unwrap_or(0))
}
