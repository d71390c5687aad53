//! `/api/v1/sites/{id}/shields`: the signed-in owner's shields for one of
//! their sites, read and replaced whole.

use axum::{
    Json,
    extract::{Path, State},
};
use pagepulse_core::{
    shields::{self, Rules},
    sites,
};

use app::session::AuthUser;

use crate::{
    AppState,
    http::error::{ApiError, ApiJson},
};

#[tracing::instrument(skip_all)]
pub async fn get(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Rules>, ApiError> {
    let site = sites::get(state.db(), user.id, sites::parse_id(&id)?).await?;
    Ok(Json(shields::get(state.db(), site.id).await?))
}

/// Replaces the rules; this replica applies them to the very next beacon,
/// the others within seconds.
#[tracing::instrument(skip_all)]
pub async fn put(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(rules): ApiJson<Rules>,
) -> Result<Json<Rules>, ApiError> {
    let site = sites::get(state.db(), user.id, sites::parse_id(&id)?).await?;
    let kept = shields::put(state.db(), site.id, rules).await?;
    state.ingest.forget_site(site.id);
    Ok(Json(kept))
}
