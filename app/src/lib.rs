//! PagePulse's UI: Leptos components rendered on the server and hydrated in the
//! browser. Server functions (thin adapters over the core crate) live in `api`.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode, StaticSegment,
    components::{Route, Router, Routes},
    path,
};

pub mod api;
mod components;
mod pages;
#[cfg(feature = "ssr")]
pub mod session;

/// The name cargo-leptos gives the wasm, JS and CSS bundles (`[[workspace.metadata.leptos]] name`).
pub const OUTPUT_NAME: &str = "pagepulse";

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href=format!("/pkg/{OUTPUT_NAME}.css") />
        <Title text="PagePulse — privacy-first website analytics" />
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=StaticSegment("") view=pages::Landing />
                // Async: the whole page (and any redirect) is decided before the
                // first byte, so signed-out visitors get a real 302.
                <Route path=path!("/register") view=pages::RegisterPage ssr=SsrMode::Async />
                <Route path=path!("/login") view=pages::LoginPage ssr=SsrMode::Async />
                <Route path=path!("/sites") view=pages::SitesPage ssr=SsrMode::Async />
                <Route path=path!("/account") view=pages::AccountPage ssr=SsrMode::Async />
                <Route path=path!("/ignore") view=pages::IgnorePage />
                <Route
                    path=path!("/settings/api-keys")
                    view=pages::ApiKeysPage
                    ssr=SsrMode::Async
                />
                <Route path=path!("/sites/:id") view=pages::DashboardPage ssr=SsrMode::Async />
                <Route path=path!("/share/:id") view=pages::SharePage ssr=SsrMode::Async />
                <Route
                    path=path!("/sites/:id/settings")
                    view=pages::SiteSettingsPage
                    ssr=SsrMode::Async
                />
            </Routes>
        </Router>
    }
}
