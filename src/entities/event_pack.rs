use sea_orm::entity::prelude::*;

/// One column of a site's closed UTC day of events, encoded by
/// `stats::engine::pack`; a day's columns are written together.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_packs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub site_id: Uuid,
    /// The UTC day's first instant, Unix milliseconds.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: i64,
    /// The `events` column it holds, by name.
    #[sea_orm(primary_key, auto_increment = false)]
    pub field: String,
    pub data: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::site::Entity",
        from = "Column::SiteId",
        to = "super::site::Column::Id",
        on_delete = "Cascade"
    )]
    Site,
}

impl Related<super::site::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Site.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
