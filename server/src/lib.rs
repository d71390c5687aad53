//! The PagePulse server: the axum router (Leptos pages, server functions,
//! plain HTTP routes, assembled by [`router`]) and the process around it.
//!
//! - `cli/`: the `pagepulse` command line, one module a subcommand.
//! - `http/`: plumbing that is not a route: the accept loop, the edge layers, the REST error.
//! - `routes/`: the axum handlers.
//! - `serve`, `jobs`, `state`, `config/`: the process: start-up and shutdown,
//!   the rollup job, the state handlers share, configuration.

pub mod assets;
pub mod cli;
pub mod config;
pub mod http;
pub mod jobs;
pub mod routes;
pub mod serve;
pub mod state;

use std::sync::OnceLock;

use app::{App, shell};
use axum::{
    Router, middleware,
    routing::{get, post, put},
};
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower_http::{compression::CompressionLayer, timeout::TimeoutLayer, trace::TraceLayer};

pub use state::AppState;

/// The pages' routes, worked out once per process. Working them out runs the
/// app with resource loading switched off for the whole process (leptos'
/// `SuppressResourceLoad`), and a resource first polled meanwhile never
/// loads: a page rendered then by another router of the same process (tests
/// build one each, in parallel) would wait for good.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole HTTP surface, without a socket, so tests can drive it with `oneshot`.
pub fn router(state: AppState) -> Router {
    let pages = page_routes();
    let context = {
        let (auth, reports) = (state.auth.clone(), state.reports.clone());
        let ingest = state.ingest.clone();
        move || {
            provide_context(auth.clone());
            provide_context(reports.clone());
            // Saving shields on the settings page makes ingest forget the site.
            provide_context(ingest.clone());
            http::security::send_page_policy();
        }
    };
    let render = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    let api = Router::new()
        .route("/api/v1/auth/register", post(routes::auth::register))
        .route("/api/v1/auth/login", post(routes::auth::login))
        .route("/api/v1/auth/logout", post(routes::auth::logout))
        .route(
            "/api/v1/auth/logout-everywhere",
            post(routes::auth::logout_everywhere),
        )
        .route(
            "/api/v1/auth/password",
            post(routes::auth::change_password).put(routes::auth::change_password),
        )
        .route("/api/v1/auth/me", get(routes::auth::me))
        .route(
            "/api/v1/api-keys",
            get(routes::api_keys::list).post(routes::api_keys::create),
        )
        .route(
            "/api/v1/api-keys/{id}",
            axum::routing::delete(routes::api_keys::revoke),
        )
        // With a Bearer key these answer as Plausible's Sites API; with the
        // session cookie, in PagePulse's own shapes.
        .route(
            "/api/v1/sites",
            get(routes::sites_api::list).post(routes::sites_api::create),
        )
        .route(
            "/api/v1/sites/{id}",
            get(routes::sites_api::get)
                .put(routes::sites_api::put)
                .patch(routes::sites::update)
                .delete(routes::sites_api::delete),
        )
        .route(
            "/api/v1/sites/shared-links",
            put(routes::sites_api::shared_link).post(routes::sites_api::shared_link),
        )
        .route(
            "/api/v1/sites/goals",
            get(routes::sites_api::goals)
                .put(routes::sites_api::put_goal)
                .post(routes::sites_api::put_goal)
                .delete(routes::sites_api::delete_goal),
        )
        .route(
            "/api/v1/sites/goals/{goal_id}",
            axum::routing::delete(routes::sites_api::delete_goal),
        )
        .route(
            "/api/v1/sites/{id}/goals",
            get(routes::goals::list).post(routes::goals::create),
        )
        .route(
            "/api/v1/sites/{id}/goals/{goal}",
            axum::routing::delete(routes::goals::delete),
        )
        .route(
            "/api/v1/sites/{id}/shields",
            get(routes::shields::get).put(routes::shields::put),
        )
        .route(
            "/api/v1/sites/{id}/funnels",
            get(routes::funnels::list).post(routes::funnels::create),
        )
        .route(
            "/api/v1/sites/{id}/funnels/{funnel}",
            get(routes::funnels::report).delete(routes::funnels::delete),
        )
        .route("/api/v1/stats/aggregate", get(routes::stats::aggregate))
        .route("/api/v1/stats/timeseries", get(routes::stats::timeseries))
        .route("/api/v1/stats/breakdown", get(routes::stats::breakdown))
        .route(
            "/api/v1/stats/realtime/visitors",
            get(routes::stats::realtime),
        )
        .route("/api/v2/query", post(routes::stats::query))
        .route(
            "/api/v1/sites/{id}/analytics",
            get(routes::analytics::owner),
        )
        .route(
            "/api/v1/sites/{id}/export.csv",
            get(routes::analytics::export_csv),
        )
        .route(
            "/api/v1/public/{id}/analytics",
            get(routes::analytics::public),
        );
    let router = Router::new()
        .route("/health", get(routes::health::health))
        .route("/api/health", get(routes::health::health))
        .route("/health/details", get(routes::health::details))
        .merge(api)
        .leptos_routes_with_context(&state, pages, context.clone(), render)
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context.clone(), shell));
    let router = router.layer(middleware::from_fn_with_state(
        std::sync::Arc::<str>::from(state.config.base_url.as_str()),
        http::origin::same_origin_only,
    ));
    let app = http::security::with_security_headers(router, state.config.is_production())
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state.clone());
    // Beacons skip the page middleware (origin guard, compression, tracing): they
    // are cross-origin by design and the hottest path of all. So do the tracker
    // scripts, whose bytes are compressed once, at build time.
    let routes = routes::events::router(&state)
        .merge(routes::tracker::router(&state))
        .merge(app);
    // The edge wraps the router whole, not route by route (`Router::layer`),
    // so a request clones these layers and one `Router` handle, not every
    // route's stack of state once per layer.
    let edge = tower::ServiceBuilder::new()
        .layer(middleware::from_fn_with_state(
            std::sync::Arc::new(state.config.trusted_proxies.clone()),
            http::client::resolve,
        ))
        .layer(TimeoutLayer::with_status_code(
            ::http::StatusCode::REQUEST_TIMEOUT,
            state.config.connections.request_timeout,
        ))
        .layer(middleware::from_fn_with_state(
            state.auth.limits().clone(),
            http::ratelimit::public_reads,
        ))
        .service(routes);
    Router::new().fallback_service(edge)
}
