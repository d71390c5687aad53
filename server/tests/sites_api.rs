//! `/api/v1/sites` on SQLite and PostgreSQL: creation rules, ownership (404 for
//! everyone else), updates and deletion of everything recorded for a site.

mod common;

use axum::http::{Method, StatusCode};
use chrono::Utc;
use common::{app, create_site, get_as, send, sign_up};
use pagepulse_core::{
    entities::event,
    testing::{TestDb, insert_pageview},
};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

async fn create(app: &axum::Router, cookie: &str, body: &str) -> common::Reply {
    send(
        app,
        Method::POST,
        "/api/v1/sites",
        &[("cookie", cookie)],
        Some(body),
    )
    .await
}

#[tokio::test]
async fn a_site_is_created_with_a_normalised_domain_and_a_snippet() {
    for t in TestDb::all().await {
        let app = app(&t);
        let cookie = sign_up(&app, "ada@example.com").await;
        let reply = create(
            &app,
            &cookie,
            r#"{"name":"Blog","domain":"https://www.Blog.Example.com:443/posts?x=1"}"#,
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{:?} {}",
            t.backend,
            reply.body
        );
        let site = reply.json();
        let id = site["id"].as_str().unwrap();
        assert!(uuid::Uuid::parse_str(id).is_ok());
        assert_eq!(site["name"], "Blog");
        assert_eq!(site["domain"], "blog.example.com");
        assert_eq!(site["timezone"], "UTC");
        assert_eq!(site["public"], false);
        assert!(site["created_at"].is_string());
        assert_eq!(
            site["tracking_snippet"],
            format!(
                r#"<script defer src="https://stats.example.net/js/p.js" data-site="{id}"></script>"#
            )
        );

        let with_tz = create(
            &app,
            &cookie,
            r#"{"name":"Shop","domain":"shop.example.com","timezone":"America/Los_Angeles"}"#,
        )
        .await;
        assert_eq!(with_tz.status, StatusCode::CREATED);
        assert_eq!(with_tz.json()["timezone"], "America/Los_Angeles");

        for (body, status, field) in [
            (
                r#"{"name":"X","domain":"not a domain"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("domain"),
            ),
            (
                r#"{"name":"X","domain":"javascript:alert(1)"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("domain"),
            ),
            (
                r#"{"name":"X","domain":"x.example.com","timezone":"Mars/Base"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("timezone"),
            ),
            (
                r#"{"name":"","domain":"x.example.com"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("name"),
            ),
            (
                r#"{"name":"Again","domain":"BLOG.example.com"}"#,
                StatusCode::CONFLICT,
                Some("domain"),
            ),
            (
                r#"{"domain":"x.example.com"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            ),
            (r#"not json"#, StatusCode::BAD_REQUEST, None),
        ] {
            let reply = create(&app, &cookie, body).await;
            assert_eq!(
                reply.status, status,
                "{:?} {body}: {}",
                t.backend, reply.body
            );
            assert!(reply.json()["error"].is_string());
            if let Some(field) = field {
                assert_eq!(reply.json()["field"], field, "{body}");
            }
        }
        let anonymous = send(
            &app,
            Method::POST,
            "/api/v1/sites",
            &[],
            Some(r#"{"name":"X","domain":"y.example.com"}"#),
        )
        .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        t.teardown().await;
    }
}

#[tokio::test]
async fn another_users_site_is_404_on_every_route() {
    for t in TestDb::all().await {
        let app = app(&t);
        let owner = sign_up(&app, "owner@example.com").await;
        let intruder = sign_up(&app, "intruder@example.com").await;
        let site = create_site(&app, &owner, "Blog", "blog.example.com").await;
        let uri = format!("/api/v1/sites/{}", site["id"].as_str().unwrap());

        let listed = get_as(&app, "/api/v1/sites", &intruder).await;
        assert_eq!(listed.json(), json!([]));
        for (method, body) in [
            (Method::GET, None),
            (Method::PATCH, Some(r#"{"public":true}"#)),
            (Method::DELETE, None),
        ] {
            let reply = send(&app, method.clone(), &uri, &[("cookie", &intruder)], body).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{:?} {method}",
                t.backend
            );
            assert_eq!(reply.json()["error"], "site not found");
        }
        for bad_id in ["not-a-uuid", "00000000-0000-0000-0000-000000000000"] {
            let reply = get_as(&app, &format!("/api/v1/sites/{bad_id}"), &owner).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{bad_id}");
        }
        // The owner still sees it, untouched.
        let mine = get_as(&app, &uri, &owner).await;
        assert_eq!(mine.status, StatusCode::OK);
        assert_eq!(mine.json()["public"], false);
        t.teardown().await;
    }
}

#[tokio::test]
async fn a_site_is_listed_updated_and_deleted_with_its_events() {
    for t in TestDb::all().await {
        let app = app(&t);
        let cookie = sign_up(&app, "ada@example.com").await;
        let first = create_site(&app, &cookie, "Blog", "blog.example.com").await;
        create_site(&app, &cookie, "Shop", "shop.example.com").await;
        let listed = get_as(&app, "/api/v1/sites", &cookie).await.json();
        let names: Vec<_> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].clone())
            .collect();
        assert_eq!(names, [json!("Blog"), json!("Shop")]);

        let id = first["id"].as_str().unwrap();
        let uri = format!("/api/v1/sites/{id}");
        let patched = send(
            &app,
            Method::PATCH,
            &uri,
            &[("cookie", &cookie)],
            Some(r#"{"name":"Journal","domain":"http://Journal.example.com/","timezone":"Europe/Berlin","public":true}"#),
        )
        .await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
        let site = patched.json();
        assert_eq!(
            (
                site["name"].clone(),
                site["domain"].clone(),
                site["timezone"].clone(),
                site["public"].clone()
            ),
            (
                json!("Journal"),
                json!("journal.example.com"),
                json!("Europe/Berlin"),
                json!(true)
            )
        );
        for (body, status) in [
            (
                r#"{"timezone":"Nowhere/Special"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (r#"{"domain":"shop.example.com"}"#, StatusCode::CONFLICT),
            (r#"{"public":"yes"}"#, StatusCode::UNPROCESSABLE_ENTITY),
        ] {
            let reply = send(
                &app,
                Method::PATCH,
                &uri,
                &[("cookie", &cookie)],
                Some(body),
            )
            .await;
            assert_eq!(reply.status, status, "{body}: {}", reply.body);
        }
        let unchanged = get_as(&app, &uri, &cookie).await.json();
        assert_eq!(unchanged["domain"], "journal.example.com");

        let site_id = uuid::Uuid::parse_str(id).unwrap();
        for path in ["/", "/about"] {
            insert_pageview(&t.db, site_id, Utc::now().timestamp_millis(), path).await;
        }
        let deleted = send(&app, Method::DELETE, &uri, &[("cookie", &cookie)], None).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert_eq!(
            event::Entity::find().count(&t.db).await.unwrap(),
            0,
            "{:?}",
            t.backend
        );
        assert_eq!(
            get_as(&app, &uri, &cookie).await.status,
            StatusCode::NOT_FOUND
        );
        let left = get_as(&app, "/api/v1/sites", &cookie).await.json();
        assert_eq!(left.as_array().unwrap().len(), 1);
        t.teardown().await;
    }
}
