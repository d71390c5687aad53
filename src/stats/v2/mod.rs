//! Plausible's Stats API v2, `POST /api/v2/query`: a JSON query to
//! `{results: [{metrics, dimensions}], meta, query}`, with the schema's and
//! the validations' messages as Plausible words them.

use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use parse::{dimensions, metrics, name_of, order_by, pagination};
use rows::{rows, sort};
use rules::validate;

use super::{
    Source, StatsError,
    engine::labels,
    invalid,
    query::{Dimension, Interval, Query},
    run,
};
use crate::{
    analytics::request::period::local_date,
    entities::{goal, site},
};

mod filters;
mod parse;
mod range;
mod rows;
mod rules;

const KEYS: [&str; 8] = [
    "site_id",
    "metrics",
    "date_range",
    "dimensions",
    "filters",
    "order_by",
    "include",
    "pagination",
];

/// The `site_id` of a request body, which decides whose key may ask.
pub fn site_id(body: &Value) -> Option<&str> {
    body.get("site_id").and_then(Value::as_str)
}

/// Answers a query about `site`.
pub async fn query(
    source: &Source<'_>,
    site: &site::Model,
    goals: &[goal::Model],
    body: &Value,
) -> Result<Value, StatsError> {
    let Some(object) = body.as_object() else {
        return invalid("#: Type mismatch. Expected Object but got Array.");
    };
    let missing: Vec<&str> = ["site_id", "metrics", "date_range"]
        .into_iter()
        .filter(|k| !object.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        return invalid(format!(
            "#: Required properties {} were not present.",
            missing.join(", ")
        ));
    }
    if let Some(extra) = object.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return invalid(format!(
            "#/{extra}: Schema does not allow additional properties."
        ));
    }
    let tz: Tz = site.timezone.parse().unwrap_or(Tz::UTC);
    let today = local_date(tz, chrono::Utc::now().timestamp_millis());
    // `all` starts at the site's first day with data, read only when asked.
    let first_day = match object["date_range"].as_str() {
        Some("all") => super::first_day(source.db, site).await?,
        _ => today,
    };
    let resolved = range::resolve(&object["date_range"], tz, today, first_day)?;

    let metrics = metrics(&object["metrics"])?;
    let mut dimensions = dimensions(object.get("dimensions"))?;
    let hours = (resolved.to - resolved.from) / 3_600_000;
    for dimension in &mut dimensions {
        if let Dimension::Time(interval) = dimension
            && *interval == Interval::Minute
        {
            // `time` alone: the interval the range's length suggests.
            *interval = match hours {
                ..=48 => Interval::Hour,
                49..=960 => Interval::Day,
                961..=8736 => Interval::Week,
                _ => Interval::Month,
            };
        }
    }
    let raw_filters = match object.get("filters") {
        None => Vec::new(),
        Some(Value::Array(list)) => list.clone(),
        Some(_) => return invalid("#/filters: Type mismatch. Expected Array but got Object."),
    };
    let filter = filters::parse(&raw_filters, goals)?;
    let include = object.get("include").cloned().unwrap_or_else(|| json!({}));
    let Some(include) = include.as_object() else {
        return invalid("#/include: Type mismatch. Expected Object.");
    };
    for (key, value) in include {
        if !matches!(key.as_str(), "imports" | "time_labels" | "total_rows") {
            return invalid(format!(
                "#/include/{key}: Schema does not allow additional properties."
            ));
        }
        if !value.is_boolean() {
            return invalid(format!("#/include/{key}: Type mismatch. Expected Boolean."));
        }
    }
    let flag = |name: &str| include.get(name).and_then(Value::as_bool).unwrap_or(false);
    let (limit, offset) = pagination(object.get("pagination"))?;
    let names: Vec<String> = dimensions.iter().map(name_of).collect();
    let order_by = order_by(object.get("order_by"), &metrics, &names)?;

    validate(&metrics, &dimensions, filter.as_ref())?;
    let time = dimensions.iter().find_map(|d| match d {
        Dimension::Time(i) => Some(*i),
        _ => None,
    });
    if flag("time_labels") && time.is_none() {
        return invalid("Invalid include.time_labels: requires a time dimension.");
    }

    let counted = Query {
        range: resolved.range,
        tz,
        from: resolved.from,
        to: resolved.to,
        metrics: metrics.clone(),
        dimensions: dimensions.clone(),
        filter,
    };
    let answer = run(source, site, goals, &counted).await?;
    let mut rows = rows(&answer, &counted);
    sort(&mut rows, &order_by, &metrics, &names);
    let total_rows = rows.len();
    let results: Vec<Value> = rows
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|row| json!({ "metrics": row.metrics, "dimensions": row.dimensions }))
        .collect();

    let mut meta = Map::new();
    if flag("imports") {
        meta.insert("imports_included".into(), json!(false));
    }
    if let (true, Some(interval)) = (flag("time_labels"), time) {
        meta.insert("time_labels".into(), json!(labels(&counted, interval)));
    }
    if flag("total_rows") {
        meta.insert("total_rows".into(), json!(total_rows));
    }
    let include_echo: Map<String, Value> = include
        .iter()
        .filter(|(_, v)| v.as_bool() == Some(true))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(json!({
        "results": results,
        "meta": meta,
        "query": {
            "site_id": site.domain,
            "metrics": metrics.iter().map(|m| m.name()).collect::<Vec<_>>(),
            "date_range": [range::echo(tz, counted.from), range::echo(tz, counted.to - 1000)],
            "filters": raw_filters,
            "dimensions": names,
            "order_by": order_by.iter().map(|(n, d)| json!([n, d])).collect::<Vec<_>>(),
            "include": include_echo,
            "pagination": {"offset": offset, "limit": limit},
        }
    }))
}
