use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A run goes on past a site-day that fails to roll up (the day stays pending
/// and is tried again next run); the run's record says how many failed and
/// which were the first and the last. One column per statement: SQLite alters
/// one at a time.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            big_integer(RollupRuns::FailedDays).default(0).to_owned(),
            text_null(RollupRuns::FirstFailure).to_owned(),
            text_null(RollupRuns::LastFailure).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(RollupRuns::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            RollupRuns::LastFailure,
            RollupRuns::FirstFailure,
            RollupRuns::FailedDays,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(RollupRuns::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum RollupRuns {
    Table,
    FailedDays,
    FirstFailure,
    LastFailure,
}
