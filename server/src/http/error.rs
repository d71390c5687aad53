//! The REST API's error: a status and `{"error": "...", "field"?: "..."}`. Internal
//! failures are logged with their cause and reported to the client only as such.

use axum::{
    Json,
    extract::rejection::JsonRejection,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use pagepulse_core::error::{Failure, Kind};
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

/// The one mapping from the core's classification to a status.
impl From<Failure> for ApiError {
    fn from(failure: Failure) -> Self {
        let status = match failure.kind {
            Kind::BadRequest => StatusCode::BAD_REQUEST,
            Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::Conflict => StatusCode::CONFLICT,
            Kind::Unauthorized => StatusCode::UNAUTHORIZED,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::Throttled { retry_after_secs } => {
                return ApiError::too_many(failure.message, retry_after_secs);
            }
            Kind::Busy { retry_after_secs } => {
                return ApiError {
                    retry_after_secs: Some(retry_after_secs),
                    ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, failure.message)
                };
            }
            Kind::Internal => return ApiError::internal("request", &failure.message),
        };
        ApiError {
            field: failure.field,
            ..ApiError::new(status, failure.message)
        }
    }
}

pagepulse_core::classified_into!(ApiError);

/// `Json<T>` whose rejections (bad syntax, wrong content type, missing fields) use
/// our error body instead of axum's plain text.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);
