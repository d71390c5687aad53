//! Analytics: the dashboard's numbers, computed from stored events and their
//! rollups on SQLite and PostgreSQL alike. Three roles, one folder each, with
//! arrows pointing down only (`report` → `count` → `request`):
//!
//! - `request`: what a dashboard asks. A `Period` (`7d`, `month`, custom) covers
//!   a `DateRange` of the site's local days; its *day starts* are where each
//!   local day begins, in UTC milliseconds. `Filters` test one `Dimension`
//!   (event column) each: is, is not or contains, any of a list of values.
//! - `count`: the counting engine, which the rollup job uses too. A `Stretch`
//!   is consecutive local days of raw events counted in one pass into `Counts`:
//!   `Totals` (counts before any division), per day, per value, and the `Carry`
//!   shared with the day before across a midnight. A `Selection` is the raw
//!   events one SQL question reads. `Slice`: one filter value's counts. `stored`:
//!   the rollup rows' format (`Rolled`), written by the job, read by reports.
//! - `report`: the answer. `Reports` (the service) plans a range as `Part`s:
//!   rolled-up days and runs of raw days, counts each and joins them into
//!   `Figures` (totals, days, each dimension's `TopValue`s), then shapes the
//!   `Report`: its `Summary` is the rates derived from the totals.
//!
//! Only `report`'s answer shape is built without the `db` feature.

pub mod report;

#[cfg(feature = "db")]
pub(crate) mod count;
#[cfg(feature = "db")]
pub mod request;

#[cfg(feature = "db")]
pub(crate) use count::{DAY_MS, SETTLE_MS};
#[cfg(feature = "db")]
pub use {
    report::{ReportError, Reports, to_csv},
    request::{
        AnalyticsQuery, Compare, DateRange, Dimension, Filter, Filters, GraphMetric, Interval,
        Match, Period, QueryError,
    },
};
