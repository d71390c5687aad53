//! Server-rendered pages and server functions, as the router answers them: who is
//! sent where, whose settings page exists, and the cross-origin guard.

mod common;

use axum::http::{Method, StatusCode, header};
use common::{app, create_site, get_as, send, sign_up};
use pagepulse_core::testing::TestDb;

#[tokio::test]
async fn signed_out_visitors_are_sent_to_login_and_signed_in_users_past_it() {
    let t = TestDb::sqlite().await;
    let app = app(&t);
    // Browsers ask for HTML; that is when a server-side redirect is a real 302.
    const HTML: (&str, &str) = ("accept", "text/html");
    for path in [
        "/sites",
        "/sites/00000000-0000-0000-0000-000000000000/settings",
    ] {
        let reply = send(&app, Method::GET, path, &[HTML], None).await;
        assert_eq!(reply.status, StatusCode::FOUND, "{path}");
        assert_eq!(reply.headers[header::LOCATION], "/login", "{path}");
    }
    let login = send(&app, Method::GET, "/login", &[], None).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.contains("Sign in"));

    let cookie = sign_up(&app, "ada@example.com").await;
    let away = send(
        &app,
        Method::GET,
        "/login",
        &[HTML, ("cookie", &cookie)],
        None,
    )
    .await;
    assert_eq!(away.status, StatusCode::FOUND);
    assert_eq!(away.headers[header::LOCATION], "/sites");
    let sites = get_as(&app, "/sites", &cookie).await;
    assert_eq!(sites.status, StatusCode::OK);
    assert!(sites.body.contains("Your sites"));
    t.teardown().await;
}

#[tokio::test]
async fn a_settings_page_exists_only_for_the_owner() {
    for t in TestDb::all().await {
        let app = app(&t);
        let owner = sign_up(&app, "owner@example.com").await;
        let intruder = sign_up(&app, "intruder@example.com").await;
        let site = create_site(&app, &owner, "Blog", "blog.example.com").await;
        let path = format!("/sites/{}/settings", site["id"].as_str().unwrap());

        let mine = get_as(&app, &path, &owner).await;
        assert_eq!(mine.status, StatusCode::OK, "{:?}", t.backend);
        // Server-rendered with the real snippet, readable without JavaScript.
        assert!(mine.body.contains("blog.example.com"));
        assert!(mine.body.contains("https://stats.example.net/js/p.js"));

        let theirs = get_as(&app, &path, &intruder).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{:?}", t.backend);
        assert!(theirs.body.contains("Site not found"));
        assert!(!theirs.body.contains("blog.example.com"));
        t.teardown().await;
    }
}

#[tokio::test]
async fn server_functions_refuse_cross_origin_posts() {
    let t = TestDb::sqlite().await;
    let app = app(&t);
    let cookie = sign_up(&app, "ada@example.com").await;
    let paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    let create = paths
        .iter()
        .find(|p| p.contains("create_site"))
        .expect("the create_site server function is registered");
    let form = [
        ("cookie", cookie.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let body = "name=Evil&domain=evil.example.com&timezone=UTC";

    let mut hostile = form.to_vec();
    hostile.push(("origin", "https://evil.example"));
    let refused = send_form(&app, create, &hostile, body).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut same_site = form.to_vec();
    same_site.extend([
        ("origin", "http://localhost:8000"),
        ("host", "localhost:8000"),
    ]);
    let accepted = send_form(&app, create, &same_site, body).await;
    assert!(
        accepted.status.is_success() || accepted.status.is_redirection(),
        "{}",
        accepted.status
    );
    let sites = get_as(&app, "/api/v1/sites", &cookie).await.json();
    assert_eq!(
        sites.as_array().unwrap().len(),
        1,
        "only the same-origin request created a site"
    );
    t.teardown().await;
}

async fn send_form(
    app: &axum::Router,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> common::Reply {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let mut request = axum::http::Request::builder()
        .method(Method::POST)
        .uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    common::Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}
