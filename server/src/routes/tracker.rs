//! `GET /js/p.js`: the tracker, cached by browsers and revalidated by ETag.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

/// The hand-written source, served when no minified build is present (a plain
/// `cargo run` without `make`).
const SOURCE: &str = include_str!("../../tracker/p.js");

pub struct TrackerScript {
    body: Bytes,
    etag: HeaderValue,
}

impl TrackerScript {
    /// Reads the minified build (`make tracker` puts it in `public/js/`, which the
    /// site build copies to `<site root>/js/p.js`) once, at start-up.
    pub fn load(site_root: &str) -> Self {
        let path = std::path::Path::new(site_root).join("js/p.js");
        let body = match std::fs::read_to_string(&path) {
            Ok(minified) => minified,
            Err(_) => {
                tracing::warn!(path = %path.display(), "no minified tracker; serving its source");
                SOURCE.to_owned()
            }
        };
        Self::new(body)
    }

    pub fn new(body: String) -> Self {
        let digest = Sha256::digest(body.as_bytes());
        let etag = format!("\"{}\"", hex::encode(&digest[..8]));
        TrackerScript {
            body: Bytes::from(body),
            etag: HeaderValue::from_str(&etag).expect("hex is a valid header value"),
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn tracker(State(script): State<Arc<TrackerScript>>, headers: HeaderMap) -> Response {
    let cache = [
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=3600, must-revalidate"),
        ),
        (header::ETAG, script.etag.clone()),
    ];
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == script.etag || tag.trim() == "*")
        });
    if fresh {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        StatusCode::OK,
        cache,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/javascript; charset=utf-8"),
        )],
        script.body.clone(),
    )
        .into_response()
}
