//! A range of local days split by how each is answered: a rolled-up day from its
//! rollup rows, a run of other days (today, or days the job has not reached)
//! from raw events. Neighbouring blocks add up less what they share across the
//! midnight between them: the carry a rolled-up day stored, or, where a raw run
//! follows a rolled-up day, the same carry computed from the raw events.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    filters::{Dimension, Filters},
    period::{DateRange, DayBounds},
    raw::{self, Carry, Counted, Scope, Totals},
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

    fn is_raw(&self) -> bool {
        self.rolled.iter().all(Option::is_none)
    }

    fn scope<'a>(&self, from: usize, to: usize, filters: &'a Filters) -> Scope<'a> {
        Scope {
            site: self.site,
            from: self.bounds.starts[from],
            to: self.bounds.starts[to],
            filters,
        }
    }

    /// Where a raw day follows a rolled-up day inside one UTC day: the
    /// midnight and the seam's events, whose carry must be computed from raw
    /// events (a rolled-up day brings its own).
    fn live_seams<'a>(
        &'a self,
        filters: &'a Filters,
    ) -> impl Iterator<Item = (i64, Scope<'a>)> + 'a {
        let starts = &self.bounds.starts;
        (1..self.rolled.len())
            .filter(|&i| self.rolled[i].is_none() && self.rolled[i - 1].is_some())
            .filter_map(move |i| {
                raw::seam(starts[i], starts[i - 1], starts[i + 1]).map(|(from, to)| {
                    let scope = Scope {
                        site: self.site,
                        from,
                        to,
                        filters,
                    };
                    (starts[i], scope)
                })
            })
    }

    pub async fn totals<C: ConnectionTrait>(
        &self,
        db: &C,
        filters: &Filters,
    ) -> Result<Totals, DbErr> {
        let mut totals = Totals::default();
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
                }
                Block::Raw { from, to } => {
                    totals.add(&raw::totals(db, &self.scope(from, to, filters)).await?);
                }
            }
        }
        for (midnight, scope) in self.live_seams(filters) {
            totals.join(&raw::carry(db, &scope, midnight).await?);
        }
        Ok(totals)
    }

    /// (pageviews, visitors) per day of the range.
    pub async fn daily<C: ConnectionTrait>(
        &self,
        db: &C,
        filters: &Filters,
    ) -> Result<Vec<(i64, i64)>, DbErr> {
        let mut days = vec![(0, 0); self.rolled.len()];
        for block in self.blocks() {
            match block {
                Block::Rolled(i, day) => days[i] = (day.pageviews, day.visitors),
                Block::Raw { from, to } => {
                    let bounds = DayBounds {
                        starts: self.bounds.starts[from..=to].to_vec(),
                    };
                    let scope = self.scope(from, to, filters);
                    for (day, pageviews, visitors) in raw::daily(db, &scope, &bounds).await? {
                        if let Some(slot) = usize::try_from(day)
                            .ok()
                            .and_then(|d| days.get_mut(from + d))
                        {
                            *slot = (pageviews, visitors);
                        }
                    }
                }
            }
        }
        Ok(days)
    }

    /// The top values of `dimension`, by visitors, then pageviews, then byte
    /// order (the same on both databases, whatever their collation).
    pub async fn breakdown<C: ConnectionTrait>(
        &self,
        db: &C,
        dimension: Dimension,
        filters: &Filters,
    ) -> Result<Vec<Counted>, DbErr> {
        let mut rows = if self.is_raw() {
            let scope = self.scope(0, self.rolled.len(), filters);
            raw::breakdown(db, &scope, dimension, Some(TOP as u64)).await?
        } else {
            self.merged_breakdown(db, dimension, filters).await?
        };
        rows.retain(|r| r.visitors > 0 || r.pageviews > 0);
        rows.sort_by(|a, b| {
            (b.visitors, b.pageviews)
                .cmp(&(a.visitors, a.pageviews))
                .then_with(|| a.key.cmp(&b.key))
        });
        rows.truncate(TOP);
        Ok(rows)
    }

    /// Every value's counts over all blocks, less the visitors they share.
    async fn merged_breakdown<C: ConnectionTrait>(
        &self,
        db: &C,
        dimension: Dimension,
        filters: &Filters,
    ) -> Result<Vec<Counted>, DbErr> {
        let mut merged: HashMap<String, (i64, i64)> = HashMap::new();
        let mut add = |key: String, pageviews: i64, visitors: i64| {
            let entry = merged.entry(key).or_default();
            entry.0 += pageviews;
            entry.1 += visitors;
        };
        for row in self.rolled_values(db, dimension).await? {
            add(row.key, row.pageviews, row.visitors);
        }
        for block in self.blocks() {
            if let Block::Raw { from, to } = block {
                let scope = self.scope(from, to, filters);
                for row in raw::breakdown(db, &scope, dimension, None).await? {
                    add(row.key, row.pageviews, row.visitors);
                }
            }
        }
        for (midnight, scope) in self.live_seams(filters) {
            for (key, shared) in raw::value_carry(db, &scope, dimension, midnight).await? {
                add(key, 0, -shared);
            }
        }
        Ok(merged
            .into_iter()
            .map(|(key, (pageviews, visitors))| Counted {
                key,
                pageviews,
                visitors,
            })
            .collect())
    }

    /// The rolled-up days' values of `dimension`, summed, less each day's
    /// carry unless the day opens the range.
    async fn rolled_values<C: ConnectionTrait>(
        &self,
        db: &C,
        dimension: Dimension,
    ) -> Result<Vec<Counted>, DbErr> {
        let days: Vec<_> = self.rolled.iter().flatten().map(|d| d.day).collect();
        let select = |days: Vec<chrono::NaiveDate>| {
            rollup_value::Entity::find()
                .select_only()
                .column(rollup_value::Column::Value)
                .filter(rollup_value::Column::SiteId.eq(self.site))
                .filter(rollup_value::Column::Dimension.eq(dimension.param()))
                .filter(rollup_value::Column::Day.is_in(days))
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
                .into_tuple::<(String, i64, i64)>()
                .all(db),
            select(carried)
                .column_as(Expr::cust("CAST(SUM(carry_visitors) AS BIGINT)"), "carried")
                .filter(rollup_value::Column::CarryVisitors.gt(0))
                .into_tuple::<(String, i64)>()
                .all(db),
        )?;
        let carries: HashMap<String, i64> = carries.into_iter().collect();
        Ok(sums
            .into_iter()
            .map(|(key, pageviews, visitors)| Counted {
                visitors: visitors - carries.get(&key).copied().unwrap_or(0),
                key,
                pageviews,
            })
            .collect())
    }
}
