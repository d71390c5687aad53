use super::*;

fn native(body: &str) -> Result<Beacon, BeaconError> {
    parse_native(body.as_bytes())
}

fn plausible(body: &str) -> Result<Beacon, BeaconError> {
    parse_plausible(body.as_bytes())
}

const SITE: &str = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";

#[test]
fn a_tracker_beacon_is_read_whole() {
    let beacon = native(&format!(
        r#"{{"s":"{SITE}","u":"https://example.com/a?utm_source=x","r":"https://news.ycombinator.com/","w":390,"n":"Signup","p":{{"plan":"pro","seats":3,"trial":true,"gone":null}}}}"#
    ))
    .unwrap();
    assert_eq!(beacon.sites, vec![SiteKey::Id(SITE.parse().unwrap())]);
    assert_eq!(beacon.page.path, "/a");
    assert_eq!(beacon.page.utm.source, "x");
    assert_eq!(
        beacon.referrer.as_deref(),
        Some("https://news.ycombinator.com/")
    );
    assert_eq!(beacon.width, Some(390));
    assert_eq!(beacon.name, "Signup");
    assert_eq!(
        beacon.props,
        vec![
            ("plan".into(), "pro".into()),
            ("seats".into(), "3".into()),
            ("trial".into(), "true".into()),
        ]
    );
}

#[test]
fn defaults_fill_what_is_optional() {
    let beacon = native(&format!(
        r#"{{"s":"{SITE}","u":"http://example.com","r":null,"n":" "}}"#
    ))
    .unwrap();
    assert_eq!(beacon.name, "pageview");
    assert_eq!(beacon.referrer, None);
    assert_eq!(beacon.width, None);
    assert!(beacon.props.is_empty());
    let odd_width = native(&format!(
        r#"{{"s":"{SITE}","u":"http://example.com","w":"wide"}}"#
    ))
    .unwrap();
    assert_eq!(odd_width.width, None);
    let negative = native(&format!(
        r#"{{"s":"{SITE}","u":"http://example.com","w":-5}}"#
    ))
    .unwrap();
    assert_eq!(negative.width, None);
}

#[test]
fn a_site_that_is_not_an_id_is_looked_up_as_a_domain() {
    let beacon = native(r#"{"s":"WWW.Example.com","u":"http://example.com"}"#).unwrap();
    assert_eq!(beacon.sites, vec![SiteKey::Domain("example.com".into())]);
}

#[test]
fn plausible_bodies_use_long_names_domains_and_string_props() {
    let beacon = plausible(
        r#"{"name":"pageview","url":"https://www.example.com/docs","domain":"example.com","referrer":"","props":"{\"plan\":\"pro\"}"}"#,
    )
    .unwrap();
    assert_eq!(beacon.sites, vec![SiteKey::Domain("example.com".into())]);
    assert_eq!(beacon.referrer, None);
    assert_eq!(beacon.props, vec![("plan".into(), "pro".into())]);

    let no_domain = plausible(r#"{"n":"pageview","u":"https://Blog.Example.com/x"}"#).unwrap();
    assert_eq!(
        no_domain.sites,
        vec![SiteKey::Domain("blog.example.com".into())]
    );

    let two = plausible(r#"{"n":"pageview","u":"https://a.com/","d":"a.com,b.org"}"#).unwrap();
    assert_eq!(
        two.sites,
        vec![
            SiteKey::Domain("a.com".into()),
            SiteKey::Domain("b.org".into())
        ]
    );

    let hashed = plausible(r#"{"n":"pageview","u":"https://a.com/app#/pricing","h":1}"#).unwrap();
    assert_eq!(hashed.page.path, "/app#/pricing");
    let unhashed = plausible(r#"{"n":"pageview","u":"https://a.com/app#/pricing"}"#).unwrap();
    assert_eq!(unhashed.page.path, "/app");
}

#[test]
fn malformed_bodies_are_refused() {
    for body in [
        "",
        "not json",
        "[]",
        "null",
        "42",
        r#""text""#,
        "{",
        r#"{"s":1,"u":"http://a.com"}"#,
    ] {
        assert!(
            matches!(native(body), Err(BeaconError::Malformed(_))),
            "{body:?} → {:?}",
            native(body)
        );
    }
}

#[test]
fn required_fields_are_required() {
    assert_eq!(
        native(r#"{"u":"http://a.com"}"#),
        Err(BeaconError::Missing("s"))
    );
    assert_eq!(
        native(&format!(r#"{{"s":"{SITE}"}}"#)),
        Err(BeaconError::Missing("u"))
    );
    assert_eq!(
        native(&format!(r#"{{"s":"{SITE}","u":"  "}}"#)),
        Err(BeaconError::Missing("u"))
    );
    assert_eq!(
        plausible(r#"{"n":"pageview"}"#),
        Err(BeaconError::Missing("u"))
    );
}

#[test]
fn hostile_values_are_refused() {
    let with = |field: &str| native(&format!(r#"{{"s":"{SITE}","u":"http://a.com/",{field}}}"#));
    assert_eq!(
        native(&format!(r#"{{"s":"{SITE}","u":"javascript:alert(1)"}}"#)),
        Err(BeaconError::Page(page::PageError::Scheme))
    );
    assert_eq!(
        native(&format!(r#"{{"s":"{SITE}","u":"data:text/html,hi"}}"#)),
        Err(BeaconError::Page(page::PageError::Scheme))
    );
    assert_eq!(
        native(&format!(r#"{{"s":"{SITE}","u":"http://a.com/\u0000"}}"#)),
        Err(BeaconError::ControlCharacters("u"))
    );
    assert_eq!(
        with(r#""n":"Sign\r\nup""#),
        Err(BeaconError::ControlCharacters("n"))
    );
    assert_eq!(
        with(&format!(r#""n":"{}""#, "x".repeat(121))),
        Err(BeaconError::TooLong("n", MAX_NAME_CHARS))
    );
    assert_eq!(
        with(&format!(r#""r":"https://r.com/{}""#, "x".repeat(2100))),
        Err(BeaconError::TooLong("r", MAX_REFERRER_CHARS))
    );
    assert_eq!(with(r#""p":{"a":{"b":"c"}}"#), Err(BeaconError::Props));
    assert_eq!(with(r#""p":["a"]"#), Err(BeaconError::Props));
    assert_eq!(with(r#""p":"not an object""#), Err(BeaconError::Props));
    assert_eq!(with(r#""p":{"":"x"}"#), Err(BeaconError::Props));
    assert_eq!(
        with(r#""p":{"k":"v\u0000"}"#),
        Err(BeaconError::ControlCharacters("p"))
    );
    let many: Vec<String> = (0..31).map(|i| format!(r#""k{i}":"v""#)).collect();
    assert_eq!(
        with(&format!(r#""p":{{{}}}"#, many.join(","))),
        Err(BeaconError::Props)
    );
    assert_eq!(
        with(&format!(r#""p":{{"k":"{}"}}"#, "v".repeat(2001))),
        Err(BeaconError::TooLong("p", MAX_PROP_VALUE_CHARS))
    );
    assert_eq!(
        plausible(r#"{"n":"pageview","u":"https://a.com/","d":"not a domain"}"#),
        Err(BeaconError::Domain)
    );
}

#[test]
fn emoji_and_right_to_left_text_are_kept_as_text() {
    let beacon = native(&format!(
        r#"{{"s":"{SITE}","u":"https://a.com/%F0%9F%9A%80/שלום","n":"🎉 launch","p":{{"lang":"עברית"}}}}"#
    ))
    .unwrap();
    assert_eq!(beacon.page.path, "/🚀/שלום");
    assert_eq!(beacon.name, "🎉 launch");
    assert_eq!(beacon.props, vec![("lang".into(), "עברית".into())]);
}

#[test]
fn a_domain_list_is_trimmed_normalised_and_deduplicated_in_order() {
    let beacon = plausible(
        r#"{"n":"pageview","u":"https://a.com/","d":" a.com , b.org,A.COM,www.a.com, https://B.org/x ,c.net,"}"#,
    )
    .unwrap();
    assert_eq!(
        beacon.sites,
        vec![
            SiteKey::Domain("a.com".into()),
            SiteKey::Domain("b.org".into()),
            SiteKey::Domain("c.net".into()),
        ]
    );
    assert_eq!(
        plausible(r#"{"n":"pageview","u":"https://a.com/","d":" , ,"}"#),
        Err(BeaconError::Domain)
    );
    assert_eq!(
        plausible(r#"{"n":"pageview","u":"https://a.com/","d":"a.com,not a domain"}"#),
        Err(BeaconError::Domain)
    );
}

#[test]
fn at_most_ten_distinct_domains_however_often_they_repeat() {
    let list = |n: usize| {
        (0..n)
            .map(|i| format!("site{i}.example"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let body = |d: &str| format!(r#"{{"n":"pageview","u":"https://a.com/","d":"{d}"}}"#);
    let ten = plausible(&body(&list(MAX_DOMAINS))).unwrap();
    assert_eq!(ten.sites.len(), MAX_DOMAINS);
    // Repeats do not count against the limit.
    let repeated = format!("{},{}", list(MAX_DOMAINS), list(MAX_DOMAINS).to_uppercase());
    assert_eq!(plausible(&body(&repeated)).unwrap().sites, ten.sites);
    let eleven = plausible(&body(&list(MAX_DOMAINS + 1)));
    assert_eq!(eleven, Err(BeaconError::TooManyDomains));
    assert_eq!(
        BeaconError::TooManyDomains.to_string(),
        "\"d\" names more than 10 distinct domains"
    );
}

#[test]
fn plausible_s_newer_fields_are_read() {
    // The current npm tracker: a version, a non-interactive event with revenue.
    let beacon = plausible(
        r#"{"n":"Purchase","u":"https://example.com/cart","d":"example.com","v":21,"i":false,"$":{"amount":"15.99","currency":"eur"}}"#,
    )
    .unwrap();
    assert!(!beacon.interactive);
    assert_eq!(
        beacon.revenue,
        Some(Revenue {
            amount: "15.99".into(),
            currency: "EUR".into()
        })
    );
    assert_eq!(beacon.engagement, None);
    // A number amount, Plausible's long name; `i` absent is interactive.
    let beacon = plausible(
        r#"{"n":"Purchase","u":"https://example.com/","revenue":{"amount":20,"currency":"USD"}}"#,
    )
    .unwrap();
    assert!(beacon.interactive);
    assert_eq!(beacon.revenue.unwrap().amount, "20");

    for bad in [
        r#""15""#,
        r#"{"amount":"1,5","currency":"EUR"}"#,
        r#"{"amount":"1e9","currency":"EUR"}"#,
        r#"{"amount":15,"currency":"EURO"}"#,
        r#"{"amount":15}"#,
    ] {
        let body = format!(r#"{{"n":"Buy","u":"https://example.com/","$":{bad}}}"#);
        assert_eq!(plausible(&body), Err(BeaconError::Revenue), "{bad}");
    }
}

#[test]
fn an_engagement_beacon_carries_its_measures_within_range() {
    let beacon = plausible(
        r#"{"n":"engagement","u":"https://example.com/a","d":"example.com","sd":42.6,"e":5300,"v":21}"#,
    )
    .unwrap();
    assert_eq!(beacon.name, ENGAGEMENT);
    assert_eq!(
        beacon.engagement,
        Some(Engagement {
            scroll_depth: 43,
            engaged_ms: 5300
        })
    );
    // Out of range is held to the range; `e` missing is no time.
    let beacon =
        plausible(r#"{"n":"engagement","u":"https://example.com/a","sd":180,"e":-4}"#).unwrap();
    assert_eq!(
        beacon.engagement,
        Some(Engagement {
            scroll_depth: 100,
            engaged_ms: 0
        })
    );
    let beacon = plausible(r#"{"n":"engagement","u":"https://example.com/a","sd":"7"}"#).unwrap();
    assert_eq!(beacon.engagement.unwrap().engaged_ms, 0);
    for bad in [r#""sd":null"#, r#""sd":"deep""#, r#""sd":10,"e":"long""#] {
        let body = format!(r#"{{"n":"engagement","u":"https://example.com/a",{bad}}}"#);
        assert_eq!(plausible(&body), Err(BeaconError::Engagement), "{bad}");
    }
    // Only the event named so is engagement.
    let beacon = plausible(r#"{"n":"Signup","u":"https://example.com/a","sd":10}"#).unwrap();
    assert_eq!(beacon.engagement, None);
}
