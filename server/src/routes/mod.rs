//! Plain axum routes (no Leptos): health now; beacons, the tracker and the REST API
//! as the product grows.

pub mod health;
