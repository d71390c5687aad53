//! The signed-in user's API keys, for the "API keys" settings page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub created_at: String,
}

/// A key just made: the only time its secret is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MadeKey {
    pub name: String,
    pub key: String,
}

#[cfg(feature = "ssr")]
fn info(row: pagepulse_core::entities::api_key::Model) -> KeyInfo {
    KeyInfo {
        id: row.id.to_string(),
        name: row.name,
        prefix: row.prefix,
        created_at: row.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn list_api_keys() -> Result<Vec<KeyInfo>, AppError> {
    super::ssr::respond(async move {
        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        let keys = pagepulse_core::api_keys::list(auth.db(), user.id).await?;
        Ok(keys.into_iter().map(info).collect())
    })
    .await
}

#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn create_api_key(name: String) -> Result<MadeKey, AppError> {
    super::ssr::respond(async move {
        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        let made = pagepulse_core::api_keys::create(auth.db(), user.id, &name).await?;
        tracing::info!(api_key.id = %made.row.id, "API key created");
        Ok(MadeKey {
            name: made.row.name,
            key: made.key,
        })
    })
    .await
}

#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn revoke_api_key(id: String) -> Result<(), AppError> {
    super::ssr::respond(async move {
        let auth = super::ssr::auth_state()?;
        let user = super::ssr::signed_in_user().await?;
        let id = id.parse().map_err(|_| AppError::NotFound)?;
        pagepulse_core::api_keys::revoke(auth.db(), user.id, id).await?;
        Ok(())
    })
    .await
}
