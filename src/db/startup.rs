//! Starting on a SQLite database that is busy: after a crash under load, the
//! write-ahead log can hold hundreds of megabytes, and whatever runs first
//! (recovering the log, checkpointing it, another process) holds locks for a
//! while. Start-up waits for them instead of exiting, because a server that
//! does not come back loses every beacon sent while it is down.

use std::{
    fmt::Display,
    future::Future,
    time::{Duration, Instant},
};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// How long start-up keeps retrying work that finds the database busy.
pub const START_UP_PATIENCE: Duration = Duration::from_secs(60);

/// SQLite's "busy" and "locked" errors, extended codes included (their
/// messages are shared): another connection holds a lock it will release.
pub fn is_busy(error: &str) -> bool {
    [
        "database is locked",
        "database table is locked",
        "database schema is locked",
    ]
    .iter()
    .any(|busy| error.contains(busy))
}

/// Runs `attempt` until it succeeds, fails otherwise than busy, or
/// [`START_UP_PATIENCE`] is spent; each retry is logged, with a growing pause.
/// Some locks are not waited for by SQLite's busy timeout at all (a read
/// transaction that must become a write one fails at once), so the timeout
/// alone is not enough.
pub async fn patiently<T, E, F, Fut>(what: &str, mut attempt: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: Display,
{
    let deadline = Instant::now() + START_UP_PATIENCE;
    let mut pause = Duration::from_millis(200);
    let mut attempts = 1u32;
    loop {
        match attempt().await {
            Err(error) if is_busy(&error.to_string()) && Instant::now() + pause < deadline => {
                tracing::warn!(
                    %error,
                    attempts,
                    retry_in_ms = pause.as_millis() as u64,
                    "{what}: the database is busy; retrying"
                );
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
                attempts += 1;
            }
            outcome => return outcome,
        }
    }
}

/// On SQLite, before anything else uses the database: folds the log left by
/// the last run into the database file and empties it, then refreshes the
/// query planner's statistics. Both take the write lock; done now, nobody
/// else of ours is writing, so neither waits nor makes anyone wait (the
/// periodic checkpoint that would otherwise meet a big log first holds the
/// write lock while it copies). Best effort: a failure is logged, and the
/// periodic checkpoint catches up later.
pub async fn settle(db: &DatabaseConnection) {
    if db.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    let started = Instant::now();
    let checkpoint = Statement::from_string(DbBackend::Sqlite, "PRAGMA wal_checkpoint(TRUNCATE)");
    match patiently("start-up checkpoint", || {
        db.query_one_raw(checkpoint.clone())
    })
    .await
    {
        Ok(row) => {
            // One row: busy flag, frames in the log, frames copied.
            let column = |i| {
                row.as_ref()
                    .and_then(|row| row.try_get_by_index::<i64>(i).ok())
            };
            tracing::info!(
                frames = column(1),
                busy = column(0) == Some(1),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "write-ahead log checkpointed at start-up"
            );
        }
        Err(error) => tracing::warn!(%error, "start-up checkpoint failed"),
    }
    if let Err(error) = patiently("query planner statistics", || {
        db.execute_unprepared("PRAGMA optimize")
    })
    .await
    {
        tracing::warn!(%error, "PRAGMA optimize failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_busy_and_locked_errors() {
        assert!(is_busy(
            "rollup job storage: error returned from database: (code: 5) database is locked"
        ));
        assert!(is_busy("(code: 517) database is locked"));
        assert!(is_busy("(code: 6) database table is locked"));
        assert!(!is_busy("(code: 14) unable to open database file"));
        assert!(!is_busy("no such table: events"));
    }

    #[tokio::test]
    async fn retries_while_busy_and_gives_up_on_anything_else() {
        let mut calls = 0;
        let outcome: Result<u32, String> = patiently("test", || {
            calls += 1;
            let busy = calls < 3;
            async move {
                if busy {
                    Err("database is locked".to_owned())
                } else {
                    Ok(7)
                }
            }
        })
        .await;
        assert_eq!(outcome, Ok(7));
        assert_eq!(calls, 3);

        let mut calls = 0;
        let outcome: Result<(), String> = patiently("test", || {
            calls += 1;
            async { Err("disk I/O error".to_owned()) }
        })
        .await;
        assert_eq!(outcome, Err("disk I/O error".to_owned()));
        assert_eq!(calls, 1);
    }
}
