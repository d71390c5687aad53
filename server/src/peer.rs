//! The address a request came from, for the handlers and middleware that are not
//! Leptos extractors (the beacon routes and their rate limit).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, connect_info::MockConnectInfo};
use http::{Extensions, HeaderMap};
use ipnet::IpNet;

/// The socket peer: present behind `into_make_service_with_connect_info`, or a
/// test's `MockConnectInfo`; without either, one unknown peer.
pub fn socket_peer(extensions: &Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0)
        .or_else(|| extensions.get::<MockConnectInfo<SocketAddr>>().map(|m| m.0))
        .map(|addr| addr.ip().to_canonical())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The client as SPEC §4 defines it: the peer, or behind a trusted proxy the
/// rightmost untrusted `X-Forwarded-For` hop.
pub fn client_ip(extensions: &Extensions, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    pagepulse_core::net::client_ip(socket_peer(extensions), forwarded, trusted)
}
