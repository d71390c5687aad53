//! Daily salts on both backends: one per day even when made concurrently, and
//! forgotten once older than yesterday.

use chrono::NaiveDate;
use pagepulse_core::{
    entities::daily_salt,
    ingest::visitor::{forget_old_salts, salt_for},
    testing::TestDb,
};
use sea_orm::{EntityTrait, PaginatorTrait};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

#[tokio::test]
async fn one_salt_per_day_even_when_made_concurrently() {
    for t in TestDb::all().await {
        let racers: Vec<_> = (0..8)
            .map(|_| {
                let db = t.db.clone();
                tokio::spawn(async move { salt_for(&db, day(28)).await.unwrap() })
            })
            .collect();
        let mut salts = Vec::new();
        for racer in racers {
            salts.push(racer.await.unwrap());
        }
        assert!(
            salts.windows(2).all(|w| w[0] == w[1]),
            "{:?}: all racers read one salt",
            t.backend
        );
        assert_ne!(salts[0], [0u8; 32]);
        assert_eq!(daily_salt::Entity::find().count(&t.db).await.unwrap(), 1);
        assert_ne!(
            salt_for(&t.db, day(29)).await.unwrap(),
            salts[0],
            "a new day, a new salt"
        );
        t.teardown().await;
    }
}

#[tokio::test]
async fn salts_older_than_yesterday_are_forgotten() {
    for t in TestDb::all().await {
        for d in 24..=28 {
            salt_for(&t.db, day(d)).await.unwrap();
        }
        let deleted = forget_old_salts(&t.db, day(28)).await.unwrap();
        assert_eq!(deleted, 3, "{:?}", t.backend);
        let mut kept: Vec<NaiveDate> = daily_salt::Entity::find()
            .all(&t.db)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.day)
            .collect();
        kept.sort();
        assert_eq!(kept, [day(27), day(28)]);
        t.teardown().await;
    }
}
