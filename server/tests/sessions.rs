//! Sessions end when they are ended, on SQLite and PostgreSQL: a token copied
//! before a logout is refused after it, "sign out everywhere" and a password
//! change end every other session, and the session asking goes on.

mod common;

use axum::http::{Method, StatusCode};
use common::{app, get_as, send, sign_up};
use pagepulse_core::testing::TestDb;

const ME: &str = "/api/v1/auth/me";

async fn sign_in(app: &axum::Router, email: &str, password: &str) -> common::Reply {
    let body = format!(r#"{{"email":"{email}","password":"{password}"}}"#);
    send(
        app,
        Method::POST,
        "/api/v1/auth/login",
        &[("x-forwarded-for", "192.0.2.50")],
        Some(&body),
    )
    .await
}

#[tokio::test]
async fn a_token_copied_before_logout_is_refused_after_it() {
    for t in TestDb::all().await {
        let app = app(&t);
        let first = sign_up(&app, "ada@example.com").await;
        let second = sign_in(&app, "ada@example.com", "correct horse")
            .await
            .session_cookie();
        let copied = first.clone();
        assert_eq!(get_as(&app, ME, &copied).await.status, StatusCode::OK);

        let logout = send(
            &app,
            Method::POST,
            "/api/v1/auth/logout",
            &[("cookie", &first)],
            None,
        )
        .await;
        assert_eq!(logout.status, StatusCode::NO_CONTENT);
        assert_eq!(
            get_as(&app, ME, &copied).await.status,
            StatusCode::UNAUTHORIZED,
            "{:?}",
            t.backend
        );
        // The user's other session goes on.
        assert_eq!(get_as(&app, ME, &second).await.status, StatusCode::OK);
        t.teardown().await;
    }
}

#[tokio::test]
async fn signing_out_everywhere_keeps_only_the_session_asking() {
    for t in TestDb::all().await {
        let app = app(&t);
        let here = sign_up(&app, "ada@example.com").await;
        let mut elsewhere = Vec::new();
        for _ in 0..3 {
            let reply = sign_in(&app, "ada@example.com", "correct horse").await;
            assert_eq!(reply.status, StatusCode::OK);
            elsewhere.push(reply.session_cookie());
        }
        let bob = sign_up(&app, "bob@example.com").await;

        let reply = send(
            &app,
            Method::POST,
            "/api/v1/auth/logout-everywhere",
            &[("cookie", &here)],
            None,
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json()["sessions_ended"], 3);
        assert_eq!(get_as(&app, ME, &here).await.status, StatusCode::OK);
        for cookie in &elsewhere {
            assert_eq!(
                get_as(&app, ME, cookie).await.status,
                StatusCode::UNAUTHORIZED
            );
        }
        // Another user's session is not touched.
        assert_eq!(get_as(&app, ME, &bob).await.status, StatusCode::OK);
        // Without a session there is nothing to sign out of.
        let anonymous = send(
            &app,
            Method::POST,
            "/api/v1/auth/logout-everywhere",
            &[],
            None,
        )
        .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        t.teardown().await;
    }
}

#[tokio::test]
async fn a_password_change_ends_every_other_session() {
    for t in TestDb::all().await {
        let app = app(&t);
        let here = sign_up(&app, "ada@example.com").await;
        let other = sign_in(&app, "ada@example.com", "correct horse")
            .await
            .session_cookie();
        let change = |current: &str, new: &str| {
            let body =
                serde_json::json!({ "current_password": current, "new_password": new }).to_string();
            let app = app.clone();
            let here = here.clone();
            async move {
                send(
                    &app,
                    Method::POST,
                    "/api/v1/auth/password",
                    &[("cookie", &here)],
                    Some(&body),
                )
                .await
            }
        };

        let wrong = change("not my password", "battery staple").await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(wrong.json()["field"], "current_password");
        let short = change("correct horse", "short").await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(short.json()["field"], "new_password");
        // Nothing changed yet: the other session still works.
        assert_eq!(get_as(&app, ME, &other).await.status, StatusCode::OK);

        let changed = change("correct horse", "battery staple").await;
        assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.body);
        assert_eq!(get_as(&app, ME, &here).await.status, StatusCode::OK);
        assert_eq!(
            get_as(&app, ME, &other).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            sign_in(&app, "ada@example.com", "correct horse")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            sign_in(&app, "ada@example.com", "battery staple")
                .await
                .status,
            StatusCode::OK
        );
        t.teardown().await;
    }
}
