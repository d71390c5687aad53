//! The report: every figure of a dashboard for a period, computed by the
//! `Reports` service from rollups where it can and raw events where it must.
//! The answer's shape (`Report` and its rows) is all this module builds without
//! the `db` feature: the wasm renders the dashboard from the same struct the
//! REST API serialises.

#[cfg(feature = "db")]
mod export;
#[cfg(feature = "db")]
mod plan;
#[cfg(feature = "db")]
mod rolled;
#[cfg(feature = "db")]
mod service;

#[cfg(feature = "db")]
pub use {
    export::to_csv,
    service::{ReportError, Reports},
};

use serde::{Deserialize, Serialize};

/// A dashboard's figures. Lists hold at most `TOP` rows, most visitors first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub period: PeriodInfo,
    pub summary: Summary,
    pub previous: Summary,
    pub timeseries: Vec<DayPoint>,
    pub pages: Vec<PageRow>,
    pub referrers: Vec<SourceRow>,
    pub browsers: Vec<NameRow>,
    pub os: Vec<NameRow>,
    pub devices: Vec<NameRow>,
    pub countries: Vec<CountryRow>,
    pub utm_sources: Vec<NameRow>,
    pub utm_mediums: Vec<NameRow>,
    pub utm_campaigns: Vec<NameRow>,
    /// Custom events (never pageviews), most visitors first.
    pub events: Vec<EventRow>,
    /// With an `event` filter, that event's custom properties; empty otherwise.
    pub props: Vec<PropRow>,
    pub realtime_visitors: u64,
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

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayPoint {
    pub date: String,
    pub pageviews: u64,
    pub visitors: u64,
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
