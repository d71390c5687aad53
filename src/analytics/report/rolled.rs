//! Rollups as a report reads them: for each day of a range its rolled-up
//! counts, whole or one filter value's slice, and the rolled-up days' values
//! of every dimension.

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    analytics::{
        count::{
            Engaged,
            stored::{Rolled, parse_slice_breakdowns, value_hash},
        },
        request::{DateRange, Dimension},
    },
    entities::{rollup_day, rollup_slice, rollup_value},
};

/// Which rollups a report reads.
#[derive(Clone, Copy, Debug)]
pub(super) enum Rollups<'a> {
    /// None: every day from raw events.
    None,
    /// Whole days, for an unfiltered report.
    Days,
    /// One filter value's slices of the days.
    Slice(Dimension, &'a str),
}

impl<'a> Rollups<'a> {
    /// What rollups hold for these filters: whole days unfiltered, one
    /// exact value's slices, and nothing for anything else.
    pub fn for_filters(filters: &'a crate::analytics::request::Filters) -> Rollups<'a> {
        match filters.single() {
            Some((dimension, value)) => Rollups::Slice(dimension, value),
            None if filters.is_empty() => Rollups::Days,
            None => Rollups::None,
        }
    }
}

/// A rolled-up day as a report reads it: all its events, or one slice's.
#[derive(Clone, Debug, FromQueryResult)]
pub(super) struct RolledDay {
    pub day: NaiveDate,
    #[sea_orm(nested)]
    pub counts: Rolled,
    /// A slice's breakdowns as stored; a whole day's are in `rollup_values`.
    #[sea_orm(skip)]
    pub breakdowns: Option<String>,
}

#[derive(FromQueryResult)]
struct SliceRow {
    day: NaiveDate,
    #[sea_orm(nested)]
    counts: Rolled,
    breakdowns: String,
}

/// Per day of `range`, its rollup of the kind asked for, if it has one in the
/// site's time zone `timezone`.
pub(super) async fn days<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    timezone: &str,
    range: DateRange,
    rollups: Rollups<'_>,
) -> Result<Vec<Option<RolledDay>>, DbErr> {
    let mut rolled = vec![None; range.days() as usize];
    let days = rollup_day::Entity::find()
        .filter(rollup_day::Column::SiteId.eq(site))
        .filter(rollup_day::Column::Day.between(range.start, range.end))
        .filter(rollup_day::Column::Timezone.eq(timezone));
    let mut place = |day: RolledDay| {
        let index = (day.day - range.start).num_days() as usize;
        if let Some(slot) = rolled.get_mut(index) {
            *slot = Some(day);
        }
    };
    match rollups {
        Rollups::None => {}
        Rollups::Days => {
            for day in days.into_model::<RolledDay>().all(db).await? {
                place(day);
            }
        }
        Rollups::Slice(dimension, value) => {
            let sliced = days
                .filter(rollup_day::Column::Sliced.eq(true))
                .select_only()
                .column(rollup_day::Column::Day)
                .into_tuple::<NaiveDate>();
            let slices = rollup_slice::Entity::find()
                .filter(rollup_slice::Column::SiteId.eq(site))
                .filter(rollup_slice::Column::Dimension.eq(dimension.param()))
                .filter(rollup_slice::Column::ValueHash.eq(value_hash(value)))
                .filter(rollup_slice::Column::Value.eq(value))
                .filter(rollup_slice::Column::Day.between(range.start, range.end))
                .into_model::<SliceRow>();
            let (sliced, slices) = tokio::try_join!(sliced.all(db), slices.all(db))?;
            let mut slices: std::collections::HashMap<NaiveDate, SliceRow> =
                slices.into_iter().map(|row| (row.day, row)).collect();
            for day in sliced {
                // A sliced day without the value: none of its events had it.
                let (counts, breakdowns) = slices
                    .remove(&day)
                    .map_or((Rolled::default(), "[]".into()), |row| {
                        (row.counts, row.breakdowns)
                    });
                place(RolledDay {
                    day,
                    counts,
                    breakdowns: Some(breakdowns),
                });
            }
        }
    }
    Ok(rolled)
}

/// One value's rolled-up counts to add: a slot's parameter, the value,
/// pageviews, visitors (less carries), and a page's engagement.
pub(super) type Row = (String, String, i64, i64, Engaged);

/// The rolled-up days' values of every slot, less each day's carry unless the
/// day opens the range (`opening`).
pub(super) async fn values<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    opening: NaiveDate,
    rolled: &[Option<RolledDay>],
) -> Result<Vec<Row>, DbErr> {
    let mut rows = Vec::new();
    // A sliced range's days carry their own values.
    if rolled.iter().flatten().any(|d| d.breakdowns.is_some()) {
        for day in rolled.iter().flatten() {
            let Some(breakdowns) = day.breakdowns.as_deref() else {
                continue;
            };
            let opens = day.day == opening;
            for row in parse_slice_breakdowns(breakdowns)? {
                let carried = if opens { 0 } else { row.carried };
                rows.push((
                    row.param,
                    row.value,
                    row.pageviews,
                    row.visitors - carried,
                    row.engaged,
                ));
            }
        }
        return Ok(rows);
    }
    let days: Vec<_> = rolled.iter().flatten().map(|d| d.day).collect();
    let select = |days: Vec<NaiveDate>| {
        rollup_value::Entity::find()
            .select_only()
            .column(rollup_value::Column::Dimension)
            .column(rollup_value::Column::Value)
            .filter(rollup_value::Column::SiteId.eq(site))
            .filter(rollup_value::Column::Day.is_in(days))
            .group_by(rollup_value::Column::Dimension)
            .group_by(rollup_value::Column::Value)
    };
    let carried: Vec<_> = days.iter().copied().filter(|d| *d != opening).collect();
    let (sums, carries) = tokio::try_join!(
        select(days)
            .column_as(Expr::cust("CAST(SUM(pageviews) AS BIGINT)"), "pageviews")
            .column_as(Expr::cust("CAST(SUM(visitors) AS BIGINT)"), "visitors")
            .column_as(
                Expr::cust("CAST(SUM(engaged_pageviews) AS BIGINT)"),
                "engaged"
            )
            .column_as(Expr::cust("CAST(SUM(scroll_sum) AS BIGINT)"), "scroll")
            .column_as(Expr::cust("CAST(SUM(engaged_ms_sum) AS BIGINT)"), "ms")
            .into_tuple::<(String, String, i64, i64, i64, i64, i64)>()
            .all(db),
        select(carried)
            .column_as(Expr::cust("CAST(SUM(carry_visitors) AS BIGINT)"), "carried")
            .filter(rollup_value::Column::CarryVisitors.gt(0))
            .into_tuple::<(String, String, i64)>()
            .all(db),
    )?;
    rows.extend(sums.into_iter().map(
        |(dimension, value, pageviews, visitors, engaged, scroll, ms)| {
            let engaged = Engaged {
                pageviews: engaged,
                scroll,
                ms,
            };
            (dimension, value, pageviews, visitors, engaged)
        },
    ));
    rows.extend(
        carries
            .into_iter()
            .map(|(dimension, value, carried)| (dimension, value, 0, -carried, Engaged::default())),
    );
    Ok(rows)
}
