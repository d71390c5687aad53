//! What the server holds in memory to serve: the tracker script, read once at
//! start-up with its ETag.

use axum::{body::Bytes, http::HeaderValue};
use sha2::{Digest, Sha256};

/// The hand-written source, served when no minified build is present (a plain
/// `cargo run` without `make`).
const SOURCE: &str = include_str!("../tracker/p.js");

pub struct TrackerScript {
    pub body: Bytes,
    pub etag: HeaderValue,
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
