//! What of a filter SQL can test before any row leaves the database, so a
//! selective question reads its own events rather than the whole range.
//!
//! A visit's referrer and UTM tags are copied onto each of its events at
//! ingest, and its browser, OS and place (country, region, city) are pinned
//! by the visitor id (address and user agent), so a condition on them keeps
//! whole visits. A
//! condition on an event's own page or name keeps only matching events:
//! enough when only events are counted; when visits are, the visits with a
//! matching event are read whole (`visit_id IN (…)`).

use sea_orm::{
    ColumnTrait, Condition as Where, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
    sea_query::{Expr, ExprTrait, SimpleExpr},
};
use uuid::Uuid;

use crate::{
    entities::event,
    goals::Matcher,
    stats::query::{Condition, Dimension, Filter, Op, Prop, Query},
};

/// The conditions for one window of `site`'s events, `from <= ts < to`.
pub(super) fn conditions(
    query: &Query,
    goals: &[Matcher],
    site: Uuid,
    from: i64,
    to: i64,
) -> Vec<SimpleExpr> {
    let whole_visits = needs_whole_visits(query);
    let mut out = Vec::new();
    // Grouped by goal, only events completing one count.
    if !whole_visits && query.dimensions.contains(&Dimension::Prop(Prop::Goal)) {
        let names: Vec<String> = goals
            .iter()
            .filter_map(|g| g.event_name().map(str::to_owned))
            .collect();
        let mut any = Where::any().add(event::Column::Name.is_in(names));
        if goals.iter().any(|g| g.event_name().is_none()) {
            any = any.add(event::Column::Name.eq("pageview"));
        }
        out.push(any.into());
    }
    let Some(filter) = &query.filter else {
        return out;
    };
    let top: Vec<&Condition> = match filter {
        Filter::Test(c) => vec![c],
        Filter::And(all) => all
            .iter()
            .filter_map(|f| match f {
                Filter::Test(c) => Some(c),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    // With a condition on the visit's own values, whole visits are read, and
    // the events' own conditions are left to the count.
    let keeps_visits = top
        .iter()
        .any(|c| visit_condition(c).is_some() && testable(c));
    for condition in top {
        if !testable(condition) {
            continue;
        }
        if let Some(expr) = visit_condition(condition) {
            out.push(expr);
        } else if keeps_visits && whole_visits {
            continue;
        } else if let Some(expr) = event_condition(condition, goals) {
            if whole_visits {
                let matching = event::Entity::find()
                    .select_only()
                    .column(event::Column::VisitId)
                    .filter(event::Column::SiteId.eq(site))
                    .filter(event::Column::Ts.gte(from))
                    .filter(event::Column::Ts.lt(to))
                    .filter(expr)
                    .into_query();
                out.push(Expr::col(event::Column::VisitId).in_subquery(matching));
            } else {
                out.push(expr);
            }
        }
    }
    out
}

fn testable(condition: &Condition) -> bool {
    matches!(condition.op, Op::Is | Op::IsNot) && condition.case_sensitive
}

/// Visits are counted, or read from their first or last event beyond what
/// every event of theirs carries.
fn needs_whole_visits(query: &Query) -> bool {
    let whole = |prop: &Prop| {
        matches!(
            prop,
            Prop::EntryPage
                | Prop::ExitPage
                | Prop::EntryPageHostname
                | Prop::ExitPageHostname
                | Prop::Device
        )
    };
    query.metrics.iter().any(|m| m.is_session())
        || query
            .dimensions
            .iter()
            .any(|d| matches!(d, Dimension::Prop(p) if whole(p)))
        || query
            .filter
            .as_ref()
            .is_some_and(|f| f.conditions().iter().any(|c| whole(&c.prop)))
}

/// The stored values a condition's values stand for: a placeholder is the
/// empty value.
fn stored(condition: &Condition) -> Vec<String> {
    let placeholder = condition.prop.placeholder();
    condition
        .values
        .iter()
        .map(|v| {
            if Some(v.as_str()) == placeholder {
                String::new()
            } else {
                v.clone()
            }
        })
        .collect()
}

fn visit_condition(condition: &Condition) -> Option<SimpleExpr> {
    let column = match condition.prop {
        Prop::Referrer => event::Column::ReferrerSource,
        Prop::UtmSource => event::Column::UtmSource,
        Prop::UtmMedium => event::Column::UtmMedium,
        Prop::UtmCampaign => event::Column::UtmCampaign,
        Prop::UtmTerm => event::Column::UtmTerm,
        Prop::UtmContent => event::Column::UtmContent,
        Prop::Browser => event::Column::Browser,
        Prop::BrowserVersion => event::Column::BrowserVersion,
        Prop::Os => event::Column::Os,
        Prop::Country | Prop::Region | Prop::City => {
            // A missing place is NULL, which `IN` never matches.
            let values = stored(condition);
            if values.iter().any(String::is_empty) {
                return None;
            }
            let column = match condition.prop {
                Prop::Region => event::Column::Region,
                Prop::City => event::Column::City,
                _ => event::Column::Country,
            };
            return Some(match condition.op {
                Op::Is => column.is_in(values),
                _ => Where::any()
                    .add(column.is_null())
                    .add(column.is_not_in(values))
                    .into(),
            });
        }
        _ => return None,
    };
    let values = stored(condition);
    Some(match condition.op {
        Op::Is => column.is_in(values),
        _ => column.is_not_in(values),
    })
}

/// A condition on an event's own page or name (goals by their events), `is` only.
fn event_condition(condition: &Condition, goals: &[Matcher]) -> Option<SimpleExpr> {
    if condition.op != Op::Is {
        return None;
    }
    match condition.prop {
        Prop::Page => Some(event::Column::Path.is_in(condition.values.clone())),
        Prop::Name => Some(event::Column::Name.is_in(condition.values.clone())),
        Prop::Hostname => Some(event::Column::Hostname.is_in(condition.values.clone())),
        Prop::Goal => {
            let mut names = Vec::new();
            for value in &condition.values {
                let goal = goals.iter().find(|g| &g.name == value)?;
                names.push(goal.event_name()?.to_owned());
            }
            Some(event::Column::Name.is_in(names))
        }
        _ => None,
    }
}
