//! Shields on SQLite and PostgreSQL: the owner's API (read, replace, refusals
//! naming the field) and every kind of rule stopping beacons at ingest with
//! `X-PagePulse-Dropped: shield`, storing nothing.

mod common;

use axum::{
    Router,
    http::{Method, StatusCode},
};
use common::{Reply, app, create_site, get_as, send, sign_up};
use pagepulse_core::{entities::event, testing::TestDb};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36";

async fn put(app: &Router, cookie: &str, site: &str, rules: &Value) -> Reply {
    send(
        app,
        Method::PUT,
        &format!("/api/v1/sites/{site}/shields"),
        &[("cookie", cookie)],
        Some(&rules.to_string()),
    )
    .await
}

/// A pageview of `url` from `ip`, with a trusted proxy's country when given.
async fn view(app: &Router, url: &str, ip: &str, country: Option<&str>) -> Reply {
    let mut headers = vec![
        ("content-type", "text/plain"),
        ("user-agent", CHROME),
        ("x-forwarded-for", ip),
    ];
    if let Some(country) = country {
        headers.push(("cf-ipcountry", country));
    }
    let body = json!({"n": "pageview", "u": url, "d": "shop.example"}).to_string();
    send(app, Method::POST, "/api/event", &headers, Some(&body)).await
}

fn dropped(reply: &Reply) -> Option<String> {
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    reply
        .headers
        .get("x-pagepulse-dropped")
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn the_owner_reads_and_replaces_shields_and_bad_entries_are_refused() {
    for t in TestDb::all().await {
        let app = app(&t);
        let cookie = sign_up(&app, "owner@shop.example").await;
        let site = create_site(&app, &cookie, "Shop", "shop.example").await;
        let site = site["id"].as_str().unwrap();
        let uri = format!("/api/v1/sites/{site}/shields");
        let empty = json!({"ips": [], "paths": [], "hostnames": [], "countries": []});
        assert_eq!(get_as(&app, &uri, &cookie).await.json(), empty);

        let rules = json!({
            "ips": ["203.0.113.0/24", " 198.51.100.7 ", "2001:db8::/32"],
            "paths": ["/admin*"],
            "hostnames": ["Shop.example", "www.shop.example"],
            "countries": ["de", "FR"],
        });
        let reply = put(&app, &cookie, site, &rules).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let kept = json!({
            "ips": ["203.0.113.0/24", "198.51.100.7", "2001:db8::/32"],
            "paths": ["/admin*"],
            "hostnames": ["shop.example", "www.shop.example"],
            "countries": ["DE", "FR"],
        });
        assert_eq!(reply.json(), kept);
        assert_eq!(get_as(&app, &uri, &cookie).await.json(), kept);

        // Each bad entry is a 422 naming its field; the stored rules stay.
        for (bad, field) in [
            (json!({"ips": ["10.0.0.0/33"]}), "ips"),
            (json!({"ips": ["not-an-address"]}), "ips"),
            (json!({"paths": ["admin"]}), "paths"),
            (json!({"hostnames": ["shop example"]}), "hostnames"),
            (json!({"countries": ["Germany"]}), "countries"),
        ] {
            let reply = put(&app, &cookie, site, &bad).await;
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            let error = reply.json()["error"].as_str().unwrap().to_owned();
            assert!(error.contains(field), "{error}");
        }
        let wrong_type = put(&app, &cookie, site, &json!({"ips": "10.0.0.1"})).await;
        assert_eq!(wrong_type.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(get_as(&app, &uri, &cookie).await.json(), kept);

        // Another account sees no such site; no session, no shields.
        let other = sign_up(&app, "other@elsewhere.example").await;
        assert_eq!(
            get_as(&app, &uri, &other).await.status,
            StatusCode::NOT_FOUND
        );
        let anonymous = send(&app, Method::GET, &uri, &[], None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

        // Empty lists put the defaults back.
        assert_eq!(put(&app, &cookie, site, &empty).await.json(), empty);
        assert_eq!(get_as(&app, &uri, &cookie).await.json(), empty);
        t.teardown().await;
    }
}

#[tokio::test]
async fn every_kind_of_shield_drops_beacons_and_stores_nothing() {
    for t in TestDb::all().await {
        let app = app(&t);
        let cookie = sign_up(&app, "owner@shop.example").await;
        let site = create_site(&app, &cookie, "Shop", "shop.example").await;
        let site = site["id"].as_str().unwrap();
        let home = "https://shop.example/";
        // Before any rule: counted (the site lookup is cached meanwhile).
        assert_eq!(dropped(&view(&app, home, "203.0.113.5", None).await), None);

        let rules = json!({
            "ips": ["203.0.113.0/24", "2001:db8::/32"],
            "paths": ["/admin*"],
            "countries": ["DE"],
        });
        assert_eq!(
            put(&app, &cookie, site, &rules).await.status,
            StatusCode::OK
        );
        let shield = Some("shield".to_owned());
        assert_eq!(
            dropped(&view(&app, home, "203.0.113.5", None).await),
            shield
        );
        assert_eq!(
            dropped(&view(&app, home, "2001:db8::9", None).await),
            shield
        );
        let admin = "https://shop.example/admin/orders";
        assert_eq!(dropped(&view(&app, admin, "192.0.2.1", None).await), shield);
        assert_eq!(
            dropped(&view(&app, home, "192.0.2.1", Some("de")).await),
            shield
        );
        // What no rule names is counted.
        assert_eq!(
            dropped(&view(&app, home, "192.0.2.1", Some("US")).await),
            None
        );
        let stored = event::Entity::find().count(&t.db).await.unwrap();
        assert_eq!(stored, 2, "{:?}", t.backend);

        // Without a list, the domain and its subdomains; with one, only it.
        let staging = "https://staging.shop.example/";
        assert_eq!(dropped(&view(&app, staging, "192.0.2.2", None).await), None);
        let elsewhere = "https://shop-mirror.net/";
        assert_eq!(
            dropped(&view(&app, elsewhere, "192.0.2.2", None).await).as_deref(),
            Some("hostname-mismatch")
        );
        let hosts = json!({"hostnames": ["shop.example", "*.shop-mirror.net", "shop-mirror.net"]});
        assert_eq!(
            put(&app, &cookie, site, &hosts).await.status,
            StatusCode::OK
        );
        assert_eq!(
            dropped(&view(&app, staging, "192.0.2.2", None).await),
            shield
        );
        assert_eq!(
            dropped(&view(&app, elsewhere, "192.0.2.2", None).await),
            None
        );
        let mirror = "https://eu.shop-mirror.net/";
        assert_eq!(dropped(&view(&app, mirror, "192.0.2.2", None).await), None);
        // The address rules went with the replacement.
        assert_eq!(dropped(&view(&app, home, "203.0.113.5", None).await), None);
        let stored = event::Entity::find().count(&t.db).await.unwrap();
        assert_eq!(stored, 6, "{:?}", t.backend);
        t.teardown().await;
    }
}
