use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261128_000001_accounts_and_sites::Sites;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A site's funnels: a name and 2–8 ordered steps kept as one JSON list
/// (each a goal's name or a page pattern), read whole whenever a funnel is
/// counted. Deleting a site deletes its funnels.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Funnels::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Funnels::Id))
                    .col(uuid(Funnels::SiteId))
                    .col(string_len(Funnels::Name, 120))
                    .col(text(Funnels::Steps))
                    .col(timestamp_with_time_zone(Funnels::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_funnels_site")
                            .from(Funnels::Table, Funnels::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_funnels_site")
                    .table(Funnels::Table)
                    .col(Funnels::SiteId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Funnels::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Funnels {
    Table,
    Id,
    SiteId,
    Name,
    Steps,
    CreatedAt,
}
