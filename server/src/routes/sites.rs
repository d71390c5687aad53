//! `/api/v1/sites[/{id}]`: the signed-in user's sites. Another user's site, or an
//! id that is not a UUID, is 404 — never 403, which would confirm it exists.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use pagepulse_core::{
    entities::site,
    sites::{self, NewSite, SitePatch},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use app::session::AuthUser;

use crate::{
    AppState,
    http::error::{ApiError, ApiJson},
};

#[derive(Serialize)]
pub struct SiteView {
    pub id: Uuid,
    pub name: String,
    pub domain: String,
    pub timezone: String,
    pub public: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub tracking_snippet: String,
}

impl SiteView {
    pub fn new(site: site::Model, base_url: &str) -> Self {
        SiteView {
            tracking_snippet: sites::tracking_snippet(base_url, site.id),
            id: site.id,
            name: site.name,
            domain: site.domain,
            timezone: site.timezone,
            public: site.public,
            created_at: site.created_at,
        }
    }
}

#[derive(Deserialize)]
pub struct CreateBody {
    name: String,
    domain: String,
    timezone: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchBody {
    name: Option<String>,
    domain: Option<String>,
    timezone: Option<String>,
    public: Option<bool>,
}

#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(body): ApiJson<CreateBody>,
) -> Result<Response, ApiError> {
    let site = sites::create(
        state.db(),
        user.id,
        NewSite {
            name: body.name,
            domain: body.domain,
            timezone: body.timezone,
        },
    )
    .await?;
    tracing::info!(site.id = %site.id, "site created");
    Ok((
        StatusCode::CREATED,
        Json(SiteView::new(site, &state.config.base_url)),
    )
        .into_response())
}

#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
) -> Result<Json<Vec<SiteView>>, ApiError> {
    let sites = sites::list(state.db(), user.id).await?;
    Ok(Json(
        sites
            .into_iter()
            .map(|site| SiteView::new(site, &state.config.base_url))
            .collect(),
    ))
}

#[tracing::instrument(skip_all, fields(site.id = %id))]
pub async fn get(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<SiteView>, ApiError> {
    let site = sites::get(state.db(), user.id, sites::parse_id(&id)?).await?;
    Ok(Json(SiteView::new(site, &state.config.base_url)))
}

#[tracing::instrument(skip_all, fields(site.id = %id))]
pub async fn update(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PatchBody>,
) -> Result<Json<SiteView>, ApiError> {
    let patch = SitePatch {
        name: body.name,
        domain: body.domain,
        timezone: body.timezone,
        public: body.public,
    };
    let site = sites::update(state.db(), user.id, sites::parse_id(&id)?, patch).await?;
    Ok(Json(SiteView::new(site, &state.config.base_url)))
}

#[tracing::instrument(skip_all, fields(site.id = %id))]
pub async fn delete(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    sites::delete(state.db(), user.id, sites::parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
