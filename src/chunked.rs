//! Statements too large for one go, cut into chunks.
//!
//! Deletes: one `DELETE` of a million events holds SQLite's only write lock
//! (or, on PostgreSQL, one transaction's worth of WAL and locks) until it is
//! done, and every beacon waits behind it; chunks of `CHUNK` rows, each
//! committed on its own, let the ingest writer in between them.
//!
//! Inserts: many rows go in `INSERT_ROWS` at a time, inside both databases'
//! limits on a statement's parameters.

use std::time::{Duration, Instant};

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    Statement, Value,
};
use uuid::Uuid;

/// Rows per transaction, at most.
pub const CHUNK: u64 = 5_000;

/// Rows per INSERT: 500 rows of up to 60 columns stay under SQLite's 32,766
/// parameters and PostgreSQL's 65,535.
const INSERT_ROWS: usize = 500;

/// The longest pause between two chunks on SQLite (see `delete`).
const MAX_PAUSE: Duration = Duration::from_millis(250);

/// How a table's rows are picked out, a chunk at a time.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Key {
    /// An `id` unique across the table. The outer `DELETE` goes by it alone: with
    /// the site as well, SQLite may walk the site's whole index for each chunk.
    Id,
    /// A column unique within one site (the rest of a `(site_id, …)` key).
    WithinSite(&'static str),
}

/// What a chunked delete did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Deleted {
    pub rows: u64,
    /// Transactions it took.
    pub chunks: u64,
}

impl std::ops::AddAssign for Deleted {
    fn add_assign(&mut self, other: Deleted) {
        self.rows += other.rows;
        self.chunks += other.chunks;
    }
}

/// Deletes `site`'s rows of `table` (only those with `ts` before `before`,
/// when given), `CHUNK` at a time. `table` and `key` are our own names, never
/// input. On SQLite each chunk is followed by a pause as long as the chunk
/// took: a writer that found the lock taken retries on a growing back-off, and
/// without the pause the next chunk would take the lock before it woke.
pub(crate) async fn delete(
    db: &DatabaseConnection,
    table: &str,
    key: Key,
    site: Uuid,
    before: Option<i64>,
) -> Result<Deleted, DbErr> {
    let backend = db.get_database_backend();
    let param = |n: u8| match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => format!("?{n}"),
    };
    let mut picked = format!("site_id = {}", param(1));
    let mut values: Vec<Value> = vec![site.into()];
    if let Some(before) = before {
        picked.push_str(&format!(" AND ts < {}", param(2)));
        values.push(before.into());
    }
    let sql = match key {
        Key::Id => format!(
            "DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE {picked} LIMIT {CHUNK})"
        ),
        Key::WithinSite(column) => format!(
            "DELETE FROM {table} WHERE site_id = {} AND {column} IN \
             (SELECT {column} FROM {table} WHERE {picked} LIMIT {CHUNK})",
            param(1)
        ),
    };
    let mut done = Deleted::default();
    loop {
        let started = Instant::now();
        let rows = db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                &sql,
                values.clone(),
            ))
            .await?
            .rows_affected();
        done.rows += rows;
        done.chunks += 1;
        if rows < CHUNK {
            return Ok(done);
        }
        if backend == DbBackend::Sqlite {
            tokio::time::sleep(started.elapsed().min(MAX_PAUSE)).await;
        }
    }
}

/// Inserts `rows`, `INSERT_ROWS` to a statement, in the caller's transaction
/// if it has one.
pub(crate) async fn insert<A, C>(db: &C, mut rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(INSERT_ROWS));
        <A::Entity as EntityTrait>::insert_many(std::mem::replace(&mut rows, rest))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
