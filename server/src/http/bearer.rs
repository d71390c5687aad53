//! `Authorization: Bearer <key>` for Plausible's Stats and Sites APIs: the
//! key's holder, counted against the key's hourly limit before any work.

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, StatusCode, header, request::Parts},
};
use pagepulse_core::api_keys::{self, ApiKeyError, KeyHolder};

use crate::{AppState, http::error::ApiError};

pub struct ApiCaller(pub KeyHolder);

/// Whether a request names a Bearer key, so a route shared with the cookie
/// API (`/api/v1/sites`) answers in Plausible's shapes.
pub fn has_bearer(parts: &axum::http::HeaderMap) -> bool {
    parts
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "))
}

/// Which API asks: a key that finds no one is told so in that API's words.
#[derive(Clone, Copy)]
pub enum Api {
    Stats,
    Sites,
}

/// The holder of the request's key, counted against the key's hourly limit.
pub async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    api: Api,
) -> Result<KeyHolder, ApiError> {
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let holder = match api_keys::holder(state.db(), header).await {
        Err(ApiKeyError::Unauthorized) if matches!(api, Api::Sites) => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "Invalid API key. Please make sure you're using a valid API key with access to the resource you've requested.",
            ));
        }
        other => other?,
    };
    state
        .auth
        .limits()
        .api_keys
        .hit(&holder.key_id)
        .map_err(|secs| {
            ApiError::too_many(
                format!(
                    "Too many API requests. Your API key is limited to {} requests per hour. Please contact us to request more capacity.",
                    state.config.limits.api_requests_per_hour
                ),
                secs,
            )
        })?;
    Ok(holder)
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        caller(state, &parts.headers, Api::Stats)
            .await
            .map(ApiCaller)
    }
}
