//! The outermost layer: resolves each request's client address once (socket
//! peer, every `X-Forwarded-For` line, `TRUSTED_PROXIES`) and puts it in the
//! request's extensions as a `ClientAddr`, where the beacon limiter, the
//! public-dashboard limit, sign-in, registration and the beacon handler all
//! read the same answer.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use ipnet::IpNet;

pub async fn resolve(
    State(trusted): State<Arc<Vec<IpNet>>>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = app::session::resolve_client(request.extensions(), request.headers(), &trusted);
    request.extensions_mut().insert(client);
    next.run(request).await
}
