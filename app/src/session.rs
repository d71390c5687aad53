//! Sessions, shared by the REST API (in `server`) and the server functions here:
//! the `pagepulse_session` cookie, the `AuthUser` extractor, and the sign-up and
//! sign-in rules (registration switch, throttling). Server side only.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Arc,
};

use axum::{
    Json,
    extract::{ConnectInfo, FromRef, FromRequestParts, connect_info::MockConnectInfo},
    http::{Extensions, HeaderMap, StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use ipnet::IpNet;
use pagepulse_core::{
    DatabaseConnection,
    accounts::{self, AccountError, NewUser},
    entities::user,
    throttle::LoginThrottle,
    tokens,
};

pub const SESSION_COOKIE: &str = "pagepulse_session";

/// What sessions need from the configuration.
pub struct SessionSettings {
    pub jwt_secret: String,
    pub ttl_minutes: i64,
    /// `Secure` cookies: on in production.
    pub secure_cookies: bool,
    pub disable_registration: bool,
    pub trusted_proxies: Vec<IpNet>,
    /// Public origin, for tracking snippets and share links.
    pub base_url: String,
}

/// Everything a session operation touches; part of the server's state and
/// provided to server functions as context.
#[derive(Clone)]
pub struct AuthState {
    pub db: DatabaseConnection,
    pub settings: Arc<SessionSettings>,
    pub throttle: Arc<LoginThrottle>,
}

/// The signed-in user. Rejects with 401 when the cookie is missing, forged,
/// expired, or names a user who no longer exists.
pub struct AuthUser(pub user::Model);

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

impl<S> FromRequestParts<S> for AuthUser
where
    S: Send + Sync,
    AuthState: FromRef<S>,
{
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = AuthState::from_ref(state);
        let token = session_token(&parts.headers).ok_or(Unauthorized)?;
        let user_id =
            tokens::verify(&token, &auth.settings.jwt_secret).map_err(|_| Unauthorized)?;
        match accounts::find(&auth.db, user_id).await {
            Ok(Some(user)) => Ok(AuthUser(user)),
            Ok(None) => Err(Unauthorized),
            Err(error) => {
                tracing::error!(%error, "loading the session's user");
                Err(Unauthorized)
            }
        }
    }
}

/// The client's address as far as we may believe it (see `pagepulse_core::net`).
pub struct ClientIp(pub IpAddr);

impl<S> FromRequestParts<S> for ClientIp
where
    S: Send + Sync,
    AuthState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = AuthState::from_ref(state);
        Ok(ClientIp(client_ip(
            &parts.extensions,
            &parts.headers,
            &auth.settings.trusted_proxies,
        )))
    }
}

/// The socket peer: present behind `into_make_service_with_connect_info` (or a
/// test's `MockConnectInfo`); without either, one unknown peer.
pub fn socket_peer(extensions: &Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0)
        .or_else(|| extensions.get::<MockConnectInfo<SocketAddr>>().map(|m| m.0))
        .map(|addr| addr.ip().to_canonical())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The client as SPEC §4 defines it: the peer, or behind a trusted proxy the
/// rightmost untrusted `X-Forwarded-For` hop. Sign-in throttling, the beacon
/// rate limit and visitor hashing all use this one answer.
pub fn client_ip(extensions: &Extensions, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    pagepulse_core::net::client_ip(socket_peer(extensions), forwarded, trusted)
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    #[error("registration is disabled")]
    Disabled,
    #[error(transparent)]
    Account(#[from] AccountError),
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("too many failed sign-ins; try again later")]
    Throttled { retry_after_secs: u64 },
    #[error(transparent)]
    Account(#[from] AccountError),
}

/// A new account and the `Set-Cookie` value that signs it in.
pub async fn sign_up(auth: &AuthState, new: NewUser) -> Result<(user::Model, String), SignUpError> {
    if auth.settings.disable_registration {
        return Err(SignUpError::Disabled);
    }
    let user = accounts::register(&auth.db, new).await?;
    tracing::info!(user.id = %user.id, "account created");
    let cookie = session_cookie(&auth.settings, user.id).map_err(|_| AccountError::Hashing)?;
    Ok((user, cookie))
}

/// Checks the password under the throttle (five failures a minute per address
/// and per account) and returns the user with a `Set-Cookie` value.
pub async fn sign_in(
    auth: &AuthState,
    ip: IpAddr,
    email: &str,
    password: &str,
) -> Result<(user::Model, String), SignInError> {
    let account_key = format!("account:{}", email.trim().to_lowercase());
    let keys = [format!("ip:{ip}"), account_key.clone()];
    if let Some(retry_after_secs) = auth.throttle.blocked(&keys) {
        return Err(SignInError::Throttled { retry_after_secs });
    }
    match accounts::authenticate(&auth.db, email, password).await {
        Ok(user) => {
            auth.throttle.record_success(&account_key);
            let cookie =
                session_cookie(&auth.settings, user.id).map_err(|_| AccountError::Hashing)?;
            Ok((user, cookie))
        }
        Err(AccountError::InvalidCredentials) => {
            auth.throttle.record_failure(&keys);
            Err(AccountError::InvalidCredentials.into())
        }
        Err(other) => Err(other.into()),
    }
}

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Lax, Path=/, Secure in production.
fn session_cookie(
    settings: &SessionSettings,
    user_id: uuid::Uuid,
) -> Result<String, tokens::TokenError> {
    let token = tokens::issue(user_id, &settings.jwt_secret, settings.ttl_minutes)?;
    let max_age = settings.ttl_minutes * 60;
    Ok(cookie(
        settings,
        &format!("{SESSION_COOKIE}={token}; Max-Age={max_age}"),
    ))
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
