//! A site's goals, for its settings page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalInfo {
    pub id: i64,
    pub display_name: String,
    /// "event" or "page".
    pub kind: String,
}

#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn list_goals(site: String) -> Result<Vec<GoalInfo>, AppError> {
    super::ssr::respond(async move {
        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        let id = pagepulse_core::sites::parse_id(&site)?;
        let site = pagepulse_core::sites::get(auth.db(), user.id, id).await?;
        let goals = pagepulse_core::goals::list(auth.db(), site.id).await?;
        Ok(goals
            .into_iter()
            .map(|g| GoalInfo {
                kind: if g.event_name.is_some() {
                    "event"
                } else {
                    "page"
                }
                .into(),
                id: g.id,
                display_name: g.display_name,
            })
            .collect())
    })
    .await
}

/// `kind` is "event" (an event's name) or "page" (a path, `*` a wildcard).
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn create_goal(site: String, kind: String, target: String) -> Result<(), AppError> {
    super::ssr::respond(async move {
        use pagepulse_core::goals::NewGoal;

        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        let id = pagepulse_core::sites::parse_id(&site)?;
        let site = pagepulse_core::sites::get(auth.db(), user.id, id).await?;
        let new = match kind.as_str() {
            "page" => NewGoal::from_fields(Some("page"), None, Some(&target), None),
            _ => NewGoal::from_fields(Some("event"), Some(&target), None, None),
        }
        .map_err(|e| AppError::Field {
            field: "target".into(),
            message: e.message,
        })?;
        pagepulse_core::goals::create(auth.db(), site.id, new).await?;
        Ok(())
    })
    .await
}

#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn delete_goal(site: String, goal: i64) -> Result<(), AppError> {
    super::ssr::respond(async move {
        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        let id = pagepulse_core::sites::parse_id(&site)?;
        let site = pagepulse_core::sites::get(auth.db(), user.id, id).await?;
        pagepulse_core::goals::delete(auth.db(), site.id, goal).await?;
        Ok(())
    })
    .await
}
