//! What counting reads: each event's columns, its visit (entry, exit,
//! bounce, duration), and a property's value for an event in its visit.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use sea_orm::IdenStatic;

use crate::{
    entities::event,
    goals::Matcher,
    stats::{query::Prop, sources},
};

/// An event as counting reads it: the columns a query does not ask for
/// stay at their defaults (see `needed`).
pub(crate) use event::Model as Row;

/// One visit's events (indices into the day's rows, in time order) and what
/// Plausible reads of a visit.
pub(crate) struct Visit {
    pub first: usize,
    pub entry: usize,
    pub exit: usize,
    pub pageviews: i64,
    pub bounce: bool,
    pub duration_ms: i64,
}

/// An event as a filter or a dimension sees it.
pub(crate) struct Seen<'a> {
    pub row: &'a Row,
    pub rows: &'a [Row],
    pub visit: &'a Visit,
    pub props: Option<&'a FxHashMap<String, String>>,
    pub goals: &'a [Matcher],
}

/// What a property's value is for a missing custom property.
pub const NONE: &str = "(none)";

impl<'a> Seen<'a> {
    /// The property's value; `None` for `event:goal`, which an event may
    /// complete several of (`goal_names`).
    pub fn value(&self, prop: &Prop) -> Option<Cow<'_, str>> {
        let first = &self.rows[self.visit.first];
        let text = |s: &'a String| Cow::Borrowed(s.as_str());
        Some(match prop {
            Prop::Name => text(&self.row.name),
            Prop::Page => text(&self.row.path),
            Prop::Hostname => text(&self.row.hostname),
            Prop::Goal => return None,
            Prop::Custom(key) => self
                .props
                .and_then(|p| p.get(key))
                .map_or(Cow::Borrowed(NONE), |v| Cow::Borrowed(v.as_str())),
            Prop::Source if !first.utm_source.is_empty() => text(&first.utm_source),
            Prop::Source => Cow::Owned(sources::name(&first.referrer_source)),
            Prop::Referrer => text(&first.referrer_source),
            Prop::UtmSource => text(&first.utm_source),
            Prop::UtmMedium => text(&first.utm_medium),
            Prop::UtmCampaign => text(&first.utm_campaign),
            Prop::UtmTerm => text(&first.utm_term),
            Prop::UtmContent => text(&first.utm_content),
            Prop::Device => text(&first.device),
            Prop::Browser => text(&first.browser),
            Prop::BrowserVersion => text(&first.browser_version),
            Prop::Os => text(&first.os),
            Prop::OsVersion | Prop::Region | Prop::City => Cow::Borrowed(""),
            Prop::Country => first
                .country
                .as_deref()
                .map_or(Cow::Borrowed(""), Cow::Borrowed),
            Prop::EntryPage => text(&self.rows[self.visit.entry].path),
            Prop::ExitPage => text(&self.rows[self.visit.exit].path),
            Prop::EntryPageHostname => text(&self.rows[self.visit.entry].hostname),
            Prop::ExitPageHostname => text(&self.rows[self.visit.exit].hostname),
        })
    }

    pub fn goal_names(&self) -> impl Iterator<Item = &str> {
        self.goals
            .iter()
            .filter(|g| g.completes(&self.row.name, &self.row.path))
            .map(|g| g.name.as_str())
    }
}

/// The day's events grouped into visits, each in time order.
pub(super) fn visits(rows: &[Row]) -> Vec<(Visit, Vec<usize>)> {
    let mut by_visit: FxHashMap<i64, Vec<usize>> = FxHashMap::default();
    for (i, row) in rows.iter().enumerate() {
        by_visit.entry(row.visit_id).or_default().push(i);
    }
    let mut out: Vec<(Visit, Vec<usize>)> = by_visit
        .into_values()
        .map(|events| {
            // Rows come in (ts, id) order, so each visit's list is in order.
            let first = events[0];
            let pages: Vec<usize> = events
                .iter()
                .copied()
                .filter(|&i| rows[i].name == "pageview")
                .collect();
            let interactions = events
                .iter()
                .filter(|&&i| rows[i].name == "pageview" || rows[i].interactive)
                .count();
            let last = events[events.len() - 1];
            let visit = Visit {
                first,
                entry: pages.first().copied().unwrap_or(first),
                exit: pages.last().copied().unwrap_or(last),
                pageviews: pages.len() as i64,
                bounce: interactions == 1,
                duration_ms: rows[last].ts - rows[first].ts,
            };
            (visit, events)
        })
        .collect();
    out.sort_by_key(|(v, _)| v.first);
    out
}

/// The columns a query reads; the others are selected as constants, so no
/// row carries text nobody reads.
pub(super) fn needed(query: &super::Query, props: bool) -> Vec<event::Column> {
    use super::super::query::{Dimension, Metric};
    use event::Column as C;
    let mut used: Vec<Prop> = query
        .dimensions
        .iter()
        .filter_map(|d| match d {
            Dimension::Prop(p) => Some(p.clone()),
            Dimension::Time(_) => None,
        })
        .collect();
    if let Some(filter) = &query.filter {
        used.extend(filter.conditions().into_iter().map(|c| c.prop.clone()));
    }
    let mut columns = vec![
        C::Ts,
        C::Name,
        C::Path,
        C::VisitorId,
        C::VisitId,
        C::Interactive,
    ];
    for prop in used {
        columns.extend(match prop {
            Prop::Hostname | Prop::EntryPageHostname | Prop::ExitPageHostname => vec![C::Hostname],
            Prop::Source => vec![C::ReferrerSource, C::UtmSource],
            Prop::Referrer => vec![C::ReferrerSource],
            Prop::UtmSource => vec![C::UtmSource],
            Prop::UtmMedium => vec![C::UtmMedium],
            Prop::UtmCampaign => vec![C::UtmCampaign],
            Prop::UtmTerm => vec![C::UtmTerm],
            Prop::UtmContent => vec![C::UtmContent],
            Prop::Device => vec![C::Device],
            Prop::Browser => vec![C::Browser],
            Prop::BrowserVersion => vec![C::BrowserVersion],
            Prop::Os => vec![C::Os],
            Prop::Country => vec![C::Country],
            _ => vec![],
        });
    }
    if props {
        columns.push(C::Props);
    }
    for metric in &query.metrics {
        columns.extend(match metric {
            Metric::TotalRevenue | Metric::AverageRevenue => {
                vec![C::RevenueAmount, C::RevenueCurrency]
            }
            Metric::ScrollDepth => vec![C::ScrollDepth],
            Metric::TimeOnPage => vec![C::EngagedMs],
            _ => vec![],
        });
    }
    let mut seen = Vec::new();
    columns.retain(|c| {
        let fresh = !seen.contains(&c.as_str());
        seen.push(c.as_str());
        fresh
    });
    columns
}
