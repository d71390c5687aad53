use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261128_000001_accounts_and_sites::Sites;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Each visitor's latest event and its visit: the ingest writer reads it to
        // continue or start a visit (an event under 30 minutes after the visitor's
        // previous one continues it) with one key lookup per visitor,
        // whichever server process wrote the previous event. Rows older than two
        // days are pruned hourly by a scan; visitor ids rotate daily, so they can
        // never match again. No index on last_ts: every event updates it, and an
        // index would double the writes to save an hourly scan of a small table.
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
        // Visits no longer look up a visitor's previous event, and this index
        // cost a random B-tree write per stored event.
        manager
            .drop_index(
                Index::drop()
                    .name("idx_events_site_visitor_ts")
                    .table(Events::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_events_site_visitor_ts")
                    .table(Events::Table)
                    .col(Events::SiteId)
                    .col(Events::VisitorId)
                    .col(Events::Ts)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(OpenVisits::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Events {
    Table,
    SiteId,
    VisitorId,
    Ts,
}

#[derive(DeriveIden)]
enum OpenVisits {
    Table,
    SiteId,
    VisitorId,
    VisitId,
    LastTs,
}
