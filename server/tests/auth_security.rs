//! The sign-in surface under attack, on SQLite and PostgreSQL: equal answers and
//! timing for unknown emails, throttling, forged tokens, cross-origin requests.

mod common;

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode, header};
use common::{JWT_SECRET, app, get_as, send, sign_up};
use pagepulse_core::{
    testing::TestDb,
    tokens::{self, SessionClaims},
};

const LOGIN: &str = "/api/v1/auth/login";
const ME: &str = "/api/v1/auth/me";

#[tokio::test]
async fn unknown_email_and_wrong_password_look_the_same() {
    let t = TestDb::sqlite().await;
    let app = app(&t);
    sign_up(&app, "ada@example.com").await;
    let attempt = |email: &'static str, ip: &'static str| {
        let app = app.clone();
        async move {
            let body = format!(r#"{{"email":"{email}","password":"wrong password"}}"#);
            let started = Instant::now();
            let reply = send(
                &app,
                Method::POST,
                LOGIN,
                &[("x-forwarded-for", ip)],
                Some(&body),
            )
            .await;
            (reply, started.elapsed())
        }
    };
    let mut unknown = Vec::new();
    let mut wrong = Vec::new();
    for i in 0..4 {
        // A fresh address per pair keeps the throttle out of the way.
        let ip: &'static str = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"][i];
        let (a, ta) = attempt("nobody@example.com", ip).await;
        let (b, tb) = attempt("ada@example.com", ip).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        assert_eq!(b.status, StatusCode::UNAUTHORIZED);
        assert_eq!(a.body, b.body, "identical bodies");
        assert_eq!(a.json()["error"], "invalid email or password");
        unknown.push(ta);
        wrong.push(tb);
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        (v[1] + v[2]) / 2
    };
    let (u, w) = (median(unknown), median(wrong));
    let ratio = u.as_secs_f64() / w.as_secs_f64();
    assert!(
        (0.33..3.0).contains(&ratio),
        "unknown email {u:?} vs wrong password {w:?}"
    );
    t.teardown().await;
}

#[tokio::test]
async fn repeated_failures_are_throttled_per_address_and_per_account() {
    for t in TestDb::all().await {
        let app = app(&t);
        sign_up(&app, "ada@example.com").await;
        let login = |email: &str, ip: &str, password: &str| {
            let app = app.clone();
            let body = format!(r#"{{"email":"{email}","password":"{password}"}}"#);
            let ip = ip.to_owned();
            async move {
                send(
                    &app,
                    Method::POST,
                    LOGIN,
                    &[("x-forwarded-for", &ip)],
                    Some(&body),
                )
                .await
            }
        };
        for _ in 0..5 {
            let reply = login("ada@example.com", "203.0.113.10", "wrong password").await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        }
        let blocked = login("ada@example.com", "203.0.113.10", "correct horse").await;
        assert_eq!(
            blocked.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{:?}",
            t.backend
        );
        let retry: u64 = blocked.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry));
        assert!(blocked.json()["error"].is_string());

        // The account is protected from other addresses too...
        let elsewhere = login("ada@example.com", "198.51.100.20", "correct horse").await;
        assert_eq!(elsewhere.status, StatusCode::TOO_MANY_REQUESTS);
        // ...and the address is blocked for other accounts.
        let other_account = login("someone@example.com", "203.0.113.10", "whatever1").await;
        assert_eq!(other_account.status, StatusCode::TOO_MANY_REQUESTS);
        // Unrelated address and account: unaffected.
        let unrelated = login("someone@example.com", "198.51.100.21", "whatever1").await;
        assert_eq!(unrelated.status, StatusCode::UNAUTHORIZED);
        t.teardown().await;
    }
}

#[tokio::test]
async fn forged_expired_unsigned_and_foreign_tokens_are_401() {
    let t = TestDb::sqlite().await;
    let app = app(&t);
    let cookie = sign_up(&app, "ada@example.com").await;
    let me = get_as(&app, ME, &cookie).await.json();
    let id: uuid::Uuid = me["id"].as_str().unwrap().parse().unwrap();
    let claims = tokens::verify(cookie.split_once('=').unwrap().1, JWT_SECRET).unwrap();
    assert_eq!(claims.user_id, id);

    let expired = tokens::issue(claims, JWT_SECRET, -1).unwrap();
    let wrong_key =
        tokens::issue(claims, "some-other-secret-key-of-sufficient-length", 60).unwrap();
    let unknown_user = tokens::issue(
        SessionClaims {
            user_id: uuid::Uuid::new_v4(),
            ..claims
        },
        JWT_SECRET,
        60,
    )
    .unwrap();
    // Signed with the right key, for the right user, but no such session.
    let unknown_session = tokens::issue(
        SessionClaims {
            session_id: uuid::Uuid::new_v4(),
            ..claims
        },
        JWT_SECRET,
        60,
    )
    .unwrap();
    let valid = tokens::issue(claims, JWT_SECRET, 60).unwrap();
    let (header_b64, rest) = valid.split_once('.').unwrap();
    let payload_b64 = rest.split('.').next().unwrap();
    let unsigned = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload_b64}.");
    let forged = format!("{header_b64}.{payload_b64}.{}", "A".repeat(43));
    for token in [
        expired,
        wrong_key,
        unknown_user,
        unknown_session,
        unsigned,
        forged,
        "garbage".to_owned(),
    ] {
        let reply = send(
            &app,
            Method::GET,
            ME,
            &[("cookie", &format!("pagepulse_session={token}"))],
            None,
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{token}");
    }
    let ok = send(
        &app,
        Method::GET,
        ME,
        &[("cookie", &format!("other=1; pagepulse_session={valid}"))],
        None,
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    t.teardown().await;
}

#[tokio::test]
async fn cross_origin_state_changes_are_refused() {
    let t = TestDb::sqlite().await;
    let app = app(&t);
    let cookie = sign_up(&app, "ada@example.com").await;
    let body = r#"{"name":"Blog","domain":"blog.example.com"}"#;
    for headers in [
        vec![
            ("origin", "https://evil.example"),
            ("host", "stats.example.net"),
        ],
        vec![("sec-fetch-site", "cross-site")],
        vec![("origin", "null")],
    ] {
        let mut all = headers.clone();
        all.push(("cookie", &cookie));
        let reply = send(&app, Method::POST, "/api/v1/sites", &all, Some(body)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(reply.json()["error"], "cross-origin request refused");
    }
    let logout = send(
        &app,
        Method::POST,
        "/api/v1/auth/logout",
        &[("origin", "https://evil.example")],
        None,
    )
    .await;
    assert_eq!(logout.status, StatusCode::FORBIDDEN);

    let same_origin = send(
        &app,
        Method::POST,
        "/api/v1/sites",
        &[
            ("origin", "http://localhost:8000"),
            ("host", "localhost:8000"),
            ("sec-fetch-site", "same-origin"),
            ("cookie", &cookie),
        ],
        Some(body),
    )
    .await;
    assert_eq!(
        same_origin.status,
        StatusCode::CREATED,
        "{}",
        same_origin.body
    );
    let reads_are_fine = send(
        &app,
        Method::GET,
        "/api/v1/sites",
        &[("origin", "https://evil.example"), ("cookie", &cookie)],
        None,
    )
    .await;
    assert_eq!(reads_are_fine.status, StatusCode::OK);
    t.teardown().await;
}
