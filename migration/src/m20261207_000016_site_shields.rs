use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261128_000001_accounts_and_sites::Sites;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A site's shields: the rules that keep traffic out of its numbers (addresses,
/// paths, hostnames, countries), one JSON object per site read whole by ingest
/// when it looks the site up. No row means no rules. Deleting a site deletes it.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SiteShields::Table)
                    .if_not_exists()
                    .col(uuid(SiteShields::SiteId).primary_key())
                    .col(text(SiteShields::Rules))
                    .col(timestamp_with_time_zone(SiteShields::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_site_shields_site")
                            .from(SiteShields::Table, SiteShields::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SiteShields::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SiteShields {
    Table,
    SiteId,
    Rules,
    UpdatedAt,
}
