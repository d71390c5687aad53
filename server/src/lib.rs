//! The PagePulse server: configuration, state, the axum router (Leptos pages,
//! server functions, plain HTTP routes) and the process around it.

pub mod cli;
pub mod config;
pub mod routes;
pub mod security;
pub mod serve;
pub mod state;

use app::{App, shell};
use axum::{Router, routing::get};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::{compression::CompressionLayer, trace::TraceLayer};

pub use state::AppState;

/// The whole HTTP surface, without a socket, so tests can drive it with `oneshot`.
pub fn router(state: AppState) -> Router {
    let pages = generate_route_list(App);
    let context = {
        let db = state.db.clone();
        move || provide_context(db.clone())
    };
    let render = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    let router = Router::new()
        .route("/health", get(routes::health::health))
        .leptos_routes_with_context(&state, pages, context, render)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));
    security::with_security_headers(router)
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
