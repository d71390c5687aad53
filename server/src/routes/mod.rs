//! Plain axum routes (no Leptos): health and the REST API; beacons and the
//! tracker as the product grows.

pub mod auth;
pub mod health;
pub mod sites;
