//! Counts of settled events kept between reports, so the open day of a busy
//! site is read once and then only its newest minutes.
//!
//! Events are stamped with the receiving server's clock and committed within
//! milliseconds; replicas' clocks are trusted to within a minute; a pageview
//! takes its engagement until `ENGAGEMENT_WINDOW_MS` after it. An event older
//! than `SETTLE_MS` therefore never arrives late or changes, and a count of
//! events before that point stays right. A kept count is still checked
//! against the number of events it counted before it is used, so an import of
//! past events or a pruning is never hidden.

use std::sync::{Arc, Mutex, MutexGuard};

use uuid::Uuid;

use super::{Progress, Stretch};

pub(crate) const SETTLE_MS: i64 = crate::ingest::ENGAGEMENT_WINDOW_MS + 2 * 60 * 1000;
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

/// The kept counts of one reports service, most recently used last. The lock
/// is held while a count is found, not while it is copied.
#[derive(Default)]
pub(crate) struct KeptCounts(Mutex<Vec<(Key, Arc<Progress>)>>);

impl KeptCounts {
    fn kept(&self) -> MutexGuard<'_, Vec<(Key, Arc<Progress>)>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn get(&self, key: &Key) -> Option<Progress> {
        let progress = {
            let mut kept = self.kept();
            let at = kept.iter().position(|(k, _)| k == key)?;
            let entry = kept.remove(at);
            let progress = Arc::clone(&entry.1);
            kept.push(entry);
            progress
        };
        Some(Progress::clone(&progress))
    }

    /// Keeps `progress` for `key` unless a count further along is kept already.
    pub(super) fn store(&self, key: Key, progress: &Progress) {
        let progress = Arc::new(progress.clone());
        let mut kept = self.kept();
        if let Some(at) = kept.iter().position(|(k, _)| k == &key) {
            if kept[at].1.upto >= progress.upto {
                return;
            }
            kept.remove(at);
        }
        kept.push((key, progress));
        if kept.len() > KEPT {
            kept.remove(0);
        }
    }
}
