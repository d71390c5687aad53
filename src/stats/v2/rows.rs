//! A counted query as v2's result rows: dimension values shown as Plausible
//! shows them, metrics rounded as it rounds them, sorted by `order_by`.

use serde_json::{Value, json};

use crate::stats::{
    Answer,
    engine::Sums,
    query::{Dimension, Metric, Prop, Query},
};

pub(super) struct Row {
    pub dimensions: Vec<Value>,
    pub metrics: Vec<Value>,
    /// The metrics as numbers, to sort by.
    numbers: Vec<f64>,
}

pub(super) fn rows(answer: &Answer, query: &Query) -> Vec<Row> {
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

pub(super) fn sort(
    rows: &mut [Row],
    order_by: &[(String, String)],
    metrics: &[Metric],
    names: &[String],
) {
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
