//! PagePulse's domain core: every rule and query, on SQLite and PostgreSQL,
//! knowing nothing of HTTP or of the UI (the `server` and `app` crates are
//! thin adapters over it; see `docs/architecture.md`).
//!
//! - `ingest`: beacons to stored events (validation, visitor hashing, the
//!   group-commit writer). `analytics`: the dashboard's numbers. `rollup`:
//!   closed days summarised, raw events pruned.
//! - `accounts`, `auth`, `sessions`, `tokens`, `throttle`: who may sign in and
//!   how often. `sites`: sites and who may read them. `net`: client addresses.
//! - `error`: the one classification of failures the adapters map to replies.
//! - `db`, `entities`, `chunked`: connections, tables, chunked statements.
//!
//! Without the `db` feature only `analytics::report`'s answer shape is built:
//! the browser's wasm deserialises and renders it.

#[cfg(feature = "db")]
pub mod accounts;
pub mod analytics;
#[cfg(feature = "db")]
pub mod api_keys;
#[cfg(feature = "db")]
pub mod auth;
#[cfg(feature = "db")]
pub mod chunked;
#[cfg(feature = "db")]
pub mod dashboard;
#[cfg(feature = "db")]
pub mod db;
#[cfg(feature = "db")]
pub mod entities;
#[cfg(feature = "db")]
pub mod error;
#[cfg(feature = "db")]
pub mod funnels;
#[cfg(feature = "db")]
pub mod glob;
#[cfg(feature = "db")]
pub mod goals;
#[cfg(feature = "db")]
pub mod ingest;
#[cfg(feature = "db")]
pub mod net;
#[cfg(feature = "db")]
pub mod rollup;
#[cfg(feature = "db")]
pub mod seed;
#[cfg(feature = "db")]
pub mod sessions;
pub mod shields;
#[cfg(feature = "db")]
pub mod sites;
#[cfg(feature = "db")]
pub mod stats;
#[cfg(feature = "db")]
pub mod throttle;
#[cfg(feature = "db")]
pub mod tokens;
#[cfg(feature = "db")]
pub mod validate;

#[cfg(feature = "test-support")]
pub mod testing;

#[cfg(feature = "db")]
pub use sea_orm::{DatabaseConnection, DbErr};

/// For an adapter's error type that converts from `Failure`: converts every
/// core error into it through its classification, so `?` works on each and
/// the adapter writes its mapping once, in `From<Failure>`.
#[cfg(feature = "db")]
#[macro_export]
macro_rules! classified_into {
    ($target:ty) => {
        $crate::classified_into!(
            $target:
            $crate::DbErr,
            $crate::accounts::AccountError,
            $crate::api_keys::ApiKeyError,
            $crate::analytics::QueryError,
            $crate::analytics::ReportError,
            $crate::dashboard::DashboardError,
            $crate::auth::AuthError,
            $crate::funnels::FunnelError,
            $crate::goals::GoalError,
            $crate::shields::ShieldError,
            $crate::sites::SiteError,
            $crate::stats::StatsError,
            $crate::throttle::TooManyPublicReads,
            $crate::validate::FieldError
        );
    };
    ($target:ty: $($error:ty),*) => {$(
        impl From<$error> for $target {
            fn from(error: $error) -> Self {
                $crate::error::Classify::classify(error).into()
            }
        }
    )*};
}
