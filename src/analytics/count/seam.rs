//! What the events around a local midnight inside a UTC day share across it:
//! the visitors seen on both sides, the visits crossing it, and per value the
//! visitors seen with it on both sides.

use rustc_hash::FxHashMap;

use super::totals::Carry;
use super::{
    Counts,
    day::counted,
    fetch::{Batch, Dictionary},
    slot,
};
use crate::analytics::request::Dimension;

/// Interactions (`Visit::interactions`), first and last event of a visit's
/// two halves around the midnight.
#[derive(Clone, Copy, Default)]
struct Halves {
    interactions_before: i64,
    interactions_after: i64,
    last_before: Option<i64>,
    first_after: Option<i64>,
}

/// What the events of the seam's window share across the midnight.
#[derive(Clone)]
pub(super) struct SeamCounter {
    midnight: i64,
    from: i64,
    to: i64,
    visits: FxHashMap<(i64, i64), Halves>,
    /// Per visitor: seen before, seen after.
    visitors: FxHashMap<i64, (bool, bool)>,
    /// Per (slot, value id, visitor): seen before, seen after.
    values: FxHashMap<(u32, u32, i64), (bool, bool)>,
}

impl SeamCounter {
    pub fn new(midnight: i64, from: i64, to: i64) -> Self {
        SeamCounter {
            midnight,
            from,
            to,
            visits: FxHashMap::default(),
            visitors: FxHashMap::default(),
            values: FxHashMap::default(),
        }
    }

    pub fn event(&mut self, batch: &Batch, i: usize, breakdowns: bool) {
        let ts = batch.ts[i];
        if !(self.from..self.to).contains(&ts) {
            return;
        }
        let (visitor, pageview) = (batch.visitor[i], batch.is_pageview(i));
        let interaction = i64::from(batch.interacts(i));
        let before = ts < self.midnight;
        let halves = self.visits.entry((batch.visit[i], visitor)).or_default();
        if before {
            halves.interactions_before += interaction;
            halves.last_before = halves.last_before.max(Some(ts));
        } else {
            halves.interactions_after += interaction;
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
            for &id in &batch.props[i] {
                side(
                    self.values
                        .entry((slot::PROP as u32, id, visitor))
                        .or_default(),
                );
            }
        }
    }

    pub fn finish(self, counts: &mut Counts, dictionaries: &[Dictionary], breakdowns: bool) {
        let mut carry = Carry::default();
        for halves in self.visits.values() {
            let (Some(last_before), Some(first_after)) = (halves.last_before, halves.first_after)
            else {
                continue;
            };
            let (before, after) = (halves.interactions_before, halves.interactions_after);
            carry.visits += 1;
            carry.bounces +=
                i64::from(before == 1) + i64::from(after == 1) - i64::from(before + after == 1);
            carry.duration_ms += first_after - last_before;
        }
        carry.visitors = self.visitors.values().filter(|&&(b, a)| b && a).count() as i64;
        counts.carry = carry;
        if breakdowns {
            let mut shared: Vec<FxHashMap<String, i64>> = vec![FxHashMap::default(); slot::COUNT];
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
