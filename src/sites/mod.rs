//! Sites: one tracked website each, owned by one user. Reads and writes always
//! carry the owner, so another user's site is simply "not found".

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, SqlErr,
};
use uuid::Uuid;

use crate::error::{Classify, Failure, Kind};
use crate::{
    entities::site,
    validate::{self, FieldError},
};

mod purge;

pub(crate) use purge::not_deleted;
pub use purge::{Purged, purge_pending};

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("site not found")]
    NotFound,
    #[error("a site with this domain already exists")]
    DomainTaken,
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl Classify for SiteError {
    fn classify(self) -> Failure {
        match self {
            SiteError::Invalid(field) => field.classify(),
            SiteError::NotFound => Failure::new(Kind::NotFound, self),
            SiteError::DomainTaken => Failure::new(Kind::Conflict, self).on("domain"),
            SiteError::Database(_) => Failure::new(Kind::Internal, self),
        }
    }
}

pub struct NewSite {
    pub name: String,
    pub domain: String,
    pub timezone: Option<String>,
}

#[derive(Default)]
pub struct SitePatch {
    pub name: Option<String>,
    pub domain: Option<String>,
    pub timezone: Option<String>,
    pub public: Option<bool>,
}

/// A site id from a URL: anything that is not a UUID names no site.
pub fn parse_id(raw: &str) -> Result<Uuid, SiteError> {
    raw.parse().map_err(|_| SiteError::NotFound)
}

/// The tag a site owner pastes into their pages.
pub fn tracking_snippet(base_url: &str, site_id: Uuid) -> String {
    format!(r#"<script defer src="{base_url}/js/p.js" data-site="{site_id}"></script>"#)
}

/// `https://www.Example.com:8080/blog?x` → `example.com`: scheme, user info, port,
/// path, query, `www.` and case are dropped; what is left must be a host name.
pub fn normalize_domain(input: &str) -> Result<String, FieldError> {
    let mut host = input.trim().to_ascii_lowercase();
    if let Some((_, rest)) = host.split_once("://") {
        host = rest.to_owned();
    }
    if let Some(end) = host.find(['/', '?', '#']) {
        host.truncate(end);
    }
    if let Some((_, rest)) = host.rsplit_once('@') {
        host = rest.to_owned();
    }
    if let Some((name, port)) = host.rsplit_once(':')
        && port.bytes().all(|b| b.is_ascii_digit())
    {
        host = name.to_owned();
    }
    let host = host.trim_end_matches('.');
    let host = host.strip_prefix("www.").unwrap_or(host);
    validate::hostname(host)
        .map_err(|reason| FieldError::new("domain", format!("domain {reason}")))?;
    if !host.contains('.') {
        return Err(FieldError::new(
            "domain",
            "domain must be a public host name like example.com",
        ));
    }
    Ok(host.to_owned())
}

/// An IANA zone name such as `Europe/Berlin`, in its canonical spelling.
pub fn normalize_timezone(input: &str) -> Result<String, FieldError> {
    input
        .trim()
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| FieldError::new("timezone", format!("unknown time zone {:?}", input.trim())))
}

/// Every IANA zone name, sorted: what the settings page offers to pick from.
pub fn time_zones() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    names.sort_unstable();
    names
}

pub async fn create(
    db: &DatabaseConnection,
    owner_id: Uuid,
    new: NewSite,
) -> Result<site::Model, SiteError> {
    let name = validate::name("name", &new.name)?;
    let domain = normalize_domain(&new.domain)?;
    let timezone = match new.timezone.as_deref() {
        Some(tz) if !tz.trim().is_empty() => normalize_timezone(tz)?,
        _ => "UTC".to_owned(),
    };
    site::ActiveModel {
        id: Set(Uuid::new_v4()),
        owner_id: Set(owner_id),
        name: Set(name),
        domain: Set(domain),
        timezone: Set(timezone),
        public: Set(false),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .map_err(domain_conflict)
}

pub async fn list(db: &DatabaseConnection, owner_id: Uuid) -> Result<Vec<site::Model>, SiteError> {
    Ok(site::Entity::find()
        .filter(site::Column::OwnerId.eq(owner_id))
        .filter(not_deleted())
        .order_by_asc(site::Column::CreatedAt)
        .order_by_asc(site::Column::Name)
        .all(db)
        .await?)
}

pub async fn get(
    db: &DatabaseConnection,
    owner_id: Uuid,
    id: Uuid,
) -> Result<site::Model, SiteError> {
    site::Entity::find_by_id(id)
        .filter(site::Column::OwnerId.eq(owner_id))
        .filter(not_deleted())
        .one(db)
        .await?
        .ok_or(SiteError::NotFound)
}

/// Who asks for a site's numbers.
#[derive(Clone, Copy, Debug)]
pub enum Reader {
    /// A signed-in user: their own sites only.
    Owner(Uuid),
    /// Anyone, through a share link or the public API: public sites only.
    Anyone,
}

/// The site `id` if `reader` may read it; any other site is `NotFound`, so a
/// caller learns nothing of sites they may not see.
pub async fn readable(
    db: &DatabaseConnection,
    reader: Reader,
    id: Uuid,
) -> Result<site::Model, SiteError> {
    match reader {
        Reader::Owner(user) => get(db, user, id).await,
        Reader::Anyone => get_public(db, id).await,
    }
}

/// The owner's site by its domain, as Plausible's APIs name a site.
pub async fn by_domain(
    db: &DatabaseConnection,
    owner_id: Uuid,
    domain: &str,
) -> Result<site::Model, SiteError> {
    let domain = normalize_domain(domain).map_err(|_| SiteError::NotFound)?;
    site::Entity::find()
        .filter(site::Column::Domain.eq(domain))
        .filter(site::Column::OwnerId.eq(owner_id))
        .filter(not_deleted())
        .one(db)
        .await?
        .ok_or(SiteError::NotFound)
}

/// A site anyone may read: it exists and its owner made it public.
pub async fn get_public(db: &DatabaseConnection, id: Uuid) -> Result<site::Model, SiteError> {
    site::Entity::find_by_id(id)
        .filter(site::Column::Public.eq(true))
        .filter(not_deleted())
        .one(db)
        .await?
        .ok_or(SiteError::NotFound)
}

pub async fn update(
    db: &DatabaseConnection,
    owner_id: Uuid,
    id: Uuid,
    patch: SitePatch,
) -> Result<site::Model, SiteError> {
    let current = get(db, owner_id, id).await?;
    let mut site = current.into_active_model();
    if let Some(name) = patch.name {
        site.name = Set(validate::name("name", &name)?);
    }
    if let Some(domain) = patch.domain {
        site.domain = Set(normalize_domain(&domain)?);
    }
    if let Some(timezone) = patch.timezone {
        site.timezone = Set(normalize_timezone(&timezone)?);
    }
    if let Some(public) = patch.public {
        site.public = Set(public);
    }
    site.update(db).await.map_err(domain_conflict)
}

/// How long `delete` waits for the purge before answering anyway.
const PURGE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Removes the site and everything recorded for it. The site is hidden at
/// once; its rows then go a chunk at a time (see `chunked`), so beacons for
/// other sites are not held up by a large site's delete. The purge runs as a
/// task of its own: `delete` returns what it removed when it finishes within
/// `PURGE_WAIT`, and `None` when it goes on after the answer (a very large
/// site), so no request outlives its time limit; `purge_pending` finishes
/// any purge that a restart cut short.
pub async fn delete(
    db: &DatabaseConnection,
    owner_id: Uuid,
    id: Uuid,
) -> Result<Option<Purged>, SiteError> {
    let site = get(db, owner_id, id).await?;
    purge::hide(db, site.id).await?;
    let task = tokio::spawn(purge::purge(db.clone(), site.id));
    match tokio::time::timeout(PURGE_WAIT, task).await {
        Ok(joined) => {
            let purged =
                joined.map_err(|e| DbErr::Custom(format!("site purge stopped: {e}")))??;
            Ok(Some(purged))
        }
        Err(_) => {
            tracing::info!(site.id = %site.id, "site hidden; its data is still being deleted");
            Ok(None)
        }
    }
}

fn domain_conflict(e: DbErr) -> SiteError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => SiteError::DomainTaken,
        _ => SiteError::Database(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_normalised() {
        for (input, expected) in [
            ("example.com", "example.com"),
            ("https://www.Example.com:8080/blog?x=1#top", "example.com"),
            ("http://user:pw@shop.example.co.uk/", "shop.example.co.uk"),
            ("WWW.EXAMPLE.ORG.", "example.org"),
            ("  blog.example.com  ", "blog.example.com"),
            ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ] {
            assert_eq!(normalize_domain(input).unwrap(), expected, "{input}");
        }
        for bad in [
            "",
            "localhost",
            "exa mple.com",
            "-bad.com",
            "bad-.com",
            "ex_ample.com",
            "bücher.de",
            "http://",
            "a..b.com",
            "<script>.com",
        ] {
            let err = normalize_domain(bad).unwrap_err();
            assert_eq!(err.field, "domain", "{bad:?}");
        }
        assert!(normalize_domain(&format!("{}.com", "a".repeat(64))).is_err());
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(
            normalize_timezone("Europe/Berlin").unwrap(),
            "Europe/Berlin"
        );
        assert_eq!(
            normalize_timezone(" America/Los_Angeles ").unwrap(),
            "America/Los_Angeles"
        );
        assert_eq!(normalize_timezone("UTC").unwrap(), "UTC");
        assert!(normalize_timezone("Mars/Olympus_Mons").is_err());
        assert!(normalize_timezone("").is_err());
    }
}
