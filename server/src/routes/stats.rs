//! Plausible's Stats API: `/api/v1/stats/*` and `POST /api/v2/query`, for a
//! Bearer key's holder. A site the holder cannot read answers as a bad key
//! does, as Plausible's.

use axum::{
    Json,
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use pagepulse_core::{
    api_keys::{ApiKeyError, KeyHolder},
    entities::site,
    sites,
    stats::{self, Source, v1, v2},
};
use serde_json::Value;

use crate::{
    AppState,
    http::{
        bearer::ApiCaller,
        error::{ApiError, ApiJson},
    },
};

const MISSING_SITE: &str =
    "Missing site ID. Please provide the required site_id parameter with your request.";

async fn site(
    state: &AppState,
    holder: KeyHolder,
    site_id: Option<&str>,
) -> Result<site::Model, ApiError> {
    let Some(site_id) = site_id.filter(|s| !s.is_empty()) else {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            MISSING_SITE,
        ));
    };
    match sites::by_domain(state.db(), holder.user_id, site_id).await {
        Ok(site) => Ok(site),
        Err(sites::SiteError::NotFound) => Err(ApiKeyError::Unauthorized.into()),
        Err(other) => Err(other.into()),
    }
}

type Pairs = Query<Vec<(String, String)>>;

#[derive(Clone, Copy)]
enum V1 {
    Aggregate,
    Timeseries,
    Breakdown,
}

async fn answer_v1(
    state: AppState,
    holder: KeyHolder,
    pairs: Vec<(String, String)>,
    endpoint: V1,
) -> Result<Response, ApiError> {
    let params = v1::Params::from_pairs(pairs);
    let site = site(&state, holder, params.get("site_id")).await?;
    let _turn = state.reports.turn().await?;
    let goals = pagepulse_core::goals::list(state.db(), site.id).await?;
    let source = Source::with_rollups(state.db(), &state.reports);
    let body = match endpoint {
        V1::Aggregate => v1::aggregate(&source, &site, &goals, &params).await?,
        V1::Timeseries => v1::timeseries(&source, &site, &goals, &params).await?,
        V1::Breakdown => v1::breakdown(&source, &site, &goals, &params).await?,
    };
    Ok(Json(body).into_response())
}

#[tracing::instrument(skip_all)]
pub async fn aggregate(
    State(state): State<AppState>,
    ApiCaller(holder): ApiCaller,
    Query(pairs): Pairs,
) -> Result<Response, ApiError> {
    answer_v1(state, holder, pairs, V1::Aggregate).await
}

#[tracing::instrument(skip_all)]
pub async fn timeseries(
    State(state): State<AppState>,
    ApiCaller(holder): ApiCaller,
    Query(pairs): Pairs,
) -> Result<Response, ApiError> {
    answer_v1(state, holder, pairs, V1::Timeseries).await
}

#[tracing::instrument(skip_all)]
pub async fn breakdown(
    State(state): State<AppState>,
    ApiCaller(holder): ApiCaller,
    Query(pairs): Pairs,
) -> Result<Response, ApiError> {
    answer_v1(state, holder, pairs, V1::Breakdown).await
}

/// A bare number, as Plausible's.
#[tracing::instrument(skip_all)]
pub async fn realtime(
    State(state): State<AppState>,
    ApiCaller(holder): ApiCaller,
    Query(pairs): Pairs,
) -> Result<Response, ApiError> {
    let params = v1::Params::from_pairs(pairs);
    let site = site(&state, holder, params.get("site_id")).await?;
    let _turn = state.reports.turn().await?;
    let visitors = stats::realtime_visitors(state.db(), &site).await?;
    Ok(Json(visitors).into_response())
}

#[tracing::instrument(skip_all)]
pub async fn query(
    State(state): State<AppState>,
    ApiCaller(holder): ApiCaller,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let site = site(&state, holder, v2::site_id(&body)).await?;
    let _turn = state.reports.turn().await?;
    let goals = pagepulse_core::goals::list(state.db(), site.id).await?;
    let source = Source::with_rollups(state.db(), &state.reports);
    let answer = v2::query(&source, &site, &goals, &body).await?;
    Ok(Json(answer).into_response())
}
