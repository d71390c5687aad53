//! The rows of a rolled-up day's slices (see `tally::count_sliced`): one per
//! filter value, its breakdowns as one JSON text of
//! `[dimension, value, pageviews, visitors, carry visitors]` rows.

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    analytics::tally::{Counts, Slice},
    entities::rollup_slice,
};

/// Rows per INSERT, inside both databases' parameter limits.
const CHUNK: usize = 500;

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

/// A slice's breakdowns, as stored.
pub(crate) fn breakdowns(counts: &Counts) -> String {
    let rows: Vec<SliceValue> = counts
        .value_rows()
        .map(|(dimension, value, pageviews, visitors, carried)| {
            SliceValue(
                dimension.param().to_owned(),
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
pub(crate) fn parse_breakdowns(text: &str) -> Result<Vec<SliceValue>, DbErr> {
    serde_json::from_str(text).map_err(|e| DbErr::Type(format!("slice breakdowns: {e}")))
}

pub(super) async fn insert<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    day: NaiveDate,
    slices: &[Slice],
) -> Result<(), DbErr> {
    let mut rows: Vec<_> = slices
        .iter()
        .map(|slice| {
            let (totals, carry) = (&slice.counts.totals, &slice.counts.carry);
            rollup_slice::ActiveModel {
                site_id: Set(site),
                day: Set(day),
                dimension: Set(slice.dimension.param().to_owned()),
                value_hash: Set(value_hash(&slice.value)),
                value: Set(slice.value.clone()),
                pageviews: Set(totals.pageviews),
                visitors: Set(totals.visitors),
                visits: Set(totals.visits),
                bounces: Set(totals.bounces),
                duration_ms: Set(totals.duration_ms),
                carry_visitors: Set(carry.visitors),
                carry_visits: Set(carry.visits),
                carry_bounces: Set(carry.bounces),
                carry_duration_ms: Set(carry.duration_ms),
                breakdowns: Set(breakdowns(&slice.counts)),
                ..Default::default()
            }
        })
        .collect();
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(CHUNK));
        rollup_slice::Entity::insert_many(std::mem::replace(&mut rows, rest))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
