use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A page's engagement on a rolled-up day, on the page's own row: how many of
/// its pageviews reported engagement, and the sums of their deepest scroll and
/// engaged time. As rows of their own they tripled the rows a long range reads.
/// One column per statement: SQLite alters one at a time.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            RollupValues::EngagedPageviews,
            RollupValues::ScrollSum,
            RollupValues::EngagedMsSum,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(RollupValues::Table)
                        .add_column(big_integer(column).default(0).to_owned())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            RollupValues::EngagedMsSum,
            RollupValues::ScrollSum,
            RollupValues::EngagedPageviews,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(RollupValues::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum RollupValues {
    Table,
    EngagedPageviews,
    ScrollSum,
    EngagedMsSum,
}
