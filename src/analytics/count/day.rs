//! One UTC day's events counted: visits, visitors, days, and each dimension's
//! (value, visitor) pairs. Visitor ids never repeat across UTC days, so days'
//! distinct counts add up.

use rustc_hash::{FxHashMap, FxHashSet};

use super::totals::Totals;
use super::{
    Counts,
    fetch::{Batch, Dictionary},
    slot,
};
use crate::analytics::request::Dimension;

/// Whether a breakdown of `dimension` counts an event: pages count pageviews
/// only, event names custom events only; an empty value is left out except
/// for referrers, where it is direct traffic, and countries, where only a
/// missing one is.
pub(super) fn counted(dimension: Dimension, id: u32, pageview: bool) -> bool {
    match dimension {
        Dimension::Page => pageview,
        Dimension::Event => !pageview,
        Dimension::Referrer => true,
        Dimension::Country => id != Dictionary::NULL,
        _ => id != Dictionary::NULL && id != Dictionary::EMPTY,
    }
}

/// What an event adds to its value's first count: a page and the other
/// dimensions count pageviews, an event name and a property count events.
fn tally(dimension: Dimension, pageview: bool) -> i64 {
    i64::from(pageview || dimension == Dimension::Event)
}

/// No value yet.
const UNSET: u32 = u32::MAX;

#[derive(Clone)]
struct Visit {
    pageviews: i64,
    /// Pageviews and interactive custom events: with one, the visit bounced.
    interactions: i64,
    first: i64,
    last: i64,
    /// Per dimension, the value whose (value, visitor) pair this visit has
    /// already counted: the values of a visit's events rarely change, so most
    /// events skip the pair set.
    counted: [u32; Dimension::ALL.len()],
}

/// One UTC day's part of the stretch.
#[derive(Clone)]
pub(super) struct DayCounter {
    starts: Vec<i64>,
    breakdowns: bool,
    visits: FxHashMap<(i64, i64), Visit>,
    visitors: FxHashSet<i64>,
    day_pageviews: Vec<i64>,
    day_visitors: FxHashSet<(usize, i64)>,
    /// Per slot up to `slot::PROP`, per value id.
    pageviews: Vec<Vec<i64>>,
    /// (slot, value id, visitor) seen.
    pairs: FxHashSet<(u32, u32, i64)>,
    /// Per page id: pageviews reporting engagement, their scroll and engaged sums.
    engagement: Vec<(i64, i64, i64)>,
}

impl DayCounter {
    pub fn new(starts: &[i64], breakdowns: bool) -> Self {
        DayCounter {
            starts: starts.to_vec(),
            breakdowns,
            visits: FxHashMap::default(),
            visitors: FxHashSet::default(),
            day_pageviews: vec![0; starts.len() - 1],
            day_visitors: FxHashSet::default(),
            pageviews: vec![Vec::new(); slot::PROP + 1],
            pairs: FxHashSet::default(),
            engagement: Vec::new(),
        }
    }

    pub fn event(&mut self, batch: &Batch, i: usize) {
        let (ts, visitor, pageview) = (batch.ts[i], batch.visitor[i], batch.is_pageview(i));
        let pv = i64::from(pageview);
        let visit = self
            .visits
            .entry((batch.visit[i], visitor))
            .or_insert(Visit {
                pageviews: 0,
                interactions: 0,
                first: ts,
                last: ts,
                counted: [UNSET; Dimension::ALL.len()],
            });
        visit.pageviews += pv;
        visit.interactions += i64::from(batch.interacts(i));
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
            grow(pageviews, id as usize + 1);
            pageviews[id as usize] += tally(dimension, pageview);
            if visit.counted[d] != id {
                visit.counted[d] = id;
                self.pairs.insert((d as u32, id, visitor));
            }
        }
        for &id in &batch.props[i] {
            let pageviews = &mut self.pageviews[slot::PROP];
            grow(pageviews, id as usize + 1);
            pageviews[id as usize] += 1;
            self.pairs.insert((slot::PROP as u32, id, visitor));
        }
        if let (true, Some(scroll)) = (pageview, batch.scroll[i]) {
            let page = batch.ids[Dimension::Page as usize][i] as usize;
            grow(&mut self.engagement, page + 1);
            let entry = &mut self.engagement[page];
            entry.0 += 1;
            entry.1 += scroll;
            entry.2 += batch.engaged[i].unwrap_or(0);
        }
    }

    pub fn finish(self, counts: &mut Counts, values: &mut [Vec<(i64, i64)>]) {
        counts.totals.add(&Totals {
            pageviews: self.visits.values().map(|v| v.pageviews).sum(),
            visitors: self.visitors.len() as i64,
            visits: self.visits.len() as i64,
            bounces: self.visits.values().filter(|v| v.interactions == 1).count() as i64,
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
        for (page, &(reported, scroll, engaged)) in self.engagement.iter().enumerate() {
            for (s, sum) in [(slot::SCROLL, scroll), (slot::ENGAGED, engaged)] {
                grow(&mut values[s], page + 1);
                values[s][page].0 += sum;
                values[s][page].1 += reported;
            }
        }
    }
}

/// Per-id vectors grow as the dictionaries do.
fn grow<T: Clone + Default>(values: &mut Vec<T>, len: usize) {
    if values.len() < len {
        values.resize(len, T::default());
    }
}
