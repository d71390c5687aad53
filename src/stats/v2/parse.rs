//! The parts of a v2 request the schema describes: metrics, dimensions,
//! pagination and order, with the schema's messages.

use serde_json::Value;

use super::filters;
use crate::stats::{
    StatsError, invalid,
    query::{Dimension, Interval, Metric, Prop},
};

const MAX_LIMIT: u64 = 10_000;

pub(super) fn metrics(value: &Value) -> Result<Vec<Metric>, StatsError> {
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

pub(super) fn dimensions(value: Option<&Value>) -> Result<Vec<Dimension>, StatsError> {
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

pub(super) fn name_of(dimension: &Dimension) -> String {
    match dimension {
        Dimension::Prop(prop) => prop.name(),
        Dimension::Time(Interval::Hour) => "time:hour".into(),
        Dimension::Time(Interval::Day) => "time:day".into(),
        Dimension::Time(Interval::Week) => "time:week".into(),
        Dimension::Time(Interval::Month) => "time:month".into(),
        Dimension::Time(Interval::Minute) => "time:minute".into(),
    }
}

pub(super) fn pagination(value: Option<&Value>) -> Result<(u64, u64), StatsError> {
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

pub(super) fn order_by(
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
