//! Counts as the rollup tables store them, read back by reports and written by
//! the rollup job: one definition of the row, so the two can never disagree.
//!
//! - `Rolled`: a day's (or a slice's) totals and carry, in the columns that
//!   `rollup_days` and `rollup_slices` share.
//! - A slice's breakdowns: one JSON text of
//!   `[dimension, value, pageviews, visitors, carry visitors]` rows.
//! - `value_hash`: the index key of a slice's value.

use sea_orm::{ActiveModelTrait, DbErr, EntityTrait, FromQueryResult, QueryResult};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Carry, Counts, Totals, slot};

/// The columns of a rolled-up day's counts, in `Rolled::values` order.
const COLUMNS: [&str; 9] = [
    "pageviews",
    "visitors",
    "visits",
    "bounces",
    "duration_ms",
    "carry_visitors",
    "carry_visits",
    "carry_bounces",
    "carry_duration_ms",
];

/// A rolled-up day's counts: its totals, and what it shares with the day before.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rolled {
    pub totals: Totals,
    pub carry: Carry,
}

impl Rolled {
    pub fn of(counts: &Counts) -> Self {
        Rolled {
            totals: counts.totals,
            carry: counts.carry,
        }
    }

    fn values(&self) -> [i64; 9] {
        let (t, c) = (&self.totals, &self.carry);
        [
            t.pageviews,
            t.visitors,
            t.visits,
            t.bounces,
            t.duration_ms,
            c.visitors,
            c.visits,
            c.bounces,
            c.duration_ms,
        ]
    }

    fn from_values(
        [
            pageviews,
            visitors,
            visits,
            bounces,
            duration_ms,
            carry_visitors,
            carry_visits,
            carry_bounces,
            carry_duration_ms,
        ]: [i64; 9],
    ) -> Self {
        Rolled {
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
        }
    }

    /// Sets the counts' columns of a rollup row about to be written.
    pub fn set_on<A>(&self, row: &mut A) -> Result<(), DbErr>
    where
        A: ActiveModelTrait,
        <A::Entity as EntityTrait>::Column: std::str::FromStr,
    {
        for (name, value) in COLUMNS.into_iter().zip(self.values()) {
            let column = name
                .parse()
                .map_err(|_| DbErr::Custom(format!("rollup table lacks column {name}")))?;
            row.try_set(column, value.into())?;
        }
        Ok(())
    }
}

impl FromQueryResult for Rolled {
    fn from_query_result(row: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        let mut values = [0; 9];
        for (value, name) in values.iter_mut().zip(COLUMNS) {
            *value = row.try_get(pre, name)?;
        }
        Ok(Rolled::from_values(values))
    }
}

/// One breakdown row of a slice.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SliceValue(
    /// The dimension's query parameter.
    pub String,
    pub String,
    /// Pageviews, visitors, and visitors shared with the day before.
    pub i64,
    pub i64,
    pub i64,
);

/// A value's index key: the same in every process and on both databases.
pub(crate) fn value_hash(value: &str) -> i64 {
    let digest = Sha256::digest(value.as_bytes());
    i64::from_le_bytes(digest[..8].try_into().unwrap_or_default())
}

/// A slice's breakdowns, as stored; properties only in an event's slice, the
/// one report that shows them.
pub(crate) fn slice_breakdowns(counts: &Counts, with_props: bool) -> String {
    let rows: Vec<SliceValue> = counts
        .value_rows()
        .filter(|&(s, ..)| with_props || s != slot::PROP)
        .map(|(s, value, pageviews, visitors, carried)| {
            SliceValue(
                slot::param(s).to_owned(),
                value.to_owned(),
                pageviews,
                visitors,
                carried,
            )
        })
        .collect();
    serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into())
}

/// A stored slice's breakdowns.
pub(crate) fn parse_slice_breakdowns(text: &str) -> Result<Vec<SliceValue>, DbErr> {
    serde_json::from_str(text).map_err(|e| DbErr::Type(format!("slice breakdowns: {e}")))
}
