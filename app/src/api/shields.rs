//! A site's shields, for its settings page: each list edited as one line of
//! entries separated by commas.

use leptos::prelude::*;
use pagepulse_core::shields::Rules;

use super::AppError;

#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn get_shields(site: String) -> Result<Rules, AppError> {
    super::ssr::respond(async move {
        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        let id = pagepulse_core::sites::parse_id(&site)?;
        let site = pagepulse_core::sites::get(auth.db(), user.id, id).await?;
        Ok(pagepulse_core::shields::get(auth.db(), site.id).await?)
    })
    .await
}

/// Each list's entries are separated by commas (or line breaks).
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn save_shields(
    site: String,
    ips: String,
    paths: String,
    hostnames: String,
    countries: String,
) -> Result<(), AppError> {
    super::ssr::respond(async move {
        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        let id = pagepulse_core::sites::parse_id(&site)?;
        let site = pagepulse_core::sites::get(auth.db(), user.id, id).await?;
        let lines = |text: &str| -> Vec<String> {
            text.split(['\n', ','])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let rules = Rules {
            ips: lines(&ips),
            paths: lines(&paths),
            hostnames: lines(&hostnames),
            countries: lines(&countries),
        };
        pagepulse_core::shields::put(auth.db(), site.id, rules).await?;
        if let Some(ingest) = use_context::<std::sync::Arc<pagepulse_core::ingest::Ingestor>>() {
            ingest.forget_site(site.id);
        }
        Ok(())
    })
    .await
}
