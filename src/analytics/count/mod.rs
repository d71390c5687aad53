//! The counting engine: raw events counted here rather than by the database. SQLite groups only by
//! sorting, and a report needs a dozen groupings of the same events (visits,
//! days, nine dimensions, the carries across a midnight), so each stretch of
//! events is fetched once and counted with hash maps in one pass.
//!
//! Visitor ids rotate at UTC midnight, so events are taken one UTC day at a
//! time: distinct counts of different UTC days add up, and memory holds one
//! day's events, never a range's.

use std::{sync::Arc, time::Instant};

use futures::StreamExt;

use rustc_hash::FxHashMap;
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use super::request::{Dimension, Filters};

mod day;
mod fetch;
mod kept;
mod packed;
mod seam;
mod selection;
mod slices;
pub(crate) mod stored;
mod totals;

use day::DayCounter;
use fetch::{Batch, Dictionary};
pub use packed::{Coded, DayColumns, DayStore};
use seam::SeamCounter;
pub(crate) use {
    kept::{KeptCounts, SETTLE_MS},
    selection::Selection,
    slices::{Slice, count_sliced},
    totals::{Carry, DAY_MS, TopValue, Totals, seam},
};

/// A UTC day's events are fetched as this many windows at once, on as many
/// connections, so the database's reading and decoding use every core.
const WINDOWS: i64 = 4;

/// Packed days read ahead of the one being counted.
const PACKS_AHEAD: usize = 2;

/// Which events to count and how.
pub(crate) struct Stretch<'a> {
    pub site: Uuid,
    pub filters: &'a Filters,
    /// Local day starts, the last one the end: events in
    /// `starts[0]..starts[last]` are counted, per day.
    pub starts: &'a [i64],
    /// When the first day's midnight lies inside a UTC day shared with the day
    /// before: that UTC day's part of the two days, over which the carry across
    /// the midnight is counted.
    pub seam: Option<(i64, i64)>,
    /// Counts per dimension value too, not only totals and days.
    pub breakdowns: bool,
    /// Where to keep the count of settled events for the next report (see
    /// `kept`); the rollup job, which counts each closed day once, keeps none.
    pub kept: Option<&'a KeptCounts>,
    /// Where filtered counts may read whole days instead of the events
    /// table (see `packed`).
    pub packs: Option<&'a Arc<dyn DayStore>>,
}

/// Per value: (pageviews, visitors); for an event name or a property,
/// (events, visitors); for `slot::SCROLL` and `slot::ENGAGED`, (sum, pageviews
/// reporting).
pub(crate) type Values = FxHashMap<String, (i64, i64)>;

/// Where a breakdown's counts sit in `Counts::values`, and its name where it is
/// stored: the dimensions in `Dimension::ALL` order, then the custom
/// properties of the counted events, then per page the engagement its
/// pageviews reported. Each is counted, merged and stored the same way; only
/// the engagement sums add up without any distinct count.
pub(crate) mod slot {
    use crate::analytics::request::Dimension;

    /// Custom properties, "key\u{1f}value" (`fetch::prop_pair`).
    pub const PROP: usize = Dimension::ALL.len();
    /// Per page: (sum of deepest scroll percent, pageviews reporting one).
    pub const SCROLL: usize = PROP + 1;
    /// Per page: (sum of engaged milliseconds, pageviews reporting one).
    pub const ENGAGED: usize = PROP + 2;
    pub const COUNT: usize = PROP + 3;

    pub fn param(slot: usize) -> &'static str {
        match slot {
            PROP => "prop",
            SCROLL => "scroll",
            ENGAGED => "engaged",
            d => Dimension::ALL[d].param(),
        }
    }

    pub fn of(param: &str) -> Option<usize> {
        (0..COUNT).find(|&s| self::param(s) == param)
    }

    /// Which dictionary names a slot's ids: engagement is per page.
    pub fn dictionary(slot: usize) -> usize {
        match slot {
            SCROLL | ENGAGED => Dimension::Page as usize,
            s => s,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Counts {
    pub totals: Totals,
    /// (pageviews, visitors) per day of the stretch.
    pub days: Vec<(i64, i64)>,
    /// Per slot (`slot`); empty without breakdowns.
    pub values: Vec<Values>,
    /// What the first day shares with the day before (zero without a seam).
    pub carry: Carry,
    /// Per slot and value, the visitors shared across that midnight.
    pub shared: Vec<FxHashMap<String, i64>>,
}

impl Stretch<'_> {
    /// Where its first day starts and its last day ends.
    fn days(&self) -> (i64, i64) {
        (self.starts[0], self.starts[self.starts.len() - 1])
    }

    /// The events it reads: its days', and the seam's before them.
    fn reach(&self) -> (i64, i64) {
        let (start, end) = self.days();
        let from = self
            .seam
            .map_or(start, |(seam_from, _)| seam_from.min(start));
        (from, end)
    }

    /// The time of the first and the last event it reads (of any event,
    /// `unfiltered`), if it reads any.
    async fn extent<C: ConnectionTrait>(
        &self,
        db: &C,
        unfiltered: bool,
    ) -> Result<Option<(i64, i64)>, DbErr> {
        let (from, to) = self.reach();
        let none = Filters::default();
        let filters = if unfiltered { &none } else { self.filters };
        fetch::extent(db, self.site, filters, from, to).await
    }
}

/// A page's engagement as stored beside its counts: its pageviews that
/// reported one, and the sums of their deepest scroll and engaged time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Engaged {
    pub pageviews: i64,
    pub scroll: i64,
    pub ms: i64,
}

/// One value's counts as the rollup stores them.
pub(crate) struct ValueRow<'a> {
    pub slot: usize,
    pub value: &'a str,
    pub pageviews: i64,
    pub visitors: i64,
    /// Visitors shared across the first day's midnight.
    pub carried: i64,
    /// A page's engagement (`slot::SCROLL`, `slot::ENGAGED`), on its own row.
    pub engaged: Engaged,
}

impl Counts {
    /// Every slot's values but the engagement slots, which ride on their
    /// page's row.
    pub fn value_rows(&self) -> impl Iterator<Item = ValueRow<'_>> {
        let page = Dimension::Page as usize;
        self.values
            .iter()
            .enumerate()
            .filter(|(s, _)| *s < slot::SCROLL)
            .flat_map(move |(s, values)| {
                let shared = self.shared.get(s);
                values
                    .iter()
                    .map(move |(value, &(pageviews, visitors))| ValueRow {
                        slot: s,
                        value: value.as_str(),
                        pageviews,
                        visitors,
                        carried: shared.and_then(|s| s.get(value)).copied().unwrap_or(0),
                        engaged: if s == page {
                            self.engaged(value)
                        } else {
                            Engaged::default()
                        },
                    })
            })
    }

    fn engaged(&self, page: &str) -> Engaged {
        let sum = |s: usize| {
            self.values
                .get(s)
                .and_then(|values| values.get(page))
                .copied()
                .unwrap_or_default()
        };
        let ((scroll, pageviews), (ms, _)) = (sum(slot::SCROLL), sum(slot::ENGAGED));
        Engaged {
            pageviews,
            scroll,
            ms,
        }
    }
}

/// Counts the events of `stretch`. The count of events old enough to be
/// final is kept (see `kept`) and only newer events are read again: today's
/// dashboard reads minutes of events, not the whole day, and a filtered
/// month its last minutes, not the month.
pub(crate) async fn count<C: ConnectionTrait>(
    db: &C,
    stretch: &Stretch<'_>,
) -> Result<Counts, DbErr> {
    let started = Instant::now();
    let unfiltered = stretch.filters.is_empty();
    // Read from packs, a filter is tested in memory: finding its first and
    // last match in SQL could cost more than the whole count (a value no
    // event has scans every row), so the site's first and last event bound
    // the days read.
    let packed = stretch.packs.is_some() && !unfiltered;
    let Some((first, last)) = stretch.extent(db, packed).await? else {
        return Ok(Progress::new(stretch, stretch.reach().0).finish(stretch));
    };
    let to = last + 1;
    let kept = stretch.kept.map(|kept| (kept, kept::Key::of(stretch)));
    let (mut progress, since) = match &kept {
        Some((kept, key)) => resume(db, stretch, kept, key, first).await?,
        None => None,
    }
    .unwrap_or_else(|| (Progress::new(stretch, first), Instant::now()));
    let resumed = progress.events;
    if let Some((kept, key)) = kept {
        let settled = (now_ms() - kept::SETTLE_MS).min(to);
        if settled > progress.upto {
            progress.advance(db, stretch, settled, None).await?;
            kept.store(key, &progress, since);
        }
    }
    progress.advance(db, stretch, to, None).await?;
    tracing::debug!(
        events = progress.events,
        resumed,
        total_ms = started.elapsed().as_millis() as u64,
        "raw events counted"
    );
    Ok(progress.finish(stretch))
}

/// A kept count for `key` (and when it was first made), if it started at the
/// same first event and, unfiltered, the events it counted are still exactly
/// there (an import or a late writer would change their number); filtered,
/// if it is recent enough (`kept::FILTERED_FOR`).
async fn resume<C: ConnectionTrait>(
    db: &C,
    stretch: &Stretch<'_>,
    kept: &KeptCounts,
    key: &kept::Key,
    first: i64,
) -> Result<Option<(Progress, Instant)>, DbErr> {
    let Some((progress, since)) = kept.get(key).filter(|(p, _)| p.first == first) else {
        return Ok(None);
    };
    if !stretch.filters.is_empty() {
        return Ok((since.elapsed() < kept::FILTERED_FOR).then_some((progress, since)));
    }
    let events = fetch::number(db, stretch.site, progress.first, progress.upto).await?;
    Ok((events == progress.events).then_some((progress, since)))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A count part-way through a stretch: every event before `upto` counted.
#[derive(Clone)]
struct Progress {
    first: i64,
    upto: i64,
    events: u64,
    counts: Counts,
    /// Per slot, per value id: (pageviews, visitors) of finished days.
    values: Vec<Vec<(i64, i64)>>,
    /// Per dimension, then the properties' (`slot::PROP`).
    dictionaries: Vec<Dictionary>,
    /// The UTC day being counted.
    day: Option<(i64, DayCounter)>,
    seam: Option<SeamCounter>,
}

impl Progress {
    fn new(stretch: &Stretch<'_>, first: i64) -> Self {
        Progress {
            first,
            upto: first,
            events: 0,
            counts: Counts {
                days: vec![(0, 0); stretch.starts.len() - 1],
                ..Counts::default()
            },
            values: vec![Vec::new(); slot::COUNT],
            dictionaries: (0..=slot::PROP).map(|_| Dictionary::new()).collect(),
            day: None,
            seam: stretch
                .seam
                .map(|(from, to)| SeamCounter::new(stretch.starts[0], from, to)),
        }
    }

    /// Counts the events in `self.upto..until`, a UTC day at a time; with
    /// `batches`, each window's events are also kept there, with their UTC day.
    async fn advance<C: ConnectionTrait>(
        &mut self,
        db: &C,
        stretch: &Stretch<'_>,
        until: i64,
        mut batches: Option<&mut Vec<(i64, Batch)>>,
    ) -> Result<(), DbErr> {
        // Packed days are read ahead, each on a task of its own, while the
        // one before is counted.
        let mut packed_days = stretch
            .packs
            .filter(|_| !stretch.filters.is_empty())
            .map(|store| {
                let columns = Arc::new(packed::columns(stretch.filters, stretch.breakdowns));
                let site = stretch.site;
                let store = Arc::clone(store);
                futures::stream::iter(utc_windows(self.upto, until))
                    .map(move |window| {
                        let (store, columns) = (Arc::clone(&store), Arc::clone(&columns));
                        Reading(tokio::spawn(async move {
                            store.day(site, window, &columns).await
                        }))
                    })
                    .buffered(PACKS_AHEAD)
            });
        while self.upto < until {
            let utc_day = self.upto - self.upto.rem_euclid(DAY_MS);
            let day_to = until.min(utc_day + DAY_MS);
            if let Some(days) = packed_days.as_mut() {
                let day = match days.next().await {
                    Some(read) => {
                        read.map_err(|e| DbErr::Custom(format!("reading a packed day: {e}")))??
                    }
                    None => None,
                };
                let batch = day.and_then(|day| {
                    packed::batch(
                        &day,
                        utc_day,
                        stretch.filters,
                        stretch.breakdowns,
                        packed::Fold::of(db.get_database_backend()),
                        &mut self.dictionaries,
                    )
                });
                if let Some(batch) = batch {
                    self.feed(stretch, utc_day, &batch, 0..batch.len());
                    if let Some(batches) = batches.as_deref_mut() {
                        batches.push((utc_day, batch));
                    }
                    self.upto = day_to;
                    continue;
                }
            }
            let step = (day_to - self.upto + WINDOWS - 1) / WINDOWS;
            let windows = (0..WINDOWS).map(|w| {
                let a = self.upto + w * step;
                fetch::columns(
                    db,
                    stretch.site,
                    stretch.filters,
                    stretch.breakdowns,
                    (a, day_to.min(a + step)),
                )
            });
            let windows = futures::future::try_join_all(windows).await?;
            for columns in windows {
                let batch = Batch::parse(&columns, &mut self.dictionaries)?;
                self.feed(stretch, utc_day, &batch, 0..batch.len());
                if let Some(batches) = batches.as_deref_mut() {
                    batches.push((utc_day, batch));
                }
            }
            self.upto = day_to;
        }
        Ok(())
    }

    /// Counts `events` of `batch`, whose events all lie in `utc_day`; batches
    /// come in time order.
    fn feed(
        &mut self,
        stretch: &Stretch<'_>,
        utc_day: i64,
        batch: &Batch,
        events: impl ExactSizeIterator<Item = usize>,
    ) {
        if self.day.as_ref().is_some_and(|(d, _)| *d != utc_day) {
            self.finish_day();
        }
        let (start, end) = stretch.days();
        let (_, day) = self
            .day
            .get_or_insert_with(|| (utc_day, DayCounter::new(stretch.starts, stretch.breakdowns)));
        self.events += events.len() as u64;
        for i in events {
            if let Some(seam) = self.seam.as_mut() {
                seam.event(batch, i, stretch.breakdowns);
            }
            if (start..end).contains(&batch.ts[i]) {
                day.event(batch, i);
            }
        }
    }

    fn finish_day(&mut self) {
        if let Some((_, day)) = self.day.take() {
            day.finish(&mut self.counts, &mut self.values);
        }
    }

    fn finish(mut self, stretch: &Stretch<'_>) -> Counts {
        self.finish_day();
        let mut counts = self.counts;
        if stretch.breakdowns {
            counts.values = self
                .values
                .iter()
                .enumerate()
                .map(|(s, values)| named(values, &self.dictionaries[slot::dictionary(s)]))
                .collect();
        }
        if let Some(seam) = self.seam {
            seam.finish(&mut counts, &self.dictionaries, stretch.breakdowns);
        }
        counts
    }
}

/// A day read on a task of its own, stopped when the count no longer waits
/// for it (an error, or a request gone).
struct Reading<T>(tokio::task::JoinHandle<T>);

impl<T> std::future::Future for Reading<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for Reading<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// `from..to` cut at each UTC midnight, as `Progress::advance` walks it
/// (and the Stats engine reads its days).
pub(crate) fn utc_windows(from: i64, to: i64) -> Vec<(i64, i64)> {
    let mut windows = Vec::new();
    let mut at = from;
    while at < to {
        let end = to.min(at - at.rem_euclid(DAY_MS) + DAY_MS);
        windows.push((at, end));
        at = end;
    }
    windows
}

/// Counts by value id to counts by value; values no event counted are left out.
fn named(values: &[(i64, i64)], dictionary: &Dictionary) -> Values {
    let mut named = Values::default();
    for (id, &(pageviews, visitors)) in values.iter().enumerate() {
        if visitors > 0 {
            let name = dictionary.name(id as u32).unwrap_or_default();
            let entry = named.entry(name.to_owned()).or_default();
            entry.0 += pageviews;
            entry.1 += visitors;
        }
    }
    named
}
