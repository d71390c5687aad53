use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub id: String,
    pub name: String,
    pub domain: String,
    pub timezone: String,
    pub public: bool,
    pub tracking_snippet: String,
    pub share_url: String,
}

#[cfg(feature = "ssr")]
mod ssr {
    use pagepulse_core::entities::site;

    use super::SiteInfo;

    pub fn info(site: site::Model, base_url: &str) -> SiteInfo {
        SiteInfo {
            id: site.id.to_string(),
            tracking_snippet: pagepulse_core::sites::tracking_snippet(base_url, site.id),
            share_url: format!("{base_url}/share/{}", site.id),
            name: site.name,
            domain: site.domain,
            timezone: site.timezone,
            public: site.public,
        }
    }
}

// `instrument` sits above `#[server]`: it wraps the body before the macro moves it into
// the function the server runs, so each call has one span named after the function;
// the wasm build, without `ssr`, never sees it.
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn list_sites() -> Result<Vec<SiteInfo>, AppError> {
    super::ssr::respond(async move {
        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        let sites = pagepulse_core::sites::list(auth.db(), user.id).await?;
        Ok(sites
            .into_iter()
            .map(|site| ssr::info(site, &auth.settings.base_url))
            .collect())
    })
    .await
}

/// Every IANA zone name, for the settings page's searchable list.
#[server]
pub async fn time_zones() -> Result<Vec<String>, AppError> {
    Ok(pagepulse_core::sites::time_zones()
        .into_iter()
        .map(str::to_owned)
        .collect())
}

#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn get_site(id: String) -> Result<SiteInfo, AppError> {
    super::ssr::respond(async move {
        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        let site =
            pagepulse_core::sites::get(auth.db(), user.id, pagepulse_core::sites::parse_id(&id)?)
                .await?;
        Ok(ssr::info(site, &auth.settings.base_url))
    })
    .await
}

#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn create_site(name: String, domain: String, timezone: String) -> Result<(), AppError> {
    super::ssr::respond(async move {
        use pagepulse_core::sites::NewSite;

        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        let new = NewSite {
            name,
            domain,
            timezone: Some(timezone),
        };
        let site = pagepulse_core::sites::create(auth.db(), user.id, new).await?;
        leptos_axum::redirect(&format!("/sites/{}/settings", site.id));
        Ok(())
    })
    .await
}

/// Rename and time zone, from the settings form.
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn update_site(id: String, name: String, timezone: String) -> Result<(), AppError> {
    use pagepulse_core::sites::SitePatch;

    patch_site(
        id,
        SitePatch {
            name: Some(name),
            timezone: Some(timezone),
            ..SitePatch::default()
        },
    )
    .await
}

#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn set_public(id: String, public: bool) -> Result<(), AppError> {
    use pagepulse_core::sites::SitePatch;

    patch_site(
        id,
        SitePatch {
            public: Some(public),
            ..SitePatch::default()
        },
    )
    .await
}

/// The signed-in owner's change to one of their sites.
#[cfg(feature = "ssr")]
async fn patch_site(id: String, patch: pagepulse_core::sites::SitePatch) -> Result<(), AppError> {
    super::ssr::respond(async move {
        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        pagepulse_core::sites::update(
            auth.db(),
            user.id,
            pagepulse_core::sites::parse_id(&id)?,
            patch,
        )
        .await?;
        Ok(())
    })
    .await
}

#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn delete_site(id: String) -> Result<(), AppError> {
    super::ssr::respond(async move {
        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        pagepulse_core::sites::delete(auth.db(), user.id, pagepulse_core::sites::parse_id(&id)?)
            .await?;
        leptos_axum::redirect("/sites");
        Ok(())
    })
    .await
}
