//! Shields as stored: one row per site with rules, none without.

use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, sea_query::OnConflict};
use uuid::Uuid;

use super::{Rules, shield::checked};
use crate::{
    entities::site_shield,
    error::{Classify, Failure, Kind},
    validate::FieldError,
};

#[derive(Debug, thiserror::Error)]
pub enum ShieldError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl Classify for ShieldError {
    fn classify(self) -> Failure {
        match self {
            ShieldError::Invalid(field) => field.classify(),
            ShieldError::Database(_) => Failure::new(Kind::Internal, self),
        }
    }
}

/// The site's rules (empty lists when it has none).
pub async fn get<C: ConnectionTrait>(db: &C, site: Uuid) -> Result<Rules, DbErr> {
    let row = site_shield::Entity::find_by_id(site).one(db).await?;
    Ok(parse(row.as_ref().map(|row| row.rules.as_str())))
}

/// Rules from their stored text: none without a row (or with a row this
/// version cannot read).
pub fn parse(stored: Option<&str>) -> Rules {
    stored
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default()
}

/// The stored rules of the site in the row being selected, as one column of
/// the site's own query (ingest's lookup is one round trip, not two).
pub const RULES_OF_SITE: &str =
    "(SELECT rules FROM site_shields WHERE site_shields.site_id = sites.id)";

/// Replaces the site's rules with `rules` once every entry is valid; returns
/// them as kept (normalised, duplicates dropped).
pub async fn put<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    rules: Rules,
) -> Result<Rules, ShieldError> {
    let rules = checked(rules)?;
    if rules.is_empty() {
        site_shield::Entity::delete_by_id(site).exec(db).await?;
        return Ok(rules);
    }
    let row = site_shield::ActiveModel {
        site_id: Set(site),
        rules: Set(serde_json::to_string(&rules).unwrap_or_default()),
        updated_at: Set(chrono::Utc::now()),
    };
    site_shield::Entity::insert(row)
        .on_conflict(
            OnConflict::column(site_shield::Column::SiteId)
                .update_columns([site_shield::Column::Rules, site_shield::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(rules)
}
