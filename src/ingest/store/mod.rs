//! Storing a batch of events in one transaction, each assigned to its visit.
//!
//! Visits (a visitor's events with gaps under 30 minutes) are continued from
//! the `open_visits` table rather than from
//! process memory, so several servers writing to one PostgreSQL agree: each batch
//! first takes a transaction-scoped advisory lock per visitor (in key order, so two
//! writers never deadlock), then reads those visitors' latest visits, so a
//! visitor's events are assigned one batch at a time, whichever process holds them.
//! On SQLite the write lock taken at BEGIN serialises writers the same way.
//!
//! A visit's source (referrer and UTM) is that of its first event, as in
//! Plausible: a reader who came from a newsletter and then clicked through three
//! pages was brought by the newsletter, not by our own site three times. Every
//! event is stored with its visit's source, so a breakdown by source is a plain
//! GROUP BY and a source filter keeps whole visits.

use std::{
    collections::HashMap,
    ops::Range,
    sync::atomic::{AtomicU64, Ordering},
};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

use super::{
    beacon::{Engagement, Revenue},
    page::Utm,
};
use crate::entities::open_visit;

mod insert;

/// A gap this long or longer between two events of a visitor starts a new visit.
pub const VISIT_GAP_MS: i64 = 30 * 60 * 1000;

/// An engagement beacon attaches to its visitor's latest pageview of the page
/// from at most this long before it. Once a pageview is older than this it
/// never changes again, which is what lets reports keep counts of settled
/// events and the rollup job roll a day once it is this long closed.
pub const ENGAGEMENT_WINDOW_MS: i64 = 30 * 60 * 1000;

/// Rows per statement at most: well inside SQLite's and PostgreSQL's
/// bind-parameter limits. A power of two, like every shorter chunk (`chunks`).
const INSERT_CHUNK: usize = 512;

/// The row ranges that `len` rows are written in: full chunks, then the
/// largest powers of two that fit. A statement's text depends on its row
/// count, and the driver prepares each new text afresh, which for a statement
/// of hundreds of rows costs more than running it. Cut this way, batches of
/// any size come in at most ten shapes, each prepared once per connection.
fn chunks(len: usize) -> impl Iterator<Item = Range<usize>> {
    let mut start = 0;
    std::iter::from_fn(move || {
        let left = len - start;
        if left == 0 {
            return None;
        }
        let take = if left >= INSERT_CHUNK {
            INSERT_CHUNK
        } else {
            1 << left.ilog2()
        };
        start += take;
        Some(start - take..start)
    })
}

/// An event ready to store; only its visit is still to be found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    pub site_id: Uuid,
    /// Server clock, Unix milliseconds.
    pub ts: i64,
    pub name: String,
    pub hostname: String,
    pub path: String,
    pub referrer_source: String,
    pub utm: Utm,
    pub browser: String,
    pub browser_version: String,
    pub os: String,
    pub device: String,
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub visitor_id: i64,
    /// A JSON object of strings, or `None` without properties.
    pub props: Option<String>,
    pub interactive: bool,
    pub revenue: Option<Revenue>,
    /// An engagement beacon is not stored as an event: it updates the pageview
    /// it reports on.
    pub engagement: Option<Engagement>,
}

/// A visitor's latest event time and visit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastSeen {
    pub ts: i64,
    pub visit_id: i64,
    pub entry: Entry,
}

/// Where a visit came from: its first event's referrer source and UTM values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    pub referrer_source: String,
    pub utm: Utm,
}

impl Entry {
    fn of(event: &NewEvent) -> Entry {
        Entry {
            referrer_source: event.referrer_source.clone(),
            utm: event.utm.clone(),
        }
    }
}

type VisitorKey = (Uuid, i64);

/// Writes `events` in one transaction: all of them are committed, or none.
/// Batches this process has committed: answers about the open day kept
/// under an older count are stale.
static COMMITTED: AtomicU64 = AtomicU64::new(0);

pub fn committed() -> u64 {
    COMMITTED.load(Ordering::Acquire)
}

pub async fn write_batch(db: &DatabaseConnection, events: &[NewEvent]) -> Result<(), DbErr> {
    if events.is_empty() {
        return Ok(());
    }
    // IMMEDIATE: on SQLite, take the write lock before reading visits, so a second
    // process waits its turn instead of reading a state about to change.
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await?;
    let (engagements, events): (Vec<&NewEvent>, Vec<&NewEvent>) =
        events.iter().partition(|e| e.engagement.is_some());
    write_events(&txn, &events).await?;
    // After the batch's pageviews, which an engagement may report on.
    let reports = insert::Report::group(&engagements);
    for rows in chunks(reports.len()) {
        txn.execute_raw(insert::engagement(
            txn.get_database_backend(),
            &reports[rows],
        ))
        .await?;
    }
    txn.commit().await?;
    COMMITTED.fetch_add(1, Ordering::AcqRel);
    Ok(())
}

/// Inserts `events` and records their visitors' latest visits.
async fn write_events<C: ConnectionTrait>(txn: &C, events: &[&NewEvent]) -> Result<(), DbErr> {
    if events.is_empty() {
        return Ok(());
    }
    let mut visitors: Vec<VisitorKey> = events.iter().map(|e| (e.site_id, e.visitor_id)).collect();
    visitors.sort_unstable();
    visitors.dedup();
    if txn.get_database_backend() == DbBackend::Postgres {
        lock_visitors(txn, &visitors).await?;
    }
    let mut seen = last_seen(txn, &visitors).await?;
    let visits = assign_visits(events, &mut seen, rand::random::<i64>);

    let backend = txn.get_database_backend();
    for rows in chunks(events.len()) {
        txn.execute_raw(insert::events(
            backend,
            &events[rows.clone()],
            &visits[rows],
        ))
        .await?;
    }
    let seen: Vec<_> = seen.iter().collect();
    for rows in chunks(seen.len()) {
        txn.execute_raw(insert::open_visits(backend, &seen[rows]))
            .await?;
    }
    Ok(())
}

/// Gives each event its visit and that visit's source, in time order: the
/// visitor's current visit when the gap to their latest event is under 30
/// minutes, else a fresh one sourced from this event. `seen` starts as what the
/// database knew and ends as what it must know afterwards.
pub fn assign_visits<E: std::borrow::Borrow<NewEvent>>(
    events: &[E],
    seen: &mut HashMap<VisitorKey, LastSeen>,
    mut fresh_id: impl FnMut() -> i64,
) -> Vec<(i64, Entry)> {
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| events[i].borrow().ts);
    let mut visits = vec![(0, Entry::default()); events.len()];
    for i in order {
        let event = events[i].borrow();
        let key = (event.site_id, event.visitor_id);
        visits[i] = match seen.get_mut(&key) {
            // Servers' clocks may differ a little, so "before the latest" still counts.
            Some(last) if (event.ts - last.ts).abs() < VISIT_GAP_MS => {
                last.ts = last.ts.max(event.ts);
                (last.visit_id, last.entry.clone())
            }
            last => {
                let (visit_id, entry) = (fresh_id(), Entry::of(event));
                let latest = LastSeen {
                    ts: event.ts,
                    visit_id,
                    entry: entry.clone(),
                };
                match last {
                    // An old straggler starts a visit of its own but is not the latest.
                    Some(last) if event.ts < last.ts => {}
                    Some(last) => *last = latest,
                    None => {
                        seen.insert(key, latest);
                    }
                }
                (visit_id, entry)
            }
        };
    }
    visits
}

/// Deletes visit bookkeeping older than two days: visitor ids have rotated since.
pub async fn forget_old_visits(db: &DatabaseConnection, now_ms: i64) -> Result<u64, DbErr> {
    let cutoff = now_ms - 2 * 24 * 60 * 60 * 1000;
    let deleted = open_visit::Entity::delete_many()
        .filter(open_visit::Column::LastTs.lt(cutoff))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}

/// PostgreSQL only (SQLite has one writer at a time anyway). The keys are our own
/// integers, never client input, and are sorted so lock order is the same everywhere.
async fn lock_visitors<C: ConnectionTrait>(txn: &C, visitors: &[VisitorKey]) -> Result<(), DbErr> {
    let mut keys: Vec<i64> = visitors.iter().map(|(_, visitor)| *visitor).collect();
    keys.sort_unstable();
    keys.dedup();
    let list = keys
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    // Volatile functions in the select list run after ORDER BY, so locks are taken
    // in key order.
    let sql = format!(
        "SELECT pg_advisory_xact_lock(k) FROM unnest(ARRAY[{list}]::bigint[]) AS t(k) ORDER BY k"
    );
    txn.query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?;
    Ok(())
}

async fn last_seen<C: ConnectionTrait>(
    txn: &C,
    visitors: &[VisitorKey],
) -> Result<HashMap<VisitorKey, LastSeen>, DbErr> {
    let mut seen = HashMap::with_capacity(visitors.len());
    let mut start = 0;
    while start < visitors.len() {
        // One query per site (a batch rarely spans many), at most one chunk of ids.
        let site = visitors[start].0;
        let end = visitors[start..]
            .iter()
            .position(|(s, _)| *s != site)
            .map_or(visitors.len(), |n| start + n)
            .min(start + INSERT_CHUNK);
        // Padded to a power of two with its last id, for the same reason as
        // `chunks`; a repeated value in an IN list finds no extra rows.
        let ids = visitors[start..end].iter().map(|(_, v)| *v);
        let padding = (end - start).next_power_of_two() - (end - start);
        let ids = ids.chain(std::iter::repeat_n(visitors[end - 1].1, padding));
        let rows = open_visit::Entity::find()
            .filter(open_visit::Column::SiteId.eq(site))
            .filter(open_visit::Column::VisitorId.is_in(ids))
            .all(txn)
            .await?;
        for row in rows {
            seen.insert(
                (row.site_id, row.visitor_id),
                LastSeen {
                    ts: row.last_ts,
                    visit_id: row.visit_id,
                    entry: Entry {
                        referrer_source: row.referrer_source,
                        utm: Utm {
                            source: row.utm_source,
                            medium: row.utm_medium,
                            campaign: row.utm_campaign,
                            term: row.utm_term,
                            content: row.utm_content,
                        },
                    },
                },
            );
        }
        start = end;
    }
    Ok(seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(visitor: i64, minute: i64) -> NewEvent {
        NewEvent {
            site_id: Uuid::from_u128(1),
            ts: minute * 60_000,
            name: "pageview".into(),
            hostname: "example.com".into(),
            path: "/".into(),
            referrer_source: String::new(),
            utm: Utm::default(),
            browser: String::new(),
            browser_version: String::new(),
            os: String::new(),
            device: String::new(),
            country: None,
            region: None,
            city: None,
            visitor_id: visitor,
            props: None,
            interactive: true,
            revenue: None,
            engagement: None,
        }
    }

    fn counter() -> impl FnMut() -> i64 {
        let mut next = 100;
        move || {
            next += 1;
            next
        }
    }

    #[test]
    fn batches_of_any_size_are_cut_into_few_statement_shapes() {
        let mut shapes = std::collections::BTreeSet::new();
        for len in 0..=2_000 {
            let cuts: Vec<_> = chunks(len).collect();
            let mut next = 0;
            for cut in &cuts {
                assert_eq!(cut.start, next, "{len} rows: ranges must tile the batch");
                assert!(cut.len().is_power_of_two() && cut.len() <= INSERT_CHUNK);
                shapes.insert(cut.len());
                next = cut.end;
            }
            assert_eq!(next, len);
            assert!(
                cuts.len() <= len / INSERT_CHUNK + 9,
                "{len} rows took {} statements",
                cuts.len()
            );
        }
        assert_eq!(shapes.len(), 10);
    }

    #[test]
    fn gaps_under_thirty_minutes_continue_a_visit() {
        // Visitor 1 at minutes 0, 29, 58 (one visit), then 88 (a new one);
        // visitor 2 in between, on a visit of their own. Out of order on purpose.
        let events = [
            event(1, 58),
            event(1, 0),
            event(2, 10),
            event(1, 29),
            event(1, 88),
        ];
        let mut seen = HashMap::new();
        let visits = assign_visits(&events, &mut seen, counter());
        let ids: Vec<i64> = visits.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, vec![101, 101, 102, 101, 103]);
        let last = &seen[&(Uuid::from_u128(1), 1)];
        assert_eq!((last.ts, last.visit_id), (88 * 60_000, 103));
    }

    #[test]
    fn a_visit_from_an_earlier_batch_continues_and_exactly_thirty_minutes_ends_it() {
        let earlier = LastSeen {
            ts: 0,
            visit_id: 7,
            entry: Entry::default(),
        };
        let mut seen = HashMap::from([((Uuid::from_u128(1), 1), earlier)]);
        let visits = assign_visits(&[event(1, 20)], &mut seen, counter());
        assert_eq!(visits[0].0, 7);
        let visits = assign_visits(&[event(1, 50)], &mut seen, counter());
        assert_eq!(
            visits[0].0, 101,
            "a gap of exactly 30 minutes is a new visit"
        );
    }

    #[test]
    fn a_visit_keeps_the_source_of_its_first_event() {
        let from = |visitor, minute, source: &str, campaign: &str| NewEvent {
            referrer_source: source.into(),
            utm: Utm {
                campaign: campaign.into(),
                ..Utm::default()
            },
            ..event(visitor, minute)
        };
        // Out of order: the newsletter landing (minute 0) is still the entry.
        let events = [
            from(1, 5, "", ""),
            from(1, 0, "news.example", "autumn"),
            from(1, 9, "other.example", ""),
            from(1, 60, "", ""),
        ];
        let mut seen = HashMap::new();
        let visits = assign_visits(&events, &mut seen, counter());
        let sources: Vec<(&str, &str)> = visits
            .iter()
            .map(|(_, e)| (e.referrer_source.as_str(), e.utm.campaign.as_str()))
            .collect();
        assert_eq!(
            sources,
            vec![
                ("news.example", "autumn"),
                ("news.example", "autumn"),
                ("news.example", "autumn"),
                ("", ""),
            ]
        );
        assert_eq!(seen[&(Uuid::from_u128(1), 1)].entry, Entry::default());
    }
}
