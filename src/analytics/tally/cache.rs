//! Counts of settled events kept between reports, so the open day of a busy
//! site is read once and then only its newest minutes.
//!
//! Events are stamped with the receiving server's clock and committed within
//! milliseconds; replicas' clocks are trusted to within a minute. An event
//! older than `SETTLE_MS` therefore never arrives late, and a count of
//! events before that point stays right. A kept count is still checked
//! against the number of events it counted before it is used, so an import of
//! past events or a pruning is never hidden.

use std::sync::Mutex;

use uuid::Uuid;

use super::{Progress, Stretch};

pub(super) const SETTLE_MS: i64 = 2 * 60 * 1000;
/// Counts kept at once; each holds one day's distinct visitors, visits and
/// values of one site (about 10 MB for 100,000 events).
const KEPT: usize = 8;

#[derive(Clone, PartialEq, Eq)]
pub(super) struct Key {
    site: Uuid,
    starts: Vec<i64>,
    seam: Option<(i64, i64)>,
    breakdowns: bool,
}

impl Key {
    pub fn of(stretch: &Stretch<'_>) -> Key {
        Key {
            site: stretch.site,
            starts: stretch.starts.to_vec(),
            seam: stretch.seam,
            breakdowns: stretch.breakdowns,
        }
    }
}

/// Most recently used last.
static KEPT_COUNTS: Mutex<Vec<(Key, Progress)>> = Mutex::new(Vec::new());

pub(super) fn get(key: &Key) -> Option<Progress> {
    let mut kept = KEPT_COUNTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let at = kept.iter().position(|(k, _)| k == key)?;
    let entry = kept.remove(at);
    let progress = entry.1.clone();
    kept.push(entry);
    Some(progress)
}

pub(super) fn store(key: Key, progress: &Progress) {
    let mut kept = KEPT_COUNTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    kept.retain(|(k, p)| k != &key || p.upto > progress.upto);
    if kept.iter().all(|(k, _)| k != &key) {
        kept.push((key, progress.clone()));
    }
    if kept.len() > KEPT {
        kept.remove(0);
    }
}
