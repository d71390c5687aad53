//! What Plausible's trackers send beyond pageviews, on SQLite and PostgreSQL:
//! engagement beacons that attach to the pageview they report on (never stored
//! as events), non-interactive events that leave a visit a bounce, revenue, and
//! the report's custom events, their properties and each page's engagement,
//! the same from raw events and from rollups.

use chrono_tz::Tz;
use pagepulse_core::{
    analytics::{AnalyticsQuery, Reports, report::Report},
    entities::{event, site},
    ingest::{
        ENGAGEMENT_WINDOW_MS, WriterOptions,
        beacon::{Engagement, Revenue},
        store::NewEvent,
        writer::Writer,
    },
    rollup::roll_day,
    testing::{TestDb, insert_site, new_pageview},
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

fn engagement(site: Uuid, visitor: i64, ts: i64, path: &str, sd: i16, e: i64) -> NewEvent {
    NewEvent {
        name: "engagement".into(),
        engagement: Some(Engagement {
            scroll_depth: sd,
            engaged_ms: e,
        }),
        ..new_pageview(site, visitor, ts, path)
    }
}

fn custom(site: Uuid, visitor: i64, ts: i64, name: &str, props: Option<&str>) -> NewEvent {
    NewEvent {
        name: name.into(),
        props: props.map(Into::into),
        ..new_pageview(site, visitor, ts, "/pricing")
    }
}

async fn events_of(db: &DatabaseConnection, site: Uuid) -> Vec<event::Model> {
    event::Entity::find()
        .filter(event::Column::SiteId.eq(site))
        .order_by_asc(event::Column::Ts)
        .all(db)
        .await
        .unwrap()
}

/// "Now" is 2026-11-20 12:00 UTC; the events are on the 19th, a closed day.
const NOW: &str = "2026-11-20T12:00:00Z";

/// Two visitors on 2026-11-19:
/// - visitor 1: /a at 10:00, /b at 10:01, /a again at 10:02; engagement for /a
///   at 10:03 (60 %, 4 s) and 10:05 (40 %, 2 s) attaches to the second /a
///   (deepest 60 %, 6 s); engagement for /b at 10:04 (20 %, 10 s); a Signup
///   (plan pro) at 10:06. One visit, not a bounce.
/// - visitor 2: /a at 11:00 with engagement (90 %, 12 s), a non-interactive
///   "Video Play" and a Signup (plan free) sent as non-interactive too: still a
///   bounce. A "Purchase" with revenue on another visit at 15:00 (one
///   interactive event: a bounce of its own).
///
/// Engagement that finds nothing changes nothing: visitor 3 never viewed /a,
/// and /b's second report comes when its pageview is past the window.
async fn fixture(db: &DatabaseConnection, site: Uuid) {
    let at = |t: &str| ms(&format!("2026-11-19T{t}:00Z"));
    let writer = Writer::spawn(db.clone(), WriterOptions::default());
    let quiet = |e: NewEvent| NewEvent {
        interactive: false,
        ..e
    };
    let batches = vec![
        vec![
            new_pageview(site, 1, at("10:00"), "/a"),
            new_pageview(site, 1, at("10:01"), "/b"),
        ],
        // The pageview and its engagement in one batch: the engagement is
        // applied after the batch's inserts.
        vec![
            new_pageview(site, 1, at("10:02"), "/a"),
            engagement(site, 1, at("10:03"), "/a", 60, 4_000),
        ],
        vec![engagement(site, 1, at("10:04"), "/b", 20, 10_000)],
        vec![engagement(site, 1, at("10:05"), "/a", 40, 2_000)],
        vec![custom(
            site,
            1,
            at("10:06"),
            "Signup",
            Some(r#"{"plan":"pro"}"#),
        )],
        vec![engagement(site, 3, at("10:07"), "/a", 100, 1_000)],
        vec![engagement(
            site,
            1,
            at("10:01") + ENGAGEMENT_WINDOW_MS + 1,
            "/b",
            100,
            50_000,
        )],
        vec![
            new_pageview(site, 2, at("11:00"), "/a"),
            engagement(site, 2, at("11:01"), "/a", 90, 12_000),
            quiet(custom(site, 2, at("11:02"), "Video Play", None)),
            quiet(custom(
                site,
                2,
                at("11:03"),
                "Signup",
                Some(r#"{"plan":"free"}"#),
            )),
        ],
        vec![NewEvent {
            revenue: Some(Revenue {
                amount: "15.99".into(),
                currency: "EUR".into(),
            }),
            ..custom(site, 2, at("15:00"), "Purchase", None)
        }],
    ];
    for batch in batches {
        writer.write(batch).await.unwrap();
    }
    writer.shutdown().await;
}

async fn report(db: &DatabaseConnection, site: &site::Model, q: &str, raw: bool) -> Report {
    let reports = Reports::new(db.clone(), 2);
    let query = AnalyticsQuery::from_query_string(q).unwrap();
    if raw {
        reports.report_from_events(site, &query, ms(NOW)).await
    } else {
        reports.report(site, &query, ms(NOW)).await
    }
    .unwrap()
}

#[tokio::test]
async fn engagement_attaches_to_the_pageview_it_reports_on() {
    for t in TestDb::all().await {
        let site = insert_site(&t.db, "example.com").await;
        fixture(&t.db, site).await;
        let stored = events_of(&t.db, site).await;
        assert!(
            stored.iter().all(|e| e.name != "engagement"),
            "engagement beacons are never events"
        );
        let pageviews: Vec<_> = stored
            .iter()
            .filter(|e| e.name == "pageview")
            .map(|e| (e.visitor_id, e.path.as_str(), e.scroll_depth, e.engaged_ms))
            .collect();
        assert_eq!(
            pageviews,
            vec![
                (1, "/a", None, None),
                (1, "/b", Some(20), Some(10_000)),
                (1, "/a", Some(60), Some(6_000)),
                (2, "/a", Some(90), Some(12_000)),
            ],
            "{:?}",
            t.backend
        );
        let purchase = stored.iter().find(|e| e.name == "Purchase").unwrap();
        assert_eq!(purchase.revenue_amount.as_deref(), Some("15.99"));
        assert_eq!(purchase.revenue_currency.as_deref(), Some("EUR"));
        let video = stored.iter().find(|e| e.name == "Video Play").unwrap();
        assert!(!video.interactive && purchase.interactive);
        t.teardown().await;
    }
}

#[tokio::test]
async fn the_report_lists_events_properties_and_engagement_from_raw_and_rollups() {
    for t in TestDb::all().await {
        let id = insert_site(&t.db, "example.com").await;
        fixture(&t.db, id).await;
        let site = site::Entity::find_by_id(id)
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        let day = "period=custom&start=2026-11-19&end=2026-11-19";
        for rolled in [false, true] {
            if rolled {
                let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 19).unwrap();
                assert!(roll_day(&t.db, id, Tz::UTC, date).await.unwrap());
            }
            let what = format!("{:?}, rolled up: {rolled}", t.backend);
            let all = report(&t.db, &site, day, false).await;
            assert_eq!(all, report(&t.db, &site, day, true).await, "{what}");
            // Visits: visitor 1's (3 pageviews, a Signup), visitor 2's first
            // (1 pageview, two quiet events: a bounce) and second (one
            // Purchase: a bounce).
            assert_eq!(
                (
                    all.summary.pageviews,
                    all.summary.visits,
                    all.summary.bounce_rate
                ),
                (4, 3, 200.0 / 3.0),
                "{what}"
            );
            let events: Vec<_> = all
                .events
                .iter()
                .map(|e| (e.name.as_str(), e.visitors, e.events))
                .collect();
            assert_eq!(
                events,
                vec![("Signup", 2, 2), ("Purchase", 1, 1), ("Video Play", 1, 1)],
                "{what}"
            );
            assert!(all.props.is_empty(), "props need an event filter");
            let pages: Vec<_> = all
                .pages
                .iter()
                .map(|p| (p.path.as_str(), p.pageviews, p.scroll_depth, p.time_on_page))
                .collect();
            // /a: two pageviews reported (60 %, 6 s and 90 %, 12 s) of three.
            assert_eq!(
                pages,
                vec![("/a", 3, Some(75), Some(9)), ("/b", 1, Some(20), Some(10))],
                "{what}"
            );

            let signup = format!("{day}&event=Signup");
            let signups = report(&t.db, &site, &signup, false).await;
            assert_eq!(signups, report(&t.db, &site, &signup, true).await, "{what}");
            assert_eq!(signups.summary.visitors, 2, "{what}");
            assert_eq!(signups.summary.pageviews, 0, "{what}");
            let props: Vec<_> = signups
                .props
                .iter()
                .map(|p| (p.key.as_str(), p.value.as_str(), p.visitors, p.events))
                .collect();
            assert_eq!(
                props,
                vec![("plan", "free", 1, 1), ("plan", "pro", 1, 1)],
                "{what}"
            );
            assert_eq!(signups.events.len(), 1, "{what}");
        }
        t.teardown().await;
    }
}
