//! Sign-in throttling: more than five failures in a minute from one address, or
//! against one account, and further attempts get 429 until the minute has passed.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

const WINDOW: Duration = Duration::from_secs(60);
const MAX_FAILURES: usize = 5;
/// Keys kept at most; past this the stalest are dropped, so a flood of distinct
/// addresses cannot grow memory without bound.
const MAX_KEYS: usize = 100_000;

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginThrottle {
    /// `Some(seconds)` to wait when any of `keys` is over the limit.
    pub fn blocked(&self, keys: &[String]) -> Option<u64> {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter()
            .filter_map(|key| {
                let times = failures.get_mut(key)?;
                prune(times, now);
                (times.len() >= MAX_FAILURES).then(|| {
                    let oldest = *times.front()?;
                    Some((WINDOW - now.duration_since(oldest)).as_secs().max(1))
                })?
            })
            .max()
    }

    pub fn record_failure(&self, keys: &[String]) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() >= MAX_KEYS {
            failures.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
            if failures.len() >= MAX_KEYS {
                failures.clear();
            }
        }
        for key in keys {
            let times = failures.entry(key.clone()).or_default();
            prune(times, now);
            times.push_back(now);
        }
    }

    pub fn record_success(&self, account_key: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(account_key);
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_in_a_minute_is_blocked() {
        let throttle = LoginThrottle::default();
        let keys = vec![
            "ip:203.0.113.1".to_owned(),
            "account:a@example.com".to_owned(),
        ];
        for _ in 0..MAX_FAILURES {
            assert_eq!(throttle.blocked(&keys), None);
            throttle.record_failure(&keys);
        }
        let wait = throttle
            .blocked(&keys)
            .expect("blocked after five failures");
        assert!((1..=60).contains(&wait));
        // Another address against the same account is blocked too.
        assert!(
            throttle
                .blocked(&["ip:198.51.100.2".into(), "account:a@example.com".into()])
                .is_some()
        );
        assert_eq!(
            throttle.blocked(&["ip:198.51.100.2".into(), "account:b@example.com".into()]),
            None
        );
    }
}
