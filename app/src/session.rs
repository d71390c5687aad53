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
    net::ClientAddr,
    sessions,
    throttle::Limits,
    tokens::{self, SessionClaims},
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
    pub limits: Arc<Limits>,
}

/// The signed-in user. Rejects with 401 when the cookie is missing, forged,
/// expired, names a session that has ended, or a user who no longer exists.
pub struct AuthUser(pub user::Model);

/// `AuthUser` plus which of the user's sessions is asking: what "sign out
/// everywhere else" and a password change keep.
pub struct SignedIn {
    pub user: user::Model,
    pub session_id: uuid::Uuid,
}

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

impl<S> FromRequestParts<S> for SignedIn
where
    S: Send + Sync,
    AuthState: FromRef<S>,
{
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = AuthState::from_ref(state);
        let claims = session_claims(&auth, &parts.headers).ok_or(Unauthorized)?;
        match sessions::user_of(&auth.db, claims, chrono::Utc::now()).await {
            Ok(Some(user)) => Ok(SignedIn {
                user,
                session_id: claims.session_id,
            }),
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
        SignedIn::from_request_parts(parts, state)
            .await
            .map(|signed_in| AuthUser(signed_in.user))
    }
}

/// Marks a request already counted against the public-dashboard limit (by the
/// server's layer), so the server functions a share page renders with do not
/// count it twice.
#[derive(Clone, Copy, Debug)]
pub struct PublicReadCounted;

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
        Ok(ClientIp(
            client_addr(
                &parts.extensions,
                &parts.headers,
                &auth.settings.trusted_proxies,
            )
            .ip,
        ))
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

/// The request's client: as the server's outermost layer resolved it once
/// (`ClientAddr` in the extensions), or, on a router without that layer,
/// resolved here the same way.
pub fn client_addr(extensions: &Extensions, headers: &HeaderMap, trusted: &[IpNet]) -> ClientAddr {
    if let Some(resolved) = extensions.get::<ClientAddr>() {
        return *resolved;
    }
    resolve_client(extensions, headers, trusted)
}

/// The client as the privacy model defines it: the peer, or behind a trusted
/// proxy the rightmost untrusted hop of all `X-Forwarded-For` lines together.
pub fn resolve_client(
    extensions: &Extensions,
    headers: &HeaderMap,
    trusted: &[IpNet],
) -> ClientAddr {
    let lines = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    ClientAddr::resolve(socket_peer(extensions), lines, trusted)
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

fn session_claims(auth: &AuthState, headers: &HeaderMap) -> Option<SessionClaims> {
    let token = session_token(headers)?;
    tokens::verify(&token, &auth.settings.jwt_secret).ok()
}

#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    #[error("registration is disabled")]
    Disabled,
    #[error("too many new accounts from this address; try again later")]
    Throttled { retry_after_secs: u64 },
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

impl From<pagepulse_core::DbErr> for SignInError {
    fn from(error: pagepulse_core::DbErr) -> Self {
        SignInError::Account(error.into())
    }
}

/// A new account and the `Set-Cookie` value that signs it in. The address's
/// allowance is counted once the input is known to be well-formed and before
/// anything is hashed, so a refused request costs nothing.
pub async fn sign_up(
    auth: &AuthState,
    client: IpAddr,
    new: NewUser,
) -> Result<(user::Model, String), SignUpError> {
    if auth.settings.disable_registration {
        return Err(SignUpError::Disabled);
    }
    accounts::check_new(&new)?;
    auth.limits
        .registrations
        .hit(&pagepulse_core::net::limit_key(client))
        .map_err(|retry_after_secs| SignUpError::Throttled { retry_after_secs })?;
    let user = accounts::register(&auth.db, new).await?;
    tracing::info!(user.id = %user.id, "account created");
    let cookie = new_session(auth, user.id).await?;
    Ok((user, cookie))
}

/// Checks the password under the throttle (five attempts a minute per address
/// and per account, counted before the check; see `LoginThrottle`) and returns
/// the user with a `Set-Cookie` value.
pub async fn sign_in(
    auth: &AuthState,
    client: IpAddr,
    email: &str,
    password: &str,
) -> Result<(user::Model, String), SignInError> {
    let attempt = auth
        .limits
        .sign_ins
        .begin(pagepulse_core::net::limit_key(client), email)
        .map_err(|retry_after_secs| SignInError::Throttled { retry_after_secs })?;
    let user = accounts::authenticate(&auth.db, email, password).await?;
    auth.limits.sign_ins.succeeded(attempt);
    let cookie = new_session(auth, user.id).await?;
    Ok((user, cookie))
}

/// Ends the session the request's cookie names, if any; the `Set-Cookie` that
/// clears it either way.
pub async fn sign_out(
    auth: &AuthState,
    headers: &HeaderMap,
) -> Result<String, pagepulse_core::DbErr> {
    if let Some(claims) = session_claims(auth, headers) {
        sessions::end(&auth.db, claims.session_id).await?;
    }
    Ok(cleared_cookie(&auth.settings))
}

/// Ends every session of the user but the one asking; how many ended.
pub async fn sign_out_others(
    auth: &AuthState,
    who: &SignedIn,
) -> Result<u64, pagepulse_core::DbErr> {
    let ended = sessions::end_others(&auth.db, who.user.id, who.session_id).await?;
    tracing::info!(user.id = %who.user.id, ended, "signed out everywhere else");
    Ok(ended)
}

/// A new password, after the current one; every other session ends. Checks of
/// the current password count against the sign-in throttle like sign-ins do.
pub async fn change_password(
    auth: &AuthState,
    client: IpAddr,
    who: &SignedIn,
    current: &str,
    new: &str,
) -> Result<(), SignInError> {
    let attempt = auth
        .limits
        .sign_ins
        .begin(pagepulse_core::net::limit_key(client), &who.user.email)
        .map_err(|retry_after_secs| SignInError::Throttled { retry_after_secs })?;
    accounts::change_password(&auth.db, &who.user, current, new).await?;
    auth.limits.sign_ins.succeeded(attempt);
    sessions::end_others(&auth.db, who.user.id, who.session_id).await?;
    tracing::info!(user.id = %who.user.id, "password changed; other sessions ended");
    Ok(())
}

/// Opens a session and returns its `Set-Cookie`: HttpOnly, SameSite=Lax,
/// Path=/, Secure in production.
async fn new_session(auth: &AuthState, user_id: uuid::Uuid) -> Result<String, AccountError> {
    let settings = &auth.settings;
    let claims = sessions::start(&auth.db, user_id, settings.ttl_minutes).await?;
    let token = tokens::issue(claims, &settings.jwt_secret, settings.ttl_minutes)
        .map_err(|_| AccountError::Hashing)?;
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
