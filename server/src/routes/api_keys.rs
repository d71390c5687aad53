//! `/api/v1/api-keys[/{id}]`: the signed-in user's keys for the Stats and Sites
//! APIs. A key is in the answer that creates it and never again.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use pagepulse_core::{
    api_keys::{self, ApiKeyError},
    entities::api_key,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use app::session::AuthUser;

use crate::{
    AppState,
    http::error::{ApiError, ApiJson},
};

#[derive(Serialize)]
pub struct KeyView {
    id: Uuid,
    name: String,
    /// The key's first characters, to tell keys apart.
    prefix: String,
    created_at: chrono::DateTime<chrono::Utc>,
    /// Only when the key is made.
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
}

impl KeyView {
    fn new(row: api_key::Model, key: Option<String>) -> Self {
        KeyView {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            created_at: row.created_at,
            key,
        }
    }
}

#[derive(Deserialize)]
pub struct CreateBody {
    name: String,
}

#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(body): ApiJson<CreateBody>,
) -> Result<Response, ApiError> {
    let made = api_keys::create(state.db(), user.id, &body.name).await?;
    tracing::info!(api_key.id = %made.row.id, "API key created");
    Ok((
        StatusCode::CREATED,
        Json(KeyView::new(made.row, Some(made.key))),
    )
        .into_response())
}

#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
) -> Result<Json<Vec<KeyView>>, ApiError> {
    let keys = api_keys::list(state.db(), user.id).await?;
    Ok(Json(
        keys.into_iter().map(|k| KeyView::new(k, None)).collect(),
    ))
}

#[tracing::instrument(skip_all, fields(api_key.id = %id))]
pub async fn revoke(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiKeyError::NotFound)?;
    api_keys::revoke(state.db(), user.id, id).await?;
    tracing::info!("API key revoked");
    Ok(StatusCode::NO_CONTENT)
}
