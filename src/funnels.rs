//! A site's funnels: 2–8 ordered steps, each one of the site's goals (by
//! name) or a page pattern with `*` wildcards. Free here, where Plausible
//! keeps them for a paid tier. Counting them is `dashboard::funnel`'s.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    entities::{funnel, goal},
    error::{Classify, Failure, Kind},
    goals::{Matcher, Target},
    validate::FieldError,
};

pub const MIN_STEPS: usize = 2;
pub const MAX_STEPS: usize = 8;
/// Funnels per site: a bound on what the settings page lists.
pub const MAX_FUNNELS: u64 = 50;

#[derive(Debug, thiserror::Error)]
pub enum FunnelError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("at most {MAX_FUNNELS} funnels per site")]
    TooMany,
    #[error("Funnel could not be found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl Classify for FunnelError {
    fn classify(self) -> Failure {
        match self {
            FunnelError::Invalid(field) => field.classify(),
            FunnelError::TooMany => Failure::new(Kind::Invalid, self).on("name"),
            FunnelError::NotFound => Failure::new(Kind::NotFound, self),
            FunnelError::Database(_) => Failure::new(Kind::Internal, self),
        }
    }
}

/// One step as the API spells it: `{"goal": name}` or `{"page": pattern}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
}

impl Step {
    /// What reports call the step: the goal's name, or "Visit " and the page.
    pub fn name(&self) -> String {
        match (&self.goal, &self.page) {
            (Some(goal), _) => goal.clone(),
            (None, Some(page)) => format!("Visit {page}"),
            (None, None) => String::new(),
        }
    }

    /// The step ready to test events; a goal deleted since matches nothing.
    pub fn matcher(&self, goals: &[goal::Model]) -> Matcher {
        let target = match (&self.goal, &self.page) {
            (Some(name), _) => match goals.iter().find(|g| &g.display_name == name) {
                Some(goal) => crate::goals::target(goal),
                // Event names are never empty, so this matches no event.
                None => Target::Event(String::new()),
            },
            (None, Some(page)) => Target::Page(page.clone()),
            (None, None) => Target::Event(String::new()),
        };
        Matcher::of_target(self.name(), target)
    }
}

/// A stored funnel's steps.
pub fn steps(funnel: &funnel::Model) -> Vec<Step> {
    serde_json::from_str(&funnel.steps).unwrap_or_default()
}

/// Checks a new funnel against the site's goals.
fn check(name: &str, steps: &[Step], goals: &[goal::Model]) -> Result<(), FieldError> {
    let length = name.chars().count();
    if length == 0 || length > 120 {
        return Err(FieldError::new("name", "name: 1 to 120 characters"));
    }
    if !(MIN_STEPS..=MAX_STEPS).contains(&steps.len()) {
        return Err(FieldError::new(
            "steps",
            format!("steps: a funnel has {MIN_STEPS} to {MAX_STEPS} steps"),
        ));
    }
    for step in steps {
        match (&step.goal, &step.page) {
            (Some(goal), None) => {
                if !goals.iter().any(|g| &g.display_name == goal) {
                    return Err(FieldError::new(
                        "steps",
                        format!("steps: `{goal}` is not a goal of this site"),
                    ));
                }
            }
            (None, Some(page)) => {
                if !page.starts_with('/')
                    || page.chars().count() > 2000
                    || page.chars().any(char::is_control)
                {
                    return Err(FieldError::new(
                        "steps",
                        "steps: a page step is a path starting with / (2000 characters at most)",
                    ));
                }
            }
            _ => {
                return Err(FieldError::new(
                    "steps",
                    r#"steps: each step is {"goal": name} or {"page": path}"#,
                ));
            }
        }
    }
    Ok(())
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    name: &str,
    steps: Vec<Step>,
) -> Result<funnel::Model, FunnelError> {
    let name = name.trim();
    let goals = crate::goals::list(db, site).await?;
    check(name, &steps, &goals)?;
    let held = funnel::Entity::find()
        .filter(funnel::Column::SiteId.eq(site))
        .count(db)
        .await?;
    if held >= MAX_FUNNELS {
        return Err(FunnelError::TooMany);
    }
    let steps = serde_json::to_string(&steps).map_err(|e| DbErr::Custom(e.to_string()))?;
    Ok(funnel::Entity::insert(funnel::ActiveModel {
        site_id: Set(site),
        name: Set(name.to_owned()),
        steps: Set(steps),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .exec_with_returning(db)
    .await?)
}

/// The site's funnels, oldest first.
pub async fn list<C: ConnectionTrait>(db: &C, site: Uuid) -> Result<Vec<funnel::Model>, DbErr> {
    funnel::Entity::find()
        .filter(funnel::Column::SiteId.eq(site))
        .order_by_asc(funnel::Column::Id)
        .all(db)
        .await
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    id: i64,
) -> Result<funnel::Model, FunnelError> {
    funnel::Entity::find_by_id(id)
        .filter(funnel::Column::SiteId.eq(site))
        .one(db)
        .await?
        .ok_or(FunnelError::NotFound)
}

pub async fn delete<C: ConnectionTrait>(db: &C, site: Uuid, id: i64) -> Result<(), FunnelError> {
    let deleted = funnel::Entity::delete_many()
        .filter(funnel::Column::Id.eq(id))
        .filter(funnel::Column::SiteId.eq(site))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(FunnelError::NotFound);
    }
    Ok(())
}
