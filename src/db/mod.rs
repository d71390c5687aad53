//! Opening the database: SQLite (embedded, the zero-configuration default) or
//! PostgreSQL (several replicas), with the schema brought up to date on connect.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

mod startup;

pub use startup::{START_UP_PATIENCE, is_busy, patiently, settle};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "DATABASE_URL {0:?} is not supported: use sqlite://PATH?mode=rwc or postgres://USER@HOST/DB"
    )]
    UnsupportedUrl(String),
    #[error("cannot use the SQLite database at {path}: {reason}")]
    DataDirectory { path: String, reason: String },
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("cannot migrate the database: {0}")]
    Migrate(String),
}

/// Which backend a `DATABASE_URL` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Self, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(DbError::UnsupportedUrl(url.to_owned()))
        }
    }
}

/// The file a SQLite URL points at, or `None` for in-memory databases.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" || url.contains("mode=memory") {
        return None;
    }
    Some(PathBuf::from(path))
}

/// The directory that holds the data: the SQLite file's folder, or the working
/// directory for PostgreSQL. Generated development secrets live here too.
pub fn data_dir(url: &str) -> PathBuf {
    sqlite_file(url)
        .and_then(|file| file.parent().map(Path::to_path_buf))
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Checks (and creates if missing) the folder of a SQLite file, so that a bad path
/// fails with a sentence naming it rather than with a driver error code.
pub fn ensure_data_dir(url: &str) -> Result<(), DbError> {
    let Some(file) = sqlite_file(url) else {
        return Ok(());
    };
    let dir = data_dir(url);
    let fail = |reason: String| DbError::DataDirectory {
        path: file.display().to_string(),
        reason,
    };
    if !dir.exists() {
        std::fs::create_dir_all(&dir)
            .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    }
    if !dir.is_dir() {
        return Err(fail(format!("{} is not a directory", dir.display())));
    }
    let probe = dir.join(format!(".pagepulse-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .map_err(|e| fail(format!("directory {} is not writable: {e}", dir.display())))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// Connects and applies every pending migration.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbError> {
    let db = open(url).await?;
    let lock = match Backend::of_url(url)? {
        Backend::Postgres => Some(MigrationLock::take(url).await?),
        Backend::Sqlite => None,
    };
    let migrated = Migrator::up(&db, None).await;
    if let Some(lock) = lock {
        lock.release().await;
    }
    migrated.map_err(|e| DbError::Migrate(one_line(&e)))?;
    Ok(db)
}

/// Replicas starting together on a fresh PostgreSQL would both create the
/// migrations table and run the same migrations, and DDL racing DDL fails
/// (duplicate keys in the catalogue). A session-level advisory lock lets one
/// migrate while the others wait and then find nothing to do. It is held on a
/// connection of its own: the lock belongs to a session, and a pool may hand
/// the unlock to another one.
struct MigrationLock(DatabaseConnection);

/// "pagepuls" in ASCII: a key no other application on the server is likely
/// to pick.
const MIGRATION_LOCK_KEY: i64 = 0x7061_6765_7075_6c73;

impl MigrationLock {
    async fn take(url: &str) -> Result<MigrationLock, DbError> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .sqlx_logging(false)
            .max_connections(1)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(5));
        let session = Database::connect(options)
            .await
            .map_err(|e| DbError::Connect(one_line(&e)))?;
        session
            .execute_unprepared(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
            .await
            .map_err(|e| DbError::Migrate(one_line(&e)))?;
        Ok(MigrationLock(session))
    }

    /// Ending the session releases the lock (and would, were we to crash).
    async fn release(self) {
        let _ = self.0.close().await;
    }
}

/// Connects without migrating (for tests of the migrations themselves).
pub async fn open(url: &str) -> Result<DatabaseConnection, DbError> {
    open_pool(url, Role::Pool).await
}

/// The connection the ingest writer commits through, and the write-ahead log
/// it must fsync itself (`WriterOptions::sync_wal`). On SQLite it is one
/// connection of its own: a connection's page cache is thrown away whenever
/// another connection has written, so a writer sharing the pool would re-read
/// its index pages on every batch. Its commits neither sync the log (the
/// writer does, beside the next commit) nor checkpoint it (`checkpoints` does,
/// beside the writer). PostgreSQL has no such costs: share the pool.
#[derive(Clone)]
pub struct WriterDb {
    pub db: DatabaseConnection,
    pub sync_wal: Option<PathBuf>,
}

pub async fn writer(url: &str, pool: &DatabaseConnection) -> Result<WriterDb, DbError> {
    match Backend::of_url(url)? {
        Backend::Sqlite => Ok(WriterDb {
            db: open_pool(url, Role::Writer).await?,
            sync_wal: sqlite_file(url).map(|file| {
                let mut wal = file.into_os_string();
                wal.push("-wal");
                PathBuf::from(wal)
            }),
        }),
        Backend::Postgres => Ok(WriterDb {
            db: pool.clone(),
            sync_wal: None,
        }),
    }
}

/// On SQLite, copies the write-ahead log into the database every `every` from
/// a pool connection, while the writer goes on committing (a passive
/// checkpoint waits for no one). The log only starts over once a checkpoint
/// has caught up with it, which steady writes can keep a passive one from
/// doing: past `WAL_RESTART_FRAMES` the checkpoint waits for the writer's
/// current commit instead and holds the next one until it is done. Nothing to
/// do on PostgreSQL.
pub async fn checkpoints(pool: DatabaseConnection, every: Duration) {
    if pool.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut mode = "PASSIVE";
    loop {
        tick.tick().await;
        let sql = format!("PRAGMA wal_checkpoint({mode})");
        // One row: busy flag, frames in the log, frames copied.
        let frames = match pool
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await
        {
            Ok(row) => row.and_then(|row| row.try_get_by_index::<i64>(1).ok()),
            Err(error) => {
                tracing::warn!(%error, "write-ahead log checkpoint failed");
                None
            }
        };
        mode = if frames.unwrap_or(0) > WAL_RESTART_FRAMES {
            "RESTART"
        } else {
            "PASSIVE"
        };
    }
}

/// 16,384 frames of 4 KiB: a 64 MiB log.
const WAL_RESTART_FRAMES: i64 = 16_384;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Pool,
    Writer,
}

async fn open_pool(url: &str, role: Role) -> Result<DatabaseConnection, DbError> {
    let backend = Backend::of_url(url)?;
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10));
    match backend {
        Backend::Sqlite => {
            ensure_data_dir(url)?;
            // WAL lets the dashboard read while beacons are written; FULL sync makes
            // a commit survive a crash of the machine, not just of us. The
            // writer's commits are synced by the writer before it answers
            // (NORMAL still syncs around checkpoints).
            // Deleted rows are overwritten with zeros, not just unlinked, on
            // the pool's connections, which do every delete (a forgotten salt
            // must not linger in a free page; `visitor::forget_old_salts`).
            // The writer only inserts and updates, and zeroing the cells its
            // updates free would cost the hot path for nothing.
            let (connections, synchronous, autocheckpoint, secure_delete) = match role {
                Role::Pool => (8, SqliteSynchronous::Full, "1000", "on"),
                Role::Writer => (1, SqliteSynchronous::Normal, "0", "off"),
            };
            options
                .max_connections(connections)
                .min_connections(1)
                .map_sqlx_sqlite_opts(move |o| {
                    o.journal_mode(SqliteJournalMode::Wal)
                        .synchronous(synchronous)
                        .busy_timeout(Duration::from_secs(10))
                        .foreign_keys(true)
                        // A 64 MiB page cache per connection, and statement
                        // journals (multi-row inserts) in memory, not temp files.
                        .pragma("cache_size", "-65536")
                        .pragma("temp_store", "memory")
                        .pragma("wal_autocheckpoint", autocheckpoint)
                        .pragma("secure_delete", secure_delete)
                });
        }
        Backend::Postgres => {
            options.max_connections(16).min_connections(1);
        }
    }
    Database::connect(options)
        .await
        .map_err(|e| DbError::Connect(one_line(&e)))
}

/// Driver errors can span lines; start-up errors must stay on one.
fn one_line(e: &DbErr) -> String {
    e.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_backends_from_urls() {
        assert_eq!(
            Backend::of_url("sqlite://./pagepulse.db?mode=rwc").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::of_url("postgres://postgres@127.0.0.1/test").unwrap(),
            Backend::Postgres
        );
        let err = Backend::of_url("mysql://root@localhost/x").unwrap_err();
        assert!(err.to_string().contains("mysql://root@localhost/x"));
    }

    #[test]
    fn finds_the_sqlite_file_and_its_folder() {
        let url = "sqlite://./data/pagepulse.db?mode=rwc";
        assert_eq!(sqlite_file(url), Some(PathBuf::from("./data/pagepulse.db")));
        assert_eq!(data_dir(url), PathBuf::from("./data"));
        assert_eq!(data_dir("sqlite://pagepulse.db"), PathBuf::from("."));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(data_dir("postgres://u@h/db"), PathBuf::from("."));
    }

    #[test]
    fn a_file_in_place_of_the_data_folder_is_a_clear_error() {
        let blocker = std::env::temp_dir().join(format!("pp-blocker-{}", std::process::id()));
        std::fs::write(&blocker, b"not a folder").unwrap();
        let url = format!("sqlite://{}/pagepulse.db?mode=rwc", blocker.display());
        let err = ensure_data_dir(&url).unwrap_err().to_string();
        std::fs::remove_file(&blocker).unwrap();
        assert!(err.contains("cannot use the SQLite database at"), "{err}");
        assert!(err.contains("is not a directory"), "{err}");
        assert!(!err.contains('\n'));
    }
}
