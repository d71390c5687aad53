//! The analytics API on SQLite and PostgreSQL: the JSON shape, who may read it
//! (owner, anyone while public, otherwise 404), every parameter error as a 400
//! with a message, and the CSV export.

mod common;

use axum::http::{Method, StatusCode, header};
use chrono::Utc;
use common::{app, create_site, get_as, plausible_beacons, send, sign_up};
use pagepulse_core::testing::{TestDb, insert_pageview};

#[tokio::test]
async fn the_owner_reads_every_widget_in_the_documented_shape() {
    for t in TestDb::all().await {
        let app = app(&t);
        let cookie = sign_up(&app, "ada@example.com").await;
        let site = create_site(&app, &cookie, "Blog", "blog.example").await;
        let id = site["id"].as_str().unwrap();
        let site_id = id.parse().unwrap();
        insert_pageview(&t.db, site_id, Utc::now().timestamp_millis(), "/hello").await;

        let reply = get_as(
            &app,
            &format!("/api/v1/sites/{id}/analytics?period=today"),
            &cookie,
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let r = reply.json();
        let today = Utc::now().date_naive().to_string();
        assert_eq!(r["period"]["start"], today);
        assert_eq!(r["period"]["end"], today);
        assert_eq!(r["period"]["timezone"], "UTC");
        for key in [
            "pageviews",
            "visitors",
            "visits",
            "bounce_rate",
            "visit_duration",
            "views_per_visit",
        ] {
            assert!(r["summary"][key].is_number(), "summary.{key}");
            assert!(r["previous"][key].is_number(), "previous.{key}");
        }
        assert_eq!(r["summary"]["pageviews"], 1);
        assert_eq!(r["summary"]["bounce_rate"], 100.0);
        // One day is graphed by the hour.
        assert_eq!(r["interval"], "hour");
        assert_eq!(r["timeseries"].as_array().unwrap().len(), 24);
        assert_eq!(r["timeseries"][0]["date"], format!("{today} 00:00"));
        let hourly: u64 = r["timeseries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["pageviews"].as_u64().unwrap())
            .sum();
        assert_eq!(hourly, 1);
        assert_eq!(r["pages"][0]["path"], "/hello");
        assert_eq!(r["pages"][0]["visitors"], 1);
        assert_eq!(r["referrers"][0]["source"], "");
        assert_eq!(r["browsers"][0]["name"], "Firefox");
        assert_eq!(r["os"][0]["name"], "Linux");
        assert_eq!(r["devices"][0]["name"], "desktop");
        assert_eq!(r["countries"][0]["code"], "DE");
        for list in ["utm_sources", "utm_mediums", "utm_campaigns"] {
            assert_eq!(r[list], serde_json::json!([]), "{list}");
        }
        assert_eq!(r["realtime_visitors"], 1);

        // 30 days by default, zeros included.
        let r = get_as(&app, &format!("/api/v1/sites/{id}/analytics"), &cookie)
            .await
            .json();
        assert_eq!(r["timeseries"].as_array().unwrap().len(), 30);
        assert_eq!(r["timeseries"][0]["pageviews"], 0);
        t.teardown().await;
    }
}

#[tokio::test]
async fn custom_events_their_properties_and_page_engagement_are_reported() {
    for t in TestDb::all().await {
        let app = app(&t);
        let cookie = sign_up(&app, "ada@example.com").await;
        let site = create_site(&app, &cookie, "Shop", "shop.example").await;
        let id = site["id"].as_str().unwrap();
        plausible_beacons(
            &app,
            &[
                r#"{"n":"pageview","u":"https://shop.example/","d":"shop.example"}"#,
                r#"{"n":"engagement","u":"https://shop.example/","d":"shop.example","sd":50,"e":3000}"#,
                r#"{"n":"Signup","u":"https://shop.example/","d":"shop.example","p":{"plan":"pro"}}"#,
                r#"{"n":"Signup","u":"https://shop.example/","d":"shop.example","p":{"plan":"pro"}}"#,
                r#"{"n":"Download","u":"https://shop.example/","d":"shop.example"}"#,
            ],
        )
        .await;
        let url = format!("/api/v1/sites/{id}/analytics?period=today");
        let r = get_as(&app, &url, &cookie).await.json();
        assert_eq!(
            r["events"],
            serde_json::json!([
                {"name": "Signup", "visitors": 1, "events": 2},
                {"name": "Download", "visitors": 1, "events": 1},
            ])
        );
        assert_eq!(r["props"], serde_json::json!([]));
        assert_eq!(r["summary"]["pageviews"], 1, "engagement is not a pageview");
        assert_eq!(r["pages"][0]["scroll_depth"], 50);
        assert_eq!(r["pages"][0]["time_on_page"], 3);

        let r = get_as(&app, &format!("{url}&event=Signup"), &cookie)
            .await
            .json();
        assert_eq!(
            r["props"],
            serde_json::json!([{"key": "plan", "value": "pro", "visitors": 1, "events": 2}])
        );
        assert_eq!(r["events"].as_array().unwrap().len(), 1);
        let csv = get_as(
            &app,
            &format!("/api/v1/sites/{id}/export.csv?period=today&event=Signup"),
            &cookie,
        )
        .await;
        assert!(
            csv.body.contains("\nevents,Signup,,1,2,,\n"),
            "{}",
            csv.body
        );
        assert!(
            csv.body.contains("\nprops,plan=pro,,1,2,,\n"),
            "{}",
            csv.body
        );

        let bad = get_as(&app, &format!("{url}&event=pageview"), &cookie).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.json()["error"].as_str().unwrap().contains("event"));
        t.teardown().await;
    }
}

#[tokio::test]
async fn only_the_owner_or_anyone_while_public_may_read() {
    for t in TestDb::all().await {
        let app = app(&t);
        let owner = sign_up(&app, "ada@example.com").await;
        let other = sign_up(&app, "bob@example.com").await;
        let site = create_site(&app, &owner, "Blog", "blog.example").await;
        let id = site["id"].as_str().unwrap();
        let private = format!("/api/v1/sites/{id}/analytics");
        let public = format!("/api/v1/public/{id}/analytics");

        assert_eq!(
            get_as(&app, &private, &other).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            get_as(&app, &private, "").await.status,
            StatusCode::UNAUTHORIZED
        );
        let not_a_site = get_as(&app, "/api/v1/sites/nope/analytics", &owner).await;
        assert_eq!(not_a_site.status, StatusCode::NOT_FOUND);
        let reply = get_as(&app, &public, "").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert!(reply.json()["error"].is_string());

        let patch = |public: bool| {
            let body = format!(r#"{{"public":{public}}}"#);
            let app = app.clone();
            let owner = owner.clone();
            let uri = format!("/api/v1/sites/{id}");
            async move {
                let reply = send(
                    &app,
                    Method::PATCH,
                    &uri,
                    &[("cookie", &owner)],
                    Some(&body),
                )
                .await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            }
        };
        patch(true).await;
        let reply = get_as(&app, &public, "").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json()["summary"]["pageviews"], 0);
        // Public means read-only analytics, not the owner's export.
        let export = get_as(&app, &format!("/api/v1/sites/{id}/export.csv"), "").await;
        assert_eq!(export.status, StatusCode::UNAUTHORIZED);
        patch(false).await;
        assert_eq!(
            get_as(&app, &public, "").await.status,
            StatusCode::NOT_FOUND
        );
        t.teardown().await;
    }
}

#[tokio::test]
async fn every_bad_parameter_is_a_400_with_a_message() {
    let t = TestDb::sqlite().await;
    let app = app(&t);
    let cookie = sign_up(&app, "ada@example.com").await;
    let site = create_site(&app, &cookie, "Blog", "blog.example").await;
    let id = site["id"].as_str().unwrap();
    let cases = [
        ("period=week", "unknown period"),
        ("period=", "unknown period"),
        ("period=custom", "needs `start`"),
        ("period=custom&start=2026-01-01", "needs `end`"),
        (
            "period=custom&start=2026-13-01&end=2026-12-01",
            "YYYY-MM-DD",
        ),
        (
            "period=custom&start=01/02/2026&end=2026-12-01",
            "YYYY-MM-DD",
        ),
        ("period=custom&start=2026-02-02&end=2026-02-01", "before"),
        ("period=custom&start=2020-01-01&end=2026-01-01", "3 years"),
        ("period=7d&period=30d", "more than once"),
        ("device=phone", "desktop, mobile or tablet"),
        ("country=usa", "two-letter"),
        ("country=de", "two-letter"),
        ("page=pricing", "starting with /"),
        ("browser=", "must not be empty"),
        ("os=Linux%00", "control characters"),
        ("utm_campaign=%0d%0aSet-Cookie", "control characters"),
    ];
    for (query, expected) in cases {
        for path in ["analytics", "export.csv"] {
            let reply = get_as(&app, &format!("/api/v1/sites/{id}/{path}?{query}"), &cookie).await;
            assert_eq!(
                reply.status,
                StatusCode::BAD_REQUEST,
                "{path}?{query}: {}",
                reply.body
            );
            let message = reply.json()["error"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            assert!(message.contains(expected), "{query}: {message}");
        }
    }
    let long_page = format!("page=/{}", "a".repeat(2001));
    let reply = get_as(
        &app,
        &format!("/api/v1/sites/{id}/analytics?{long_page}"),
        &cookie,
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    // Unknown parameters are ignored, as by Plausible.
    let reply = get_as(
        &app,
        &format!("/api/v1/sites/{id}/analytics?period=7d&x=1"),
        &cookie,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    t.teardown().await;
}

#[tokio::test]
async fn the_export_is_a_csv_of_days_and_breakdowns() {
    for t in TestDb::all().await {
        let app = app(&t);
        let cookie = sign_up(&app, "ada@example.com").await;
        let site = create_site(&app, &cookie, "Blog", "blog.example").await;
        let id = site["id"].as_str().unwrap();
        let now = Utc::now().timestamp_millis();
        insert_pageview(&t.db, id.parse().unwrap(), now, "/a,\"b\"").await;

        let reply = get_as(
            &app,
            &format!("/api/v1/sites/{id}/export.csv?period=7d"),
            &cookie,
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(
            reply.headers[header::CONTENT_TYPE],
            "text/csv; charset=utf-8"
        );
        let disposition = reply.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment; filename=\"pagepulse-blog.example-"),
            "{disposition}"
        );
        let lines: Vec<&str> = reply.body.lines().collect();
        assert_eq!(
            lines[0],
            "section,key,pageviews,visitors,events,scroll_depth,time_on_page"
        );
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.starts_with("timeseries,"))
                .count(),
            7
        );
        let today = Utc::now().date_naive();
        assert!(
            lines.contains(&format!("timeseries,{today},1,1,,,").as_str()),
            "{}",
            reply.body
        );
        assert!(
            lines.contains(&"pages,\"/a,\"\"b\"\"\",1,1,,,"),
            "{}",
            reply.body
        );
        assert!(lines.contains(&"browsers,Firefox,,1,,,"), "{}", reply.body);

        let other = sign_up(&app, "bob@example.com").await;
        let reply = get_as(&app, &format!("/api/v1/sites/{id}/export.csv"), &other).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        t.teardown().await;
    }
}
