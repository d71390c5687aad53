//! Referrer hosts to the names Plausible shows for them ("Google", "Hacker
//! News"), from the data file `sources.json`, which anyone can read and extend
//! without touching code. An unknown host is its own name; no referrer is
//! "" (direct).

use std::sync::LazyLock;

use rustc_hash::FxHashMap;
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    sources: std::collections::BTreeMap<String, Vec<String>>,
}

struct Names {
    /// Host (or parent domain) to name.
    hosts: FxHashMap<String, String>,
    /// A label followed by any public suffix (`google.*`).
    labels: FxHashMap<String, String>,
}

static NAMES: LazyLock<Names> = LazyLock::new(|| {
    let file: File = serde_json::from_str(include_str!("sources.json"))
        .expect("src/stats/sources.json is valid (checked by a test)");
    let mut names = Names {
        hosts: FxHashMap::default(),
        labels: FxHashMap::default(),
    };
    for (name, hosts) in file.sources {
        for host in hosts {
            let host = host.trim().to_ascii_lowercase();
            match host.strip_suffix(".*") {
                Some(label) => names.labels.insert(label.to_owned(), name.clone()),
                None => names.hosts.insert(host, name.clone()),
            };
        }
    }
    names
});

/// The source name for a stored referrer host (already lower-cased and
/// without `www.`).
pub fn name(host: &str) -> String {
    if host.is_empty() {
        return String::new();
    }
    let names = &*NAMES;
    // The longest matching entry wins: try the host, then each parent domain.
    let mut rest = host;
    loop {
        if let Some(name) = names.hosts.get(rest) {
            return name.clone();
        }
        match rest.split_once('.') {
            Some((_, parent)) if parent.contains('.') => rest = parent,
            _ => break,
        }
    }
    // `label.*`: the label, then a public suffix of one or two short labels
    // (`google.de`, `google.co.uk`, `google.com.br`).
    let labels: Vec<&str> = host.split('.').collect();
    for (i, label) in labels.iter().enumerate() {
        let suffix = &labels[i + 1..];
        let short = !suffix.is_empty() && suffix.len() <= 2 && suffix.iter().all(|s| s.len() <= 3);
        if short && let Some(name) = names.labels.get(*label) {
            return name.clone();
        }
    }
    host.to_owned()
}

#[cfg(test)]
mod tests {
    use super::name;

    #[test]
    fn known_hosts_get_their_names_and_others_stay_hosts() {
        assert_eq!(name("news.ycombinator.com"), "Hacker News");
        assert_eq!(name("google.com"), "Google");
        assert_eq!(name("google.co.uk"), "Google");
        assert_eq!(name("l.facebook.com"), "Facebook");
        assert_eq!(name("t.co"), "X (Twitter)");
        assert_eq!(name("blog.example.org"), "blog.example.org");
        assert_eq!(name(""), "");
    }
}
