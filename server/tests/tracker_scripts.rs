//! `GET /js/{file}`: ours and Plausible's script names, driven in-process on a
//! site root holding stand-in builds (the bytes a file holds are the bytes
//! served), or none at all (the source stands in).

mod common;

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Request, StatusCode, header},
};
use http_body_util::BodyExt;
use pagepulse_core::testing::TestDb;
use server::{AppState, router};
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
}

async fn get(app: &Router, uri: &str, headers: &[(header::HeaderName, &str)]) -> Reply {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        body: response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    }
}

/// A site root holding each `(path, bytes)`, and the app serving it.
async fn app_with_files(t: &TestDb, files: &[(&str, &[u8])]) -> (tempfile::TempDir, Router) {
    let root = tempfile::tempdir().unwrap();
    for (path, bytes) in files {
        let path = root.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let site_root = root.path().display().to_string();
    let app = router(AppState::new(
        common::config_with(t, &[("LEPTOS_SITE_ROOT", site_root.as_str())]),
        t.db.clone(),
    ));
    (root, app)
}

const VARIANT: &str = "js/plausible/script.hash.outbound-links.tagged-events.js";

fn built_variant() -> [(&'static str, &'static [u8]); 3] {
    [
        (VARIANT, b"/*hash+outbound+tagged*/"),
        (
            "js/plausible/script.hash.outbound-links.tagged-events.js.gz",
            b"gzip bytes",
        ),
        (
            "js/plausible/script.hash.outbound-links.tagged-events.js.br",
            b"brotli bytes",
        ),
    ]
}

#[tokio::test]
async fn a_variant_is_found_by_its_modifiers_in_any_order_under_either_name() {
    let t = TestDb::sqlite().await;
    let (_root, app) = app_with_files(&t, &built_variant()).await;
    for uri in [
        "/js/script.hash.outbound-links.tagged-events.js",
        "/js/script.tagged-events.hash.outbound-links.js",
        "/js/plausible.outbound-links.tagged-events.hash.js",
        "/js/plausible.tagged-events.outbound-links.hash.js",
    ] {
        let reply = get(&app, uri, &[]).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert_eq!(reply.text(), "/*hash+outbound+tagged*/", "{uri}");
        assert!(
            reply
                .header(header::CONTENT_TYPE)
                .unwrap()
                .starts_with("application/javascript")
        );
        assert_eq!(
            reply.header(header::CACHE_CONTROL),
            Some("public, max-age=3600, must-revalidate")
        );
        assert_eq!(reply.header(header::CONTENT_ENCODING), None);
    }
    // The same bytes under every name: one ETag.
    let a = get(&app, "/js/script.hash.tagged-events.outbound-links.js", &[]).await;
    let b = get(
        &app,
        "/js/plausible.outbound-links.hash.tagged-events.js",
        &[],
    )
    .await;
    assert_eq!(a.header(header::ETAG), b.header(header::ETAG));
    t.teardown().await;
}

#[tokio::test]
async fn unknown_or_repeated_modifiers_and_other_names_are_404_with_a_reason() {
    let t = TestDb::sqlite().await;
    let (_root, app) = app_with_files(&t, &built_variant()).await;
    for (uri, reason) in [
        (
            "/js/script.hash.compat.js",
            "unknown script modifier \"compat\"",
        ),
        (
            "/js/plausible.outbound.js",
            "unknown script modifier \"outbound\"",
        ),
        (
            "/js/script.hash.hash.js",
            "the script modifier \"hash\" is named twice",
        ),
        ("/js/tracker.js", "no such script"),
        ("/js/script.hash", "no such script"),
    ] {
        let reply = get(&app, uri, &[]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(body["error"], reason, "{uri}");
    }
    t.teardown().await;
}

#[tokio::test]
async fn brotli_is_preferred_then_gzip_then_the_plain_bytes() {
    let t = TestDb::sqlite().await;
    let (_root, app) = app_with_files(&t, &built_variant()).await;
    let uri = "/js/script.tagged-events.outbound-links.hash.js";
    for (accept, encoding, body) in [
        ("gzip, deflate, br, zstd", Some("br"), "brotli bytes"),
        ("br;q=0.2, gzip;q=0.9", Some("br"), "brotli bytes"),
        ("gzip, deflate", Some("gzip"), "gzip bytes"),
        ("br;q=0, gzip", Some("gzip"), "gzip bytes"),
        ("*", Some("br"), "brotli bytes"),
        ("identity", None, "/*hash+outbound+tagged*/"),
        ("deflate", None, "/*hash+outbound+tagged*/"),
    ] {
        let reply = get(&app, uri, &[(header::ACCEPT_ENCODING, accept)]).await;
        assert_eq!(reply.status, StatusCode::OK, "{accept}");
        assert_eq!(reply.header(header::CONTENT_ENCODING), encoding, "{accept}");
        assert_eq!(reply.text(), body, "{accept}");
        assert_eq!(
            reply.header(header::VARY),
            Some("accept-encoding"),
            "{accept}"
        );
    }
    t.teardown().await;
}

#[tokio::test]
async fn each_encoding_has_its_etag_and_revalidates_to_304() {
    let t = TestDb::sqlite().await;
    let (_root, app) = app_with_files(&t, &built_variant()).await;
    let uri = "/js/script.hash.outbound-links.tagged-events.js";
    let mut etags = Vec::new();
    for accept in ["br", "gzip", "identity"] {
        let reply = get(&app, uri, &[(header::ACCEPT_ENCODING, accept)]).await;
        let etag = reply.header(header::ETAG).unwrap().to_owned();
        assert!(etag.starts_with('"') && etag.len() == 18, "{etag}");

        let unchanged = get(
            &app,
            uri,
            &[
                (header::ACCEPT_ENCODING, accept),
                (header::IF_NONE_MATCH, &etag),
            ],
        )
        .await;
        assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED, "{accept}");
        assert!(unchanged.body.is_empty());
        assert_eq!(unchanged.header(header::ETAG), Some(etag.as_str()));
        assert_eq!(unchanged.header(header::VARY), Some("accept-encoding"));
        let weak = format!("W/{etag}");
        let also = get(
            &app,
            uri,
            &[
                (header::ACCEPT_ENCODING, accept),
                (header::IF_NONE_MATCH, &weak),
            ],
        )
        .await;
        assert_eq!(also.status, StatusCode::NOT_MODIFIED, "{accept}");

        let stale = get(
            &app,
            uri,
            &[
                (header::ACCEPT_ENCODING, accept),
                (header::IF_NONE_MATCH, "\"0000000000000000\""),
            ],
        )
        .await;
        assert_eq!(stale.status, StatusCode::OK, "{accept}");
        etags.push(etag);
    }
    etags.dedup();
    assert_eq!(etags.len(), 3, "one ETag per encoding: {etags:?}");

    // A tag of another encoding is another representation: the full body.
    let other = get(
        &app,
        uri,
        &[
            (header::ACCEPT_ENCODING, "gzip"),
            (header::IF_NONE_MATCH, &etags[0]),
        ],
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(other.text(), "gzip bytes");
    t.teardown().await;
}

#[tokio::test]
async fn our_p_js_is_precompressed_too() {
    let t = TestDb::sqlite().await;
    let files: [(&str, &[u8]); 3] = [
        ("js/p.js", b"/*p*/"),
        ("js/p.js.gz", b"p gzip"),
        ("js/p.js.br", b"p brotli"),
    ];
    let (_root, app) = app_with_files(&t, &files).await;
    let plain = get(&app, "/js/p.js", &[]).await;
    assert_eq!(plain.text(), "/*p*/");
    let brotli = get(&app, "/js/p.js", &[(header::ACCEPT_ENCODING, "gzip, br")]).await;
    assert_eq!(brotli.header(header::CONTENT_ENCODING), Some("br"));
    assert_eq!(brotli.text(), "p brotli");
    let gzip = get(&app, "/js/p.js", &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(gzip.header(header::CONTENT_ENCODING), Some("gzip"));
    assert_eq!(gzip.text(), "p gzip");
    t.teardown().await;
}

#[tokio::test]
async fn scripts_load_on_any_origins_page() {
    let t = TestDb::sqlite().await;
    let (_root, app) = app_with_files(&t, &built_variant()).await;
    let reply = get(
        &app,
        "/js/script.js",
        &[
            (header::ORIGIN, "https://shop.example.com"),
            (
                header::HeaderName::from_static("sec-fetch-site"),
                "cross-site",
            ),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), Some("*"));
    assert_eq!(
        reply.header(header::X_CONTENT_TYPE_OPTIONS),
        Some("nosniff")
    );
    t.teardown().await;
}

#[tokio::test]
async fn without_a_build_each_variant_is_the_source_with_its_switches() {
    let t = TestDb::sqlite().await;
    let (_root, app) = app_with_files(&t, &[]).await;
    let reply = get(
        &app,
        "/js/plausible.local.hash.js",
        &[(header::ACCEPT_ENCODING, "gzip, br")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    // The source as it is: no encoding but its own.
    assert_eq!(reply.header(header::CONTENT_ENCODING), None);
    let body = reply.text();
    assert!(
        body.starts_with("(() => {\nconst PLAUSIBLE = true, ENGAGEMENT = true, HASH = true,"),
        "{body}"
    );
    assert!(body.contains("LOCAL = true;"));
    assert!(body.contains("MANUAL = false"));
    assert!(body.contains("\"/api/event\""));
    assert!(body.contains("data.domain"));

    let base = get(&app, "/js/script.js", &[]).await;
    assert!(base.text().contains("HASH = false"));
    assert_ne!(base.header(header::ETAG), reply.header(header::ETAG));
    let revalidated = get(
        &app,
        "/js/script.js",
        &[(header::IF_NONE_MATCH, base.header(header::ETAG).unwrap())],
    )
    .await;
    assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);

    let ours = get(&app, "/js/p.js", &[]).await;
    assert!(ours.text().contains("PLAUSIBLE = false"));
    assert!(ours.text().contains("data.site"));
    t.teardown().await;
}
