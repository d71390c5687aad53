//! The outermost layer: resolves each request's client address once (socket
//! peer, every `X-Forwarded-For` line, `TRUSTED_PROXIES`) and puts it in the
//! request's extensions as a `ClientAddr`, where the beacon limiter, the
//! public-dashboard limit, sign-in, registration and the beacon handler all
//! read the same answer.

use std::{net::IpAddr, sync::Arc};

use axum::{
    extract::{Request, State},
    http::{Extensions, HeaderMap},
    middleware::Next,
    response::Response,
};
use ipnet::IpNet;
use pagepulse_core::net::ClientAddr;

pub use app::session::socket_peer;

pub async fn resolve(
    State(trusted): State<Arc<Vec<IpNet>>>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = resolve_client(request.extensions(), request.headers(), &trusted);
    request.extensions_mut().insert(client);
    next.run(request).await
}

/// The request's client as the outermost layer resolved it (`router` always
/// has that layer). Without it, the socket peer, as `app::session::ClientIp`
/// has it: never a header nobody checked.
pub fn client_addr(extensions: &Extensions) -> ClientAddr {
    extensions
        .get::<ClientAddr>()
        .copied()
        .unwrap_or(ClientAddr {
            ip: socket_peer(extensions),
            via_trusted_proxy: false,
        })
}

/// The client as the privacy model defines it: the peer, or behind a trusted
/// proxy the rightmost untrusted hop of all `X-Forwarded-For` lines together.
fn resolve_client(extensions: &Extensions, headers: &HeaderMap, trusted: &[IpNet]) -> ClientAddr {
    let lines = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    ClientAddr::resolve(socket_peer(extensions), lines, trusted)
}

/// The limiters' key for a request: its client, IPv6 by /64.
pub fn limit_key(extensions: &Extensions) -> IpAddr {
    client_addr(extensions).limit_key()
}
