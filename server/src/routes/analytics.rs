//! `/api/v1/sites/{id}/analytics`, its public twin and the CSV export: thin
//! adapters over `pagepulse_core::analytics`. A site the caller may not see is
//! 404, as everywhere; a query the client got wrong is 400 with a message.

use axum::{
    Json,
    extract::{Path, RawQuery, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use pagepulse_core::{
    analytics::{self, AnalyticsQuery, report::Report},
    dashboard,
    entities::site,
    sites::{self, Reader},
};

use app::session::AuthUser;

use crate::{AppState, http::error::ApiError};

type Params = RawQuery;

#[tracing::instrument(skip_all)]
pub async fn owner(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Report>, ApiError> {
    let site = sites::readable(state.db(), Reader::Owner(user.id), sites::parse_id(&id)?).await?;
    Ok(Json(compute(&state, &site, params).await?))
}

#[tracing::instrument(skip_all)]
pub async fn public(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Report>, ApiError> {
    let site = sites::readable(state.db(), Reader::Anyone, sites::parse_id(&id)?).await?;
    Ok(Json(compute(&state, &site, params).await?))
}

#[tracing::instrument(skip_all)]
pub async fn export_csv(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let site = sites::readable(state.db(), Reader::Owner(user.id), sites::parse_id(&id)?).await?;
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
    let RawQuery(params) = params;
    let query = AnalyticsQuery::from_query_string(params.as_deref().unwrap_or_default())?;
    let now = chrono::Utc::now().timestamp_millis();
    Ok(dashboard::report(&state.reports, state.db(), site, &query, now).await?)
}
