//! The analytics API's Plausible-style reports on SQLite and PostgreSQL: goal
//! conversions, entry and exit pages, UTM term and content, channels, graph
//! intervals, comparisons and filters with is not, contains and OR.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Duration, NaiveTime, Utc};
use common::{app, create_site, get_as, send, sign_up};
use pagepulse_core::{entities::event, testing::TestDb};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection};
use serde_json::{Value, json};
use uuid::Uuid;

/// One stored event of a fixture visit.
struct Hit {
    visitor: i64,
    visit: i64,
    at: &'static str,
    name: &'static str,
    path: &'static str,
    referrer: &'static str,
    utm: [&'static str; 4],
}

const fn view(visitor: i64, visit: i64, at: &'static str, path: &'static str) -> Hit {
    Hit {
        visitor,
        visit,
        at,
        name: "pageview",
        path,
        referrer: "",
        utm: ["", "", "", ""],
    }
}

/// Three visitors, four visits on one day: a search visit that signs up, a
/// newsletter visit, a direct bounce and a referral by the same visitor.
/// Every event of a visit carries its source, as ingest stores them.
const HITS: [Hit; 7] = [
    Hit {
        referrer: "google.com",
        ..view(1, 1, "10:00", "/")
    },
    Hit {
        referrer: "google.com",
        ..view(1, 1, "10:01", "/docs/intro")
    },
    Hit {
        name: "Signup",
        referrer: "google.com",
        ..view(1, 1, "10:02", "/docs/intro")
    },
    Hit {
        utm: ["newsletter", "email", "analytics", "banner"],
        ..view(2, 2, "11:00", "/pricing")
    },
    Hit {
        utm: ["newsletter", "email", "analytics", "banner"],
        ..view(2, 2, "11:05", "/docs/api")
    },
    view(3, 3, "12:00", "/"),
    Hit {
        referrer: "example.org",
        ..view(3, 4, "15:00", "/blog")
    },
];

async fn store(db: &DatabaseConnection, site: Uuid, day: chrono::NaiveDate) {
    for hit in HITS {
        let time = NaiveTime::parse_from_str(hit.at, "%H:%M").unwrap();
        let ts = day.and_time(time).and_utc().timestamp_millis();
        let [utm_source, utm_medium, utm_term, utm_content] = hit.utm.map(String::from);
        event::ActiveModel {
            site_id: Set(site),
            ts: Set(ts),
            name: Set(hit.name.into()),
            hostname: Set("shop.example".into()),
            path: Set(hit.path.into()),
            referrer_source: Set(hit.referrer.into()),
            utm_source: Set(utm_source),
            utm_medium: Set(utm_medium),
            utm_campaign: Set(String::new()),
            utm_term: Set(utm_term),
            utm_content: Set(utm_content),
            browser: Set("Firefox".into()),
            browser_version: Set("133".into()),
            os: Set("Linux".into()),
            device: Set("desktop".into()),
            country: Set(Some("DE".into())),
            visitor_id: Set(hit.visitor),
            visit_id: Set(hit.visit),
            props: Set(None),
            interactive: Set(true),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("insert an event");
    }
}

struct Fixture {
    app: axum::Router,
    cookie: String,
    base: String,
    day: chrono::NaiveDate,
}

impl Fixture {
    async fn new(t: &TestDb) -> Fixture {
        let app = app(t);
        let cookie = sign_up(&app, "ada@example.com").await;
        let site = create_site(&app, &cookie, "Shop", "shop.example").await;
        let id = site["id"].as_str().unwrap().to_owned();
        let day = Utc::now().date_naive() - Duration::days(2);
        store(&t.db, id.parse().unwrap(), day).await;
        for goal in [r#"{"event_name":"Signup"}"#, r#"{"page_path":"/docs*"}"#] {
            let uri = format!("/api/v1/sites/{id}/goals");
            let reply = send(&app, Method::POST, &uri, &[("cookie", &cookie)], Some(goal)).await;
            assert!(reply.status.is_success(), "{}", reply.body);
        }
        Fixture {
            app,
            cookie,
            base: format!("/api/v1/sites/{id}/analytics?period=custom&start={day}&end={day}"),
            day,
        }
    }

    async fn get(&self, extra: &str) -> Value {
        let reply = get_as(&self.app, &format!("{}{extra}", self.base), &self.cookie).await;
        assert_eq!(reply.status, StatusCode::OK, "{extra}: {}", reply.body);
        reply.json()
    }

    async fn refused(&self, extra: &str) -> String {
        let reply = get_as(&self.app, &format!("{}{extra}", self.base), &self.cookie).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{extra}: {}",
            reply.body
        );
        reply.json()["error"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn goals_entry_and_exit_pages_utm_tags_and_channels_are_reported() {
    for t in TestDb::all().await {
        let f = Fixture::new(&t).await;
        let r = f.get("").await;
        assert_eq!(r["summary"]["visitors"], 3);
        assert_eq!(r["summary"]["visits"], 4);
        assert_eq!(r["summary"]["pageviews"], 6);
        assert_eq!(
            r["goals"],
            json!([
                {"name": "Visit /docs*", "visitors": 2, "events": 2, "conversion_rate": 66.67},
                {"name": "Signup", "visitors": 1, "events": 1, "conversion_rate": 33.33},
            ])
        );
        assert_eq!(
            r["entry_pages"],
            json!([
                {"path": "/", "visitors": 2, "visits": 2},
                {"path": "/blog", "visitors": 1, "visits": 1},
                {"path": "/pricing", "visitors": 1, "visits": 1},
            ])
        );
        let exits: Vec<&str> = r["exit_pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["path"].as_str().unwrap())
            .collect();
        assert_eq!(exits, ["/", "/blog", "/docs/api", "/docs/intro"]);
        assert_eq!(
            r["utm_terms"],
            json!([{"name": "analytics", "visitors": 1}])
        );
        assert_eq!(
            r["utm_contents"],
            json!([{"name": "banner", "visitors": 1}])
        );
        assert_eq!(
            r["channels"],
            json!([
                {"name": "Direct", "visitors": 1},
                {"name": "Email", "visitors": 1},
                {"name": "Organic Search", "visitors": 1},
                {"name": "Referral", "visitors": 1},
            ])
        );

        // A goal filters the whole report to the visits that completed it.
        let r = f.get("&goal=Signup").await;
        assert_eq!(r["summary"]["visitors"], 1);
        assert_eq!(r["goals"][0]["name"], "Signup");
        assert_eq!(r["goals"].as_array().unwrap().len(), 1);
        let r = f.get("&goal=Visit%20/docs*").await;
        assert_eq!(r["summary"]["pageviews"], 2);
        assert_eq!(r["summary"]["visitors"], 2);
        assert!(f.refused("&goal=Nope").await.contains("not a goal"));
        t.teardown().await;
    }
}

#[tokio::test]
async fn filters_take_is_not_contains_and_alternatives() {
    for t in TestDb::all().await {
        let f = Fixture::new(&t).await;
        let pages = |r: &Value| {
            (
                r["summary"]["pageviews"].clone(),
                r["summary"]["visitors"].clone(),
            )
        };
        assert_eq!(pages(&f.get("&page!=/").await), (json!(4), json!(3)));
        assert_eq!(pages(&f.get("&page~DOCS").await), (json!(2), json!(2)));
        assert_eq!(
            pages(&f.get("&page=/pricing|/blog").await),
            (json!(2), json!(2))
        );
        assert_eq!(pages(&f.get("&page!=/|/blog").await), (json!(3), json!(2)));
        // Filters combine with AND, and reach the Stats-engine sections too.
        let r = f.get("&page~docs&referrer!=google.com").await;
        assert_eq!(pages(&r), (json!(1), json!(1)));
        assert_eq!(r["entry_pages"][0]["path"], "/pricing");
        assert_eq!(r["channels"], json!([{"name": "Email", "visitors": 1}]));

        assert!(f.refused("&page~").await.contains("empty"));
        assert!(f.refused("&device!=phone").await.contains("desktop"));
        assert!(
            f.refused("&page!=/a&page!=/b")
                .await
                .contains("more than once")
        );
        t.teardown().await;
    }
}

#[tokio::test]
async fn the_graph_takes_intervals_and_a_comparison() {
    for t in TestDb::all().await {
        let f = Fixture::new(&t).await;
        let day = f.day;
        // One day is graphed by the hour unless asked otherwise.
        let r = f.get("").await;
        assert_eq!(r["interval"], "hour");
        let hours = r["timeseries"].as_array().unwrap();
        assert_eq!(hours.len(), 24);
        assert_eq!(
            hours[10],
            json!({"date": format!("{day} 10:00"), "pageviews": 2, "visitors": 1})
        );
        assert_eq!(hours[15]["pageviews"], 1);
        let r = f.get("&interval=day").await;
        assert_eq!(
            r["timeseries"],
            json!([{"date": day.to_string(), "pageviews": 6, "visitors": 3}])
        );

        // Weeks start on Monday, months on their first day.
        let start = day - Duration::days(13);
        let id_base = f.base.split('?').next().unwrap().to_owned();
        let weekly = get_as(
            &f.app,
            &format!("{id_base}?period=custom&start={start}&end={day}&interval=week"),
            &f.cookie,
        )
        .await
        .json();
        let dates: Vec<chrono::NaiveDate> = weekly["timeseries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["date"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(dates.len() >= 2 && dates.len() <= 3, "{dates:?}");
        assert!(dates.iter().all(|d| d.format("%a").to_string() == "Mon"));
        let total: u64 = weekly["timeseries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["pageviews"].as_u64().unwrap())
            .sum();
        assert_eq!(total, 6);
        let monthly = get_as(
            &f.app,
            &format!("{id_base}?period=custom&start={start}&end={day}&interval=month"),
            &f.cookie,
        )
        .await
        .json();
        assert!(
            monthly["timeseries"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["date"].as_str().unwrap().ends_with("-01"))
        );

        // The previous period by default, a year before, or none.
        let r = f.get("&interval=day").await;
        let before = day - Duration::days(1);
        assert_eq!(r["compared"]["start"], before.to_string());
        assert_eq!(r["previous_timeseries"][0]["date"], before.to_string());
        let r = f.get("&compare=year_over_year").await;
        assert_eq!(
            r["compared"]["start"],
            day.checked_sub_months(chrono::Months::new(12))
                .unwrap()
                .to_string()
        );
        let r = f.get("&compare=off").await;
        assert_eq!(r["compared"], Value::Null);
        assert_eq!(r["previous"]["visitors"], 0);
        let r = f
            .get(&format!(
                "&compare=custom&compare_start={day}&compare_end={day}"
            ))
            .await;
        assert_eq!(r["previous"]["visitors"], 3);
        let r = f
            .get("&compare=previous_period&match_day_of_week=true")
            .await;
        assert_eq!(
            r["compared"]["start"],
            (day - Duration::days(7)).to_string()
        );

        assert!(f.refused("&interval=minute").await.contains("interval"));
        assert!(f.refused("&compare=decade").await.contains("compare"));
        let long = get_as(
            &f.app,
            &format!("{id_base}?period=30d&interval=hour"),
            &f.cookie,
        )
        .await;
        assert_eq!(long.status, StatusCode::BAD_REQUEST, "{}", long.body);
        t.teardown().await;
    }
}
