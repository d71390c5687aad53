use sea_orm::entity::prelude::*;

/// One value of one breakdown on one rolled-up day: pageviews, visitors, and the
/// visitors it shares with the same value the day before (see `rollup_day`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rollup_values")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub site_id: Uuid,
    pub day: Date,
    /// The dimension's query parameter (`page`, `referrer`, …).
    pub dimension: String,
    pub value: String,
    pub pageviews: i64,
    pub visitors: i64,
    pub carry_visitors: i64,
    /// On a page's row: its pageviews that reported engagement, and the sums
    /// of their deepest scroll (percent) and engaged time (ms).
    pub engaged_pageviews: i64,
    pub scroll_sum: i64,
    pub engaged_ms_sum: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
