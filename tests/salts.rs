//! Daily salts on both backends: one per day even when made concurrently, and
//! forgotten once older than yesterday.

use chrono::NaiveDate;
use pagepulse_core::{
    entities::daily_salt,
    ingest::visitor::{forget_old_salts, salt_for},
    testing::TestDb,
};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};

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

/// Whether `needle` occurs anywhere in `file` (a missing file holds nothing).
fn file_holds(file: &std::path::Path, needle: &[u8]) -> bool {
    std::fs::read(file).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
}

#[tokio::test]
async fn forgotten_salts_leave_no_bytes_in_the_sqlite_files() {
    let t = TestDb::sqlite().await;
    let mut salts = Vec::new();
    for d in 20..=28 {
        salts.push((d, salt_for(&t.db, day(d)).await.unwrap()));
    }
    let file = pagepulse_core::db::sqlite_file(&t.url).unwrap();
    let wal = std::path::PathBuf::from(format!("{}-wal", file.display()));
    // The salts were written through the log; make sure the file has them too,
    // as it would after any routine checkpoint.
    t.db.execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
        .await
        .unwrap();
    assert!(
        file_holds(&file, &salts[0].1),
        "the scan finds stored salts"
    );

    assert_eq!(forget_old_salts(&t.db, day(28)).await.unwrap(), 7);
    for (d, salt) in &salts {
        let found = file_holds(&file, salt) || file_holds(&wal, salt);
        assert_eq!(found, *d >= 27, "salt of day {d}: found {found}");
    }
    t.teardown().await;
}
