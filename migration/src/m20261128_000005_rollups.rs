use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261128_000001_accounts_and_sites::Sites;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Daily rollups: one row per closed site-local day (a day in the site's time
/// zone that has ended) with the day's
/// totals, one row per (day, dimension, value) for the breakdowns, and a log of
/// the job's runs. Besides the day's own counts each day keeps its "carry": what
/// it shares with the day before inside one UTC day (visitors, whose ids rotate
/// at UTC midnight, and visits across the local midnight), so that a range of
/// days sums to exactly what the raw events give.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RollupDays::Table)
                    .if_not_exists()
                    .col(uuid(RollupDays::SiteId))
                    .col(date(RollupDays::Day))
                    // The zone the day was cut in; a site that changes zone is re-rolled.
                    .col(string_len(RollupDays::Timezone, 64))
                    .col(big_integer(RollupDays::Pageviews))
                    .col(big_integer(RollupDays::Visitors))
                    .col(big_integer(RollupDays::Visits))
                    .col(big_integer(RollupDays::Bounces))
                    .col(big_integer(RollupDays::DurationMs))
                    .col(big_integer(RollupDays::CarryVisitors))
                    .col(big_integer(RollupDays::CarryVisits))
                    .col(big_integer(RollupDays::CarryBounces))
                    .col(big_integer(RollupDays::CarryDurationMs))
                    .col(big_integer(RollupDays::RolledAt))
                    .primary_key(Index::create().col(RollupDays::SiteId).col(RollupDays::Day))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rollup_days_site")
                            .from(RollupDays::Table, RollupDays::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        // Values are up to 2000 characters: too long for a unique index on
        // PostgreSQL, so rows are replaced per (site, day) and keyed by an id.
        manager
            .create_table(
                Table::create()
                    .table(RollupValues::Table)
                    .if_not_exists()
                    .col(big_pk_auto(RollupValues::Id))
                    .col(uuid(RollupValues::SiteId))
                    .col(date(RollupValues::Day))
                    .col(string_len(RollupValues::Dimension, 16))
                    .col(string_len(RollupValues::Value, 2000))
                    .col(big_integer(RollupValues::Pageviews))
                    .col(big_integer(RollupValues::Visitors))
                    .col(big_integer(RollupValues::CarryVisitors))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rollup_values_site")
                            .from(RollupValues::Table, RollupValues::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_rollup_values_site_dimension_day")
                    .table(RollupValues::Table)
                    .col(RollupValues::SiteId)
                    .col(RollupValues::Dimension)
                    .col(RollupValues::Day)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_rollup_values_site_day")
                    .table(RollupValues::Table)
                    .col(RollupValues::SiteId)
                    .col(RollupValues::Day)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RollupRuns::Table)
                    .if_not_exists()
                    .col(big_pk_auto(RollupRuns::Id))
                    .col(string_len(RollupRuns::Trigger, 16))
                    .col(big_integer(RollupRuns::StartedAt))
                    .col(big_integer(RollupRuns::DurationMs))
                    .col(big_integer(RollupRuns::Days))
                    .col(big_integer(RollupRuns::EventsPruned))
                    .col(text_null(RollupRuns::Error))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RollupRuns::Table.into_iden(),
            RollupValues::Table.into_iden(),
            RollupDays::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum RollupDays {
    Table,
    SiteId,
    Day,
    Timezone,
    Pageviews,
    Visitors,
    Visits,
    Bounces,
    DurationMs,
    CarryVisitors,
    CarryVisits,
    CarryBounces,
    CarryDurationMs,
    RolledAt,
}

#[derive(DeriveIden)]
enum RollupValues {
    Table,
    Id,
    SiteId,
    Day,
    Dimension,
    Value,
    Pageviews,
    Visitors,
    CarryVisitors,
}

#[derive(DeriveIden)]
enum RollupRuns {
    Table,
    Id,
    Trigger,
    StartedAt,
    DurationMs,
    Days,
    EventsPruned,
    Error,
}
