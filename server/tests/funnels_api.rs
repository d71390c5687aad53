//! Funnels through the owner's REST API on SQLite and PostgreSQL: defined,
//! listed, counted over a period, refused when malformed, private to their
//! owner, deleted.

mod common;

use axum::http::{Method, StatusCode};
use common::{get_as, send, sign_up, visits::Fixture};
use pagepulse_core::testing::TestDb;
use serde_json::json;

#[tokio::test]
async fn funnels_are_defined_counted_and_deleted_by_their_owner() {
    for t in TestDb::all().await {
        let f = Fixture::new(&t).await;
        let funnels = format!("/api/v1/sites/{}/funnels", f.site);
        let post = |body: &'static str| {
            let (app, cookie, uri) = (f.app.clone(), f.cookie.clone(), funnels.clone());
            async move { send(&app, Method::POST, &uri, &[("cookie", &cookie)], Some(body)).await }
        };
        let made = post(
            r#"{"name":"Docs to signup","steps":[{"page":"/"},{"page":"/docs*"},{"goal":"Signup"}]}"#,
        )
        .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let made = made.json();
        assert_eq!(made["name"], "Docs to signup");
        assert_eq!(made["steps"][2], json!({"goal": "Signup"}));
        let fid = made["id"].as_i64().unwrap();

        let listed = get_as(&f.app, &funnels, &f.cookie).await.json();
        assert_eq!(listed.as_array().unwrap().len(), 1);
        let day = f.day;
        let counted = get_as(
            &f.app,
            &format!("{funnels}/{fid}?period=custom&start={day}&end={day}"),
            &f.cookie,
        )
        .await;
        assert_eq!(counted.status, StatusCode::OK, "{}", counted.body);
        // Visitor 1 went / → /docs/intro → Signup; visitor 3 entered on /
        // and left; visitor 2 never saw /.
        assert_eq!(
            counted.json(),
            json!({"name": "Docs to signup", "steps": [
                {"name": "Visit /", "visitors": 2, "conversion_rate": 100.0, "dropoff": 0},
                {"name": "Visit /docs*", "visitors": 1, "conversion_rate": 50.0, "dropoff": 1},
                {"name": "Signup", "visitors": 1, "conversion_rate": 50.0, "dropoff": 0},
            ]})
        );

        for (body, field) in [
            (r#"{"name":"One","steps":[{"page":"/"}]}"#, "2 to 8"),
            (
                r#"{"name":"Nope","steps":[{"page":"/"},{"goal":"Nope"}]}"#,
                "not a goal",
            ),
            (
                r#"{"name":"Both","steps":[{"page":"/"},{"page":"/a","goal":"Signup"}]}"#,
                "each step",
            ),
            (
                r#"{"name":"Rel","steps":[{"page":"/"},{"page":"docs"}]}"#,
                "starting with /",
            ),
            (
                r#"{"name":"","steps":[{"page":"/"},{"page":"/a"}]}"#,
                "name",
            ),
        ] {
            let reply = post(body).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                reply.body
            );
            let error = reply.json()["error"].as_str().unwrap().to_owned();
            assert!(error.contains(field), "{body}: {error}");
        }
        let nine = format!(
            r#"{{"name":"Long","steps":[{}]}}"#,
            [r#"{"page":"/"}"#; 9].join(",")
        );
        let reply = send(
            &f.app,
            Method::POST,
            &funnels,
            &[("cookie", &f.cookie)],
            Some(&nine),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );

        // Another user sees neither the site's funnels nor one of them.
        let other = sign_up(&f.app, "bob@example.com").await;
        assert_eq!(
            get_as(&f.app, &funnels, &other).await.status,
            StatusCode::NOT_FOUND
        );
        let one = format!("{funnels}/{fid}");
        assert_eq!(
            get_as(&f.app, &one, &other).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            get_as(&f.app, &format!("{funnels}/x"), &f.cookie)
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        let gone = send(&f.app, Method::DELETE, &one, &[("cookie", &f.cookie)], None).await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        assert_eq!(
            get_as(&f.app, &one, &f.cookie).await.status,
            StatusCode::NOT_FOUND
        );
        let again = send(&f.app, Method::DELETE, &one, &[("cookie", &f.cookie)], None).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        t.teardown().await;
    }
}
