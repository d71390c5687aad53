//! `/api/v1/auth/*`: register, sign in, sign out, who am I.

use app::session::{self, AuthState, AuthUser, ClientIp};
use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use pagepulse_core::{accounts::NewUser, entities::user};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiJson};

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
    State(auth): State<AuthState>,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<Response, ApiError> {
    let new = NewUser {
        email: body.email,
        password: body.password,
        name: body.name,
    };
    let (user, cookie) = session::sign_up(&auth, new).await?;
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

pub async fn logout(State(auth): State<AuthState>) -> Response {
    let cookie = session::cleared_cookie(&auth.settings);
    (StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response()
}

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
