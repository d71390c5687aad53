//! Whether a user agent is a program rather than a person. Three sources, any
//! one of which is enough: the maintained crawler list of the npm package
//! `crawler-user-agents` (`data/crawlers.txt`, `make data` refreshes it), our
//! own substrings for automation and HTTP libraries, and the shapes only
//! programs use — a contact URL, `compatible; Name/1.0` without a browser, a
//! first token that no browser sends.

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

/// Substrings (lower-case) of user agents that are not people: headless and
/// automated browsers, HTTP libraries, monitors, link previewers, crawlers.
const OWN_PATTERNS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "headlesschrome",
    "phantomjs",
    "puppeteer",
    "playwright",
    "selenium",
    "webdriver",
    "lighthouse",
    "pagespeed",
    "gtmetrix",
    "pingdom",
    "uptime",
    "statuscake",
    "site24x7",
    "newrelicpinger",
    "datadog",
    "synthetics",
    "monitor",
    "checker",
    "validator",
    "scanner",
    "archiver",
    "fetcher",
    "preview",
    "scrapy",
    "feedly",
    "feedbin",
    "subscribers",
    "rss",
    "nuclei",
    "nmap",
    "masscan",
    "zgrab",
    "heritrix",
    "embedly",
    "iframely",
    "whatsapp",
    "telegram",
    "facebookexternalhit",
    "google-",
];

/// The maintained list, as one expression: a user agent is tested once.
static LISTED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let patterns: Vec<String> = include_str!("data/crawlers.txt")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| format!("(?:{line})"))
        .collect();
    let built = RegexBuilder::new(&patterns.join("|"))
        .size_limit(64 << 20)
        .build();
    match built {
        Ok(regex) => Some(regex),
        Err(error) => {
            tracing::error!(%error, "the crawler list does not compile; only our own rules apply");
            None
        }
    }
});

pub fn is_bot(user_agent: &str) -> bool {
    let user_agent = user_agent.trim();
    let lower = user_agent.to_ascii_lowercase();
    lower.is_empty()
        || !looks_like_a_browser(&lower)
        || OWN_PATTERNS.iter().any(|p| lower.contains(p))
        || LISTED
            .as_ref()
            .is_some_and(|list| list.is_match(user_agent))
}

/// Every browser's agent starts with `Mozilla/` (old Opera's with `Opera/`)
/// and carries no contact address; programs announce themselves with a URL
/// or an e-mail address, and as `compatible; Name/1.0` outside Internet
/// Explorer.
fn looks_like_a_browser(lower: &str) -> bool {
    let browser_start = lower.starts_with("mozilla/") || lower.starts_with("opera/");
    let contact = lower.contains("http://")
        || lower.contains("https://")
        || lower.contains("+http")
        || lower.contains('@');
    let compatible =
        lower.contains("compatible;") && !lower.contains("msie") && !lower.contains("trident/");
    browser_start && !contact && !compatible
}

#[cfg(test)]
mod tests {
    use super::is_bot;

    fn listed(text: &str) -> Vec<&str> {
        text.lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect()
    }

    #[test]
    fn at_least_95_percent_of_crawlers_are_dropped() {
        let crawlers = listed(include_str!("data/test-crawlers.txt"));
        let missed: Vec<_> = crawlers.iter().filter(|ua| !is_bot(ua)).collect();
        let caught = 1.0 - missed.len() as f64 / crawlers.len() as f64;
        assert!(caught >= 0.95, "{caught:.3} caught; missed {missed:#?}");
        assert!(crawlers.len() >= 100);
    }

    #[test]
    fn at_least_98_percent_of_browsers_are_counted() {
        let browsers = listed(include_str!("data/test-browsers.txt"));
        let dropped: Vec<_> = browsers.iter().filter(|ua| is_bot(ua)).collect();
        let counted = 1.0 - dropped.len() as f64 / browsers.len() as f64;
        assert!(
            counted >= 0.98,
            "{counted:.3} counted; dropped {dropped:#?}"
        );
        assert!(browsers.len() >= 100);
    }

    #[test]
    fn the_maintained_list_compiles_and_matches_its_own_kind() {
        let list = super::LISTED.as_ref().expect("the crawler list compiles");
        assert!(list.is_match("Mozilla/5.0 (compatible; Googlebot/2.1)"));
        assert!(!list.is_match(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
        ));
    }
}
