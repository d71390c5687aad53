//! Sessions over HTTP, shared by the REST API (in `server`) and the server
//! functions here: the `pagepulse_session` cookie that carries the core's
//! session token, and the extractors for the signed-in user and the client's
//! address. The rules themselves are the core's (`pagepulse_core::auth`).
//! Server side only.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Arc,
};

use axum::{
    Json,
    extract::{ConnectInfo, FromRef, FromRequestParts, connect_info::MockConnectInfo},
    http::{HeaderMap, StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use pagepulse_core::{
    DatabaseConnection,
    auth::{Auth, Session, SignedIn},
    entities::user,
    net::ClientAddr,
    throttle::Limits,
};

pub const SESSION_COOKIE: &str = "pagepulse_session";

/// What the HTTP side of sessions needs from the configuration.
pub struct SessionSettings {
    /// `Secure` cookies: on in production.
    pub secure_cookies: bool,
    /// Public origin, for tracking snippets and share links.
    pub base_url: String,
}

/// Everything a session operation touches; part of the server's state and
/// provided to server functions as context.
#[derive(Clone)]
pub struct AuthState {
    pub auth: Auth,
    pub settings: Arc<SessionSettings>,
}

impl AuthState {
    pub fn db(&self) -> &DatabaseConnection {
        self.auth.db()
    }

    pub fn limits(&self) -> &Arc<Limits> {
        self.auth.limits()
    }
}

/// The signed-in user. Rejects with 401 when the cookie is missing, forged,
/// expired, names a session that has ended, or a user who no longer exists.
pub struct AuthUser(pub user::Model);

/// The signed-in user and the session asking (see `SignedIn`).
pub struct CurrentSession(pub SignedIn);

#[derive(Debug)]
pub struct Unauthorized;

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({ "error": "not signed in" })),
        )
            .into_response()
    }
}

impl<S> FromRequestParts<S> for CurrentSession
where
    S: Send + Sync,
    AuthState: FromRef<S>,
{
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AuthState::from_ref(state);
        let token = session_token(&parts.headers).ok_or(Unauthorized)?;
        match state.auth.signed_in(&token).await {
            Ok(Some(signed_in)) => Ok(CurrentSession(signed_in)),
            Ok(None) => Err(Unauthorized),
            Err(error) => {
                tracing::error!(%error, "loading the session's user");
                Err(Unauthorized)
            }
        }
    }
}

impl<S> FromRequestParts<S> for AuthUser
where
    S: Send + Sync,
    AuthState: FromRef<S>,
{
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        CurrentSession::from_request_parts(parts, state)
            .await
            .map(|CurrentSession(signed_in)| AuthUser(signed_in.user))
    }
}

/// Marks a request already counted against the public-dashboard limit (by the
/// server's layer), so the server functions a share page renders with do not
/// count it twice.
#[derive(Clone, Copy, Debug)]
pub struct PublicReadCounted;

/// The client's address as the server's outermost layer resolved it (the
/// `ClientAddr` extension); on a router without that layer, the socket peer.
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let resolved = parts.extensions.get::<ClientAddr>().map(|client| client.ip);
        Ok(ClientIp(
            resolved.unwrap_or_else(|| socket_peer(&parts.extensions)),
        ))
    }
}

/// The socket peer: present behind `into_make_service_with_connect_info` (or a
/// test's `MockConnectInfo`); without either, one unknown peer.
pub fn socket_peer(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0)
        .or_else(|| extensions.get::<MockConnectInfo<SocketAddr>>().map(|m| m.0))
        .map(|addr| addr.ip().to_canonical())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The session token in the request's cookie, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// Ends the session the request's cookie names, if any; the `Set-Cookie` that
/// clears it either way.
pub async fn sign_out(
    state: &AuthState,
    headers: &HeaderMap,
) -> Result<String, pagepulse_core::DbErr> {
    if let Some(token) = session_token(headers) {
        state.auth.sign_out(&token).await?;
    }
    Ok(cleared_cookie(&state.settings))
}

/// `Set-Cookie` that carries a new session: HttpOnly, SameSite=Lax, Path=/,
/// Secure in production.
pub fn session_cookie(settings: &SessionSettings, session: &Session) -> String {
    cookie(
        settings,
        &format!(
            "{SESSION_COOKIE}={}; Max-Age={}",
            session.token, session.max_age_secs
        ),
    )
}

/// `Set-Cookie` that ends the session.
pub fn cleared_cookie(settings: &SessionSettings) -> String {
    cookie(settings, &format!("{SESSION_COOKIE}=; Max-Age=0"))
}

fn cookie(settings: &SessionSettings, start: &str) -> String {
    let secure = if settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{start}; Path=/; HttpOnly; SameSite=Lax{secure}")
}
