//! Counts a `Query` over raw events, one UTC day at a time: visitor ids rotate
//! at UTC midnight and a visit never outlives its id, so each day's visits are
//! whole, and distinct visitors of different days add up. Within a day every
//! event is judged with the visit it belongs to, which is how Plausible's
//! `visit:*` properties (a visit's source, entry page, …) and its `event:*`
//! properties (each event's page, name, props) can meet in one filter.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Timelike};
use rustc_hash::{FxHashMap, FxHashSet};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::{
    matcher::CompiledFilter,
    query::{Dimension, Interval, Metric, Prop, Query},
    sources,
};
use crate::{entities::event, goals::Matcher};

const DAY_MS: i64 = 86_400_000;

/// The columns a query reads of each event.
#[derive(Debug, FromQueryResult)]
pub(super) struct Row {
    pub ts: i64,
    pub name: String,
    pub hostname: String,
    pub path: String,
    pub referrer_source: String,
    pub utm_source: String,
    pub utm_medium: String,
    pub utm_campaign: String,
    pub utm_term: String,
    pub utm_content: String,
    pub browser: String,
    pub browser_version: String,
    pub os: String,
    pub device: String,
    pub country: Option<String>,
    pub visitor_id: i64,
    pub visit_id: i64,
    pub props: Option<String>,
    pub interactive: bool,
    pub revenue_amount: Option<String>,
    pub revenue_currency: Option<String>,
    pub scroll_depth: Option<i16>,
    pub engaged_ms: Option<i64>,
}

/// One visit's events (indices into the day's rows, in time order) and what
/// Plausible reads of a visit.
pub(super) struct Visit {
    pub first: usize,
    pub entry: usize,
    pub exit: usize,
    pub pageviews: i64,
    pub bounce: bool,
    pub duration_ms: i64,
}

/// An event as a filter or a dimension sees it.
pub(super) struct Seen<'a> {
    pub row: &'a Row,
    pub rows: &'a [Row],
    pub visit: &'a Visit,
    pub props: Option<&'a FxHashMap<String, String>>,
    pub goals: &'a [Matcher],
}

/// What a property's value is for a missing custom property.
pub const NONE: &str = "(none)";

impl Seen<'_> {
    /// The property's value; `None` for `event:goal`, which an event may
    /// complete several of (`goal_names`).
    pub fn value(&self, prop: &Prop) -> Option<String> {
        let first = &self.rows[self.visit.first];
        Some(match prop {
            Prop::Name => self.row.name.clone(),
            Prop::Page => self.row.path.clone(),
            Prop::Hostname => self.row.hostname.clone(),
            Prop::Goal => return None,
            Prop::Custom(key) => self
                .props
                .and_then(|p| p.get(key))
                .cloned()
                .unwrap_or_else(|| NONE.to_owned()),
            Prop::Source => source_of(first),
            Prop::Referrer => first.referrer_source.clone(),
            Prop::UtmSource => first.utm_source.clone(),
            Prop::UtmMedium => first.utm_medium.clone(),
            Prop::UtmCampaign => first.utm_campaign.clone(),
            Prop::UtmTerm => first.utm_term.clone(),
            Prop::UtmContent => first.utm_content.clone(),
            Prop::Device => first.device.clone(),
            Prop::Browser => first.browser.clone(),
            Prop::BrowserVersion => first.browser_version.clone(),
            Prop::Os => first.os.clone(),
            Prop::OsVersion | Prop::Region | Prop::City => String::new(),
            Prop::Country => first.country.clone().unwrap_or_default(),
            Prop::EntryPage => self.rows[self.visit.entry].path.clone(),
            Prop::ExitPage => self.rows[self.visit.exit].path.clone(),
            Prop::EntryPageHostname => self.rows[self.visit.entry].hostname.clone(),
            Prop::ExitPageHostname => self.rows[self.visit.exit].hostname.clone(),
        })
    }

    pub fn goal_names(&self) -> impl Iterator<Item = &str> {
        self.goals
            .iter()
            .filter(|g| g.completes(&self.row.name, &self.row.path))
            .map(|g| g.name.as_str())
    }
}

/// A visit's source, as Plausible names it: a `utm_source` when tagged, else
/// the referrer's name, or "" for direct traffic.
fn source_of(first: &Row) -> String {
    if !first.utm_source.is_empty() {
        return first.utm_source.clone();
    }
    sources::name(&first.referrer_source)
}

/// Counts before any division, per group.
#[derive(Clone, Debug, Default)]
pub struct Sums {
    pub visitors: i64,
    pub pageviews: i64,
    pub events: i64,
    pub visits: i64,
    /// Visits a bounce rate divides by: with a page filter, only the visits
    /// that entered on a matching page (as Plausible counts it).
    pub bounce_visits: i64,
    pub bounces: i64,
    pub duration_ms: i64,
    /// Pageviews of the visits counted in `visits`, for views per visit.
    pub visit_pageviews: i64,
    pub scroll_sum: i64,
    pub scroll_count: i64,
    pub engaged_ms: i64,
    pub engaged_count: i64,
    pub revenue: f64,
    pub revenue_events: i64,
    pub currency: Option<String>,
}

/// A query's answer before metrics are derived: its groups, in the order
/// first met, each with its dimension values.
#[derive(Debug, Default)]
pub struct Table {
    pub keys: Vec<Vec<String>>,
    pub sums: Vec<Sums>,
}

impl Table {
    pub fn find(&self, key: &[String]) -> Option<&Sums> {
        self.keys
            .iter()
            .position(|k| k == key)
            .map(|i| &self.sums[i])
    }
}

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
        let mut day = self.query.from - self.query.from.rem_euclid(DAY_MS);
        while day < self.query.to {
            let from = day.max(self.query.from);
            let to = (day + DAY_MS).min(self.query.to);
            day += DAY_MS;
            let rows = fetch(db, self.site, from, to).await?;
            if rows.is_empty() {
                continue;
            }
            self.count_day(&rows, needs_props, &mut table, &mut index);
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
        for (visit, events) in visits(rows) {
            let mut visit_groups: HashSet<usize> = HashSet::new();
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
                for key in self.keys(&seen, seen.row.ts) {
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
                // A visit counts once per group it reached; on a time
                // dimension, in the bucket its first counted event fell in;
                // on the page dimension, under the page it entered on.
                let entry = Seen {
                    row: &rows[visit.entry],
                    ..seen
                };
                let by_entry = self.query.dimensions.contains(&Dimension::Prop(Prop::Page));
                for key in self.keys(if by_entry { &entry } else { &seen }, visit_ts) {
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
    fn keys(&self, seen: &Seen<'_>, ts: i64) -> Vec<Vec<String>> {
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
                        key.push(value.clone());
                    }
                }
                Dimension::Time(interval) => {
                    let label = bucket(self.query, *interval, ts);
                    for key in &mut keys {
                        key.push(label.clone());
                    }
                }
            }
        }
        keys
    }
}

/// The day's events grouped into visits, each in time order.
fn visits(rows: &[Row]) -> Vec<(Visit, Vec<usize>)> {
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

async fn fetch<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    from: i64,
    to: i64,
) -> Result<Vec<Row>, DbErr> {
    use sea_orm::QueryOrder;
    event::Entity::find()
        .select_only()
        .columns([
            event::Column::Ts,
            event::Column::Name,
            event::Column::Hostname,
            event::Column::Path,
            event::Column::ReferrerSource,
            event::Column::UtmSource,
            event::Column::UtmMedium,
            event::Column::UtmCampaign,
            event::Column::UtmTerm,
            event::Column::UtmContent,
            event::Column::Browser,
            event::Column::BrowserVersion,
            event::Column::Os,
            event::Column::Device,
            event::Column::Country,
            event::Column::VisitorId,
            event::Column::VisitId,
            event::Column::Props,
            event::Column::Interactive,
            event::Column::RevenueAmount,
            event::Column::RevenueCurrency,
            event::Column::ScrollDepth,
            event::Column::EngagedMs,
        ])
        .filter(event::Column::SiteId.eq(site))
        .filter(event::Column::Ts.gte(from))
        .filter(event::Column::Ts.lt(to))
        .order_by_asc(event::Column::Ts)
        .order_by_asc(event::Column::Id)
        .into_model::<Row>()
        .all(db)
        .await
}

/// The label of the time bucket `ts` falls in, in the site's zone: a date,
/// an hour `YYYY-MM-DD HH:00:00`, a week by its Monday (or the range's first
/// day), a month by its first day.
pub(super) fn bucket(query: &Query, interval: Interval, ts: i64) -> String {
    let local = query
        .tz
        .timestamp_millis_opt(ts)
        .single()
        .map(|t| t.naive_local())
        .unwrap_or_default();
    let date = local.date();
    match interval {
        Interval::Minute => local.format("%Y-%m-%d %H:%M:00").to_string(),
        Interval::Hour => format!("{} {:02}:00:00", date.format("%Y-%m-%d"), local.hour()),
        Interval::Day => date.format("%Y-%m-%d").to_string(),
        Interval::Week => week_start(date)
            .max(query.range.start)
            .format("%Y-%m-%d")
            .to_string(),
        Interval::Month => month_start(date)
            .max(query.range.start)
            .format("%Y-%m-%d")
            .to_string(),
    }
}

pub(super) fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

pub(super) fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// Every bucket label of the query's range, in order, for gap filling.
pub(super) fn labels(query: &Query, interval: Interval) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    let mut push = |label: String| {
        if labels.last() != Some(&label) {
            labels.push(label);
        }
    };
    match interval {
        Interval::Hour | Interval::Minute => {
            let step = if interval == Interval::Hour {
                3_600_000
            } else {
                60_000
            };
            let mut ts = query.from;
            while ts < query.to {
                push(bucket(query, interval, ts));
                ts += step;
            }
        }
        _ => {
            for date in query.range.dates() {
                let ts = crate::analytics::request::period::day_start(query.tz, date);
                push(bucket(query, interval, ts));
            }
        }
    }
    labels
}

/// What a metric comes to for one group; `base` is the group's visitors
/// before goal filters (a conversion rate's denominator), `total` the whole
/// range's visitors.
pub fn metric(metric: Metric, sums: &Sums, base: i64, total: i64) -> f64 {
    let ratio = |a: i64, b: i64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    match metric {
        Metric::Visitors => sums.visitors as f64,
        Metric::Visits => sums.visits as f64,
        Metric::Pageviews => sums.pageviews as f64,
        Metric::Events => sums.events as f64,
        Metric::ViewsPerVisit => ratio(sums.visit_pageviews, sums.visits),
        Metric::BounceRate => 100.0 * ratio(sums.bounces, sums.bounce_visits),
        Metric::VisitDuration => ratio(sums.duration_ms, sums.visits) / 1000.0,
        Metric::ConversionRate | Metric::GroupConversionRate => 100.0 * ratio(sums.visitors, base),
        Metric::Percentage => 100.0 * ratio(sums.visitors, total),
        Metric::TimeOnPage => ratio(sums.engaged_ms, sums.engaged_count) / 1000.0,
        Metric::ScrollDepth => ratio(sums.scroll_sum, sums.scroll_count),
        Metric::TotalRevenue => sums.revenue,
        Metric::AverageRevenue => {
            if sums.revenue_events == 0 {
                0.0
            } else {
                sums.revenue / sums.revenue_events as f64
            }
        }
    }
}
