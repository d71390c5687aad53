//! `pagepulse migrate`: applies pending database migrations and exits.

use crate::serve::StartError;

/// Connecting migrates; it is retried while the database is busy, as at
/// start-up.
pub async fn run(database_url: &str) -> Result<(), StartError> {
    pagepulse_core::db::patiently("migrations", || pagepulse_core::db::connect(database_url))
        .await
        .map(|_| println!("database is up to date"))
        .map_err(StartError::from)
}
