//! The limits on what clients may ask of the server, from the environment:
//! per-address allowances and the connection deadlines.

use std::time::Duration;

use pagepulse_core::throttle::LimitSettings;

use super::{ConfigError, invalid, parse};

/// How long a client may take and how many may be connected: what keeps slow
/// or idle clients from holding the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// The request line and headers must arrive within this.
    pub head_timeout: Duration,
    /// A whole request, body and answer included.
    pub request_timeout: Duration,
    /// An idle keep-alive connection is closed after this.
    pub idle_timeout: Duration,
    /// Connections open at once; further ones wait in the listen backlog.
    pub max_connections: usize,
}

pub(super) fn from(
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<(LimitSettings, ConnectionLimits), ConfigError> {
    let defaults = LimitSettings::default();
    let count = |var: &'static str, default: u32| positive(get(var), var, default);
    let limits = LimitSettings {
        sign_ins_per_minute: count("LOGIN_RATE_LIMIT_PER_MINUTE", defaults.sign_ins_per_minute)?,
        registrations_per_hour: count(
            "REGISTRATION_RATE_LIMIT_PER_HOUR",
            defaults.registrations_per_hour,
        )?,
        public_reads_per_minute: count(
            "PUBLIC_RATE_LIMIT_PER_MINUTE",
            defaults.public_reads_per_minute,
        )?,
        api_requests_per_hour: count("API_RATE_LIMIT_PER_HOUR", defaults.api_requests_per_hour)?,
        concurrent_reports: count("REPORT_CONCURRENCY", defaults.concurrent_reports as u32)?
            as usize,
    };
    let seconds = |var: &'static str, default: u32| {
        count(var, default).map(|s| Duration::from_secs(u64::from(s)))
    };
    let connections = ConnectionLimits {
        head_timeout: seconds("REQUEST_HEAD_TIMEOUT_SECS", 30)?,
        request_timeout: seconds("REQUEST_TIMEOUT_SECS", 60)?,
        idle_timeout: seconds("KEEP_ALIVE_TIMEOUT_SECS", 75)?,
        max_connections: count("MAX_CONNECTIONS", 4096)? as usize,
    };
    Ok((limits, connections))
}

/// A whole number of at least one.
fn positive(value: Option<String>, var: &'static str, default: u32) -> Result<u32, ConfigError> {
    match parse(value, var, default)? {
        0 => Err(invalid(var, "must be at least 1".into())),
        n => Ok(n),
    }
}
