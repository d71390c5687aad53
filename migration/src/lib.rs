//! The PagePulse schema. The same migrations run on SQLite and PostgreSQL; later
//! capabilities add their tables as new migrations rather than editing old ones, so a
//! database migrated by any release can be brought forward.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_accounts_and_sites;
mod m20261128_000002_salts_and_events;
mod m20261128_000003_open_visits;
mod m20261128_000004_visit_sources;
mod m20261128_000005_rollups;
mod m20261129_000006_rollup_slices;
mod m20261201_000007_site_deletions;
mod m20261201_000008_rollup_failures;
mod m20261201_000009_sessions;
mod m20261201_000010_engagement_and_revenue;
mod m20261201_000011_api_keys;
mod m20261201_000012_rollup_engagement;
mod m20261201_000013_goals;
mod m20261202_000014_event_packs;
mod m20261207_000015_funnels;
mod m20261207_000016_site_shields;
mod m20261208_000017_regions_and_cities;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_accounts_and_sites::Migration),
            Box::new(m20261128_000002_salts_and_events::Migration),
            Box::new(m20261128_000003_open_visits::Migration),
            Box::new(m20261128_000004_visit_sources::Migration),
            Box::new(m20261128_000005_rollups::Migration),
            Box::new(m20261129_000006_rollup_slices::Migration),
            Box::new(m20261201_000007_site_deletions::Migration),
            Box::new(m20261201_000008_rollup_failures::Migration),
            Box::new(m20261201_000009_sessions::Migration),
            Box::new(m20261201_000010_engagement_and_revenue::Migration),
            Box::new(m20261201_000011_api_keys::Migration),
            Box::new(m20261201_000012_rollup_engagement::Migration),
            Box::new(m20261201_000013_goals::Migration),
            Box::new(m20261202_000014_event_packs::Migration),
            Box::new(m20261207_000015_funnels::Migration),
            Box::new(m20261207_000016_site_shields::Migration),
            Box::new(m20261208_000017_regions_and_cities::Migration),
        ]
    }
}
