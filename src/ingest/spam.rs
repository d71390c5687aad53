//! Referrer spam: sites that fake visits so their name shows up in analytics
//! dashboards. Events "referred" by them are dropped, not counted.

/// Known referrer-spam domains (the host or any subdomain of it matches). The
/// list follows the public community blocklists; extend it as new ones appear.
const SPAM_DOMAINS: &[&str] = &[
    "100dollars-seo.com",
    "7makemoneyonline.com",
    "best-seo-offer.com",
    "best-seo-solution.com",
    "blackhatworth.com",
    "buttons-for-website.com",
    "buttons-for-your-website.com",
    "buy-cheap-online.info",
    "darodar.com",
    "econom.co",
    "event-tracking.com",
    "free-share-buttons.com",
    "free-social-buttons.com",
    "get-free-traffic-now.com",
    "hulfingtonpost.com",
    "humanorightswatch.org",
    "ilovevitaly.com",
    "ilovevitaly.ru",
    "kambasoft.com",
    "makemoneyonline.com",
    "o-o-6-o-o.com",
    "o-o-8-o-o.com",
    "priceg.com",
    "rank-checker.online",
    "savetubevideo.com",
    "screentoolkit.com",
    "semalt.com",
    "semaltmedia.com",
    "seoexperimenty.ru",
    "simple-share-buttons.com",
    "social-buttons.com",
    "success-seo.com",
    "trafficmonetize.org",
    "traffic2money.com",
    "webmonetizer.net",
    "website-analyzer.info",
    "youporn-forum.ga",
];

/// Whether a referrer source (a host, as `referrer::source` returns it) is spam.
pub fn is_spam(source: &str) -> bool {
    let source = source.trim_end_matches('.');
    SPAM_DOMAINS.iter().any(|spam| {
        source == *spam
            || source
                .strip_suffix(spam)
                .is_some_and(|prefix| prefix.ends_with('.'))
    })
}

#[cfg(test)]
mod tests {
    use super::is_spam;

    #[test]
    fn spam_domains_and_their_subdomains_match() {
        assert!(is_spam("semalt.com"));
        assert!(is_spam("www2.semalt.com"));
        assert!(is_spam("buttons-for-website.com."));
    }

    #[test]
    fn ordinary_sources_do_not() {
        for source in [
            "",
            "news.ycombinator.com",
            "notsemalt.com",
            "semalt.com.example.org",
        ] {
            assert!(!is_spam(source), "{source}");
        }
    }
}
