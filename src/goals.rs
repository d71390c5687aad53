//! A site's goals: a custom event by name, or pageviews of a path pattern
//! (`glob`). They are what conversions, `event:goal` and funnels count.
//! Creating a goal that exists answers the existing one, as Plausible's Sites
//! API does, so provisioning scripts can run twice.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::{
    entities::goal,
    error::{Classify, Failure, Kind},
    glob::Glob,
    validate::FieldError,
};

/// Goals per site: enough for any real site, and a bound on what a report
/// matches each event against.
pub const MAX_GOALS: u64 = 100;

#[derive(Debug, thiserror::Error)]
pub enum GoalError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("at most {MAX_GOALS} goals per site")]
    TooMany,
    #[error("Goal could not be found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl Classify for GoalError {
    fn classify(self) -> Failure {
        match self {
            GoalError::Invalid(field) => field.classify(),
            GoalError::TooMany => Failure::new(Kind::Invalid, self).on("goal_type"),
            GoalError::NotFound => Failure::new(Kind::NotFound, self),
            GoalError::Database(_) => Failure::new(Kind::Internal, self),
        }
    }
}

/// What a goal counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Event(String),
    Page(String),
}

/// A new goal as asked for: what it counts and, for revenue, its currency.
#[derive(Clone, Debug)]
pub struct NewGoal {
    pub target: Target,
    pub currency: Option<String>,
    /// What reports call it; by default the event's name or "Visit <path>".
    pub display_name: Option<String>,
}

impl NewGoal {
    /// From the fields Plausible's clients send: `goal_type` `event`, `page` or
    /// `page_path`, with `event_name` or `page_path`; without a type, whichever
    /// of the two is given.
    pub fn from_fields(
        goal_type: Option<&str>,
        event_name: Option<&str>,
        page_path: Option<&str>,
        currency: Option<&str>,
    ) -> Result<NewGoal, FieldError> {
        let event_name = event_name.map(str::trim).filter(|s| !s.is_empty());
        let page_path = page_path.map(str::trim).filter(|s| !s.is_empty());
        let target = match goal_type {
            Some("event") => Target::Event(
                event_name
                    .ok_or_else(|| {
                        FieldError::new("event_name", "Parameter `event_name` is required")
                    })?
                    .to_owned(),
            ),
            Some("page" | "page_path" | "pageview") => Target::Page(
                page_path
                    .ok_or_else(|| {
                        FieldError::new("page_path", "Parameter `page_path` is required")
                    })?
                    .to_owned(),
            ),
            Some(_) => {
                return Err(FieldError::new(
                    "goal_type",
                    "Parameter `goal_type` must be `event` or `page`",
                ));
            }
            None => match (event_name, page_path) {
                (Some(name), None) => Target::Event(name.to_owned()),
                (None, Some(path)) => Target::Page(path.to_owned()),
                _ => {
                    return Err(FieldError::new(
                        "goal_type",
                        "Parameter `goal_type` is required",
                    ));
                }
            },
        };
        // Plausible adds the leading slash a path was sent without.
        let target = match target {
            Target::Page(path) if !path.starts_with('/') => Target::Page(format!("/{path}")),
            other => other,
        };
        match &target {
            Target::Event(name) if name.chars().count() > 120 => {
                return Err(FieldError::new(
                    "event_name",
                    "event_name must be at most 120 characters",
                ));
            }
            Target::Event(name) if name == "pageview" => {
                return Err(FieldError::new(
                    "event_name",
                    "a pageview is not a custom event: make a page goal",
                ));
            }
            Target::Page(path) if path.chars().count() > 2000 => {
                return Err(FieldError::new(
                    "page_path",
                    "page_path must be at most 2000 characters",
                ));
            }
            Target::Event(text) | Target::Page(text) if text.chars().any(char::is_control) => {
                return Err(FieldError::new(
                    "goal_type",
                    "a goal must not contain control characters",
                ));
            }
            _ => {}
        }
        let currency = match currency.map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) => {
                if matches!(target, Target::Page(_)) {
                    return Err(FieldError::new(
                        "currency",
                        "only an event goal can carry revenue",
                    ));
                }
                Some(code.to_ascii_uppercase())
            }
            Some(_) => {
                return Err(FieldError::new(
                    "currency",
                    "currency must be an ISO 4217 code such as USD",
                ));
            }
            None => None,
        };
        Ok(NewGoal {
            target,
            currency,
            display_name: None,
        })
    }

    /// Names the goal, as Plausible's `display_name`.
    pub fn named(mut self, display_name: Option<&str>) -> Result<NewGoal, FieldError> {
        let name = display_name.map(str::trim).filter(|s| !s.is_empty());
        if let Some(name) = name {
            if name.chars().count() > 2000 || name.chars().any(char::is_control) {
                return Err(FieldError::new(
                    "display_name",
                    "display_name must be at most 2000 characters, without control characters",
                ));
            }
            self.display_name = Some(name.to_owned());
        }
        Ok(self)
    }
}

impl Target {
    pub fn display_name(&self) -> String {
        match self {
            Target::Event(name) => name.clone(),
            Target::Page(path) => format!("Visit {path}"),
        }
    }
}

pub fn target(goal: &goal::Model) -> Target {
    match (&goal.event_name, &goal.page_path) {
        (Some(name), _) => Target::Event(name.clone()),
        (None, Some(path)) => Target::Page(path.clone()),
        (None, None) => Target::Event(goal.display_name.clone()),
    }
}

/// The goal for `new`, made unless the site has it already; `true` when made.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    new: NewGoal,
) -> Result<(goal::Model, bool), GoalError> {
    let (event_name, page_path) = match &new.target {
        Target::Event(name) => (Some(name.clone()), None),
        Target::Page(path) => (None, Some(path.clone())),
    };
    let same = match &new.target {
        Target::Event(name) => goal::Column::EventName.eq(name.clone()),
        Target::Page(path) => goal::Column::PagePath.eq(path.clone()),
    };
    let existing = goal::Entity::find()
        .filter(goal::Column::SiteId.eq(site))
        .filter(same)
        .one(db)
        .await?;
    if let Some(existing) = existing {
        return Ok((existing, false));
    }
    let display_name = new
        .display_name
        .clone()
        .unwrap_or_else(|| new.target.display_name());
    let taken = goal::Entity::find()
        .filter(goal::Column::SiteId.eq(site))
        .filter(goal::Column::DisplayName.eq(display_name.clone()))
        .count(db)
        .await?;
    if taken > 0 {
        return Err(GoalError::Invalid(FieldError::new(
            "display_name",
            format!("display_name: another goal of this site is called `{display_name}`"),
        )));
    }
    let held = goal::Entity::find()
        .filter(goal::Column::SiteId.eq(site))
        .count(db)
        .await?;
    if held >= MAX_GOALS {
        return Err(GoalError::TooMany);
    }
    let row = goal::Entity::insert(goal::ActiveModel {
        site_id: Set(site),
        display_name: Set(display_name),
        event_name: Set(event_name),
        page_path: Set(page_path),
        currency: Set(new.currency),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .exec_with_returning(db)
    .await?;
    Ok((row, true))
}

/// The site's goals, oldest first.
pub async fn list<C: ConnectionTrait>(db: &C, site: Uuid) -> Result<Vec<goal::Model>, DbErr> {
    goal::Entity::find()
        .filter(goal::Column::SiteId.eq(site))
        .order_by_asc(goal::Column::Id)
        .all(db)
        .await
}

pub async fn delete<C: ConnectionTrait>(db: &C, site: Uuid, id: i64) -> Result<(), GoalError> {
    let deleted = goal::Entity::delete_many()
        .filter(goal::Column::Id.eq(id))
        .filter(goal::Column::SiteId.eq(site))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(GoalError::NotFound);
    }
    Ok(())
}

/// A goal ready to test events against.
#[derive(Clone, Debug)]
pub struct Matcher {
    pub name: String,
    pub currency: Option<String>,
    test: Test,
}

#[derive(Clone, Debug)]
enum Test {
    Event(String),
    Page(Glob),
}

impl Matcher {
    pub fn new(goal: &goal::Model) -> Matcher {
        Matcher {
            currency: goal.currency.clone(),
            ..Matcher::of_target(goal.display_name.clone(), target(goal))
        }
    }

    /// A target that is not a stored goal: a funnel's page step.
    pub fn of_target(name: String, target: Target) -> Matcher {
        let test = match target {
            Target::Event(name) => Test::Event(name),
            Target::Page(path) => Test::Page(Glob::new(&path)),
        };
        Matcher {
            name,
            currency: None,
            test,
        }
    }

    /// The custom event this goal counts, if it counts one.
    pub fn event_name(&self) -> Option<&str> {
        match &self.test {
            Test::Event(name) => Some(name),
            Test::Page(_) => None,
        }
    }

    /// Whether an event (its name and path) completes this goal.
    pub fn completes(&self, name: &str, path: &str) -> bool {
        match &self.test {
            Test::Event(goal) => name == goal,
            Test::Page(glob) => name == "pageview" && glob.matches(path),
        }
    }
}
