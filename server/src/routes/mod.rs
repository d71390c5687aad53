//! Plain axum routes (no Leptos): health, the tracker script and the REST API.

pub mod analytics;
pub mod api_keys;
pub mod auth;
pub mod events;
pub mod funnels;
pub mod goals;
pub mod health;
pub mod shields;
pub mod sites;
pub mod sites_api;
pub mod stats;
pub mod tracker;
