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

use super::{Carry, Counts, Engaged, Totals, slot};

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

/// One breakdown row of a slice: `[dimension, value, pageviews, visitors,
/// carry visitors]`, and on a page's row with engagement three more numbers
/// (pageviews reporting it, scroll sum, engaged ms sum).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SliceValue {
    /// The slot's parameter (`slot::param`).
    pub param: String,
    pub value: String,
    pub pageviews: i64,
    pub visitors: i64,
    pub carried: i64,
    pub engaged: Engaged,
}

impl Serialize for SliceValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let engaged = self.engaged != Engaged::default();
        let mut seq = serializer.serialize_seq(Some(if engaged { 8 } else { 5 }))?;
        seq.serialize_element(&self.param)?;
        seq.serialize_element(&self.value)?;
        for n in [self.pageviews, self.visitors, self.carried] {
            seq.serialize_element(&n)?;
        }
        if engaged {
            for n in [self.engaged.pageviews, self.engaged.scroll, self.engaged.ms] {
                seq.serialize_element(&n)?;
            }
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for SliceValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Row;
        impl<'de> serde::de::Visitor<'de> for Row {
            type Value = SliceValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a slice row of 5 or 8 elements")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<SliceValue, A::Error> {
                let missing = |i| serde::de::Error::invalid_length(i, &self);
                let param = seq.next_element()?.ok_or_else(|| missing(0))?;
                let value = seq.next_element()?.ok_or_else(|| missing(1))?;
                let pageviews = seq.next_element()?.ok_or_else(|| missing(2))?;
                let visitors = seq.next_element()?.ok_or_else(|| missing(3))?;
                let carried = seq.next_element()?.ok_or_else(|| missing(4))?;
                let mut engaged = Engaged::default();
                if let Some(pageviews) = seq.next_element()? {
                    engaged.pageviews = pageviews;
                    engaged.scroll = seq.next_element()?.ok_or_else(|| missing(6))?;
                    engaged.ms = seq.next_element()?.ok_or_else(|| missing(7))?;
                }
                Ok(SliceValue {
                    param,
                    value,
                    pageviews,
                    visitors,
                    carried,
                    engaged,
                })
            }
        }
        deserializer.deserialize_seq(Row)
    }
}

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
        .filter(|row| with_props || row.slot != slot::PROP)
        .map(|row| SliceValue {
            param: slot::param(row.slot).to_owned(),
            value: row.value.to_owned(),
            pageviews: row.pageviews,
            visitors: row.visitors,
            carried: row.carried,
            engaged: row.engaged,
        })
        .collect();
    serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into())
}

/// A stored slice's breakdowns.
pub(crate) fn parse_slice_breakdowns(text: &str) -> Result<Vec<SliceValue>, DbErr> {
    serde_json::from_str(text).map_err(|e| DbErr::Type(format!("slice breakdowns: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_rows_carry_engagement_only_where_there_is_some() {
        let plain = SliceValue {
            param: "referrer".into(),
            value: "t.co".into(),
            pageviews: 3,
            visitors: 2,
            carried: 1,
            engaged: Engaged::default(),
        };
        let page = SliceValue {
            param: "page".into(),
            value: "/a".into(),
            engaged: Engaged {
                pageviews: 2,
                scroll: 150,
                ms: 9_000,
            },
            ..plain_like()
        };
        fn plain_like() -> SliceValue {
            SliceValue {
                param: String::new(),
                value: String::new(),
                pageviews: 4,
                visitors: 3,
                carried: 0,
                engaged: Engaged::default(),
            }
        }
        let text = serde_json::to_string(&[&plain, &page]).unwrap();
        assert_eq!(
            text,
            r#"[["referrer","t.co",3,2,1],["page","/a",4,3,0,2,150,9000]]"#
        );
        assert_eq!(parse_slice_breakdowns(&text).unwrap(), vec![plain, page]);
        assert!(parse_slice_breakdowns(r#"[["page","/a",1,1]]"#).is_err());
        assert!(parse_slice_breakdowns(r#"[["page","/a",1,1,0,2]]"#).is_err());
    }
}
