use leptos::prelude::*;
use pagepulse_core::analytics::report::{FunnelReport, Report};
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
    /// The site's funnels, (id, name), to pick one from.
    pub funnels: Vec<(i64, String)>,
    /// The funnel the URL picks (`funnel=<id>`), counted over the range.
    pub funnel: Option<FunnelReport>,
}

/// The dashboard of site `id` for `query` (the page's query string: period,
/// dates, filters). `shared` reads a public site without a session.
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn get_dashboard(
    id: String,
    shared: bool,
    query: String,
) -> Result<DashboardData, AppError> {
    super::ssr::respond(async move {
        use pagepulse_core::sites;

        // Context first: after an await the owner that provides it may be gone.
        let reports = ssr::reports()?;
        let raw_query = query.clone();
        let (auth, site, query) = ssr::site_and_query(&id, shared, &query).await?;
        let now = chrono::Utc::now().timestamp_millis();
        let (report, has_events) = tokio::join!(
            pagepulse_core::dashboard::report(&reports, auth.db(), &site, &query, now),
            reports.has_events(site.id),
        );
        let (report, has_events) = (report?, has_events?);
        let funnels = pagepulse_core::funnels::list(auth.db(), site.id).await?;
        let picked =
            ssr::picked_funnel(&raw_query).and_then(|id| funnels.iter().find(|f| f.id == id));
        let funnel = match picked {
            Some(funnel) => Some(
                pagepulse_core::dashboard::funnel(&reports, auth.db(), &site, funnel, &query, now)
                    .await?,
            ),
            None => None,
        };
        Ok(DashboardData {
            funnels: funnels.iter().map(|f| (f.id, f.name.clone())).collect(),
            funnel,
            site_id: site.id.to_string(),
            snippet: (!shared).then(|| sites::tracking_snippet(&auth.settings.base_url, site.id)),
            name: site.name,
            domain: site.domain,
            has_events,
            report,
        })
    })
    .await
}

/// Just the realtime visitors, which an open dashboard refreshes every minute
/// (recomputing the whole report for that would re-read the period's events).
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[server]
pub async fn get_realtime(id: String, shared: bool, query: String) -> Result<u64, AppError> {
    super::ssr::respond(async move {
        let reports = ssr::reports()?;
        let (_, site, query) = ssr::site_and_query(&id, shared, &query).await?;
        let now = chrono::Utc::now().timestamp_millis();
        Ok(reports
            .realtime_visitors(site.id, &query.filters, now)
            .await?)
    })
    .await
}

#[cfg(feature = "ssr")]
mod ssr {
    use std::sync::Arc;

    use pagepulse_core::{
        analytics::{AnalyticsQuery, Reports},
        entities::site,
        sites::{self, Reader},
    };

    use crate::{
        api::AppError,
        session::{AuthState, PublicReadCounted},
    };

    /// The site the caller may read (its owner's, or any public one when
    /// `shared`) and the dashboard query parsed from the page's query string.
    pub async fn site_and_query(
        id: &str,
        shared: bool,
        query: &str,
    ) -> Result<(AuthState, site::Model, AnalyticsQuery), AppError> {
        let auth = crate::api::ssr::auth_state()?;
        let id = sites::parse_id(id)?;
        let reader = if shared {
            count_public_read(&auth).await?;
            Reader::Anyone
        } else {
            Reader::Owner(crate::api::ssr::signed_in_user().await?.id)
        };
        let site = sites::readable(auth.db(), reader, id).await?;
        let query = AnalyticsQuery::from_query_string(query)?;
        Ok((auth, site, query))
    }

    /// A public dashboard's server function counts against the public limit,
    /// unless the page that renders it was counted already.
    async fn count_public_read(auth: &AuthState) -> Result<(), AppError> {
        let counted = leptos::prelude::use_context::<http::request::Parts>()
            .is_some_and(|parts| parts.extensions.get::<PublicReadCounted>().is_some());
        if counted {
            return Ok(());
        }
        let ip = crate::api::ssr::client_ip().await?;
        Ok(auth.limits().public_read(ip)?)
    }

    /// The `funnel` parameter of the page's query string, when it names one.
    pub fn picked_funnel(query: &str) -> Option<i64> {
        url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
            .find(|(k, _)| k == "funnel")
            .and_then(|(_, v)| v.parse().ok())
    }

    pub fn reports() -> Result<Arc<Reports>, AppError> {
        leptos::prelude::use_context::<Arc<Reports>>()
            .ok_or_else(|| AppError::Message("server misconfigured: no reports".into()))
    }
}
