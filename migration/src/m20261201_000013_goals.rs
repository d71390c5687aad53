use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261128_000001_accounts_and_sites::Sites;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A site's goals: a custom event's name or a page path (with `*` wildcards),
/// what conversions and funnels count. Integer ids, as Plausible's Sites API
/// answers them; deleting a site deletes its goals.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Goals::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Goals::Id))
                    .col(uuid(Goals::SiteId))
                    .col(string_len_null(Goals::EventName, 120))
                    .col(string_len_null(Goals::PagePath, 2000))
                    .col(string_len(Goals::DisplayName, 2010))
                    .col(string_len_null(Goals::Currency, 3))
                    .col(timestamp_with_time_zone(Goals::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_goals_site")
                            .from(Goals::Table, Goals::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_goals_site")
                    .table(Goals::Table)
                    .col(Goals::SiteId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Goals::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Goals {
    Table,
    Id,
    SiteId,
    EventName,
    PagePath,
    DisplayName,
    Currency,
    CreatedAt,
}
