//! The router driven in-process (no socket), on SQLite and PostgreSQL.

mod common;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use http_body_util::BodyExt;
use pagepulse_core::testing::TestDb;
use server::{AppState, router};
use tower::ServiceExt;

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
        let state = AppState::new(common::config_with(&t, &[]), t.db.clone());
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
        let app = router(AppState::new(common::config_with(&t, &[]), t.db.clone()));
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
        // Scripts: our origin and this response's nonce, never 'unsafe-inline';
        // every inline script of the page carries the nonce.
        let script_src = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(!script_src.contains("unsafe-inline"), "{csp}");
        let nonce = script_src
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in script-src");
        assert!(nonce.len() >= 16, "{nonce}");
        let inline: Vec<&str> = body
            .split("<script")
            .skip(1)
            .map(|tag| &tag[..tag.find('>').unwrap()])
            .filter(|tag| !tag.contains("src="))
            .collect();
        assert!(!inline.is_empty(), "the hydration bootstrap is inline");
        for tag in inline {
            assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "<script{tag}>");
        }
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
    let app = router(AppState::new(common::config_with(&t, &[]), t.db.clone()));
    let (status, _, body) = get(app, "/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found"));
    t.teardown().await;
}

#[tokio::test]
async fn the_tracker_is_served_with_caching_and_revalidation() {
    let t = TestDb::sqlite().await;
    let site_root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site_root.path().join("js")).unwrap();
    std::fs::write(
        site_root.path().join("js/p.js"),
        "(function(){/*minified*/})();",
    )
    .unwrap();
    let root = site_root.path().display().to_string();
    let app = router(AppState::new(
        common::config_with(&t, &[("LEPTOS_SITE_ROOT", root.as_str())]),
        t.db.clone(),
    ));

    let (status, headers, body) = get(app.clone(), "/js/p.js").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body, "(function(){/*minified*/})();",
        "the minified build is served"
    );
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/javascript")
    );
    assert!(
        headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.len() == 18, "{etag}");

    let revalidate = |tag: &str| {
        Request::get("/js/p.js")
            .header(header::IF_NONE_MATCH, tag)
            .body(Body::empty())
            .unwrap()
    };
    let unchanged = app.clone().oneshot(revalidate(&etag)).await.unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(unchanged.headers()[header::ETAG], etag.as_str());
    assert!(
        unchanged
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .is_empty()
    );
    let stale = app
        .oneshot(revalidate("\"0000000000000000\""))
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
    t.teardown().await;
}

#[tokio::test]
async fn without_a_minified_build_the_tracker_source_is_served() {
    let t = TestDb::sqlite().await;
    let empty_root = tempfile::tempdir().unwrap();
    let root = empty_root.path().display().to_string();
    let app = router(AppState::new(
        common::config_with(&t, &[("LEPTOS_SITE_ROOT", root.as_str())]),
        t.db.clone(),
    ));
    let (status, _, body) = get(app, "/js/p.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("window.pagepulse") || body.contains("w.pagepulse"),
        "{body}"
    );
    assert!(body.contains("/api/v1/event"));
    t.teardown().await;
}
