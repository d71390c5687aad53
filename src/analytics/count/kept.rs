//! Counts of settled events kept between reports, so the open day of a busy
//! site is read once and then only its newest minutes, and a filter rollups
//! cannot slice by (a page goal, `contains`, a property) counts its range's
//! settled days once rather than on every report.
//!
//! Events are stamped with the receiving server's clock and committed within
//! milliseconds; replicas' clocks are trusted to within a minute; a pageview
//! takes its engagement until `ENGAGEMENT_WINDOW_MS` after it. An event older
//! than `SETTLE_MS` therefore never arrives late or changes, and a count of
//! events before that point stays right. An unfiltered count is still checked
//! against the number of events it counted before it is used, so an import of
//! past events or a pruning is never hidden. A filtered one counted only
//! some of them, and counting all of a month's to check it would cost as
//! much as the count: it is used for `FILTERED_FOR` after it was first made,
//! so an import or a pruning shows within minutes, as in `report::memo`.

use std::{
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use uuid::Uuid;

use super::{Progress, Stretch};
use crate::analytics::request::Filters;

pub(crate) const SETTLE_MS: i64 = crate::ingest::ENGAGEMENT_WINDOW_MS + 2 * 60 * 1000;
/// Counts kept at once; each holds one day's distinct visitors, visits and
/// values of one site (about 10 MB for 100,000 events; a filtered one less).
/// A filtered report keeps two (its range and the compared one).
const KEPT: usize = 12;

/// How long a filtered count is used after it was first made.
pub(super) const FILTERED_FOR: Duration = Duration::from_secs(10 * 60);

#[derive(Clone, PartialEq, Eq)]
pub(super) struct Key {
    site: Uuid,
    starts: Vec<i64>,
    seam: Option<(i64, i64)>,
    breakdowns: bool,
    filters: Filters,
}

impl Key {
    pub fn of(stretch: &Stretch<'_>) -> Key {
        Key {
            site: stretch.site,
            starts: stretch.starts.to_vec(),
            seam: stretch.seam,
            breakdowns: stretch.breakdowns,
            filters: stretch.filters.clone(),
        }
    }
}

/// A kept count and when its first part was counted.
type Entry = (Key, Arc<Progress>, Instant);

/// The kept counts of one reports service, most recently used last. The lock
/// is held while a count is found, not while it is copied.
#[derive(Default)]
pub(crate) struct KeptCounts(Mutex<Vec<Entry>>);

impl KeptCounts {
    fn kept(&self) -> MutexGuard<'_, Vec<Entry>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The count kept for `key` and when its first part was counted.
    pub(super) fn get(&self, key: &Key) -> Option<(Progress, Instant)> {
        let (progress, since) = {
            let mut kept = self.kept();
            let at = kept.iter().position(|(k, _, _)| k == key)?;
            let entry = kept.remove(at);
            let found = (Arc::clone(&entry.1), entry.2);
            kept.push(entry);
            found
        };
        Some((Progress::clone(&progress), since))
    }

    /// Keeps `progress` (its first part counted at `since`) for `key`
    /// unless a count further along is kept already.
    pub(super) fn store(&self, key: Key, progress: &Progress, since: Instant) {
        let progress = Arc::new(progress.clone());
        let mut kept = self.kept();
        if let Some(at) = kept.iter().position(|(k, _, _)| k == &key) {
            if kept[at].1.upto >= progress.upto {
                return;
            }
            kept.remove(at);
        }
        kept.push((key, progress, since));
        if kept.len() > KEPT {
            kept.remove(0);
        }
    }
}
