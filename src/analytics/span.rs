//! A range of local days split by how each is answered: a rolled-up day from its
//! rollup rows, a run of other days (today, or days the job has not reached)
//! from raw events. Neighbouring blocks add up less what they share across the
//! midnight between them: the carry a rolled-up day stored, or, where a raw run
//! follows a rolled-up day, the same carry computed from the raw events.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    filters::{Dimension, Filters},
    period::{DateRange, DayBounds},
    raw::{self, Carry, Counted, Totals},
    tally::{self, Stretch, Values},
};
use crate::entities::{rollup_day, rollup_value};

/// Lists are cut here (SPEC §6).
pub(crate) const TOP: usize = 100;

pub(crate) struct Span {
    pub site: Uuid,
    pub range: DateRange,
    pub bounds: DayBounds,
    /// Per day of the range, its rollup if it has one in the site's time zone.
    pub rolled: Vec<Option<rollup_day::Model>>,
}

#[derive(Clone, Copy, Debug)]
enum Block<'a> {
    /// Day `.0` of the range, and its rollup.
    Rolled(usize, &'a rollup_day::Model),
    /// Days `from..to` of the range.
    Raw { from: usize, to: usize },
}

impl Span {
    /// Loads the range's rollups; `use_rollups` false (or any filter, which
    /// rollups cannot answer) reads every day from raw events.
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        site: Uuid,
        timezone: &str,
        range: DateRange,
        bounds: DayBounds,
        use_rollups: bool,
    ) -> Result<Span, DbErr> {
        let mut rolled = vec![None; range.days() as usize];
        if use_rollups {
            let rows = rollup_day::Entity::find()
                .filter(rollup_day::Column::SiteId.eq(site))
                .filter(rollup_day::Column::Day.between(range.start, range.end))
                .filter(rollup_day::Column::Timezone.eq(timezone))
                .all(db)
                .await?;
            for row in rows {
                let index = (row.day - range.start).num_days() as usize;
                if let Some(slot) = rolled.get_mut(index) {
                    *slot = Some(row);
                }
            }
        }
        Ok(Span {
            site,
            range,
            bounds,
            rolled,
        })
    }

    fn blocks(&self) -> Vec<Block<'_>> {
        let mut blocks = Vec::new();
        let mut i = 0;
        while i < self.rolled.len() {
            if let Some(day) = &self.rolled[i] {
                blocks.push(Block::Rolled(i, day));
                i += 1;
            } else {
                let from = i;
                while i < self.rolled.len() && self.rolled[i].is_none() {
                    i += 1;
                }
                blocks.push(Block::Raw { from, to: i });
            }
        }
        blocks
    }

    /// Totals and days, and with `breakdowns` the top values of every
    /// dimension, over all blocks: neighbouring blocks add up less what they
    /// share across the midnight between them.
    pub async fn count<C: ConnectionTrait>(
        &self,
        db: &C,
        filters: &Filters,
        breakdowns: bool,
    ) -> Result<SpanCounts, DbErr> {
        let starts = &self.bounds.starts;
        let mut totals = Totals::default();
        let mut days = vec![(0, 0); self.rolled.len()];
        let mut merged = vec![Values::default(); if breakdowns { Dimension::ALL.len() } else { 0 }];
        for block in self.blocks() {
            match block {
                Block::Rolled(i, day) => {
                    totals.add(&Totals {
                        pageviews: day.pageviews,
                        visitors: day.visitors,
                        visits: day.visits,
                        bounces: day.bounces,
                        duration_ms: day.duration_ms,
                    });
                    if i > 0 {
                        totals.join(&Carry {
                            visitors: day.carry_visitors,
                            visits: day.carry_visits,
                            bounces: day.carry_bounces,
                            duration_ms: day.carry_duration_ms,
                        });
                    }
                    days[i] = (day.pageviews, day.visitors);
                }
                Block::Raw { from, to } => {
                    // A raw block after the range's first day follows a
                    // rolled-up day: their carry is counted from raw events.
                    let seam = (from > 0)
                        .then(|| raw::seam(starts[from], starts[from - 1], starts[from + 1]))
                        .flatten();
                    let stretch = Stretch {
                        site: self.site,
                        filters,
                        starts: &starts[from..=to],
                        seam,
                        breakdowns,
                        keep: true,
                    };
                    let counts = tally::count(db, &stretch).await?;
                    totals.add(&counts.totals);
                    totals.join(&counts.carry);
                    days[from..to].copy_from_slice(&counts.days);
                    for (merged, values) in merged.iter_mut().zip(counts.values) {
                        for (value, (pageviews, visitors)) in values {
                            let entry = merged.entry(value).or_default();
                            entry.0 += pageviews;
                            entry.1 += visitors;
                        }
                    }
                    for (merged, shared) in merged.iter_mut().zip(counts.shared) {
                        for (value, visitors) in shared {
                            merged.entry(value).or_default().1 -= visitors;
                        }
                    }
                }
            }
        }
        if breakdowns && self.rolled.iter().any(Option::is_some) {
            self.add_rolled_values(db, &mut merged).await?;
        }
        Ok(SpanCounts {
            totals,
            days,
            breakdowns: merged.into_iter().map(top).collect(),
        })
    }

    /// Adds the rolled-up days' values of every dimension, less each day's
    /// carry unless the day opens the range.
    async fn add_rolled_values<C: ConnectionTrait>(
        &self,
        db: &C,
        merged: &mut [Values],
    ) -> Result<(), DbErr> {
        let days: Vec<_> = self.rolled.iter().flatten().map(|d| d.day).collect();
        let select = |days: Vec<chrono::NaiveDate>| {
            rollup_value::Entity::find()
                .select_only()
                .column(rollup_value::Column::Dimension)
                .column(rollup_value::Column::Value)
                .filter(rollup_value::Column::SiteId.eq(self.site))
                .filter(rollup_value::Column::Day.is_in(days))
                .group_by(rollup_value::Column::Dimension)
                .group_by(rollup_value::Column::Value)
        };
        let carried: Vec<_> = days
            .iter()
            .copied()
            .filter(|d| *d != self.range.start)
            .collect();
        let (sums, carries) = tokio::try_join!(
            select(days)
                .column_as(Expr::cust("CAST(SUM(pageviews) AS BIGINT)"), "pageviews")
                .column_as(Expr::cust("CAST(SUM(visitors) AS BIGINT)"), "visitors")
                .into_tuple::<(String, String, i64, i64)>()
                .all(db),
            select(carried)
                .column_as(Expr::cust("CAST(SUM(carry_visitors) AS BIGINT)"), "carried")
                .filter(rollup_value::Column::CarryVisitors.gt(0))
                .into_tuple::<(String, String, i64)>()
                .all(db),
        )?;
        let mut add = |param: &str, value: String, pageviews: i64, visitors: i64| {
            let slot = Dimension::ALL.iter().position(|d| d.param() == param);
            if let Some(values) = slot.and_then(|d| merged.get_mut(d)) {
                let entry = values.entry(value).or_default();
                entry.0 += pageviews;
                entry.1 += visitors;
            }
        };
        for (dimension, value, pageviews, visitors) in sums {
            add(&dimension, value, pageviews, visitors);
        }
        for (dimension, value, carried) in carries {
            add(&dimension, value, 0, -carried);
        }
        Ok(())
    }
}

/// A span's numbers: see `Span::count`.
pub(crate) struct SpanCounts {
    pub totals: Totals,
    pub days: Vec<(i64, i64)>,
    /// Per dimension in `Dimension::ALL` order, its top values.
    pub breakdowns: Vec<Vec<Counted>>,
}

/// The top values by visitors, then pageviews, then byte order (so both
/// databases agree whatever their collation); values with nothing left out.
fn top(values: Values) -> Vec<Counted> {
    let mut rows: Vec<Counted> = values
        .into_iter()
        .filter(|(_, (pageviews, visitors))| *visitors > 0 || *pageviews > 0)
        .map(|(key, (pageviews, visitors))| Counted {
            key,
            pageviews,
            visitors,
        })
        .collect();
    rows.sort_unstable_by(|a, b| {
        (b.visitors, b.pageviews)
            .cmp(&(a.visitors, a.pageviews))
            .then_with(|| a.key.cmp(&b.key))
    });
    rows.truncate(TOP);
    rows
}
