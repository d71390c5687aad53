//! PagePulse's domain core: entities, the database connection and, as the product
//! grows, the ingest pipeline, visitor hashing and analytics queries. It knows
//! nothing of HTTP or of the UI; the `server` and `app` crates are thin adapters.

//!
//! Without the `db` feature only `analytics::report` is built: the shape of a
//! dashboard's numbers, which the browser's wasm deserialises and renders.

#[cfg(feature = "db")]
pub mod accounts;
pub mod analytics;
#[cfg(feature = "db")]
pub mod auth;
#[cfg(feature = "db")]
pub mod chunked;
#[cfg(feature = "db")]
pub mod db;
#[cfg(feature = "db")]
pub mod entities;
#[cfg(feature = "db")]
pub mod error;
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
#[cfg(feature = "db")]
pub mod sites;
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
