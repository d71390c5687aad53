use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use pagepulse_core::DatabaseConnection;

use crate::{
    config::{AppEnv, Config},
    throttle::LoginThrottle,
};

/// Everything a request handler or server function may need, cloned cheaply per request.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub login_throttle: Arc<LoginThrottle>,
}

impl AppState {
    pub fn new(config: Config, db: DatabaseConnection) -> Self {
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
        AppState {
            leptos_options,
            db,
            config: Arc::new(config),
            login_throttle: Arc::default(),
        }
    }
}
