use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use pagepulse_core::{
    DatabaseConnection,
    analytics::Reports,
    auth::{Auth, AuthSettings},
    db::WriterDb,
    ingest::{Ingestor, WriterOptions, datacenters::Networks},
    throttle::Limits,
};

use app::session::{AuthState, SessionSettings};

use crate::{
    assets::TrackerScripts,
    config::{AppEnv, Config, Datacenters},
    http::ratelimit::BeaconLimit,
};

/// Everything a request handler or server function may need, cloned cheaply per request.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    pub auth: AuthState,
    pub tracker: Arc<TrackerScripts>,
    pub ingest: Arc<Ingestor>,
    pub reports: Arc<Reports>,
    pub beacon_limit: BeaconLimit,
}

impl FromRef<AppState> for DatabaseConnection {
    fn from_ref(state: &AppState) -> Self {
        state.auth.db().clone()
    }
}

impl AppState {
    /// Starts the ingest writer task, so it must run inside the Tokio runtime.
    pub fn new(config: Config, db: DatabaseConnection) -> Self {
        let writer = WriterDb {
            db: db.clone(),
            sync_wal: None,
        };
        Self::with_writer(config, db, writer)
    }

    /// As `new`, with the ingest writer on a connection of its own (`db::writer`).
    pub fn with_writer(config: Config, db: DatabaseConnection, writer: WriterDb) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name(app::OUTPUT_NAME)
            .site_root(config.site_root.clone())
            .site_pkg_dir("pkg")
            .site_addr(config.listen_addr())
            .env(match config.app_env {
                AppEnv::Development => leptos::config::Env::DEV,
                AppEnv::Production => leptos::config::Env::PROD,
            })
            .build();
        let limits = Arc::new(Limits::new(&config.limits));
        let auth = AuthState {
            auth: Auth::new(
                db.clone(),
                AuthSettings {
                    jwt_secret: config.jwt_secret_key.clone(),
                    ttl_minutes: config.jwt_access_token_expire_minutes,
                    disable_registration: config.disable_registration,
                },
                limits,
            ),
            settings: Arc::new(SessionSettings {
                secure_cookies: config.is_production(),
                base_url: config.base_url.clone(),
            }),
        };
        AppState {
            reports: Arc::new(
                Reports::new(db.clone(), config.limits.concurrent_reports)
                    .with_packs(Arc::new(pagepulse_core::stats::PackedDays::new(db.clone()))),
            ),
            tracker: Arc::new(TrackerScripts::load(&config.site_root)),
            ingest: Arc::new(
                Ingestor::start(
                    db.clone(),
                    writer.db,
                    config.secret_key.clone(),
                    WriterOptions {
                        sync_wal: writer.sync_wal,
                        ..WriterOptions::default()
                    },
                )
                .with_geo(geo(&config))
                .with_datacenters(datacenters(&config)),
            ),
            beacon_limit: BeaconLimit::new(config.event_rate_limit_per_minute),
            leptos_options,
            config: Arc::new(config),
            auth,
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        self.auth.db()
    }
}

/// The GeoIP database, opened once per process. One that cannot be read is
/// said loudly and countries come from proxies' headers only: the server
/// still takes beacons.
fn geo(config: &Config) -> Option<Arc<pagepulse_core::ingest::geo::Geo>> {
    let path = config.geoip_db.as_deref()?;
    match pagepulse_core::ingest::geo::shared(path) {
        Ok(geo) => {
            tracing::info!(path = %path.display(), bytes = geo.bytes, "GeoIP database loaded");
            Some(geo)
        }
        Err(error) => {
            tracing::error!(%error, "GeoIP database not loaded; countries only from proxy headers");
            None
        }
    }
}

fn datacenters(config: &Config) -> Option<Arc<Networks>> {
    match &config.datacenters {
        Datacenters::Builtin => Some(Networks::builtin()),
        // Checked when the configuration was read; read again here.
        Datacenters::File(path) => match Networks::load(path) {
            Ok(networks) => Some(Arc::new(networks)),
            Err(error) => {
                tracing::error!(%error, "data-centre ranges not loaded");
                None
            }
        },
        Datacenters::Off => None,
    }
}
