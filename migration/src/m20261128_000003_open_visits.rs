use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261128_000001_accounts_and_sites::Sites;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Each visitor's latest event and its visit: the ingest writer reads it to
        // continue or start a visit (SPEC §5) with one key lookup per visitor,
        // whichever server process wrote the previous event. Rows older than two
        // days are pruned; visitor ids rotate daily, so they can never match again.
        manager
            .create_table(
                Table::create()
                    .table(OpenVisits::Table)
                    .if_not_exists()
                    .col(uuid(OpenVisits::SiteId))
                    .col(big_integer(OpenVisits::VisitorId))
                    .col(big_integer(OpenVisits::VisitId))
                    .col(big_integer(OpenVisits::LastTs))
                    .primary_key(
                        Index::create()
                            .col(OpenVisits::SiteId)
                            .col(OpenVisits::VisitorId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_open_visits_site")
                            .from(OpenVisits::Table, OpenVisits::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_open_visits_last_ts")
                    .table(OpenVisits::Table)
                    .col(OpenVisits::LastTs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OpenVisits::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum OpenVisits {
    Table,
    SiteId,
    VisitorId,
    VisitId,
    LastTs,
}
