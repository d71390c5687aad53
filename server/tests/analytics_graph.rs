//! The analytics API's graph beyond visitors and pageviews, on SQLite and
//! PostgreSQL: any top stat per bucket (`metric=`), and the realtime view
//! of the last 30 minutes.

mod common;

use chrono::{Duration, Utc};
use common::{get_as, plausible_beacons, visits::Fixture};
use pagepulse_core::testing::TestDb;
use serde_json::Value;

/// The `value` of each point of `report[series]`.
fn values_of(report: &Value, series: &str) -> Vec<f64> {
    report[series]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect()
}

fn values(report: &Value) -> Vec<f64> {
    values_of(report, "timeseries")
}

#[tokio::test]
async fn the_graph_follows_any_top_stat() {
    for t in TestDb::all().await {
        let f = Fixture::new(&t).await;
        // Four visits: two of several pages (2 and 5 minutes long), two
        // bounces; six pageviews.
        let day = |metric: &str| format!("&interval=day&metric={metric}");
        let r = f.get(&day("visits")).await;
        assert_eq!(r["metric"], "visits");
        assert_eq!(values(&r), [4.0]);
        assert_eq!(values(&f.get(&day("bounce_rate")).await), [50.0]);
        assert_eq!(values(&f.get(&day("visit_duration")).await), [105.0]);
        assert_eq!(values(&f.get(&day("views_per_visit")).await), [1.5]);
        assert_eq!(values(&f.get(&day("pageviews")).await), [6.0]);
        let r = f.get("&interval=day").await;
        assert_eq!(r["metric"], "visitors", "visitors unless asked");
        assert_eq!(values(&r), [3.0]);

        // By the hour: one visit at 10, 11, 12 and 15 o'clock.
        let r = f.get("&metric=visits").await;
        let hours = values(&r);
        assert_eq!(hours.len(), 24);
        for (hour, visits) in hours.iter().enumerate() {
            let expected = if [10, 11, 12, 15].contains(&hour) {
                1.0
            } else {
                0.0
            };
            assert_eq!(*visits, expected, "hour {hour}");
        }
        let r = f.get("&metric=bounce_rate").await;
        assert_eq!(values(&r)[10], 0.0);
        assert_eq!(values(&r)[12], 100.0);

        // Weeks and months carry the metric too, whichever day they begin.
        let start = f.day - Duration::days(20);
        let id_base = f.base.split('?').next().unwrap().to_owned();
        for interval in ["week", "month"] {
            let uri = format!(
                "{id_base}?period=custom&start={start}&end={}&interval={interval}&metric=visits",
                f.day
            );
            let r = get_as(&f.app, &uri, &f.cookie).await.json();
            assert_eq!(values(&r).iter().sum::<f64>(), 4.0, "{interval}: {r}");
            let previous = values_of(&r, "previous_timeseries");
            assert_eq!(previous.iter().sum::<f64>(), 0.0, "{interval}");
        }
        // The compared day holds the same visits: its values are the metric's.
        let r = f
            .get(&format!(
                "&interval=day&metric=bounce_rate&compare=custom&compare_start={0}&compare_end={0}",
                f.day
            ))
            .await;
        assert_eq!(r["previous_timeseries"][0]["value"], 50.0);

        assert!(f.refused("&metric=revenue").await.contains("metric"));
        t.teardown().await;
    }
}

#[tokio::test]
async fn the_realtime_view_counts_the_last_30_minutes() {
    for t in TestDb::all().await {
        // The fixture's visits are two days old: not in the window.
        let f = Fixture::new(&t).await;
        plausible_beacons(
            &f.app,
            &[
                r#"{"n":"pageview","u":"https://shop.example/live","d":"shop.example","r":"https://news.ycombinator.com/"}"#,
                r#"{"n":"pageview","u":"https://shop.example/live/more","d":"shop.example","r":"https://news.ycombinator.com/"}"#,
                // A custom event on a page not viewed: not a page of the view.
                r#"{"n":"Purchase","u":"https://shop.example/checkout","d":"shop.example","r":"https://news.ycombinator.com/"}"#,
            ],
        )
        .await;
        let uri = format!("/api/v1/sites/{}/analytics?period=realtime", f.site);
        let minute = || Utc::now().format("%Y-%m-%d %H:%M").to_string();
        let before = minute();
        let reply = get_as(&f.app, &uri, &f.cookie).await;
        let after = minute();
        assert!(reply.status.is_success(), "{}", reply.body);
        let r = reply.json();
        assert_eq!(r["interval"], "minute");
        assert_eq!(r["summary"]["visitors"], 1);
        assert_eq!(r["summary"]["pageviews"], 2);
        assert_eq!(r["realtime_visitors"], 1);
        let minutes = r["timeseries"].as_array().unwrap();
        assert_eq!(minutes.len(), 30);
        // The current minute closes the graph.
        let last = minutes[29]["date"].as_str().unwrap();
        assert!(last == before || last == after, "{last}: {before}–{after}");
        let pageviews: u64 = minutes
            .iter()
            .map(|m| m["pageviews"].as_u64().unwrap())
            .sum();
        assert_eq!(pageviews, 2);
        let pages: Vec<&str> = r["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["path"].as_str().unwrap())
            .collect();
        assert_eq!(pages, ["/live", "/live/more"]);
        assert_eq!(r["referrers"].as_array().unwrap().len(), 1, "{r}");
        assert_eq!(r["referrers"][0]["visitors"], 1);

        // Filters narrow it like any other period.
        let r = get_as(&f.app, &format!("{uri}&page=/live"), &f.cookie)
            .await
            .json();
        assert_eq!(r["summary"]["pageviews"], 1);
        t.teardown().await;
    }
}

#[tokio::test]
async fn a_stored_event_shows_at_once_in_the_open_days_graph() {
    for t in TestDb::all().await {
        let f = Fixture::new(&t).await;
        let uri = format!(
            "/api/v1/sites/{}/analytics?period=today&metric=visits",
            f.site
        );
        let hourly = |r: &Value| -> (u64, f64) {
            let points = r["timeseries"].as_array().unwrap();
            (
                points
                    .iter()
                    .map(|p| p["pageviews"].as_u64().unwrap())
                    .sum(),
                points.iter().map(|p| p["value"].as_f64().unwrap()).sum(),
            )
        };
        let before = get_as(&f.app, &uri, &f.cookie).await.json();
        assert_eq!(hourly(&before), (0, 0.0));
        plausible_beacons(
            &f.app,
            &[r#"{"n":"pageview","u":"https://shop.example/new","d":"shop.example"}"#],
        )
        .await;
        // Today's hours are counted by the Stats engine, whose answers about
        // the open day are kept only until an event is stored.
        let after = get_as(&f.app, &uri, &f.cookie).await.json();
        assert_eq!(hourly(&after), (1, 1.0));
        t.teardown().await;
    }
}
