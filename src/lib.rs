//! PagePulse's domain core: entities, the database connection and, as the product
//! grows, the ingest pipeline, visitor hashing and analytics queries. It knows
//! nothing of HTTP or of the UI; the `server` and `app` crates are thin adapters.

pub mod accounts;
pub mod db;
pub mod entities;
pub mod ingest;
pub mod net;
pub mod sites;
pub mod throttle;
pub mod tokens;
pub mod validate;

#[cfg(feature = "test-support")]
pub mod testing;

pub use sea_orm::{DatabaseConnection, DbErr};
