//! Plausible's Stats API v1: `aggregate`, `timeseries`, `breakdown` and
//! `realtime/visitors`, from query parameters to Plausible's JSON. Periods
//! follow Plausible today: `7d` and `30d` end the day before `date`; `month`,
//! `6mo` and `12mo` run to the end of `date`'s month.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use super::{
    Answer, Source, StatsError,
    engine::{Sums, labels},
    invalid,
    query::{Dimension, Filter, Interval, Metric, Prop, Query},
    run,
};
use crate::{
    analytics::{
        DateRange,
        request::period::{day_start, local_date},
    },
    entities::{goal, site},
};

mod filters;
mod period;
mod rules;

use period::range;

const PROPERTIES_URL: &str = "https://plausible.io/docs/stats-api#properties";

/// A v1 request's query parameters (the last of a repeated one wins, as in
/// Plausible).
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Params {
        Params(pairs.into_iter().collect())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

fn today(site: &site::Model) -> (Tz, NaiveDate) {
    let tz: Tz = site.timezone.parse().unwrap_or(Tz::UTC);
    (tz, local_date(tz, chrono::Utc::now().timestamp_millis()))
}

fn query(
    range: DateRange,
    tz: Tz,
    metrics: Vec<Metric>,
    dimensions: Vec<Dimension>,
    filter: Option<Filter>,
) -> Query {
    Query {
        from: day_start(tz, range.start),
        to: day_start(tz, range.end + Duration::days(1)),
        range,
        tz,
        metrics,
        dimensions,
        filter,
    }
}

/// A metric's value as v1 writes it: counts, bounce rate and durations as
/// integers, views per visit and conversion rates to two decimals.
fn number(metric: Metric, value: f64, present: bool) -> Value {
    match metric {
        Metric::ViewsPerVisit | Metric::ConversionRate => json!(round(value, 2)),
        Metric::TimeOnPage if !present => Value::Null,
        _ => json!(value.round() as i64),
    }
}

fn round(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

/// Whether a metric has any data behind it (time on page needs engagement).
fn present(metric: Metric, sums: &Sums) -> bool {
    metric != Metric::TimeOnPage || sums.engaged_count > 0
}

fn row_values(
    answer: &Answer,
    metrics: &[Metric],
    key: &[String],
    sums: &Sums,
    into: &mut Map<String, Value>,
) {
    for &metric in metrics {
        let value = answer.value(metric, key, sums);
        into.insert(
            metric.name().to_owned(),
            number(metric, value, present(metric, sums)),
        );
    }
}

pub async fn aggregate(
    source: &Source<'_>,
    site: &site::Model,
    goals: &[goal::Model],
    params: &Params,
) -> Result<Value, StatsError> {
    let (tz, today) = today(site);
    let (range, _) = range(params, today)?;
    let filter = filters::parse(params.get("filters").unwrap_or(""), goals)?;
    let metrics = rules::metrics(params.get("metrics"), filter.as_ref(), None)?;
    let current = query(range, tz, metrics.clone(), Vec::new(), filter.clone());
    let answer = run(source, site, goals, &current).await?;
    let empty = Sums::default();
    let sums = answer.table.sums.first().unwrap_or(&empty);
    let compare = params.get("compare") == Some("previous_period");
    let previous = if compare {
        let end = range.end.min(today).max(range.start);
        let days = (end - range.start).num_days() + 1;
        let before = DateRange {
            start: range.start - Duration::days(days),
            end: range.start - Duration::days(1),
        };
        Some(
            run(
                source,
                site,
                goals,
                &query(before, tz, metrics.clone(), Vec::new(), filter),
            )
            .await?,
        )
    } else {
        None
    };
    let mut results = Map::new();
    for &metric in &metrics {
        let value = number(
            metric,
            answer.value(metric, &[], sums),
            present(metric, sums),
        );
        let mut entry = Map::from_iter([("value".to_owned(), value.clone())]);
        if let Some(previous) = &previous {
            let old_sums = previous.table.sums.first().unwrap_or(&empty);
            let old = number(
                metric,
                previous.value(metric, &[], old_sums),
                present(metric, old_sums),
            );
            entry.insert("change".into(), change(metric, &value, &old));
            entry.insert("comparison_value".into(), old);
        }
        results.insert(metric.name().to_owned(), Value::Object(entry));
    }
    Ok(json!({ "results": results }))
}

/// Plausible's change between periods: a whole percent, but percentage
/// points for rates (none for a bounce rate from nothing).
fn change(metric: Metric, new: &Value, old: &Value) -> Value {
    let (Some(new), Some(old)) = (new.as_f64(), old.as_f64()) else {
        return Value::Null;
    };
    match metric {
        Metric::BounceRate if old == 0.0 => Value::Null,
        Metric::BounceRate => json!((new - old).round() as i64),
        Metric::ConversionRate => json!(round(new - old, 1)),
        _ if old == 0.0 => json!(if new > 0.0 { 100 } else { 0 }),
        _ => json!(((new - old) / old * 100.0).round() as i64),
    }
}

pub async fn timeseries(
    source: &Source<'_>,
    site: &site::Model,
    goals: &[goal::Model],
    params: &Params,
) -> Result<Value, StatsError> {
    let (tz, today) = today(site);
    let (range, period) = range(params, today)?;
    let interval = match params
        .get("interval")
        .map(|i| if i == "date" { "day" } else { i })
    {
        None => match period {
            "day" => Interval::Hour,
            "6mo" | "12mo" => Interval::Month,
            _ => Interval::Day,
        },
        Some("day") => Interval::Day,
        Some("month") => Interval::Month,
        Some(other) => {
            return invalid(format!(
                "Error parsing `interval` parameter: invalid interval `{other}`. Valid intervals are `day`, `month`"
            ));
        }
    };
    let filter = filters::parse(params.get("filters").unwrap_or(""), goals)?;
    let metrics = rules::metrics(params.get("metrics"), filter.as_ref(), None)?;
    let current = query(
        range,
        tz,
        metrics.clone(),
        vec![Dimension::Time(interval)],
        filter,
    );
    let answer = run(source, site, goals, &current).await?;
    let mut results = Vec::new();
    for label in labels(&current, interval) {
        let key = [label.clone()];
        let mut row = Map::from_iter([("date".to_owned(), Value::String(label))]);
        match answer.table.find(&key) {
            Some(sums) => row_values(&answer, &metrics, &key, sums, &mut row),
            None => {
                for &metric in &metrics {
                    let empty = match metric {
                        Metric::VisitDuration | Metric::TimeOnPage => Value::Null,
                        Metric::ViewsPerVisit | Metric::ConversionRate => json!(0.0),
                        _ => json!(0),
                    };
                    row.insert(metric.name().to_owned(), empty);
                }
            }
        }
        results.push(Value::Object(row));
    }
    Ok(json!({ "results": results }))
}

/// The value a breakdown row shows for a stored one; `None` drops the row
/// (Plausible lists no empty UTM value, entry or exit page, or place).
pub(super) fn shown(prop: &Prop, value: &str) -> Option<String> {
    if !value.is_empty() {
        return Some(value.to_owned());
    }
    match prop {
        Prop::Source | Prop::Referrer => Some("Direct / None".into()),
        Prop::Device | Prop::Os | Prop::OsVersion | Prop::Browser | Prop::BrowserVersion => {
            Some("(not set)".into())
        }
        Prop::Name | Prop::Page | Prop::Hostname | Prop::Custom(_) => Some(String::new()),
        _ => None,
    }
}

pub async fn breakdown(
    source: &Source<'_>,
    site: &site::Model,
    goals: &[goal::Model],
    params: &Params,
) -> Result<Value, StatsError> {
    let (tz, today) = today(site);
    let (range, _) = range(params, today)?;
    let Some(name) = params.get("property") else {
        return invalid(
            "The `property` parameter is required. Please provide at least one property to show a breakdown by.",
        );
    };
    let property = match Prop::parse(name) {
        Some(Prop::Hostname) => {
            return invalid(format!(
                "Property 'event:hostname' is currently not supported for breakdowns.  Please provide a valid property for the breakdown endpoint: {PROPERTIES_URL}"
            ));
        }
        Some(prop) if !matches!(prop, Prop::EntryPageHostname | Prop::ExitPageHostname) => prop,
        _ => {
            return invalid(format!(
                "Invalid property '{name}'. Please provide a valid property for the breakdown endpoint: {PROPERTIES_URL}"
            ));
        }
    };
    let filter = filters::parse(params.get("filters").unwrap_or(""), goals)?;
    let metrics = rules::metrics(params.get("metrics"), filter.as_ref(), Some(&property))?;
    let limit = match params.get("limit") {
        None => 100,
        Some(text) => match text.parse::<usize>() {
            Ok(n @ 1..=1000) => n,
            _ => return invalid("Please provide limit as a number between 1 and 1000."),
        },
    };
    let page = match params.get("page") {
        None => 1,
        Some(text) => match text.parse::<usize>() {
            Ok(n @ 1..) => n,
            _ => return invalid("Please provide page as a positive number."),
        },
    };
    // A version is shown with what it is a version of.
    let props: Vec<Prop> = match property {
        Prop::BrowserVersion => vec![Prop::BrowserVersion, Prop::Browser],
        Prop::OsVersion => vec![Prop::OsVersion, Prop::Os],
        ref other => vec![other.clone()],
    };
    let dimensions = props.iter().cloned().map(Dimension::Prop).collect();
    let counted = query(range, tz, metrics.clone(), dimensions, filter);
    let answer = run(source, site, goals, &counted).await?;
    let sort_by = metrics
        .iter()
        .copied()
        .find(|m| *m != Metric::TimeOnPage)
        .unwrap_or(Metric::Visitors);
    let mut rows: Vec<(f64, Vec<String>, &Vec<String>, &Sums)> = Vec::new();
    for (key, sums) in answer.table.keys.iter().zip(&answer.table.sums) {
        let shown: Option<Vec<String>> = props.iter().zip(key).map(|(p, v)| shown(p, v)).collect();
        if let Some(shown) = shown {
            rows.push((answer.value(sort_by, key, sums), shown, key, sums));
        }
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let results: Vec<Value> = rows
        .into_iter()
        .skip((page - 1).saturating_mul(limit))
        .take(limit)
        .map(|(_, shown, key, sums)| {
            let mut row = Map::new();
            for (prop, value) in props.iter().zip(shown) {
                row.insert(prop.short_name(), Value::String(value));
            }
            row_values(&answer, &metrics, key, sums, &mut row);
            Value::Object(row)
        })
        .collect();
    Ok(json!({ "results": results }))
}
