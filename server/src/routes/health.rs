use std::sync::Arc;

use app::session::{AuthUser, Unauthorized};
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, request::Parts},
    response::IntoResponse,
};
use pagepulse_core::{DatabaseConnection, ingest::Ingestor, rollup};
use serde_json::json;

use crate::http::client::socket_peer;

type Unavailable = (StatusCode, Json<serde_json::Value>);

/// Liveness plus a database round trip and the ingest writer, so a load
/// balancer stops sending traffic to a replica that cannot record events.
/// A healthy answer is exactly `{"status": "ok"}`, nothing more.
#[tracing::instrument(skip_all)]
pub async fn health(
    State(db): State<DatabaseConnection>,
    State(ingest): State<Arc<Ingestor>>,
) -> impl IntoResponse {
    match serving(&db, &ingest).await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Err(unavailable) => unavailable,
    }
}

async fn serving(db: &DatabaseConnection, ingest: &Ingestor) -> Result<(), Unavailable> {
    let unavailable = |error: &str| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "error": error })),
        )
    };
    if let Err(error) = db.ping().await {
        tracing::warn!(%error, "health check: database unreachable");
        return Err(unavailable("database unreachable"));
    }
    if !ingest.writer_alive() {
        // A 202 is only sent once the writer has committed: without it every
        // beacon would be turned away.
        tracing::error!("health check: the ingest writer has stopped");
        return Err(unavailable("ingest writer stopped"));
    }
    Ok(())
}

/// Who may read the rollup's raw error text: it can name tables, files or
/// hosts, so only a signed-in user or someone on this machine (a request
/// from loopback that no proxy forwarded) sees it; everyone else learns only
/// whether the run failed.
pub struct Operator(bool);

impl<S> axum::extract::FromRequestParts<S> for Operator
where
    S: Send + Sync,
    app::session::AuthState: axum::extract::FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if local_unproxied(parts) {
            return Ok(Operator(true));
        }
        let user: Result<AuthUser, Unauthorized> = AuthUser::from_request_parts(parts, state).await;
        Ok(Operator(user.is_ok()))
    }
}

fn local_unproxied(parts: &Parts) -> bool {
    socket_peer(&parts.extensions).is_loopback() && !forwarded(&parts.headers)
}

fn forwarded(headers: &HeaderMap) -> bool {
    headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded")
}

/// `/health` plus the rollup job's latest run: when it ran, what it
/// did, how long it took, whether it failed (and, for an operator, why).
#[tracing::instrument(skip_all)]
pub async fn details(
    State(db): State<DatabaseConnection>,
    State(ingest): State<Arc<Ingestor>>,
    Operator(operator): Operator,
) -> impl IntoResponse {
    if let Err(unavailable) = serving(&db, &ingest).await {
        return unavailable;
    }
    let last = match rollup::last_run(&db).await {
        Ok(run) => run.map(|run| {
            let mut last = json!({
                "trigger": run.trigger,
                "started_at": chrono::DateTime::from_timestamp_millis(run.started_at)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                "duration_ms": run.duration_ms,
                "days_rolled_up": run.days,
                "events_pruned": run.events_pruned,
                "failed": run.error.is_some() || run.failed_days > 0,
                "failed_days": run.failed_days,
            });
            if operator {
                last["error"] = json!(run.error);
            }
            last
        }),
        Err(error) => {
            tracing::warn!(%error, "health check: cannot read the rollup runs");
            None
        }
    };
    (
        StatusCode::OK,
        Json(json!({
            "status": "ok",
            "rollup": { "schedule": crate::jobs::SCHEDULE, "last_run": last },
        })),
    )
}
