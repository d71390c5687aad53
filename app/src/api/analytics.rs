use leptos::prelude::*;
use pagepulse_core::analytics::report::Report;
use serde::{Deserialize, Serialize};

use super::AppError;

/// One dashboard screen: the site and its numbers for the query in the URL.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardData {
    pub site_id: String,
    pub name: String,
    pub domain: String,
    /// Owner only (for the empty state); a shared dashboard never shows it.
    pub snippet: Option<String>,
    /// False until the first event arrives: the page shows the snippet instead.
    pub has_events: bool,
    pub report: Report,
}

/// The dashboard of site `id` for `query` (the page's query string: period,
/// dates, filters). `shared` reads a public site without a session.
#[server]
pub async fn get_dashboard(
    id: String,
    shared: bool,
    query: String,
) -> Result<DashboardData, AppError> {
    super::ssr::respond(
        async move {
            use pagepulse_core::{analytics, sites};

            let auth = super::ssr::auth_state()?;
            let site_id = sites::parse_id(&id)?;
            let site = if shared {
                sites::get_public(&auth.db, site_id).await?
            } else {
                let user = super::ssr::signed_in_user().await?;
                sites::get(&auth.db, user.id, site_id).await?
            };
            let pairs: Vec<(String, String)> =
                url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
                    .into_owned()
                    .collect();
            let query = analytics::AnalyticsQuery::from_pairs(
                pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            )
            .map_err(|e| AppError::Message(e.0))?;
            let now = chrono::Utc::now().timestamp_millis();
            let internal = |error: pagepulse_core::DbErr| {
                tracing::error!(%error, "dashboard");
                AppError::Message("the numbers could not be loaded; please try again".into())
            };
            let (report, has_events) = tokio::try_join!(
                analytics::report(&auth.db, &site, &query, now),
                analytics::has_events(&auth.db, site.id),
            )
            .map_err(internal)?;
            Ok(DashboardData {
                site_id: site.id.to_string(),
                snippet: (!shared)
                    .then(|| sites::tracking_snippet(&auth.settings.base_url, site.id)),
                name: site.name,
                domain: site.domain,
                has_events,
                report,
            })
        }
        .await,
    )
}
