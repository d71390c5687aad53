//! A range of local days split by how each is answered: a rolled-up day from its
//! rollup rows (or, for a report with one filter, from its slice for that
//! value), a run of other days (today, or days the job has not reached) from
//! raw events. Neighbouring blocks add up less what they share across the
//! midnight between them: the carry a rolled-up day stored, or, where a raw run
//! follows a rolled-up day, the same carry computed from the raw events.

use chrono::NaiveDate;
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
use crate::{
    entities::{rollup_day, rollup_slice, rollup_value},
    rollup::slices::{parse_breakdowns, value_hash},
};

/// Lists are cut here (SPEC §6).
pub(crate) const TOP: usize = 100;

/// Which rollups a report reads.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Rollups<'a> {
    /// None: every day from raw events.
    None,
    /// Whole days, for an unfiltered report.
    Days,
    /// One filter value's slices of the days.
    Slice(Dimension, &'a str),
}

/// A rolled-up day as a report reads it: all its events, or one slice's.
#[derive(Clone, Debug)]
pub(crate) struct RolledDay {
    day: NaiveDate,
    totals: Totals,
    carry: Carry,
    /// A slice's breakdowns as stored; a whole day's are in `rollup_values`.
    breakdowns: Option<String>,
}

impl RolledDay {
    fn new(
        day: NaiveDate,
        [pageviews, visitors, visits, bounces, duration_ms]: [i64; 5],
        [
            carry_visitors,
            carry_visits,
            carry_bounces,
            carry_duration_ms,
        ]: [i64; 4],
        breakdowns: Option<String>,
    ) -> Self {
        RolledDay {
            day,
            totals: Totals {
                pageviews,
                visitors,
                visits,
                bounces,
                duration_ms,
            },
            carry: Carry {
                visitors: carry_visitors,
                visits: carry_visits,
                bounces: carry_bounces,
                duration_ms: carry_duration_ms,
            },
            breakdowns,
        }
    }

    fn whole(r: rollup_day::Model) -> Self {
        let totals = [r.pageviews, r.visitors, r.visits, r.bounces, r.duration_ms];
        let carry = [
            r.carry_visitors,
            r.carry_visits,
            r.carry_bounces,
            r.carry_duration_ms,
        ];
        RolledDay::new(r.day, totals, carry, None)
    }

    fn slice(r: rollup_slice::Model) -> Self {
        let totals = [r.pageviews, r.visitors, r.visits, r.bounces, r.duration_ms];
        let carry = [
            r.carry_visitors,
            r.carry_visits,
            r.carry_bounces,
            r.carry_duration_ms,
        ];
        RolledDay::new(r.day, totals, carry, Some(r.breakdowns))
    }

    /// A sliced day without the value: none of its events had it.
    fn empty_slice(day: NaiveDate) -> Self {
        RolledDay {
            day,
            totals: Totals::default(),
            carry: Carry::default(),
            breakdowns: Some("[]".into()),
        }
    }
}

pub(crate) struct Span {
    pub site: Uuid,
    pub range: DateRange,
    pub bounds: DayBounds,
    /// Per day of the range, its rollup if it has one in the site's time zone.
    pub rolled: Vec<Option<RolledDay>>,
}

#[derive(Clone, Copy, Debug)]
enum Block<'a> {
    /// Day `.0` of the range, and its rollup.
    Rolled(usize, &'a RolledDay),
    /// Days `from..to` of the range.
    Raw { from: usize, to: usize },
}

impl Span {
    /// Loads the range's rollups of the kind asked for; days without one are
    /// read from raw events.
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        site: Uuid,
        timezone: &str,
        range: DateRange,
        bounds: DayBounds,
        rollups: Rollups<'_>,
    ) -> Result<Span, DbErr> {
        let mut rolled = vec![None; range.days() as usize];
        let days = rollup_day::Entity::find()
            .filter(rollup_day::Column::SiteId.eq(site))
            .filter(rollup_day::Column::Day.between(range.start, range.end))
            .filter(rollup_day::Column::Timezone.eq(timezone));
        let mut place = |day: RolledDay| {
            let index = (day.day - range.start).num_days() as usize;
            if let Some(slot) = rolled.get_mut(index) {
                *slot = Some(day);
            }
        };
        match rollups {
            Rollups::None => {}
            Rollups::Days => {
                for row in days.all(db).await? {
                    place(RolledDay::whole(row));
                }
            }
            Rollups::Slice(dimension, value) => {
                let sliced = days
                    .filter(rollup_day::Column::Sliced.eq(true))
                    .select_only()
                    .column(rollup_day::Column::Day)
                    .into_tuple::<NaiveDate>();
                let slices = rollup_slice::Entity::find()
                    .filter(rollup_slice::Column::SiteId.eq(site))
                    .filter(rollup_slice::Column::Dimension.eq(dimension.param()))
                    .filter(rollup_slice::Column::ValueHash.eq(value_hash(value)))
                    .filter(rollup_slice::Column::Value.eq(value))
                    .filter(rollup_slice::Column::Day.between(range.start, range.end));
                let (sliced, slices) = tokio::try_join!(sliced.all(db), slices.all(db))?;
                let mut slices: std::collections::HashMap<NaiveDate, rollup_slice::Model> =
                    slices.into_iter().map(|row| (row.day, row)).collect();
                for day in sliced {
                    place(match slices.remove(&day) {
                        Some(row) => RolledDay::slice(row),
                        None => RolledDay::empty_slice(day),
                    });
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
                    totals.add(&day.totals);
                    if i > 0 {
                        totals.join(&day.carry);
                    }
                    days[i] = (day.totals.pageviews, day.totals.visitors);
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
        let mut add = |param: &str, value: String, pageviews: i64, visitors: i64| {
            let slot = Dimension::ALL.iter().position(|d| d.param() == param);
            if let Some(values) = slot.and_then(|d| merged.get_mut(d)) {
                let entry = values.entry(value).or_default();
                entry.0 += pageviews;
                entry.1 += visitors;
            }
        };
        // A sliced span's days carry their own values.
        if self.rolled.iter().flatten().any(|d| d.breakdowns.is_some()) {
            for day in self.rolled.iter().flatten() {
                let Some(breakdowns) = day.breakdowns.as_deref() else {
                    continue;
                };
                let opens = day.day == self.range.start;
                for row in parse_breakdowns(breakdowns)? {
                    let carried = if opens { 0 } else { row.4 };
                    add(&row.0, row.1, row.2, row.3 - carried);
                }
            }
            return Ok(());
        }
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
