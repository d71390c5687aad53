//! The router driven in-process (no socket), on SQLite and PostgreSQL.

mod common;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use http_body_util::BodyExt;
use pagepulse_core::testing::TestDb;
use server::{AppState, config::Config, router};
use tower::ServiceExt;

fn test_config(db: &TestDb) -> Config {
    common::config_with(db, &[])
}

async fn get(app: axum::Router, uri: &str) -> (StatusCode, http::HeaderMap, String) {
    let response = app
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn health_reports_the_database() {
    for t in TestDb::all().await {
        let state = AppState::new(test_config(&t), t.db.clone());
        let (status, headers, body) = get(router(state.clone()), "/health").await;
        assert_eq!(status, StatusCode::OK, "{:?}", t.backend);
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&body).unwrap(),
            serde_json::json!({"status": "ok"})
        );

        t.db.close_by_ref().await.unwrap();
        let (status, _, body) = get(router(state), "/health").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{:?}", t.backend);
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["error"], "database unreachable");
        t.teardown().await;
    }
}

#[tokio::test]
async fn the_landing_page_is_server_rendered_with_security_headers() {
    for t in TestDb::all().await {
        let app = router(AppState::new(test_config(&t), t.db.clone()));
        let (status, headers, body) = get(app, "/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(body.contains("Website analytics without cookies or personal data."));
        assert!(
            body.contains("/pkg/pagepulse.js"),
            "hydration script is linked"
        );
        assert!(
            body.contains("/pkg/pagepulse.css"),
            "compiled stylesheet is linked"
        );
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("default-src 'self'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(
            headers[header::REFERRER_POLICY],
            "strict-origin-when-cross-origin"
        );
        for third_party in ["cdn.", "unpkg", "jsdelivr", "googleapis", "gstatic"] {
            assert!(!body.contains(third_party), "page mentions {third_party}");
        }
        t.teardown().await;
    }
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let t = TestDb::sqlite().await;
    let app = router(AppState::new(test_config(&t), t.db.clone()));
    let (status, _, body) = get(app, "/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found"));
    t.teardown().await;
}
