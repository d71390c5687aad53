//! `/api/v1/sites/{id}/funnels[/{fid}]`: the signed-in owner's funnels for one
//! of their sites, and one funnel counted over a period (`?period=…` and the
//! analytics API's filters).

use axum::{
    Json,
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use pagepulse_core::{
    analytics::{AnalyticsQuery, report::FunnelReport},
    dashboard,
    entities::funnel,
    funnels::{self, Step},
    sites,
};
use serde::Deserialize;
use serde_json::{Value, json};

use app::session::AuthUser;

use crate::{
    AppState,
    http::error::{ApiError, ApiJson},
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunnelBody {
    name: String,
    steps: Vec<Step>,
}

fn funnel_json(funnel: &funnel::Model) -> Value {
    json!({
        "id": funnel.id,
        "name": funnel.name,
        "steps": funnels::steps(funnel),
    })
}

/// A funnel id that is not a number names no funnel.
fn funnel_id(id: &str) -> Result<i64, ApiError> {
    id.parse()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "Funnel could not be found"))
}

#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let site = sites::get(state.db(), user.id, sites::parse_id(&id)?).await?;
    let list = funnels::list(state.db(), site.id).await?;
    Ok(Json(list.iter().map(funnel_json).collect()))
}

#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<FunnelBody>,
) -> Result<Response, ApiError> {
    let site = sites::get(state.db(), user.id, sites::parse_id(&id)?).await?;
    let funnel = funnels::create(state.db(), site.id, &body.name, body.steps).await?;
    Ok((StatusCode::CREATED, Json(funnel_json(&funnel))).into_response())
}

#[tracing::instrument(skip_all)]
pub async fn report(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path((id, fid)): Path<(String, String)>,
    RawQuery(params): RawQuery,
) -> Result<Json<FunnelReport>, ApiError> {
    let site = sites::get(state.db(), user.id, sites::parse_id(&id)?).await?;
    let funnel = funnels::get(state.db(), site.id, funnel_id(&fid)?).await?;
    let query = AnalyticsQuery::from_query_string(params.as_deref().unwrap_or_default())?;
    let now = chrono::Utc::now().timestamp_millis();
    let report = dashboard::funnel(&state.reports, state.db(), &site, &funnel, &query, now).await?;
    Ok(Json(report))
}

#[tracing::instrument(skip_all)]
pub async fn delete(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path((id, fid)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let site = sites::get(state.db(), user.id, sites::parse_id(&id)?).await?;
    funnels::delete(state.db(), site.id, funnel_id(&fid)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
