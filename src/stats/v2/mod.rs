//! Plausible's Stats API v2, `POST /api/v2/query`: a JSON query to
//! `{results: [{metrics, dimensions}], meta, query}`, with the schema's and
//! the validations' messages as Plausible words them.

use chrono_tz::Tz;
use sea_orm::ConnectionTrait;
use serde_json::{Map, Value, json};

use super::{
    Answer, StatsError,
    engine::{Sums, labels},
    invalid,
    query::{Dimension, Interval, Metric, Prop, Query},
    run,
};
use crate::{
    analytics::request::period::local_date,
    entities::{goal, site},
};

mod filters;
mod range;

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
const MAX_LIMIT: u64 = 10_000;

/// The `site_id` of a request body, which decides whose key may ask.
pub fn site_id(body: &Value) -> Option<&str> {
    body.get("site_id").and_then(Value::as_str)
}

/// Answers a query about `site`; `first_day` is the site's first day with
/// data (what `all` starts at).
pub async fn query<C: ConnectionTrait>(
    db: &C,
    site: &site::Model,
    goals: &[goal::Model],
    body: &Value,
    first_day: Option<chrono::NaiveDate>,
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
    let resolved = range::resolve(&object["date_range"], tz, today, first_day.unwrap_or(today))?;

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
    let answer = run(db, site, goals, &counted).await?;
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

fn metrics(value: &Value) -> Result<Vec<Metric>, StatsError> {
    let Some(list) = value.as_array().filter(|l| !l.is_empty()) else {
        return invalid("#/metrics: Expected a minimum of 1 items but got 0.");
    };
    let mut metrics = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let Some(metric) = item.as_str().and_then(Metric::parse) else {
            return invalid(format!("#/metrics/{i}: Invalid metric {item}"));
        };
        if metrics.contains(&metric) {
            return invalid("#/metrics: Expected items to be unique but they were not.");
        }
        metrics.push(metric);
    }
    Ok(metrics)
}

fn dimensions(value: Option<&Value>) -> Result<Vec<Dimension>, StatsError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let Some(list) = value.as_array() else {
        return invalid("#/dimensions: Type mismatch. Expected Array.");
    };
    let mut dimensions = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let dimension = match item.as_str() {
            Some("time") => Some(Dimension::Time(Interval::Minute)),
            Some("time:hour") => Some(Dimension::Time(Interval::Hour)),
            Some("time:day") => Some(Dimension::Time(Interval::Day)),
            Some("time:week") => Some(Dimension::Time(Interval::Week)),
            Some("time:month") => Some(Dimension::Time(Interval::Month)),
            Some(name) => Prop::parse(name).map(Dimension::Prop),
            None => None,
        };
        let Some(dimension) = dimension else {
            return invalid(format!("#/dimensions/{i}: Invalid dimension {item}"));
        };
        if dimensions.contains(&dimension) {
            return invalid("#/dimensions: Expected items to be unique but they were not.");
        }
        if matches!(dimension, Dimension::Time(_))
            && dimensions.iter().any(|d| matches!(d, Dimension::Time(_)))
        {
            return invalid("Invalid dimensions. Only one time dimension may be queried.");
        }
        dimensions.push(dimension);
    }
    Ok(dimensions)
}

fn name_of(dimension: &Dimension) -> String {
    match dimension {
        Dimension::Prop(prop) => prop.name(),
        Dimension::Time(Interval::Hour) => "time:hour".into(),
        Dimension::Time(Interval::Day) => "time:day".into(),
        Dimension::Time(Interval::Week) => "time:week".into(),
        Dimension::Time(Interval::Month) => "time:month".into(),
        Dimension::Time(Interval::Minute) => "time:minute".into(),
    }
}

fn pagination(value: Option<&Value>) -> Result<(u64, u64), StatsError> {
    let Some(value) = value else {
        return Ok((MAX_LIMIT, 0));
    };
    let Some(object) = value.as_object() else {
        return invalid("#/pagination: Type mismatch. Expected Object.");
    };
    let limit = match object.get("limit") {
        None => MAX_LIMIT,
        Some(v) => match v.as_u64() {
            Some(n @ 1..=MAX_LIMIT) => n,
            _ => {
                return invalid(format!(
                    "#/pagination/limit: Expected the value to be between 1 and {MAX_LIMIT}."
                ));
            }
        },
    };
    let offset = match object.get("offset") {
        None => 0,
        Some(v) => v.as_u64().ok_or_else(|| {
            StatsError::Invalid("#/pagination/offset: Expected the value to be >= 0.".into())
        })?,
    };
    Ok((limit, offset))
}

fn order_by(
    value: Option<&Value>,
    metrics: &[Metric],
    names: &[String],
) -> Result<Vec<(String, String)>, StatsError> {
    let Some(value) = value else {
        let mut default = Vec::new();
        if let Some(time) = names.iter().find(|n| n.starts_with("time")) {
            default.push((time.clone(), "asc".to_owned()));
        }
        default.push((metrics[0].name().to_owned(), "desc".to_owned()));
        return Ok(default);
    };
    let Some(list) = value.as_array() else {
        return invalid("#/order_by: Type mismatch. Expected Array.");
    };
    let mut order = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let pair = entry.as_array().map(Vec::as_slice);
        let Some([Value::String(name), Value::String(direction)]) = pair else {
            return invalid(format!(
                "#/order_by/{i}: Invalid value in order_by {}",
                filters::inspect(entry)
            ));
        };
        let known = Metric::parse(name).is_some()
            || names.contains(name)
            || name.starts_with("event:")
            || name.starts_with("visit:")
            || name.starts_with("time");
        if !known || !matches!(direction.as_str(), "asc" | "desc") {
            return invalid(format!(
                "#/order_by/{i}: Invalid value in order_by {}",
                filters::inspect(entry)
            ));
        }
        let queried = metrics.iter().any(|m| m.name() == name) || names.contains(name);
        if !queried {
            let label = if Metric::parse(name).is_some() {
                format!(":{name}")
            } else {
                format!("\"{name}\"")
            };
            return invalid(format!(
                "Invalid order_by entry '{{{label}, :{direction}}}'. Entry is not a queried metric or dimension."
            ));
        }
        order.push((name.clone(), direction.clone()));
    }
    Ok(order)
}

/// Plausible's refusals of metrics the dimensions and filters cannot answer.
fn validate(
    metrics: &[Metric],
    dimensions: &[Dimension],
    filter: Option<&super::Filter>,
) -> Result<(), StatsError> {
    let filtered = |prop: &Prop| filter.is_some_and(|f| f.mentions(prop));
    let has = |prop: &Prop| dimensions.contains(&Dimension::Prop(prop.clone()));
    let event_dims: Vec<String> = dimensions
        .iter()
        .filter_map(|d| match d {
            Dimension::Prop(p) if p.is_event() => Some(p.name()),
            _ => None,
        })
        .collect();
    let session_only = [
        Prop::EntryPage,
        Prop::ExitPage,
        Prop::EntryPageHostname,
        Prop::ExitPageHostname,
    ];
    let session_dims: Vec<String> = dimensions
        .iter()
        .filter_map(|d| match d {
            Dimension::Prop(p) if session_only.contains(p) => Some(p.name()),
            _ => None,
        })
        .collect();
    let quote = |names: &[String]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for &metric in metrics {
        let name = metric.name();
        match metric {
            Metric::ConversionRate | Metric::GroupConversionRate
                if !filtered(&Prop::Goal) && !has(&Prop::Goal) =>
            {
                return invalid(format!(
                    "Metric `{name}` can only be queried with event:goal filters or dimensions."
                ));
            }
            Metric::ScrollDepth | Metric::TimeOnPage
                if !filtered(&Prop::Page) && !has(&Prop::Page) =>
            {
                return invalid(format!(
                    "Metric `{name}` can only be queried with event:page filters or dimensions."
                ));
            }
            Metric::ViewsPerVisit if filtered(&Prop::Page) => {
                return invalid(
                    "Metric `views_per_visit` cannot be queried with a filter on `event:page`.",
                );
            }
            Metric::ViewsPerVisit if !dimensions.is_empty() => {
                return invalid("Metric `views_per_visit` cannot be queried with `dimensions`.");
            }
            _ => {}
        }
    }
    let session: Vec<String> = metrics
        .iter()
        .filter(|m| {
            matches!(
                m,
                Metric::BounceRate | Metric::VisitDuration | Metric::ViewsPerVisit
            )
        })
        .map(|m| m.name().to_owned())
        .collect();
    let page_alone = event_dims == ["event:page"];
    if !session.is_empty() && !event_dims.is_empty() && !page_alone {
        return invalid(format!(
            "Session metric(s) {} cannot be queried along with event dimension(s) {}",
            quote(&session),
            quote(&event_dims)
        ));
    }
    let event: Vec<String> = metrics
        .iter()
        .filter(|m| {
            matches!(
                m,
                Metric::Pageviews
                    | Metric::Events
                    | Metric::ScrollDepth
                    | Metric::TimeOnPage
                    | Metric::TotalRevenue
                    | Metric::AverageRevenue
            )
        })
        .map(|m| m.name().to_owned())
        .collect();
    if !event.is_empty() && !session_dims.is_empty() {
        return invalid(format!(
            "Event metric(s) {} cannot be queried along with session dimension(s) {}",
            quote(&event),
            quote(&session_dims)
        ));
    }
    Ok(())
}

struct Row {
    dimensions: Vec<Value>,
    metrics: Vec<Value>,
    /// The metrics as numbers, to sort by.
    numbers: Vec<f64>,
}

fn rows(answer: &Answer, query: &Query) -> Vec<Row> {
    let mut rows = Vec::new();
    let empty = Sums::default();
    let groups: Vec<(&[String], &Sums)> = if query.dimensions.is_empty() {
        let sums = answer.table.sums.first().unwrap_or(&empty);
        vec![(&[][..], sums)]
    } else {
        answer
            .table
            .keys
            .iter()
            .map(Vec::as_slice)
            .zip(&answer.table.sums)
            .collect()
    };
    'groups: for (key, sums) in groups {
        let mut dimensions = Vec::new();
        for (dimension, value) in query.dimensions.iter().zip(key) {
            match dimension {
                Dimension::Prop(prop) => match shown(prop, value) {
                    Some(value) => dimensions.push(Value::String(value)),
                    None => continue 'groups,
                },
                Dimension::Time(_) => dimensions.push(Value::String(value.clone())),
            }
        }
        let numbers: Vec<f64> = query
            .metrics
            .iter()
            .map(|&m| answer.value(m, key, sums))
            .collect();
        let metrics = query
            .metrics
            .iter()
            .zip(&numbers)
            .map(|(&m, &n)| value(m, n, sums, answer.total_visitors))
            .collect();
        rows.push(Row {
            dimensions,
            metrics,
            numbers,
        });
    }
    rows
}

/// A dimension value as v2 shows it; `None` drops the row (no country known).
fn shown(prop: &Prop, value: &str) -> Option<String> {
    if !value.is_empty() {
        return Some(value.to_owned());
    }
    match prop.placeholder() {
        Some(placeholder) => Some(placeholder.to_owned()),
        None if matches!(prop, Prop::Country | Prop::Region | Prop::City) => None,
        None => Some(String::new()),
    }
}

/// A metric as v2 writes it: counts, bounce rate and durations whole, views
/// per visit to two decimals, percentages and conversion rates to one.
fn value(metric: Metric, number: f64, sums: &Sums, total: i64) -> Value {
    let round = |places: i32| {
        let scale = 10f64.powi(places);
        json!((number * scale).round() / scale)
    };
    match metric {
        Metric::ViewsPerVisit => round(2),
        Metric::Percentage if total == 0 => Value::Null,
        Metric::Percentage | Metric::ConversionRate | Metric::GroupConversionRate => round(1),
        Metric::ScrollDepth if sums.scroll_count == 0 => Value::Null,
        Metric::TimeOnPage if sums.engaged_count == 0 => Value::Null,
        Metric::TotalRevenue | Metric::AverageRevenue => match &sums.currency {
            Some(currency) if sums.revenue_events > 0 => {
                let amount = (number * 100.0).round() / 100.0;
                json!({
                    "value": amount,
                    "currency": currency,
                    "short": format!("{amount:.1} {currency}"),
                    "long": format!("{amount:.2} {currency}"),
                })
            }
            _ => Value::Null,
        },
        _ => json!(number.round() as i64),
    }
}

fn sort(rows: &mut [Row], order_by: &[(String, String)], metrics: &[Metric], names: &[String]) {
    rows.sort_by(|a, b| {
        for (name, direction) in order_by {
            let ordering = if let Some(i) = metrics.iter().position(|m| m.name() == name) {
                a.numbers[i].total_cmp(&b.numbers[i])
            } else if let Some(i) = names.iter().position(|n| n == name) {
                a.dimensions[i].as_str().cmp(&b.dimensions[i].as_str())
            } else {
                std::cmp::Ordering::Equal
            };
            let ordering = if direction == "desc" {
                ordering.reverse()
            } else {
                ordering
            };
            if ordering.is_ne() {
                return ordering;
            }
        }
        // Ties in a stable order: by the dimension values.
        a.dimensions
            .iter()
            .map(Value::as_str)
            .cmp(b.dimensions.iter().map(Value::as_str))
    });
}
