//! The page a beacon reports: host, path and campaign (UTM) parameters.

use url::Url;

pub const MAX_PATH_CHARS: usize = 2000;
pub const MAX_UTM_CHARS: usize = 200;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Utm {
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub term: String,
    pub content: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Lower-cased host, without port.
    pub hostname: String,
    /// Percent-decoded path without query string or fragment.
    pub path: String,
    pub utm: Utm,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("the page URL is not a valid absolute URL")]
    Invalid,
    #[error("the page URL must be http or https")]
    Scheme,
    #[error("the page path is longer than {MAX_PATH_CHARS} characters")]
    PathTooLong,
    #[error("{0} is longer than {MAX_UTM_CHARS} characters")]
    UtmTooLong(&'static str),
}

pub fn parse(raw: &str) -> Result<Page, PageError> {
    let url = Url::parse(raw.trim()).map_err(|_| PageError::Invalid)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(PageError::Scheme);
    }
    let hostname = url
        .host_str()
        .ok_or(PageError::Invalid)?
        .to_ascii_lowercase();
    let decoded = percent_decode(url.path());
    if decoded.chars().count() > MAX_PATH_CHARS {
        return Err(PageError::PathTooLong);
    }
    let mut utm = Utm::default();
    for (key, value) in url.query_pairs() {
        let (slot, name) = match key.as_ref() {
            "utm_source" => (&mut utm.source, "utm_source"),
            "utm_medium" => (&mut utm.medium, "utm_medium"),
            "utm_campaign" => (&mut utm.campaign, "utm_campaign"),
            "utm_term" => (&mut utm.term, "utm_term"),
            "utm_content" => (&mut utm.content, "utm_content"),
            _ => continue,
        };
        let value = value.trim();
        if value.chars().count() > MAX_UTM_CHARS {
            return Err(PageError::UtmTooLong(name));
        }
        if slot.is_empty() {
            value.clone_into(slot);
        }
    }
    Ok(Page {
        hostname,
        path: decoded,
        utm,
    })
}

/// A page's host as sites and shields name it: no port, no root dot.
pub fn bare_host(host: &str) -> &str {
    host.split(':').next().unwrap_or(host).trim_end_matches('.')
}

/// Whether a page on `host` belongs to a site on `domain`: the same host or a
/// subdomain of it, `www.` and port ignored.
pub fn host_belongs_to(host: &str, domain: &str) -> bool {
    let host = bare_host(host);
    let host = host.strip_prefix("www.").unwrap_or(host);
    host.eq_ignore_ascii_case(domain)
        || host
            .to_ascii_lowercase()
            .strip_suffix(&domain.to_ascii_lowercase())
            .is_some_and(|prefix| prefix.ends_with('.'))
}

/// Decodes `%xx` escapes; bytes that are not UTF-8 become U+FFFD rather than an
/// error, and control characters are dropped so a path can never carry them.
fn percent_decode(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_host_path_and_campaign() {
        let page = parse("https://Blog.Example.com:8443/posts/%C3%BCber%20uns?utm_source=news&utm_medium=email&utm_campaign=launch&x=1#top").unwrap();
        assert_eq!(page.hostname, "blog.example.com");
        assert_eq!(page.path, "/posts/über uns");
        assert_eq!(
            page.utm,
            Utm {
                source: "news".into(),
                medium: "email".into(),
                campaign: "launch".into(),
                ..Utm::default()
            }
        );
        assert_eq!(parse("http://example.com").unwrap().path, "/");
    }

    #[test]
    fn refuses_what_is_not_a_web_page() {
        assert_eq!(parse("javascript:alert(1)"), Err(PageError::Scheme));
        assert_eq!(parse("data:text/html,<b>x</b>"), Err(PageError::Scheme));
        assert_eq!(parse("ftp://example.com/x"), Err(PageError::Scheme));
        assert_eq!(parse("/relative/path"), Err(PageError::Invalid));
        assert_eq!(parse(""), Err(PageError::Invalid));
        let long = format!("https://example.com/{}", "a".repeat(2000));
        assert_eq!(parse(&long), Err(PageError::PathTooLong));
        let utm = format!("https://example.com/?utm_campaign={}", "c".repeat(201));
        assert_eq!(parse(&utm), Err(PageError::UtmTooLong("utm_campaign")));
    }

    #[test]
    fn decoding_never_yields_control_characters() {
        let page = parse("https://example.com/a%00b%0D%0Ac%FF").unwrap();
        assert_eq!(page.path, "/abc\u{FFFD}");
        assert_eq!(
            parse("https://example.com/%E2%80%8Fשלום").unwrap().path,
            "/\u{200F}שלום"
        );
    }

    #[test]
    fn hosts_match_their_site_domain_and_subdomains() {
        assert!(host_belongs_to("example.com", "example.com"));
        assert!(host_belongs_to("www.example.com", "example.com"));
        assert!(host_belongs_to("blog.Example.com:8080", "example.com"));
        assert!(!host_belongs_to("notexample.com", "example.com"));
        assert!(!host_belongs_to("example.com.evil.net", "example.com"));
        assert!(!host_belongs_to("evil.net", "example.com"));
    }
}
