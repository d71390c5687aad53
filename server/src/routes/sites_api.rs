//! Plausible's Sites API on `/api/v1/sites*` for a Bearer key: sites named by
//! domain, shared links and goals, in Plausible's shapes and words. The same
//! paths with the session cookie keep PagePulse's own shapes (`sites`).

use std::collections::HashMap;

use axum::{
    Json,
    body::Bytes,
    extract::{Path, Request, State},
    handler::Handler,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use pagepulse_core::{
    entities::{goal, site},
    goals::{self, GoalError, NewGoal},
    sites::{self, NewSite, SiteError, SitePatch},
};
use serde_json::{Value, json};

use crate::{
    AppState,
    http::{
        bearer::{self, Api, has_bearer},
        error::ApiError,
    },
    routes,
};

/// Bodies above this are refused before parsing.
const MAX_BODY: usize = 64 * 1024;

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, message)
}

fn no_site() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "Site could not be found")
}

/// The key's holder; a bad key is told about "the resource", as Plausible's
/// Sites API words it.
async fn caller(
    state: &AppState,
    request: Request,
) -> Result<(pagepulse_core::api_keys::KeyHolder, Fields), ApiError> {
    let (parts, body) = request.into_parts();
    let holder = bearer::caller(state, &parts.headers, Api::Sites).await?;
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "request body too large"))?;
    let fields = Fields::new(&parts.headers, parts.uri.query(), &bytes)?;
    Ok((holder, fields))
}

/// Parameters from the query string and a JSON or form body, merged as
/// Plausible merges them.
struct Fields(HashMap<String, Value>);

impl Fields {
    fn new(headers: &HeaderMap, query: Option<&str>, body: &Bytes) -> Result<Fields, ApiError> {
        let mut fields: HashMap<String, Value> = HashMap::new();
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            fields.insert(k.into_owned(), Value::String(v.into_owned()));
        }
        let text = std::str::from_utf8(body).map_err(|_| bad("the body must be UTF-8"))?;
        let json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.contains("json"))
            || text.trim_start().starts_with('{');
        if !text.trim().is_empty() {
            if json {
                let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) else {
                    return Err(bad("the body must be a JSON object"));
                };
                fields.extend(object);
            } else {
                for (k, v) in url::form_urlencoded::parse(body) {
                    fields.insert(k.into_owned(), Value::String(v.into_owned()));
                }
            }
        }
        Ok(Fields(fields))
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    }

    fn required(&self, name: &str, purpose: &str) -> Result<&str, ApiError> {
        self.text(name)
            .ok_or_else(|| bad(format!("Parameter `{name}` is required to {purpose}")))
    }
}

async fn owned(state: &AppState, user: uuid::Uuid, domain: &str) -> Result<site::Model, ApiError> {
    match sites::by_domain(state.db(), user, domain).await {
        Ok(site) => Ok(site),
        Err(SiteError::NotFound) => Err(no_site()),
        Err(other) => Err(other.into()),
    }
}

/// A core refusal as Plausible's Sites API reports it: 400 "field: message".
fn refused(error: SiteError) -> ApiError {
    match error {
        SiteError::Invalid(field) => bad(format!("{}: {}", field.field, field.message)),
        SiteError::DomainTaken => bad(
            "domain: This domain has already been taken. Perhaps one of your team members registered it?",
        ),
        SiteError::NotFound => no_site(),
        other => other.into(),
    }
}

fn site_json(site: &site::Model, full: bool) -> Value {
    if full {
        json!({"domain": site.domain, "timezone": site.timezone, "custom_properties": []})
    } else {
        json!({"domain": site.domain, "timezone": site.timezone})
    }
}

/// A page of a list, with Plausible's cursor meta (the cursor is an offset).
fn page<T>(items: Vec<T>, fields: &Fields) -> Result<(Vec<T>, Value), ApiError> {
    let limit = match fields.text("limit") {
        None => 100,
        Some(text) => match text.parse::<usize>() {
            Ok(n @ 1..=1000) => n,
            _ => return Err(bad("Please provide limit as a number between 1 and 1000.")),
        },
    };
    let cursor = |name| fields.text(name).and_then(|c| c.parse::<usize>().ok());
    let start = match (cursor("after"), cursor("before")) {
        (Some(after), _) => after,
        (None, Some(before)) => before.saturating_sub(limit),
        _ => 0,
    };
    let total = items.len();
    let items: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let end = start + items.len();
    let meta = json!({
        "after": (end < total).then(|| end.to_string()),
        "before": (start > 0).then(|| start.to_string()),
        "limit": limit,
    });
    Ok((items, meta))
}

pub async fn list(State(state): State<AppState>, request: Request) -> Response {
    if !has_bearer(request.headers()) {
        return routes::sites::list.call(request, state).await;
    }
    respond(async {
        let (holder, fields) = caller(&state, request).await?;
        let mut all = sites::list(state.db(), holder.user_id).await?;
        all.reverse();
        let (items, meta) = page(all, &fields)?;
        let sites: Vec<Value> = items.iter().map(|s| site_json(s, false)).collect();
        Ok(Json(json!({"sites": sites, "meta": meta})).into_response())
    })
    .await
}

pub async fn create(State(state): State<AppState>, request: Request) -> Response {
    if !has_bearer(request.headers()) {
        return routes::sites::create.call(request, state).await;
    }
    respond(async {
        let (holder, fields) = caller(&state, request).await?;
        let domain = fields
            .text("domain")
            .ok_or_else(|| bad("domain: can't be blank"))?;
        let new = NewSite {
            name: domain.to_owned(),
            domain: domain.to_owned(),
            timezone: Some(fields.text("timezone").unwrap_or("Etc/UTC").to_owned()),
        };
        let site = sites::create(state.db(), holder.user_id, new)
            .await
            .map_err(refused)?;
        tracing::info!(site.id = %site.id, "site created through the Sites API");
        Ok(Json(site_json(&site, true)).into_response())
    })
    .await
}

pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    if !has_bearer(request.headers()) {
        return routes::sites::get.call(request, state).await;
    }
    respond(async {
        let (holder, _) = caller(&state, request).await?;
        let site = owned(&state, holder.user_id, &id).await?;
        Ok(Json(site_json(&site, true)).into_response())
    })
    .await
}

pub async fn put(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    respond(async {
        let (holder, fields) = caller(&state, request).await?;
        let site = owned(&state, holder.user_id, &id).await?;
        let domain = match fields.0.get("domain") {
            None => {
                return Err(bad(
                    "Payload must contain at least one of the parameters 'domain', 'tracker_script_configuration'",
                ));
            }
            Some(Value::String(domain)) => domain.clone(),
            Some(_) => return Err(bad("domain: is invalid")),
        };
        if sites::normalize_domain(&domain).is_ok_and(|d| d == site.domain) {
            return Err(bad("domain: New domain must be different than the current one"));
        }
        let patch = SitePatch {
            domain: Some(domain),
            ..SitePatch::default()
        };
        let site = sites::update(state.db(), holder.user_id, site.id, patch).await.map_err(refused)?;
        Ok(Json(site_json(&site, true)).into_response())
    })
    .await
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    if !has_bearer(request.headers()) {
        return routes::sites::delete.call(request, state).await;
    }
    respond(async {
        let (holder, _) = caller(&state, request).await?;
        let site = owned(&state, holder.user_id, &id).await?;
        sites::delete(state.db(), holder.user_id, site.id).await?;
        tracing::info!(site.id = %site.id, "site deleted through the Sites API");
        Ok(Json(json!({"deleted": true})).into_response())
    })
    .await
}

/// PagePulse has one share link per site: making one makes the site public.
pub async fn shared_link(State(state): State<AppState>, request: Request) -> Response {
    respond(async {
        let (holder, fields) = caller(&state, request).await?;
        let domain = fields.required("site_id", "create a shared link")?;
        let name = fields.required("name", "create a shared link")?.to_owned();
        let site = owned(&state, holder.user_id, domain).await?;
        let patch = SitePatch {
            public: Some(true),
            ..SitePatch::default()
        };
        let site = sites::update(state.db(), holder.user_id, site.id, patch).await?;
        let url = format!(
            "{}/share/{}",
            state.config.base_url.trim_end_matches('/'),
            site.id
        );
        Ok(Json(json!({"name": name, "url": url})).into_response())
    })
    .await
}

pub fn goal_json(goal: &goal::Model) -> Value {
    json!({
        "id": goal.id,
        "display_name": goal.display_name,
        "goal_type": if goal.event_name.is_some() { "event" } else { "page" },
        "event_name": goal.event_name,
        "page_path": goal.page_path,
        "currency": goal.currency,
    })
}

fn goal_refused(error: GoalError) -> ApiError {
    match error {
        GoalError::Invalid(field) => bad(field.message),
        GoalError::TooMany => bad(GoalError::TooMany.to_string()),
        GoalError::NotFound => ApiError::new(StatusCode::NOT_FOUND, "Goal could not be found"),
        other => other.into(),
    }
}

pub async fn goals(State(state): State<AppState>, request: Request) -> Response {
    respond(async {
        let (holder, fields) = caller(&state, request).await?;
        let domain = fields.required("site_id", "list goals")?;
        let site = owned(&state, holder.user_id, domain).await?;
        let mut all = goals::list(state.db(), site.id).await?;
        all.reverse();
        let (items, meta) = page(all, &fields)?;
        let goals: Vec<Value> = items.iter().map(goal_json).collect();
        Ok(Json(json!({"goals": goals, "meta": meta})).into_response())
    })
    .await
}

pub async fn put_goal(State(state): State<AppState>, request: Request) -> Response {
    respond(async {
        let (holder, fields) = caller(&state, request).await?;
        let domain = fields.required("site_id", "create a goal")?;
        let goal_type = fields.required("goal_type", "create a goal")?;
        let new = match goal_type {
            "event" => NewGoal::from_fields(
                Some("event"),
                Some(fields.required("event_name", "create a goal")?),
                None,
                fields.text("currency"),
            ),
            "page" | "page_path" | "pageview" => NewGoal::from_fields(
                Some("page"),
                None,
                Some(fields.required("page_path", "create a goal")?),
                None,
            ),
            _ => {
                return Err(bad(
                    "Parameter `goal_type` must be `event` or `page` to create a goal",
                ));
            }
        };
        let new = new
            .and_then(|n| n.named(fields.text("display_name")))
            .map_err(|field| bad(field.message))?;
        let site = owned(&state, holder.user_id, domain).await?;
        let (goal, _) = goals::create(state.db(), site.id, new)
            .await
            .map_err(goal_refused)?;
        let mut body = goal_json(&goal);
        body["domain"] = json!(site.domain);
        Ok(Json(body).into_response())
    })
    .await
}

pub async fn delete_goal(
    State(state): State<AppState>,
    id: Option<Path<String>>,
    request: Request,
) -> Response {
    respond(async {
        let (holder, fields) = caller(&state, request).await?;
        let domain = fields.required("site_id", "delete a goal")?;
        let goal_id = match &id {
            Some(Path(id)) => Some(id.clone()),
            None => fields
                .0
                .get("goal_id")
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)),
        };
        let goal_id =
            goal_id.ok_or_else(|| bad("Parameter `goal_id` is required to delete a goal"))?;
        let site = owned(&state, holder.user_id, domain).await?;
        let goal_id: i64 = goal_id
            .parse()
            .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "Goal could not be found"))?;
        goals::delete(state.db(), site.id, goal_id)
            .await
            .map_err(goal_refused)?;
        Ok(Json(json!({"deleted": true})).into_response())
    })
    .await
}

async fn respond(answer: impl Future<Output = Result<Response, ApiError>>) -> Response {
    answer.await.unwrap_or_else(IntoResponse::into_response)
}
