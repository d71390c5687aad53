//! The report's numbers on a fixed set of events, on SQLite and PostgreSQL. Every
//! expected figure is worked out by hand in the comments beside the fixture.

use pagepulse_core::{
    analytics::{AnalyticsQuery, Reports, report::Report},
    entities::{event, site},
    testing::{TestDb, insert_site},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait};
use uuid::Uuid;

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

/// One stored event; visits are given, as the ingest writer would have set them.
#[derive(Clone)]
struct Ev {
    at: &'static str,
    name: &'static str,
    path: &'static str,
    visitor: i64,
    visit: i64,
    source: &'static str,
    browser: &'static str,
    os: &'static str,
    device: &'static str,
    country: Option<&'static str>,
    utm: [&'static str; 3],
}

const BASE: Ev = Ev {
    at: "",
    name: "pageview",
    path: "/",
    visitor: 0,
    visit: 0,
    source: "",
    browser: "Firefox",
    os: "Linux",
    device: "desktop",
    country: None,
    utm: ["", "", ""],
};

async fn store(db: &DatabaseConnection, site_id: Uuid, events: &[Ev]) {
    for e in events {
        event::ActiveModel {
            site_id: Set(site_id),
            ts: Set(ms(e.at)),
            name: Set(e.name.into()),
            hostname: Set("example.com".into()),
            path: Set(e.path.into()),
            referrer_source: Set(e.source.into()),
            utm_source: Set(e.utm[0].into()),
            utm_medium: Set(e.utm[1].into()),
            utm_campaign: Set(e.utm[2].into()),
            utm_term: Set(String::new()),
            utm_content: Set(String::new()),
            browser: Set(e.browser.into()),
            browser_version: Set("1".into()),
            os: Set(e.os.into()),
            device: Set(e.device.into()),
            country: Set(e.country.map(Into::into)),
            visitor_id: Set(e.visitor),
            visit_id: Set(e.visit),
            props: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("insert an event");
    }
}

/// "Now" is 2026-11-20 12:00 UTC; 7d is Nov 14–20, the previous period Nov 7–13.
const NOW: &str = "2026-11-20T12:00:00Z";

fn fixture() -> Vec<Ev> {
    let v1 = Ev {
        visitor: 1,
        visit: 10,
        source: "news.example",
        utm: ["newsletter", "email", "autumn"],
        country: Some("DE"),
        ..BASE
    };
    let v2 = Ev {
        visitor: 2,
        visit: 20,
        browser: "Chrome",
        os: "Windows",
        device: "mobile",
        country: Some("US"),
        ..BASE
    };
    let v3 = Ev {
        visitor: 3,
        browser: "Chrome",
        os: "macOS",
        country: Some("US"),
        ..BASE
    };
    vec![
        // Visitor 1, one visit of 3 minutes: two pageviews and a custom event.
        Ev {
            at: "2026-11-20T10:00:00Z",
            ..v1.clone()
        },
        Ev {
            at: "2026-11-20T10:02:00Z",
            path: "/pricing",
            ..v1.clone()
        },
        Ev {
            at: "2026-11-20T10:03:00Z",
            name: "Signup",
            path: "/pricing",
            ..v1
        },
        // Visitor 2: one bounce.
        Ev {
            at: "2026-11-19T08:00:00Z",
            ..v2
        },
        // Visitor 3: two bounces, on the first day's first and last second.
        Ev {
            at: "2026-11-14T00:00:00Z",
            visit: 30,
            path: "/blog/<b>x</b>",
            source: "search.example",
            ..v3.clone()
        },
        Ev {
            at: "2026-11-14T23:59:59Z",
            visit: 31,
            ..v3
        },
        // Visitor 6 within the last five minutes; visitor 7 six minutes ago.
        Ev {
            at: "2026-11-20T11:58:00Z",
            visitor: 6,
            visit: 60,
            ..BASE
        },
        Ev {
            at: "2026-11-20T11:54:00Z",
            visitor: 7,
            visit: 70,
            browser: "Safari",
            os: "iOS",
            device: "mobile",
            country: Some("GB"),
            ..BASE
        },
        // The previous period: a bounce at its last millisecond, a 10-minute visit.
        Ev {
            at: "2026-11-13T23:59:59.999Z",
            visitor: 4,
            visit: 40,
            ..BASE
        },
        Ev {
            at: "2026-11-11T12:00:00Z",
            visitor: 5,
            visit: 50,
            path: "/pricing",
            ..BASE
        },
        Ev {
            at: "2026-11-11T12:10:00Z",
            visitor: 5,
            visit: 50,
            ..BASE
        },
        // Outside both periods.
        Ev {
            at: "2026-11-06T23:59:59Z",
            visitor: 8,
            visit: 80,
            ..BASE
        },
        Ev {
            at: "2026-11-21T00:00:00Z",
            visitor: 9,
            visit: 90,
            ..BASE
        },
    ]
}

async fn run(
    db: &DatabaseConnection,
    reports: &Reports,
    site_id: Uuid,
    query: &str,
    now: &str,
) -> Report {
    let site = site::Entity::find_by_id(site_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let pairs: Vec<(&str, &str)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    let query = AnalyticsQuery::from_pairs(pairs).expect("a valid query");
    reports
        .report(&site, &query, ms(now))
        .await
        .expect("the report")
}

fn names<T>(rows: &[T], f: impl Fn(&T) -> (String, u64)) -> Vec<(String, u64)> {
    rows.iter().map(f).collect()
}

#[tokio::test]
async fn every_widget_on_a_fixed_fixture() {
    for t in TestDb::all().await {
        let reports = Reports::new(t.db.clone(), 4);
        let site = insert_site(&t.db, "example.com").await;
        let other = insert_site(&t.db, "other.example").await;
        store(&t.db, site, &fixture()).await;
        store(
            &t.db,
            other,
            &[Ev {
                at: "2026-11-20T10:00:00Z",
                visitor: 1,
                visit: 10,
                ..BASE
            }],
        )
        .await;

        let r = run(&t.db, &reports, site, "period=7d", NOW).await;
        let backend = format!("{:?}", t.backend);
        assert_eq!(
            (r.period.start.as_str(), r.period.end.as_str()),
            ("2026-11-14", "2026-11-20")
        );
        assert_eq!(r.period.timezone, "UTC");
        // 7 pageviews; visitors 1, 2, 3, 6, 7; visits 10, 20, 30, 31, 60, 70, of
        // which all but 10 are bounces; 180 s of visit time over 6 visits.
        let s = r.summary;
        assert_eq!((s.pageviews, s.visitors, s.visits), (7, 5, 6), "{backend}");
        assert!(
            (s.bounce_rate - 500.0 / 6.0).abs() < 1e-9,
            "{backend}: {}",
            s.bounce_rate
        );
        assert!((s.visit_duration - 30.0).abs() < 1e-9, "{backend}");
        assert!((s.views_per_visit - 7.0 / 6.0).abs() < 1e-9, "{backend}");
        // Previous: visitor 4 (a bounce) and visitor 5 (2 pageviews, 600 s).
        let p = r.previous;
        assert_eq!((p.pageviews, p.visitors, p.visits), (3, 2, 2), "{backend}");
        assert_eq!(
            (p.bounce_rate, p.visit_duration, p.views_per_visit),
            (50.0, 300.0, 1.5)
        );

        let days: Vec<(&str, u64, u64)> = r
            .timeseries
            .iter()
            .map(|d| (d.date.as_str(), d.pageviews, d.visitors))
            .collect();
        assert_eq!(
            days,
            vec![
                ("2026-11-14", 2, 1),
                ("2026-11-15", 0, 0),
                ("2026-11-16", 0, 0),
                ("2026-11-17", 0, 0),
                ("2026-11-18", 0, 0),
                ("2026-11-19", 1, 1),
                ("2026-11-20", 4, 3),
            ],
            "{backend}"
        );
        let pages: Vec<(&str, u64, u64)> = r
            .pages
            .iter()
            .map(|p| (p.path.as_str(), p.pageviews, p.visitors))
            .collect();
        assert_eq!(
            pages,
            vec![("/", 5, 5), ("/blog/<b>x</b>", 1, 1), ("/pricing", 1, 1)]
        );
        let sources: Vec<(&str, u64, u64)> = r
            .referrers
            .iter()
            .map(|p| (p.source.as_str(), p.pageviews, p.visitors))
            .collect();
        assert_eq!(
            sources,
            vec![("", 4, 4), ("news.example", 2, 1), ("search.example", 1, 1)]
        );
        let named = |rows: &[pagepulse_core::analytics::report::NameRow]| {
            names(rows, |r| (r.name.clone(), r.visitors))
        };
        let pairs = |v: &[(&str, u64)]| -> Vec<(String, u64)> {
            v.iter().map(|(n, c)| (n.to_string(), *c)).collect()
        };
        // Chrome and Firefox tie on visitors and pageviews: byte order decides.
        assert_eq!(
            named(&r.browsers),
            pairs(&[("Chrome", 2), ("Firefox", 2), ("Safari", 1)])
        );
        assert_eq!(
            named(&r.os),
            pairs(&[("Linux", 2), ("macOS", 1), ("Windows", 1), ("iOS", 1)])
        );
        assert_eq!(named(&r.devices), pairs(&[("desktop", 3), ("mobile", 2)]));
        assert_eq!(
            names(&r.countries, |c| (c.code.clone(), c.visitors)),
            pairs(&[("US", 2), ("DE", 1), ("GB", 1)])
        );
        assert_eq!(named(&r.utm_sources), pairs(&[("newsletter", 1)]));
        assert_eq!(named(&r.utm_mediums), pairs(&[("email", 1)]));
        assert_eq!(named(&r.utm_campaigns), pairs(&[("autumn", 1)]));
        assert_eq!(r.realtime_visitors, 1, "{backend}");
        t.teardown().await;
    }
}

#[tokio::test]
async fn filters_combine_with_and() {
    for t in TestDb::all().await {
        let reports = Reports::new(t.db.clone(), 4);
        let site = insert_site(&t.db, "example.com").await;
        store(&t.db, site, &fixture()).await;

        let r = run(
            &t.db,
            &reports,
            site,
            "period=7d&referrer=news.example",
            NOW,
        )
        .await;
        assert_eq!(
            (r.summary.pageviews, r.summary.visitors, r.summary.visits),
            (2, 1, 1)
        );
        assert_eq!(
            (r.summary.bounce_rate, r.summary.visit_duration),
            (0.0, 180.0)
        );
        assert_eq!(r.pages.len(), 2);
        assert_eq!(r.referrers.len(), 1);

        let r = run(
            &t.db,
            &reports,
            site,
            "period=7d&browser=Chrome&country=US",
            NOW,
        )
        .await;
        assert_eq!(
            (r.summary.pageviews, r.summary.visitors, r.summary.visits),
            (3, 2, 3)
        );
        assert_eq!(r.browsers.len(), 1);

        // An empty referrer is direct traffic.
        let r = run(&t.db, &reports, site, "period=7d&referrer=", NOW).await;
        assert_eq!((r.summary.pageviews, r.summary.visitors), (4, 4));

        let r = run(
            &t.db,
            &reports,
            site,
            "period=7d&browser=Chrome&country=DE",
            NOW,
        )
        .await;
        assert_eq!(
            (r.summary.pageviews, r.summary.visitors, r.summary.visits),
            (0, 0, 0)
        );
        assert_eq!(r.summary.bounce_rate, 0.0);
        assert!(r.timeseries.iter().all(|d| d.pageviews == 0));
        t.teardown().await;
    }
}

#[tokio::test]
async fn named_periods_and_custom_ranges() {
    for t in TestDb::all().await {
        let reports = Reports::new(t.db.clone(), 4);
        let site = insert_site(&t.db, "example.com").await;
        store(&t.db, site, &fixture()).await;
        let summary = |r: &Report| (r.summary.pageviews, r.summary.visitors);

        let today = run(&t.db, &reports, site, "period=today", NOW).await;
        assert_eq!(summary(&today), (4, 3));
        let point = &today.timeseries[..];
        assert_eq!(point.len(), 1);
        assert_eq!(
            (
                point[0].date.as_str(),
                point[0].pageviews,
                point[0].visitors
            ),
            ("2026-11-20", 4, 3)
        );
        // Yesterday (Nov 19) against the day before (Nov 18: nothing).
        let yesterday = run(&t.db, &reports, site, "period=yesterday", NOW).await;
        assert_eq!(summary(&yesterday), (1, 1));
        assert_eq!(yesterday.previous.pageviews, 0);
        // Nov 1–30, everything but nothing outside the site.
        let month = run(&t.db, &reports, site, "period=month", NOW).await;
        assert_eq!(
            (month.period.start.as_str(), month.period.end.as_str()),
            ("2026-11-01", "2026-11-30")
        );
        assert_eq!(month.timeseries.len(), 30);
        assert_eq!(summary(&month), (12, 9));
        let custom = run(
            &t.db,
            &reports,
            site,
            "period=custom&start=2026-11-11&end=2026-11-13",
            NOW,
        )
        .await;
        assert_eq!(summary(&custom), (3, 2));
        assert_eq!(custom.timeseries.len(), 3);
        let year = run(&t.db, &reports, site, "period=12mo", NOW).await;
        assert_eq!(year.period.start, "2025-12-01");
        assert_eq!(summary(&year), (12, 9));
        t.teardown().await;
    }
}

#[tokio::test]
async fn los_angeles_days_across_the_autumn_dst_change() {
    for t in TestDb::all().await {
        let reports = Reports::new(t.db.clone(), 4);
        let site = insert_site(&t.db, "example.com").await;
        let mut model: site::ActiveModel = site::Entity::find_by_id(site)
            .one(&t.db)
            .await
            .unwrap()
            .unwrap()
            .into();
        model.timezone = Set("America/Los_Angeles".into());
        model.update(&t.db).await.unwrap();
        let at = |at, visitor| Ev {
            at,
            visitor,
            visit: visitor,
            ..BASE
        };
        store(
            &t.db,
            site,
            &[
                at("2026-10-31T06:59:59Z", 1), // Oct 30, 23:59:59 PDT: outside
                at("2026-10-31T07:00:00Z", 2), // Oct 31, 00:00 PDT
                at("2026-11-01T07:30:00Z", 3), // Nov 1, 00:30 PDT
                at("2026-11-02T07:30:00Z", 4), // Nov 1, 23:30 PST: the 25th hour
                at("2026-11-02T08:30:00Z", 5), // Nov 2, 00:30 PST
            ],
        )
        .await;
        // Nov 2, 12:00 PST.
        let now = "2026-11-02T20:00:00Z";
        let r = run(
            &t.db,
            &reports,
            site,
            "period=custom&start=2026-10-31&end=2026-11-02",
            now,
        )
        .await;
        assert_eq!(r.period.timezone, "America/Los_Angeles");
        let days: Vec<(&str, u64)> = r
            .timeseries
            .iter()
            .map(|d| (d.date.as_str(), d.pageviews))
            .collect();
        assert_eq!(
            days,
            vec![("2026-10-31", 1), ("2026-11-01", 2), ("2026-11-02", 1)]
        );
        assert_eq!(r.summary.pageviews, 4);
        let today = run(&t.db, &reports, site, "period=today", now).await;
        assert_eq!(
            (today.period.start.as_str(), today.summary.pageviews),
            ("2026-11-02", 1)
        );
        let yesterday = run(&t.db, &reports, site, "period=yesterday", now).await;
        assert_eq!(yesterday.summary.pageviews, 2, "the 25-hour day holds both");
        t.teardown().await;
    }
}

/// A report keeps its count of settled events for the next one: events stored
/// afterwards, in the past or just now, must still be counted.
#[tokio::test]
async fn events_stored_after_a_report_are_counted_by_the_next() {
    for t in TestDb::all().await {
        let reports = Reports::new(t.db.clone(), 4);
        let site = insert_site(&t.db, "example.com").await;
        store(&t.db, site, &fixture()).await;
        let summary = |r: &Report| (r.summary.pageviews, r.summary.visitors, r.summary.visits);
        let pages = |r: &Report| names(&r.pages, |p| (p.path.clone(), p.visitors));
        let before = run(&t.db, &reports, site, "period=today", NOW).await;
        assert_eq!((before.summary.pageviews, before.summary.visitors), (4, 3));

        // A late import inside the counted part of the day: a new visitor, and
        // one more page of visitor 1's visit 10.
        let late = [
            Ev {
                at: "2026-11-20T10:30:00Z",
                path: "/late",
                visitor: 90,
                visit: 900,
                ..BASE
            },
            Ev {
                at: "2026-11-20T10:01:00Z",
                path: "/late",
                visitor: 1,
                visit: 10,
                ..BASE
            },
        ];
        store(&t.db, site, &late).await;
        let after = run(&t.db, &reports, site, "period=today", NOW).await;
        let (pageviews, visitors, visits) = summary(&before);
        assert_eq!(summary(&after), (pageviews + 2, visitors + 1, visits + 1));
        assert!(
            pages(&after).contains(&("/late".to_owned(), 2)),
            "{:?}",
            pages(&after)
        );
        assert_eq!(after.timeseries[0].pageviews, pageviews + 2);
        // The same again: now answered from the kept count.
        assert_eq!(run(&t.db, &reports, site, "period=today", NOW).await, after);

        // Events of the last seconds (not yet settled) on a site of its own.
        let live = insert_site(&t.db, "live.example").await;
        let now = chrono::Utc::now();
        let midnight = now.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
        let at = |secs: i64| {
            (now - chrono::Duration::seconds(secs))
                .max(midnight)
                .to_rfc3339()
        };
        let recent = |secs: i64, visitor: i64| Ev {
            at: Box::leak(at(secs).into_boxed_str()),
            visitor,
            visit: visitor,
            ..BASE
        };
        let now = now.to_rfc3339();
        store(&t.db, live, &[recent(30, 1), recent(20, 2)]).await;
        let first = run(&t.db, &reports, live, "period=today", &now).await;
        assert_eq!((first.summary.pageviews, first.summary.visitors), (2, 2));
        store(&t.db, live, &[recent(10, 3)]).await;
        let second = run(&t.db, &reports, live, "period=today", &now).await;
        assert_eq!((second.summary.pageviews, second.summary.visitors), (3, 3));
        t.teardown().await;
    }
}

/// A filter rollups cannot slice by (a page pattern, as a page goal is) keeps
/// its count of settled events too: the next report reads only what is newer.
/// An import into the settled part shows once the kept count is `FILTERED_FOR`
/// old, or at once on another reports service.
#[tokio::test]
async fn a_filtered_report_keeps_its_settled_count_for_the_next() {
    for t in TestDb::all().await {
        let reports = Reports::new(t.db.clone(), 4);
        let site = insert_site(&t.db, "example.com").await;
        store(&t.db, site, &fixture()).await;
        let query = "period=today&page~/";
        let first = run(&t.db, &reports, site, query, NOW).await;
        assert_eq!(run(&t.db, &reports, site, query, NOW).await, first);

        let late = Ev {
            at: "2026-11-20T10:30:00Z",
            path: "/late",
            visitor: 90,
            visit: 900,
            ..BASE
        };
        store(&t.db, site, &[late]).await;
        let kept = run(&t.db, &reports, site, query, NOW).await;
        assert_eq!(kept, first, "answered from the kept count");
        let fresh = run(&t.db, &Reports::new(t.db.clone(), 4), site, query, NOW).await;
        assert_eq!(
            (fresh.summary.pageviews, fresh.summary.visitors),
            (first.summary.pageviews + 1, first.summary.visitors + 1)
        );
        // Unfiltered counts are checked against the events' number, so the
        // same service sees the import at once.
        let all = run(&t.db, &reports, site, "period=today", NOW).await;
        assert_eq!(all.summary.pageviews, fresh.summary.pageviews);
        t.teardown().await;
    }
}
