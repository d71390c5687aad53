//! Hostile and broken beacons: each gets its documented status (never a 5xx) and
//! nothing is stored. Text that is merely unusual (emoji, right-to-left scripts)
//! is data, and is stored as it came.

mod common;

use axum::http::{Method, StatusCode};
use common::{app, create_site, send, sign_up};
use pagepulse_core::{entities::event, testing::TestDb};
use sea_orm::{EntityTrait, PaginatorTrait};

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36";

#[tokio::test]
async fn hostile_bodies_get_their_documented_status_and_store_nothing() {
    for t in TestDb::all().await {
        let app = app(&t);
        let cookie = sign_up(&app, "owner@example.com").await;
        let site = create_site(&app, &cookie, "Site", "example.com").await;
        let s = site["id"].as_str().unwrap();
        let page = |u: &str| format!(r#"{{"s":"{s}","u":{u}}}"#);
        let long_path = page(&format!(r#""https://example.com/{}""#, "a".repeat(10_000)));
        let huge = format!(
            r#"{{"s":"{s}","u":"https://example.com/","p":{{"k":"{}"}}}}"#,
            "x".repeat(20_000)
        );
        let deep = format!("{}{}", "[".repeat(3_000), "]".repeat(3_000));
        let cases: Vec<(&str, String, StatusCode)> = vec![
            ("empty body", String::new(), StatusCode::BAD_REQUEST),
            ("not JSON", "s=1&u=2".into(), StatusCode::BAD_REQUEST),
            (
                "truncated JSON",
                format!(r#"{{"s":"{s}","u":"#),
                StatusCode::BAD_REQUEST,
            ),
            (
                "an array",
                format!(r#"[{{"s":"{s}"}}]"#),
                StatusCode::BAD_REQUEST,
            ),
            ("null", "null".into(), StatusCode::BAD_REQUEST),
            ("deeply nested", deep, StatusCode::BAD_REQUEST),
            (
                "missing s",
                r#"{"u":"https://example.com/"}"#.into(),
                StatusCode::BAD_REQUEST,
            ),
            (
                "missing u",
                format!(r#"{{"s":"{s}"}}"#),
                StatusCode::BAD_REQUEST,
            ),
            ("u of the wrong type", page("42"), StatusCode::BAD_REQUEST),
            (
                "javascript: URL",
                page(r#""javascript:alert(1)""#),
                StatusCode::BAD_REQUEST,
            ),
            (
                "data: URL",
                page(r#""data:text/html,<script>alert(1)</script>""#),
                StatusCode::BAD_REQUEST,
            ),
            (
                "relative URL",
                page(r#""/just/a/path""#),
                StatusCode::BAD_REQUEST,
            ),
            ("10 KB path", long_path, StatusCode::PAYLOAD_TOO_LARGE),
            ("20 KB body", huge, StatusCode::PAYLOAD_TOO_LARGE),
            (
                "NUL in the URL",
                page(r#""https://example.com/a\u0000b""#),
                StatusCode::BAD_REQUEST,
            ),
            (
                "NUL in the name",
                format!(r#"{{"s":"{s}","u":"https://example.com/","n":"x\u0000"}}"#),
                StatusCode::BAD_REQUEST,
            ),
            (
                "CRLF in the name",
                format!(r#"{{"s":"{s}","u":"https://example.com/","n":"a\r\nSet-Cookie: x=1"}}"#),
                StatusCode::BAD_REQUEST,
            ),
            (
                "nested props",
                format!(r#"{{"s":"{s}","u":"https://example.com/","p":{{"a":{{"b":1}}}}}}"#),
                StatusCode::BAD_REQUEST,
            ),
            (
                "31 props",
                format!(
                    r#"{{"s":"{s}","u":"https://example.com/","p":{{{}}}}}"#,
                    (0..31)
                        .map(|i| format!(r#""k{i}":"v""#))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                StatusCode::BAD_REQUEST,
            ),
            (
                "over-long name",
                format!(
                    r#"{{"s":"{s}","u":"https://example.com/","n":"{}"}}"#,
                    "n".repeat(500)
                ),
                StatusCode::BAD_REQUEST,
            ),
            (
                "invalid UTF-8 escape",
                page(r#""https://example.com/\udc00""#),
                StatusCode::BAD_REQUEST,
            ),
        ];
        for (what, body, expected) in &cases {
            let reply = send(
                &app,
                Method::POST,
                "/api/v1/event",
                &[("content-type", "text/plain"), ("user-agent", CHROME)],
                Some(body),
            )
            .await;
            assert_eq!(
                reply.status, *expected,
                "{:?} {what}: {}",
                t.backend, reply.body
            );
            let message = reply.json()["error"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            assert!(!message.is_empty(), "{what}: an error message is expected");
        }
        assert_eq!(event::Entity::find().count(&t.db).await.unwrap(), 0);

        // Markup, emoji and right-to-left text are stored as text, unchanged.
        let body = format!(
            r#"{{"s":"{s}","u":"https://example.com/%F0%9F%9A%80/%D7%A9%D7%9C%D7%95%D7%9D/%3Cscript%3E","n":"🎉 <b>launch</b>"}}"#
        );
        let reply = send(
            &app,
            Method::POST,
            "/api/v1/event",
            &[("content-type", "text/plain"), ("user-agent", CHROME)],
            Some(&body),
        )
        .await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
        let stored = event::Entity::find().all(&t.db).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].path, "/🚀/שלום/<script>");
        assert_eq!(stored[0].name, "🎉 <b>launch</b>");
        t.teardown().await;
    }
}

#[tokio::test]
async fn wrong_methods_are_refused() {
    let t = TestDb::sqlite().await;
    let app = app(&t);
    for path in ["/api/v1/event", "/api/event"] {
        let reply = send(&app, Method::GET, path, &[], None).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
    }
    t.teardown().await;
}

#[tokio::test]
async fn a_domain_list_stores_one_event_per_distinct_site_and_at_most_ten() {
    for t in TestDb::all().await {
        let app = app(&t);
        let cookie = sign_up(&app, "owner@example.com").await;
        create_site(&app, &cookie, "Site", "example.com").await;
        create_site(&app, &cookie, "Other", "other.example").await;
        let post = |d: String| {
            let app = app.clone();
            async move {
                let body = format!(r#"{{"n":"pageview","u":"https://example.com/","d":"{d}"}}"#);
                send(
                    &app,
                    Method::POST,
                    "/api/event",
                    &[("content-type", "text/plain"), ("user-agent", CHROME)],
                    Some(&body),
                )
                .await
            }
        };
        // Five names of one site, one of another site (whose hostname does not
        // match, so it is dropped), one unknown: one event.
        let repeated = "example.com,EXAMPLE.com, www.example.com ,https://example.com/x,example.com.,other.example,nobody.example";
        let reply = post(repeated.into()).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
        assert_eq!(event::Entity::find().count(&t.db).await.unwrap(), 1);

        let eleven: Vec<String> = (0..11).map(|i| format!("s{i}.example.com")).collect();
        let reply = post(eleven.join(",")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", t.backend);
        assert_eq!(
            reply.json()["error"],
            "\"d\" names more than 10 distinct domains"
        );
        assert_eq!(event::Entity::find().count(&t.db).await.unwrap(), 1);
        t.teardown().await;
    }
}
