//! The report: every figure of a dashboard for a period, computed by the
//! `Reports` service from rollups where it can and raw events where it must.
//! The answer's shape (`Report` and its rows) is all this module builds without
//! the `db` feature: the wasm renders the dashboard from the same struct the
//! REST API serialises.

#[cfg(feature = "db")]
mod export;
#[cfg(feature = "db")]
mod memo;
#[cfg(feature = "db")]
mod plan;
#[cfg(feature = "db")]
mod rolled;
#[cfg(feature = "db")]
mod service;

#[cfg(feature = "db")]
pub use {
    export::to_csv,
    memo::Memo,
    service::{ReportError, Reports},
};

use serde::{Deserialize, Serialize};

/// A dashboard's figures. Lists hold at most `TOP` rows, most visitors first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Report {
    pub period: PeriodInfo,
    pub summary: Summary,
    /// The compared range's figures; zeros when comparing is off.
    pub previous: Summary,
    /// The range `previous` covers; `None` when comparing is off.
    pub compared: Option<PeriodInfo>,
    /// How `timeseries` is bucketed: `hour`, `day`, `week` or `month`.
    pub interval: String,
    /// The top stat each point's `value` holds (`visitors` unless asked).
    pub metric: String,
    /// One point per bucket of the range, zeros included.
    pub timeseries: Vec<DayPoint>,
    /// The compared range's points, bucket for bucket.
    pub previous_timeseries: Vec<DayPoint>,
    pub pages: Vec<PageRow>,
    pub referrers: Vec<SourceRow>,
    pub browsers: Vec<NameRow>,
    pub os: Vec<NameRow>,
    pub devices: Vec<NameRow>,
    pub countries: Vec<CountryRow>,
    /// With a city GeoIP database: regions (ISO 3166-2 code, or the name
    /// where the database has no code) and cities (English name).
    pub regions: Vec<CountryRow>,
    pub cities: Vec<NameRow>,
    pub utm_sources: Vec<NameRow>,
    pub utm_mediums: Vec<NameRow>,
    pub utm_campaigns: Vec<NameRow>,
    /// Custom events (never pageviews), most visitors first.
    pub events: Vec<EventRow>,
    /// With an `event` filter, that event's custom properties; empty otherwise.
    pub props: Vec<PropRow>,
    pub realtime_visitors: u64,
    /// The site's goals: conversions under the filters (but not a goal
    /// filter) and their rate among the range's visitors.
    pub goals: Vec<GoalRow>,
    pub entry_pages: Vec<EntryRow>,
    pub exit_pages: Vec<EntryRow>,
    pub utm_terms: Vec<NameRow>,
    pub utm_contents: Vec<NameRow>,
    pub channels: Vec<NameRow>,
    /// The custom property keys the range's events carry, the most carried
    /// first: what the Properties report can show.
    pub property_keys: Vec<String>,
    /// The values of one property key (`property=`, else the first of
    /// `property_keys`) under the filters, most visitors first.
    pub properties: Vec<PropRow>,
}

impl Report {
    /// The realtime view (the last 30 minutes by the minute).
    pub fn is_realtime(&self) -> bool {
        self.interval == REALTIME_INTERVAL
    }
}

/// The `interval` of the realtime view's graph.
pub const REALTIME_INTERVAL: &str = "minute";

/// A funnel counted over a range: per step, the visitors who reached it
/// after the steps before, in order, within one visit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FunnelReport {
    pub name: String,
    pub steps: Vec<FunnelStep>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FunnelStep {
    pub name: String,
    pub visitors: u64,
    /// Percent of the first step's visitors.
    pub conversion_rate: f64,
    /// Visitors of the step before who did not reach this one.
    pub dropoff: u64,
}

/// A goal's conversions: `visitors` who completed it, `events` that did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GoalRow {
    pub name: String,
    pub visitors: u64,
    pub events: u64,
    /// Percent of the range's visitors.
    pub conversion_rate: f64,
    /// On a revenue goal: what its events brought in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue: Option<Revenue>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Revenue {
    pub currency: String,
    pub total: f64,
    /// Per event that carried an amount.
    pub average: f64,
}

/// A page where visits began (entry) or ended (exit).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EntryRow {
    pub path: String,
    pub visitors: u64,
    pub visits: u64,
    /// Entry pages: percent of the visits begun here that bounced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounce_rate: Option<f64>,
    /// Exit pages: percent of the page's pageviews that ended a visit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_rate: Option<f64>,
}

/// Lists are cut to this many rows.
pub const TOP: usize = 100;

/// Inclusive local dates (`YYYY-MM-DD`) in the site's time zone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodInfo {
    pub start: String,
    pub end: String,
    pub timezone: String,
}

/// The headline figures: the counts, and the rates derived from them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub pageviews: u64,
    pub visitors: u64,
    pub visits: u64,
    /// Percent of visits with exactly one pageview.
    pub bounce_rate: f64,
    /// Mean visit length in seconds (last event − first event).
    pub visit_duration: f64,
    pub views_per_visit: f64,
}

/// One bucket of the graph: `date` is `YYYY-MM-DD` (a day, or the first day
/// of a week or month) or `YYYY-MM-DD HH:00` for an hour.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DayPoint {
    pub date: String,
    pub pageviews: u64,
    pub visitors: u64,
    /// The bucket's figure of the report's `metric` (a percentage for the
    /// bounce rate, seconds for the visit duration).
    pub value: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRow {
    pub path: String,
    pub pageviews: u64,
    pub visitors: u64,
    /// Mean deepest scroll (percent) of the page's pageviews that reported
    /// engagement; `None` when none did.
    pub scroll_depth: Option<u64>,
    /// Mean engaged seconds of those pageviews.
    pub time_on_page: Option<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    pub name: String,
    pub visitors: u64,
    pub events: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropRow {
    pub key: String,
    pub value: String,
    pub visitors: u64,
    pub events: u64,
}

/// `source` is empty for direct traffic ("Direct / None").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRow {
    pub source: String,
    pub pageviews: u64,
    pub visitors: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameRow {
    pub name: String,
    pub visitors: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryRow {
    pub code: String,
    pub visitors: u64,
}

impl Summary {
    /// Percent change from `previous` to `self` for a figure; `None` when there is
    /// nothing to compare with (the previous figure is zero).
    pub fn change(current: f64, previous: f64) -> Option<f64> {
        (previous != 0.0).then(|| (current - previous) / previous * 100.0)
    }
}
