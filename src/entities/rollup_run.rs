use sea_orm::entity::prelude::*;

/// One run of the rollup job, kept so `/health` can say when it last ran.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rollup_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `cron` or `cli`.
    pub trigger: String,
    /// Unix milliseconds.
    pub started_at: i64,
    pub duration_ms: i64,
    pub days: i64,
    pub events_pruned: i64,
    pub error: Option<String>,
    /// Site-days that failed to roll up; they are tried again next run.
    pub failed_days: i64,
    /// The run's first and last failed site-day, with the error.
    pub first_failure: Option<String>,
    pub last_failure: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
