use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use pagepulse_core::{DatabaseConnection, rollup};
use serde_json::json;

/// Liveness plus a database round trip, so a load balancer stops sending traffic
/// to a replica that cannot record events. Exactly `{"status": "ok"}` (SPEC §6).
#[tracing::instrument(skip_all)]
pub async fn health(State(db): State<DatabaseConnection>) -> impl IntoResponse {
    match reachable(&db).await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Err(unavailable) => unavailable,
    }
}

async fn reachable(db: &DatabaseConnection) -> Result<(), (StatusCode, Json<serde_json::Value>)> {
    db.ping().await.map_err(|error| {
        tracing::warn!(%error, "health check: database unreachable");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "error": "database unreachable" })),
        )
    })
}

/// `/health` plus the rollup job's latest run (SPEC §9): when it ran, what it
/// did, how long it took, whether it failed.
#[tracing::instrument(skip_all)]
pub async fn details(State(db): State<DatabaseConnection>) -> impl IntoResponse {
    if let Err(unavailable) = reachable(&db).await {
        return unavailable;
    }
    let last = match rollup::last_run(&db).await {
        Ok(run) => run.map(|run| {
            json!({
                "trigger": run.trigger,
                "started_at": chrono::DateTime::from_timestamp_millis(run.started_at)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                "duration_ms": run.duration_ms,
                "days_rolled_up": run.days,
                "events_pruned": run.events_pruned,
                "error": run.error,
                "failed_days": run.failed_days,
            })
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
