//! Cross-site request forgery guard: a state-changing request that a browser
//! marks as coming from another origin is refused. Clients that send neither
//! `Origin` nor `Sec-Fetch-Site` (curl, server-side integrations) are not browsers
//! acting on a user's cookie and pass. The beacon routes, cross-origin by design,
//! are outside this guard (see `routes::events::router`).

use axum::{
    extract::{Request, State},
    http::{Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::http::error::ApiError;

/// The guard, with the server's public origin (`BASE_URL`) as its state.
pub async fn same_origin_only(
    State(base_url): State<std::sync::Arc<str>>,
    request: Request,
    next: Next,
) -> Response {
    // A Bearer key is never sent by a browser on its own, so it cannot be forged.
    let bearer = super::bearer::has_bearer(request.headers());
    if !bearer && is_state_changing(request.method()) && is_cross_origin(&request, &base_url) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-origin request");
        return ApiError::new(StatusCode::FORBIDDEN, "cross-origin request refused")
            .into_response();
    }
    next.run(request).await
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_cross_origin(request: &Request, base_url: &str) -> bool {
    let headers = request.headers();
    if let Some(origin) = headers.get(header::ORIGIN) {
        let Ok(origin) = origin.to_str() else {
            return true;
        };
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let same_as_host = host.is_some_and(|host| {
            origin
                .split_once("://")
                .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
        });
        return !(same_as_host || origin.eq_ignore_ascii_case(base_url));
    }
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site == "cross-site" || site == "same-site")
}
