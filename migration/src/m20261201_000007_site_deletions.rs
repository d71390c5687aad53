use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261128_000001_accounts_and_sites::Sites;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Sites being deleted. A large site's rows are deleted a chunk at a time so
/// ingest for other sites goes on meanwhile; a row here hides the site at once
/// (from its owner, its public page and its beacons) and lets a purge cut
/// short by a restart be finished later. The site row goes last and takes this
/// row with it.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SiteDeletions::Table)
                    .if_not_exists()
                    .col(uuid(SiteDeletions::SiteId).primary_key())
                    .col(big_integer(SiteDeletions::RequestedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_site_deletions_site")
                            .from(SiteDeletions::Table, SiteDeletions::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SiteDeletions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SiteDeletions {
    Table,
    SiteId,
    RequestedAt,
}
