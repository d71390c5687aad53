//! The visitor's country, as a CDN or load balancer in front of us already knows
//! it. We never look an address up ourselves: no GeoIP database, no address kept.

/// Headers that carry an ISO 3166-1 alpha-2 code, most specific first. They are
/// believed only when the request came through a trusted proxy.
pub const HEADERS: [&str; 4] = [
    "cf-ipcountry",
    "cloudfront-viewer-country",
    "x-vercel-ip-country",
    "x-country-code",
];

/// The first header value that is a real country code, upper-cased. Placeholders
/// proxies use for "unknown" (`XX`, `ZZ`) or Tor (`T1`) are no country.
pub fn from_headers<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> Option<String> {
    values.into_iter().flatten().find_map(|value| {
        let code = value.trim().to_ascii_uppercase();
        let letters = code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase());
        (letters && !matches!(code.as_str(), "XX" | "ZZ")).then_some(code)
    })
}

#[cfg(test)]
mod tests {
    use super::from_headers;

    #[test]
    fn the_first_real_code_wins() {
        assert_eq!(from_headers([Some("de")]).as_deref(), Some("DE"));
        assert_eq!(from_headers([None, Some(" US ")]).as_deref(), Some("US"));
        assert_eq!(
            from_headers([Some("XX"), Some("FR")]).as_deref(),
            Some("FR")
        );
    }

    #[test]
    fn placeholders_and_junk_are_no_country() {
        for junk in ["", "T1", "ZZ", "XX", "USA", "1A", "<b", "é1"] {
            assert_eq!(from_headers([Some(junk)]), None, "{junk:?}");
        }
        assert_eq!(from_headers([None, None]), None);
    }
}
