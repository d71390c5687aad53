use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub name: String,
    pub email: String,
}

/// The signed-in user, or `None`.
#[server]
pub async fn current_user() -> Result<Option<UserInfo>, AppError> {
    super::ssr::respond(
        async move {
            match super::ssr::signed_in_user().await {
                Ok(user) => Ok(Some(UserInfo {
                    name: user.name,
                    email: user.email,
                })),
                Err(AppError::Unauthorized) => Ok(None),
                Err(other) => Err(other),
            }
        }
        .await,
    )
}

#[server]
pub async fn register(name: String, email: String, password: String) -> Result<(), AppError> {
    super::ssr::respond(
        async move {
            use crate::session::{SignUpError, sign_up};
            use pagepulse_core::accounts::NewUser;

            let auth = super::ssr::auth_state()?;
            let new = NewUser {
                email,
                password,
                name,
            };
            let (_, cookie) = sign_up(&auth, new).await.map_err(|error| match error {
                SignUpError::Disabled => AppError::Message(error.to_string()),
                SignUpError::Account(error) => error.into(),
            })?;
            signed_in(&cookie);
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    super::ssr::respond(
        async move {
            use crate::session::{AuthState, ClientIp, SignInError, sign_in};

            let auth = super::ssr::auth_state()?;
            let ClientIp(ip) = leptos_axum::extract_with_state::<ClientIp, AuthState>(&auth)
                .await
                .map_err(|e| AppError::Transport(e.to_string()))?;
            let (_, cookie) = sign_in(&auth, ip, &email, &password)
                .await
                .map_err(|error| match error {
                    SignInError::Throttled { .. } => AppError::Message(error.to_string()),
                    SignInError::Account(error) => error.into(),
                })?;
            signed_in(&cookie);
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    super::ssr::respond(
        async move {
            let auth = super::ssr::auth_state()?;
            super::ssr::set_cookie(&crate::session::cleared_cookie(&auth.settings));
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

/// Sets the session cookie and sends the browser on to its sites.
#[cfg(feature = "ssr")]
fn signed_in(cookie: &str) {
    super::ssr::set_cookie(cookie);
    leptos_axum::redirect("/sites");
}
