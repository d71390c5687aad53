use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261128_000001_accounts_and_sites::Sites;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One random salt per UTC day; rows older than yesterday are deleted, which is
        // what makes yesterday's visitor ids unlinkable to an IP address for good.
        manager
            .create_table(
                Table::create()
                    .table(DailySalts::Table)
                    .if_not_exists()
                    .col(date(DailySalts::Day).primary_key())
                    .col(binary_len(DailySalts::Salt, 32))
                    .col(timestamp_with_time_zone(DailySalts::CreatedAt))
                    .to_owned(),
            )
            .await?;

        // Times are Unix milliseconds (UTC): the same integer arithmetic on both
        // backends, and cheap to bucket into any site's local days.
        // Dimensions are NOT NULL with '' for "none", so grouping needs no COALESCE.
        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Events::Id))
                    .col(uuid(Events::SiteId))
                    .col(big_integer(Events::Ts))
                    .col(string_len(Events::Name, 120))
                    .col(string_len(Events::Hostname, 253))
                    .col(string_len(Events::Path, 2000))
                    .col(string_len(Events::ReferrerSource, 253).default(""))
                    .col(string_len(Events::UtmSource, 200).default(""))
                    .col(string_len(Events::UtmMedium, 200).default(""))
                    .col(string_len(Events::UtmCampaign, 200).default(""))
                    .col(string_len(Events::UtmTerm, 200).default(""))
                    .col(string_len(Events::UtmContent, 200).default(""))
                    .col(string_len(Events::Browser, 64).default(""))
                    .col(string_len(Events::BrowserVersion, 16).default(""))
                    .col(string_len(Events::Os, 64).default(""))
                    .col(string_len(Events::Device, 16).default(""))
                    .col(string_len_null(Events::Country, 2))
                    .col(big_integer(Events::VisitorId))
                    .col(big_integer(Events::VisitId))
                    .col(text_null(Events::Props))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_events_site")
                            .from(Events::Table, Events::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("idx_events_site_ts")
                    .table(Events::Table)
                    .col(Events::SiteId)
                    .col(Events::Ts)
                    .to_owned(),
            )
            .await?;
        // Finds a visitor's previous event when assigning visits.
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
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Events::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(DailySalts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DailySalts {
    Table,
    Day,
    Salt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    SiteId,
    Ts,
    Name,
    Hostname,
    Path,
    ReferrerSource,
    UtmSource,
    UtmMedium,
    UtmCampaign,
    UtmTerm,
    UtmContent,
    Browser,
    BrowserVersion,
    Os,
    Device,
    Country,
    VisitorId,
    VisitId,
    Props,
}
