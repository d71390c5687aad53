use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "daily_salts")]
pub struct Model {
    /// The UTC day this salt hashes visitors for.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    pub salt: Vec<u8>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
