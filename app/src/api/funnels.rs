//! A site's funnels, for its settings page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelInfo {
    pub id: i64,
    pub name: String,
    /// The steps' names, in order.
    pub steps: Vec<String>,
}

#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn list_funnels(site: String) -> Result<Vec<FunnelInfo>, AppError> {
    super::ssr::respond(async move {
        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        let id = pagepulse_core::sites::parse_id(&site)?;
        let site = pagepulse_core::sites::get(auth.db(), user.id, id).await?;
        let funnels = pagepulse_core::funnels::list(auth.db(), site.id).await?;
        Ok(funnels
            .iter()
            .map(|f| FunnelInfo {
                id: f.id,
                name: f.name.clone(),
                steps: pagepulse_core::funnels::steps(f)
                    .iter()
                    .map(|s| s.name())
                    .collect(),
            })
            .collect())
    })
    .await
}

/// `steps` holds one step a line: a page path (starting with `/`, `*` a
/// wildcard) or a goal's name.
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn create_funnel(site: String, name: String, steps: String) -> Result<(), AppError> {
    super::ssr::respond(async move {
        use pagepulse_core::funnels::Step;

        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        let id = pagepulse_core::sites::parse_id(&site)?;
        let site = pagepulse_core::sites::get(auth.db(), user.id, id).await?;
        let steps: Vec<Step> = steps
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(|line| {
                if line.starts_with('/') {
                    Step {
                        page: Some(line.to_owned()),
                        ..Step::default()
                    }
                } else {
                    Step {
                        goal: Some(line.to_owned()),
                        ..Step::default()
                    }
                }
            })
            .collect();
        pagepulse_core::funnels::create(auth.db(), site.id, &name, steps).await?;
        Ok(())
    })
    .await
}

#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn delete_funnel(site: String, funnel: i64) -> Result<(), AppError> {
    super::ssr::respond(async move {
        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        let id = pagepulse_core::sites::parse_id(&site)?;
        let site = pagepulse_core::sites::get(auth.db(), user.id, id).await?;
        pagepulse_core::funnels::delete(auth.db(), site.id, funnel).await?;
        Ok(())
    })
    .await
}
