//! `/api/v1/auth/*`: register, sign in, sign out, who am I.

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use pagepulse_core::{
    accounts::{self, AccountError, NewUser},
    entities::user,
    tokens,
};
use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    auth::{AuthUser, cleared_cookie, session_cookie},
    client::ClientIp,
    error::{ApiError, ApiJson},
};

#[derive(Serialize)]
pub struct UserView {
    pub id: uuid::Uuid,
    pub email: String,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<user::Model> for UserView {
    fn from(user: user::Model) -> Self {
        UserView {
            id: user.id,
            email: user.email,
            name: user.name,
            created_at: user.created_at,
        }
    }
}

#[derive(Deserialize)]
pub struct RegisterBody {
    email: String,
    password: String,
    name: String,
}

#[derive(Deserialize)]
pub struct LoginBody {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

#[tracing::instrument(skip_all)]
pub async fn register(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<Response, ApiError> {
    if state.config.disable_registration {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "registration is disabled",
        ));
    }
    let user = accounts::register(
        &state.db,
        NewUser {
            email: body.email,
            password: body.password,
            name: body.name,
        },
    )
    .await?;
    tracing::info!(user.id = %user.id, "account created");
    signed_in(&state, StatusCode::CREATED, user)
}

#[tracing::instrument(skip_all)]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    let account_key = format!("account:{}", body.email.trim().to_lowercase());
    let keys = [format!("ip:{ip}"), account_key.clone()];
    if let Some(wait) = state.login_throttle.blocked(&keys) {
        return Err(ApiError {
            retry_after_secs: Some(wait),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too many failed sign-ins; try again later",
            )
        });
    }
    match accounts::authenticate(&state.db, &body.email, &body.password).await {
        Ok(user) => {
            state.login_throttle.record_success(&account_key);
            signed_in(&state, StatusCode::OK, user)
        }
        Err(AccountError::InvalidCredentials) => {
            state.login_throttle.record_failure(&keys);
            Err(AccountError::InvalidCredentials.into())
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn logout(State(state): State<AppState>) -> Response {
    (
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, cleared_cookie(&state.config))],
    )
        .into_response()
}

pub async fn me(AuthUser(user): AuthUser) -> Json<UserView> {
    Json(user.into())
}

fn signed_in(
    state: &AppState,
    status: StatusCode,
    user: user::Model,
) -> Result<Response, ApiError> {
    let token = tokens::issue(
        user.id,
        &state.config.jwt_secret_key,
        state.config.jwt_access_token_expire_minutes,
    )?;
    Ok((
        status,
        [(header::SET_COOKIE, session_cookie(&state.config, &token))],
        Json(UserView::from(user)),
    )
        .into_response())
}
