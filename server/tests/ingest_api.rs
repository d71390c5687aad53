//! The beacon endpoints through the router, on SQLite and PostgreSQL: what is
//! stored for a beacon, every drop reason, both body formats, CORS, and the
//! per-address rate limit.

mod common;

use std::net::SocketAddr;

use axum::{
    Router,
    http::{Method, StatusCode},
};
use chrono::Utc;
use common::{Reply, app, app_from, app_with, create_site, send, sign_up};
use pagepulse_core::{
    entities::event,
    ingest::visitor::{salt_for, visitor_id},
    testing::TestDb,
};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::json;
use uuid::Uuid;

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36";
const SECRET_KEY: &str = "test-secret-key-that-is-long-enough-000";

async fn beacon(app: &Router, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut all = vec![("content-type", "text/plain"), ("user-agent", CHROME)];
    for (name, value) in headers {
        all.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        all.push((name, value));
    }
    send(app, Method::POST, path, &all, Some(body)).await
}

async fn site_on(app: &Router, domain: &str) -> Uuid {
    let cookie = sign_up(app, &format!("owner@{domain}")).await;
    let site = create_site(app, &cookie, "Site", domain).await;
    site["id"].as_str().unwrap().parse().unwrap()
}

async fn events(db: &DatabaseConnection) -> Vec<event::Model> {
    event::Entity::find()
        .order_by_asc(event::Column::Id)
        .all(db)
        .await
        .unwrap()
}

fn assert_recorded(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    assert!(
        reply.headers.get("x-pagepulse-dropped").is_none(),
        "dropped: {:?}",
        reply.headers.get("x-pagepulse-dropped")
    );
    assert_eq!(reply.json()["status"], "recorded");
}

fn assert_dropped(reply: &Reply, reason: &str) {
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    assert_eq!(
        reply
            .headers
            .get("x-pagepulse-dropped")
            .map(|v| v.to_str().unwrap()),
        Some(reason),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn a_beacon_is_stored_with_everything_derived_and_nothing_personal() {
    for t in TestDb::all().await {
        let app = app(&t);
        let site = site_on(&app, "example.com").await;
        let body = json!({
            "s": site,
            "u": "https://blog.example.com/posts/%C3%BCber?utm_source=newsletter&utm_medium=email&utm_campaign=launch&secret=1",
            "r": "https://www.news.ycombinator.com/item?id=1",
            "w": 390,
        });
        let reply = beacon(
            &app,
            "/api/v1/event",
            &[
                ("x-forwarded-for", "203.0.113.9"),
                ("cf-ipcountry", "de"),
                ("cookie", "pagepulse_session=ignored"),
            ],
            &body.to_string(),
        )
        .await;
        assert_recorded(&reply);

        let stored = events(&t.db).await;
        assert_eq!(stored.len(), 1, "{:?}", t.backend);
        let e = &stored[0];
        assert_eq!(e.site_id, site);
        assert!((Utc::now().timestamp_millis() - e.ts).abs() < 60_000);
        assert_eq!(e.name, "pageview");
        assert_eq!(e.hostname, "blog.example.com");
        assert_eq!(e.path, "/posts/über");
        assert_eq!(e.referrer_source, "news.ycombinator.com");
        assert_eq!(
            (&*e.utm_source, &*e.utm_medium, &*e.utm_campaign),
            ("newsletter", "email", "launch")
        );
        assert_eq!(
            (&*e.browser, &*e.browser_version, &*e.os, &*e.device),
            ("Chrome", "131", "Windows", "mobile")
        );
        assert_eq!(e.country.as_deref(), Some("DE"));
        assert_eq!(e.props, None);
        let salt = salt_for(&t.db, Utc::now().date_naive()).await.unwrap();
        let ip = "203.0.113.9".parse().unwrap();
        assert_eq!(
            e.visitor_id,
            visitor_id(&salt, SECRET_KEY, site, ip, CHROME)
        );
        t.teardown().await;
    }
}

#[tokio::test]
async fn custom_events_keep_their_name_and_props_and_continue_the_visit() {
    for t in TestDb::all().await {
        let app = app(&t);
        let site = site_on(&app, "example.com").await;
        let from = [("x-forwarded-for", "198.51.100.20")];
        let view = json!({"s": site, "u": "https://example.com/pricing"}).to_string();
        assert_recorded(&beacon(&app, "/api/v1/event", &from, &view).await);
        let signup = json!({"s": site, "u": "https://example.com/pricing", "n": "Signup", "p": {"plan": "pro", "seats": 3}});
        assert_recorded(&beacon(&app, "/api/v1/event", &from, &signup.to_string()).await);
        let other = [("x-forwarded-for", "198.51.100.21")];
        assert_recorded(&beacon(&app, "/api/v1/event", &other, &view).await);

        let stored = events(&t.db).await;
        assert_eq!(stored[1].name, "Signup");
        let props: serde_json::Value =
            serde_json::from_str(stored[1].props.as_deref().unwrap()).unwrap();
        assert_eq!(props, json!({"plan": "pro", "seats": "3"}));
        assert_eq!(stored[0].visitor_id, stored[1].visitor_id);
        assert_eq!(stored[0].visit_id, stored[1].visit_id, "one visit");
        assert_ne!(stored[0].visitor_id, stored[2].visitor_id);
        assert_ne!(stored[0].visit_id, stored[2].visit_id);
        t.teardown().await;
    }
}

#[tokio::test]
async fn plausibles_own_tracker_body_is_accepted() {
    for t in TestDb::all().await {
        let app = app(&t);
        let site = site_on(&app, "example.com").await;
        // What Plausible's script sends: long names, props as a JSON string.
        let body = r#"{"n":"Signup","u":"https://www.example.com/join?ref=x","d":"example.com","r":null,"w":1280,"p":"{\"plan\":\"pro\"}"}"#;
        assert_recorded(&beacon(&app, "/api/event", &[], body).await);
        // Another visitor (a visit keeps its first event's source, so the same
        // visitor's next event would still count as direct).
        let long = r#"{"name":"pageview","url":"https://example.com/","domain":"www.example.com","referrer":"https://duckduckgo.com/"}"#;
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
        assert_recorded(
            &beacon(
                &app,
                "/api/event",
                &[
                    ("content-type", "application/json"),
                    ("user-agent", firefox),
                ],
                long,
            )
            .await,
        );
        // No domain: the URL's host names the site.
        let bare = r#"{"name":"pageview","url":"https://example.com/docs"}"#;
        assert_recorded(&beacon(&app, "/api/event", &[], bare).await);
        let unknown = r#"{"name":"pageview","url":"https://nobody.example.org/"}"#;
        assert_dropped(
            &beacon(&app, "/api/event", &[], unknown).await,
            "unknown-site",
        );

        let stored = events(&t.db).await;
        assert_eq!(stored.len(), 3);
        assert!(stored.iter().all(|e| e.site_id == site));
        assert_eq!(stored[0].name, "Signup");
        assert_eq!(stored[0].props.as_deref(), Some(r#"{"plan":"pro"}"#));
        assert_eq!(stored[0].device, "desktop");
        assert_eq!(stored[1].referrer_source, "duckduckgo.com");
        assert_eq!(stored[2].path, "/docs");
        t.teardown().await;
    }
}

#[tokio::test]
async fn plausibles_engagement_revenue_and_quiet_events_through_the_endpoint() {
    for t in TestDb::all().await {
        let app = app(&t);
        let site = site_on(&app, "example.com").await;
        let send = |body: &'static str| {
            let app = app.clone();
            async move { beacon(&app, "/api/event", &[], body).await }
        };
        // A landing, an SPA navigation (pushState), then the engagement the
        // new tracker sends for each page as it is left: each attaches to its
        // own page's pageview.
        for body in [
            r#"{"n":"pageview","u":"https://example.com/","d":"example.com","v":21}"#,
            r#"{"n":"engagement","u":"https://example.com/","d":"example.com","sd":35,"e":4200,"v":21}"#,
            r#"{"n":"pageview","u":"https://example.com/pricing","d":"example.com","v":21}"#,
            r#"{"n":"engagement","u":"https://example.com/pricing","d":"example.com","sd":80,"e":9000,"v":21}"#,
            r#"{"n":"Video Play","u":"https://example.com/pricing","d":"example.com","i":false}"#,
            r#"{"n":"Purchase","u":"https://example.com/pricing","d":"example.com","$":{"amount":49.5,"currency":"USD"}}"#,
        ] {
            assert_recorded(&send(body).await);
        }
        let bad = send(r#"{"n":"engagement","u":"https://example.com/","d":"example.com"}"#).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
        assert!(bad.json()["error"].as_str().unwrap().contains("sd"));

        let stored = events(&t.db).await;
        let rows: Vec<_> = stored
            .iter()
            .map(|e| {
                (
                    e.name.as_str(),
                    e.path.as_str(),
                    e.scroll_depth,
                    e.engaged_ms,
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                ("pageview", "/", Some(35), Some(4200)),
                ("pageview", "/pricing", Some(80), Some(9000)),
                ("Video Play", "/pricing", None, None),
                ("Purchase", "/pricing", None, None),
            ]
        );
        assert!(stored.iter().all(|e| e.site_id == site));
        assert!(!stored[2].interactive);
        assert_eq!(stored[3].revenue_amount.as_deref(), Some("49.5"));
        assert_eq!(stored[3].revenue_currency.as_deref(), Some("USD"));
        t.teardown().await;
    }
}

#[tokio::test]
async fn every_drop_reason_is_a_202_with_its_header_and_stores_nothing() {
    for t in TestDb::all().await {
        let app = app(&t);
        let site = site_on(&app, "example.com").await;
        let ok = json!({"s": site, "u": "https://example.com/"}).to_string();
        for agent in [
            "curl/8.5.0",
            "",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "python-requests/2.32.3",
        ] {
            let reply = beacon(&app, "/api/v1/event", &[("user-agent", agent)], &ok).await;
            assert_dropped(&reply, "bot");
        }
        let nobody = json!({"s": Uuid::new_v4(), "u": "https://example.com/"}).to_string();
        assert_dropped(
            &beacon(&app, "/api/v1/event", &[], &nobody).await,
            "unknown-site",
        );
        let elsewhere = json!({"s": site, "u": "https://example.com.evil.net/"}).to_string();
        assert_dropped(
            &beacon(&app, "/api/v1/event", &[], &elsewhere).await,
            "hostname-mismatch",
        );
        let spam =
            json!({"s": site, "u": "https://example.com/", "r": "http://semalt.com/x"}).to_string();
        assert_dropped(
            &beacon(&app, "/api/v1/event", &[], &spam).await,
            "spam-referrer",
        );
        // Subdomains, `www.` and ports belong to the site.
        let sub = json!({"s": site, "u": "https://www.shop.example.com:8443/cart"}).to_string();
        assert_recorded(&beacon(&app, "/api/v1/event", &[], &sub).await);
        assert_eq!(event::Entity::find().count(&t.db).await.unwrap(), 1);
        t.teardown().await;
    }
}

#[tokio::test]
async fn cross_origin_pages_may_send_beacons() {
    let t = TestDb::sqlite().await;
    let app = app(&t);
    let site = site_on(&app, "example.com").await;
    let preflight = send(
        &app,
        Method::OPTIONS,
        "/api/v1/event",
        &[
            ("origin", "https://example.com"),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "content-type"),
        ],
        None,
    )
    .await;
    assert!(preflight.status.is_success(), "{}", preflight.status);
    assert_eq!(preflight.headers["access-control-allow-origin"], "*");
    assert!(
        preflight.headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    let body = json!({"s": site, "u": "https://example.com/"}).to_string();
    let reply = beacon(
        &app,
        "/api/v1/event",
        &[
            ("origin", "https://example.com"),
            ("sec-fetch-site", "cross-site"),
            ("content-type", "application/json"),
        ],
        &body,
    )
    .await;
    assert_recorded(&reply);
    assert_eq!(reply.headers["access-control-allow-origin"], "*");
    let dropped = json!({"s": Uuid::new_v4(), "u": "https://example.com/"}).to_string();
    let reply = beacon(
        &app,
        "/api/event",
        &[("origin", "https://example.com")],
        &dropped,
    )
    .await;
    assert!(
        reply.headers["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("x-pagepulse-dropped")
    );
    t.teardown().await;
}

#[tokio::test]
async fn the_rate_limit_is_per_client_address() {
    let t = TestDb::sqlite().await;
    let app = app_with(&t, &[("EVENT_RATE_LIMIT_PER_MINUTE", "3")]);
    let site = site_on(&app, "example.com").await;
    let body = json!({"s": site, "u": "https://example.com/"}).to_string();
    let first = [("x-forwarded-for", "203.0.113.1")];
    for _ in 0..3 {
        assert_recorded(&beacon(&app, "/api/v1/event", &first, &body).await);
    }
    let limited = beacon(&app, "/api/v1/event", &first, &body).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert!(
        limited.json()["error"]
            .as_str()
            .unwrap()
            .contains("too many")
    );
    assert_eq!(limited.headers["access-control-allow-origin"], "*");
    // Another address has its own quota.
    let second = [("x-forwarded-for", "203.0.113.2")];
    assert_recorded(&beacon(&app, "/api/v1/event", &second, &body).await);
    assert_eq!(event::Entity::find().count(&t.db).await.unwrap(), 4);
    t.teardown().await;
}

#[tokio::test]
async fn a_forged_forwarded_for_from_an_untrusted_peer_changes_nothing() {
    let t = TestDb::sqlite().await;
    let owner = app(&t);
    let site = site_on(&owner, "example.com").await;
    let peer = SocketAddr::from(([198, 51, 100, 7], 5555));
    let app = app_from(&t, &[("EVENT_RATE_LIMIT_PER_MINUTE", "3")], peer);
    let body = json!({"s": site, "u": "https://example.com/"}).to_string();
    for n in 0..3 {
        let forged = format!("10.0.0.{n}, 203.0.113.{n}");
        let reply = beacon(
            &app,
            "/api/v1/event",
            &[("x-forwarded-for", &forged), ("cf-ipcountry", "US")],
            &body,
        )
        .await;
        assert_recorded(&reply);
    }
    let reply = beacon(
        &app,
        "/api/v1/event",
        &[("x-forwarded-for", "192.0.2.99")],
        &body,
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the peer is the key"
    );
    let stored = events(&t.db).await;
    assert_eq!(stored.len(), 3);
    assert!(stored.iter().all(|e| e.visitor_id == stored[0].visitor_id));
    assert!(
        stored.iter().all(|e| e.country.is_none()),
        "country only from proxies"
    );
    let salt = salt_for(&t.db, Utc::now().date_naive()).await.unwrap();
    assert_eq!(
        stored[0].visitor_id,
        visitor_id(&salt, SECRET_KEY, site, peer.ip(), CHROME)
    );
    t.teardown().await;
}

#[tokio::test]
async fn idle_rate_limit_keys_are_evicted() {
    let t = TestDb::sqlite().await;
    let state = server::AppState::new(
        common::config_with(&t, &[("EVENT_RATE_LIMIT_PER_MINUTE", "600000")]),
        t.db.clone(),
    );
    let app = server::router(state.clone()).layer(axum::extract::connect_info::MockConnectInfo(
        SocketAddr::from(([127, 0, 0, 1], 1)),
    ));
    let body = json!({"s": Uuid::new_v4(), "u": "https://example.com/"}).to_string();
    for n in 0..300u32 {
        let ip = format!("203.0.{}.{}", n / 250, n % 250);
        let reply = beacon(&app, "/api/v1/event", &[("x-forwarded-for", &ip)], &body).await;
        assert_dropped(&reply, "unknown-site");
    }
    assert_eq!(state.beacon_limit.tracked(), 300);
    // At 10,000 a second one spent token is back within a millisecond.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    state.beacon_limit.evict_idle();
    assert_eq!(state.beacon_limit.tracked(), 0);
    t.teardown().await;
}
