//! Start-up and shutdown of the HTTP server.

use std::time::Duration;

use pagepulse_core::db;
use tokio::net::TcpListener;

use crate::{AppState, config::Config, router};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Database(#[from] pagepulse_core::db::DbError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Serve(std::io::Error),
    /// A command's own failure, already worded for the operator.
    #[error("{0}")]
    Other(String),
}

/// Connects (migrating on the way), binds and serves until SIGTERM or ctrl-c.
pub async fn serve(config: Config) -> Result<(), StartError> {
    if let Some(warning) = config.development_warning() {
        tracing::warn!("{warning}");
    }
    let url = config.database_url.clone();
    let db = db::patiently("migrations", || db::connect(&url)).await?;
    let addr = config.listen_addr();
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Listen { addr, source })?;
    let base_url = config.base_url.clone();
    let writer_db = db::patiently("ingest writer", || db::writer(&url, &db)).await?;
    // Start-up work that takes the write lock runs one piece at a time, before
    // the tasks that write all the time (writer, checkpoints, housekeeping).
    db::settle(&db).await;
    let retention = config.raw_event_retention_days;
    let rollups = db::patiently("rollup job storage", || {
        crate::jobs::start(db.clone(), retention)
    })
    .await
    .map_err(StartError::Other)?;
    let state = AppState::with_writer(config, db.clone(), writer_db.clone());
    let housekeeping = tokio::spawn(housekeeping(state.clone()));
    let checkpoints = tokio::spawn(db::checkpoints(db.clone(), Duration::from_secs(1)));
    tracing::info!(%addr, %base_url, "PagePulse is listening");
    let served = crate::http::listener::serve(
        listener,
        router(state.clone()),
        state.config.connections.clone(),
        shutdown_signal(),
    )
    .await;
    // No request is in flight any more; commit whatever is still queued.
    housekeeping.abort();
    checkpoints.abort();
    rollups.abort();
    state.ingest.shutdown().await;
    served.map_err(StartError::Serve)?;
    tracing::info!("shutting down: closing the database");
    let _ = writer_db.db.close().await;
    let _ = db.close().await;
    Ok(())
}

/// Every minute: forget rate-limit keys that are idle. Every hour (and at
/// start-up): delete salts, visit bookkeeping and sessions that must no
/// longer exist.
async fn housekeeping(state: AppState) {
    let mut minute = tokio::time::interval(Duration::from_secs(60));
    for tick in 0u64.. {
        minute.tick().await;
        state.beacon_limit.evict_idle();
        state.auth.limits().registrations.evict_idle();
        state.auth.limits().public_reads.evict_idle();
        state.auth.limits().api_keys.evict_idle();
        if tick % 60 != 0 {
            continue;
        }
        if let Err(error) = state.ingest.forget_old().await {
            tracing::warn!(%error, "could not delete old salts");
        }
        if let Err(error) =
            pagepulse_core::sessions::forget_expired(state.db(), chrono::Utc::now()).await
        {
            tracing::warn!(%error, "could not delete expired sessions");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("signal received, finishing in-flight requests");
}
