//! Plausible's Sites API with a Bearer key, on SQLite and PostgreSQL: sites by
//! domain, shared links and goals in Plausible's shapes and words, while the
//! same paths with the session cookie keep PagePulse's own shapes.

mod common;

use axum::{
    Router,
    http::{Method, StatusCode},
};
use common::{Reply, app, create_site, get_as, send, sign_up};
use pagepulse_core::testing::TestDb;
use serde_json::{Value, json};

async fn key_for(app: &Router, cookie: &str) -> String {
    let reply = send(
        app,
        Method::POST,
        "/api/v1/api-keys",
        &[("cookie", cookie)],
        Some(r#"{"name":"provisioning"}"#),
    )
    .await;
    reply.json()["key"].as_str().unwrap().to_owned()
}

async fn call(app: &Router, key: &str, method: Method, uri: &str, body: Option<Value>) -> Reply {
    let bearer = format!("Bearer {key}");
    let body = body.map(|b| b.to_string());
    send(
        app,
        method,
        uri,
        &[("authorization", &bearer)],
        body.as_deref(),
    )
    .await
}

#[tokio::test]
async fn sites_shared_links_and_goals_follow_plausibles_sites_api() {
    for t in TestDb::all().await {
        let app = app(&t);
        let cookie = sign_up(&app, "ada@example.com").await;
        let key = key_for(&app, &cookie).await;
        create_site(&app, &cookie, "Old", "old.example").await;

        let made = call(
            &app,
            &key,
            Method::POST,
            "/api/v1/sites",
            Some(json!({"domain": "new.example", "timezone": "Europe/Berlin"})),
        )
        .await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        assert_eq!(
            made.json(),
            json!({"domain": "new.example", "timezone": "Europe/Berlin", "custom_properties": []})
        );
        let taken = call(
            &app,
            &key,
            Method::POST,
            "/api/v1/sites",
            Some(json!({"domain": "new.example"})),
        )
        .await;
        assert_eq!(taken.status, StatusCode::BAD_REQUEST);
        assert!(
            taken.json()["error"]
                .as_str()
                .unwrap()
                .starts_with("domain: ")
        );
        let blank = call(&app, &key, Method::POST, "/api/v1/sites", Some(json!({}))).await;
        assert_eq!(
            (blank.status, blank.json()["error"].clone()),
            (StatusCode::BAD_REQUEST, json!("domain: can't be blank"))
        );
        let zone = call(
            &app,
            &key,
            Method::POST,
            "/api/v1/sites",
            Some(json!({"domain": "z.example", "timezone": "Mars/Base"})),
        )
        .await;
        assert_eq!(zone.status, StatusCode::BAD_REQUEST);
        assert!(
            zone.json()["error"]
                .as_str()
                .unwrap()
                .starts_with("timezone: ")
        );

        let listed = call(&app, &key, Method::GET, "/api/v1/sites", None)
            .await
            .json();
        assert_eq!(
            listed["sites"],
            json!([{"domain": "new.example", "timezone": "Europe/Berlin"}, {"domain": "old.example", "timezone": "UTC"}])
        );
        assert_eq!(
            listed["meta"],
            json!({"after": null, "before": null, "limit": 100})
        );
        let first = call(&app, &key, Method::GET, "/api/v1/sites?limit=1", None)
            .await
            .json();
        assert_eq!(first["sites"].as_array().unwrap().len(), 1);
        let after = first["meta"]["after"].as_str().unwrap();
        let next = call(
            &app,
            &key,
            Method::GET,
            &format!("/api/v1/sites?limit=1&after={after}"),
            None,
        )
        .await
        .json();
        assert_eq!(next["sites"][0]["domain"], "old.example");
        assert_eq!(next["meta"]["after"], Value::Null);

        // The cookie keeps PagePulse's shapes on the same paths.
        let ours = get_as(&app, "/api/v1/sites", &cookie).await.json();
        assert!(
            ours.as_array()
                .unwrap()
                .iter()
                .all(|s| s["id"].is_string() && s["tracking_snippet"].is_string())
        );

        let one = call(&app, &key, Method::GET, "/api/v1/sites/new.example", None).await;
        assert_eq!(one.json()["domain"], "new.example");
        let missing = call(&app, &key, Method::GET, "/api/v1/sites/nope.example", None).await;
        assert_eq!(
            (missing.status, missing.json()),
            (
                StatusCode::NOT_FOUND,
                json!({"error": "Site could not be found"})
            )
        );
        let renamed = call(
            &app,
            &key,
            Method::PUT,
            "/api/v1/sites/new.example",
            Some(json!({"domain": "renamed.example"})),
        )
        .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
        assert_eq!(renamed.json()["domain"], "renamed.example");
        let same = call(
            &app,
            &key,
            Method::PUT,
            "/api/v1/sites/renamed.example",
            Some(json!({"domain": "renamed.example"})),
        )
        .await;
        assert_eq!(
            same.json()["error"],
            "domain: New domain must be different than the current one"
        );
        let empty = call(
            &app,
            &key,
            Method::PUT,
            "/api/v1/sites/renamed.example",
            Some(json!({})),
        )
        .await;
        assert_eq!(empty.status, StatusCode::BAD_REQUEST);

        let link = call(
            &app,
            &key,
            Method::PUT,
            "/api/v1/sites/shared-links",
            Some(json!({"site_id": "renamed.example", "name": "Wordpress"})),
        )
        .await;
        assert_eq!(link.status, StatusCode::OK, "{}", link.body);
        let link = link.json();
        assert_eq!(link["name"], "Wordpress");
        let url = link["url"].as_str().unwrap();
        assert!(url.starts_with("https://stats.example.net/share/"), "{url}");
        let again = call(
            &app,
            &key,
            Method::PUT,
            "/api/v1/sites/shared-links",
            Some(json!({"site_id": "renamed.example", "name": "Wordpress"})),
        )
        .await;
        assert_eq!(again.json()["url"], url, "the same link again");
        let public = send(
            &app,
            Method::GET,
            &format!(
                "/api/v1/public/{}/analytics",
                url.rsplit('/').next().unwrap()
            ),
            &[],
            None,
        )
        .await;
        assert_eq!(public.status, StatusCode::OK);
        let nameless = call(
            &app,
            &key,
            Method::PUT,
            "/api/v1/sites/shared-links",
            Some(json!({"site_id": "renamed.example"})),
        )
        .await;
        assert_eq!(
            nameless.json()["error"],
            "Parameter `name` is required to create a shared link"
        );

        // Goals: find-or-create with each goal type clients send, listed, deleted.
        let goal = |body: Value| call(&app, &key, Method::PUT, "/api/v1/sites/goals", Some(body));
        let signup = goal(
            json!({"site_id": "renamed.example", "goal_type": "event", "event_name": "Signup"}),
        )
        .await;
        assert_eq!(signup.status, StatusCode::OK, "{}", signup.body);
        let signup = signup.json();
        assert!(signup["id"].is_i64());
        assert_eq!(signup["display_name"], "Signup");
        assert_eq!(signup["goal_type"], "event");
        assert_eq!(signup["page_path"], Value::Null);
        assert_eq!(signup["domain"], "renamed.example");
        let twice = goal(
            json!({"site_id": "renamed.example", "goal_type": "event", "event_name": "Signup"}),
        )
        .await
        .json();
        assert_eq!(twice["id"], signup["id"]);
        let page = goal(
            json!({"site_id": "renamed.example", "goal_type": "page", "page_path": "/blog/*"}),
        )
        .await
        .json();
        assert_eq!(
            (page["display_name"].clone(), page["goal_type"].clone()),
            (json!("Visit /blog/*"), json!("page"))
        );
        let bare = call(&app, &key, Method::POST, "/api/v1/sites/goals", Some(json!({"site_id": "renamed.example", "goal_type": "page_path", "page_path": "pricing"}))).await.json();
        assert_eq!(bare["page_path"], "/pricing");
        let form = send(
            &app,
            Method::PUT,
            "/api/v1/sites/goals",
            &[
                ("authorization", &format!("Bearer {key}")),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Some("site_id=renamed.example&goal_type=event&event_name=Download"),
        )
        .await;
        assert_eq!(form.json()["event_name"], "Download");
        for (body, message) in [
            (
                json!({"goal_type": "event", "event_name": "X"}),
                "Parameter `site_id` is required to create a goal",
            ),
            (
                json!({"site_id": "renamed.example", "event_name": "X"}),
                "Parameter `goal_type` is required to create a goal",
            ),
            (
                json!({"site_id": "renamed.example", "goal_type": "event"}),
                "Parameter `event_name` is required to create a goal",
            ),
            (
                json!({"site_id": "renamed.example", "goal_type": "page"}),
                "Parameter `page_path` is required to create a goal",
            ),
        ] {
            let reply = goal(body).await;
            assert_eq!(
                (reply.status, reply.json()["error"].clone()),
                (StatusCode::BAD_REQUEST, json!(message))
            );
        }
        let listed = call(
            &app,
            &key,
            Method::GET,
            "/api/v1/sites/goals?site_id=renamed.example",
            None,
        )
        .await
        .json();
        let names: Vec<&str> = listed["goals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["display_name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["Download", "Visit /pricing", "Visit /blog/*", "Signup"]
        );
        let id = signup["id"].as_i64().unwrap();
        let deleted = call(
            &app,
            &key,
            Method::DELETE,
            &format!("/api/v1/sites/goals/{id}"),
            Some(json!({"site_id": "renamed.example"})),
        )
        .await;
        assert_eq!(
            (deleted.status, deleted.json()),
            (StatusCode::OK, json!({"deleted": true}))
        );
        // Clients that send the goal's id in the body are answered too.
        let by_body = json!({"site_id": "renamed.example", "goal_id": page["id"]});
        let by_body = call(
            &app,
            &key,
            Method::DELETE,
            "/api/v1/sites/goals",
            Some(by_body),
        )
        .await;
        assert_eq!(
            (by_body.status, by_body.json()),
            (StatusCode::OK, json!({"deleted": true}))
        );
        let gone = call(
            &app,
            &key,
            Method::DELETE,
            &format!("/api/v1/sites/goals/{id}"),
            Some(json!({"site_id": "renamed.example"})),
        )
        .await;
        assert_eq!(
            (gone.status, gone.json()["error"].clone()),
            (StatusCode::NOT_FOUND, json!("Goal could not be found"))
        );

        // The owner's REST goals see the same goals.
        let site_id = ours[0]["id"].as_str().unwrap();
        let rest = get_as(&app, &format!("/api/v1/sites/{site_id}/goals"), &cookie).await;
        assert_eq!(rest.status, StatusCode::OK, "{}", rest.body);

        let removed = call(
            &app,
            &key,
            Method::DELETE,
            "/api/v1/sites/renamed.example",
            None,
        )
        .await;
        assert_eq!(
            (removed.status, removed.json()),
            (StatusCode::OK, json!({"deleted": true}))
        );
        assert_eq!(
            call(
                &app,
                &key,
                Method::GET,
                "/api/v1/sites/renamed.example",
                None
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        t.teardown().await;
    }
}

#[tokio::test]
async fn another_key_changes_nothing_of_a_site_it_does_not_own() {
    for t in TestDb::all().await {
        let app = app(&t);
        let ada = sign_up(&app, "ada@example.com").await;
        let bob = sign_up(&app, "bob@example.com").await;
        create_site(&app, &ada, "Blog", "blog.example").await;
        let ada_key = key_for(&app, &ada).await;
        let bob_key = key_for(&app, &bob).await;
        let goal = call(
            &app,
            &ada_key,
            Method::PUT,
            "/api/v1/sites/goals",
            Some(json!({"site_id": "blog.example", "goal_type": "event", "event_name": "Signup"})),
        )
        .await
        .json();
        let goal_path = format!("/api/v1/sites/goals/{}", goal["id"]);
        let site = json!({"site_id": "blog.example"});
        for (method, uri, body) in [
            (Method::GET, "/api/v1/sites/blog.example", None),
            (
                Method::PUT,
                "/api/v1/sites/blog.example",
                Some(json!({"domain": "stolen.example"})),
            ),
            (Method::DELETE, "/api/v1/sites/blog.example", None),
            (
                Method::PUT,
                "/api/v1/sites/shared-links",
                Some(json!({"site_id": "blog.example", "name": "x"})),
            ),
            (
                Method::GET,
                "/api/v1/sites/goals?site_id=blog.example",
                None,
            ),
            (
                Method::PUT,
                "/api/v1/sites/goals",
                Some(json!({"site_id": "blog.example", "goal_type": "event", "event_name": "X"})),
            ),
            (Method::DELETE, goal_path.as_str(), Some(site.clone())),
        ] {
            let reply = call(&app, &bob_key, method.clone(), uri, body.clone()).await;
            assert_eq!(
                (reply.status, reply.json()),
                (
                    StatusCode::NOT_FOUND,
                    json!({"error": "Site could not be found"})
                ),
                "{method} {uri}"
            );
            let nobody = call(&app, &"f".repeat(64), method.clone(), uri, body).await;
            assert_eq!(nobody.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
            assert_eq!(
                nobody.json()["error"],
                "Invalid API key. Please make sure you're using a valid API key with access to the resource you've requested.",
                "{method} {uri}"
            );
        }
        // Bob's own list is empty, and Ada's site and goal are as they were.
        let listed = call(&app, &bob_key, Method::GET, "/api/v1/sites", None)
            .await
            .json();
        assert_eq!(listed["sites"], json!([]));
        let theirs = call(
            &app,
            &ada_key,
            Method::GET,
            "/api/v1/sites/goals?site_id=blog.example",
            None,
        )
        .await
        .json();
        assert_eq!(theirs["goals"].as_array().unwrap().len(), 1);
        let made = call(
            &app,
            &bob_key,
            Method::POST,
            "/api/v1/sites",
            Some(json!({"domain": "blog.example"})),
        )
        .await;
        assert_eq!(
            made.status,
            StatusCode::BAD_REQUEST,
            "a domain is one site's"
        );
        t.teardown().await;
    }
}

#[tokio::test]
async fn the_owners_rest_goals_are_made_listed_and_deleted() {
    for t in TestDb::all().await {
        let app = app(&t);
        let ada = sign_up(&app, "ada@example.com").await;
        let bob = sign_up(&app, "bob@example.com").await;
        let site = create_site(&app, &ada, "Blog", "blog.example").await;
        let base = format!("/api/v1/sites/{}/goals", site["id"].as_str().unwrap());
        let post = |cookie: &str, body: &str| {
            let (app, base, cookie, body) = (
                app.clone(),
                base.clone(),
                cookie.to_owned(),
                body.to_owned(),
            );
            async move {
                send(
                    &app,
                    Method::POST,
                    &base,
                    &[("cookie", &cookie)],
                    Some(&body),
                )
                .await
            }
        };
        let made = post(&ada, r#"{"event_name":"Signup"}"#).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        assert_eq!(
            post(&ada, r#"{"event_name":"Signup"}"#).await.status,
            StatusCode::OK
        );
        let page = post(&ada, r#"{"page_path":"/docs/*"}"#).await;
        assert_eq!(page.json()["display_name"], "Visit /docs/*");
        assert_eq!(
            post(&ada, r#"{}"#).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            post(&ada, r#"{"event_name":"pageview"}"#).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            post(&bob, r#"{"event_name":"Signup"}"#).await.status,
            StatusCode::NOT_FOUND
        );
        let listed = get_as(&app, &base, &ada).await.json();
        assert_eq!(listed.as_array().unwrap().len(), 2);
        let id = made.json()["id"].as_i64().unwrap();
        let deleted = send(
            &app,
            Method::DELETE,
            &format!("{base}/{id}"),
            &[("cookie", &ada)],
            None,
        )
        .await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        let again = send(
            &app,
            Method::DELETE,
            &format!("{base}/{id}"),
            &[("cookie", &ada)],
            None,
        )
        .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        t.teardown().await;
    }
}
