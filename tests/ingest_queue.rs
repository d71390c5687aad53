//! The ingest writer's queue is bounded in events: past the bound a write is
//! refused at once (the server answers 503) instead of memory growing. The
//! tests run on SQLite: another connection holds the write lock, so the
//! writer's first commit waits and the queue behind it fills.

use std::time::Duration;

use pagepulse_core::{
    entities::event,
    ingest::{WriteError, WriterOptions, store::NewEvent, writer::Writer},
    testing::{TestDb, insert_site, new_pageview},
};
use sea_orm::{ConnectionTrait, Database, EntityTrait, PaginatorTrait};

#[tokio::test]
async fn a_full_queue_refuses_instead_of_growing() {
    // SQLite: another connection holds the write lock, so the writer's first
    // commit waits and the queue behind it fills.
    let t = TestDb::sqlite().await;
    let site = insert_site(&t.db, "example.com").await;
    let blocker = Database::connect(&t.url).await.unwrap();
    blocker.execute_unprepared("BEGIN IMMEDIATE").await.unwrap();
    let writer = Writer::spawn(
        t.db.clone(),
        WriterOptions {
            queue: 2,
            batch: 1,
            ..WriterOptions::default()
        },
    );
    let mut waiting = Vec::new();
    let mut refused = 0;
    for i in 0..10 {
        let w = writer.clone();
        let task = tokio::spawn(async move { w.write(vec![new_pageview(site, 1, i, "/")]).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        if task.is_finished() {
            assert_eq!(task.await.unwrap(), Err(WriteError::QueueFull));
            refused += 1;
        } else {
            waiting.push(task);
        }
    }
    // One in the writer's hands and one queued fill the two places until the
    // commit; the rest were refused at once.
    assert_eq!(waiting.len(), 2);
    assert_eq!(refused, 8);
    blocker.execute_unprepared("COMMIT").await.unwrap();
    for task in waiting {
        task.await.unwrap().unwrap();
    }
    assert_eq!(event::Entity::find().count(&t.db).await.unwrap(), 2);
    writer.shutdown().await;
    let _ = blocker.close().await;
    t.teardown().await;
}

#[tokio::test]
async fn the_queue_counts_events_not_beacons() {
    // As above, the writer's first commit waits for another connection's lock.
    let t = TestDb::sqlite().await;
    let site = insert_site(&t.db, "example.com").await;
    let blocker = Database::connect(&t.url).await.unwrap();
    blocker.execute_unprepared("BEGIN IMMEDIATE").await.unwrap();
    let writer = Writer::spawn(
        t.db.clone(),
        WriterOptions {
            queue: 3,
            ..WriterOptions::default()
        },
    );
    let beacon = move |first: i64, n: i64| -> Vec<NewEvent> {
        (first..first + n)
            .map(|v| new_pageview(site, v, v, "/"))
            .collect()
    };
    // A timeout: a beacon wrongly let in would wait for the blocked commit.
    let refused = |events| {
        let w = writer.clone();
        async move { tokio::time::timeout(Duration::from_secs(1), w.write(events)).await }
    };
    assert_eq!(
        refused(beacon(0, 4)).await,
        Ok(Err(WriteError::QueueFull)),
        "four events never fit a queue of three"
    );
    let w = writer.clone();
    let two = tokio::spawn(async move { w.write(beacon(10, 2)).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!two.is_finished(), "the first beacon waits for its commit");
    assert_eq!(
        refused(beacon(20, 2)).await,
        Ok(Err(WriteError::QueueFull)),
        "two more events would make four"
    );
    let w = writer.clone();
    let one = tokio::spawn(async move { w.write(beacon(30, 1)).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!one.is_finished(), "one more event fits");
    blocker.execute_unprepared("COMMIT").await.unwrap();
    two.await.unwrap().unwrap();
    one.await.unwrap().unwrap();
    assert_eq!(event::Entity::find().count(&t.db).await.unwrap(), 3);
    // Committed events leave the queue: the same beacon now fits.
    writer.write(beacon(20, 2)).await.unwrap();
    writer.shutdown().await;
    let _ = blocker.close().await;
    t.teardown().await;
}
