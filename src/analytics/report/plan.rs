//! A `Plan`: a range of local days, each to be read from its rollup (whole, or
//! for a report with one filter, that value's slice) or from raw events. Its
//! `Part`s are a rolled-up day or a run of other days (today, days the job has
//! not reached). Neighbouring parts add up less what they share across the
//! midnight between them: the carry a rolled-up day stored, or, where a raw run
//! follows a rolled-up day, the same carry counted from the raw events.

use std::sync::Arc;

use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use super::{
    TOP,
    rolled::{self, RolledDay, Rollups},
};
use crate::analytics::{
    count::{self, DayStore, KeptCounts, Stretch, TopValue, Totals, Values, slot},
    request::{DateRange, Filters},
};

pub(super) struct Plan {
    site: Uuid,
    range: DateRange,
    /// The range's day starts (see `DateRange::day_starts`).
    starts: Vec<i64>,
    /// Per day of the range, its rollup if it has one in the site's time zone.
    rolled: Vec<Option<RolledDay>>,
}

#[derive(Clone, Copy, Debug)]
enum Part<'a> {
    /// Day `.0` of the range, and its rollup.
    Rolled(usize, &'a RolledDay),
    /// Days `from..to` of the range.
    Raw { from: usize, to: usize },
}

/// A range's numbers: its parts counted and joined.
pub(crate) struct Figures {
    pub totals: Totals,
    /// (pageviews, visitors) per day of the range.
    pub days: Vec<(i64, i64)>,
    /// Per slot up to `slot::PROP`, its top values.
    pub breakdowns: Vec<Vec<TopValue>>,
    /// Per page, the engagement its pageviews reported: (sum of deepest
    /// scroll, pageviews reporting) and (sum of engaged ms, pageviews reporting).
    pub scroll: Values,
    pub engaged: Values,
}

impl Plan {
    /// Loads the range's rollups of the kind asked for; days without one are
    /// read from raw events.
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        site: Uuid,
        tz: chrono_tz::Tz,
        range: DateRange,
        rollups: Rollups<'_>,
    ) -> Result<Plan, DbErr> {
        Ok(Plan {
            site,
            range,
            starts: range.day_starts(tz),
            rolled: rolled::days(db, site, tz.name(), range, rollups).await?,
        })
    }

    fn parts(&self) -> Vec<Part<'_>> {
        let mut parts = Vec::new();
        let mut i = 0;
        while i < self.rolled.len() {
            if let Some(day) = &self.rolled[i] {
                parts.push(Part::Rolled(i, day));
                i += 1;
            } else {
                let from = i;
                while i < self.rolled.len() && self.rolled[i].is_none() {
                    i += 1;
                }
                parts.push(Part::Raw { from, to: i });
            }
        }
        parts
    }

    /// Totals and days, and with `breakdowns` the top values of every
    /// dimension, over all parts: neighbouring parts add up less what they
    /// share across the midnight between them.
    pub async fn count<C: ConnectionTrait>(
        &self,
        db: &C,
        filters: &Filters,
        breakdowns: bool,
        kept: &KeptCounts,
        packs: Option<&Arc<dyn DayStore>>,
    ) -> Result<Figures, DbErr> {
        let starts = &self.starts;
        let mut totals = Totals::default();
        let mut days = vec![(0, 0); self.rolled.len()];
        let mut merged = vec![Values::default(); if breakdowns { slot::COUNT } else { 0 }];
        let add = |merged: &mut [Values], d: usize, value: String, pageviews, visitors| {
            if let Some(values) = merged.get_mut(d) {
                let entry = values.entry(value).or_default();
                entry.0 += pageviews;
                entry.1 += visitors;
            }
        };
        for part in self.parts() {
            match part {
                Part::Rolled(i, day) => {
                    totals.add(&day.counts.totals);
                    if i > 0 {
                        totals.join(&day.counts.carry);
                    }
                    days[i] = (day.counts.totals.pageviews, day.counts.totals.visitors);
                }
                Part::Raw { from, to } => {
                    // A raw run after the range's first day follows a
                    // rolled-up day: their carry is counted from raw events.
                    let seam = (from > 0)
                        .then(|| count::seam(starts[from], starts[from - 1], starts[from + 1]))
                        .flatten();
                    let stretch = Stretch {
                        site: self.site,
                        filters,
                        starts: &starts[from..=to],
                        seam,
                        breakdowns,
                        kept: Some(kept),
                        packs,
                    };
                    let counts = count::count(db, &stretch).await?;
                    totals.add(&counts.totals);
                    totals.join(&counts.carry);
                    days[from..to].copy_from_slice(&counts.days);
                    for (d, values) in counts.values.into_iter().enumerate() {
                        for (value, (pageviews, visitors)) in values {
                            add(&mut merged, d, value, pageviews, visitors);
                        }
                    }
                    for (d, shared) in counts.shared.into_iter().enumerate() {
                        for (value, visitors) in shared {
                            add(&mut merged, d, value, 0, -visitors);
                        }
                    }
                }
            }
        }
        if breakdowns && self.rolled.iter().any(Option::is_some) {
            let rows = rolled::values(db, self.site, self.range.start, &self.rolled).await?;
            for (param, value, pageviews, visitors, engaged) in rows {
                if engaged.pageviews > 0 {
                    add(
                        &mut merged,
                        slot::SCROLL,
                        value.clone(),
                        engaged.scroll,
                        engaged.pageviews,
                    );
                    add(
                        &mut merged,
                        slot::ENGAGED,
                        value.clone(),
                        engaged.ms,
                        engaged.pageviews,
                    );
                }
                // Engagement rides on its page's row, never on rows of its own.
                if let Some(s) = slot::of(&param).filter(|s| *s < slot::SCROLL) {
                    add(&mut merged, s, value, pageviews, visitors);
                }
            }
        }
        let mut engagement = merged.split_off(merged.len().min(slot::SCROLL));
        let engaged = engagement.pop().unwrap_or_default();
        let scroll = engagement.pop().unwrap_or_default();
        Ok(Figures {
            totals,
            days,
            breakdowns: merged.into_iter().map(top).collect(),
            scroll,
            engaged,
        })
    }
}

/// The top values by visitors, then pageviews, then byte order (so both
/// databases agree whatever their collation); values with nothing left out.
fn top(values: Values) -> Vec<TopValue> {
    let mut rows: Vec<TopValue> = values
        .into_iter()
        .filter(|(_, (pageviews, visitors))| *visitors > 0 || *pageviews > 0)
        .map(|(value, (pageviews, visitors))| TopValue {
            value,
            pageviews,
            visitors,
        })
        .collect();
    rows.sort_unstable_by(|a, b| {
        (b.visitors, b.pageviews)
            .cmp(&(a.visitors, a.pageviews))
            .then_with(|| a.value.cmp(&b.value))
    });
    rows.truncate(TOP);
    rows
}
