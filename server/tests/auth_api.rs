//! `/api/v1/auth/*` on SQLite and PostgreSQL: statuses, validation and cookie
//! flags. The attack-facing cases are in `auth_security.rs`.

mod common;

use axum::http::{Method, StatusCode, header};
use common::{app, app_with, get_as, send, sign_up};
use pagepulse_core::testing::TestDb;

const REGISTER: &str = "/api/v1/auth/register";
const LOGIN: &str = "/api/v1/auth/login";
const ME: &str = "/api/v1/auth/me";

#[tokio::test]
async fn register_returns_the_user_and_a_session_cookie() {
    for t in TestDb::all().await {
        let app = app(&t);
        let reply = send(
            &app,
            Method::POST,
            REGISTER,
            &[],
            Some(r#"{"email":" Ada@Example.com ","password":"correct horse","name":"Ada"}"#),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{:?} {}",
            t.backend,
            reply.body
        );
        let user = reply.json();
        let mut keys: Vec<_> = user.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["created_at", "email", "id", "name"]);
        assert_eq!(user["email"], "ada@example.com");
        assert_eq!(user["name"], "Ada");
        assert!(!reply.body.contains("password"));

        let cookie = reply.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.starts_with("pagepulse_session="));
        for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=86400"] {
            assert!(cookie.contains(flag), "{flag} missing in {cookie}");
        }
        assert!(!cookie.contains("Secure"), "no Secure flag in development");

        let me = send(
            &app,
            Method::GET,
            ME,
            &[("cookie", &reply.session_cookie())],
            None,
        )
        .await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.json(), user);
        t.teardown().await;
    }
}

#[tokio::test]
async fn the_cookie_is_secure_in_production() {
    let t = TestDb::sqlite().await;
    let long = "p".repeat(40);
    let app = app_with(
        &t,
        &[
            ("APP_ENV", "production"),
            ("SECRET_KEY", &long),
            ("JWT_SECRET_KEY", &long),
        ],
    );
    let reply = send(
        &app,
        Method::POST,
        REGISTER,
        &[],
        Some(r#"{"email":"ops@example.com","password":"correct horse","name":"Ops"}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert!(
        reply.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );
    t.teardown().await;
}

#[tokio::test]
async fn registration_rejects_bad_input_with_the_field_named() {
    for t in TestDb::all().await {
        let app = app(&t);
        sign_up(&app, "taken@example.com").await;
        let long_password = "x".repeat(129);
        let cases = [
            (
                r#"{"email":"not-an-email","password":"correct horse","name":"A"}"#.to_owned(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("email"),
            ),
            (
                r#"{"email":"a@example.com","password":"short","name":"A"}"#.to_owned(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("password"),
            ),
            (
                format!(r#"{{"email":"a@example.com","password":"{long_password}","name":"A"}}"#),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("password"),
            ),
            (
                r#"{"email":"a@example.com","password":"correct horse","name":"  "}"#.to_owned(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("name"),
            ),
            (
                r#"{"email":"TAKEN@example.com","password":"correct horse","name":"B"}"#.to_owned(),
                StatusCode::CONFLICT,
                Some("email"),
            ),
            (
                r#"{"email":"a@example.com","password":"correct horse"}"#.to_owned(),
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            ),
            (r#"{"email": "#.to_owned(), StatusCode::BAD_REQUEST, None),
            ("[]".to_owned(), StatusCode::UNPROCESSABLE_ENTITY, None),
        ];
        for (body, status, field) in cases {
            let reply = send(&app, Method::POST, REGISTER, &[], Some(&body)).await;
            assert_eq!(
                reply.status, status,
                "{:?} {body}: {}",
                t.backend, reply.body
            );
            let json = reply.json();
            assert!(
                json["error"].as_str().is_some_and(|m| !m.is_empty()),
                "{}",
                reply.body
            );
            if let Some(field) = field {
                assert_eq!(json["field"], field, "{body}");
            }
        }
        t.teardown().await;
    }
}

#[tokio::test]
async fn registration_can_be_disabled() {
    let t = TestDb::sqlite().await;
    let app = app_with(&t, &[("DISABLE_REGISTRATION", "true")]);
    let reply = send(
        &app,
        Method::POST,
        REGISTER,
        &[],
        Some(r#"{"email":"a@example.com","password":"correct horse","name":"A"}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.json()["error"], "registration is disabled");
    t.teardown().await;
}

#[tokio::test]
async fn login_logout_and_me() {
    for t in TestDb::all().await {
        let app = app(&t);
        sign_up(&app, "ada@example.com").await;
        let reply = send(
            &app,
            Method::POST,
            LOGIN,
            &[],
            Some(r#"{"email":"ADA@example.com","password":"correct horse"}"#),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json()["email"], "ada@example.com");
        let cookie = reply.session_cookie();
        assert_eq!(get_as(&app, ME, &cookie).await.status, StatusCode::OK);

        let out = send(
            &app,
            Method::POST,
            "/api/v1/auth/logout",
            &[("cookie", &cookie)],
            None,
        )
        .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        let cleared = out.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(
            cleared.starts_with("pagepulse_session=;") && cleared.contains("Max-Age=0"),
            "{cleared}"
        );

        let anonymous = send(&app, Method::GET, ME, &[], None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        assert!(anonymous.json()["error"].is_string());
        t.teardown().await;
    }
}
