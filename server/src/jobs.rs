//! The rollup job on apalis: a cron schedule, hourly at minute 15 (so each UTC
//! day's first run is at 00:15), whose ticks are stored as tasks in the
//! application database (apalis-sqlite or apalis-postgres) before a worker runs
//! them; a tick whose run was cut short by a restart is picked up again. The
//! worker's name is registered in the storage, so one process at a time runs
//! it; a process whose worker cannot start tries again every `RETRY`, and so
//! takes over when the other is gone. The rollup itself makes sure a site-day
//! is rolled up once (`pagepulse_core::rollup`).

use std::{str::FromStr, time::Duration};

use apalis::prelude::*;
use apalis_cron::{CronScheduler, Tick};
use pagepulse_core::{
    DatabaseConnection,
    rollup::{self, RollupOptions},
};
use sea_orm::DbBackend;

/// Seconds first: at 15 minutes past every hour.
pub const SCHEDULE: &str = "0 15 * * * *";
const WORKER: &str = "pagepulse-rollup";
/// How long a worker that stopped waits before it starts again. A worker
/// stops when its name is still registered: on SQLite by a process that ran
/// until less than apalis's 30 s heartbeat ago (a restart), on PostgreSQL
/// by a live replica, whose worker this one then takes over from once that
/// replica is gone. It also stops when its storage fails to answer.
pub const RETRY: Duration = Duration::from_secs(45);

#[derive(Clone)]
struct Job {
    db: DatabaseConnection,
    retention_days: Option<u32>,
}

#[tracing::instrument(skip_all)]
async fn rollup_tick(_tick: Tick, job: Data<Job>) -> Result<(), BoxDynError> {
    let options = RollupOptions {
        retention_days: job.retention_days,
        ..RollupOptions::default()
    };
    let now = chrono::Utc::now().timestamp_millis();
    match rollup::run(&job.db, &options, "cron", now, |_, _| {}).await {
        Ok(report) => {
            tracing::info!(
                days = report.days,
                duration_ms = report.duration_ms,
                events_pruned = report.events_pruned,
                failed_days = report.failed_days,
                "rollup run finished"
            );
            Ok(())
        }
        Err(error) => {
            tracing::error!(%error, "rollup run failed");
            Err(error.into())
        }
    }
}

/// Sets up apalis's tables and starts the cron worker in the background,
/// and again whenever it stops.
pub async fn start(
    db: DatabaseConnection,
    retention_days: Option<u32>,
) -> Result<tokio::task::JoinHandle<()>, String> {
    start_on(SCHEDULE, RETRY, db, retention_days).await
}

/// `start` on another schedule (six fields, seconds first) and another wait
/// before a stopped worker starts again.
pub async fn start_on(
    schedule: &str,
    retry: Duration,
    db: DatabaseConnection,
    retention_days: Option<u32>,
) -> Result<tokio::task::JoinHandle<()>, String> {
    let schedule = cron::Schedule::from_str(schedule).map_err(|e| e.to_string())?;
    let cron = CronScheduler::new(schedule);
    let job = Job {
        db: db.clone(),
        retention_days,
    };
    let failed = |e: &dyn std::fmt::Display| format!("rollup job storage: {e}");
    // The two storages are different types behind the same builder calls.
    macro_rules! spawn_worker {
        ($storage:expr) => {{
            tokio::spawn(async move {
                loop {
                    let worker = WorkerBuilder::new(WORKER)
                        .backend(cron.clone().pipe_to($storage))
                        // One run at a time: a tick that comes while a long run
                        // (a catch-up) is busy waits for it, rather than splitting its days.
                        .concurrency(1)
                        .data(job.clone())
                        .build(rollup_tick);
                    let started = std::time::Instant::now();
                    let error = match worker.run().await {
                        Ok(()) => break,
                        Err(error) => error,
                    };
                    // A worker that ran a while and stopped is news; one that
                    // could not start while another holds its name, not.
                    if started.elapsed() > retry {
                        tracing::warn!(%error, "rollup worker stopped; it starts again");
                    } else {
                        tracing::info!(%error, "rollup worker not started; it tries again");
                    }
                    tokio::time::sleep(retry).await;
                }
            })
        }};
    }
    Ok(match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool().clone();
            apalis_postgres::PostgresStorage::setup(&pool)
                .await
                .map_err(|e| failed(&e))?;
            spawn_worker!(apalis_postgres::PostgresStorage::new(&pool))
        }
        _ => {
            // Only apalis's tables, not its `setup`: that also sets PRAGMAs on
            // whichever connections of our pool it gets (`synchronous = OFF`,
            // which would let checkpoints skip their fsync) and runs `PRAGMA
            // optimize`, whose ANALYZE turns its read transaction into a write
            // one, which fails at once, without the busy timeout, when anyone
            // else is writing. `db::settle` runs the optimize at a quiet moment.
            let pool = db.get_sqlite_connection_pool().clone();
            apalis_sqlite::SqliteStorage::migrations()
                .run(&pool)
                .await
                .map_err(|e| failed(&e))?;
            spawn_worker!(apalis_sqlite::SqliteStorage::new(&pool))
        }
    })
}
