//! Random events for the property tests: as the ingest writer makes them, so
//! each suite compares its answers with a count of the same kind of data.

use rand::seq::IndexedRandom;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use uuid::Uuid;

use crate::entities::event;

const RANDOM_DAY_MS: i64 = 86_400_000;

/// Random events over `days` UTC days from `first_utc_day` (days since the
/// epoch), as the ingest writer makes them: a visitor id lives for one UTC day,
/// a visit belongs to one visitor, and gaps inside a visit are under 30 minutes.
pub fn random_events(
    rng: &mut impl rand::Rng,
    site: Uuid,
    first_utc_day: i64,
    days: i64,
) -> Vec<event::ActiveModel> {
    let paths = ["/", "/pricing", "/docs", "/blog/a", "/blog/b", "/about"];
    let sources = ["", "", "google.com", "news.ycombinator.com", "t.co"];
    let browsers = ["Chrome", "Firefox", "Safari"];
    let systems = [
        ("Windows", "desktop"),
        ("iOS", "mobile"),
        ("Android", "tablet"),
    ];
    let countries = [None, Some("US"), Some("DE"), Some("IN")];
    let campaigns = [
        ("", "", ""),
        ("", "", ""),
        ("news", "email", "launch"),
        ("ads", "cpc", "brand"),
    ];
    let mut events = Vec::new();
    let mut visit_id = 0;
    for day in 0..days {
        let utc_day = (first_utc_day + day) * RANDOM_DAY_MS;
        for v in 0..rng.random_range(1..25) {
            let visitor = (first_utc_day + day) * 1000 + v;
            let browser = *browsers.choose(rng).unwrap();
            let (os, device) = *systems.choose(rng).unwrap();
            let country = *countries.choose(rng).unwrap();
            // What a city database adds, for most visitors: region and city
            // follow the country (no draw, so the rest of the data stays put).
            let place = country.filter(|_| visitor % 4 != 0).map(|c| {
                (
                    format!("{c}-{:02}", visitor % 3),
                    format!("{c} town {}", visitor % 2),
                )
            });
            for _ in 0..rng.random_range(1..=3) {
                visit_id += 1;
                let source = *sources.choose(rng).unwrap();
                let campaign = *campaigns.choose(rng).unwrap();
                let mut ts = utc_day + rng.random_range(0..RANDOM_DAY_MS);
                for _ in 0..rng.random_range(1..=5) {
                    if ts >= utc_day + RANDOM_DAY_MS {
                        break;
                    }
                    let name = *[
                        "pageview", "pageview", "pageview", "pageview", "pageview", "Signup",
                        "Download",
                    ]
                    .choose(rng)
                    .unwrap();
                    let pageview = name == "pageview";
                    // Custom events with properties, some non-interactive;
                    // pageviews, some with the engagement reported for them.
                    let props = (!pageview && rng.random_bool(0.7)).then(|| {
                        let plan = ["pro", "free"].choose(rng).unwrap();
                        match rng.random_range(0..3) {
                            0 => format!(r#"{{"plan":"{plan}"}}"#),
                            1 => format!(r#"{{"plan":"{plan}","via":"footer"}}"#),
                            _ => r#"{"via":"header"}"#.to_owned(),
                        }
                    });
                    let engaged = (pageview && rng.random_bool(0.5))
                        .then(|| (rng.random_range(0..=100), rng.random_range(0..120_000)));
                    events.push(event::ActiveModel {
                        site_id: Set(site),
                        ts: Set(ts),
                        name: Set(name.into()),
                        interactive: Set(pageview || rng.random_bool(0.7)),
                        scroll_depth: Set(engaged.map(|e| e.0)),
                        engaged_ms: Set(engaged.map(|e| e.1)),
                        hostname: Set("example.com".into()),
                        path: Set((*paths.choose(rng).unwrap()).into()),
                        referrer_source: Set(source.into()),
                        utm_source: Set(campaign.0.into()),
                        utm_medium: Set(campaign.1.into()),
                        utm_campaign: Set(campaign.2.into()),
                        utm_term: Set(String::new()),
                        utm_content: Set(String::new()),
                        browser: Set(browser.into()),
                        browser_version: Set("1".into()),
                        os: Set(os.into()),
                        device: Set(device.into()),
                        country: Set(country.map(Into::into)),
                        region: Set(place.as_ref().map(|p| p.0.clone())),
                        city: Set(place.as_ref().map(|p| p.1.clone())),
                        visitor_id: Set(visitor),
                        visit_id: Set(visit_id),
                        props: Set(props),
                        ..Default::default()
                    });
                    ts += rng.random_range(0..29 * 60_000);
                }
            }
        }
    }
    events
}

/// Stores events in chunks a statement can hold.
pub async fn store_events(db: &DatabaseConnection, events: Vec<event::ActiveModel>) {
    let mut rest = events;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(500));
        event::Entity::insert_many(std::mem::replace(&mut rest, tail))
            .exec_without_returning(db)
            .await
            .expect("store events");
    }
}
