//! The per-address limits, tried the way an attacker would: concurrent
//! guesses, many accounts from one address, floods of public dashboard reads,
//! forged `X-Forwarded-For` lines and IPv6 address hopping.

mod common;

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use axum::http::{Method, StatusCode, header};
use common::{app, app_from, app_with, create_site, send, sign_up};
use pagepulse_core::testing::TestDb;

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36";

fn retry_after(reply: &common::Reply) -> u64 {
    reply.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn sixty_guesses_at_once_get_five_checks() {
    for t in TestDb::all().await {
        let app = app(&t);
        sign_up(&app, "ada@example.com").await;
        let body = r#"{"email":"ada@example.com","password":"wrong password"}"#;
        let guesses = (0..60).map(|_| {
            send(
                &app,
                Method::POST,
                "/api/v1/auth/login",
                &[("x-forwarded-for", "203.0.113.66")],
                Some(body),
            )
        });
        let replies = futures::future::join_all(guesses).await;
        let checked = replies
            .iter()
            .filter(|r| r.status == StatusCode::UNAUTHORIZED)
            .count();
        let refused = replies
            .iter()
            .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!((checked, refused), (5, 55), "{:?}", t.backend);
        t.teardown().await;
    }
}

#[tokio::test]
async fn registration_is_limited_per_address_before_any_hashing() {
    let t = TestDb::sqlite().await;
    let app = app(&t);
    let register = |n: usize, ip: &'static str| {
        let app = app.clone();
        async move {
            let body = format!(
                r#"{{"email":"user{n}@example.com","password":"correct horse","name":"U"}}"#
            );
            let started = Instant::now();
            let reply = send(
                &app,
                Method::POST,
                "/api/v1/auth/register",
                &[("x-forwarded-for", ip)],
                Some(&body),
            )
            .await;
            (reply, started.elapsed())
        }
    };
    let mut accepted = Vec::new();
    for n in 0..10 {
        let (reply, took) = register(n, "203.0.113.70").await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        accepted.push(took);
    }
    let mut refused = Vec::new();
    for n in 10..20 {
        let (reply, took) = register(n, "203.0.113.70").await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        assert!((3500..=3600).contains(&retry_after(&reply)));
        assert!(reply.json()["error"].is_string());
        refused.push(took);
    }
    // A refused request hashes nothing, so it costs a fraction of one that
    // hashes a password.
    accepted.sort();
    refused.sort();
    assert!(
        refused[5] * 4 < accepted[5],
        "refused {:?} vs accepted {:?}",
        refused[5],
        accepted[5]
    );
    // The refused accounts do not exist; another address may still register.
    let login = send(
        &app,
        Method::POST,
        "/api/v1/auth/login",
        &[("x-forwarded-for", "198.51.100.70")],
        Some(r#"{"email":"user10@example.com","password":"correct horse"}"#),
    )
    .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    let (elsewhere, _) = register(30, "198.51.100.71").await;
    assert_eq!(elsewhere.status, StatusCode::CREATED);
    t.teardown().await;
}

#[tokio::test]
async fn ipv6_registrations_count_per_64() {
    let t = TestDb::sqlite().await;
    let app = app_with(&t, &[("REGISTRATION_RATE_LIMIT_PER_HOUR", "2")]);
    let register = |n: usize, ip: String| {
        let app = app.clone();
        async move {
            let body = format!(
                r#"{{"email":"v6user{n}@example.com","password":"correct horse","name":"U"}}"#
            );
            send(
                &app,
                Method::POST,
                "/api/v1/auth/register",
                &[("x-forwarded-for", &ip)],
                Some(&body),
            )
            .await
            .status
        }
    };
    assert_eq!(
        register(1, "2001:db8:5:6::1".into()).await,
        StatusCode::CREATED
    );
    assert_eq!(
        register(2, "2001:db8:5:6:ffff::2".into()).await,
        StatusCode::CREATED
    );
    assert_eq!(
        register(3, "2001:db8:5:6:1234:5678:9abc:def0".into()).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        register(4, "2001:db8:5:7::1".into()).await,
        StatusCode::CREATED
    );
    t.teardown().await;
}

#[tokio::test]
async fn public_dashboards_are_limited_per_address() {
    let t = TestDb::sqlite().await;
    let app = app_with(&t, &[("PUBLIC_RATE_LIMIT_PER_MINUTE", "6")]);
    let cookie = sign_up(&app, "ada@example.com").await;
    let site = create_site(&app, &cookie, "Blog", "blog.example.com").await;
    let id = site["id"].as_str().unwrap().to_owned();
    let public = send(
        &app,
        Method::PATCH,
        &format!("/api/v1/sites/{id}"),
        &[("cookie", &cookie)],
        Some(r#"{"public":true}"#),
    )
    .await;
    assert_eq!(public.status, StatusCode::OK);
    let read = |path: String, ip: &'static str| {
        let app = app.clone();
        async move { send(&app, Method::GET, &path, &[("x-forwarded-for", ip)], None).await }
    };
    let api = format!("/api/v1/public/{id}/analytics");
    let share = format!("/share/{id}");
    for _ in 0..3 {
        assert_eq!(
            read(api.clone(), "203.0.113.80").await.status,
            StatusCode::OK
        );
        // A share page renders through server functions: it counts once.
        assert_eq!(
            read(share.clone(), "203.0.113.80").await.status,
            StatusCode::OK
        );
    }
    let refused = read(api.clone(), "203.0.113.80").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=60).contains(&retry_after(&refused)));
    assert_eq!(
        read(share.clone(), "203.0.113.80").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another address, and the owner's own API, are not affected.
    assert_eq!(read(api, "198.51.100.80").await.status, StatusCode::OK);
    let owner = send(
        &app,
        Method::GET,
        &format!("/api/v1/sites/{id}/analytics"),
        &[("cookie", &cookie), ("x-forwarded-for", "203.0.113.80")],
        None,
    )
    .await;
    assert_eq!(owner.status, StatusCode::OK);
    t.teardown().await;
}

async fn beacon(app: &axum::Router, forwarded: &[&str]) -> StatusCode {
    let mut headers: Vec<(&str, &str)> =
        forwarded.iter().map(|v| ("x-forwarded-for", *v)).collect();
    headers.push(("user-agent", CHROME));
    send(
        app,
        Method::POST,
        "/api/event",
        &headers,
        Some(r#"{"n":"pageview","u":"https://nowhere.example/","d":"nowhere.example"}"#),
    )
    .await
    .status
}

#[tokio::test]
async fn beacons_from_one_ipv6_64_share_one_allowance() {
    let t = TestDb::sqlite().await;
    let app = app_with(&t, &[("EVENT_RATE_LIMIT_PER_MINUTE", "3")]);
    for n in 1..=3 {
        let ip = format!("2001:db8:1:2::{n}");
        assert_eq!(beacon(&app, &[&ip]).await, StatusCode::ACCEPTED);
    }
    assert_eq!(
        beacon(&app, &["2001:db8:1:2:dead:beef::9"]).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        beacon(&app, &["2001:db8:1:3::1"]).await,
        StatusCode::ACCEPTED
    );
    t.teardown().await;
}

#[tokio::test]
async fn every_forwarded_for_line_counts_so_a_forged_first_line_gains_nothing() {
    let t = TestDb::sqlite().await;
    let app = app_with(&t, &[("EVENT_RATE_LIMIT_PER_MINUTE", "3")]);
    // The client writes a line of its own; our proxy appends the real one.
    for forged in ["1.1.1.1", "2.2.2.2", "3.3.3.3"] {
        assert_eq!(
            beacon(&app, &[forged, "203.0.113.90"]).await,
            StatusCode::ACCEPTED
        );
    }
    assert_eq!(
        beacon(&app, &["4.4.4.4", "203.0.113.90"]).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    t.teardown().await;
}

#[tokio::test]
async fn a_private_range_peer_is_not_a_trusted_proxy_by_default() {
    let t = TestDb::sqlite().await;
    let peer = SocketAddr::from(([10, 0, 0, 2], 40000));
    let app = app_from(&t, &[("EVENT_RATE_LIMIT_PER_MINUTE", "2")], peer);
    // Whatever it forwards, a neighbour on 10.0.0.0/8 is counted as itself.
    assert_eq!(beacon(&app, &["203.0.113.1"]).await, StatusCode::ACCEPTED);
    assert_eq!(beacon(&app, &["203.0.113.2"]).await, StatusCode::ACCEPTED);
    assert_eq!(
        beacon(&app, &["203.0.113.3"]).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Named in TRUSTED_PROXIES, its forwarded addresses are believed.
    let trusting = app_from(
        &t,
        &[
            ("EVENT_RATE_LIMIT_PER_MINUTE", "2"),
            ("TRUSTED_PROXIES", "10.0.0.0/8"),
        ],
        peer,
    );
    for n in 1..=4 {
        let ip = format!("203.0.113.{n}");
        assert_eq!(beacon(&trusting, &[&ip]).await, StatusCode::ACCEPTED);
    }
    t.teardown().await;
}

#[tokio::test]
async fn a_request_that_outlives_its_limit_is_answered_408() {
    let t = TestDb::sqlite().await;
    let app = app_with(&t, &[("REQUEST_TIMEOUT_SECS", "1")]);
    // A body that never finishes arriving.
    let (sender, body) = tokio::sync::mpsc::channel::<Result<axum::body::Bytes, std::io::Error>>(1);
    let stream = tokio_stream_body(body);
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/event")
        .header("content-type", "application/json")
        .header("user-agent", CHROME)
        .body(stream)
        .unwrap();
    sender
        .send(Ok(axum::body::Bytes::from_static(b"{\"n\":")))
        .await
        .unwrap();
    let started = Instant::now();
    let response = tower::ServiceExt::oneshot(app, request).await.unwrap();
    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(sender);
    t.teardown().await;
}

fn tokio_stream_body(
    mut receiver: tokio::sync::mpsc::Receiver<Result<axum::body::Bytes, std::io::Error>>,
) -> axum::body::Body {
    let stream = futures::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    axum::body::Body::from_stream(stream)
}
