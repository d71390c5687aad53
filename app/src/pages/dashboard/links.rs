//! The dashboard's state lives in the URL: every range and filter control is a
//! link to the same page with one parameter changed, so back, forward, reload
//! and sharing all work, and the router swaps the numbers without a reload.

use leptos_router::params::ParamsMap;

/// The periods offered, with their labels.
pub const PERIODS: [(&str, &str); 7] = [
    ("realtime", "Realtime"),
    ("today", "Today"),
    ("yesterday", "Yesterday"),
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("month", "This month"),
    ("12mo", "Last 12 months"),
];

/// Filterable dimensions: query parameter and chip label (a goal is one
/// more, set by a click on a goal).
pub const FILTERS: [(&str, &str); 12] = [
    ("page", "Page"),
    ("referrer", "Source"),
    ("browser", "Browser"),
    ("os", "OS"),
    ("device", "Device"),
    ("country", "Country"),
    ("region", "Region"),
    ("city", "City"),
    ("utm_source", "UTM source"),
    ("utm_medium", "UTM medium"),
    ("utm_campaign", "UTM campaign"),
    ("event", "Event"),
];

/// A custom property's filter parameter is this and its key:
/// `prop:plan=pro`, as the analytics API reads it.
pub const PROP_PARAM: &str = "prop:";

/// Whether a property key can be spelled in a filter parameter: `prop:a~b`
/// and `prop:x!` would read as other operators, and the API refuses quotes,
/// backslashes and control characters in keys.
pub fn spellable(key: &str) -> bool {
    !key.is_empty()
        && !key.contains(['~', '"', '\\'])
        && !key.ends_with('!')
        && !key.chars().any(char::is_control)
}

/// `path` with `query` changed: `Some` sets a parameter, `None` removes it.
/// Written the same way on the server and in the browser (the router's own
/// spelling differs between the two: `bounce%5Frate` against `bounce_rate`).
pub fn href(path: &str, query: &ParamsMap, changes: &[(&str, Option<&str>)]) -> String {
    let mut query = query.clone();
    for (key, value) in changes {
        query.remove(key);
        if let Some(value) = value {
            query.insert(key.to_string(), value.to_string());
        }
    }
    let pairs: Vec<String> = query
        .latest_values()
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect();
    if pairs.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", pairs.join("&"))
    }
}

/// Percent-encodes all but the characters a URL never needs escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte))
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A period link: custom dates go away with the old period.
pub fn period_href(path: &str, query: &ParamsMap, period: &str) -> String {
    href(
        path,
        query,
        &[("period", Some(period)), ("start", None), ("end", None)],
    )
}

/// How a filter compares, as its query key spells it after the parameter.
pub const OPERATORS: [(&str, &str); 3] = [("", "is"), ("!", "is not"), ("~", "contains")];

/// An active filter as its chip shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActiveFilter {
    /// The query key that holds it (`page`, `page!`, `page~`), which
    /// removing the chip removes.
    pub key: String,
    pub param: &'static str,
    pub label: String,
    /// `is`, `is not` or `contains`.
    pub operator: &'static str,
    /// The value as the query holds it (alternatives joined by `|`).
    pub value: String,
}

/// The active filters (and the goal), in a fixed order: each dimension's
/// `is`, `is not` and `contains`.
pub fn active_filters(query: &ParamsMap) -> Vec<ActiveFilter> {
    let mut found = Vec::new();
    let goal = [("goal", "Goal")];
    for (param, label) in FILTERS.iter().chain(goal.iter()) {
        for (suffix, operator) in OPERATORS {
            let key = format!("{param}{suffix}");
            for (k, v) in query.latest_values() {
                let value = if *k == key {
                    v.to_owned()
                } else if suffix == "~" && v.is_empty() {
                    // `page~docs` arrives as a key with an empty value.
                    match k.strip_prefix(key.as_str()) {
                        Some(rest) if !rest.is_empty() => rest.to_owned(),
                        _ => continue,
                    }
                } else {
                    continue;
                };
                found.push(ActiveFilter {
                    key: k.to_string(),
                    param,
                    label: label.to_string(),
                    operator,
                    value,
                });
            }
        }
    }
    // Custom properties: `prop:plan=pro`, `prop:plan!=free`, `prop:plan~pr`.
    let mut props: Vec<ActiveFilter> = query
        .latest_values()
        .filter_map(|(k, v)| {
            let named = k.strip_prefix(PROP_PARAM)?;
            let (name, operator, value) = if let Some((name, rest)) = named.split_once('~') {
                let value = if v.is_empty() {
                    rest.to_owned()
                } else {
                    v.to_owned()
                };
                (name, "contains", value)
            } else if let Some(name) = named.strip_suffix('!') {
                (name, "is not", v.to_owned())
            } else {
                (named, "is", v.to_owned())
            };
            (!name.is_empty()).then(|| ActiveFilter {
                key: k.to_string(),
                param: "prop",
                label: name.to_owned(),
                operator,
                value,
            })
        })
        .collect();
    props.sort_by(|a, b| a.key.cmp(&b.key));
    found.extend(props);
    found
}

/// How a dimension's raw value reads on screen.
pub fn display_value(param: &str, value: &str) -> String {
    match (param, value) {
        ("referrer", "") => "Direct / None".into(),
        (_, "") => "(none)".into(),
        _ => value.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> ParamsMap {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn links_change_one_parameter_and_keep_the_rest() {
        let q = query(&[
            ("period", "custom"),
            ("start", "2026-01-01"),
            ("end", "2026-01-31"),
            ("browser", "Firefox"),
        ]);
        assert_eq!(
            period_href("/sites/x", &q, "7d"),
            "/sites/x?browser=Firefox&period=7d"
        );
        let with = href("/sites/x", &q, &[("referrer", Some(""))]);
        assert!(with.ends_with("&referrer="), "{with}");
        assert!(with.contains("&start=2026-01-01"), "{with}");
        let metric = href("/s", &ParamsMap::new(), &[("metric", Some("bounce_rate"))]);
        assert_eq!(metric, "/s?metric=bounce_rate");
        let without = href("/share/x", &query(&[("os", "Linux")]), &[("os", None)]);
        assert_eq!(without, "/share/x");
    }

    #[test]
    fn hostile_values_are_escaped_in_links() {
        let link = href("/s", &ParamsMap::new(), &[("page", Some("/a&b=<c>#d"))]);
        assert!(!link.contains('<') && !link.contains('#'), "{link}");
        assert!(link.starts_with("/s?page=%2Fa%26b%3D"), "{link}");
    }

    #[test]
    fn filters_read_in_a_fixed_order_with_labels() {
        let q = query(&[
            ("os", "Linux"),
            ("referrer", ""),
            ("x", "y"),
            ("page!", "/a|/b"),
            ("page~docs", ""),
            ("goal", "Signup"),
            ("prop:plan!", "free"),
        ]);
        let read: Vec<(String, String, &str, String)> = active_filters(&q)
            .into_iter()
            .map(|f| (f.key, f.label, f.operator, f.value))
            .collect();
        let own = |k: &str, l: &str, o: &'static str, v: &str| {
            (k.to_string(), l.to_string(), o, v.to_string())
        };
        assert_eq!(
            read,
            vec![
                own("page!", "Page", "is not", "/a|/b"),
                own("page~docs", "Page", "contains", "docs"),
                own("referrer", "Source", "is", ""),
                own("os", "OS", "is", "Linux"),
                own("goal", "Goal", "is", "Signup"),
                own("prop:plan!", "plan", "is not", "free"),
            ]
        );
        assert_eq!(display_value("referrer", ""), "Direct / None");
        assert_eq!(display_value("page", "/a"), "/a");
    }
}
