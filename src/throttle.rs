//! Limits on what anyone on the internet may ask of us: sign-in attempts
//! (`LoginThrottle`) and plain request counts per client address (`Window`,
//! for registrations and public dashboards). Both keep their state in memory,
//! per process, with a bounded number of keys, so a flood of distinct
//! addresses cannot grow memory without limit.

use std::{
    collections::{HashMap, VecDeque},
    hash::Hash,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

const WINDOW: Duration = Duration::from_secs(60);
/// The default sign-in allowance per minute.
pub const MAX_FAILURES: usize = 5;
/// Keys kept at most; past this the stalest are dropped.
const MAX_KEYS: usize = 100_000;
/// How long a successful sign-in from an address vouches for that address.
const KNOWN_FOR: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// Sign-in throttling: five failures a minute per client address, and per
/// account. Every attempt is counted *before* its password is checked (and
/// withdrawn if it succeeds), so sixty guesses sent at once get five checks,
/// not sixty.
///
/// An account under attack must not lock its owner out: once an account has
/// five failures in the minute, it refuses addresses that have not signed in
/// to it before, while an address that has (within 30 days) keeps its own
/// allowance of five failures a minute for that account. An attacker can keep
/// new addresses out for as long as the attack lasts, never the owner's usual
/// ones.
pub struct LoginThrottle {
    per_minute: usize,
    state: Mutex<LoginState>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::new(MAX_FAILURES as u32)
    }
}

#[derive(Default)]
struct LoginState {
    attempts: HashMap<String, VecDeque<Instant>>,
    /// `pair` keys that signed in successfully, and when.
    known: HashMap<String, Instant>,
}

/// An attempt counted against its keys; `succeeded` withdraws it.
#[must_use]
pub struct Attempt {
    keys: [String; 3],
    at: Instant,
}

impl LoginThrottle {
    /// `per_minute` attempts per address, per account and per address on an
    /// account.
    pub fn new(per_minute: u32) -> Self {
        LoginThrottle {
            per_minute: (per_minute as usize).max(1),
            state: Mutex::default(),
        }
    }

    /// Counts an attempt from `client` (already reduced by `net::limit_key`) on
    /// the account `email`, or says how many seconds to wait.
    pub fn begin(&self, client: IpAddr, email: &str) -> Result<Attempt, u64> {
        let email = email.trim().to_lowercase();
        let [ip, account, pair] = [
            format!("ip:{client}"),
            format!("account:{email}"),
            format!("pair:{client}|{email}"),
        ];
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let known = state
            .known
            .get(&pair)
            .is_some_and(|at| now.duration_since(*at) < KNOWN_FOR);
        let mut wait = None;
        let limit = self.per_minute;
        for (key, limit) in [
            (&ip, limit),
            (&pair, limit),
            (&account, if known { usize::MAX } else { limit }),
        ] {
            if let Some(secs) = state.over(key, limit, now) {
                wait = wait.max(Some(secs));
            }
        }
        if let Some(secs) = wait {
            return Err(secs);
        }
        state.make_room(now);
        for key in [&ip, &account, &pair] {
            state
                .attempts
                .entry(key.clone())
                .or_default()
                .push_back(now);
        }
        Ok(Attempt {
            keys: [ip, account, pair],
            at: now,
        })
    }

    /// The password was right: the attempt does not count, and the address is
    /// known to this account from now on.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        for key in &attempt.keys {
            if let Some(times) = state.attempts.get_mut(key)
                && let Some(at) = times.iter().position(|t| *t == attempt.at)
            {
                times.remove(at);
            }
        }
        let [_, _, pair] = attempt.keys;
        if state.known.len() >= MAX_KEYS {
            let now = Instant::now();
            state
                .known
                .retain(|_, at| now.duration_since(*at) < KNOWN_FOR);
            if state.known.len() >= MAX_KEYS {
                state.known.clear();
            }
        }
        state.known.insert(pair, Instant::now());
    }
}

impl LoginState {
    /// Seconds to wait when `key` has `limit` attempts in the window.
    fn over(&mut self, key: &str, limit: usize, now: Instant) -> Option<u64> {
        let times = self.attempts.get_mut(key)?;
        prune(times, now, WINDOW);
        (times.len() >= limit).then(|| retry_after(times, now, WINDOW))
    }

    fn make_room(&mut self, now: Instant) {
        if self.attempts.len() + 3 > MAX_KEYS {
            self.attempts.retain(|_, times| {
                prune(times, now, WINDOW);
                !times.is_empty()
            });
            if self.attempts.len() + 3 > MAX_KEYS {
                self.attempts.clear();
            }
        }
    }
}

/// The limits a server holds, shared by the REST API and the server functions.
pub struct Limits {
    pub sign_ins: LoginThrottle,
    /// New accounts per client address and hour; checked before anything is
    /// hashed.
    pub registrations: Window,
    /// Public dashboards (API, share pages, their server functions) per client
    /// address and minute.
    pub public_reads: Window,
    /// Stats and Sites API requests per API key and hour (Plausible's 600).
    pub api_keys: Window<uuid::Uuid>,
}

#[derive(Clone, Debug)]
pub struct LimitSettings {
    pub sign_ins_per_minute: u32,
    pub registrations_per_hour: u32,
    pub public_reads_per_minute: u32,
    pub api_requests_per_hour: u32,
    /// Reports computed at once (see `analytics::Reports`).
    pub concurrent_reports: usize,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            sign_ins_per_minute: MAX_FAILURES as u32,
            registrations_per_hour: 10,
            public_reads_per_minute: 120,
            api_requests_per_hour: 600,
            concurrent_reports: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// Over the public-dashboard limit (`Limits::public_read`).
#[derive(Debug, thiserror::Error)]
#[error("too many requests for public dashboards from this address; slow down")]
pub struct TooManyPublicReads {
    pub retry_after_secs: u64,
}

impl crate::error::Classify for TooManyPublicReads {
    fn classify(self) -> crate::error::Failure {
        let kind = crate::error::Kind::Throttled {
            retry_after_secs: self.retry_after_secs,
        };
        crate::error::Failure::new(kind, self)
    }
}

impl Limits {
    /// Counts one public-dashboard request from `client` (IPv6 by its /64).
    pub fn public_read(&self, client: IpAddr) -> Result<(), TooManyPublicReads> {
        self.public_reads
            .hit(&crate::net::limit_key(client))
            .map_err(|retry_after_secs| TooManyPublicReads { retry_after_secs })
    }
}

/// Addresses a per-address window remembers at most.
const WINDOW_KEYS: usize = 10_000;

impl Limits {
    pub fn new(settings: &LimitSettings) -> Self {
        Limits {
            sign_ins: LoginThrottle::new(settings.sign_ins_per_minute),
            registrations: Window::new(
                settings.registrations_per_hour,
                Duration::from_secs(3600),
                WINDOW_KEYS,
            ),
            public_reads: Window::new(settings.public_reads_per_minute, WINDOW, WINDOW_KEYS),
            api_keys: Window::new(
                settings.api_requests_per_hour,
                Duration::from_secs(3600),
                WINDOW_KEYS,
            ),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(&LimitSettings::default())
    }
}

/// At most `limit` requests per `period` per key, counted over a sliding
/// window (exactly: no burst beyond the limit at a window's edge).
pub struct Window<K = IpAddr> {
    limit: usize,
    period: Duration,
    max_keys: usize,
    hits: Mutex<HashMap<K, VecDeque<Instant>>>,
}

impl<K: Hash + Eq + Clone> Window<K> {
    pub fn new(limit: u32, period: Duration, max_keys: usize) -> Self {
        Window {
            limit: (limit as usize).max(1),
            period,
            max_keys: max_keys.max(1),
            hits: Mutex::default(),
        }
    }

    /// Counts a request from `key`, or says how many seconds to wait.
    pub fn hit(&self, key: &K) -> Result<(), u64> {
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(times) = hits.get_mut(key) {
            prune(times, now, self.period);
            if times.len() >= self.limit {
                return Err(retry_after(times, now, self.period));
            }
        } else if hits.len() >= self.max_keys {
            let period = self.period;
            hits.retain(|_, times| {
                prune(times, now, period);
                !times.is_empty()
            });
            if hits.len() >= self.max_keys {
                hits.clear();
            }
        }
        hits.entry(key.clone()).or_default().push_back(now);
        Ok(())
    }

    /// Forgets keys with nothing in the window (housekeeping).
    pub fn evict_idle(&self) {
        let now = Instant::now();
        let period = self.period;
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        hits.retain(|_, times| {
            prune(times, now, period);
            !times.is_empty()
        });
        hits.shrink_to_fit();
    }

    /// Keys currently remembered.
    pub fn tracked(&self) -> usize {
        self.hits.lock().map_or(0, |hits| hits.len())
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant, period: Duration) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= period)
    {
        times.pop_front();
    }
}

/// Whole seconds until the oldest entry leaves the window (at least one).
fn retry_after(times: &VecDeque<Instant>, now: Instant, period: Duration) -> u64 {
    times.front().map_or(1, |oldest| {
        let left = period.saturating_sub(now.duration_since(*oldest));
        (left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_sixth_attempt_in_a_minute_is_blocked_before_any_is_verified() {
        let throttle = LoginThrottle::default();
        // Five in flight at once: none has failed yet, all five count.
        let pending: Vec<_> = (0..MAX_FAILURES)
            .map(|_| throttle.begin(ip("203.0.113.1"), "a@example.com").unwrap())
            .collect();
        let wait = throttle
            .begin(ip("203.0.113.1"), "a@example.com")
            .err()
            .expect("blocked after five attempts");
        assert!((1..=60).contains(&wait));
        // The same address is blocked for every account.
        assert!(throttle.begin(ip("203.0.113.1"), "b@example.com").is_err());
        // A new address is kept off the attacked account, not off others.
        assert!(throttle.begin(ip("198.51.100.2"), "a@example.com").is_err());
        assert!(throttle.begin(ip("198.51.100.2"), "b@example.com").is_ok());
        drop(pending);
    }

    #[test]
    fn a_success_is_withdrawn_and_vouches_for_its_address() {
        let throttle = LoginThrottle::default();
        let owner = ip("192.0.2.10");
        for _ in 0..10 {
            let attempt = throttle.begin(owner, "Owner@Example.com").unwrap();
            throttle.succeeded(attempt);
        }
        // An attacker saturates the account from five addresses.
        for n in 1..=5 {
            let _ = throttle
                .begin(ip(&format!("198.51.100.{n}")), "owner@example.com")
                .unwrap();
        }
        assert!(
            throttle
                .begin(ip("198.51.100.99"), "owner@example.com")
                .is_err()
        );
        // The owner's own address still gets in, within its own allowance.
        let attempt = throttle.begin(owner, "owner@example.com").unwrap();
        throttle.succeeded(attempt);
        for _ in 0..MAX_FAILURES {
            let _ = throttle.begin(owner, "owner@example.com").unwrap();
        }
        assert!(throttle.begin(owner, "owner@example.com").is_err());
    }

    #[test]
    fn a_window_allows_its_limit_then_says_how_long_to_wait() {
        let window = Window::new(10, Duration::from_secs(3600), 100);
        let a = ip("203.0.113.5");
        for _ in 0..10 {
            assert_eq!(window.hit(&a), Ok(()));
        }
        let wait = window.hit(&a).unwrap_err();
        assert!((3590..=3600).contains(&wait), "{wait}");
        assert_eq!(window.hit(&ip("203.0.113.6")), Ok(()));
        assert_eq!(window.tracked(), 2);
    }

    #[test]
    fn a_window_never_keeps_more_keys_than_its_cap() {
        let window = Window::new(1, Duration::from_secs(60), 50);
        for n in 0..500u32 {
            let _ = window.hit(&IpAddr::from(n.to_be_bytes()));
            assert!(window.tracked() <= 50);
        }
    }
}
