//! The dashboard's numbers (SPEC §5, §6 Analytics): a period in the site's time
//! zone, optional filters, and every widget's figures computed from the stored
//! events on SQLite and PostgreSQL alike. Only `report`, the answer's shape, is
//! built without the `db` feature.

pub mod report;

#[cfg(feature = "db")]
mod export;
#[cfg(feature = "db")]
mod filters;
#[cfg(feature = "db")]
pub(crate) mod period;
#[cfg(feature = "db")]
mod queries;
#[cfg(feature = "db")]
mod query;
#[cfg(feature = "db")]
pub(crate) mod raw;
#[cfg(feature = "db")]
mod span;
#[cfg(feature = "db")]
pub(crate) mod tally;

#[cfg(feature = "db")]
pub use {
    export::to_csv,
    filters::{Dimension, Filters},
    period::{DateRange, Period},
    queries::{has_events, realtime_visitors, report, report_from_events},
    query::{AnalyticsQuery, QueryError},
};
