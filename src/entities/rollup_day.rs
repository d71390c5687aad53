use sea_orm::entity::prelude::*;

/// One closed site-local day, rolled up. The `carry_*` columns are
/// what this day shares with the day before within one UTC day: visitors seen
/// on both sides of the local midnight and visits that cross it. A range of days
/// subtracts them (and adds back the gap inside each crossing visit) to give
/// exactly the raw events' answer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rollup_days")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub site_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    pub timezone: String,
    pub pageviews: i64,
    pub visitors: i64,
    pub visits: i64,
    pub bounces: i64,
    pub duration_ms: i64,
    pub carry_visitors: i64,
    pub carry_visits: i64,
    /// Bounces of the crossing visits' two halves minus those of the whole visits.
    pub carry_bounces: i64,
    /// Time between the two halves of each crossing visit.
    pub carry_duration_ms: i64,
    /// Unix milliseconds.
    pub rolled_at: i64,
    /// Whether the day's `rollup_slices` were written with it (days rolled up
    /// before slices existed have none).
    pub sliced: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
