//! Counts a `Query` over raw events, one UTC day at a time: visitor ids rotate
//! at UTC midnight and a visit never outlives its id, so each day's visits are
//! whole, and distinct visitors of different days add up. Within a day every
//! event is judged with the visit it belongs to, which is how Plausible's
//! `visit:*` properties (a visit's source, entry page, …) and its `event:*`
//! properties (each event's page, name, props) can meet in one filter.

use futures::StreamExt;
use rustc_hash::{FxHashMap, FxHashSet};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use super::{
    matcher::CompiledFilter,
    query::{Dimension, Prop, Query},
};
use crate::goals::Matcher;

mod fetch;
mod pushdown;
mod sums;
mod time;
mod visit;

use fetch::fetch;
pub use sums::{Sums, Table, metric};
use time::Recent;
pub(super) use time::{labels, month_start, week_start};
pub(super) use visit::Seen;
use visit::{Row, visits};

const DAY_MS: i64 = 86_400_000;
/// Days fetched at once.
const AHEAD: usize = 2;

/// What counting needs besides the query.
pub(super) struct Counting<'a> {
    pub site: Uuid,
    pub query: &'a Query,
    pub filter: Option<CompiledFilter>,
    pub goals: &'a [Matcher],
    /// The filter tests `event:page`, so bounce rates count only visits
    /// that entered on a matching page.
    pub page_filtered: bool,
}

impl Counting<'_> {
    pub async fn count<C: ConnectionTrait>(&self, db: &C) -> Result<Table, DbErr> {
        let mut table = Table::default();
        let mut index: FxHashMap<Vec<String>, usize> = FxHashMap::default();
        let needs_props = self
            .query
            .dimensions
            .iter()
            .any(|d| matches!(d, Dimension::Prop(Prop::Custom(_))))
            || self.filter.as_ref().is_some_and(|f| f.reads_props());
        let columns = visit::needed(self.query, needs_props);
        let mut windows = Vec::new();
        let mut day = self.query.from - self.query.from.rem_euclid(DAY_MS);
        while day < self.query.to {
            windows.push((day.max(self.query.from), (day + DAY_MS).min(self.query.to)));
            day += DAY_MS;
        }
        // The next days are read while one is counted, each on a connection
        // of its own, so the database's reading uses every core.
        let mut days = futures::stream::iter(windows)
            .map(|window| {
                let conditions =
                    pushdown::conditions(self.query, self.goals, self.site, window.0, window.1);
                fetch(db, self.site, window, &columns, conditions)
            })
            .buffered(AHEAD);
        while let Some(rows) = days.next().await {
            let rows = rows?;
            if !rows.is_empty() {
                self.count_day(&rows, needs_props, &mut table, &mut index);
            }
        }
        Ok(table)
    }

    fn count_day(
        &self,
        rows: &[Row],
        needs_props: bool,
        table: &mut Table,
        index: &mut FxHashMap<Vec<String>, usize>,
    ) {
        let props: Vec<Option<FxHashMap<String, String>>> = if needs_props {
            rows.iter()
                .map(|r| {
                    r.props
                        .as_deref()
                        .and_then(|p| serde_json::from_str(p).ok())
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut visitors: FxHashSet<(usize, i64)> = FxHashSet::default();
        let mut group = |key: Vec<String>, table: &mut Table| -> usize {
            *index.entry(key).or_insert_with_key(|key| {
                table.keys.push(key.clone());
                table.sums.push(Sums::default());
                table.keys.len() - 1
            })
        };
        let mut recent = Recent::default();
        // Visits are grouped only when a metric counts them.
        let visit_metrics = self.query.metrics.iter().any(|m| m.is_session());
        for (visit, events) in visits(rows) {
            let mut visit_groups: FxHashSet<usize> = FxHashSet::default();
            let mut first_passing: Option<i64> = None;
            for &i in &events {
                let seen = Seen {
                    row: &rows[i],
                    rows,
                    visit: &visit,
                    props: props.get(i).and_then(Option::as_ref),
                    goals: self.goals,
                };
                if !self.filter.as_ref().is_none_or(|f| f.passes(&seen)) {
                    continue;
                }
                let visit_ts = *first_passing.get_or_insert(seen.row.ts);
                for key in self.keys(&seen, seen.row.ts, &mut recent) {
                    let g = group(key, table);
                    let sums = &mut table.sums[g];
                    visitors.insert((g, seen.row.visitor_id));
                    sums.events += 1;
                    if seen.row.name == "pageview" {
                        sums.pageviews += 1;
                        if let Some(depth) = seen.row.scroll_depth {
                            sums.scroll_sum += i64::from(depth);
                            sums.scroll_count += 1;
                        }
                        if let Some(ms) = seen.row.engaged_ms {
                            sums.engaged_ms += ms;
                            sums.engaged_count += 1;
                        }
                    }
                    if let Some(amount) = seen
                        .row
                        .revenue_amount
                        .as_deref()
                        .and_then(|a| a.parse::<f64>().ok())
                    {
                        sums.revenue += amount;
                        sums.revenue_events += 1;
                        if sums.currency.is_none() {
                            sums.currency.clone_from(&seen.row.revenue_currency);
                        }
                    }
                }
                if !visit_metrics {
                    continue;
                }
                // A visit counts once per group it reached; on a time
                // dimension, in the bucket its first counted event fell in;
                // on the page dimension, under the page it entered on.
                let entry = Seen {
                    row: &rows[visit.entry],
                    ..seen
                };
                let by_entry = self.query.dimensions.contains(&Dimension::Prop(Prop::Page));
                let at = if by_entry { &entry } else { &seen };
                for key in self.keys(at, visit_ts, &mut recent) {
                    let g = group(key, table);
                    visit_groups.insert(g);
                }
            }
            if visit_groups.is_empty() {
                continue;
            }
            let entered_on_match = !self.page_filtered
                || self.filter.as_ref().is_none_or(|f| {
                    f.passes(&Seen {
                        row: &rows[visit.entry],
                        rows,
                        visit: &visit,
                        props: props.get(visit.entry).and_then(Option::as_ref),
                        goals: self.goals,
                    })
                });
            for g in visit_groups {
                let sums = &mut table.sums[g];
                sums.visits += 1;
                if entered_on_match {
                    sums.bounce_visits += 1;
                    sums.bounces += i64::from(visit.bounce);
                }
                sums.duration_ms += visit.duration_ms;
                sums.visit_pageviews += visit.pageviews;
            }
        }
        for (g, _) in visitors {
            table.sums[g].visitors += 1;
        }
    }

    /// The groups an event falls in: one, unless a goal dimension lists each
    /// goal it completes (and none when it completes none).
    fn keys(&self, seen: &Seen<'_>, ts: i64, recent: &mut Recent) -> Vec<Vec<String>> {
        let mut keys = vec![Vec::with_capacity(self.query.dimensions.len())];
        for dimension in &self.query.dimensions {
            match dimension {
                Dimension::Prop(Prop::Goal) => {
                    let goals: Vec<&str> = seen.goal_names().collect();
                    keys = keys
                        .into_iter()
                        .flat_map(|key| {
                            goals.iter().map(move |goal| {
                                let mut key = key.clone();
                                key.push((*goal).to_owned());
                                key
                            })
                        })
                        .collect();
                }
                Dimension::Prop(prop) => {
                    let value = seen.value(prop).unwrap_or_default();
                    for key in &mut keys {
                        key.push(value.as_ref().to_owned());
                    }
                }
                Dimension::Time(interval) => {
                    let label = recent.label(self.query, *interval, ts);
                    for key in &mut keys {
                        key.push(label.to_owned());
                    }
                }
            }
        }
        keys
    }
}
