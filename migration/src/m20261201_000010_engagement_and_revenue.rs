use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What Plausible's trackers send beyond a name and a page: whether an event
/// counts as an interaction (a non-interactive one leaves a visit a bounce), the
/// revenue it carries, and, on a pageview, the engagement reported for it later
/// (deepest scroll, engaged time). One column per statement: SQLite alters one at
/// a time.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            boolean(Events::Interactive).default(true).to_owned(),
            string_len_null(Events::RevenueAmount, 40).to_owned(),
            string_len_null(Events::RevenueCurrency, 3).to_owned(),
            small_integer_null(Events::ScrollDepth).to_owned(),
            big_integer_null(Events::EngagedMs).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Events::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Events::EngagedMs,
            Events::ScrollDepth,
            Events::RevenueCurrency,
            Events::RevenueAmount,
            Events::Interactive,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Events::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Interactive,
    RevenueAmount,
    RevenueCurrency,
    ScrollDepth,
    EngagedMs,
}
