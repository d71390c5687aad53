//! Plausible's Stats API v1 and v2 over HTTP, on SQLite and PostgreSQL: the
//! documented shapes for a known set of visits, the key and the site checks,
//! the hourly limit per key, and Plausible's error texts.

mod common;

use axum::{
    Router,
    http::{Method, StatusCode},
};
use chrono::Utc;
use common::{Reply, app_with, create_site, send, sign_up};
use pagepulse_core::testing::TestDb;
use serde_json::{Value, json};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// Four visitors today: A from Google reads two pages and signs up; B from
/// Hacker News and C directly bounce; D comes from a newsletter campaign.
async fn visits(app: &Router) {
    let beacons = [
        (
            "203.0.113.1",
            r#"{"n":"pageview","u":"https://blog.example/","d":"blog.example","r":"https://www.google.com/search?q=x"}"#,
        ),
        (
            "203.0.113.1",
            r#"{"n":"pageview","u":"https://blog.example/pricing","d":"blog.example","r":"https://blog.example/"}"#,
        ),
        (
            "203.0.113.1",
            r#"{"n":"Signup","u":"https://blog.example/pricing","d":"blog.example","p":{"plan":"pro"}}"#,
        ),
        (
            "203.0.113.2",
            r#"{"n":"pageview","u":"https://blog.example/blog/post","d":"blog.example","r":"https://news.ycombinator.com/item?id=1"}"#,
        ),
        (
            "203.0.113.3",
            r#"{"n":"pageview","u":"https://blog.example/","d":"blog.example"}"#,
        ),
        (
            "203.0.113.4",
            r#"{"n":"pageview","u":"https://blog.example/docs?utm_source=newsletter&utm_campaign=launch","d":"blog.example"}"#,
        ),
    ];
    for (address, body) in beacons {
        let headers = [
            ("content-type", "text/plain"),
            ("user-agent", FIREFOX),
            ("x-forwarded-for", address),
        ];
        let reply = send(app, Method::POST, "/api/event", &headers, Some(body)).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    }
}

/// Ada's site `blog.example` with the four visits, and her key.
async fn site_with_visits(t: &TestDb) -> (Router, String) {
    let app = app_with(t, &[]);
    let cookie = sign_up(&app, "ada@example.com").await;
    create_site(&app, &cookie, "Blog", "blog.example").await;
    visits(&app).await;
    let key = new_key(&app, &cookie).await;
    (app, key)
}

async fn new_key(app: &Router, cookie: &str) -> String {
    let reply = send(
        app,
        Method::POST,
        "/api/v1/api-keys",
        &[("cookie", cookie)],
        Some(r#"{"name":"stats"}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["key"].as_str().unwrap().to_owned()
}

async fn get(app: &Router, key: &str, uri: &str) -> Reply {
    let bearer = format!("Bearer {key}");
    send(app, Method::GET, uri, &[("authorization", &bearer)], None).await
}

async fn ok(app: &Router, key: &str, uri: &str) -> Value {
    let reply = get(app, key, uri).await;
    assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.body);
    reply.json()
}

async fn v2(app: &Router, key: &str, body: Value) -> Reply {
    let bearer = format!("Bearer {key}");
    send(
        app,
        Method::POST,
        "/api/v2/query",
        &[("authorization", &bearer)],
        Some(&body.to_string()),
    )
    .await
}

fn error_of(reply: &Reply) -> String {
    reply.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn v1_answers_in_plausibles_shapes() {
    for t in TestDb::all().await {
        let (app, key) = site_with_visits(&t).await;
        let base = "/api/v1/stats";
        let today = Utc::now().date_naive();

        let all = "metrics=visitors,visits,pageviews,views_per_visit,bounce_rate,visit_duration";
        let aggregate = ok(
            &app,
            &key,
            &format!("{base}/aggregate?site_id=blog.example&period=day&{all}"),
        )
        .await;
        assert_eq!(aggregate["results"]["visitors"], json!({"value": 4}));
        assert_eq!(aggregate["results"]["visits"]["value"], 4);
        assert_eq!(aggregate["results"]["pageviews"]["value"], 5);
        assert_eq!(aggregate["results"]["views_per_visit"]["value"], 1.25);
        assert_eq!(aggregate["results"]["bounce_rate"]["value"], 75);
        assert_eq!(aggregate["results"]["visit_duration"]["value"], 0);
        let compared = ok(
            &app,
            &key,
            &format!("{base}/aggregate?site_id=blog.example&period=day&compare=previous_period"),
        )
        .await;
        assert_eq!(
            compared["results"]["visitors"],
            json!({"value": 4, "change": 100, "comparison_value": 0})
        );
        // Session metrics with a page filter count the visits that entered there.
        let filtered = ok(&app, &key, &format!("{base}/aggregate?site_id=blog.example&period=day&metrics=visitors,pageviews,bounce_rate&filters=event:page%3D%3D/")).await;
        assert_eq!(filtered["results"]["visitors"]["value"], 2);
        assert_eq!(filtered["results"]["bounce_rate"]["value"], 50);
        let wildcard = ok(&app, &key, &format!("{base}/aggregate?site_id=blog.example&period=day&filters=event:page%3D%3D/blog*|/docs")).await;
        assert_eq!(wildcard["results"]["visitors"]["value"], 2);
        let excluded = ok(&app, &key, &format!("{base}/aggregate?site_id=blog.example&period=day&filters=visit:source!%3DGoogle;visit:browser%3D%3DFirefox")).await;
        assert_eq!(excluded["results"]["visitors"]["value"], 3);

        let hourly = ok(
            &app,
            &key,
            &format!("{base}/timeseries?site_id=blog.example&period=day"),
        )
        .await;
        let hours = hourly["results"].as_array().unwrap();
        assert_eq!(hours.len(), 24);
        assert_eq!(hours[0]["date"], format!("{today} 00:00:00"));
        assert_eq!(
            hours
                .iter()
                .map(|h| h["visitors"].as_i64().unwrap())
                .sum::<i64>(),
            4
        );
        let week = ok(&app, &key, &format!("{base}/timeseries?site_id=blog.example&period=7d&interval=date&metrics=visitors,visit_duration")).await;
        let days = week["results"].as_array().unwrap();
        assert_eq!(days.len(), 7, "7d ends yesterday");
        assert_eq!(
            days[6]["date"],
            (today - chrono::Duration::days(1)).to_string()
        );
        assert_eq!(days[6]["visitors"], 0);
        assert_eq!(days[6]["visit_duration"], Value::Null);

        let breakdown =
            |query: &str| format!("{base}/breakdown?site_id=blog.example&period=day&{query}");
        let sources = ok(&app, &key, &breakdown("property=visit:source")).await;
        assert_eq!(
            sources["results"],
            json!([
                {"source": "Direct / None", "visitors": 1},
                {"source": "Google", "visitors": 1},
                {"source": "Hacker News", "visitors": 1},
                {"source": "newsletter", "visitors": 1},
            ])
        );
        let pages = ok(
            &app,
            &key,
            &breakdown("property=event:page&metrics=visitors,pageviews,bounce_rate&limit=2"),
        )
        .await;
        assert_eq!(
            pages["results"],
            json!([
                {"page": "/", "visitors": 2, "pageviews": 2, "bounce_rate": 50},
                {"page": "/blog/post", "visitors": 1, "pageviews": 1, "bounce_rate": 100},
            ])
        );
        let second = ok(&app, &key, &breakdown("property=event:page&limit=2&page=2")).await;
        assert_eq!(second["results"][0]["page"], "/docs");
        let props = ok(
            &app,
            &key,
            &breakdown(
                "property=event:props:plan&metrics=visitors,events&filters=event:name%3D%3DSignup",
            ),
        )
        .await;
        assert_eq!(
            props["results"],
            json!([{"plan": "pro", "visitors": 1, "events": 1}])
        );
        let versions = ok(&app, &key, &breakdown("property=visit:browser_version")).await;
        assert_eq!(versions["results"][0]["browser"], "Firefox");
        assert_eq!(versions["results"][0]["browser_version"], "133");
        let campaigns = ok(&app, &key, &breakdown("property=visit:utm_campaign")).await;
        assert_eq!(
            campaigns["results"],
            json!([{"utm_campaign": "launch", "visitors": 1}])
        );

        // Goals, made through the Sites API, answer conversions.
        let bearer = format!("Bearer {key}");
        let goal = send(
            &app,
            Method::PUT,
            "/api/v1/sites/goals",
            &[("authorization", &bearer)],
            Some(r#"{"site_id":"blog.example","goal_type":"event","event_name":"Signup"}"#),
        )
        .await;
        assert_eq!(goal.status, StatusCode::OK, "{}", goal.body);
        let goals = ok(
            &app,
            &key,
            &breakdown("property=event:goal&metrics=visitors,events,conversion_rate"),
        )
        .await;
        assert_eq!(
            goals["results"],
            json!([{"goal": "Signup", "visitors": 1, "events": 1, "conversion_rate": 25.0}])
        );
        let converted = ok(&app, &key, &format!("{base}/aggregate?site_id=blog.example&period=day&metrics=visitors,conversion_rate&filters=event:goal%3D%3DSignup")).await;
        assert_eq!(converted["results"]["conversion_rate"]["value"], 25.0);

        assert_eq!(
            ok(
                &app,
                &key,
                &format!("{base}/realtime/visitors?site_id=blog.example")
            )
            .await,
            json!(4)
        );

        // Plausible's refusals, word for word.
        for (query, status, message) in [
            (
                "aggregate?period=day",
                StatusCode::BAD_REQUEST,
                "Missing site ID. Please provide the required site_id parameter with your request.",
            ),
            (
                "aggregate?site_id=other.example",
                StatusCode::UNAUTHORIZED,
                "Invalid API key or site ID. Please make sure you're using a valid API key with access to the site you've requested.",
            ),
            (
                "aggregate?site_id=blog.example&period=week",
                StatusCode::BAD_REQUEST,
                "Error parsing `period` parameter: invalid period `week`. Please find accepted values in our docs: https://plausible.io/docs/stats-api#time-periods",
            ),
            (
                "aggregate?site_id=blog.example&period=day&date=2021-02-30",
                StatusCode::BAD_REQUEST,
                "Error parsing `date` parameter: invalid_date. Please specify a valid date in ISO-8601 format.",
            ),
            (
                "aggregate?site_id=blog.example&metrics=nope",
                StatusCode::BAD_REQUEST,
                "The metric `nope` is not recognized. Find valid metrics from the documentation: https://plausible.io/docs/stats-api#metrics",
            ),
            (
                "aggregate?site_id=blog.example&metrics=conversion_rate",
                StatusCode::BAD_REQUEST,
                "Metric `conversion_rate` can only be queried in a goal breakdown or with a goal filter",
            ),
            (
                "aggregate?site_id=blog.example&metrics=bounce_rate&filters=event:name%3D%3DSignup",
                StatusCode::BAD_REQUEST,
                "Session metric `bounce_rate` cannot be queried when using a filter on `event:name`.",
            ),
            (
                "breakdown?site_id=blog.example",
                StatusCode::BAD_REQUEST,
                "The `property` parameter is required. Please provide at least one property to show a breakdown by.",
            ),
            (
                "breakdown?site_id=blog.example&property=event:name&metrics=visits",
                StatusCode::BAD_REQUEST,
                "Session metric `visits` cannot be queried for breakdown by `event:name`.",
            ),
            (
                "breakdown?site_id=blog.example&property=visit:nope",
                StatusCode::BAD_REQUEST,
                "Invalid property 'visit:nope'. Please provide a valid property for the breakdown endpoint: https://plausible.io/docs/stats-api#properties",
            ),
            (
                "breakdown?site_id=blog.example&property=event:page&limit=1001",
                StatusCode::BAD_REQUEST,
                "Please provide limit as a number between 1 and 1000.",
            ),
            (
                "timeseries?site_id=blog.example&interval=week",
                StatusCode::BAD_REQUEST,
                "Error parsing `interval` parameter: invalid interval `week`. Valid intervals are `day`, `month`",
            ),
            (
                "aggregate?site_id=blog.example&filters=event:goal%3D%3DNever",
                StatusCode::BAD_REQUEST,
                "The goal `Never` is not configured for this site. Find out how to configure goals here: https://plausible.io/docs/stats-api#filtering-by-goals",
            ),
        ] {
            let reply = get(&app, &key, &format!("{base}/{query}")).await;
            assert_eq!(
                (reply.status, error_of(&reply).as_str()),
                (status, message),
                "{query}"
            );
        }
        t.teardown().await;
    }
}

#[tokio::test]
async fn keys_sites_and_the_hourly_limit_guard_every_endpoint() {
    for t in TestDb::all().await {
        let app = app_with(&t, &[("API_RATE_LIMIT_PER_HOUR", "40")]);
        let ada = sign_up(&app, "ada@example.com").await;
        let bob = sign_up(&app, "bob@example.com").await;
        create_site(&app, &ada, "Blog", "blog.example").await;
        let ada_key = new_key(&app, &ada).await;
        let bob_key = new_key(&app, &bob).await;
        let endpoints = [
            "/api/v1/stats/aggregate?site_id=blog.example",
            "/api/v1/stats/timeseries?site_id=blog.example",
            "/api/v1/stats/breakdown?site_id=blog.example&property=event:page",
            "/api/v1/stats/realtime/visitors?site_id=blog.example",
            "/api/v1/sites/goals?site_id=blog.example",
            "/api/v1/sites/blog.example",
        ];
        for uri in endpoints {
            let missing = send(&app, Method::GET, uri, &[], None).await;
            assert_eq!(missing.status, StatusCode::UNAUTHORIZED, "{uri}");
            // Without a key, `/api/v1/sites/{id}` is the cookie API's.
            if !uri.ends_with("/sites/blog.example") {
                assert_eq!(
                    error_of(&missing),
                    "Missing API key. Please use a valid Plausible API key as a Bearer Token."
                );
            }
            let wrong = get(&app, &"0".repeat(64), uri).await;
            assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{uri}");
            // Bob's key reads nothing of Ada's site.
            let stranger = get(&app, &bob_key, uri).await;
            assert!(
                matches!(
                    stranger.status,
                    StatusCode::UNAUTHORIZED | StatusCode::NOT_FOUND
                ),
                "{uri}: {}",
                stranger.status
            );
            assert_eq!(
                get(&app, &ada_key, uri).await.status,
                StatusCode::OK,
                "{uri}"
            );
        }
        let query =
            json!({"site_id": "blog.example", "metrics": ["visitors"], "date_range": "day"});
        assert_eq!(
            v2(&app, &bob_key, query.clone()).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            v2(&app, &ada_key, query.clone()).await.status,
            StatusCode::OK
        );

        // A revoked key stops at once.
        let listed = common::get_as(&app, "/api/v1/api-keys", &bob).await.json();
        let id = listed[0]["id"].as_str().unwrap();
        let revoked = send(
            &app,
            Method::DELETE,
            &format!("/api/v1/api-keys/{id}"),
            &[("cookie", &bob)],
            None,
        )
        .await;
        assert_eq!(revoked.status, StatusCode::NO_CONTENT);
        assert_eq!(
            get(&app, &bob_key, endpoints[0]).await.status,
            StatusCode::UNAUTHORIZED
        );

        // The limit counts every request of a key, then answers 429.
        let mut used = endpoints.len() + 1;
        while used < 40 {
            assert_eq!(
                get(&app, &ada_key, endpoints[0]).await.status,
                StatusCode::OK
            );
            used += 1;
        }
        let over = get(&app, &ada_key, endpoints[0]).await;
        assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(over.headers.contains_key("retry-after"));
        assert_eq!(
            error_of(&over),
            "Too many API requests. Your API key is limited to 40 requests per hour. Please contact us to request more capacity."
        );
        assert_eq!(
            v2(&app, &ada_key, query).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
        t.teardown().await;
    }
}

#[tokio::test]
async fn v2_answers_queries_in_plausibles_shape() {
    for t in TestDb::all().await {
        let (app, key) = site_with_visits(&t).await;
        let today = Utc::now().date_naive();

        let reply = v2(&app, &key, json!({"site_id": "blog.example", "metrics": ["visitors", "pageviews", "bounce_rate", "views_per_visit"], "date_range": "day"})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let answer = reply.json();
        assert_eq!(
            answer["results"],
            json!([{"metrics": [4, 5, 75, 1.25], "dimensions": []}])
        );
        assert_eq!(answer["meta"], json!({}));
        assert_eq!(
            answer["query"]["date_range"],
            json!([format!("{today}T00:00:00Z"), format!("{today}T23:59:59Z")])
        );
        assert_eq!(answer["query"]["order_by"], json!([["visitors", "desc"]]));
        assert_eq!(
            answer["query"]["pagination"],
            json!({"offset": 0, "limit": 10000})
        );

        // `all` runs from the site's first day with data to today.
        let all = v2(
            &app,
            &key,
            json!({"site_id": "blog.example", "metrics": ["visitors"], "date_range": "all"}),
        )
        .await
        .json();
        assert_eq!(all["results"][0]["metrics"], json!([4]));
        assert_eq!(all["query"]["date_range"][0], format!("{today}T00:00:00Z"));

        let sources = v2(
            &app,
            &key,
            json!({
                "site_id": "blog.example",
                "metrics": ["visitors", "percentage"],
                "date_range": [today.to_string(), today.to_string()],
                "dimensions": ["visit:source"],
                "order_by": [["visit:source", "desc"]],
                "include": {"total_rows": true},
                "pagination": {"limit": 2, "offset": 1},
            }),
        )
        .await
        .json();
        assert_eq!(
            sources["results"],
            json!([
                {"metrics": [1, 25.0], "dimensions": ["Hacker News"]},
                {"metrics": [1, 25.0], "dimensions": ["Google"]},
            ])
        );
        assert_eq!(sources["meta"], json!({"total_rows": 4}));

        for (filters, visitors) in [
            (
                json!([["contains", "event:page", ["BLOG"], {"case_sensitive": false}]]),
                1,
            ),
            (json!([["matches", "event:page", ["^/(docs|pricing)$"]]]), 2),
            (
                json!([[
                    "or",
                    [
                        ["is", "visit:source", ["Google"]],
                        ["is", "visit:utm_source", ["newsletter"]]
                    ]
                ]]),
                2,
            ),
            (
                json!([["not", ["is", "visit:source", ["Direct / None"]]]]),
                3,
            ),
            (
                json!([
                    ["is_not", "event:page", ["/"]],
                    ["is", "event:name", ["pageview"]]
                ]),
                3,
            ),
        ] {
            let body = json!({"site_id": "blog.example", "metrics": ["visitors"], "date_range": "day", "filters": filters});
            let reply = v2(&app, &key, body).await;
            assert_eq!(reply.status, StatusCode::OK, "{filters}: {}", reply.body);
            assert_eq!(
                reply.json()["results"][0]["metrics"][0],
                visitors,
                "{filters}"
            );
        }

        let hourly = v2(&app, &key, json!({"site_id": "blog.example", "metrics": ["visitors"], "date_range": "day", "dimensions": ["time"], "include": {"time_labels": true}})).await.json();
        assert_eq!(hourly["query"]["dimensions"], json!(["time:hour"]));
        assert_eq!(hourly["meta"]["time_labels"].as_array().unwrap().len(), 24);
        let counted: i64 = hourly["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["metrics"][0].as_i64().unwrap())
            .sum();
        assert_eq!(counted, 4);
        assert!(
            hourly["results"][0]["dimensions"][0]
                .as_str()
                .unwrap()
                .ends_with(":00:00")
        );

        for (body, message) in [
            (
                json!({"site_id": "blog.example"}),
                "#: Required properties metrics, date_range were not present.",
            ),
            (
                json!({"site_id": "blog.example", "metrics": ["nope"], "date_range": "day"}),
                "#/metrics/0: Invalid metric \"nope\"",
            ),
            (
                json!({"site_id": "blog.example", "metrics": ["visitors"], "date_range": "fortnight"}),
                "#/date_range: Invalid date range \"fortnight\"",
            ),
            (
                json!({"site_id": "blog.example", "metrics": ["visitors"], "date_range": "day", "dimensions": ["visit:nope"]}),
                "#/dimensions/0: Invalid dimension \"visit:nope\"",
            ),
            (
                json!({"site_id": "blog.example", "metrics": ["bounce_rate"], "date_range": "day", "dimensions": ["event:name"]}),
                "Session metric(s) `bounce_rate` cannot be queried along with event dimension(s) `event:name`",
            ),
            (
                json!({"site_id": "blog.example", "metrics": ["conversion_rate"], "date_range": "day"}),
                "Metric `conversion_rate` can only be queried with event:goal filters or dimensions.",
            ),
            (
                json!({"site_id": "blog.example", "metrics": ["visitors"], "date_range": "day", "include": {"time_labels": true}}),
                "Invalid include.time_labels: requires a time dimension.",
            ),
            (
                json!({"site_id": "blog.example", "metrics": ["visitors"], "date_range": "day", "filters": [["has_done", ["is", "event:name", ["Signup"]]]]}),
                "Invalid filters. Behavioral filters (has_done, has_not_done) are not supported yet.",
            ),
            (
                json!({"site_id": "blog.example", "metrics": ["visitors"], "date_range": "day", "filters": [["is", "entry_page", ["/blog"]]]}),
                "#/filters/0: Invalid filter [\"is\", \"entry_page\", [\"/blog\"]]",
            ),
            (
                json!({"site_id": "blog.example", "metrics": ["visitors"], "date_range": "day", "filters": [["matches", "event:page", ["(unclosed"]]]}),
                "Invalid filter: `(unclosed` is not a valid regular expression",
            ),
        ] {
            let reply = v2(&app, &key, body.clone()).await;
            assert_eq!(
                (reply.status, error_of(&reply)),
                (StatusCode::BAD_REQUEST, message.to_owned()),
                "{body}"
            );
        }
        t.teardown().await;
    }
}
