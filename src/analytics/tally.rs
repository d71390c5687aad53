//! Raw events counted here rather than by the database. SQLite groups only by
//! sorting, and a report needs a dozen groupings of the same events (visits,
//! days, nine dimensions, the carries across a midnight), so each stretch of
//! events is fetched once and counted with hash maps in one pass.
//!
//! Visitor ids rotate at UTC midnight, so events are taken one UTC day at a
//! time: distinct counts of different UTC days add up, and memory holds one
//! day's events, never a range's.

use std::time::{Duration, Instant};

use rustc_hash::{FxHashMap, FxHashSet};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use super::{
    filters::{Dimension, Filters},
    raw::{Carry, DAY_MS, Totals},
};

mod fetch;

use fetch::{Batch, Dictionary};

/// A UTC day's events are fetched as this many windows at once, on as many
/// connections, so the database's reading and decoding use every core.
const WINDOWS: i64 = 4;

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
}

/// Per value: (pageviews, visitors).
pub(crate) type Values = FxHashMap<String, (i64, i64)>;

#[derive(Debug, Default)]
pub(crate) struct Counts {
    pub totals: Totals,
    /// (pageviews, visitors) per day of the stretch.
    pub days: Vec<(i64, i64)>,
    /// Per dimension, in `Dimension::ALL` order; empty without breakdowns.
    pub values: Vec<Values>,
    /// What the first day shares with the day before (zero without a seam).
    pub carry: Carry,
    /// Per dimension and value, the visitors shared across that midnight.
    pub shared: Vec<FxHashMap<String, i64>>,
}

/// Counts the events of `stretch`.
pub(crate) async fn count<C: ConnectionTrait>(
    db: &C,
    stretch: &Stretch<'_>,
) -> Result<Counts, DbErr> {
    let (start, end) = (stretch.starts[0], stretch.starts[stretch.starts.len() - 1]);
    let from = stretch
        .seam
        .map_or(start, |(seam_from, _)| seam_from.min(start));
    let mut counts = Counts {
        days: vec![(0, 0); stretch.starts.len() - 1],
        ..Counts::default()
    };
    let mut dictionaries: Vec<Dictionary> = Dimension::ALL.map(|_| Dictionary::new()).into();
    // Per dimension, per value id: (pageviews, visitors).
    let mut values: Vec<Vec<(i64, i64)>> = vec![Vec::new(); Dimension::ALL.len()];
    let mut seam = stretch
        .seam
        .map(|(from, to)| SeamTally::new(stretch.starts[0], from, to));
    let Some((first, last)) = fetch::extent(db, stretch.site, stretch.filters, from, end).await?
    else {
        return Ok(counts);
    };
    let (from, to) = (first, last + 1);
    let (started, mut fetching, mut events) = (Instant::now(), Duration::ZERO, 0);
    let mut utc_day = from - from.rem_euclid(DAY_MS);
    while utc_day < to {
        let (day_from, day_to) = (from.max(utc_day), to.min(utc_day + DAY_MS));
        let step = (day_to - day_from + WINDOWS - 1) / WINDOWS;
        let windows = (0..WINDOWS).map(|w| {
            let (a, b) = (day_from + w * step, day_to.min(day_from + (w + 1) * step));
            fetch::columns(db, stretch.site, stretch.filters, a, b)
        });
        let fetched = Instant::now();
        let windows = futures::future::try_join_all(windows).await?;
        fetching += fetched.elapsed();
        let mut day = DayTally::new(stretch);
        for columns in windows {
            let batch = Batch::parse(&columns, &mut dictionaries)?;
            events += batch.len();
            for i in 0..batch.len() {
                if let Some(seam) = seam.as_mut() {
                    seam.event(&batch, i, stretch.breakdowns);
                }
                if (start..end).contains(&batch.ts[i]) {
                    day.event(&batch, i);
                }
            }
        }
        day.finish(&mut counts, &mut values);
        utc_day += DAY_MS;
    }
    if stretch.breakdowns {
        counts.values = values
            .iter()
            .zip(&dictionaries)
            .map(|(values, dictionary)| named(values, dictionary))
            .collect();
    }
    if let Some(seam) = seam {
        seam.finish(&mut counts, &dictionaries, stretch.breakdowns);
    }
    tracing::debug!(
        events,
        fetch_ms = fetching.as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        "raw events counted"
    );
    Ok(counts)
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

/// Whether a breakdown of `dimension` counts an event: pages count pageviews
/// only; an empty value is left out except for referrers, where it is direct
/// traffic, and countries, where only a missing one is.
fn counted(dimension: Dimension, id: u32, pageview: bool) -> bool {
    match dimension {
        Dimension::Page => pageview,
        Dimension::Referrer => true,
        Dimension::Country => id != Dictionary::NULL,
        _ => id != Dictionary::NULL && id != Dictionary::EMPTY,
    }
}

/// No value yet.
const UNSET: u32 = u32::MAX;

struct Visit {
    pageviews: i64,
    first: i64,
    last: i64,
    /// Per dimension, the value whose (value, visitor) pair this visit has
    /// already counted: the values of a visit's events rarely change, so most
    /// events skip the pair set.
    counted: [u32; Dimension::ALL.len()],
}

/// One UTC day's part of the stretch.
struct DayTally<'s> {
    starts: &'s [i64],
    breakdowns: bool,
    visits: FxHashMap<(i64, i64), Visit>,
    visitors: FxHashSet<i64>,
    day_pageviews: Vec<i64>,
    day_visitors: FxHashSet<(usize, i64)>,
    /// Per dimension, per value id.
    pageviews: Vec<Vec<i64>>,
    /// (dimension, value id, visitor) seen.
    pairs: FxHashSet<(u32, u32, i64)>,
}

impl<'s> DayTally<'s> {
    fn new(stretch: &Stretch<'s>) -> Self {
        DayTally {
            starts: stretch.starts,
            breakdowns: stretch.breakdowns,
            visits: FxHashMap::default(),
            visitors: FxHashSet::default(),
            day_pageviews: vec![0; stretch.starts.len() - 1],
            day_visitors: FxHashSet::default(),
            pageviews: vec![Vec::new(); Dimension::ALL.len()],
            pairs: FxHashSet::default(),
        }
    }

    fn event(&mut self, batch: &Batch, i: usize) {
        let (ts, visitor, pageview) = (batch.ts[i], batch.visitor[i], batch.pageview[i] != 0);
        let pv = i64::from(pageview);
        let visit = self
            .visits
            .entry((batch.visit[i], visitor))
            .or_insert(Visit {
                pageviews: 0,
                first: ts,
                last: ts,
                counted: [UNSET; Dimension::ALL.len()],
            });
        visit.pageviews += pv;
        visit.first = visit.first.min(ts);
        visit.last = visit.last.max(ts);
        self.visitors.insert(visitor);
        let day = self.starts.partition_point(|&s| s <= ts) - 1;
        self.day_pageviews[day] += pv;
        self.day_visitors.insert((day, visitor));
        if !self.breakdowns {
            return;
        }
        for (d, dimension) in Dimension::ALL.into_iter().enumerate() {
            let id = batch.ids[d][i];
            if !counted(dimension, id, pageview) {
                continue;
            }
            let pageviews = &mut self.pageviews[d];
            if pageviews.len() <= id as usize {
                pageviews.resize(id as usize + 1, 0);
            }
            pageviews[id as usize] += pv;
            if visit.counted[d] != id {
                if visit.counted[d] != id {
                    visit.counted[d] = id;
                }
                self.pairs.insert((d as u32, id, visitor));
            }
        }
    }

    fn finish(self, counts: &mut Counts, values: &mut [Vec<(i64, i64)>]) {
        counts.totals.add(&Totals {
            pageviews: self.visits.values().map(|v| v.pageviews).sum(),
            visitors: self.visitors.len() as i64,
            visits: self.visits.len() as i64,
            bounces: self.visits.values().filter(|v| v.pageviews == 1).count() as i64,
            duration_ms: self.visits.values().map(|v| v.last - v.first).sum(),
        });
        for (day, pageviews) in self.day_pageviews.iter().enumerate() {
            counts.days[day].0 += pageviews;
        }
        for (day, _) in &self.day_visitors {
            counts.days[*day].1 += 1;
        }
        for (d, pageviews) in self.pageviews.iter().enumerate() {
            grow(&mut values[d], pageviews.len());
            for (id, pv) in pageviews.iter().enumerate() {
                values[d][id].0 += pv;
            }
        }
        for (d, id, _) in self.pairs {
            let values = &mut values[d as usize];
            grow(values, id as usize + 1);
            values[id as usize].1 += 1;
        }
    }
}

fn grow(values: &mut Vec<(i64, i64)>, len: usize) {
    if values.len() < len {
        values.resize(len, (0, 0));
    }
}

/// Pageviews, first and last event of a visit's two halves around the midnight.
#[derive(Clone, Copy, Default)]
struct Halves {
    pageviews_before: i64,
    pageviews_after: i64,
    last_before: Option<i64>,
    first_after: Option<i64>,
}

/// What the events of the seam's window share across the midnight.
struct SeamTally {
    midnight: i64,
    from: i64,
    to: i64,
    visits: FxHashMap<(i64, i64), Halves>,
    /// Per visitor: seen before, seen after.
    visitors: FxHashMap<i64, (bool, bool)>,
    /// Per (dimension, value id, visitor): seen before, seen after.
    values: FxHashMap<(u32, u32, i64), (bool, bool)>,
}

impl SeamTally {
    fn new(midnight: i64, from: i64, to: i64) -> Self {
        SeamTally {
            midnight,
            from,
            to,
            visits: FxHashMap::default(),
            visitors: FxHashMap::default(),
            values: FxHashMap::default(),
        }
    }

    fn event(&mut self, batch: &Batch, i: usize, breakdowns: bool) {
        let ts = batch.ts[i];
        if !(self.from..self.to).contains(&ts) {
            return;
        }
        let (visitor, pageview) = (batch.visitor[i], batch.pageview[i] != 0);
        let before = ts < self.midnight;
        let halves = self.visits.entry((batch.visit[i], visitor)).or_default();
        if before {
            halves.pageviews_before += i64::from(pageview);
            halves.last_before = halves.last_before.max(Some(ts));
        } else {
            halves.pageviews_after += i64::from(pageview);
            halves.first_after = Some(halves.first_after.map_or(ts, |t| t.min(ts)));
        }
        let side = |seen: &mut (bool, bool)| {
            if before {
                seen.0 = true;
            } else {
                seen.1 = true;
            }
        };
        side(self.visitors.entry(visitor).or_default());
        if breakdowns {
            for (d, dimension) in Dimension::ALL.into_iter().enumerate() {
                let id = batch.ids[d][i];
                if counted(dimension, id, pageview) {
                    side(self.values.entry((d as u32, id, visitor)).or_default());
                }
            }
        }
    }

    fn finish(self, counts: &mut Counts, dictionaries: &[Dictionary], breakdowns: bool) {
        let mut carry = Carry::default();
        for halves in self.visits.values() {
            let (Some(last_before), Some(first_after)) = (halves.last_before, halves.first_after)
            else {
                continue;
            };
            let (before, after) = (halves.pageviews_before, halves.pageviews_after);
            carry.visits += 1;
            carry.bounces +=
                i64::from(before == 1) + i64::from(after == 1) - i64::from(before + after == 1);
            carry.duration_ms += first_after - last_before;
        }
        carry.visitors = self.visitors.values().filter(|&&(b, a)| b && a).count() as i64;
        counts.carry = carry;
        if breakdowns {
            let mut shared: Vec<FxHashMap<String, i64>> =
                vec![FxHashMap::default(); Dimension::ALL.len()];
            for ((d, id, _), (before, after)) in self.values {
                if before && after {
                    let name = dictionaries[d as usize].name(id).unwrap_or_default();
                    *shared[d as usize].entry(name.to_owned()).or_default() += 1;
                }
            }
            counts.shared = shared;
        }
    }
}
