use sea_orm::entity::prelude::*;

/// A site's goal: exactly one of `event_name` and `page_path` is set.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "goals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub site_id: Uuid,
    pub event_name: Option<String>,
    /// A path, where `*` matches within one segment and `**` across them.
    pub page_path: Option<String>,
    /// The name reports and `event:goal` filters use: the event's name, or
    /// "Visit " and the path.
    pub display_name: String,
    /// Set on a revenue goal: the ISO 4217 code its totals are reported in.
    pub currency: Option<String>,
    pub created_at: DateTimeUtc,
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
