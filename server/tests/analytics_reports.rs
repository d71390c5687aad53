//! The analytics API's Plausible-style reports on SQLite and PostgreSQL: goal
//! conversions, entry and exit pages, UTM term and content, channels, graph
//! intervals, comparisons and filters with is not, contains and OR.

mod common;

use axum::http::StatusCode;
use chrono::Duration;
use common::{get_as, visits::Fixture};
use pagepulse_core::testing::TestDb;
use serde_json::{Value, json};

#[tokio::test]
async fn goals_entry_and_exit_pages_utm_tags_and_channels_are_reported() {
    for t in TestDb::all().await {
        let f = Fixture::new(&t).await;
        let r = f.get("").await;
        assert_eq!(r["summary"]["visitors"], 3);
        assert_eq!(r["summary"]["visits"], 4);
        assert_eq!(r["summary"]["pageviews"], 6);
        assert_eq!(
            r["goals"],
            json!([
                {"name": "Visit /docs*", "visitors": 2, "events": 2, "conversion_rate": 66.67},
                {"name": "Signup", "visitors": 1, "events": 1, "conversion_rate": 33.33},
            ])
        );
        assert_eq!(
            r["entry_pages"],
            json!([
                {"path": "/", "visitors": 2, "visits": 2, "bounce_rate": 50.0},
                {"path": "/blog", "visitors": 1, "visits": 1, "bounce_rate": 100.0},
                {"path": "/pricing", "visitors": 1, "visits": 1, "bounce_rate": 0.0},
            ])
        );
        // Exits per pageview of the page: "/" was viewed twice, left once.
        assert_eq!(
            r["exit_pages"],
            json!([
                {"path": "/", "visitors": 1, "visits": 1, "exit_rate": 50.0},
                {"path": "/blog", "visitors": 1, "visits": 1, "exit_rate": 100.0},
                {"path": "/docs/api", "visitors": 1, "visits": 1, "exit_rate": 100.0},
                {"path": "/docs/intro", "visitors": 1, "visits": 1, "exit_rate": 100.0},
            ])
        );
        assert_eq!(
            r["utm_terms"],
            json!([{"name": "analytics", "visitors": 1}])
        );
        assert_eq!(
            r["utm_contents"],
            json!([{"name": "banner", "visitors": 1}])
        );
        assert_eq!(
            r["channels"],
            json!([
                {"name": "Direct", "visitors": 1},
                {"name": "Email", "visitors": 1},
                {"name": "Organic Search", "visitors": 1},
                {"name": "Referral", "visitors": 1},
            ])
        );

        // A goal filters the whole report to the visits that completed it.
        let r = f.get("&goal=Signup").await;
        assert_eq!(r["summary"]["visitors"], 1);
        assert_eq!(r["goals"][0]["name"], "Signup");
        assert_eq!(r["goals"].as_array().unwrap().len(), 1);
        let r = f.get("&goal=Visit%20/docs*").await;
        assert_eq!(r["summary"]["pageviews"], 2);
        assert_eq!(r["summary"]["visitors"], 2);
        // A page goal is reached by pageviews alone, as Plausible counts it:
        // the Signup sent on /docs/intro a minute later is no part of it.
        assert_eq!(r["summary"]["visit_duration"], 0.0, "{}", r["summary"]);
        assert!(f.refused("&goal=Nope").await.contains("not a goal"));
        t.teardown().await;
    }
}

#[tokio::test]
async fn filters_take_is_not_contains_and_alternatives() {
    for t in TestDb::all().await {
        let f = Fixture::new(&t).await;
        let pages = |r: &Value| {
            (
                r["summary"]["pageviews"].clone(),
                r["summary"]["visitors"].clone(),
            )
        };
        assert_eq!(pages(&f.get("&page!=/").await), (json!(4), json!(3)));
        assert_eq!(pages(&f.get("&page~DOCS").await), (json!(2), json!(2)));
        assert_eq!(
            pages(&f.get("&page=/pricing|/blog").await),
            (json!(2), json!(2))
        );
        assert_eq!(pages(&f.get("&page!=/|/blog").await), (json!(3), json!(2)));
        // Filters combine with AND, and reach the Stats-engine sections too.
        let r = f.get("&page~docs&referrer!=google.com").await;
        assert_eq!(pages(&r), (json!(1), json!(1)));
        assert_eq!(r["entry_pages"][0]["path"], "/pricing");
        assert_eq!(r["channels"], json!([{"name": "Email", "visitors": 1}]));

        assert!(f.refused("&page~").await.contains("empty"));
        assert!(f.refused("&device!=phone").await.contains("desktop"));
        assert!(
            f.refused("&page!=/a&page!=/b")
                .await
                .contains("more than once")
        );
        t.teardown().await;
    }
}

#[tokio::test]
async fn the_graph_takes_intervals_and_a_comparison() {
    for t in TestDb::all().await {
        let f = Fixture::new(&t).await;
        let day = f.day;
        // One day is graphed by the hour unless asked otherwise.
        let r = f.get("").await;
        assert_eq!(r["interval"], "hour");
        let hours = r["timeseries"].as_array().unwrap();
        assert_eq!(hours.len(), 24);
        assert_eq!(
            hours[10],
            json!({"date": format!("{day} 10:00"), "pageviews": 2, "visitors": 1, "value": 1.0})
        );
        assert_eq!(hours[15]["pageviews"], 1);
        let r = f.get("&interval=day").await;
        assert_eq!(
            r["timeseries"],
            json!([{"date": day.to_string(), "pageviews": 6, "visitors": 3, "value": 3.0}])
        );

        // Weeks start on Monday, months on their first day.
        let start = day - Duration::days(13);
        let id_base = f.base.split('?').next().unwrap().to_owned();
        let weekly = get_as(
            &f.app,
            &format!("{id_base}?period=custom&start={start}&end={day}&interval=week"),
            &f.cookie,
        )
        .await
        .json();
        let dates: Vec<chrono::NaiveDate> = weekly["timeseries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["date"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(dates.len() >= 2 && dates.len() <= 3, "{dates:?}");
        assert!(dates.iter().all(|d| d.format("%a").to_string() == "Mon"));
        let total: u64 = weekly["timeseries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["pageviews"].as_u64().unwrap())
            .sum();
        assert_eq!(total, 6);
        let monthly = get_as(
            &f.app,
            &format!("{id_base}?period=custom&start={start}&end={day}&interval=month"),
            &f.cookie,
        )
        .await
        .json();
        assert!(
            monthly["timeseries"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["date"].as_str().unwrap().ends_with("-01"))
        );

        // The previous period by default, a year before, or none.
        let r = f.get("&interval=day").await;
        let before = day - Duration::days(1);
        assert_eq!(r["compared"]["start"], before.to_string());
        assert_eq!(r["previous_timeseries"][0]["date"], before.to_string());
        let r = f.get("&compare=year_over_year").await;
        assert_eq!(
            r["compared"]["start"],
            day.checked_sub_months(chrono::Months::new(12))
                .unwrap()
                .to_string()
        );
        let r = f.get("&compare=off").await;
        assert_eq!(r["compared"], Value::Null);
        assert_eq!(r["previous"]["visitors"], 0);
        let r = f
            .get(&format!(
                "&compare=custom&compare_start={day}&compare_end={day}"
            ))
            .await;
        assert_eq!(r["previous"]["visitors"], 3);
        let r = f
            .get("&compare=previous_period&match_day_of_week=true")
            .await;
        assert_eq!(
            r["compared"]["start"],
            (day - Duration::days(7)).to_string()
        );

        assert!(f.refused("&interval=minute").await.contains("interval"));
        assert!(f.refused("&compare=decade").await.contains("compare"));
        let long = get_as(
            &f.app,
            &format!("{id_base}?period=30d&interval=hour"),
            &f.cookie,
        )
        .await;
        assert_eq!(long.status, StatusCode::BAD_REQUEST, "{}", long.body);
        t.teardown().await;
    }
}

#[tokio::test]
async fn revenue_goals_report_their_total_and_average() {
    for t in TestDb::all().await {
        let f = Fixture::new(&t).await;
        f.add_goal(r#"{"event_name":"Purchase","currency":"EUR"}"#)
            .await;
        common::plausible_beacons(
            &f.app,
            &[
                r#"{"n":"Purchase","u":"https://shop.example/checkout","d":"shop.example","$":{"amount":12.5,"currency":"EUR"}}"#,
                r#"{"n":"Purchase","u":"https://shop.example/checkout","d":"shop.example","$":{"amount":"30","currency":"EUR"}}"#,
            ],
        )
        .await;
        let uri = format!("/api/v1/sites/{}/analytics?period=today", f.site);
        let r = get_as(&f.app, &uri, &f.cookie).await.json();
        let purchase = r["goals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["name"] == "Purchase")
            .cloned()
            .unwrap_or_else(|| panic!("no Purchase goal in {r}"));
        assert_eq!(purchase["events"], 2);
        assert_eq!(
            purchase["revenue"],
            json!({"currency": "EUR", "total": 42.5, "average": 21.25})
        );
        // A goal without a currency has no revenue field.
        assert!(
            r["goals"]
                .as_array()
                .unwrap()
                .iter()
                .all(|g| g["name"] == "Purchase" || g.get("revenue").is_none())
        );
        t.teardown().await;
    }
}

#[tokio::test]
async fn custom_properties_are_listed_by_key_and_filter_the_report() {
    for t in TestDb::all().await {
        let f = Fixture::new(&t).await;
        let r = f.get("").await;
        // Two events carry each key: the tie goes by name.
        assert_eq!(r["property_keys"], json!(["ab", "plan"]));
        assert_eq!(
            r["properties"],
            json!([
                {"key": "ab", "value": "a", "visitors": 1, "events": 1},
                {"key": "ab", "value": "b", "visitors": 1, "events": 1},
            ])
        );
        let r = f.get("&property=plan").await;
        assert_eq!(
            r["properties"],
            json!([
                {"key": "plan", "value": "free", "visitors": 1, "events": 1},
                {"key": "plan", "value": "pro", "visitors": 1, "events": 1},
            ])
        );
        // A key no event carries is an empty list, not an error.
        assert_eq!(f.get("&property=colour").await["properties"], json!([]));

        // Filters keep the events that carry the value (or lack it).
        let r = f.get("&prop:plan=pro").await;
        assert_eq!(r["summary"]["visitors"], 1);
        assert_eq!(r["summary"]["pageviews"], 0);
        assert_eq!(
            r["events"],
            json!([{"name": "Signup", "visitors": 1, "events": 1}])
        );
        assert_eq!(r["goals"][0]["name"], "Signup");
        let r = f.get("&prop:plan!=pro").await;
        assert_eq!(r["summary"]["pageviews"], 6);
        assert_eq!(r["summary"]["visitors"], 3);
        let r = f.get("&prop:ab~B&property=ab").await;
        assert_eq!(r["summary"]["pageviews"], 1);
        assert_eq!(r["pages"][0]["path"], "/pricing");
        assert_eq!(r["properties"][0]["value"], "b");
        assert_eq!(r["properties"].as_array().unwrap().len(), 1);
        // Events without the property never match it, in the figures counted
        // from events and in those of the Stats engine alike.
        let r = f.get("&prop:plan~n").await;
        assert_eq!(r["summary"]["visitors"], 0);
        assert_eq!(r["entry_pages"], json!([]));
        assert_eq!(r["goals"], json!([]));
        let r = f.get("&prop:plan=free|pro&goal=Signup").await;
        assert_eq!(r["summary"]["visitors"], 1);

        assert!(f.refused("&prop:=x").await.contains("needs a key"));
        assert!(f.refused("&prop:a%22b=x").await.contains("double quote"));
        assert!(f.refused("&prop:plan%5C=x").await.contains("backslash"));
        assert!(f.refused("&property=").await.contains("property"));
        t.teardown().await;
    }
}
