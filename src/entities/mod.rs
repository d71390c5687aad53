//! SeaORM entities, one per table of the `migration` crate.

pub mod api_key;
pub mod daily_salt;
pub mod event;
pub mod event_pack;
pub mod funnel;
pub mod goal;
pub mod open_visit;
pub mod rollup_day;
pub mod rollup_run;
pub mod rollup_slice;
pub mod rollup_value;
pub mod session;
pub mod site;
pub mod site_deletion;
pub mod site_shield;
pub mod user;
