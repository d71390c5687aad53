//! The rollup job: every closed site-local day becomes one row of
//! totals and one row per breakdown value, so the dashboard reads a year as a
//! few hundred rows instead of millions of events. A day is rolled once, in the
//! site's time zone; a run catches up every closed day not yet rolled, so a run
//! after downtime fills the gap and a second run finds nothing to do. Raw events
//! older than the retention are deleted once their days are rolled up.

mod day;
mod pack;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::{
    analytics::request::period::{day_start, local_date},
    chunked,
    entities::{event, rollup_day, rollup_run, site},
};

pub use day::roll_day;

/// A day is closed this long after its last midnight: beacons in flight, a
/// replica's clock running a little behind and the engagement of its last
/// pageviews have landed by then.
const GRACE_MS: i64 = crate::ingest::ENGAGEMENT_WINDOW_MS + 5 * 60 * 1000;

#[derive(Clone, Debug, Default)]
pub struct RollupOptions {
    /// One site, or every site.
    pub site: Option<Uuid>,
    /// Only days from `from` to `to` (inclusive, site-local), when given.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Delete raw events this many days old once their days are rolled up.
    pub retention_days: Option<u32>,
}

/// What a run did, as logged and kept in `rollup_runs`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    pub started_at: i64,
    pub duration_ms: i64,
    /// Site-days this run rolled up (another process may have taken some).
    pub days: u64,
    pub events_pruned: u64,
    /// UTC days packed for the Stats API (see `stats::pack_day`).
    pub days_packed: u64,
    /// Site-days whose rollup failed: logged, left pending for the next run,
    /// and no reason to stop the others or the pruning.
    pub failed_days: u64,
    pub first_failure: Option<String>,
    pub last_failure: Option<String>,
}

/// Rolls up every closed day not yet rolled up, then prunes, and records the run
/// (errors too). `progress(done, total)` follows the days. A site-day that
/// fails is counted in the report and the run goes on; a site with a failed
/// day keeps its raw events (`prune` waits for every day to be rolled up).
pub async fn run(
    db: &DatabaseConnection,
    options: &RollupOptions,
    trigger: &str,
    now_ms: i64,
    mut progress: impl FnMut(u64, u64),
) -> Result<RunReport, DbErr> {
    let started = std::time::Instant::now();
    let mut report = RunReport {
        started_at: now_ms,
        ..RunReport::default()
    };
    let outcome = async {
        let sites = sites(db, options.site).await?;
        // Each site's first kept event, read once for the rollup, the pruning
        // and the packing.
        let mut firsts = Vec::with_capacity(sites.len());
        let mut work = Vec::new();
        for site in &sites {
            let first = first_event(db, site.id).await?;
            if let Some(first) = first.map(|ts| local_date(zone(site), ts)) {
                for day in pending_days(db, site, first, options, now_ms).await? {
                    work.push((site, day));
                }
            }
            firsts.push(first);
        }
        let total = work.len() as u64;
        progress(0, total);
        for (n, (site, day)) in work.into_iter().enumerate() {
            match roll_day(db, site.id, zone(site), day).await {
                Ok(true) => report.days += 1,
                Ok(false) => {}
                Err(error) => {
                    tracing::error!(site = %site.id, %day, %error, "site-day not rolled up; tried again next run");
                    let failure = format!("site {} day {day}: {error}", site.id);
                    report.failed_days += 1;
                    report.first_failure.get_or_insert_with(|| failure.clone());
                    report.last_failure = Some(failure);
                }
            }
            progress(n as u64 + 1, total);
        }
        if let Some(days) = options.retention_days {
            for (site, first) in sites.iter().zip(&firsts) {
                if let Some(first) = first.map(|ts| local_date(zone(site), ts)) {
                    report.events_pruned += prune(db, site, first, days, now_ms).await?;
                }
            }
        }
        for (site, first) in sites.iter().zip(firsts) {
            let Some(first) = first else { continue };
            let keep_from = options
                .retention_days
                .map(|days| day_start(zone(site), retention_start(zone(site), days, now_ms)));
            if let Some(keep_from) = keep_from {
                pack::prune(db, site, keep_from).await?;
            }
            let packed = pack::pack_pending(db, site, first, keep_from, now_ms).await?;
            report.days_packed += packed.days;
            for failure in packed.failures {
                report.failed_days += 1;
                report.first_failure.get_or_insert_with(|| failure.clone());
                report.last_failure = Some(failure);
            }
        }
        if report.days + report.days_packed > 0 {
            refresh_statistics(db).await;
        }
        Ok::<_, DbErr>(())
    }
    .await;
    report.duration_ms = started.elapsed().as_millis() as i64;
    record(db, trigger, &report, outcome.as_ref().err()).await?;
    outcome.map(|()| report)
}

/// Tells PostgreSQL's planner what the tables a run filled now hold. Until
/// it knows, it takes a site's rollup rows for a handful and reads a
/// one-filter question's range day by day through every slice instead of
/// finding the slice by its index (25 ms instead of under 1 ms over 90
/// days); autovacuum catches up in time, or never where it is off. A failure
/// costs only speed, so it is logged and the run goes on.
async fn refresh_statistics(db: &DatabaseConnection) {
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let sql = "ANALYZE rollup_days, rollup_values, rollup_slices, event_packs";
    if let Err(error) = db.execute_unprepared(sql).await {
        tracing::warn!(%error, "statistics of the rollup tables not refreshed");
    }
}

/// The latest run, for `/health`.
pub async fn last_run(db: &DatabaseConnection) -> Result<Option<rollup_run::Model>, DbErr> {
    rollup_run::Entity::find()
        .order_by_desc(rollup_run::Column::Id)
        .one(db)
        .await
}

async fn sites(db: &DatabaseConnection, only: Option<Uuid>) -> Result<Vec<site::Model>, DbErr> {
    match only {
        Some(id) => match site::Entity::find_by_id(id)
            .filter(crate::sites::not_deleted())
            .one(db)
            .await?
        {
            Some(site) => Ok(vec![site]),
            None => Err(DbErr::RecordNotFound(format!("no site with id {id}"))),
        },
        // A site being deleted needs no rollups, and its purge needs no rival.
        None => {
            site::Entity::find()
                .filter(crate::sites::not_deleted())
                .all(db)
                .await
        }
    }
}

fn zone(site: &site::Model) -> Tz {
    site.timezone.parse().unwrap_or(Tz::UTC)
}

/// The site's last closed local day at `now_ms`.
fn last_closed_day(tz: Tz, now_ms: i64) -> NaiveDate {
    local_date(tz, now_ms - GRACE_MS) - Duration::days(1)
}

/// Closed days from `first` (the site's first kept day) on, within the options' dates,
/// not yet rolled up in the site's current time zone with their slices.
async fn pending_days(
    db: &DatabaseConnection,
    site: &site::Model,
    first: NaiveDate,
    options: &RollupOptions,
    now_ms: i64,
) -> Result<Vec<NaiveDate>, DbErr> {
    let tz = zone(site);
    let from = options.from.map_or(first, |d| d.max(first));
    let to = options.to.map_or(last_closed_day(tz, now_ms), |d| {
        d.min(last_closed_day(tz, now_ms))
    });
    if to < from {
        return Ok(Vec::new());
    }
    let done: std::collections::HashSet<NaiveDate> =
        rolled_days(db, site, from, to).await?.into_iter().collect();
    Ok(from
        .iter_days()
        .take_while(|d| *d <= to)
        .filter(|d| !done.contains(d))
        .collect())
}

/// The site's first event's instant (Unix ms).
async fn first_event(db: &DatabaseConnection, site: Uuid) -> Result<Option<i64>, DbErr> {
    let first: Option<Option<i64>> = event::Entity::find()
        .select_only()
        .column_as(event::Column::Ts.min(), "first")
        .filter(event::Column::SiteId.eq(site))
        .into_tuple()
        .one(db)
        .await?;
    Ok(first.flatten())
}

async fn rolled_days(
    db: &DatabaseConnection,
    site: &site::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<NaiveDate>, DbErr> {
    rollup_day::Entity::find()
        .select_only()
        .column(rollup_day::Column::Day)
        .filter(rollup_day::Column::SiteId.eq(site.id))
        .filter(rollup_day::Column::Day.between(from, to))
        .filter(rollup_day::Column::Timezone.eq(zone(site).name()))
        .filter(rollup_day::Column::Sliced.eq(true))
        .into_tuple()
        .all(db)
        .await
}

/// Deletes the site's raw events from before the retention's first day, but
/// only once every day up to and including it is rolled up: nothing is lost
/// unrolled, and that day's carry was taken while the day before still existed.
/// A chunk at a time (see `chunked`), so a large backlog does not stall ingest.
async fn prune(
    db: &DatabaseConnection,
    site: &site::Model,
    first: NaiveDate,
    retention_days: u32,
    now_ms: i64,
) -> Result<u64, DbErr> {
    let tz = zone(site);
    let keep_from = retention_start(tz, retention_days, now_ms);
    if first >= keep_from {
        return Ok(0);
    }
    let needed = (keep_from - first).num_days() as u64 + 1;
    let rolled = rollup_day::Entity::find()
        .filter(rollup_day::Column::SiteId.eq(site.id))
        .filter(rollup_day::Column::Day.between(first, keep_from))
        .filter(rollup_day::Column::Timezone.eq(tz.name()))
        .count(db)
        .await?;
    if rolled < needed {
        tracing::warn!(site = %site.id, rolled, needed, "raw events kept: days before the retention are not all rolled up");
        return Ok(0);
    }
    let before = day_start(tz, keep_from);
    let deleted = chunked::delete(db, "events", chunked::Key::Id, site.id, Some(before)).await?;
    Ok(deleted.rows)
}

/// The first local day the retention keeps.
fn retention_start(tz: Tz, retention_days: u32, now_ms: i64) -> NaiveDate {
    local_date(tz, now_ms) - Duration::days(i64::from(retention_days))
}

async fn record(
    db: &DatabaseConnection,
    trigger: &str,
    report: &RunReport,
    error: Option<&DbErr>,
) -> Result<(), DbErr> {
    let run = rollup_run::ActiveModel {
        trigger: Set(trigger.to_owned()),
        started_at: Set(report.started_at),
        duration_ms: Set(report.duration_ms),
        days: Set(report.days as i64),
        events_pruned: Set(report.events_pruned as i64),
        error: Set(error.map(ToString::to_string)),
        failed_days: Set(report.failed_days as i64),
        first_failure: Set(report.first_failure.clone()),
        last_failure: Set(report.last_failure.clone()),
        ..Default::default()
    };
    rollup_run::Entity::insert(run)
        .exec_without_returning(db)
        .await?;
    Ok(())
}
