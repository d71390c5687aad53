//! Answers kept between reports, by key, for whoever computes them (the
//! dashboard keeps its Stats-engine sections of settled days here). Each
//! is kept for a few minutes, so a pruning or an import shows soon.

use std::{
    any::Any,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// How long an answer is kept.
const KEEP_FOR: Duration = Duration::from_secs(10 * 60);
/// Answers kept at once; the oldest go first.
const KEPT: usize = 256;

type Entry = (String, Instant, Arc<dyn Any + Send + Sync>);

#[derive(Default)]
pub struct Memo(Mutex<Vec<Entry>>);

impl Memo {
    fn entries(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The answer kept under `key`, unless it is too old or of another type.
    pub fn get<T: Any + Send + Sync>(&self, key: &str) -> Option<Arc<T>> {
        self.get_within(key, KEEP_FOR)
    }

    /// The answer kept under `key` if it was kept less than `age` ago.
    pub fn get_within<T: Any + Send + Sync>(&self, key: &str, age: Duration) -> Option<Arc<T>> {
        let mut entries = self.entries();
        entries.retain(|(_, at, _)| at.elapsed() < KEEP_FOR);
        let (_, at, value) = entries.iter().find(|(k, _, _)| k == key)?;
        if at.elapsed() >= age {
            return None;
        }
        Arc::clone(value).downcast::<T>().ok()
    }

    pub fn put<T: Any + Send + Sync>(&self, key: String, value: T) {
        let mut entries = self.entries();
        entries.retain(|(k, _, _)| *k != key);
        if entries.len() >= KEPT {
            entries.remove(0);
        }
        entries.push((key, Instant::now(), Arc::new(value)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_answers_by_key_and_type() {
        let memo = Memo::default();
        memo.put("a".into(), 7u64);
        assert_eq!(memo.get::<u64>("a").as_deref(), Some(&7));
        assert!(memo.get::<String>("a").is_none(), "another type is not it");
        assert!(memo.get::<u64>("b").is_none());
        assert!(
            memo.get_within::<u64>("a", Duration::ZERO).is_none(),
            "too old"
        );
        for i in 0..KEPT {
            memo.put(format!("k{i}"), i);
        }
        assert!(memo.get::<u64>("a").is_none(), "the oldest went first");
        assert_eq!(memo.get::<usize>("k1").as_deref(), Some(&1));
    }
}
