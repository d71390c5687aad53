//! Where a visit came from: the referring host, or "" for direct traffic.

use url::Url;

use super::page::host_belongs_to;

/// The host of an external http(s) referrer, lower-cased and without `www.`.
/// Self-referrals (the site's domain or a subdomain) and anything that is not an
/// http(s) URL count as direct ("").
pub fn source(referrer: Option<&str>, site_domain: &str) -> String {
    let Some(url) = referrer.and_then(|r| Url::parse(r.trim()).ok()) else {
        return String::new();
    };
    if !matches!(url.scheme(), "http" | "https") {
        return String::new();
    }
    let Some(host) = url.host_str() else {
        return String::new();
    };
    let host = host.to_ascii_lowercase();
    if host_belongs_to(&host, site_domain) {
        return String::new();
    }
    host.strip_prefix("www.").unwrap_or(&host).to_owned()
}

#[cfg(test)]
mod tests {
    use super::source;

    #[test]
    fn external_hosts_are_sources() {
        assert_eq!(
            source(
                Some("https://news.ycombinator.com/item?id=1"),
                "example.com"
            ),
            "news.ycombinator.com"
        );
        assert_eq!(
            source(Some("https://WWW.Google.com/"), "example.com"),
            "google.com"
        );
        assert_eq!(source(Some("http://t.co/abc"), "example.com"), "t.co");
    }

    #[test]
    fn self_referrals_and_non_web_referrers_are_direct() {
        for referrer in [
            None,
            Some(""),
            Some("https://example.com/pricing"),
            Some("https://www.example.com/"),
            Some("https://blog.example.com/post"),
            Some("android-app://com.google.android.gm"),
            Some("javascript:void(0)"),
            Some("not a url"),
        ] {
            assert_eq!(source(referrer, "example.com"), "", "{referrer:?}");
        }
    }
}
