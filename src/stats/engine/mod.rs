//! Counts a `Query` over raw events, one UTC day at a time: visitor ids rotate
//! at UTC midnight and a visit never outlives its id, so each day's visits are
//! whole, and distinct visitors of different days add up. Within a day every
//! event is judged with the visit it belongs to, which is how Plausible's
//! `visit:*` properties (a visit's source, entry page, …) and its `event:*`
//! properties (each event's page, name, props) can meet in one filter.

use futures::StreamExt;
use rustc_hash::FxHashMap;
use std::sync::Arc;

use sea_orm::{DatabaseConnection, DbErr, IdenStatic};
use uuid::Uuid;

use super::{
    matcher::CompiledFilter,
    query::{Dimension, Prop, Query},
};
use crate::{entities::event, goals::Matcher};

mod bytes;
mod day;
mod fetch;
mod funnel;
mod groups;
mod keys;
mod lent;
pub(crate) mod pack;
mod pushdown;
mod sums;
mod time;
mod visit;

use day::Day;
use fetch::fetch;
use groups::{Groups, Interner, Judge, column_of, join, stored_at};
pub(crate) use keys::prop_keys;
pub use lent::PackedDays;
pub use sums::{Sums, Table, metric};
use time::Recent;
pub(super) use time::{labels, month_start, week_start};
pub use visit::NONE;
pub(super) use visit::Seen;
use visit::{Lookups, visits};

use crate::analytics::count::DAY_MS;
/// Days fetched at once.
const AHEAD: usize = 2;

/// Days are counted in this many parts at once, each on a task of its own,
/// so counting uses every core of a small machine.
const PARTS: usize = 2;

/// A query and what counting it needs, owned, so the parts of a count can
/// run on tasks of their own.
pub(super) struct Counting {
    pub site: Uuid,
    pub query: Query,
    pub filter: Option<CompiledFilter>,
    pub goals: Vec<Matcher>,
    /// The filter tests `event:page`, so bounce rates count only visits
    /// that entered on a matching page.
    pub page_filtered: bool,
    /// Stored days (`pack`) may stand for raw events.
    pub packed: bool,
    /// Count the funnel whose ordered steps are `goals` instead of the
    /// query's metrics (`funnel`).
    pub funnel: bool,
}

impl Counting {
    pub async fn count(self, db: &DatabaseConnection) -> Result<Table, DbErr> {
        let mut tables = count_together(vec![self], db).await?;
        Ok(tables.pop().unwrap_or_default())
    }
}

/// Counts queries over the same instants, filter and goals, each day read
/// once for all of them: a dashboard asks for several breakdowns at once.
pub(super) async fn count_together(
    countings: Vec<Counting>,
    db: &DatabaseConnection,
) -> Result<Vec<Table>, DbErr> {
    let Some(lead) = countings.first() else {
        return Ok(Vec::new());
    };
    let windows = crate::analytics::count::utc_windows(lead.query.from, lead.query.to);
    let asked = countings.len();
    let countings = Arc::new(countings);
    let parts: Vec<_> = (0..PARTS.min(windows.len()))
        .map(|part| {
            let mine: Vec<(i64, i64)> = windows.iter().copied().skip(part).step_by(PARTS).collect();
            let countings = countings.clone();
            let db = db.clone();
            tokio::spawn(async move { count_windows(&countings, &db, mine).await })
        })
        .collect();
    let mut tables: Vec<Table> = (0..asked).map(|_| Table::default()).collect();
    let mut indexes: Vec<FxHashMap<Vec<String>, usize>> =
        (0..asked).map(|_| FxHashMap::default()).collect();
    for part in parts {
        let counted = part
            .await
            .map_err(|e| DbErr::Custom(format!("counting stopped: {e}")))??;
        for (k, counted) in counted.into_iter().enumerate() {
            for (key, sums) in counted.keys.into_iter().zip(counted.sums) {
                join(&mut tables[k], &mut indexes[k], key, sums);
            }
        }
    }
    Ok(tables)
}

async fn count_windows(
    countings: &[Counting],
    db: &DatabaseConnection,
    windows: Vec<(i64, i64)>,
) -> Result<Vec<Table>, DbErr> {
    let lead = &countings[0];
    let mut tables: Vec<Table> = countings.iter().map(|_| Table::default()).collect();
    let mut indexes: Vec<FxHashMap<Vec<String>, usize>> =
        countings.iter().map(|_| FxHashMap::default()).collect();
    let needs_props = countings.iter().any(|c| {
        c.query
            .dimensions
            .iter()
            .any(|d| matches!(d, Dimension::Prop(Prop::Custom(_))))
            || c.filter.as_ref().is_some_and(|f| f.reads_props())
    });
    let mut columns: Vec<event::Column> = Vec::new();
    for c in countings {
        for column in visit::needed(&c.query, needs_props) {
            if !columns.iter().any(|c| c.as_str() == column.as_str()) {
                columns.push(column);
            }
        }
    }
    let columns = &columns;
    // A whole stored day is read without its times when nothing counted
    // asks for them: a third of what a question reads.
    let times = countings.iter().any(|c| visit::times_needed(&c.query));
    let timeless: &Vec<event::Column> = &columns
        .iter()
        .copied()
        .filter(|&c| !matches!(c, event::Column::Ts) || times)
        .collect();
    // What SQL may test first: one query's own conditions, or for several
    // only the filter they all share, on whole visits.
    let shared_filter = countings
        .iter()
        .all(|c| c.query.filter == lead.query.filter);
    let pushed = if countings.len() == 1 {
        lead.query.clone()
    } else {
        Query {
            metrics: vec![super::query::Metric::Visits],
            dimensions: Vec::new(),
            filter: lead.query.filter.clone().filter(|_| shared_filter),
            ..lead.query.clone()
        }
    };
    let pushed = &pushed;
    // The next days are read while one is counted, each on a connection
    // of its own, so the database's reading uses every core.
    let mut days = futures::stream::iter(windows)
        .map(|window| async move {
            let whole = window.0.rem_euclid(DAY_MS) == 0 && window.1 - window.0 == DAY_MS;
            let stored = if whole { timeless } else { columns };
            if lead.packed
                && let Some(day) = pack::read(db, lead.site, window, stored).await?
            {
                return Ok(day);
            }
            let conditions =
                pushdown::conditions(pushed, &lead.goals, lead.site, window.0, window.1);
            fetch(db, lead.site, window, columns, conditions).await
        })
        .buffered(AHEAD);
    let uses = |prop: &Prop| {
        countings.iter().any(|c| {
            c.query.dimensions.contains(&Dimension::Prop(prop.clone()))
                || c.query.filter.as_ref().is_some_and(|f| f.mentions(prop))
        })
    };
    let sources = uses(&Prop::Source) || uses(&Prop::Channel);
    let goal_lists =
        !lead.goals.is_empty() && (countings.iter().any(|c| c.funnel) || uses(&Prop::Goal));
    while let Some(day) = days.next().await {
        let day: Day = day?;
        if day.is_empty() {
            continue;
        }
        let lookups = Lookups::new(&day, &lead.goals, needs_props, sources, goal_lists);
        for (k, counting) in countings.iter().enumerate() {
            if counting.funnel {
                counting.count_funnel_day(&day, &lookups, &mut tables[k], &mut indexes[k]);
            } else {
                counting.count_day(&day, &lookups, &mut tables[k], &mut indexes[k]);
            }
        }
    }
    Ok(tables)
}

impl Counting {
    fn count_day(
        &self,
        day: &Day,
        lookups: &Lookups,
        table: &mut Table,
        index: &mut FxHashMap<Vec<String>, usize>,
    ) {
        let mut groups = Groups::default();
        // One dimension read from a stored column: its code is the key.
        let single = match self.query.dimensions.as_slice() {
            [Dimension::Prop(prop)] if prop != &Prop::Goal && column_of(prop).is_some() => {
                Some(prop)
            }
            _ => None,
        };
        let mut coders: Vec<Interner> = self
            .query
            .dimensions
            .iter()
            .map(|_| Interner::default())
            .collect();
        let mut recent = Recent::default();
        let mut keys: Vec<Vec<u32>> = vec![Vec::new()];
        let mut visit_groups: Vec<u32> = Vec::new();
        // The groups of the event at hand. When every dimension (if any)
        // is a visit's own value, a visit's events all fall in its first
        // one's.
        let mut event_groups: Vec<u32> = Vec::new();
        let per_visit = self
            .query
            .dimensions
            .iter()
            .all(|d| matches!(d, Dimension::Prop(p) if !p.is_event()));
        // Visits are grouped only when a metric counts them.
        let visit_metrics = self.query.metrics.iter().any(|m| m.is_session());
        let by_entry = self.query.dimensions.contains(&Dimension::Prop(Prop::Page));
        let (gate, rest) = self
            .filter
            .as_ref()
            .map_or((Vec::new(), Vec::new()), CompiledFilter::split_by_visit);
        let mut gate: Vec<Judge<'_>> = gate.into_iter().map(Judge::new).collect();
        let mut rest: Vec<Judge<'_>> = rest.into_iter().map(Judge::new).collect();
        // What holds for a whole visit is judged once, on its first event.
        let visits = visits(day, |visit| {
            let opening = Seen {
                day,
                i: visit.first,
                visit,
                lookups,
                goals: &self.goals,
            };
            gate.iter_mut().all(|f| f.passes(&opening))
        });
        for v in visits.by_visitor(day) {
            let v = v as usize;
            let visit = &visits.list[v];
            let opening = Seen {
                day,
                i: visit.first,
                visit,
                lookups,
                goals: &self.goals,
            };
            visit_groups.clear();
            let mut first_passing: Option<i64> = None;
            for i in visits.events(v) {
                let seen = opening.at(i);
                if !rest.iter_mut().all(|f| f.passes(&seen)) {
                    continue;
                }
                let ts = seen.ts();
                let opens = first_passing.is_none();
                let visit_ts = *first_passing.get_or_insert(ts);
                if opens || !per_visit {
                    let n = self.keys_for(single, &seen, ts, &mut recent, &mut coders, &mut keys);
                    event_groups.clear();
                    event_groups.extend(keys[..n].iter().map(|key| groups.find(key)));
                }
                for &g in &event_groups {
                    groups.count_visitor(g, day.visitor[seen.i]);
                    let sums = &mut groups.sums[g as usize];
                    sums.events += 1;
                    if day.is_pageview(seen.i) {
                        sums.pageviews += 1;
                        if let Some(Some(depth)) = day.scroll_depth.get(seen.i) {
                            sums.scroll_sum += i64::from(*depth);
                            sums.scroll_count += 1;
                        }
                        if let Some(Some(ms)) = day.engaged_ms.get(seen.i) {
                            sums.engaged_ms += ms;
                            sums.engaged_count += 1;
                        }
                    }
                    if let Some(amount) = day
                        .text(event::Column::RevenueAmount)
                        .get(seen.i)
                        .and_then(|a| a.parse::<f64>().ok())
                    {
                        sums.revenue += amount;
                        sums.revenue_events += 1;
                        if sums.currency.is_none() {
                            sums.currency = day
                                .text(event::Column::RevenueCurrency)
                                .get(seen.i)
                                .map(str::to_owned);
                        }
                    }
                }
                if !visit_metrics {
                    continue;
                }
                if per_visit {
                    if opens {
                        visit_groups.extend_from_slice(&event_groups);
                    }
                    continue;
                }
                // A visit counts once per group it reached; on a time
                // dimension, in the bucket its first counted event fell in;
                // on the page dimension, under the page it entered on.
                let at = if by_entry { seen.at(visit.entry) } else { seen };
                let n = self.keys_for(single, &at, visit_ts, &mut recent, &mut coders, &mut keys);
                for key in &keys[..n] {
                    let g = groups.find(key);
                    if !visit_groups.contains(&g) {
                        visit_groups.push(g);
                    }
                }
            }
            if visit_groups.is_empty() {
                continue;
            }
            let entered_on_match = !self.page_filtered
                || self
                    .filter
                    .as_ref()
                    .is_none_or(|f| f.passes(&opening.at(visit.entry)));
            for &g in &visit_groups {
                let sums = &mut groups.sums[g as usize];
                sums.visits += 1;
                if entered_on_match {
                    sums.bounce_visits += 1;
                    sums.bounces += i64::from(visit.bounce);
                }
                sums.duration_ms += visit.duration_ms;
                sums.visit_pageviews += visit.pageviews;
            }
        }
        // The day's groups join the range's by their values.
        for (codes, sums) in groups.keys.iter().zip(groups.sums) {
            let key: Vec<String> = codes
                .iter()
                .zip(&self.query.dimensions)
                .zip(&coders)
                .map(|((&code, dimension), coder)| self.decode(day, dimension, coder, code))
                .collect();
            join(table, index, key, sums);
        }
    }

    /// `keys`, with a shortcut for one stored column.
    #[inline]
    fn keys_for(
        &self,
        single: Option<&Prop>,
        seen: &Seen<'_>,
        ts: i64,
        recent: &mut Recent,
        coders: &mut [Interner],
        keys: &mut Vec<Vec<u32>>,
    ) -> usize {
        if let Some((column, at)) = single.and_then(|prop| stored_at(prop, seen)) {
            keys[0].clear();
            keys[0].push(seen.day.text(column).code(at));
            return 1;
        }
        self.keys(seen, ts, recent, coders, keys)
    }

    /// The groups an event falls in, as codes, in `keys[..n]`: one, unless a
    /// goal dimension lists each goal it completes (and none when it
    /// completes none).
    fn keys(
        &self,
        seen: &Seen<'_>,
        ts: i64,
        recent: &mut Recent,
        coders: &mut [Interner],
        keys: &mut Vec<Vec<u32>>,
    ) -> usize {
        keys.truncate(1);
        keys[0].clear();
        let mut n = 1;
        for (dimension, coder) in self.query.dimensions.iter().zip(coders) {
            match dimension {
                Dimension::Prop(Prop::Goal) => {
                    let goals = seen.goal_indices();
                    let Some((&only, more)) = goals.split_first() else {
                        return 0;
                    };
                    for k in 0..n {
                        for &goal in more {
                            let mut key = keys[k].clone();
                            key.push(goal as u32);
                            keys.push(key);
                        }
                        keys[k].push(only as u32);
                    }
                    n = keys.len();
                }
                Dimension::Prop(prop) => {
                    let code = match stored_at(prop, seen) {
                        Some((column, i)) => seen.day.text(column).code(i),
                        None => coder.code(&seen.value(prop).unwrap_or_default()),
                    };
                    keys[..n].iter_mut().for_each(|k| k.push(code));
                }
                Dimension::Time(interval) => {
                    let code = coder.code(recent.label(&self.query, *interval, ts));
                    keys[..n].iter_mut().for_each(|k| k.push(code));
                }
            }
        }
        n
    }

    /// A dimension's value for a code `keys` gave.
    fn decode(&self, day: &Day, dimension: &Dimension, coder: &Interner, code: u32) -> String {
        match dimension {
            Dimension::Prop(Prop::Goal) => self.goals[code as usize].name.clone(),
            Dimension::Prop(prop) if column_of(prop).is_some() => column_of(prop)
                .and_then(|c| day.text(c).dict.get(code as usize).cloned().flatten())
                .unwrap_or_default(),
            _ => coder.values[code as usize].clone(),
        }
    }
}
