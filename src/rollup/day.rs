//! One site-local day rolled up: its totals and breakdowns from the raw events
//! (counted as the report counts raw days), plus what it shares with
//! the day before, written in one transaction that replaces any earlier rollup.

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, QueryFilter, Statement, TransactionTrait,
};
use uuid::Uuid;

use crate::{
    analytics::{
        count::{
            self, Counts, Slice, Stretch, slot,
            stored::{Rolled, slice_breakdowns, value_hash},
        },
        request::{Dimension, Filters, period::day_start},
    },
    chunked,
    entities::{rollup_day, rollup_slice, rollup_value},
};

struct DayRollup {
    counts: Counts,
    slices: Vec<Slice>,
}

/// Rolls up `day` of `site` in `tz`, replacing an earlier rollup made in another
/// time zone. Returns false when it was already rolled up in `tz` (another
/// process got there first). On PostgreSQL a transaction-scoped advisory lock
/// per site-day makes replicas take turns, so each site-day is computed once.
pub async fn roll_day(
    db: &DatabaseConnection,
    site: Uuid,
    tz: Tz,
    day: NaiveDate,
) -> Result<bool, DbErr> {
    let now_ms = chrono::Utc::now().timestamp_millis();
    if db.get_database_backend() == DbBackend::Postgres {
        let txn = db.begin().await?;
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [lock_key(site, day).into()],
        ))
        .await?;
        if is_rolled(&txn, site, tz, day).await? {
            txn.commit().await?;
            return Ok(false);
        }
        let rollup = compute(&txn, site, tz, day).await?;
        write(&txn, site, tz, day, &rollup, now_ms).await?;
        txn.commit().await?;
        return Ok(true);
    }
    // SQLite has one writer: read first, then write in a short transaction
    // (a read transaction upgraded to a write would fail against the ingest
    // writer's commits).
    let rollup = compute(db, site, tz, day).await?;
    let txn = db.begin().await?;
    write(&txn, site, tz, day, &rollup, now_ms).await?;
    txn.commit().await?;
    Ok(true)
}

fn lock_key(site: Uuid, day: NaiveDate) -> i64 {
    let (high, _) = site.as_u64_pair();
    (high as i64) ^ i64::from(day.num_days_from_ce())
}

async fn is_rolled<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    tz: Tz,
    day: NaiveDate,
) -> Result<bool, DbErr> {
    Ok(rollup_day::Entity::find_by_id((site, day))
        .filter(rollup_day::Column::Timezone.eq(tz.name()))
        .filter(rollup_day::Column::Sliced.eq(true))
        .one(db)
        .await?
        .is_some())
}

async fn compute<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    tz: Tz,
    day: NaiveDate,
) -> Result<DayRollup, DbErr> {
    let before = day_start(tz, day - Duration::days(1));
    let start = day_start(tz, day);
    let end = day_start(tz, day + Duration::days(1));
    let none = Filters::default();
    let stretch = Stretch {
        site,
        filters: &none,
        starts: &[start, end],
        seam: count::seam(start, before, end),
        breakdowns: true,
        kept: None,
        packs: None,
    };
    let (counts, slices) = count::count_sliced(db, &stretch).await?;
    Ok(DayRollup { counts, slices })
}

async fn write<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    tz: Tz,
    day: NaiveDate,
    rollup: &DayRollup,
    now_ms: i64,
) -> Result<(), DbErr> {
    rollup_value::Entity::delete_many()
        .filter(rollup_value::Column::SiteId.eq(site))
        .filter(rollup_value::Column::Day.eq(day))
        .exec(db)
        .await?;
    rollup_slice::Entity::delete_many()
        .filter(rollup_slice::Column::SiteId.eq(site))
        .filter(rollup_slice::Column::Day.eq(day))
        .exec(db)
        .await?;
    rollup_day::Entity::delete_by_id((site, day))
        .exec(db)
        .await?;
    let mut whole = rollup_day::ActiveModel {
        site_id: Set(site),
        day: Set(day),
        timezone: Set(tz.name().to_owned()),
        rolled_at: Set(now_ms),
        sliced: Set(true),
        ..Default::default()
    };
    Rolled::of(&rollup.counts).set_on(&mut whole)?;
    rollup_day::Entity::insert(whole)
        .exec_without_returning(db)
        .await?;
    // Properties are shown only for one event, which its slice answers.
    let values = rollup
        .counts
        .value_rows()
        .filter(|row| row.slot != slot::PROP)
        .map(|row| rollup_value::ActiveModel {
            site_id: Set(site),
            day: Set(day),
            dimension: Set(slot::param(row.slot).to_owned()),
            value: Set(row.value.to_owned()),
            pageviews: Set(row.pageviews),
            visitors: Set(row.visitors),
            carry_visitors: Set(row.carried),
            engaged_pageviews: Set(row.engaged.pageviews),
            scroll_sum: Set(row.engaged.scroll),
            engaged_ms_sum: Set(row.engaged.ms),
            ..Default::default()
        })
        .collect();
    chunked::insert(db, values).await?;
    let mut slices = Vec::with_capacity(rollup.slices.len());
    for slice in &rollup.slices {
        let mut row = rollup_slice::ActiveModel {
            site_id: Set(site),
            day: Set(day),
            dimension: Set(slice.dimension.param().to_owned()),
            value_hash: Set(value_hash(&slice.value)),
            value: Set(slice.value.clone()),
            breakdowns: Set(slice_breakdowns(
                &slice.counts,
                slice.dimension == Dimension::Event,
            )),
            ..Default::default()
        };
        Rolled::of(&slice.counts).set_on(&mut row)?;
        slices.push(row);
    }
    chunked::insert(db, slices).await
}
