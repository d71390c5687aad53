//! `/api/v1/auth/*`: register, sign in, sign out (here or everywhere else),
//! change the password, who am I.

use app::session::{self, AuthState, AuthUser, ClientIp, SignedIn};
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use pagepulse_core::{accounts::NewUser, entities::user};
use serde::{Deserialize, Serialize};

use crate::http::error::{ApiError, ApiJson};

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

#[derive(Deserialize)]
pub struct PasswordBody {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

#[tracing::instrument(skip_all)]
pub async fn register(
    State(auth): State<AuthState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<Response, ApiError> {
    let new = NewUser {
        email: body.email,
        password: body.password,
        name: body.name,
    };
    let (user, cookie) = session::sign_up(&auth, ip, new).await?;
    Ok(signed_in(StatusCode::CREATED, user, cookie))
}

#[tracing::instrument(skip_all)]
pub async fn login(
    State(auth): State<AuthState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    let (user, cookie) = session::sign_in(&auth, ip, &body.email, &body.password).await?;
    Ok(signed_in(StatusCode::OK, user, cookie))
}

/// Ends this session on the server, so a copy of its token is refused too.
#[tracing::instrument(skip_all)]
pub async fn logout(
    State(auth): State<AuthState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let cookie = session::sign_out(&auth, &headers).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// Ends every other session of the user; this one goes on.
#[tracing::instrument(skip_all)]
pub async fn logout_everywhere(
    State(auth): State<AuthState>,
    who: SignedIn,
) -> Result<Json<serde_json::Value>, ApiError> {
    let ended = session::sign_out_others(&auth, &who).await?;
    Ok(Json(serde_json::json!({ "sessions_ended": ended })))
}

/// `{current_password, new_password}` → 204; every other session ends.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    State(auth): State<AuthState>,
    ClientIp(ip): ClientIp,
    who: SignedIn,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    session::change_password(&auth, ip, &who, &body.current_password, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[tracing::instrument(skip_all)]
pub async fn me(AuthUser(user): AuthUser) -> Json<UserView> {
    Json(user.into())
}

fn signed_in(status: StatusCode, user: user::Model, cookie: String) -> Response {
    (
        status,
        [(header::SET_COOKIE, cookie)],
        Json(UserView::from(user)),
    )
        .into_response()
}
