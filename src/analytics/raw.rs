//! Raw events as the report and the rollup job see them: which events a
//! question reads (`Scope`), the counts they add up to (`Totals`, `Counted`),
//! what neighbouring days share across a midnight (`Carry`, `seam`), and the
//! realtime count. The counting itself is in `tally`.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Select,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{filters::Filters, report::Summary};
use crate::entities::event;

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
    pub(super) fn select(&self) -> Select<event::Entity> {
        self.filters.apply(
            event::Entity::find()
                .filter(event::Column::SiteId.eq(self.site))
                .filter(event::Column::Ts.gte(self.from))
                .filter(event::Column::Ts.lt(self.to)),
        )
    }

    /// One aggregate over the scope's events, e.g. `MIN(ts)`; `None` when SQL
    /// gives NULL (no events).
    pub(super) async fn aggregate<C: ConnectionTrait>(
        &self,
        db: &C,
        expression: &'static str,
    ) -> Result<Option<i64>, DbErr> {
        let value: Option<Option<i64>> = self
            .select()
            .select_only()
            .column_as(Expr::cust(expression), "value")
            .into_tuple()
            .one(db)
            .await?;
        Ok(value.flatten())
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

/// One breakdown value's counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Counted {
    pub key: String,
    pub pageviews: i64,
    pub visitors: i64,
}

/// Where the day starting at `midnight` meets the day before inside one UTC
/// day: that UTC day's part of the two days, or `None` when the local midnight
/// is a UTC midnight and nothing can be shared.
pub(crate) fn seam(midnight: i64, day_before: i64, day_after: i64) -> Option<(i64, i64)> {
    let utc_day = midnight - midnight.rem_euclid(DAY_MS);
    (utc_day != midnight).then(|| (utc_day.max(day_before), (utc_day + DAY_MS).min(day_after)))
}

/// Visitors with events in `scope` (the realtime count).
pub(crate) async fn visitors<C: ConnectionTrait>(db: &C, scope: &Scope<'_>) -> Result<i64, DbErr> {
    Ok(scope.aggregate(db, VISITORS).await?.unwrap_or(0))
}
