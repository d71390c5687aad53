//! A site-day whose rollup fails does not stop the run: the other sites' days
//! are rolled and pruned, the failure is logged and recorded with the run,
//! and the day is rolled up by the next run once the cause is gone. The
//! failure is a real one on both backends: a trigger refuses that one
//! site-day's row, as a full disk or a broken constraint would.

use pagepulse_core::{
    db::Backend,
    entities::{event, rollup_day},
    rollup::{RollupOptions, last_run, run},
    testing::{TestDb, insert_site_in},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

const DAY_MS: i64 = 86_400_000;
/// 2026-11-01T00:00:00Z.
const FIRST_DAY_MS: i64 = 1_793_491_200_000;
const BAD_ZONE: &str = "Asia/Kathmandu";
const BAD_DAY: &str = "2026-11-03";

async fn site_in(db: &DatabaseConnection, domain: &str, zone: &str) -> Uuid {
    insert_site_in(db, domain, zone).await.id
}

/// Ten pageviews an hour apart on each of `days` UTC days from 2026-11-01.
async fn store_events(db: &DatabaseConnection, site: Uuid, days: i64) {
    let rows: Vec<event::ActiveModel> = (0..days * 10)
        .map(|i| event::ActiveModel {
            site_id: Set(site),
            ts: Set(FIRST_DAY_MS + (i / 10) * DAY_MS + (i % 10) * 3_600_000),
            name: Set("pageview".into()),
            hostname: Set("example.com".into()),
            path: Set("/".into()),
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
            visitor_id: Set(i),
            visit_id: Set(i),
            props: Set(None),
            ..Default::default()
        })
        .collect();
    event::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .unwrap();
}

async fn fail_one_site_day(db: &DatabaseConnection, backend: Backend) {
    let statements = match backend {
        Backend::Sqlite => vec![format!(
            "CREATE TRIGGER fail_one_day BEFORE INSERT ON rollup_days \
             WHEN NEW.timezone = '{BAD_ZONE}' AND NEW.day = '{BAD_DAY}' \
             BEGIN SELECT RAISE(ABORT, 'no space left on device'); END"
        )],
        Backend::Postgres => vec![
            format!(
                "CREATE FUNCTION fail_one_day() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF NEW.timezone = '{BAD_ZONE}' AND NEW.day = DATE '{BAD_DAY}' THEN \
                 RAISE EXCEPTION 'no space left on device'; END IF; RETURN NEW; END $$"
            ),
            "CREATE TRIGGER fail_one_day BEFORE INSERT ON rollup_days \
             FOR EACH ROW EXECUTE FUNCTION fail_one_day()"
                .to_owned(),
        ],
    };
    for sql in statements {
        db.execute_unprepared(&sql).await.unwrap();
    }
}

async fn heal(db: &DatabaseConnection, backend: Backend) {
    let sql = match backend {
        Backend::Sqlite => "DROP TRIGGER fail_one_day",
        Backend::Postgres => "DROP TRIGGER fail_one_day ON rollup_days",
    };
    db.execute_unprepared(sql).await.unwrap();
}

async fn count_events(db: &DatabaseConnection, site: Uuid) -> u64 {
    event::Entity::find()
        .filter(event::Column::SiteId.eq(site))
        .count(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn one_failing_site_day_is_recorded_and_retried_while_the_rest_rolls_and_prunes() {
    for t in TestDb::all().await {
        let good = site_in(&t.db, "good.example", "UTC").await;
        let bad = site_in(&t.db, "bad.example", BAD_ZONE).await;
        for site in [good, bad] {
            store_events(&t.db, site, 10).await;
        }
        fail_one_site_day(&t.db, t.backend).await;
        // Nov 11, 01:00 UTC: Nov 1–10 are closed in both zones; five days kept.
        let now = FIRST_DAY_MS + 10 * DAY_MS + 3_600_000;
        let options = RollupOptions {
            retention_days: Some(5),
            ..RollupOptions::default()
        };
        let report = run(&t.db, &options, "test", now, |_, _| {})
            .await
            .unwrap_or_else(|e| panic!("{:?}: the run must go on: {e}", t.backend));
        assert_eq!(report.failed_days, 1, "{:?}", t.backend);
        // Kathmandu's Nov 1 starts at 18:15 UTC the day before: its ten days
        // are Nov 1–10 there too, one of which failed.
        assert_eq!(report.days, 10 + 9);
        let failure = report.first_failure.clone().unwrap();
        assert!(failure.contains(&bad.to_string()), "{failure}");
        assert!(failure.contains(BAD_DAY), "{failure}");
        assert!(failure.contains("no space left on device"), "{failure}");
        assert_eq!(report.last_failure, report.first_failure);
        // The good site was pruned (Nov 1–5 are gone); the bad one keeps all
        // of its raw events until the missing day is rolled up.
        assert_eq!(report.events_pruned, 50);
        assert_eq!(count_events(&t.db, good).await, 50);
        assert_eq!(count_events(&t.db, bad).await, 100);

        let recorded = last_run(&t.db).await.unwrap().unwrap();
        assert_eq!(recorded.failed_days, 1);
        assert_eq!(recorded.error, None);
        assert_eq!(recorded.first_failure.as_deref(), Some(failure.as_str()));

        heal(&t.db, t.backend).await;
        let retried = run(&t.db, &options, "test", now, |_, _| {}).await.unwrap();
        assert_eq!((retried.days, retried.failed_days), (1, 0));
        let rolled = rollup_day::Entity::find()
            .filter(rollup_day::Column::SiteId.eq(bad))
            .count(&t.db)
            .await
            .unwrap();
        assert_eq!(rolled, 10);
        assert!(retried.events_pruned > 0, "the bad site is pruned at last");
        assert_eq!(last_run(&t.db).await.unwrap().unwrap().failed_days, 0);
        t.teardown().await;
    }
}
