//! The ingest writer on both backends: group commit, visits that stay right with
//! two writers (two server processes) on one database, and a shutdown that
//! commits everything already queued. The queue's bound: `ingest_queue.rs`.

use pagepulse_core::{
    entities::{event, open_visit},
    ingest::{
        WriteError, WriterOptions,
        page::Utm,
        store::{self, NewEvent},
        writer::Writer,
    },
    testing::{TestDb, insert_site, new_pageview},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, Database, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

async fn visits_of(db: &sea_orm::DatabaseConnection, visitor_id: i64) -> Vec<i64> {
    event::Entity::find()
        .filter(event::Column::VisitorId.eq(visitor_id))
        .order_by_asc(event::Column::Ts)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.visit_id)
        .collect()
}

#[tokio::test]
async fn concurrent_writes_share_transactions_and_all_commit() {
    for t in TestDb::all().await {
        let site = insert_site(&t.db, "example.com").await;
        let writer = Writer::spawn(t.db.clone(), WriterOptions::default());
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let writer = writer.clone();
                tokio::spawn(async move {
                    writer
                        .write(vec![new_pageview(
                            site,
                            i % 20,
                            1_000 + i,
                            &format!("/p/{i}"),
                        )])
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(event::Entity::find().count(&t.db).await.unwrap(), 200);
        // Twenty visitors, each on one visit (all within a second).
        for visitor in 0..20 {
            let visits = visits_of(&t.db, visitor).await;
            assert_eq!(visits.len(), 10);
            assert!(visits.windows(2).all(|w| w[0] == w[1]), "{visits:?}");
        }
        assert_eq!(open_visit::Entity::find().count(&t.db).await.unwrap(), 20);
        writer.shutdown().await;
        t.teardown().await;
    }
}

#[tokio::test]
async fn two_writers_on_one_database_agree_on_visits() {
    for t in TestDb::all().await {
        let site = insert_site(&t.db, "example.com").await;
        // Two pools and two writers: what two server processes would have.
        let other_db = Database::connect(&t.url).await.unwrap();
        if t.backend == pagepulse_core::db::Backend::Sqlite {
            other_db
                .execute_unprepared("PRAGMA busy_timeout = 10000")
                .await
                .unwrap();
        }
        let a = Writer::spawn(t.db.clone(), WriterOptions::default());
        let b = Writer::spawn(other_db.clone(), WriterOptions::default());
        let minute = 60_000;
        // Visitors 1..=10 each send 30 events a minute apart, alternating writers,
        // all racing: every visitor must end up with exactly one visit.
        let tasks: Vec<_> = (1..=10)
            .flat_map(|visitor| (0..30).map(move |n| (visitor, n)))
            .map(|(visitor, n)| {
                let writer = if n % 2 == 0 { a.clone() } else { b.clone() };
                tokio::spawn(async move {
                    writer
                        .write(vec![new_pageview(site, visitor, n * minute, "/")])
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        for visitor in 1..=10 {
            let visits = visits_of(&t.db, visitor).await;
            assert_eq!(visits.len(), 30);
            assert!(
                visits.windows(2).all(|w| w[0] == w[1]),
                "{:?}: visitor {visitor} split into several visits: {visits:?}",
                t.backend
            );
        }
        // An hour later the same visitor starts a second visit.
        a.write(vec![new_pageview(site, 1, 29 * minute + 31 * minute, "/")])
            .await
            .unwrap();
        let visits = visits_of(&t.db, 1).await;
        assert_ne!(visits[30], visits[29]);
        a.shutdown().await;
        b.shutdown().await;
        let _ = other_db.close().await;
        t.teardown().await;
    }
}

#[tokio::test]
async fn shutdown_commits_what_is_queued_then_refuses() {
    for t in TestDb::all().await {
        let site = insert_site(&t.db, "example.com").await;
        let writer = Writer::spawn(t.db.clone(), WriterOptions::default());
        let tasks: Vec<_> = (0..100)
            .map(|i| {
                let w = writer.clone();
                tokio::spawn(async move { w.write(vec![new_pageview(site, i, i, "/")]).await })
            })
            .collect();
        tokio::task::yield_now().await;
        writer.shutdown().await;
        let mut committed = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(()) => committed += 1,
                // Queued after shutdown began: refused, and told so.
                Err(e) => assert_eq!(e, WriteError::ShuttingDown),
            }
        }
        assert_eq!(
            event::Entity::find().count(&t.db).await.unwrap(),
            committed,
            "every acknowledged event is stored, nothing else"
        );
        assert!(committed > 0);
        assert_eq!(
            writer.write(vec![new_pageview(site, 1, 1, "/")]).await,
            Err(WriteError::ShuttingDown)
        );
        t.teardown().await;
    }
}

#[tokio::test]
async fn a_failing_event_does_not_take_its_batch_down() {
    for t in TestDb::all().await {
        let site = insert_site(&t.db, "example.com").await;
        let gone = Uuid::new_v4(); // no such site: its foreign key fails
        let writer = Writer::spawn(t.db.clone(), WriterOptions::default());
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let w = writer.clone();
                let target = if i == 25 { gone } else { site };
                tokio::spawn(async move { w.write(vec![new_pageview(target, i, i, "/")]).await })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        assert_eq!(results[25], Err(WriteError::Database));
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 49);
        assert_eq!(event::Entity::find().count(&t.db).await.unwrap(), 49);
        writer.shutdown().await;
        t.teardown().await;
    }
}

#[tokio::test]
async fn visit_bookkeeping_older_than_two_days_is_forgotten() {
    for t in TestDb::all().await {
        let site = insert_site(&t.db, "example.com").await;
        let day = 24 * 60 * 60 * 1000;
        let now = 10 * day;
        store::write_batch(
            &t.db,
            &[
                new_pageview(site, 1, now - 3 * day, "/"),
                new_pageview(site, 2, now - day, "/"),
            ],
        )
        .await
        .unwrap();
        assert_eq!(store::forget_old_visits(&t.db, now).await.unwrap(), 1);
        let left: Vec<i64> = open_visit::Entity::find()
            .all(&t.db)
            .await
            .unwrap()
            .into_iter()
            .map(|v| v.visitor_id)
            .collect();
        assert_eq!(left, vec![2]);
        t.teardown().await;
    }
}

#[tokio::test]
async fn a_later_batch_inherits_the_source_its_visit_started_with() {
    for t in TestDb::all().await {
        let site = insert_site(&t.db, "example.com").await;
        let landing = NewEvent {
            referrer_source: "news.example".into(),
            utm: Utm {
                campaign: "autumn".into(),
                ..Utm::default()
            },
            ..new_pageview(site, 7, 1_000_000, "/")
        };
        store::write_batch(&t.db, &[landing]).await.unwrap();
        // Minutes later, a click inside the site (no external referrer) ...
        store::write_batch(&t.db, &[new_pageview(site, 7, 1_300_000, "/pricing")])
            .await
            .unwrap();
        // ... and, after a gap of over 30 minutes, a new visit of its own.
        store::write_batch(&t.db, &[new_pageview(site, 7, 4_000_000, "/")])
            .await
            .unwrap();
        let stored: Vec<(String, String)> = event::Entity::find()
            .order_by_asc(event::Column::Ts)
            .all(&t.db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.referrer_source, e.utm_campaign))
            .collect();
        let pair = |s: &str, c: &str| (s.to_owned(), c.to_owned());
        assert_eq!(
            stored,
            vec![
                pair("news.example", "autumn"),
                pair("news.example", "autumn"),
                pair("", "")
            ],
            "{:?}",
            t.backend
        );
        t.teardown().await;
    }
}

/// On SQLite the writer's own connection does not sync its commits: a request
/// is answered only once the write-ahead log is synced, and told to retry when
/// it cannot be.
#[tokio::test]
async fn answers_wait_for_the_synced_log_and_a_failed_sync_is_refused() {
    use pagepulse_core::db;

    let t = TestDb::sqlite().await;
    let pool = t.db.clone();
    let site = insert_site(&pool, "example.com").await;
    let writer_db = db::writer(&t.url, &pool).await.unwrap();
    let wal = writer_db
        .sync_wal
        .clone()
        .expect("SQLite has a log to sync");
    let mut expected = db::sqlite_file(&t.url).unwrap().into_os_string();
    expected.push("-wal");
    assert_eq!(wal.into_os_string(), expected);

    let synced = Writer::spawn(
        writer_db.db.clone(),
        WriterOptions {
            sync_wal: writer_db.sync_wal.clone(),
            ..WriterOptions::default()
        },
    );
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let writer = synced.clone();
            tokio::spawn(async move {
                writer
                    .write(vec![new_pageview(site, i, 1_000 + i, "/")])
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    synced.shutdown().await;
    assert_eq!(event::Entity::find().count(&pool).await.unwrap(), 50);

    // A log that cannot be synced: the event may be committed, but the
    // request is not told it is safe.
    let unsyncable = Writer::spawn(
        writer_db.db.clone(),
        WriterOptions {
            sync_wal: Some(
                std::env::temp_dir()
                    .join(Uuid::new_v4().simple().to_string())
                    .join("db-wal"),
            ),
            ..WriterOptions::default()
        },
    );
    let refused = unsyncable
        .write(vec![new_pageview(site, 99, 5_000, "/")])
        .await;
    assert_eq!(refused, Err(WriteError::Database));
    unsyncable.shutdown().await;

    let _ = writer_db.db.close().await;
    t.teardown().await;
}
