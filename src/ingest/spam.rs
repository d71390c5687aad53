//! Referrer spam: sites that fake visits so their name shows up in analytics
//! dashboards. Events "referred" by them are dropped, not counted.

use std::{collections::HashSet, sync::LazyLock};

/// Hosts on the spam list (`data/spam-referrers.txt`, Matomo's list plus
/// ours; `make data` refreshes it), read once.
static SPAM_HOSTS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("data/spam-referrers.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Whether a referrer source (a host, as `referrer::source` returns it) is
/// spam: the host itself or any domain it is under is on the list.
pub fn is_spam(source: &str) -> bool {
    let mut host = source.trim_end_matches('.');
    loop {
        if SPAM_HOSTS.contains(host) {
            return true;
        }
        match host.split_once('.') {
            Some((_, parent)) if parent.contains('.') => host = parent,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_spam;

    #[test]
    fn spam_domains_and_their_subdomains_match() {
        assert!(is_spam("semalt.com"));
        assert!(is_spam("www2.semalt.com"));
        assert!(is_spam("buttons-for-website.com."));
        // From the Matomo list, not only our own additions.
        assert!(is_spam("12masterov.com"));
        assert!(super::SPAM_HOSTS.len() > 250);
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
