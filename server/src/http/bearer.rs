//! `Authorization: Bearer <key>` for Plausible's Stats and Sites APIs: the
//! key's holder, counted against the key's hourly limit before any work.

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use pagepulse_core::api_keys::{self, KeyHolder};

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

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let holder = api_keys::holder(state.db(), header).await?;
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
        Ok(ApiCaller(holder))
    }
}
