use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use pagepulse_core::DatabaseConnection;
use serde_json::json;

/// Liveness plus a database round trip, so a load balancer stops sending traffic
/// to a replica that cannot record events.
#[tracing::instrument(skip_all)]
pub async fn health(State(db): State<DatabaseConnection>) -> impl IntoResponse {
    match db.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Err(error) => {
            tracing::warn!(%error, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "error": "database unreachable" })),
            )
        }
    }
}
