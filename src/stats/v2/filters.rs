//! v2's filter trees: `[operator, dimension, clauses, modifiers?]` leaves under
//! `and`, `or` and `not`. Behavioural filters (`has_done`) and segments are
//! refused as not supported yet.

use serde_json::Value;

use crate::{
    entities::goal,
    stats::{
        StatsError,
        query::{Condition, Filter, Op, Prop},
    },
};

const GOALS_URL: &str = "https://plausible.io/docs/stats-api#filtering-by-goals";
/// How deep `and` / `or` / `not` may nest: a request must not recurse the
/// server's stack away.
const MAX_DEPTH: usize = 16;

pub fn parse(filters: &[Value], goals: &[goal::Model]) -> Result<Option<Filter>, StatsError> {
    let mut all = Vec::new();
    for (i, filter) in filters.iter().enumerate() {
        all.push(one(filter, goals, 0, true).map_err(|e| match e {
            Bad::Shape => {
                StatsError::Invalid(format!("#/filters/{i}: Invalid filter {}", inspect(filter)))
            }
            Bad::Said(message) => StatsError::Invalid(message),
        })?);
    }
    Ok(match all.len() {
        0 => None,
        1 => all.pop(),
        _ => Some(Filter::And(all)),
    })
}

enum Bad {
    Shape,
    Said(String),
}

fn one(filter: &Value, goals: &[goal::Model], depth: usize, top: bool) -> Result<Filter, Bad> {
    let items = filter.as_array().ok_or(Bad::Shape)?;
    let operator = items.first().and_then(Value::as_str).ok_or(Bad::Shape)?;
    if depth > MAX_DEPTH {
        return Err(Bad::Said(format!(
            "Invalid filters. Filters may nest at most {MAX_DEPTH} levels deep."
        )));
    }
    match operator {
        "and" | "or" => {
            let [_, list] = items.as_slice() else {
                return Err(Bad::Shape);
            };
            let list = list
                .as_array()
                .filter(|l| !l.is_empty())
                .ok_or(Bad::Shape)?;
            let inner = list
                .iter()
                .map(|f| one(f, goals, depth + 1, false))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if operator == "and" {
                Filter::And(inner)
            } else {
                Filter::Or(inner)
            })
        }
        "not" => {
            let [_, inner] = items.as_slice() else {
                return Err(Bad::Shape);
            };
            Ok(Filter::Not(Box::new(one(inner, goals, depth + 1, false)?)))
        }
        "has_done" | "has_not_done" => Err(Bad::Said(
            "Invalid filters. Behavioral filters (has_done, has_not_done) are not supported yet."
                .into(),
        )),
        _ => leaf(items, goals, top),
    }
}

fn leaf(items: &[Value], goals: &[goal::Model], top: bool) -> Result<Filter, Bad> {
    let (operator, dimension, clauses, modifiers) = match items {
        [o, d, c] => (o, d, c, None),
        [o, d, c, m] => (o, d, c, Some(m)),
        _ => return Err(Bad::Shape),
    };
    let op = match operator.as_str().ok_or(Bad::Shape)? {
        "is" => Op::Is,
        "is_not" => Op::IsNot,
        "contains" => Op::Contains,
        "contains_not" => Op::ContainsNot,
        "matches" => Op::Matches,
        "matches_not" => Op::MatchesNot,
        _ => return Err(Bad::Shape),
    };
    let dimension = dimension.as_str().ok_or(Bad::Shape)?;
    if dimension == "segment" {
        return Err(Bad::Said(
            "Invalid filters. Segments are not supported yet.".into(),
        ));
    }
    let prop = Prop::parse(dimension).ok_or(Bad::Shape)?;
    let values: Vec<String> = clauses
        .as_array()
        .filter(|c| !c.is_empty())
        .ok_or(Bad::Shape)?
        .iter()
        .map(|c| c.as_str().map(str::to_owned).ok_or(Bad::Shape))
        .collect::<Result<_, _>>()?;
    let case_sensitive = match modifiers {
        None => true,
        Some(Value::Object(m))
            if matches!(op, Op::Is | Op::IsNot | Op::Contains | Op::ContainsNot) =>
        {
            match m.get("case_sensitive") {
                None => true,
                Some(Value::Bool(b)) if m.len() == 1 => *b,
                _ => return Err(Bad::Shape),
            }
        }
        Some(_) => return Err(Bad::Shape),
    };
    if (prop == Prop::Goal || prop == Prop::Hostname) && !top {
        return Err(Bad::Said(format!(
            "Invalid filters. Dimension `{dimension}` can only be filtered at the top level."
        )));
    }
    if prop == Prop::Goal {
        if !matches!(op, Op::Is | Op::Contains) {
            return Err(Bad::Shape);
        }
        if op == Op::Is {
            for name in &values {
                let known = goals.iter().any(|g| {
                    if case_sensitive {
                        &g.display_name == name
                    } else {
                        g.display_name.eq_ignore_ascii_case(name)
                    }
                });
                if !known {
                    return Err(Bad::Said(format!(
                        "Invalid filters. The goal `{name}` is not configured for this site. Find out how to configure goals here: {GOALS_URL}"
                    )));
                }
            }
        }
    }
    if prop == Prop::Country
        && matches!(op, Op::Is | Op::IsNot)
        && !values
            .iter()
            .all(|v| v.len() == 2 && v.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        return Err(Bad::Said(
            "Invalid visit:country filter, visit:country needs to be a valid 2-letter country code.".into(),
        ));
    }
    Ok(Filter::Test(Condition {
        prop,
        op,
        values,
        case_sensitive,
    }))
}

/// A filter as Plausible's errors print one: `["is", "entry_page", ["/blog"]]`.
pub(super) fn inspect(value: &Value) -> String {
    match value {
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(inspect).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}
