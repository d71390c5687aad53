use sea_orm::entity::prelude::*;

/// One rolled-up day counted over only the events whose `dimension` is `value`:
/// what a report filtered on that one value reads for the day. The columns
/// mean what `rollup_day`'s do; `breakdowns` holds the slice's other values as
/// JSON (see `analytics::count::stored`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rollup_slices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub site_id: Uuid,
    pub day: Date,
    /// The dimension's query parameter (`page`, `referrer`, …).
    pub dimension: String,
    /// `value`'s hash, for the index (see `analytics::count::stored::value_hash`).
    pub value_hash: i64,
    pub value: String,
    pub pageviews: i64,
    pub visitors: i64,
    pub visits: i64,
    pub bounces: i64,
    pub duration_ms: i64,
    pub carry_visitors: i64,
    pub carry_visits: i64,
    pub carry_bounces: i64,
    pub carry_duration_ms: i64,
    #[sea_orm(column_type = "Text")]
    pub breakdowns: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
