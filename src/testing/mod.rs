//! Scratch databases for integration tests: every suite runs on SQLite and on the
//! PostgreSQL server of the machine. Enabled by the `test-support` feature only.

use std::{
    path::PathBuf,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectOptions, ConnectionTrait, Database,
    DatabaseConnection, EntityTrait,
};
use uuid::Uuid;

mod random;

pub use random::{random_events, store_events};

use crate::{
    db::{self, Backend},
    entities::{event, site, user},
    ingest::{page::Utm, store::NewEvent},
};

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
const PREFIX: &str = "pp_test_";

/// A migrated database that lives as long as one test.
pub struct TestDb {
    pub db: DatabaseConnection,
    pub url: String,
    pub backend: Backend,
    scratch: Scratch,
}

enum Scratch {
    SqliteFile(PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

impl TestDb {
    /// A fresh SQLite file in the temporary folder, WAL and all, as in production.
    pub async fn sqlite() -> TestDb {
        let file = std::env::temp_dir().join(format!("{PREFIX}{}.db", unique_suffix()));
        let url = format!("sqlite://{}?mode=rwc", file.display());
        let db = db::connect(&url).await.expect("scratch SQLite database");
        TestDb {
            db,
            url,
            backend: Backend::Sqlite,
            scratch: Scratch::SqliteFile(file),
        }
    }

    /// A fresh database on the PostgreSQL server, or `None` (said loudly) when no
    /// server answers. `PAGEPULSE_REQUIRE_POSTGRES=1` turns that into a failure.
    pub async fn postgres() -> Option<TestDb> {
        Self::postgres_scratch(true).await
    }

    /// As `postgres`, with the schema not yet created: what a first start sees.
    pub async fn postgres_unmigrated() -> Option<TestDb> {
        Self::postgres_scratch(false).await
    }

    async fn postgres_scratch(migrated: bool) -> Option<TestDb> {
        let admin_url = std::env::var("PAGEPULSE_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned());
        let admin = match connect_admin(&admin_url).await {
            Ok(admin) => admin,
            Err(e) => {
                let why = e.to_string();
                if std::env::var("PAGEPULSE_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                    panic!("PostgreSQL is required but {admin_url} does not answer: {why}");
                }
                eprintln!(
                    "\n!!!!! SKIPPING the PostgreSQL half of this test: {admin_url} does not answer ({why}) !!!!!\n"
                );
                return None;
            }
        };
        drop_stale_databases(&admin).await;
        let name = format!("{PREFIX}{}", unique_suffix());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create scratch PostgreSQL database");
        let _ = admin.close().await;
        let url = replace_database(&admin_url, &name);
        let db = if migrated {
            db::connect(&url).await
        } else {
            db::open(&url).await
        }
        .expect("connect to scratch PostgreSQL database");
        Some(TestDb {
            db,
            url,
            backend: Backend::Postgres,
            scratch: Scratch::PostgresDatabase { admin_url, name },
        })
    }

    /// SQLite, then PostgreSQL when it answers: the set every integration test runs on.
    pub async fn all() -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite().await];
        dbs.extend(TestDb::postgres().await);
        dbs
    }

    /// Closes the pool and removes the scratch database.
    pub async fn teardown(self) {
        let _ = self.db.close().await;
        match self.scratch {
            Scratch::SqliteFile(file) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut name = file.clone().into_os_string();
                    name.push(suffix);
                    let _ = std::fs::remove_file(name);
                }
            }
            Scratch::PostgresDatabase { admin_url, name } => {
                if let Ok(admin) = connect_admin(&admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    let _ = admin.close().await;
                }
            }
        }
    }
}

/// Stores an owner and a site for `domain` (UTC, private) and returns the site's id.
pub async fn insert_site(db: &DatabaseConnection, domain: &str) -> Uuid {
    let owner = user::ActiveModel {
        id: Set(Uuid::new_v4()),
        email: Set(format!("owner-{}@{domain}", Uuid::new_v4().simple())),
        name: Set("Owner".into()),
        password_hash: Set("not-a-hash".into()),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(db)
    .await
    .expect("insert an owner");
    site::ActiveModel {
        id: Set(Uuid::new_v4()),
        owner_id: Set(owner.id),
        name: Set(domain.into()),
        domain: Set(domain.into()),
        timezone: Set("UTC".into()),
        public: Set(false),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(db)
    .await
    .expect("insert a site")
    .id
}

/// Stores an owner and a site for `domain` in the time zone `zone`.
pub async fn insert_site_in(db: &DatabaseConnection, domain: &str, zone: &str) -> site::Model {
    let id = insert_site(db, domain).await;
    let mut site: site::ActiveModel = site::Entity::find_by_id(id)
        .one(db)
        .await
        .expect("read the site")
        .expect("the site just stored")
        .into();
    site.timezone = Set(zone.to_owned());
    site.update(db).await.expect("set the time zone")
}

/// A pageview of `path` at `ts` (Unix ms) by `visitor_id`, as the ingest
/// store takes it, with fixed, plausible dimensions.
pub fn new_pageview(site_id: Uuid, visitor_id: i64, ts: i64, path: &str) -> NewEvent {
    NewEvent {
        site_id,
        ts,
        name: "pageview".into(),
        hostname: "example.com".into(),
        path: path.into(),
        referrer_source: String::new(),
        utm: Utm::default(),
        browser: "Firefox".into(),
        browser_version: "133".into(),
        os: "Linux".into(),
        device: "desktop".into(),
        country: None,
        region: None,
        city: None,
        visitor_id,
        props: None,
        interactive: true,
        revenue: None,
        engagement: None,
    }
}

/// Stores one pageview of `path` at `ts` (Unix ms) with fixed, plausible dimensions.
pub async fn insert_pageview(
    db: &DatabaseConnection,
    site_id: Uuid,
    ts: i64,
    path: &str,
) -> event::Model {
    event::ActiveModel {
        site_id: Set(site_id),
        ts: Set(ts),
        name: Set("pageview".into()),
        hostname: Set("example.com".into()),
        path: Set(path.into()),
        referrer_source: Set(String::new()),
        utm_source: Set(String::new()),
        utm_medium: Set(String::new()),
        utm_campaign: Set(String::new()),
        utm_term: Set(String::new()),
        utm_content: Set(String::new()),
        browser: Set("Firefox".into()),
        browser_version: Set("133".into()),
        os: Set("Linux".into()),
        device: Set("desktop".into()),
        country: Set(Some("DE".into())),
        visitor_id: Set(-42),
        visit_id: Set(i64::MAX),
        props: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert a pageview")
}

/// `<unix seconds>_<random>`: unique across parallel test processes, and the time
/// lets a later run recognise databases left behind by a test that panicked.
fn unique_suffix() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    format!("{secs}_{:08x}", rand::random::<u32>())
}

/// Once per test process: every test after the first would only repeat the scan.
async fn drop_stale_databases(admin: &DatabaseConnection) {
    static DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if DONE.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let Ok(rows) = admin
        .query_all_raw(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            format!("SELECT datname FROM pg_database WHERE datname LIKE '{PREFIX}%'"),
        ))
        .await
    else {
        return;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        let created = name
            .trim_start_matches(PREFIX)
            .split('_')
            .next()
            .and_then(|s| s.parse::<u64>().ok());
        if created.is_some_and(|t| now.saturating_sub(t) > 3600) {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}

async fn connect_admin(url: &str) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .max_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5));
    Database::connect(options).await
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn swaps_the_database_name_in_a_postgres_url() {
        assert_eq!(
            super::replace_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::replace_database("postgres://u@h/test?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
