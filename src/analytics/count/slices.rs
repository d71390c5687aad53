//! A stretch counted whole and, from the same read of its events, once per
//! slice: for each value a dashboard filter can ask for, the same counts over
//! only the events with that value. A filter keeps an event when its column
//! equals the value, whatever else its visit holds, so a slice is exactly what
//! the filtered report would read. Each slice is counted by the report's own
//! `Progress`, on a copy of its events with values numbered afresh, so counting
//! it costs its own size rather than the dictionaries'.

use rustc_hash::FxHashMap;
use sea_orm::{ConnectionTrait, DbErr};

use super::{
    Counts, Progress, Stretch,
    fetch::{Batch, Dictionary},
    slot,
};
use crate::analytics::request::Dimension;

/// The counts of one filter value's events.
pub(crate) struct Slice {
    pub dimension: Dimension,
    pub value: String,
    pub counts: Counts,
}

/// Counts `stretch` (unfiltered, with breakdowns) and every slice of it.
pub(crate) async fn count_sliced<C: ConnectionTrait>(
    db: &C,
    stretch: &Stretch<'_>,
) -> Result<(Counts, Vec<Slice>), DbErr> {
    let Some((first, last)) = stretch.extent(db, false).await? else {
        return Ok((
            Progress::new(stretch, stretch.reach().0).finish(stretch),
            Vec::new(),
        ));
    };
    let mut whole = Progress::new(stretch, first);
    let mut batches = Vec::new();
    whole
        .advance(db, stretch, last + 1, Some(&mut batches))
        .await?;
    let mut slices = Vec::new();
    for (d, dimension) in Dimension::ALL.into_iter().enumerate() {
        // Per value id, its events as (batch, event), batches in time order.
        let mut groups: FxHashMap<u32, Vec<(u32, u32)>> = FxHashMap::default();
        for (b, (_, batch)) in batches.iter().enumerate() {
            for (i, &id) in batch.ids[d].iter().enumerate() {
                if askable(dimension, id)
                    && (dimension != Dimension::Event || !batch.is_pageview(i))
                {
                    groups.entry(id).or_default().push((b as u32, i as u32));
                }
            }
        }
        for (id, events) in groups {
            let mut progress = Progress::new(stretch, first);
            let mut numbers = Renumbering::default();
            for run in events.chunk_by(|a, b| a.0 == b.0) {
                let (utc_day, batch) = &batches[run[0].0 as usize];
                let subset = numbers.subset(
                    batch,
                    run.iter().map(|&(_, i)| i as usize),
                    &whole.dictionaries,
                    &mut progress.dictionaries,
                );
                progress.feed(stretch, *utc_day, &subset, 0..subset.len());
            }
            slices.push(Slice {
                dimension,
                value: whole.dictionaries[d]
                    .name(id)
                    .unwrap_or_default()
                    .to_owned(),
                counts: progress.finish(stretch),
            });
        }
    }
    Ok((whole.finish(stretch), slices))
}

/// Whether a filter can ask for this value: never a missing one (a country),
/// an empty one only where empty means something (direct, no campaign), and
/// never `pageview` as an event name (`Filters::set`).
fn askable(dimension: Dimension, id: u32) -> bool {
    id != Dictionary::NULL && (id != Dictionary::EMPTY || dimension.allows_empty())
}

/// A slice's value ids: per dimension and for the properties, the stretch's
/// id to the slice's own.
#[derive(Default)]
struct Renumbering(Vec<FxHashMap<u32, u32>>);

impl Renumbering {
    fn subset(
        &mut self,
        batch: &Batch,
        events: impl Iterator<Item = usize> + Clone,
        global: &[Dictionary],
        local: &mut [Dictionary],
    ) -> Batch {
        self.0.resize_with(slot::PROP + 1, FxHashMap::default);
        let mut renumber = |d: usize, id: u32| match id {
            Dictionary::NULL | Dictionary::EMPTY => id,
            id => *self.0[d]
                .entry(id)
                .or_insert_with(|| local[d].push(global[d].name(id).unwrap_or_default())),
        };
        let ids = (0..batch.ids.len())
            .map(|d| {
                events
                    .clone()
                    .map(|i| renumber(d, batch.ids[d][i]))
                    .collect()
            })
            .collect();
        let props = if batch.props.is_empty() {
            Vec::new()
        } else {
            events
                .clone()
                .map(|i| {
                    batch.props[i]
                        .iter()
                        .map(|&id| renumber(slot::PROP, id))
                        .collect()
                })
                .collect()
        };
        fn pick<T: Copy>(column: &[T], events: impl Iterator<Item = usize>) -> Vec<T> {
            if column.is_empty() {
                return Vec::new();
            }
            events.map(|i| column[i]).collect()
        }
        Batch {
            ts: pick(&batch.ts, events.clone()),
            visitor: pick(&batch.visitor, events.clone()),
            visit: pick(&batch.visit, events.clone()),
            kind: pick(&batch.kind, events.clone()),
            ids,
            scroll: pick(&batch.scroll, events.clone()),
            engaged: pick(&batch.engaged, events.clone()),
            props,
        }
    }
}
