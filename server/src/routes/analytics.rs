//! `/api/v1/sites/{id}/analytics`, its public twin and the CSV export: thin
//! adapters over `pagepulse_core::analytics`. A site the caller may not see is
//! 404, as everywhere; a query the client got wrong is 400 with a message.

use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use pagepulse_core::{
    analytics::{self, AnalyticsQuery, QueryError, report::Report},
    entities::site,
    sites,
};

use app::session::AuthUser;

use crate::{AppState, http::error::ApiError};

type Params = Result<Query<Vec<(String, String)>>, QueryRejection>;

#[tracing::instrument(skip_all)]
pub async fn owner(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Report>, ApiError> {
    let site = sites::get(state.db(), user.id, sites::parse_id(&id)?).await?;
    Ok(Json(compute(&state, &site, params).await?))
}

#[tracing::instrument(skip_all)]
pub async fn public(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Report>, ApiError> {
    let site = sites::get_public(state.db(), sites::parse_id(&id)?).await?;
    Ok(Json(compute(&state, &site, params).await?))
}

#[tracing::instrument(skip_all)]
pub async fn export_csv(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let site = sites::get(state.db(), user.id, sites::parse_id(&id)?).await?;
    let report = compute(&state, &site, params).await?;
    let filename = format!(
        "attachment; filename=\"pagepulse-{}-{}-{}.csv\"",
        site.domain
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "-"),
        report.period.start,
        report.period.end
    );
    let mut response = analytics::to_csv(&report).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&filename) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

async fn compute(state: &AppState, site: &site::Model, params: Params) -> Result<Report, ApiError> {
    let Query(pairs) = params.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let query = AnalyticsQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|QueryError(message)| ApiError::new(StatusCode::BAD_REQUEST, message))?;
    let now = chrono::Utc::now().timestamp_millis();
    let _turn = state
        .auth
        .limits
        .report_turn()
        .await
        .ok_or_else(|| ApiError {
            retry_after_secs: Some(5),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "too many reports are being computed; retry shortly",
            )
        })?;
    analytics::report(state.db(), site, &query, now)
        .await
        .map_err(|e| ApiError::internal("analytics", &e))
}
