//! Rollups must not change a single number. On random event sets in
//! random time zones, with random days rolled up (so raw runs sit between and
//! after rolled-up days), every report over random ranges, unfiltered or
//! filtered (read from slices, or with filters no slice holds from packed
//! days), equals the report computed from raw events alone. Plus: idempotence, catching up, re-slicing, time-zone changes and
//! retention.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use pagepulse_core::{
    analytics::{AnalyticsQuery, Dimension, Match, Reports},
    entities::{event, rollup_day, rollup_run, rollup_slice, rollup_value, site},
    rollup::{RollupOptions, roll_day, run},
    stats::PackedDays,
    testing::{TestDb, insert_site_in, random_events, store_events},
};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

const DAY_MS: i64 = 86_400_000;
/// Zones with DST, half- and quarter-hour offsets, both hemispheres, UTC itself.
const ZONES: [&str; 10] = [
    "UTC",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Atlantic/Azores",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Santiago",
];
/// Mid-March to mid-April and October–November hold most DST changes.
const ANCHORS: [&str; 4] = [
    "2026-03-20T00:00:00Z",
    "2026-04-10T00:00:00Z",
    "2026-10-20T00:00:00Z",
    "2026-11-10T00:00:00Z",
];

async fn site_in(db: &DatabaseConnection, zone: &str) -> site::Model {
    insert_site_in(db, &format!("{}.example", Uuid::new_v4().simple()), zone).await
}

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

fn query(pairs: &[(&str, String)]) -> AnalyticsQuery {
    AnalyticsQuery::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str()))).unwrap()
}

/// Every named period and some custom ranges around the data; then one filter
/// (answered from slices) on random periods, values absent from the data
/// included, and two filters at once (answered from raw events).
fn queries(rng: &mut StdRng, today: NaiveDate) -> Vec<AnalyticsQuery> {
    let mut periods: Vec<Vec<(&str, String)>> =
        ["today", "yesterday", "7d", "30d", "month", "12mo"]
            .iter()
            .map(|p| vec![("period", (*p).to_owned())])
            .collect();
    for _ in 0..4 {
        let start = today - Duration::days(rng.random_range(0..24));
        let end = start + Duration::days(rng.random_range(0..12));
        periods.push(vec![
            ("period", "custom".into()),
            ("start", start.to_string()),
            ("end", end.to_string()),
        ]);
    }
    let filters: [(&str, &[&str]); 10] = [
        ("event", &["Signup", "Download", "Nothing"]),
        ("page", &["/", "/docs", "/nowhere"]),
        ("referrer", &["", "google.com", "t.co"]),
        ("browser", &["Chrome", "Safari"]),
        ("os", &["iOS", "Windows"]),
        ("device", &["mobile", "desktop"]),
        ("country", &["US", "DE", "FR"]),
        ("utm_source", &["", "news"]),
        ("utm_medium", &["cpc", "email"]),
        ("utm_campaign", &["launch", ""]),
    ];
    let mut all: Vec<AnalyticsQuery> = periods.iter().map(|p| query(p)).collect();
    for (n, (dimension, values)) in filters.iter().enumerate() {
        let mut pairs = periods.choose(rng).unwrap().clone();
        pairs.push((dimension, (*values.choose(rng).unwrap()).into()));
        if n == 1 {
            pairs.push(("referrer", "google.com".into()));
        }
        all.push(query(&pairs));
    }
    // Filters no slice answers (read from raw events, or from packed days):
    // a page pattern, contains, is not, alternatives, a custom property.
    for extra in [
        vec![("page~", "BLOG")],
        vec![("browser!", "Chrome"), ("country!", "DE")],
        vec![("page", "/|/docs"), ("os~", "i")],
        vec![("prop:plan", "pro")],
        vec![("prop:via!", "footer"), ("event", "Signup")],
        vec![("prop:plan~", "R")],
    ] {
        let mut pairs = periods.choose(rng).unwrap().clone();
        pairs.extend(extra.into_iter().map(|(k, v)| (k, v.to_owned())));
        all.push(query(&pairs));
    }
    let mut pattern = query(periods.choose(rng).unwrap());
    pattern
        .filters
        .add(
            Dimension::Page,
            Match::Glob,
            vec!["/blog*".into(), "/do*s".into()],
        )
        .unwrap();
    all.push(pattern);
    // Each event on its own (its properties come from its slices) and with
    // another filter (from raw events).
    for event in ["Signup", "Download"] {
        let mut pairs = periods.choose(rng).unwrap().clone();
        pairs.push(("event", event.into()));
        all.push(query(&pairs));
        pairs.push(("browser", "Chrome".into()));
        all.push(query(&pairs));
    }
    all
}

async fn same_answers(
    db: &DatabaseConnection,
    site: &site::Model,
    queries: &[AnalyticsQuery],
    now: i64,
    what: &str,
) {
    let reports = Reports::new(db.clone(), 4);
    // Filtered counts read packed days where the job packed them.
    let packed = Reports::new(db.clone(), 4).with_packs(Arc::new(PackedDays::new(db.clone())));
    for q in queries {
        let rolled = reports.report(site, q, now).await.unwrap();
        let raw = reports.report_from_events(site, q, now).await.unwrap();
        assert_eq!(rolled, raw, "{what}: {q:?}");
        let from_packs = packed.report(site, q, now).await.unwrap();
        assert_eq!(from_packs, raw, "{what}, from packs: {q:?}");
    }
}

#[tokio::test]
async fn rollup_backed_reports_equal_raw_reports() {
    for t in TestDb::all().await {
        let mut rng = StdRng::seed_from_u64(20261128);
        for case in 0..10 {
            let zone = ZONES[case % ZONES.len()];
            let tz: Tz = zone.parse().unwrap();
            let site = site_in(&t.db, zone).await;
            let anchor = ms(ANCHORS[rng.random_range(0..ANCHORS.len())]) / DAY_MS;
            let days = rng.random_range(3..22);
            store_events(&t.db, random_events(&mut rng, site.id, anchor, days)).await;
            let now = (anchor + days - 1) * DAY_MS + rng.random_range(0..DAY_MS);
            let today = chrono::TimeZone::timestamp_millis_opt(&tz, now)
                .unwrap()
                .date_naive();
            // Some days rolled up, in random order, the others left raw.
            let mut rolled = 0;
            for back in 1..=days + 1 {
                if rng.random_bool(0.6) {
                    roll_day(&t.db, site.id, tz, today - Duration::days(back))
                        .await
                        .unwrap();
                    rolled += 1;
                }
            }
            let what = format!(
                "{:?} case {case} in {zone}, {days} days, {rolled} rolled",
                t.backend
            );
            let asked = queries(&mut rng, today);
            same_answers(&t.db, &site, &asked, now, &what).await;
            // And with every closed day rolled up by the job.
            run(
                &t.db,
                &RollupOptions {
                    site: Some(site.id),
                    ..Default::default()
                },
                "test",
                now,
                |_, _| {},
            )
            .await
            .unwrap();
            same_answers(&t.db, &site, &asked, now, &format!("{what}, all rolled")).await;
        }
        t.teardown().await;
    }
}

async fn rolled_days(db: &DatabaseConnection, site: Uuid) -> Vec<rollup_day::Model> {
    rollup_day::Entity::find()
        .filter(rollup_day::Column::SiteId.eq(site))
        .order_by_asc(rollup_day::Column::Day)
        .all(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_job_is_idempotent_catches_up_and_follows_the_time_zone() {
    for t in TestDb::all().await {
        let mut rng = StdRng::seed_from_u64(7);
        let site = site_in(&t.db, "Europe/Berlin").await;
        let first = ms("2026-10-20T00:00:00Z") / DAY_MS;
        store_events(&t.db, random_events(&mut rng, site.id, first, 12)).await;
        let only = RollupOptions {
            site: Some(site.id),
            ..Default::default()
        };

        // Six days later: the five closed local days since the first event
        // (Oct 20 01:00 local is the first possible), not today.
        let day6 = (first + 5) * DAY_MS + 12 * 3_600_000;
        let first_run = run(&t.db, &only, "test", day6, |_, _| {}).await.unwrap();
        assert_eq!(first_run.days, 5);
        let days = rolled_days(&t.db, site.id).await;
        assert_eq!(days.first().unwrap().day.to_string(), "2026-10-20");
        assert_eq!(days.last().unwrap().day.to_string(), "2026-10-24");
        let values = rollup_value::Entity::find().count(&t.db).await.unwrap();
        assert!(values > 5 * 9, "values for every dimension: {values}");

        // Running again changes nothing.
        let again = run(&t.db, &only, "test", day6, |_, _| {}).await.unwrap();
        assert_eq!(again.days, 0);
        assert_eq!(rolled_days(&t.db, site.id).await, days);
        assert_eq!(
            rollup_value::Entity::find().count(&t.db).await.unwrap(),
            values
        );

        // A day rolled up before slices existed is rolled again, with them.
        let slices = || rollup_slice::Entity::find().count(&t.db);
        let sliced = slices().await.unwrap();
        assert!(
            sliced > 5 * 9,
            "a slice per value of each dimension: {sliced}"
        );
        rollup_slice::Entity::delete_many()
            .filter(rollup_slice::Column::SiteId.eq(site.id))
            .filter(rollup_slice::Column::Day.eq(days[0].day))
            .exec(&t.db)
            .await
            .unwrap();
        let mut unsliced = days[0].clone().into_active_model();
        unsliced.sliced = Set(false);
        unsliced.update(&t.db).await.unwrap();
        assert!(slices().await.unwrap() < sliced);
        let resliced = run(&t.db, &only, "test", day6, |_, _| {}).await.unwrap();
        assert_eq!(resliced.days, 1);
        assert_eq!(slices().await.unwrap(), sliced);

        // After "downtime", every missed day is caught up, a day not before.
        let day12 = (first + 11) * DAY_MS + 12 * 3_600_000;
        let caught = run(&t.db, &only, "test", day12, |_, _| {}).await.unwrap();
        assert_eq!(caught.days, 6);
        assert_eq!(rolled_days(&t.db, site.id).await.len(), 11);
        let runs = rollup_run::Entity::find().count(&t.db).await.unwrap();
        assert_eq!(runs, 4, "every run is recorded");

        // A new time zone re-rolls the days, cut at the new midnights.
        let mut moved = site.clone().into_active_model();
        moved.timezone = Set("Asia/Kolkata".into());
        let moved = moved.update(&t.db).await.unwrap();
        let rerolled = run(&t.db, &only, "test", day12, |_, _| {}).await.unwrap();
        assert_eq!(rerolled.days, 11);
        assert!(
            rolled_days(&t.db, site.id)
                .await
                .iter()
                .all(|d| d.timezone == "Asia/Kolkata")
        );
        let asked = queries(&mut rng, NaiveDate::from_ymd_opt(2026, 10, 31).unwrap());
        same_answers(&t.db, &moved, &asked, day12, "after a zone change").await;

        // A day range outside the data and an unknown site.
        let none = RollupOptions {
            site: Some(site.id),
            from: NaiveDate::from_ymd_opt(2025, 1, 1),
            to: NaiveDate::from_ymd_opt(2025, 1, 31),
            ..Default::default()
        };
        assert_eq!(
            run(&t.db, &none, "test", day12, |_, _| {})
                .await
                .unwrap()
                .days,
            0
        );
        let unknown = RollupOptions {
            site: Some(Uuid::new_v4()),
            ..Default::default()
        };
        let error = run(&t.db, &unknown, "test", day12, |_, _| {})
            .await
            .unwrap_err();
        assert!(error.to_string().contains("no site with id"), "{error}");
        t.teardown().await;
    }
}

#[tokio::test]
async fn retention_prunes_rolled_days_and_the_dashboard_still_answers() {
    for t in TestDb::all().await {
        let mut rng = StdRng::seed_from_u64(11);
        let site = site_in(&t.db, "America/Los_Angeles").await;
        let first = ms("2026-11-01T00:00:00Z") / DAY_MS;
        store_events(&t.db, random_events(&mut rng, site.id, first, 15)).await;
        let now = (first + 14) * DAY_MS + 20 * 3_600_000;
        let mut asked = queries(&mut rng, NaiveDate::from_ymd_opt(2026, 11, 15).unwrap());
        // Rollups hold whole days and one exact value's slices: any other
        // filter over pruned days has no events left to be answered from.
        asked.retain(|q| q.filters.is_empty() || q.filters.single().is_some());
        let reports = Reports::new(t.db.clone(), 4);
        let mut before = Vec::new();
        for q in &asked {
            before.push(reports.report_from_events(&site, q, now).await.unwrap());
        }
        let keep = RollupOptions {
            site: Some(site.id),
            retention_days: Some(5),
            ..Default::default()
        };
        let pruning = run(&t.db, &keep, "test", now, |_, _| {}).await.unwrap();
        assert!(pruning.events_pruned > 0);
        let oldest: Option<event::Model> = event::Entity::find()
            .filter(event::Column::SiteId.eq(site.id))
            .order_by_asc(event::Column::Ts)
            .one(&t.db)
            .await
            .unwrap();
        // Local today is Nov 15: events before Nov 10 00:00 PST are gone.
        assert!(oldest.unwrap().ts >= ms("2026-11-10T08:00:00Z"));
        for (q, was) in asked.iter().zip(before) {
            assert_eq!(reports.report(&site, q, now).await.unwrap(), was, "{q:?}");
        }
        t.teardown().await;
    }
}

/// On PostgreSQL a run that rolled days up leaves the planner statistics of
/// the tables it filled, so a one-filter question finds its slice by index
/// from the first run on, whether autovacuum runs or not.
#[tokio::test]
async fn a_run_that_rolls_days_up_gives_postgres_statistics_of_its_tables() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    let site = site_in(&t.db, "UTC").await;
    let now = ms("2026-11-10T12:00:00Z");
    for (ago, path) in [(2, "/"), (2, "/pricing"), (1, "/")] {
        pagepulse_core::testing::insert_pageview(&t.db, site.id, now - ago * DAY_MS, path).await;
    }
    let statistics = || async {
        let sql = "SELECT count(*) FROM pg_stats WHERE tablename = 'rollup_slices'";
        let row =
            t.db.query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                sql,
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    };
    assert_eq!(statistics().await, 0, "a fresh table has none");
    let only = RollupOptions {
        site: Some(site.id),
        ..RollupOptions::default()
    };
    let report = run(&t.db, &only, "test", now, |_, _| {}).await.unwrap();
    assert_eq!(report.days, 2);
    assert!(statistics().await > 0, "the run analysed rollup_slices");
    t.teardown().await;
}
