//! SeaORM entities, one per table of the `migration` crate.

pub mod daily_salt;
pub mod event;
pub mod open_visit;
pub mod site;
pub mod user;
