//! A small day of visits for the report tests: three visitors, four visits,
//! two goals, a few custom properties, stored as ingest stores them (every event of a visit carries
//! its source and UTM tags).

use axum::{
    Router,
    http::{Method, StatusCode},
};
use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use pagepulse_core::{entities::event, testing::TestDb};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection};
use serde_json::Value;
use uuid::Uuid;

use super::{app, create_site, get_as, send, sign_up};

/// One stored event of a fixture visit.
struct Hit {
    visitor: i64,
    visit: i64,
    at: &'static str,
    name: &'static str,
    path: &'static str,
    referrer: &'static str,
    utm: [&'static str; 4],
    /// Custom properties, as the JSON object ingest stores.
    props: Option<&'static str>,
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
        props: None,
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
        props: Some(r#"{"plan":"pro"}"#),
        ..view(1, 1, "10:02", "/docs/intro")
    },
    Hit {
        utm: ["newsletter", "email", "analytics", "banner"],
        props: Some(r#"{"plan":"free","ab":"b"}"#),
        ..view(2, 2, "11:00", "/pricing")
    },
    Hit {
        utm: ["newsletter", "email", "analytics", "banner"],
        ..view(2, 2, "11:05", "/docs/api")
    },
    Hit {
        props: Some(r#"{"ab":"a"}"#),
        ..view(3, 3, "12:00", "/")
    },
    Hit {
        referrer: "example.org",
        ..view(3, 4, "15:00", "/blog")
    },
];

async fn store(db: &DatabaseConnection, site: Uuid, day: NaiveDate) {
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
            props: Set(hit.props.map(String::from)),
            interactive: Set(true),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("insert an event");
    }
}

pub struct Fixture {
    pub app: Router,
    pub cookie: String,
    /// The site's id.
    pub site: String,
    /// The analytics API for the fixture's day, ready for more parameters.
    pub base: String,
    pub day: NaiveDate,
}

impl Fixture {
    pub async fn new(t: &TestDb) -> Fixture {
        let app = app(t);
        let cookie = sign_up(&app, "ada@example.com").await;
        let site = create_site(&app, &cookie, "Shop", "shop.example").await;
        let id = site["id"].as_str().unwrap().to_owned();
        let day = Utc::now().date_naive() - Duration::days(2);
        store(&t.db, id.parse().unwrap(), day).await;
        let fixture = Fixture {
            base: format!("/api/v1/sites/{id}/analytics?period=custom&start={day}&end={day}"),
            day,
            app,
            cookie,
            site: id,
        };
        for goal in [r#"{"event_name":"Signup"}"#, r#"{"page_path":"/docs*"}"#] {
            fixture.add_goal(goal).await;
        }
        fixture
    }

    /// Adds a goal (the owner's REST body); it must be created.
    pub async fn add_goal(&self, body: &str) {
        let uri = format!("/api/v1/sites/{}/goals", self.site);
        let headers = [("cookie", self.cookie.as_str())];
        let reply = send(&self.app, Method::POST, &uri, &headers, Some(body)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }

    /// The report with `extra` parameters; it must be a 200.
    pub async fn get(&self, extra: &str) -> Value {
        let reply = get_as(&self.app, &format!("{}{extra}", self.base), &self.cookie).await;
        assert_eq!(reply.status, StatusCode::OK, "{extra}: {}", reply.body);
        reply.json()
    }

    /// The error of a request with `extra` parameters; it must be a 400.
    pub async fn refused(&self, extra: &str) -> String {
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
