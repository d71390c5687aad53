//! The beacon endpoints: our tracker's `/api/v1/event` and Plausible's
//! `/api/event`. Public, cross-origin, cookie-blind. A 202 means the event is
//! committed; every refusal says why, and nothing the client sends can make
//! them answer 500.

use std::{sync::Arc, time::Duration};

use axum::routing::post;
use axum::{
    Router,
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
};
use http::request::Parts;
use pagepulse_core::ingest::{
    Client, IngestError, Ingestor, Outcome, WriteError,
    beacon::{self, Beacon, BeaconError},
    country,
};
use tower_http::cors::{Any, CorsLayer};

use crate::{AppState, http::error::ApiError};

/// Bodies above this are refused with 413 (a beacon is a few hundred bytes).
pub const MAX_BODY_BYTES: usize = 8 * 1024;
pub const DROPPED_HEADER: &str = "x-pagepulse-dropped";
const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// What the beacon handlers need, and nothing more: axum clones the state for
/// every request.
#[derive(Clone)]
pub struct BeaconState {
    ingest: Arc<Ingestor>,
}

/// The two endpoints with their own layers: CORS outermost (preflights never
/// reach the limiter), then the per-address rate limit.
pub fn router<S: Clone + Send + Sync + 'static>(state: &AppState) -> Router<S> {
    Router::new()
        .route("/api/v1/event", post(native))
        .route("/api/event", post(plausible))
        .layer(state.beacon_limit.layer())
        .layer(cors())
        .with_state(BeaconState {
            ingest: state.ingest.clone(),
        })
}

// The beacon spans are at debug level: the default filter (info) turns them
// away where they are declared, so the hottest path builds no span.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn native(State(state): State<BeaconState>, request: Request) -> Response {
    ingest(&state, request, beacon::parse_native).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn plausible(State(state): State<BeaconState>, request: Request) -> Response {
    ingest(&state, request, beacon::parse_plausible).await
}

/// Any page may send beacons; no credentials are ever involved.
pub fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::POST, Method::OPTIONS])
        .allow_headers([header::CONTENT_TYPE])
        .expose_headers([HeaderName::from_static(DROPPED_HEADER), header::RETRY_AFTER])
        .max_age(Duration::from_secs(24 * 60 * 60))
}

async fn ingest(
    state: &BeaconState,
    request: Request,
    parse: fn(&[u8]) -> Result<Beacon, BeaconError>,
) -> Response {
    let (parts, body) = request.into_parts();
    let beacon = match read(body, &parts.headers).await.and_then(|bytes| {
        parse(&bytes).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.to_string()))
    }) {
        Ok(beacon) => beacon,
        Err(error) => return error.into_response(),
    };
    let client = client(&parts);
    match state.ingest.record(&beacon, &client).await {
        Ok(Outcome::Recorded) => (
            StatusCode::ACCEPTED,
            [(header::CONTENT_TYPE, JSON)],
            r#"{"status":"recorded"}"#,
        )
            .into_response(),
        Ok(Outcome::Dropped(reason)) => {
            let reason = reason.as_str();
            (
                StatusCode::ACCEPTED,
                [
                    (header::CONTENT_TYPE, JSON),
                    (
                        HeaderName::from_static(DROPPED_HEADER),
                        HeaderValue::from_static(reason),
                    ),
                ],
                format!(r#"{{"status":"dropped","reason":"{reason}"}}"#),
            )
                .into_response()
        }
        Err(error) => unavailable(&error).into_response(),
    }
}

async fn read(body: Body, headers: &HeaderMap) -> Result<axum::body::Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {MAX_BODY_BYTES} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|error| {
            let over_limit = error
                .into_inner()
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            if over_limit {
                too_large()
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "the body could not be read")
            }
        })
}

fn client(parts: &Parts) -> Client {
    let headers = &parts.headers;
    let resolved = crate::http::client::client_addr(&parts.extensions);
    let from_proxy = resolved.via_trusted_proxy;
    Client {
        ip: resolved.ip,
        user_agent: headers
            .get(header::USER_AGENT)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default(),
        // Country headers are believed only from a trusted proxy: from anyone
        // else they are whatever the client chose to send.
        country: from_proxy
            .then(|| {
                country::from_headers(
                    country::HEADERS.map(|name| headers.get(name).and_then(|v| v.to_str().ok())),
                )
            })
            .flatten(),
    }
}

/// The event was not stored, through no fault of the client: try again shortly.
fn unavailable(error: &IngestError) -> ApiError {
    let (message, retry_after) = match error {
        IngestError::Write(WriteError::QueueFull) => ("the server is busy; retry shortly", 1),
        IngestError::Write(WriteError::ShuttingDown) => {
            ("the server is restarting; retry shortly", 2)
        }
        IngestError::Write(WriteError::Database) | IngestError::Database(_) => {
            tracing::error!(%error, "event not recorded");
            ("the event could not be stored; retry shortly", 5)
        }
    };
    let mut error = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message);
    error.retry_after_secs = Some(retry_after);
    error
}
