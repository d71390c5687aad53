use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The source (referrer and UTM values) of each open visit, so an event that
/// continues a visit is stored with the source the visit started with, whichever
/// process stored that first event. SQLite adds one column per ALTER TABLE.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            (OpenVisits::ReferrerSource, 253),
            (OpenVisits::UtmSource, 200),
            (OpenVisits::UtmMedium, 200),
            (OpenVisits::UtmCampaign, 200),
            (OpenVisits::UtmTerm, 200),
            (OpenVisits::UtmContent, 200),
        ];
        for (column, len) in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(OpenVisits::Table)
                        .add_column(string_len(column, len).default(""))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            OpenVisits::ReferrerSource,
            OpenVisits::UtmSource,
            OpenVisits::UtmMedium,
            OpenVisits::UtmCampaign,
            OpenVisits::UtmTerm,
            OpenVisits::UtmContent,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OpenVisits::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum OpenVisits {
    Table,
    ReferrerSource,
    UtmSource,
    UtmMedium,
    UtmCampaign,
    UtmTerm,
    UtmContent,
}
