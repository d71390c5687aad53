//! `GET /js/{file}`: the tracker scripts, ours (`p.js`) and Plausible's names
//! (`script.js`, `plausible.js`, `script.<modifiers>.js`), cached by browsers
//! and revalidated by ETag, sent in the best encoding the client takes.

use std::sync::Arc;

use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};

use crate::{
    AppState,
    assets::{Encoded, Script, ScriptName, TrackerScripts},
    http::error::ApiError,
};

const CACHE: HeaderValue = HeaderValue::from_static("public, max-age=3600, must-revalidate");
const JAVASCRIPT: HeaderValue = HeaderValue::from_static("application/javascript; charset=utf-8");

/// The scripts skip the page middleware (compression, the origin guard, the
/// page headers): their bytes were compressed once at build time, and every
/// customer's page fetches them from another origin.
pub fn router<S: Clone + Send + Sync + 'static>(state: &AppState) -> Router<S> {
    Router::new()
        .route("/js/{file}", get(script))
        .with_state(state.tracker.clone())
}

// At debug level, like the beacons: every pageview of every site asks for it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn script(
    State(scripts): State<Arc<TrackerScripts>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let name = match ScriptName::parse(&file) {
        Ok(name) => name,
        Err(error) => {
            return ApiError::new(StatusCode::NOT_FOUND, error.to_string()).into_response();
        }
    };
    let (encoding, encoded) = choose(scripts.get(name), &headers);
    let cache = [
        (header::CACHE_CONTROL, CACHE),
        (header::ETAG, encoded.etag.clone()),
        (header::VARY, HeaderValue::from_static("accept-encoding")),
    ];
    if is_fresh(&headers, &encoded.etag) {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    let mut response = (
        cache,
        [
            (header::CONTENT_TYPE, JAVASCRIPT),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            // Public bytes: a snippet with `crossorigin` (for subresource
            // integrity, say) may read them too.
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        encoded.body.clone(),
    )
        .into_response();
    if let Some(encoding) = encoding {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

/// Brotli when the client takes it, then gzip, else the plain bytes.
fn choose<'a>(script: &'a Script, headers: &HeaderMap) -> (Option<&'static str>, &'a Encoded) {
    let accepted = Accepted::from(headers);
    match (&script.brotli, &script.gzip) {
        (Some(brotli), _) if accepted.brotli => (Some("br"), brotli),
        (_, Some(gzip)) if accepted.gzip => (Some("gzip"), gzip),
        _ => (None, &script.identity),
    }
}

/// Which codings an `Accept-Encoding` allows: named with a weight above 0, or
/// covered by a `*` above 0 without being named at 0.
#[derive(Debug, Default, PartialEq, Eq)]
struct Accepted {
    brotli: bool,
    gzip: bool,
}

impl From<&HeaderMap> for Accepted {
    fn from(headers: &HeaderMap) -> Self {
        let (mut brotli, mut gzip, mut any) = (None, None, None);
        for value in headers.get_all(header::ACCEPT_ENCODING) {
            for item in value.to_str().unwrap_or_default().split(',') {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
                let weight = parts
                    .find_map(|p| p.trim().strip_prefix("q=").map(|q| q.trim().parse::<f32>()))
                    .map_or(Some(1.0), Result::ok);
                // An unreadable weight says nothing about the coding.
                let Some(weight) = weight else { continue };
                let slot = match coding.as_str() {
                    "br" => &mut brotli,
                    "gzip" | "x-gzip" => &mut gzip,
                    "*" => &mut any,
                    _ => continue,
                };
                *slot = Some(weight > 0.0);
            }
        }
        Accepted {
            brotli: brotli.or(any).unwrap_or(false),
            gzip: gzip.or(any).unwrap_or(false),
        }
    }
}

/// `If-None-Match` holds this representation's ETag (compared weakly, as the
/// header asks) or `*`.
fn is_fresh(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Ok(etag) = etag.to_str() else {
        return false;
    };
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|tags| tags.split(','))
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(value: &str) -> Accepted {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        Accepted::from(&headers)
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        let both = Accepted {
            brotli: true,
            gzip: true,
        };
        assert_eq!(accepted("gzip, deflate, br, zstd"), both);
        assert_eq!(
            accepted("gzip"),
            Accepted {
                brotli: false,
                gzip: true
            }
        );
        assert_eq!(
            accepted("BR;q=0.5"),
            Accepted {
                brotli: true,
                gzip: false
            }
        );
        assert_eq!(
            accepted("br;q=0, gzip"),
            Accepted {
                brotli: false,
                gzip: true
            }
        );
        assert_eq!(accepted("*"), both);
        assert_eq!(
            accepted("*;q=0.1, br;q=0"),
            Accepted {
                brotli: false,
                gzip: true
            }
        );
        assert_eq!(accepted("identity"), Accepted::default());
        assert_eq!(accepted("br;q=nonsense"), Accepted::default());
        assert_eq!(Accepted::from(&HeaderMap::new()), Accepted::default());
    }

    #[test]
    fn revalidation_compares_weakly() {
        let etag = HeaderValue::from_static("\"abc\"");
        let fresh = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
            is_fresh(&headers, &etag)
        };
        assert!(fresh("\"abc\""));
        assert!(fresh("W/\"abc\""));
        assert!(fresh("\"x\", \"abc\""));
        assert!(fresh("*"));
        assert!(!fresh("\"abcd\""));
        assert!(!is_fresh(&HeaderMap::new(), &etag));
    }
}
