use sea_orm::entity::prelude::*;

/// A visitor's latest event on a site and the visit it belongs to; how a new
/// event knows whether it continues that visit (gap under 30 minutes) or starts one.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "open_visits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub site_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub visitor_id: i64,
    pub visit_id: i64,
    /// Unix milliseconds of the visitor's latest event.
    pub last_ts: i64,
    /// The visit's source: its first event's referrer and UTM values.
    pub referrer_source: String,
    pub utm_source: String,
    pub utm_medium: String,
    pub utm_campaign: String,
    pub utm_term: String,
    pub utm_content: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
