//! Deleting a site and pruning raw events in chunks (`chunked::CHUNK` rows per
//! transaction) on both backends: everything goes, in more than one
//! transaction, and nothing of another site goes with it.

use pagepulse_core::{
    chunked::CHUNK,
    entities::{event, open_visit, rollup_day, rollup_slice, rollup_value, site, site_deletion},
    ingest::store::{self, NewEvent},
    rollup::{RollupOptions, run},
    sites::{self, SiteError},
    testing::{TestDb, insert_site, new_pageview},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

const DAY_MS: i64 = 86_400_000;
/// 2026-11-01T00:00:00Z.
const FIRST_DAY_MS: i64 = 1_793_491_200_000;

/// `n` pageviews spread evenly over `days` UTC days from 2026-11-01.
async fn store_events(db: &DatabaseConnection, site: Uuid, n: i64, days: i64) {
    let rows: Vec<event::ActiveModel> = (0..n)
        .map(|i| {
            let day = i * days / n;
            event::ActiveModel {
                site_id: Set(site),
                ts: Set(FIRST_DAY_MS + day * DAY_MS + (i % 1000) * 60_000),
                name: Set("pageview".into()),
                hostname: Set("example.com".into()),
                path: Set(format!("/p/{}", i % 7)),
                referrer_source: Set(String::new()),
                utm_source: Set(String::new()),
                utm_medium: Set(String::new()),
                utm_campaign: Set(String::new()),
                utm_term: Set(String::new()),
                utm_content: Set(String::new()),
                browser: Set("Firefox".into()),
                browser_version: Set("133".into()),
                os: Set("Linux".into()),
                device: Set("desktop".into()),
                country: Set(None),
                visitor_id: Set(day * 10_000 + i % 300),
                visit_id: Set(day * 10_000 + i % 300),
                props: Set(None),
                ..Default::default()
            }
        })
        .collect();
    for chunk in rows.chunks(500) {
        event::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await
            .unwrap();
    }
}

/// Through the ingest store, so the site has visit bookkeeping too.
async fn store_visits(db: &DatabaseConnection, site: Uuid, now_ms: i64) {
    let events: Vec<NewEvent> = (0..20)
        .map(|v| new_pageview(site, v, now_ms, "/"))
        .collect();
    store::write_batch(db, &events).await.unwrap();
}

/// Rows of `site` in every table that holds some.
async fn rows_of(db: &DatabaseConnection, site: Uuid) -> [u64; 6] {
    [
        event::Entity::find()
            .filter(event::Column::SiteId.eq(site))
            .count(db)
            .await
            .unwrap(),
        open_visit::Entity::find()
            .filter(open_visit::Column::SiteId.eq(site))
            .count(db)
            .await
            .unwrap(),
        rollup_day::Entity::find()
            .filter(rollup_day::Column::SiteId.eq(site))
            .count(db)
            .await
            .unwrap(),
        rollup_value::Entity::find()
            .filter(rollup_value::Column::SiteId.eq(site))
            .count(db)
            .await
            .unwrap(),
        rollup_slice::Entity::find()
            .filter(rollup_slice::Column::SiteId.eq(site))
            .count(db)
            .await
            .unwrap(),
        site::Entity::find_by_id(site).count(db).await.unwrap(),
    ]
}

async fn owner_of(db: &DatabaseConnection, site: Uuid) -> Uuid {
    site::Entity::find_by_id(site)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .owner_id
}

#[tokio::test]
async fn a_site_of_several_chunks_is_deleted_completely_and_alone() {
    let events = 2 * CHUNK as i64 + 1;
    for t in TestDb::all().await {
        let doomed = insert_site(&t.db, "doomed.example").await;
        let kept = insert_site(&t.db, "kept.example").await;
        let now = FIRST_DAY_MS + 4 * DAY_MS;
        for site in [doomed, kept] {
            store_events(&t.db, site, events, 3).await;
            store_visits(&t.db, site, now).await;
        }
        let report = run(&t.db, &RollupOptions::default(), "test", now, |_, _| {})
            .await
            .unwrap();
        // Nov 1–3 closed (the visits are on the open Nov 5), for each site.
        assert_eq!(report.days, 2 * 3, "{:?}", t.backend);
        let before = rows_of(&t.db, kept).await;
        assert!(before.iter().all(|&n| n > 0), "{before:?}");
        assert_eq!(rows_of(&t.db, doomed).await, before);

        let owner = owner_of(&t.db, doomed).await;
        let purged = sites::delete(&t.db, owner, doomed)
            .await
            .unwrap()
            .expect("a small site is purged before the answer");
        assert_eq!(purged.events.rows, events as u64 + 20);
        assert_eq!(
            purged.events.chunks, 3,
            "{:?}: one transaction per chunk",
            t.backend
        );
        assert_eq!(rows_of(&t.db, doomed).await, [0; 6], "{:?}", t.backend);
        assert_eq!(site_deletion::Entity::find().count(&t.db).await.unwrap(), 0);
        assert_eq!(rows_of(&t.db, kept).await, before, "{:?}", t.backend);
        t.teardown().await;
    }
}

#[tokio::test]
async fn a_site_being_deleted_is_hidden_and_an_interrupted_purge_is_finished() {
    for t in TestDb::all().await {
        let site = insert_site(&t.db, "halfway.example").await;
        store_events(&t.db, site, 100, 2).await;
        let owner = owner_of(&t.db, site).await;
        // What a purge cut short by a restart leaves: the marker, and rows.
        site_deletion::Entity::insert(site_deletion::ActiveModel {
            site_id: Set(site),
            requested_at: Set(0),
        })
        .exec_without_returning(&t.db)
        .await
        .unwrap();
        assert!(matches!(
            sites::get(&t.db, owner, site).await,
            Err(SiteError::NotFound)
        ));
        assert!(sites::list(&t.db, owner).await.unwrap().is_empty());
        let rollup = RollupOptions {
            site: Some(site),
            ..RollupOptions::default()
        };
        assert!(
            run(&t.db, &rollup, "test", FIRST_DAY_MS + 9 * DAY_MS, |_, _| {})
                .await
                .is_err()
        );

        assert_eq!(sites::purge_pending(&t.db).await.unwrap(), 1);
        assert_eq!(rows_of(&t.db, site).await, [0; 6], "{:?}", t.backend);
        assert_eq!(sites::purge_pending(&t.db).await.unwrap(), 0);
        t.teardown().await;
    }
}

#[tokio::test]
async fn pruning_more_than_one_chunk_keeps_exactly_the_retained_days() {
    let events = 3 * CHUNK as i64;
    for t in TestDb::all().await {
        let site = insert_site(&t.db, "old.example").await;
        store_events(&t.db, site, events, 10).await;
        // Today is Nov 11 (UTC); five days kept: events before Nov 6 go.
        let now = FIRST_DAY_MS + 10 * DAY_MS + 3_600_000;
        let cutoff = FIRST_DAY_MS + 5 * DAY_MS;
        let old = event::Entity::find()
            .filter(event::Column::Ts.lt(cutoff))
            .count(&t.db)
            .await
            .unwrap();
        assert!(old > CHUNK, "{old} events to prune");
        let keep = RollupOptions {
            retention_days: Some(5),
            ..RollupOptions::default()
        };
        let report = run(&t.db, &keep, "test", now, |_, _| {}).await.unwrap();
        assert_eq!(report.events_pruned, old, "{:?}", t.backend);
        let left = event::Entity::find().count(&t.db).await.unwrap();
        assert_eq!(left, events as u64 - old);
        let early = event::Entity::find()
            .filter(event::Column::Ts.lt(cutoff))
            .count(&t.db)
            .await
            .unwrap();
        assert_eq!(early, 0);
        t.teardown().await;
    }
}
