//! Rules checked and compiled once, so a beacon's test is a few comparisons.

use std::net::IpAddr;

use ipnet::IpNet;

use super::{MAX_ENTRIES, Rules};
use crate::{glob::Glob, validate::FieldError};

/// A site's rules ready to test beacons.
#[derive(Clone, Debug, Default)]
pub struct Shield {
    ips: Vec<IpNet>,
    paths: Vec<Glob>,
    hostnames: Vec<Glob>,
    countries: Vec<String>,
}

impl Shield {
    /// Rules as stored: they were checked when saved, so an entry that no
    /// longer parses (written by hand, say) is skipped, not fatal.
    pub fn new(rules: &Rules) -> Shield {
        Shield {
            ips: rules.ips.iter().filter_map(|ip| net(ip)).collect(),
            paths: rules.paths.iter().map(|p| Glob::new(p)).collect(),
            hostnames: rules
                .hostnames
                .iter()
                .map(|h| Glob::new(&h.to_ascii_lowercase()))
                .collect(),
            countries: rules.countries.clone(),
        }
    }

    /// Whether the client's address is shielded: checked before anything
    /// about the client is hashed.
    pub fn blocks_ip(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.ips.iter().any(|net| net.contains(&ip))
    }

    pub fn blocks_path(&self, path: &str) -> bool {
        self.paths.iter().any(|glob| glob.matches(path))
    }

    /// `None` without a hostname list: the site's default rule decides.
    pub fn accepts_host(&self, host: &str) -> Option<bool> {
        if self.hostnames.is_empty() {
            return None;
        }
        let host = crate::ingest::page::bare_host(host).to_ascii_lowercase();
        Some(self.hostnames.iter().any(|glob| glob.matches(&host)))
    }

    pub fn blocks_country(&self, country: Option<&str>) -> bool {
        country.is_some_and(|c| self.countries.iter().any(|blocked| blocked == c))
    }

    /// Whether the country decides anything: the lookup is skipped otherwise.
    pub fn has_countries(&self) -> bool {
        !self.countries.is_empty()
    }
}

/// An address or a CIDR range; a bare address is a range of one.
fn net(text: &str) -> Option<IpNet> {
    match text.parse::<IpNet>() {
        Ok(net) => Some(net.trunc()),
        Err(_) => text
            .parse::<IpAddr>()
            .ok()
            .map(|ip| IpNet::from(ip.to_canonical())),
    }
}

/// The rules as they are kept: trimmed, countries upper-cased, hostnames
/// lower-cased, duplicates dropped; the first entry that is not valid is
/// named with its field.
pub fn checked(rules: Rules) -> Result<Rules, FieldError> {
    Ok(Rules {
        ips: list("ips", rules.ips, |ip| {
            net(&ip)
                .map(|n| {
                    if n.prefix_len() == n.max_prefix_len() {
                        n.addr().to_string()
                    } else {
                        n.to_string()
                    }
                })
                .ok_or(format!(
                    "ips: `{ip}` is not an IP address or a CIDR range (203.0.113.7, 10.0.0.0/8)"
                ))
        })?,
        paths: list("paths", rules.paths, |path| {
            if path.starts_with('/') && path.chars().count() <= 2000 {
                Ok(path)
            } else {
                Err(format!(
                    "paths: `{path}` is not a path starting with / (with * as a wildcard)"
                ))
            }
        })?,
        hostnames: list("hostnames", rules.hostnames, |host| {
            let host = host.to_ascii_lowercase();
            let valid = !host.is_empty()
                && host.len() <= 253
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '*'))
                && !host.starts_with('.')
                && !host.ends_with('.');
            if valid {
                Ok(host)
            } else {
                Err(format!(
                    "hostnames: `{host}` is not a hostname (example.com, *.example.com)"
                ))
            }
        })?,
        countries: list("countries", rules.countries, |code| {
            if code.len() == 2 && code.chars().all(|c| c.is_ascii_alphabetic()) {
                Ok(code.to_ascii_uppercase())
            } else {
                Err(format!(
                    "countries: `{code}` is not a two-letter country code (DE, US)"
                ))
            }
        })?,
    })
}

fn list(
    field: &'static str,
    entries: Vec<String>,
    check: impl Fn(String) -> Result<String, String>,
) -> Result<Vec<String>, FieldError> {
    if entries.len() > MAX_ENTRIES {
        return Err(FieldError::new(
            field,
            format!("{field}: at most {MAX_ENTRIES} entries"),
        ));
    }
    let mut kept: Vec<String> = Vec::with_capacity(entries.len());
    for entry in entries {
        let entry = entry.trim().to_owned();
        if entry.chars().any(char::is_control) {
            return Err(FieldError::new(
                field,
                format!("{field}: entries must not contain control characters"),
            ));
        }
        let entry = check(entry).map_err(|message| FieldError::new(field, message))?;
        if !kept.contains(&entry) {
            kept.push(entry);
        }
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(ips: &[&str], paths: &[&str], hosts: &[&str], countries: &[&str]) -> Rules {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Rules {
            ips: own(ips),
            paths: own(paths),
            hostnames: own(hosts),
            countries: own(countries),
        }
    }

    #[test]
    fn addresses_and_ranges_match_both_families() {
        let kept = checked(rules(
            &[
                "203.0.113.7",
                " 10.1.2.3/8 ",
                "2001:db8::/32",
                "::ffff:198.51.100.1",
            ],
            &[],
            &[],
            &[],
        ))
        .unwrap();
        assert_eq!(
            kept.ips,
            ["203.0.113.7", "10.0.0.0/8", "2001:db8::/32", "198.51.100.1"]
        );
        let shield = Shield::new(&kept);
        for blocked in [
            "203.0.113.7",
            "10.200.0.1",
            "2001:db8:1::5",
            "::ffff:10.0.0.9",
            "198.51.100.1",
        ] {
            assert!(shield.blocks_ip(blocked.parse().unwrap()), "{blocked}");
        }
        for passed in ["203.0.113.8", "11.0.0.1", "2001:db9::1"] {
            assert!(!shield.blocks_ip(passed.parse().unwrap()), "{passed}");
        }
    }

    #[test]
    fn paths_hostnames_and_countries() {
        let kept = checked(rules(
            &[],
            &["/admin*", "/preview"],
            &["Example.com", "*.example.com"],
            &["de", "FR", "de"],
        ))
        .unwrap();
        assert_eq!(kept.countries, ["DE", "FR"]);
        assert_eq!(kept.hostnames, ["example.com", "*.example.com"]);
        let shield = Shield::new(&kept);
        assert!(shield.blocks_path("/admin/users"));
        assert!(shield.blocks_path("/preview"));
        assert!(!shield.blocks_path("/preview/2"));
        assert_eq!(shield.accepts_host("example.com"), Some(true));
        assert_eq!(shield.accepts_host("Blog.Example.com:8080"), Some(true));
        assert_eq!(shield.accepts_host("staging-example.com"), Some(false));
        assert!(shield.blocks_country(Some("DE")));
        assert!(!shield.blocks_country(Some("US")));
        assert!(!shield.blocks_country(None));
        assert_eq!(Shield::default().accepts_host("anything"), None);
    }

    #[test]
    fn a_bad_entry_names_its_field() {
        let bad = [
            (rules(&["10.0.0.0/33"], &[], &[], &[]), "ips"),
            (rules(&["localhost"], &[], &[], &[]), "ips"),
            (rules(&[], &["admin"], &[], &[]), "paths"),
            (rules(&[], &[], &["exa mple.com"], &[]), "hostnames"),
            (rules(&[], &[], &[], &["DEU"]), "countries"),
        ];
        for (rules, field) in bad {
            let error = checked(rules).unwrap_err();
            assert_eq!(error.field, field);
            assert!(error.message.starts_with(field), "{}", error.message);
        }
        let many = vec!["1.2.3.4".to_owned(); MAX_ENTRIES + 1];
        assert_eq!(
            checked(Rules {
                ips: many,
                ..Rules::default()
            })
            .unwrap_err()
            .field,
            "ips"
        );
    }
}
