//! Regions and cities with a city GeoIP database, on SQLite and PostgreSQL:
//! looked up at ingest (a trusted proxy's country still wins, and then only
//! the database's places in that country are kept), shown by the dashboard's
//! API with filters, and by Plausible's Stats API as `visit:region` and
//! `visit:city`.

mod common;

use axum::http::{Method, StatusCode};
use common::{app_with, create_site, get_as, send, sign_up};
use pagepulse_core::{entities::event, testing::TestDb};
use sea_orm::{EntityTrait, QuerySelect};
use serde_json::{Value, json};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// A city database in MaxMind's layout (as GeoLite2 and DB-IP's city files
/// are) for two networks, and in ip-location-db's flat one for a third.
fn city_database() -> tempfile::NamedTempFile {
    use mmdb_writer::Value;
    let named = |en: &str| Value::map([("names", Value::map([("en", Value::from(en))]))]);
    let maxmind = |country: &str, region: &str, city: &str| {
        Value::map([
            ("country", Value::map([("iso_code", Value::from(country))])),
            (
                "subdivisions",
                Value::Array(vec![Value::map([("iso_code", Value::from(region))])]),
            ),
            ("city", named(city)),
        ])
    };
    common::geo_database(vec![
        ("203.0.113.0/25", maxmind("DE", "BE", "Berlin")),
        ("203.0.113.128/25", maxmind("DE", "BY", "Munich")),
        (
            "198.51.100.0/24",
            Value::map([
                ("country_code", Value::from("EE")),
                ("state1", Value::from("Harju")),
                ("city", Value::from("Tallinn")),
            ]),
        ),
    ])
}

/// A list's (name, visitors), most visitors first and ties by name.
fn names(rows: &Value, key: &str) -> Vec<(String, u64)> {
    let mut names: Vec<(String, u64)> = rows
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {rows}"))
        .iter()
        .map(|r| {
            (
                r[key].as_str().unwrap().to_owned(),
                r["visitors"].as_u64().unwrap(),
            )
        })
        .collect();
    names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    names
}

#[tokio::test]
async fn regions_and_cities_are_looked_up_stored_and_reported() {
    let geo = city_database();
    let geo_path = geo.path().to_str().unwrap().to_owned();
    for t in TestDb::all().await {
        let app = app_with(&t, &[("GEOIP_DB", &geo_path)]);
        let cookie = sign_up(&app, "ada@example.com").await;
        let site = create_site(&app, &cookie, "Blog", "blog.example").await;
        let id = site["id"].as_str().unwrap().to_owned();
        // Two Berliners, one from Munich, one from Tallinn; one whose proxy
        // says FR (the database's German city is not kept) and one the
        // database does not know.
        let visitors: [(&str, Option<&str>); 6] = [
            ("203.0.113.1", None),
            ("203.0.113.2", None),
            ("203.0.113.200", None),
            ("198.51.100.7", None),
            ("203.0.113.3", Some("FR")),
            ("192.0.2.1", None),
        ];
        for (address, country) in visitors {
            let mut headers = vec![
                ("content-type", "text/plain"),
                ("user-agent", FIREFOX),
                ("x-forwarded-for", address),
            ];
            if let Some(country) = country {
                headers.push(("cf-ipcountry", country));
            }
            let body = r#"{"n":"pageview","u":"https://blog.example/","d":"blog.example"}"#;
            let reply = send(&app, Method::POST, "/api/event", &headers, Some(body)).await;
            assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
        }

        let mut stored: Vec<(Option<String>, Option<String>, Option<String>)> =
            event::Entity::find()
                .select_only()
                .columns([
                    event::Column::Country,
                    event::Column::Region,
                    event::Column::City,
                ])
                .into_tuple()
                .all(&t.db)
                .await
                .unwrap();
        stored.sort();
        let place = |c: &str, r: &str, city: &str| {
            (
                Some(c.to_owned()),
                Some(r.to_owned()),
                Some(city.to_owned()),
            )
        };
        assert_eq!(
            stored,
            vec![
                (None, None, None),
                place("DE", "DE-BE", "Berlin"),
                place("DE", "DE-BE", "Berlin"),
                place("DE", "DE-BY", "Munich"),
                place("EE", "Harju", "Tallinn"),
                (Some("FR".to_owned()), None, None),
            ],
            "{:?}",
            t.backend
        );

        // The dashboard's report, whole and filtered.
        let uri = format!("/api/v1/sites/{id}/analytics?period=today");
        let report = get_as(&app, &uri, &cookie).await.json();
        assert_eq!(
            names(&report["regions"], "code"),
            [("DE-BE", 2), ("DE-BY", 1), ("Harju", 1)].map(|(n, v)| (n.to_owned(), v))
        );
        assert_eq!(
            names(&report["cities"], "name"),
            [("Berlin", 2), ("Munich", 1), ("Tallinn", 1)].map(|(n, v)| (n.to_owned(), v))
        );
        let filtered = get_as(&app, &format!("{uri}&region=DE-BY|Harju"), &cookie)
            .await
            .json();
        assert_eq!(filtered["summary"]["visitors"], 2);
        assert_eq!(
            names(&filtered["countries"], "code"),
            [("DE", 1), ("EE", 1)].map(|(n, v)| (n.to_owned(), v))
        );
        let berlin = get_as(&app, &format!("{uri}&city=Berlin"), &cookie)
            .await
            .json();
        assert_eq!(berlin["summary"]["visitors"], 2);
        let csv = get_as(
            &app,
            &format!("/api/v1/sites/{id}/export.csv?period=today"),
            &cookie,
        )
        .await;
        assert!(csv.body.contains("regions,DE-BE"), "{}", csv.body);
        assert!(csv.body.contains("cities,Tallinn"), "{}", csv.body);

        // Plausible's Stats API, v1 and v2.
        let key = {
            let reply = send(
                &app,
                Method::POST,
                "/api/v1/api-keys",
                &[("cookie", &cookie)],
                Some(r#"{"name":"stats"}"#),
            )
            .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            format!("Bearer {}", reply.json()["key"].as_str().unwrap())
        };
        let v1 = send(
            &app,
            Method::GET,
            "/api/v1/stats/breakdown?site_id=blog.example&period=day&property=visit:city",
            &[("authorization", &key)],
            None,
        )
        .await;
        assert_eq!(v1.status, StatusCode::OK, "{}", v1.body);
        assert_eq!(
            names(&v1.json()["results"], "city"),
            [("Berlin", 2), ("Munich", 1), ("Tallinn", 1)].map(|(n, v)| (n.to_owned(), v))
        );
        let v2 = send(
            &app,
            Method::POST,
            "/api/v2/query",
            &[("authorization", &key)],
            Some(
                &json!({
                    "site_id": "blog.example",
                    "date_range": "day",
                    "metrics": ["visitors"],
                    "dimensions": ["visit:region"],
                    "filters": [["is_not", "visit:city", ["Munich"]]],
                })
                .to_string(),
            ),
        )
        .await;
        assert_eq!(v2.status, StatusCode::OK, "{}", v2.body);
        assert_eq!(
            v2.json()["results"],
            json!([
                {"dimensions": ["DE-BE"], "metrics": [2]},
                {"dimensions": ["Harju"], "metrics": [1]},
            ])
        );
        t.teardown().await;
    }
}
