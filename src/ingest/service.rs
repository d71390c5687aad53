//! From a checked beacon and what the request says about its sender to stored
//! events: drop rules, enrichment, visitor hashing, then the group-commit writer.

use std::{
    collections::HashMap,
    hash::{Hash, Hasher},
    net::IpAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    agent,
    beacon::{Beacon, SiteKey},
    datacenters::Networks,
    geo::{Geo, Place},
    referrer, spam,
    store::{self, NewEvent},
    visitor::{self, Salt},
    writer::{WriteError, Writer, WriterOptions},
};
use crate::{entities::site, shields::Shield};

/// What the request tells about its client. The address and the user agent only
/// feed the visitor hash and the coarse browser fields; neither is stored.
#[derive(Clone, Debug)]
pub struct Client {
    pub ip: IpAddr,
    pub user_agent: String,
    pub country: Option<String>,
}

/// Why a well-formed beacon was deliberately not recorded: a bot's user agent,
/// no such site, a page whose host is not the site's domain (or a subdomain),
/// a referrer on the spam list, a data centre's address, or one of the
/// site's shields. It is still
/// answered 202, with the reason in `X-PagePulse-Dropped`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dropped {
    Bot,
    UnknownSite,
    HostnameMismatch,
    SpamReferrer,
    Shield,
    /// A browser's user agent from a data centre's network.
    DataCenter,
}

impl Dropped {
    pub fn as_str(self) -> &'static str {
        match self {
            Dropped::Bot => "bot",
            Dropped::UnknownSite => "unknown-site",
            Dropped::HostnameMismatch => "hostname-mismatch",
            Dropped::SpamReferrer => "spam-referrer",
            Dropped::Shield => "shield",
            Dropped::DataCenter => "datacenter",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Committed to the database.
    Recorded,
    Dropped(Dropped),
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("the database is unavailable")]
    Database(#[from] DbErr),
}

/// How long a site lookup (found or not) is trusted: a new site starts counting,
/// a deleted one stops, and changed shields take effect on every replica
/// within this time (at once on the replica that saved them).
const SITE_TTL: Duration = Duration::from_secs(5);
/// Cached lookups at most; past it the cache starts over (bounds memory when a
/// client sprays random site ids).
const SITE_CACHE_MAX: usize = 10_000;

#[derive(Clone, Debug)]
struct SiteRef {
    id: Uuid,
    domain: String,
    /// `None` when the site has no rules.
    shield: Option<Arc<Shield>>,
}

/// Parsed user agents kept at most; past it the cache starts over.
const AGENT_CACHE_MAX: usize = 4_096;

pub struct Ingestor {
    db: DatabaseConnection,
    secret_key: String,
    writer: Writer,
    sites: Mutex<HashMap<SiteKey, (Option<SiteRef>, Instant)>>,
    salt: Mutex<Option<(NaiveDate, Salt)>>,
    /// Keyed by a hash of the user agent: the strings themselves are not kept,
    /// not even in memory.
    agents: Mutex<HashMap<u64, agent::Agent>>,
    /// Countries for clients no trusted proxy named one for.
    geo: Option<Arc<Geo>>,
    /// Servers' networks, whose "browsers" are programs.
    datacenters: Option<Arc<Networks>>,
}

impl Ingestor {
    /// Starts the writer task on `writer_db` (see `db::writer`); call from within
    /// the Tokio runtime.
    pub fn start(
        db: DatabaseConnection,
        writer_db: DatabaseConnection,
        secret_key: String,
        options: WriterOptions,
    ) -> Ingestor {
        Ingestor {
            writer: Writer::spawn(writer_db, options),
            db,
            secret_key,
            sites: Mutex::default(),
            salt: Mutex::default(),
            agents: Mutex::default(),
            geo: None,
            datacenters: None,
        }
    }

    /// Drops browser-looking beacons sent from these networks.
    pub fn with_datacenters(mut self, networks: Option<Arc<Networks>>) -> Ingestor {
        self.datacenters = networks;
        self
    }

    /// Looks countries up in `geo` when no trusted proxy sent one.
    pub fn with_geo(mut self, geo: Option<Arc<Geo>>) -> Ingestor {
        self.geo = geo;
        self
    }

    /// Records `beacon`, returning once its events are committed (or why not).
    pub async fn record(&self, beacon: &Beacon, client: &Client) -> Result<Outcome, IngestError> {
        let agent = self.agent(&client.user_agent, beacon.width);
        if agent.is_bot {
            return Ok(Outcome::Dropped(Dropped::Bot));
        }
        if self
            .datacenters
            .as_ref()
            .is_some_and(|n| n.contains(client.ip))
        {
            return Ok(Outcome::Dropped(Dropped::DataCenter));
        }
        // A trusted proxy's country wins; the address is asked otherwise,
        // in memory, and forgotten with the request.
        let place = located(client, self.geo.as_deref());
        let now = Utc::now();
        let mut events = Vec::with_capacity(beacon.sites.len());
        let mut first_drop = None;
        let mut counted = Vec::with_capacity(beacon.sites.len());
        for key in &beacon.sites {
            let Some(site) = self.site(key).await? else {
                first_drop.get_or_insert(Dropped::UnknownSite);
                continue;
            };
            // Two names of one site (an id and its domain, say) are one event.
            if counted.contains(&site.id) {
                continue;
            }
            counted.push(site.id);
            match self
                .event_for(beacon, &site, client, &place, &agent, now)
                .await?
            {
                Ok(event) => events.push(event),
                Err(reason) => {
                    first_drop.get_or_insert(reason);
                }
            }
        }
        if events.is_empty() {
            return Ok(Outcome::Dropped(first_drop.unwrap_or(Dropped::UnknownSite)));
        }
        self.writer.write(events).await?;
        Ok(Outcome::Recorded)
    }

    /// Whether beacons can still be committed (`/health` turns 503 otherwise).
    pub fn writer_alive(&self) -> bool {
        self.writer.is_running()
    }

    /// Commits what is queued and stops taking events (graceful shutdown).
    pub async fn shutdown(&self) {
        self.writer.shutdown().await;
    }

    /// Deletes salts older than yesterday and visit bookkeeping older than two
    /// days, and finishes deleting sites whose purge a restart cut short. Run
    /// at start-up and then hourly, so it happens without traffic too.
    pub async fn forget_old(&self) -> Result<(), DbErr> {
        let now = Utc::now();
        visitor::forget_old_salts(&self.db, now.date_naive()).await?;
        store::forget_old_visits(&self.db, now.timestamp_millis()).await?;
        crate::sites::purge_pending(&self.db).await?;
        Ok(())
    }

    async fn event_for(
        &self,
        beacon: &Beacon,
        site: &SiteRef,
        client: &Client,
        place: &Place,
        agent: &agent::Agent,
        now: chrono::DateTime<Utc>,
    ) -> Result<Result<NewEvent, Dropped>, DbErr> {
        let shield = site.shield.as_deref();
        // Before anything about the client is hashed or looked up.
        if shield.is_some_and(|s| s.blocks_ip(client.ip)) {
            return Ok(Err(Dropped::Shield));
        }
        match shield.and_then(|s| s.accepts_host(&beacon.page.hostname)) {
            Some(false) => return Ok(Err(Dropped::Shield)),
            Some(true) => {}
            None => {
                if !super::page::host_belongs_to(&beacon.page.hostname, &site.domain) {
                    return Ok(Err(Dropped::HostnameMismatch));
                }
            }
        }
        if shield.is_some_and(|s| {
            s.blocks_path(&beacon.page.path) || s.blocks_country(place.country.as_deref())
        }) {
            return Ok(Err(Dropped::Shield));
        }
        let referrer_source = referrer::source(beacon.referrer.as_deref(), &site.domain);
        if spam::is_spam(&referrer_source) {
            return Ok(Err(Dropped::SpamReferrer));
        }
        let salt = self.salt(now.date_naive()).await?;
        let props = (!beacon.props.is_empty()).then(|| {
            let map: serde_json::Map<String, serde_json::Value> = beacon
                .props
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            serde_json::Value::Object(map).to_string()
        });
        Ok(Ok(NewEvent {
            site_id: site.id,
            ts: now.timestamp_millis(),
            name: beacon.name.clone(),
            hostname: beacon.page.hostname.clone(),
            path: beacon.page.path.clone(),
            referrer_source,
            utm: beacon.page.utm.clone(),
            browser: agent.browser.clone(),
            browser_version: agent.browser_version.clone(),
            os: agent.os.clone(),
            device: agent.device.clone(),
            country: place.country.clone(),
            region: place.region.clone(),
            city: place.city.clone(),
            visitor_id: visitor::visitor_id(
                &salt,
                &self.secret_key,
                site.id,
                client.ip,
                &client.user_agent,
            ),
            props,
            interactive: beacon.interactive,
            revenue: beacon.revenue.clone(),
            engagement: beacon.engagement,
        }))
    }

    /// `agent::parse`, remembered: woothee's rules are the costliest step of a
    /// beacon, and a site's visitors share a handful of user agents.
    fn agent(&self, user_agent: &str, width: Option<u32>) -> agent::Agent {
        let key = {
            let mut hasher = std::hash::DefaultHasher::new();
            user_agent.hash(&mut hasher);
            hasher.finish()
        };
        let cached = self.agents.lock().ok().and_then(|c| c.get(&key).cloned());
        let mut parsed = cached.unwrap_or_else(|| {
            let parsed = agent::parse(user_agent, None);
            if let Ok(mut cache) = self.agents.lock() {
                if cache.len() >= AGENT_CACHE_MAX {
                    cache.clear();
                }
                cache.insert(key, parsed.clone());
            }
            parsed
        });
        if let Some(width) = width
            && !parsed.is_bot
        {
            agent::device_for_width(width).clone_into(&mut parsed.device);
        }
        parsed
    }

    async fn site(&self, key: &SiteKey) -> Result<Option<SiteRef>, DbErr> {
        if let Some((site, at)) = self.sites.lock().ok().and_then(|c| c.get(key).cloned())
            && at.elapsed() < SITE_TTL
        {
            return Ok(site);
        }
        let query = site::Entity::find()
            .select_only()
            .columns([site::Column::Id, site::Column::Domain])
            .expr_as(Expr::cust(crate::shields::RULES_OF_SITE), "rules")
            .filter(crate::sites::not_deleted());
        let query = match key {
            SiteKey::Id(id) => query.filter(site::Column::Id.eq(*id)),
            SiteKey::Domain(domain) => query.filter(site::Column::Domain.eq(domain.as_str())),
        };
        let row = query.into_tuple::<(Uuid, String, Option<String>)>();
        let found = row.one(&self.db).await?.map(|(id, domain, rules)| {
            let rules = crate::shields::parse(rules.as_deref());
            let shield = (!rules.is_empty()).then(|| Arc::new(Shield::new(&rules)));
            SiteRef { id, domain, shield }
        });
        if let Ok(mut cache) = self.sites.lock() {
            if cache.len() >= SITE_CACHE_MAX {
                cache.clear();
            }
            cache.insert(key.clone(), (found.clone(), Instant::now()));
        }
        Ok(found)
    }

    /// Forgets what was looked up about `site`, so its changed shields
    /// apply to the next beacon.
    pub fn forget_site(&self, site: Uuid) {
        if let Ok(mut cache) = self.sites.lock() {
            cache.retain(|_, (found, _)| found.as_ref().is_none_or(|s| s.id != site));
        }
    }

    /// Today's salt, read from the database once per day and process. Deleting
    /// old salts is `forget_old`'s job (hourly), not a beacon's.
    async fn salt(&self, day: NaiveDate) -> Result<Salt, DbErr> {
        if let Some((cached_day, salt)) = self.salt.lock().ok().and_then(|s| *s)
            && cached_day == day
        {
            return Ok(salt);
        }
        let salt = visitor::salt_for(&self.db, day).await?;
        if let Ok(mut cached) = self.salt.lock() {
            *cached = Some((day, salt));
        }
        Ok(salt)
    }
}

/// Where the client is: a trusted proxy's country wins, with the database's
/// region and city only when the database agrees on the country (a region of
/// another country would contradict it); otherwise the database's answer. A
/// country database is not asked when the proxy named the country.
fn located(client: &Client, geo: Option<&Geo>) -> Place {
    let geo = geo.filter(|geo| client.country.is_none() || geo.places);
    let Some(geo) = geo else {
        return Place {
            country: client.country.clone(),
            ..Place::default()
        };
    };
    let place = geo.place(client.ip);
    match &client.country {
        Some(country) if place.country.as_ref() != Some(country) => Place {
            country: Some(country.clone()),
            ..Place::default()
        },
        _ => place,
    }
}
