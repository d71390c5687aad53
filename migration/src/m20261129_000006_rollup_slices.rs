use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261128_000001_accounts_and_sites::Sites;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Rollups per filter value ("slices"): for each rolled-up day and each value
/// a dashboard filter can ask for, the day's numbers counted over only the
/// events with that value, so a filtered range reads one row per day instead of
/// its raw events. Breakdowns within a slice are one JSON text per row: a day
/// has a slice per value of every dimension, and one row each keeps that count
/// of rows, not its square. Days rolled up before slices existed say so
/// (`sliced` false): the job rolls them again while their raw events are kept.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RollupDays::Table)
                    .add_column(boolean(RollupDays::Sliced).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RollupSlices::Table)
                    .if_not_exists()
                    .col(big_pk_auto(RollupSlices::Id))
                    .col(uuid(RollupSlices::SiteId))
                    .col(date(RollupSlices::Day))
                    .col(string_len(RollupSlices::Dimension, 16))
                    // Values are up to 2000 characters, too long for a
                    // PostgreSQL index: lookups go by a hash, then the value.
                    .col(big_integer(RollupSlices::ValueHash))
                    .col(string_len(RollupSlices::Value, 2000))
                    .col(big_integer(RollupSlices::Pageviews))
                    .col(big_integer(RollupSlices::Visitors))
                    .col(big_integer(RollupSlices::Visits))
                    .col(big_integer(RollupSlices::Bounces))
                    .col(big_integer(RollupSlices::DurationMs))
                    .col(big_integer(RollupSlices::CarryVisitors))
                    .col(big_integer(RollupSlices::CarryVisits))
                    .col(big_integer(RollupSlices::CarryBounces))
                    .col(big_integer(RollupSlices::CarryDurationMs))
                    .col(text(RollupSlices::Breakdowns))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rollup_slices_site")
                            .from(RollupSlices::Table, RollupSlices::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_rollup_slices_lookup")
                    .table(RollupSlices::Table)
                    .col(RollupSlices::SiteId)
                    .col(RollupSlices::Dimension)
                    .col(RollupSlices::ValueHash)
                    .col(RollupSlices::Day)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_rollup_slices_site_day")
                    .table(RollupSlices::Table)
                    .col(RollupSlices::SiteId)
                    .col(RollupSlices::Day)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RollupSlices::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RollupDays::Table)
                    .drop_column(RollupDays::Sliced)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum RollupDays {
    Table,
    Sliced,
}

#[derive(DeriveIden)]
enum RollupSlices {
    Table,
    Id,
    SiteId,
    Day,
    Dimension,
    ValueHash,
    Value,
    Pageviews,
    Visitors,
    Visits,
    Bounces,
    DurationMs,
    CarryVisitors,
    CarryVisits,
    CarryBounces,
    CarryDurationMs,
    Breakdowns,
}
