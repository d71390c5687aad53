//! The schema on both backends: migrations apply and roll back cleanly, entities
//! round-trip, and deleting a site removes its events (foreign keys are enforced).

use chrono::{NaiveDate, Utc};
use migration::{Migrator, MigratorTrait};
use pagepulse_core::{
    db,
    entities::{daily_salt, event, site, user},
    testing::{TestDb, insert_pageview},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, ModelTrait, PaginatorTrait,
};
use uuid::Uuid;

async fn insert_user(db: &DatabaseConnection, email: &str) -> user::Model {
    user::ActiveModel {
        id: Set(Uuid::new_v4()),
        email: Set(email.into()),
        name: Set("Owner".into()),
        password_hash: Set("$argon2id$placeholder".into()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn migrations_roll_back_and_reapply() {
    for t in TestDb::all().await {
        let applied = Migrator::get_applied_migrations(&t.db).await.unwrap();
        assert_eq!(
            applied.len(),
            Migrator::migrations().len(),
            "{:?}",
            t.backend
        );
        Migrator::down(&t.db, None).await.unwrap();
        assert!(
            Migrator::get_applied_migrations(&t.db)
                .await
                .unwrap()
                .is_empty()
        );
        Migrator::up(&t.db, None).await.unwrap();
        assert_eq!(
            Migrator::get_pending_migrations(&t.db).await.unwrap().len(),
            0
        );
        t.teardown().await;
    }
}

/// Two replicas starting at once on a fresh PostgreSQL both come up. A race
/// does not lose every time, hence the rounds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_migrating_a_fresh_postgres_together_both_start() {
    for _ in 0..4 {
        let Some(t) = TestDb::postgres_unmigrated().await else {
            return;
        };
        let (first, second) = tokio::join!(db::connect(&t.url), db::connect(&t.url));
        for replica in [first, second] {
            let replica = replica.expect("both replicas migrate and start");
            assert!(
                Migrator::get_pending_migrations(&replica)
                    .await
                    .unwrap()
                    .is_empty()
            );
            replica.close().await.unwrap();
        }
        t.teardown().await;
    }
}

#[tokio::test]
async fn entities_round_trip_and_site_deletion_cascades() {
    for t in TestDb::all().await {
        let db = &t.db;
        let owner = insert_user(db, "owner@example.com").await;
        let site = site::ActiveModel {
            id: Set(Uuid::new_v4()),
            owner_id: Set(owner.id),
            name: Set("Blog".into()),
            domain: Set("blog.example.com".into()),
            timezone: Set("Europe/Berlin".into()),
            public: Set(false),
            created_at: Set(Utc::now()),
        }
        .insert(db)
        .await
        .unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        daily_salt::ActiveModel {
            day: Set(day),
            salt: Set(vec![7u8; 32]),
            created_at: Set(Utc::now()),
        }
        .insert(db)
        .await
        .unwrap();
        for (i, path) in ["/", "/pricing", "/blog/ünïcode"].into_iter().enumerate() {
            insert_pageview(db, site.id, 1_764_288_000_000 + i as i64 * 1000, path).await;
        }

        let salt = daily_salt::Entity::find_by_id(day)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(salt.salt, vec![7u8; 32], "{:?}", t.backend);
        let stored = site::Entity::find_by_id(site.id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored, site);
        let events = event::Entity::find().all(db).await.unwrap();
        assert_eq!(events.len(), 3);
        assert!(events.iter().any(|e| e.path == "/blog/ünïcode"));
        assert!(
            events
                .iter()
                .all(|e| e.visitor_id == -42 && e.visit_id == i64::MAX)
        );

        stored.delete(db).await.unwrap();
        assert_eq!(
            event::Entity::find().count(db).await.unwrap(),
            0,
            "{:?}",
            t.backend
        );
        t.teardown().await;
    }
}

#[tokio::test]
async fn a_second_site_with_the_same_domain_is_refused() {
    for t in TestDb::all().await {
        let db = &t.db;
        let owner = insert_user(db, "a@example.com").await;
        let new_site = || site::ActiveModel {
            id: Set(Uuid::new_v4()),
            owner_id: Set(owner.id),
            name: Set("Shop".into()),
            domain: Set("shop.example.com".into()),
            timezone: Set("UTC".into()),
            public: Set(false),
            created_at: Set(Utc::now()),
        };
        new_site().insert(db).await.unwrap();
        assert!(new_site().insert(db).await.is_err(), "{:?}", t.backend);
        t.teardown().await;
    }
}

/// The ingest writer's connection never checkpoints the write-ahead log itself
/// (a commit would wait for the copy); the background task does it.
#[tokio::test]
async fn the_write_ahead_log_is_checkpointed_beside_the_writer() {
    use pagepulse_core::db;
    use sea_orm::ConnectionTrait;

    let t = TestDb::sqlite().await;
    let pool = t.db.clone();
    let writer = db::writer(&t.url, &pool).await.unwrap().db;
    writer
        .execute_unprepared("CREATE TABLE filler (x BLOB)")
        .await
        .unwrap();
    // About 1,500 pages: past the 1,000 at which a connection would checkpoint.
    for _ in 0..15 {
        writer
            .execute_unprepared(
                "INSERT INTO filler SELECT randomblob(4000) FROM \
                 (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) SELECT i FROM n)",
            )
            .await
            .unwrap();
    }
    let file = db::sqlite_file(&t.url).unwrap().into_os_string();
    let size = |suffix: &str| {
        let mut name = file.clone();
        name.push(suffix);
        std::fs::metadata(name).map_or(0, |m| m.len())
    };
    let wal = size("-wal");
    assert!(wal > 6_000_000, "the rows are in the log: {wal} bytes");
    assert!(size("") < 2_000_000, "and not yet in the database file");

    let task = tokio::spawn(db::checkpoints(
        pool.clone(),
        std::time::Duration::from_millis(50),
    ));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    task.abort();
    assert!(
        size("") > 6_000_000,
        "copied into the database file: {} bytes",
        size("")
    );
    let _ = writer.close().await;
    t.teardown().await;
}
