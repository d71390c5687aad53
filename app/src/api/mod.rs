//! Server functions: thin adapters from the pages to the core crate, whose
//! rules the REST API applies too; the session cookie and its extractors are
//! `crate::session`'s.

pub mod analytics;
pub mod auth;
pub mod funnels;
pub mod goals;
pub mod keys;
pub mod shields;
pub mod sites;

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// What a page can be told went wrong; field errors are shown beside their input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    Field { field: String, message: String },
    #[error("{0}")]
    Message(String),
    #[error("please sign in")]
    Unauthorized,
    /// Wrong email or password (one message for both).
    #[error("{0}")]
    Credentials(String),
    #[error("not found")]
    NotFound,
    /// Over a limit: answered 429 with `Retry-After`.
    #[error("{message}")]
    Throttled {
        message: String,
        retry_after_secs: u64,
    },
    #[error("{0}")]
    Transport(String),
}

impl AppError {
    /// The message for `field`, when this error is about that field.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Field { field, message } if field == name => Some(message.clone()),
            _ => None,
        }
    }

    /// The message for errors not tied to one field.
    pub fn general(&self) -> Option<String> {
        match self {
            AppError::Field { .. } => None,
            other => Some(other.to_string()),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use pagepulse_core::{
        auth::SignedIn,
        error::{Failure, Kind},
    };

    use super::AppError;
    use crate::session::{AuthState, AuthUser, ClientIp, CurrentSession};

    pub fn auth_state() -> Result<AuthState, AppError> {
        leptos::prelude::use_context::<AuthState>()
            .ok_or_else(|| AppError::Message("server misconfigured: no session state".into()))
    }

    pub async fn signed_in_user() -> Result<pagepulse_core::entities::user::Model, AppError> {
        let auth = auth_state()?;
        leptos_axum::extract_with_state::<AuthUser, AuthState>(&auth)
            .await
            .map(|AuthUser(user)| user)
            .map_err(|_| AppError::Unauthorized)
    }

    pub async fn signed_in() -> Result<SignedIn, AppError> {
        let auth = auth_state()?;
        leptos_axum::extract_with_state::<CurrentSession, AuthState>(&auth)
            .await
            .map(|CurrentSession(signed_in)| signed_in)
            .map_err(|_| AppError::Unauthorized)
    }

    pub async fn client_ip() -> Result<std::net::IpAddr, AppError> {
        leptos_axum::extract::<ClientIp>()
            .await
            .map(|ClientIp(ip)| ip)
            .map_err(|e| AppError::Transport(e.to_string()))
    }

    /// The one mapping from the core's classification to what a page is told.
    impl From<Failure> for AppError {
        fn from(failure: Failure) -> Self {
            let Failure {
                kind,
                message,
                field,
            } = failure;
            match (kind, field) {
                (Kind::Invalid | Kind::Conflict, Some(field)) => AppError::Field {
                    field: field.to_owned(),
                    message,
                },
                (
                    Kind::BadRequest
                    | Kind::Invalid
                    | Kind::Conflict
                    | Kind::Forbidden
                    | Kind::Busy { .. },
                    _,
                ) => AppError::Message(message),
                (Kind::NotFound, _) => AppError::NotFound,
                (Kind::Unauthorized, _) => AppError::Credentials(message),
                (Kind::Throttled { retry_after_secs }, _) => AppError::Throttled {
                    message,
                    retry_after_secs,
                },
                (Kind::Internal, _) => {
                    tracing::error!(error = %message, "server function failed");
                    AppError::Message("something went wrong; please try again".into())
                }
            }
        }
    }

    pagepulse_core::classified_into!(AppError);

    /// A failed server function answers with a status that fits (422 for a field,
    /// 401, 404, ...), never the 500 a client's mistake is not. A plain form post
    /// (no JavaScript) is left to Leptos, which redirects back to the form with
    /// the error in the URL so the page can show it.
    /// The request's context is read before `work` is awaited: a server
    /// function running as a page's resource may have lost its owner after an
    /// await.
    pub async fn respond<T>(
        work: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let plain_form_post = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.headers.get(http::header::ACCEPT).cloned())
            .and_then(|accept| accept.to_str().ok().map(|a| a.contains("text/html")))
            .unwrap_or(false);
        let response = leptos::prelude::use_context::<leptos_axum::ResponseOptions>();
        let result = work.await;
        if plain_form_post {
            return result;
        }
        if let (Err(error), Some(response)) = (&result, response) {
            response.set_status(match error {
                AppError::Field { .. } => http::StatusCode::UNPROCESSABLE_ENTITY,
                AppError::Message(_) => http::StatusCode::BAD_REQUEST,
                AppError::Unauthorized | AppError::Credentials(_) => http::StatusCode::UNAUTHORIZED,
                AppError::NotFound => http::StatusCode::NOT_FOUND,
                AppError::Throttled { .. } => http::StatusCode::TOO_MANY_REQUESTS,
                AppError::Transport(_) => http::StatusCode::INTERNAL_SERVER_ERROR,
            });
            if let AppError::Throttled {
                retry_after_secs, ..
            } = error
            {
                response.insert_header(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from(*retry_after_secs),
                );
            }
        }
        result
    }

    pub fn set_cookie(cookie: &str) {
        if let (Some(response), Ok(value)) = (
            leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            http::HeaderValue::from_str(cookie),
        ) {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }
}
