//! Sessions: the `pagepulse_session` cookie carries a signed token; `AuthUser`
//! turns it into the signed-in user for REST handlers and server functions alike.

use axum::{
    extract::{FromRef, FromRequestParts},
    http::{HeaderMap, HeaderValue, header, request::Parts},
};
use pagepulse_core::{DatabaseConnection, accounts, entities::user, tokens};

use crate::{AppState, config::Config, error::ApiError};

pub const SESSION_COOKIE: &str = "pagepulse_session";

/// The signed-in user; rejects with 401 when the cookie is missing, forged,
/// expired, or names a user who no longer exists.
pub struct AuthUser(pub user::Model);

impl<S> FromRequestParts<S> for AuthUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let token = session_token(&parts.headers).ok_or_else(ApiError::unauthorized)?;
        let user_id = tokens::verify(&token, &state.config.jwt_secret_key)?;
        let user = load_user(&state.db, user_id).await?;
        Ok(AuthUser(user))
    }
}

async fn load_user(db: &DatabaseConnection, id: uuid::Uuid) -> Result<user::Model, ApiError> {
    accounts::find(db, id)
        .await?
        .ok_or_else(ApiError::unauthorized)
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Lax, Path=/, Secure in production.
pub fn session_cookie(config: &Config, token: &str) -> HeaderValue {
    let max_age = config.jwt_access_token_expire_minutes * 60;
    cookie(
        config,
        &format!("{SESSION_COOKIE}={token}; Max-Age={max_age}"),
    )
}

/// `Set-Cookie` that removes the session.
pub fn cleared_cookie(config: &Config) -> HeaderValue {
    cookie(config, &format!("{SESSION_COOKIE}=; Max-Age=0"))
}

fn cookie(config: &Config, start: &str) -> HeaderValue {
    let secure = if config.is_production() {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!("{start}; Path=/; HttpOnly; SameSite=Lax{secure}"))
        .expect("cookie built from a token and fixed text is a valid header")
}
