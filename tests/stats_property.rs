//! Every Stats API answer equals a brute-force count. Random events (random
//! visitors, visits, pages, sources, campaigns, custom events with props) in
//! UTC and in a zone with DST; random v2 queries (metrics, one dimension or
//! none or a time dimension, filter trees of `is`/`is_not`/`contains`/
//! `matches` under `or` and `not`, goals) and the v1 breakdowns and
//! aggregates of the same questions; each compared with a count written here
//! from the raw rows alone, on SQLite and PostgreSQL.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;
use pagepulse_core::{
    analytics::Reports,
    entities::{event, goal, site},
    goals::{self, NewGoal},
    rollup::roll_day,
    stats::{Source, pack_day, v1, v2},
    testing::{TestDb, insert_site_in, random_events, store_events},
};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

/// 2026-03-20: the week before Europe's clocks change.
const FIRST_DAY: i64 = 20_532;
const DAYS: i64 = 9;

/// What a referrer host is called: the few the random events use.
fn source_name(host: &str) -> String {
    match host {
        "google.com" => "Google".into(),
        "news.ycombinator.com" => "Hacker News".into(),
        "t.co" => "X (Twitter)".into(),
        other => other.into(),
    }
}

struct Visit {
    first: usize,
    entry: usize,
    exit: usize,
    events: Vec<usize>,
    bounce: bool,
    duration: i64,
}

fn visits(rows: &[event::Model]) -> Vec<Visit> {
    let mut by_id: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        by_id.entry(row.visit_id).or_default().push(i);
    }
    by_id
        .into_values()
        .map(|events| {
            let pages: Vec<usize> = events
                .iter()
                .copied()
                .filter(|&i| rows[i].name == "pageview")
                .collect();
            let interactions = events
                .iter()
                .filter(|&&i| rows[i].name == "pageview" || rows[i].interactive)
                .count();
            let (first, last) = (events[0], *events.last().unwrap());
            Visit {
                first,
                entry: *pages.first().unwrap_or(&first),
                exit: *pages.last().unwrap_or(&last),
                bounce: interactions == 1,
                duration: rows[last].ts - rows[first].ts,
                events,
            }
        })
        .collect()
}

/// A property's raw value for an event in its visit.
fn value(prop: &str, rows: &[event::Model], visit: &Visit, i: usize) -> String {
    let first = &rows[visit.first];
    let row = &rows[i];
    match prop {
        "event:page" => row.path.clone(),
        "event:name" => row.name.clone(),
        "event:props:plan" => row
            .props
            .as_deref()
            .and_then(|p| serde_json::from_str::<HashMap<String, String>>(p).ok())
            .and_then(|p| p.get("plan").cloned())
            .unwrap_or_else(|| "(none)".into()),
        "visit:source" if !first.utm_source.is_empty() => first.utm_source.clone(),
        "visit:source" => source_name(&first.referrer_source),
        "visit:referrer" => first.referrer_source.clone(),
        "visit:utm_source" => first.utm_source.clone(),
        "visit:utm_campaign" => first.utm_campaign.clone(),
        "visit:browser" => first.browser.clone(),
        "visit:os" => first.os.clone(),
        "visit:device" => first.device.clone(),
        "visit:country" => first.country.clone().unwrap_or_default(),
        "visit:entry_page" => rows[visit.entry].path.clone(),
        "visit:exit_page" => rows[visit.exit].path.clone(),
        other => panic!("no brute force for {other}"),
    }
}

fn placeholder(prop: &str) -> Option<&'static str> {
    match prop {
        "visit:source" | "visit:referrer" => Some("Direct / None"),
        "visit:utm_source" | "visit:utm_campaign" | "visit:browser" | "visit:os"
        | "visit:device" => Some("(not set)"),
        _ => None,
    }
}

/// The goals every random site has: an event goal and a wildcard page goal.
fn completes(goal: &str, row: &event::Model) -> bool {
    match goal {
        "Signup" => row.name == "Signup",
        "Visit /blog/*" => row.name == "pageview" && row.path.starts_with("/blog/"),
        other => panic!("unknown goal {other}"),
    }
}

const GOALS: [&str; 2] = ["Signup", "Visit /blog/*"];

/// A leaf's test of one value (and of the empty value's placeholder).
fn hits(op: &str, clauses: &[String], value: &str, prop: &str) -> bool {
    let test = |v: &str| match op {
        "is" | "is_not" => clauses.iter().any(|c| c == v),
        "contains" | "contains_not" => clauses.iter().any(|c| v.contains(c.as_str())),
        "matches" | "matches_not" => clauses
            .iter()
            .any(|c| regex::Regex::new(c).unwrap().is_match(v)),
        other => panic!("operator {other}"),
    };
    test(value) || (value.is_empty() && placeholder(prop).is_some_and(test))
}

fn passes(filter: &Value, rows: &[event::Model], visit: &Visit, i: usize) -> bool {
    let items = filter.as_array().unwrap();
    match items[0].as_str().unwrap() {
        "and" => items[1]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| passes(f, rows, visit, i)),
        "or" => items[1]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| passes(f, rows, visit, i)),
        "not" => !passes(&items[1], rows, visit, i),
        op => {
            let prop = items[1].as_str().unwrap();
            let clauses: Vec<String> = serde_json::from_value(items[2].clone()).unwrap();
            let hit = if prop == "event:goal" {
                clauses.iter().any(|g| completes(g, &rows[i]))
            } else {
                hits(op, &clauses, &value(prop, rows, visit, i), prop)
            };
            hit != op.ends_with("_not")
        }
    }
}

#[derive(Default, Debug)]
struct Expected {
    visitors: HashSet<i64>,
    pageviews: i64,
    events: i64,
    visits: i64,
    bounce_visits: i64,
    bounces: i64,
    duration: i64,
}

/// The brute-force count: per group (the dimension's values), over every
/// event of the range judged with its visit.
fn count(
    rows: &[event::Model],
    tz: Tz,
    range_start: NaiveDate,
    filters: &[Value],
    dimensions: &[String],
) -> BTreeMap<Vec<String>, Expected> {
    let filter = json!(["and", filters]);
    let page_filtered = filters
        .to_vec()
        .iter()
        .any(|f| f.to_string().contains("\"event:page\""));
    let keys = |visit: &Visit, i: usize, ts: i64| -> Vec<Vec<String>> {
        let mut keys = vec![Vec::new()];
        for dimension in dimensions {
            let values: Vec<String> = match dimension.as_str() {
                "time:day" => vec![
                    tz.timestamp_millis_opt(ts)
                        .unwrap()
                        .date_naive()
                        .to_string(),
                ],
                "time:hour" => vec![
                    tz.timestamp_millis_opt(ts)
                        .unwrap()
                        .naive_local()
                        .format("%Y-%m-%d %H:00:00")
                        .to_string(),
                ],
                "time:week" | "time:month" => {
                    let date = tz.timestamp_millis_opt(ts).unwrap().date_naive();
                    let start = if dimension == "time:week" {
                        date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
                    } else {
                        date.with_day(1).unwrap()
                    };
                    vec![start.max(range_start).to_string()]
                }
                "event:goal" => GOALS
                    .iter()
                    .filter(|g| completes(g, &rows[i]))
                    .map(|g| (*g).to_owned())
                    .collect(),
                prop => vec![value(prop, rows, visit, i)],
            };
            keys = keys
                .into_iter()
                .flat_map(|key| {
                    values.iter().map(move |v| {
                        let mut key = key.clone();
                        key.push(v.clone());
                        key
                    })
                })
                .collect();
        }
        keys
    };
    let mut groups: BTreeMap<Vec<String>, Expected> = BTreeMap::new();
    for visit in visits(rows) {
        let passing: Vec<usize> = visit
            .events
            .iter()
            .copied()
            .filter(|&i| filters.is_empty() || passes(&filter, rows, &visit, i))
            .collect();
        let Some(&first_passing) = passing.first() else {
            continue;
        };
        let mut visit_keys = HashSet::new();
        for &i in &passing {
            for key in keys(&visit, i, rows[i].ts) {
                let group = groups.entry(key).or_default();
                group.visitors.insert(rows[i].visitor_id);
                group.events += 1;
                group.pageviews += i64::from(rows[i].name == "pageview");
            }
            // Visits by the page they entered on, in the day their first
            // counted event fell on.
            let at = if dimensions.iter().any(|d| d == "event:page") {
                visit.entry
            } else {
                i
            };
            visit_keys.extend(keys(&visit, at, rows[first_passing].ts));
        }
        let entered = !page_filtered || passes(&filter, rows, &visit, visit.entry);
        for key in visit_keys {
            let group = groups.entry(key).or_default();
            group.visits += 1;
            group.duration += visit.duration;
            if entered {
                group.bounce_visits += 1;
                group.bounces += i64::from(visit.bounce);
            }
        }
    }
    groups
}

fn metric(name: &str, e: &Expected, base: i64) -> f64 {
    let ratio = |a: i64, b: i64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    match name {
        "visitors" => e.visitors.len() as f64,
        "visits" => e.visits as f64,
        "pageviews" => e.pageviews as f64,
        "events" => e.events as f64,
        "bounce_rate" => (100.0 * ratio(e.bounces, e.bounce_visits)).round(),
        "visit_duration" => (ratio(e.duration, e.visits) / 1000.0).round(),
        "conversion_rate" => (1000.0 * ratio(e.visitors.len() as i64, base)).round() / 10.0,
        other => panic!("metric {other}"),
    }
}

/// A random leaf over a property the brute force knows, its clauses drawn
/// from values the data has and a few it has not.
fn random_leaf(rng: &mut StdRng) -> Value {
    let (prop, values): (&str, &[&str]) = *[
        (
            "event:page",
            &["/", "/pricing", "/docs", "/blog/a", "/nope"][..],
        ),
        ("event:name", &["pageview", "Signup", "Download"][..]),
        ("event:props:plan", &["pro", "free", "(none)"][..]),
        (
            "visit:source",
            &["Google", "Hacker News", "Direct / None", "news"][..],
        ),
        ("visit:browser", &["Chrome", "Firefox", "Safari"][..]),
        ("visit:device", &["desktop", "mobile", "tablet"][..]),
        ("visit:country", &["US", "DE", "IN"][..]),
        ("visit:entry_page", &["/", "/docs", "/blog/b"][..]),
        ("visit:utm_campaign", &["launch", "brand", "(not set)"][..]),
    ]
    .choose(rng)
    .unwrap();
    let op = *["is", "is", "is_not", "contains", "contains_not", "matches"]
        .choose(rng)
        .unwrap();
    let clauses: Vec<String> = (0..rng.random_range(1..=2))
        .map(|_| {
            let v = *values.choose(rng).unwrap();
            match op {
                "contains" | "contains_not" => v.chars().take(3).collect(),
                "matches" => format!("^{}", regex::escape(&v.chars().take(4).collect::<String>())),
                _ => v.to_owned(),
            }
        })
        .collect();
    json!([op, prop, clauses])
}

/// One exact filter on a value the rollups are sliced by.
fn sliced_filter(rng: &mut StdRng) -> Value {
    let (prop, values): (&str, &[&str]) = *[
        (
            "visit:referrer",
            &["google.com", "t.co", "Direct / None"][..],
        ),
        ("visit:utm_campaign", &["launch", "(not set)"][..]),
        ("visit:browser", &["Chrome", "Safari"][..]),
        ("visit:os", &["iOS", "Windows"][..]),
        ("visit:country", &["US", "DE"][..]),
        ("event:page", &["/", "/docs"][..]),
    ]
    .choose(rng)
    .unwrap();
    json!(["is", prop, [*values.choose(rng).unwrap()]])
}

fn random_filters(rng: &mut StdRng) -> Vec<Value> {
    if rng.random_bool(0.3) {
        return vec![sliced_filter(rng)];
    }
    let mut filters = Vec::new();
    for _ in 0..rng.random_range(0..=3) {
        filters.push(match rng.random_range(0..6) {
            0 => json!(["or", [random_leaf(rng), random_leaf(rng)]]),
            1 => json!(["not", random_leaf(rng)]),
            2 => json!(["is", "event:goal", [*GOALS.choose(rng).unwrap()]]),
            _ => random_leaf(rng),
        });
    }
    filters
}

async fn site_in(db: &DatabaseConnection, zone: &str) -> site::Model {
    let site = insert_site_in(
        db,
        &format!("{}.example", uuid::Uuid::new_v4().simple()),
        zone,
    )
    .await;
    for (kind, target) in [("event", "Signup"), ("page", "/blog/*")] {
        let new = match kind {
            "event" => NewGoal::from_fields(Some(kind), Some(target), None, None),
            _ => NewGoal::from_fields(Some(kind), None, Some(target), None),
        };
        goals::create(db, site.id, new.unwrap()).await.unwrap();
    }
    site
}

async fn rows_between(
    db: &DatabaseConnection,
    site: &site::Model,
    from: i64,
    to: i64,
) -> Vec<event::Model> {
    event::Entity::find()
        .filter(event::Column::SiteId.eq(site.id))
        .filter(event::Column::Ts.gte(from))
        .filter(event::Column::Ts.lt(to))
        .order_by_asc(event::Column::Ts)
        .order_by_asc(event::Column::Id)
        .all(db)
        .await
        .unwrap()
}

fn local_start(tz: Tz, date: NaiveDate) -> i64 {
    tz.from_local_datetime(&date.and_hms_opt(0, 0, 0).unwrap())
        .earliest()
        .unwrap()
        .timestamp_millis()
}

#[tokio::test]
async fn v2_answers_equal_brute_force_counts() {
    for t in TestDb::all().await {
        let mut rng = StdRng::seed_from_u64(0x57a75);
        for zone in ["UTC", "Europe/Berlin"] {
            let site = site_in(&t.db, zone).await;
            let tz: Tz = zone.parse().unwrap();
            store_events(&t.db, random_events(&mut rng, site.id, FIRST_DAY, DAYS)).await;
            let goals: Vec<goal::Model> = goals::list(&t.db, site.id).await.unwrap();
            let day0 = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + Duration::days(FIRST_DAY);
            // Some days rolled up: the rollups must answer as raw events do.
            for day in 0..DAYS {
                if rng.random_bool(0.6) {
                    roll_day(&t.db, site.id, tz, day0 + Duration::days(day))
                        .await
                        .unwrap();
                }
            }
            // Some UTC days packed: the packs must answer as raw events do.
            for day in FIRST_DAY - 1..=FIRST_DAY + DAYS {
                if rng.random_bool(0.6) {
                    pack_day(&t.db, site.id, day * 86_400_000).await.unwrap();
                }
            }
            let reports = Reports::new(t.db.clone(), 2);
            let sources = [Source::raw(&t.db), Source::with_rollups(&t.db, &reports)];
            for round in 0..80 {
                let start = day0 + Duration::days(rng.random_range(0..DAYS - 1));
                let end = start + Duration::days(rng.random_range(0..4));
                let (from, to) = (
                    local_start(tz, start),
                    local_start(tz, end + Duration::days(1)),
                );
                let rows = rows_between(&t.db, &site, from, to).await;
                let filters = random_filters(&mut rng);
                let goal_filtered = filters.iter().any(|f| f[1] == "event:goal");
                let dimension = *[
                    None,
                    Some("event:page"),
                    Some("visit:source"),
                    Some("visit:country"),
                    Some("event:props:plan"),
                    Some("visit:entry_page"),
                    Some("time:day"),
                    Some("time:hour"),
                    Some("time:week"),
                    Some("time:month"),
                    Some("visit:referrer"),
                    Some("event:goal"),
                ]
                .choose(&mut rng)
                .unwrap();
                let dimensions: Vec<String> = dimension.map(str::to_owned).into_iter().collect();
                let event_dimension =
                    dimension.is_some_and(|d| d.starts_with("event:") && d != "event:page");
                let session_dimension = dimension == Some("visit:entry_page");
                let mut metrics = vec!["visitors"];
                // Without visits, only the events a question names are read.
                if rng.random_bool(0.7) {
                    metrics.push("visits");
                }
                if !session_dimension {
                    metrics.push("pageviews");
                    // Without `events`, more questions are the rollups' to answer.
                    if rng.random_bool(0.5) {
                        metrics.push("events");
                    }
                }
                if !event_dimension {
                    metrics.extend(["bounce_rate", "visit_duration"]);
                }
                let conversion = goal_filtered || dimension == Some("event:goal");
                if conversion {
                    metrics.push("conversion_rate");
                }
                let body = json!({
                    "site_id": site.domain,
                    "metrics": metrics,
                    "date_range": [start.to_string(), end.to_string()],
                    "dimensions": dimensions,
                    "filters": filters,
                });
                let source = &sources[round % 2];
                let answer = v2::query(source, &site, &goals, &body).await.unwrap();

                let expected = count(&rows, tz, start, &filters, &dimensions);
                let base_filters: Vec<Value> = filters
                    .iter()
                    .filter(|f| f[1] != "event:goal")
                    .cloned()
                    .collect();
                let base_dimensions: Vec<String> = dimensions
                    .iter()
                    .filter(|d| *d != "event:goal")
                    .cloned()
                    .collect();
                let base = count(&rows, tz, start, &base_filters, &base_dimensions);
                let mut want: BTreeMap<Vec<String>, Vec<f64>> = BTreeMap::new();
                for (key, e) in &expected {
                    let shown: Option<Vec<String>> = dimensions
                        .iter()
                        .zip(key)
                        .map(|(d, v)| match (v.is_empty(), placeholder(d)) {
                            (false, _) => Some(v.clone()),
                            (true, Some(p)) => Some(p.to_owned()),
                            (true, None) if d == "visit:country" => None,
                            (true, None) => Some(String::new()),
                        })
                        .collect();
                    let Some(shown) = shown else { continue };
                    let base_key: Vec<String> = dimensions
                        .iter()
                        .zip(key)
                        .filter(|(d, _)| *d != "event:goal")
                        .map(|(_, v)| v.clone())
                        .collect();
                    let base_visitors = base.get(&base_key).map_or(0, |b| b.visitors.len() as i64);
                    want.insert(
                        shown,
                        metrics
                            .iter()
                            .map(|m| metric(m, e, base_visitors))
                            .collect(),
                    );
                }
                if dimensions.is_empty() && want.is_empty() {
                    want.insert(
                        Vec::new(),
                        metrics
                            .iter()
                            .map(|m| metric(m, &Expected::default(), 0))
                            .collect(),
                    );
                }
                let results = answer["results"].as_array().unwrap();
                let got: BTreeMap<Vec<String>, Vec<f64>> = results
                    .iter()
                    .map(|r| {
                        let key = serde_json::from_value(r["dimensions"].clone()).unwrap();
                        let values = r["metrics"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|m| m.as_f64().unwrap())
                            .collect();
                        (key, values)
                    })
                    .collect();
                assert_eq!(got, want, "{:?} round {round}: {body}", t.backend);
                // Sorted by the first metric, largest first.
                let firsts: Vec<f64> = results
                    .iter()
                    .map(|r| r["metrics"][0].as_f64().unwrap())
                    .collect();
                if !dimension.is_some_and(|d| d.starts_with("time")) {
                    assert!(firsts.windows(2).all(|w| w[0] >= w[1]), "{firsts:?}");
                }

                // The same question through v1, where v1 can ask it.
                let v1_filters = v1_filter_string(&filters);
                let v1_dimension = dimension.filter(|d| !d.starts_with("time"));
                if let (Some(v1_filters), false) = (v1_filters, conversion) {
                    let v1_metrics: Vec<&str> = metrics
                        .iter()
                        .copied()
                        .filter(|m| {
                            !(v1_blocks_session_metric(&filters, v1_dimension)
                                && matches!(*m, "visits" | "bounce_rate" | "visit_duration"))
                        })
                        .collect();
                    let mut pairs = vec![
                        ("site_id".to_owned(), site.domain.clone()),
                        ("period".to_owned(), "custom".to_owned()),
                        ("date".to_owned(), format!("{start},{end}")),
                        ("metrics".to_owned(), v1_metrics.join(",")),
                        ("filters".to_owned(), v1_filters),
                    ];
                    match v1_dimension {
                        Some(property) => {
                            pairs.push(("property".to_owned(), property.to_owned()));
                            pairs.push(("limit".to_owned(), "1000".to_owned()));
                            let params = v1::Params::from_pairs(pairs);
                            let answer =
                                v1::breakdown(source, &site, &goals, &params).await.unwrap();
                            let key = property.rsplit(':').next().unwrap();
                            for row in answer["results"].as_array().unwrap() {
                                let shown = vec![row[key].as_str().unwrap().to_owned()];
                                let want = want
                                    .get(&shown)
                                    .unwrap_or_else(|| panic!("v1 row {row} not expected: {body}"));
                                for (m, w) in
                                    v1_metrics.iter().zip(want_for(&metrics, want, &v1_metrics))
                                {
                                    assert_eq!(
                                        row[*m].as_f64().unwrap(),
                                        w,
                                        "v1 {m} of {row}: {body}"
                                    );
                                }
                            }
                        }
                        None if dimension.is_none() => {
                            let params = v1::Params::from_pairs(pairs);
                            let answer =
                                v1::aggregate(source, &site, &goals, &params).await.unwrap();
                            let want = &want[&Vec::<String>::new()];
                            for (m, w) in
                                v1_metrics.iter().zip(want_for(&metrics, want, &v1_metrics))
                            {
                                assert_eq!(
                                    answer["results"][*m]["value"].as_f64().unwrap(),
                                    w,
                                    "v1 {m}: {body}"
                                );
                            }
                        }
                        None => {}
                    }
                }
            }
        }
        t.teardown().await;
    }
}

fn want_for(metrics: &[&str], want: &[f64], asked: &[&str]) -> Vec<f64> {
    asked
        .iter()
        .map(|a| want[metrics.iter().position(|m| m == a).unwrap()])
        .collect()
}

/// v1 refuses session metrics with a filter on an event-only property or a
/// breakdown by one.
fn v1_blocks_session_metric(filters: &[Value], dimension: Option<&str>) -> bool {
    let text = serde_json::to_string(filters).unwrap();
    ["\"event:name\"", "\"event:props:plan\"", "\"event:goal\""]
        .iter()
        .any(|p| text.contains(p))
        || dimension.is_some_and(|d| matches!(d, "event:name" | "event:goal" | "event:props:plan"))
}

/// The filters in v1's syntax, when v1 can say them: `is` and `is_not`
/// leaves (one value for `!=`) at the top level.
fn v1_filter_string(filters: &[Value]) -> Option<String> {
    let mut clauses = Vec::new();
    for filter in filters {
        let op = filter[0].as_str()?;
        let prop = filter[1].as_str()?;
        let values: Vec<String> = serde_json::from_value(filter.get(2)?.clone()).ok()?;
        if values.iter().any(|v| v.contains(['|', '*', ';', '='])) {
            return None;
        }
        match op {
            "is" => clauses.push(format!("{prop}=={}", values.join("|"))),
            "is_not" if values.len() == 1 && prop != "event:goal" => {
                clauses.push(format!("{prop}!={}", values[0]))
            }
            _ => return None,
        }
    }
    Some(clauses.join(";"))
}
