//! One window of events fetched as a single row of JSON arrays, one array per
//! column: the driver's cost per row (high on SQLite, whose rows cross from its
//! thread one at a time) is paid once, and most strings parse without a copy.

use std::{borrow::Cow, fmt};

use rustc_hash::FxHashMap;
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, IdenStatic, QuerySelect, QueryTrait, sea_query::Expr,
};
use serde::{
    Deserialize, Deserializer,
    de::{self, DeserializeSeed, SeqAccess},
};
use uuid::Uuid;

use super::selection::Selection;
use crate::analytics::request::{Dimension, Filters};

/// ts, visitor id, visit id, pageview flag, then `Dimension::ALL`'s columns.
const FIXED: usize = 4;

/// The first and last event time in `from..to`: a range's empty days (before a
/// site's first event, after now) cost nothing, and a day's windows split
/// its events, not its hours. Two queries, as each can stop at the first
/// match along the `(site_id, ts)` index.
pub(super) async fn extent<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    filters: &Filters,
    from: i64,
    to: i64,
) -> Result<Option<(i64, i64)>, DbErr> {
    let selection = Selection {
        site,
        from,
        to,
        filters,
    };
    let (first, last) = tokio::try_join!(
        selection.aggregate(db, "MIN(ts)"),
        selection.aggregate(db, "MAX(ts)")
    )?;
    Ok(first.zip(last))
}

/// The number of the site's events in `from..to`, filters aside.
pub(super) async fn number<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    from: i64,
    to: i64,
) -> Result<u64, DbErr> {
    let none = Filters::default();
    let selection = Selection {
        site,
        from,
        to,
        filters: &none,
    };
    let number = selection.aggregate(db, "COUNT(*)").await?;
    Ok(number.unwrap_or(0).max(0) as u64)
}

/// The text of one window's arrays.
pub(super) struct Columns(Vec<String>);

pub(super) async fn columns<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    filters: &Filters,
    breakdowns: bool,
    (from, to): (i64, i64),
) -> Result<Columns, DbErr> {
    let backend = db.get_database_backend();
    let array = |column: &str| match backend {
        DbBackend::Postgres => format!("COALESCE(CAST(json_agg({column}) AS TEXT), '[]')"),
        _ => format!("json_group_array({column})"),
    };
    let mut expressions = vec![
        array("ts"),
        array("visitor_id"),
        array("visit_id"),
        array("CASE WHEN name = 'pageview' THEN 1 ELSE 0 END"),
    ];
    // Totals and days need no values.
    if breakdowns {
        for dimension in Dimension::ALL {
            expressions.push(array(dimension.column().as_str()));
        }
    }
    let selection = Selection {
        site,
        from,
        to,
        filters,
    };
    let mut select = selection.select().select_only();
    for (i, expression) in expressions.iter().enumerate() {
        select = select.column_as(Expr::cust(expression.clone()), format!("c{i}"));
    }
    let row = db
        .query_one_raw(select.build(backend))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("events".into()))?;
    (0..expressions.len())
        .map(|i| row.try_get_by_index::<String>(i))
        .collect::<Result<_, _>>()
        .map(Columns)
}

/// Each dimension's values numbered as they are first met, so counting works
/// on small integers and each string is hashed once per event, while parsing.
#[derive(Clone)]
pub(super) struct Dictionary {
    ids: FxHashMap<String, u32>,
    names: Vec<Option<String>>,
}

impl Dictionary {
    /// Null (a missing country) is always id 0.
    pub const NULL: u32 = 0;
    /// The empty string is always id 1.
    pub const EMPTY: u32 = 1;

    pub fn new() -> Self {
        Dictionary {
            ids: FxHashMap::from_iter([(String::new(), Self::EMPTY)]),
            names: vec![None, Some(String::new())],
        }
    }

    pub fn name(&self, id: u32) -> Option<&str> {
        self.names.get(id as usize).and_then(|n| n.as_deref())
    }

    /// Numbers `name`, which must not be numbered yet.
    pub fn push(&mut self, name: &str) -> u32 {
        let id = self.names.len() as u32;
        self.ids.insert(name.to_owned(), id);
        self.names.push(Some(name.to_owned()));
        id
    }

    fn id(&mut self, text: Option<Cow<'_, str>>) -> u32 {
        let Some(text) = text else {
            return Self::NULL;
        };
        if let Some(&id) = self.ids.get(text.as_ref()) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(text.clone().into_owned(), id);
        self.names.push(Some(text.into_owned()));
        id
    }
}

/// A window's events, column by column; dimension values as dictionary ids
/// (none when only totals and days are counted).
pub(super) struct Batch {
    pub ts: Vec<i64>,
    pub visitor: Vec<i64>,
    pub visit: Vec<i64>,
    pub pageview: Vec<u8>,
    /// Per dimension of `Dimension::ALL`, per event.
    pub ids: Vec<Vec<u32>>,
}

impl Batch {
    pub fn parse(columns: &Columns, dictionaries: &mut [Dictionary]) -> Result<Self, DbErr> {
        fn array<'a, T: Deserialize<'a>>(text: &'a str) -> Result<Vec<T>, DbErr> {
            serde_json::from_str(text).map_err(malformed)
        }
        let text = &columns.0;
        let mut ids = Vec::with_capacity(dictionaries.len());
        for (text, dictionary) in text[FIXED..].iter().zip(dictionaries.iter_mut()) {
            let mut json = serde_json::Deserializer::from_str(text);
            ids.push(
                Interned(dictionary)
                    .deserialize(&mut json)
                    .map_err(malformed)?,
            );
            json.end().map_err(malformed)?;
        }
        let batch = Batch {
            ts: array(&text[0])?,
            visitor: array(&text[1])?,
            visit: array(&text[2])?,
            pageview: array(&text[3])?,
            ids,
        };
        let n = batch.ts.len();
        let same = [batch.visitor.len(), batch.visit.len(), batch.pageview.len()]
            .into_iter()
            .chain(batch.ids.iter().map(Vec::len))
            .all(|len| len == n);
        if !same || !(batch.ids.is_empty() || batch.ids.len() == Dimension::ALL.len()) {
            return Err(DbErr::Type("event columns of unequal length".into()));
        }
        Ok(batch)
    }

    pub fn len(&self) -> usize {
        self.ts.len()
    }
}

fn malformed(e: serde_json::Error) -> DbErr {
    DbErr::Type(format!("event columns: {e}"))
}

/// A JSON array of strings or nulls, read into dictionary ids.
struct Interned<'d>(&'d mut Dictionary);

impl<'de> DeserializeSeed<'de> for Interned<'_> {
    type Value = Vec<u32>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<u32>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> de::Visitor<'de> for Interned<'_> {
    type Value = Vec<u32>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of strings")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u32>, A::Error> {
        let mut ids = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Text(text)) = seq.next_element::<Text<'de>>()? {
            ids.push(self.0.id(text));
        }
        Ok(ids)
    }
}

/// A JSON string or null, borrowed when it holds no escapes.
struct Text<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or null")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}
