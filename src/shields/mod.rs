//! Per-site shields: the traffic a site owner keeps out of their numbers — an
//! office's addresses, admin pages, staging hosts, whole countries. A beacon a
//! shield stops is answered 202 and stored nowhere. The rules' shape is shared
//! with the browser (the settings page edits them); checking and storing them
//! is the server's.

use serde::{Deserialize, Serialize};

#[cfg(feature = "db")]
mod shield;
#[cfg(feature = "db")]
mod store;

#[cfg(feature = "db")]
pub use shield::Shield;
#[cfg(feature = "db")]
pub use store::{RULES_OF_SITE, ShieldError, get, parse, put};

/// Entries per list at most: each is tested on every beacon of the site.
pub const MAX_ENTRIES: usize = 200;

/// A site's shields as the API spells them. An empty `hostnames` list means
/// the site's domain and its subdomains.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Addresses and CIDR ranges (`203.0.113.7`, `10.0.0.0/8`, `2001:db8::/32`).
    #[serde(default)]
    pub ips: Vec<String>,
    /// Page paths with `*` wildcards (`/admin*`).
    #[serde(default)]
    pub paths: Vec<String>,
    /// The only hostnames accepted, with `*` wildcards (`*.example.com`).
    #[serde(default)]
    pub hostnames: Vec<String>,
    /// ISO 3166-1 alpha-2 codes (`DE`).
    #[serde(default)]
    pub countries: Vec<String>,
}

impl Rules {
    pub fn is_empty(&self) -> bool {
        self.ips.is_empty()
            && self.paths.is_empty()
            && self.hostnames.is_empty()
            && self.countries.is_empty()
    }
}
