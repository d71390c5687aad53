//! The REST API's error: a status and `{"error": "...", "field"?: "..."}`. Internal
//! failures are logged with their cause and reported to the client only as such.

use app::session::{SignInError, SignUpError};
use axum::{
    Json,
    extract::rejection::JsonRejection,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use pagepulse_core::{accounts::AccountError, sites::SiteError};
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub field: Option<&'static str>,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            field: None,
            retry_after_secs: None,
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }

    /// 429 with `Retry-After`.
    pub fn too_many(message: impl Into<String>, retry_after_secs: u64) -> Self {
        ApiError {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, message)
        }
    }

    pub fn internal(context: &str, error: &dyn std::fmt::Display) -> Self {
        tracing::error!(%error, "{context}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match self.field {
            Some(field) => json!({ "error": self.message, "field": field }),
            None => json!({ "error": self.message }),
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        ApiError::new(rejection.status(), rejection.body_text())
    }
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Invalid(field) => ApiError {
                field: Some(field.field),
                ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, field.message)
            },
            AccountError::EmailTaken => ApiError {
                field: Some("email"),
                ..ApiError::new(StatusCode::CONFLICT, error.to_string())
            },
            AccountError::InvalidCredentials => {
                ApiError::new(StatusCode::UNAUTHORIZED, error.to_string())
            }
            AccountError::Hashing | AccountError::Database(_) => {
                ApiError::internal("accounts", &error)
            }
        }
    }
}

impl From<SiteError> for ApiError {
    fn from(error: SiteError) -> Self {
        match error {
            SiteError::Invalid(field) => ApiError {
                field: Some(field.field),
                ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, field.message)
            },
            SiteError::NotFound => ApiError::not_found("site"),
            SiteError::DomainTaken => ApiError {
                field: Some("domain"),
                ..ApiError::new(StatusCode::CONFLICT, error.to_string())
            },
            SiteError::Database(_) => ApiError::internal("sites", &error),
        }
    }
}

impl From<SignUpError> for ApiError {
    fn from(error: SignUpError) -> Self {
        match error {
            SignUpError::Disabled => ApiError::new(StatusCode::FORBIDDEN, error.to_string()),
            SignUpError::Throttled { retry_after_secs } => {
                ApiError::too_many(error.to_string(), retry_after_secs)
            }
            SignUpError::Account(error) => error.into(),
        }
    }
}

impl From<SignInError> for ApiError {
    fn from(error: SignInError) -> Self {
        match error {
            SignInError::Throttled { retry_after_secs } => {
                ApiError::too_many(error.to_string(), retry_after_secs)
            }
            SignInError::Account(error) => error.into(),
        }
    }
}

impl From<pagepulse_core::DbErr> for ApiError {
    fn from(error: pagepulse_core::DbErr) -> Self {
        ApiError::internal("database", &error)
    }
}

/// `Json<T>` whose rejections (bad syntax, wrong content type, missing fields) use
/// our error body instead of axum's plain text.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);
