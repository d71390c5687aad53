//! Per-address limits at the HTTP edge. Beacons: `EVENT_RATE_LIMIT_PER_MINUTE`
//! per client (resolved once through `TRUSTED_PROXIES`, so a forged
//! `X-Forwarded-For` gains nothing; IPv6 by /64), with a burst of the same
//! size. Public dashboards: `PUBLIC_RATE_LIMIT_PER_MINUTE`. Idle keys are
//! evicted every minute so a flood of distinct addresses cannot grow memory
//! without bound.

use std::{net::IpAddr, sync::Arc, time::Duration};

use app::session::PublicReadCounted;
use axum::{
    body::Body,
    extract::{Request as AxumRequest, State},
    middleware::Next,
    response::IntoResponse,
};
use http::{Request, Response, StatusCode};
use pagepulse_core::{net::ClientAddr, throttle::Limits};

use crate::http::client::limit_key;
use tower_governor::{
    GovernorError, GovernorLayer,
    governor::{GovernorConfig, GovernorConfigBuilder},
    key_extractor::KeyExtractor,
};

use crate::http::error::ApiError;

/// The client the outermost layer resolved, IPv6 by /64.
#[derive(Clone)]
pub struct ClientIpKey;

impl KeyExtractor for ClientIpKey {
    type Key = IpAddr;

    fn extract<T>(&self, request: &Request<T>) -> Result<IpAddr, GovernorError> {
        Ok(limit_key(request.extensions()))
    }
}

type NoOp = governor::middleware::NoOpMiddleware<governor::clock::QuantaInstant>;
type Config = GovernorConfig<ClientIpKey, NoOp>;

#[derive(Clone)]
pub struct BeaconLimit {
    config: Arc<Config>,
}

impl BeaconLimit {
    pub fn new(per_minute: u32) -> BeaconLimit {
        let per_minute = per_minute.max(1);
        let config = GovernorConfigBuilder::default()
            .key_extractor(ClientIpKey)
            .period(Duration::from_nanos(60_000_000_000 / u64::from(per_minute)))
            .burst_size(per_minute)
            .finish()
            .expect("a positive period and burst");
        BeaconLimit {
            config: Arc::new(config),
        }
    }

    pub fn layer(&self) -> GovernorLayer<ClientIpKey, NoOp, Body> {
        GovernorLayer::new(self.config.clone()).error_handler(too_many)
    }

    /// Forgets addresses whose quota has fully refilled: they are
    /// indistinguishable from ones never seen.
    pub fn evict_idle(&self) {
        let limiter = self.config.limiter();
        limiter.retain_recent();
        limiter.shrink_to_fit();
    }

    /// Addresses currently remembered.
    pub fn tracked(&self) -> usize {
        self.config.limiter().len()
    }
}

fn too_many(error: GovernorError) -> Response<Body> {
    match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            let mut error = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too many events from this address; slow down",
            );
            // The limiter rounds down; a client waiting that long would be early.
            error.retry_after_secs = Some(wait_time + 1);
            error.into_response()
        }
        other => ApiError::internal("rate limiter", &other).into_response(),
    }
}

/// Whether a path shows a public dashboard: the public analytics API and the
/// share page. Their server functions count themselves (`PublicReadCounted`).
fn is_public_read(path: &str) -> bool {
    path.starts_with("/api/v1/public/") || path.starts_with("/share/")
}

/// `PUBLIC_RATE_LIMIT_PER_MINUTE` per client address on public dashboards;
/// runs inside the layer that resolves the client.
pub async fn public_reads(
    State(limits): State<Arc<Limits>>,
    mut request: AxumRequest,
    next: Next,
) -> axum::response::Response {
    if is_public_read(request.uri().path()) {
        let client = request
            .extensions()
            .get::<ClientAddr>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |client| client.ip);
        if let Err(over) = limits.public_read(client) {
            return ApiError::from(over).into_response();
        }
        request.extensions_mut().insert(PublicReadCounted);
    }
    next.run(request).await
}
