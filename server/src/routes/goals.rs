//! `/api/v1/sites/{id}/goals[/{gid}]`: the signed-in owner's goals for one of
//! their sites, in PagePulse's REST shapes (the Sites API has Plausible's).

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use pagepulse_core::{
    goals::{self, NewGoal},
    sites,
};
use serde::Deserialize;
use serde_json::Value;

use app::session::AuthUser;

use crate::{
    AppState,
    http::error::{ApiError, ApiJson},
    routes::sites_api::goal_json,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalBody {
    goal_type: Option<String>,
    event_name: Option<String>,
    page_path: Option<String>,
    display_name: Option<String>,
    currency: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let site = sites::get(state.db(), user.id, sites::parse_id(&id)?).await?;
    let goals = goals::list(state.db(), site.id).await?;
    Ok(Json(goals.iter().map(goal_json).collect()))
}

#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<GoalBody>,
) -> Result<Response, ApiError> {
    let site = sites::get(state.db(), user.id, sites::parse_id(&id)?).await?;
    let new = NewGoal::from_fields(
        body.goal_type.as_deref(),
        body.event_name.as_deref(),
        body.page_path.as_deref(),
        body.currency.as_deref(),
    )?
    .named(body.display_name.as_deref())?;
    let (goal, made) = goals::create(state.db(), site.id, new).await?;
    let status = if made {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(goal_json(&goal))).into_response())
}

#[tracing::instrument(skip_all)]
pub async fn delete(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path((id, goal)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let site = sites::get(state.db(), user.id, sites::parse_id(&id)?).await?;
    let goal: i64 = goal
        .parse()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "Goal could not be found"))?;
    goals::delete(state.db(), site.id, goal).await?;
    Ok(StatusCode::NO_CONTENT)
}
