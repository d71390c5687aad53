//! `/health` and `/health/details` in-process, on SQLite and PostgreSQL: 503
//! once the ingest writer is gone, and the rollup's raw error text only for an
//! operator.

mod common;

use std::net::SocketAddr;

use axum::{
    extract::connect_info::MockConnectInfo,
    http::{Method, StatusCode},
};
use common::{config_with, get_as, send, sign_up};
use pagepulse_core::{entities::rollup_run, testing::TestDb};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use server::{AppState, router};

const RAW_ERROR: &str = "error returned from database: no such table: rollup_days";

#[tokio::test]
async fn health_is_503_once_the_ingest_writer_has_stopped() {
    for t in TestDb::all().await {
        let state = AppState::new(config_with(&t, &[]), t.db.clone());
        let app = router(state.clone());
        // `/api/health` is where Plausible's clients probe.
        for uri in ["/health", "/api/health"] {
            let ok = send(&app, Method::GET, uri, &[], None).await;
            assert_eq!(ok.status, StatusCode::OK, "{uri} on {:?}", t.backend);
            assert_eq!(ok.json(), serde_json::json!({"status": "ok"}), "{uri}");
        }

        state.ingest.shutdown().await;
        for uri in ["/health", "/api/health", "/health/details"] {
            let stopped = send(&app, Method::GET, uri, &[], None).await;
            assert_eq!(stopped.status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
            assert_eq!(stopped.json()["status"], "unavailable", "{uri}");
            assert_eq!(stopped.json()["error"], "ingest writer stopped", "{uri}");
        }
        t.teardown().await;
    }
}

#[tokio::test]
async fn rollup_errors_are_shown_only_to_operators() {
    for t in TestDb::all().await {
        rollup_run::ActiveModel {
            trigger: Set("cron".into()),
            started_at: Set(chrono::Utc::now().timestamp_millis()),
            duration_ms: Set(12),
            days: Set(0),
            events_pruned: Set(0),
            error: Set(Some(RAW_ERROR.into())),
            ..Default::default()
        }
        .insert(&t.db)
        .await
        .unwrap();
        let from = |peer: [u8; 4]| {
            router(AppState::new(config_with(&t, &[]), t.db.clone()))
                .layer(MockConnectInfo(SocketAddr::from((peer, 40000))))
        };
        let remote = from([203, 0, 113, 7]);
        let local = from([127, 0, 0, 1]);

        let anonymous = send(&remote, Method::GET, "/health/details", &[], None).await;
        assert_eq!(anonymous.status, StatusCode::OK);
        assert!(
            !anonymous.body.contains("no such table"),
            "{}",
            anonymous.body
        );
        let last = &anonymous.json()["rollup"]["last_run"];
        assert_eq!(last["failed"], true, "{}", anonymous.body);
        assert_eq!(last["trigger"], "cron");
        assert!(last.get("error").is_none(), "{}", anonymous.body);

        // Through a proxy on this machine, the client is not local.
        let proxied = send(
            &local,
            Method::GET,
            "/health/details",
            &[("X-Forwarded-For", "198.51.100.4")],
            None,
        )
        .await;
        assert!(!proxied.body.contains("no such table"), "{}", proxied.body);

        let on_the_machine = send(&local, Method::GET, "/health/details", &[], None).await;
        let last = &on_the_machine.json()["rollup"]["last_run"];
        assert_eq!(last["error"], RAW_ERROR, "{}", on_the_machine.body);
        assert_eq!(last["failed"], true);

        let cookie = sign_up(&remote, "operator@example.com").await;
        let signed_in = get_as(&remote, "/health/details", &cookie).await;
        let last = &signed_in.json()["rollup"]["last_run"];
        assert_eq!(last["error"], RAW_ERROR, "{}", signed_in.body);
        t.teardown().await;
    }
}

#[tokio::test]
async fn hsts_is_sent_in_production_only() {
    for t in TestDb::all().await {
        let hsts = |app_env: &'static str| {
            let state = AppState::new(config_with(&t, &[("APP_ENV", app_env)]), t.db.clone());
            let app = router(state);
            async move {
                let reply = send(&app, Method::GET, "/health", &[], None).await;
                reply
                    .headers
                    .get("strict-transport-security")
                    .map(|v| v.to_str().unwrap().to_owned())
            }
        };
        assert_eq!(
            hsts("production").await.as_deref(),
            Some("max-age=31536000; includeSubDomains")
        );
        assert_eq!(hsts("development").await, None);
        t.teardown().await;
    }
}
