use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub name: String,
    pub email: String,
}

// `instrument` sits above `#[server]`: it wraps the body before the macro moves it into
// the function the server runs, so each call has one span named after the function;
// the wasm build, without `ssr`, never sees it.
/// The signed-in user, or `None`.
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn current_user() -> Result<Option<UserInfo>, AppError> {
    super::ssr::respond(async move {
        match super::ssr::signed_in_user().await {
            Ok(user) => Ok(Some(UserInfo {
                name: user.name,
                email: user.email,
            })),
            Err(AppError::Unauthorized) => Ok(None),
            Err(other) => Err(other),
        }
    })
    .await
}

#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn register(name: String, email: String, password: String) -> Result<(), AppError> {
    super::ssr::respond(async move {
        use pagepulse_core::accounts::NewUser;

        let state = super::ssr::auth_state()?;
        let ip = super::ssr::client_ip().await?;
        let new = NewUser {
            email,
            password,
            name,
        };
        let (_, session) = state.auth.sign_up(ip, new).await?;
        signed_in(&state, &session);
        Ok(())
    })
    .await
}

#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    super::ssr::respond(async move {
        let state = super::ssr::auth_state()?;
        let ip = super::ssr::client_ip().await?;
        let (_, session) = state.auth.sign_in(ip, &email, &password).await?;
        signed_in(&state, &session);
        Ok(())
    })
    .await
}

#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn logout() -> Result<(), AppError> {
    super::ssr::respond(async move {
        let state = super::ssr::auth_state()?;
        let headers = leptos::prelude::use_context::<http::request::Parts>()
            .map(|parts| parts.headers)
            .unwrap_or_default();
        let cookie = crate::session::sign_out(&state, &headers).await?;
        super::ssr::set_cookie(&cookie);
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

/// Ends every other session of the signed-in user; how many ended.
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn sign_out_everywhere() -> Result<u64, AppError> {
    super::ssr::respond(async move {
        let state = super::ssr::auth_state()?;
        let who = super::ssr::signed_in().await?;
        Ok(state.auth.sign_out_others(&who).await?)
    })
    .await
}

/// A new password; every other session of the user ends.
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    super::ssr::respond(async move {
        let state = super::ssr::auth_state()?;
        let ip = super::ssr::client_ip().await?;
        let who = super::ssr::signed_in().await?;
        let auth = &state.auth;
        Ok(auth
            .change_password(ip, &who, &current_password, &new_password)
            .await?)
    })
    .await
}

/// Sets the session cookie and sends the browser on to its sites.
#[cfg(feature = "ssr")]
fn signed_in(state: &crate::session::AuthState, session: &pagepulse_core::auth::Session) {
    super::ssr::set_cookie(&crate::session::session_cookie(&state.settings, session));
    leptos_axum::redirect("/sites");
}
