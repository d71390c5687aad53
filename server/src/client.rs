//! The client's address as far as we may believe it (see `pagepulse_core::net`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRef, FromRequestParts},
    http::request::Parts,
};

use crate::AppState;

pub struct ClientIp(pub IpAddr);

impl<S> FromRequestParts<S> for ClientIp
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        // Always present behind `into_make_service_with_connect_info` (or a test's
        // `MockConnectInfo`); without it every request counts as one unknown peer.
        let peer = ConnectInfo::<SocketAddr>::from_request_parts(parts, &())
            .await
            .map(|info| info.0.ip().to_canonical())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(ClientIp(pagepulse_core::net::client_ip(
            peer,
            forwarded,
            &state.config.trusted_proxies,
        )))
    }
}
