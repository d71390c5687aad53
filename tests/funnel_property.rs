//! Every funnel count equals a brute-force count: random events (some UTC
//! days packed, the rest raw), random funnels of 2–5 steps mixing goals and
//! page patterns, random ranges and visit filters; each step's visitors
//! compared with a walk over the raw rows written here, on SQLite and
//! PostgreSQL.

use std::collections::{BTreeMap, HashSet};

use chrono::{Duration, NaiveDate};
use pagepulse_core::{
    analytics::{AnalyticsQuery, Reports},
    dashboard,
    entities::event,
    funnels::{self, Step},
    goals::{self, NewGoal},
    stats::pack_day,
    testing::{TestDb, insert_site, random_events, store_events},
};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

const FIRST_DAY: i64 = 20_532;
const DAYS: i64 = 8;

/// A step as the brute force reads it, beside the step the API takes.
#[derive(Clone, Copy)]
enum Want {
    Event(&'static str),
    /// A pageview whose path starts with this (a pattern ending in `*`).
    Prefix(&'static str),
    /// A pageview of exactly this path.
    Path(&'static str),
}

const STEPS: [(Want, &str, bool); 7] = [
    (Want::Event("Signup"), "Signup", true),
    (Want::Prefix("/blog/"), "Visit /blog/*", true),
    (Want::Path("/"), "/", false),
    (Want::Path("/pricing"), "/pricing", false),
    (Want::Prefix("/docs"), "/docs*", false),
    (Want::Path("/about"), "/about", false),
    (Want::Event("Download"), "Download", true),
];

fn completes(want: Want, row: &event::Model) -> bool {
    match want {
        Want::Event(name) => row.name == name,
        Want::Prefix(prefix) => row.name == "pageview" && row.path.starts_with(prefix),
        Want::Path(path) => row.name == "pageview" && row.path == path,
    }
}

/// Per step, the visitors one of whose visits (passing `keep`, judged on
/// its first event) reached it in order.
fn brute_force(
    rows: &[event::Model],
    wants: &[Want],
    keep: impl Fn(&event::Model) -> bool,
) -> Vec<u64> {
    let mut by_visit: BTreeMap<i64, Vec<&event::Model>> = BTreeMap::new();
    for row in rows {
        by_visit.entry(row.visit_id).or_default().push(row);
    }
    let mut reached: Vec<HashSet<i64>> = vec![HashSet::new(); wants.len()];
    for events in by_visit.values() {
        if !keep(events[0]) {
            continue;
        }
        let mut step = 0;
        for row in events {
            if step < wants.len() && completes(wants[step], row) {
                step += 1;
            }
        }
        for visitors in &mut reached[..step] {
            visitors.insert(events[0].visitor_id);
        }
    }
    reached.iter().map(|v| v.len() as u64).collect()
}

#[tokio::test]
async fn funnel_counts_equal_brute_force_counts() {
    for t in TestDb::all().await {
        let mut rng = StdRng::seed_from_u64(0xf0_11e1);
        let site_id = insert_site(&t.db, "funnels.example").await;
        let site = pagepulse_core::entities::site::Entity::find_by_id(site_id)
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        for (kind, target) in [
            ("event", "Signup"),
            ("page", "/blog/*"),
            ("event", "Download"),
        ] {
            let new = match kind {
                "event" => NewGoal::from_fields(Some(kind), Some(target), None, None),
                _ => NewGoal::from_fields(Some(kind), None, Some(target), None),
            };
            goals::create(&t.db, site.id, new.unwrap()).await.unwrap();
        }
        store_events(&t.db, random_events(&mut rng, site.id, FIRST_DAY, DAYS)).await;
        for day in FIRST_DAY..FIRST_DAY + DAYS {
            if rng.random_bool(0.5) {
                pack_day(&t.db, site.id, day * 86_400_000).await.unwrap();
            }
        }
        let reports = Reports::new(t.db.clone(), 2);
        let day0 = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + Duration::days(FIRST_DAY);
        let mut nonzero_last_steps = 0;
        for round in 0..40 {
            let n = rng.random_range(2..=5);
            let chosen: Vec<&(Want, &str, bool)> = STEPS.choose_multiple(&mut rng, n).collect();
            let steps: Vec<Step> = chosen
                .iter()
                .map(|(_, name, goal)| Step {
                    goal: goal.then(|| name.to_string()),
                    page: (!goal).then(|| name.to_string()),
                })
                .collect();
            let wants: Vec<Want> = chosen.iter().map(|(want, _, _)| *want).collect();
            let funnel = funnels::create(&t.db, site.id, "random", steps)
                .await
                .unwrap();
            let start = day0 + Duration::days(rng.random_range(0..DAYS - 1));
            let end = start + Duration::days(rng.random_range(0..DAYS / 2));
            let filter = *[
                "",
                "&browser=Chrome",
                "&referrer!=google.com",
                "&os=iOS|Android",
            ]
            .choose(&mut rng)
            .unwrap();
            let query = AnalyticsQuery::from_query_string(&format!(
                "period=custom&start={start}&end={end}{filter}"
            ))
            .unwrap();
            let got = dashboard::funnel(&reports, &t.db, &site, &funnel, &query, 0)
                .await
                .unwrap();

            let (from, to) = (
                start
                    .and_hms_opt(0, 0, 0)
                    .unwrap()
                    .and_utc()
                    .timestamp_millis(),
                (end + Duration::days(1))
                    .and_hms_opt(0, 0, 0)
                    .unwrap()
                    .and_utc()
                    .timestamp_millis(),
            );
            let rows = event::Entity::find()
                .filter(event::Column::SiteId.eq(site.id))
                .filter(event::Column::Ts.gte(from))
                .filter(event::Column::Ts.lt(to))
                .order_by_asc(event::Column::Ts)
                .order_by_asc(event::Column::Id)
                .all(&t.db)
                .await
                .unwrap();
            let want = brute_force(&rows, &wants, |first| match filter {
                "&browser=Chrome" => first.browser == "Chrome",
                "&referrer!=google.com" => first.referrer_source != "google.com",
                "&os=iOS|Android" => first.os == "iOS" || first.os == "Android",
                _ => true,
            });
            let visitors: Vec<u64> = got.steps.iter().map(|s| s.visitors).collect();
            assert_eq!(visitors, want, "round {round}: {filter} {start}..{end}");
            if want.last().is_some_and(|&v| v > 0) {
                nonzero_last_steps += 1;
            }
            // Rates follow from the counts.
            let first = want[0] as f64;
            for (k, step) in got.steps.iter().enumerate() {
                let rate = if first == 0.0 {
                    0.0
                } else {
                    want[k] as f64 * 100.0 / first
                };
                assert!((step.conversion_rate - rate).abs() < 0.01, "round {round}");
                let dropoff = if k == 0 { 0 } else { want[k - 1] - want[k] };
                assert_eq!(step.dropoff, dropoff, "round {round}");
            }
            funnels::delete(&t.db, site.id, funnel.id).await.unwrap();
        }
        assert!(
            nonzero_last_steps >= 5,
            "the random funnels were mostly empty"
        );
        t.teardown().await;
    }
}
