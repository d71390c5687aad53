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

/// ts, visitor id, visit id, kind (`Batch::kind`); then, with breakdowns,
/// `Dimension::ALL`'s columns and the `EXTRA` ones.
const FIXED: usize = 4;
/// Scroll depth, engaged time, custom properties.
const EXTRA: usize = 3;

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
        array(&format!(
            "CASE WHEN name = 'pageview' THEN {} WHEN interactive THEN {} ELSE {} END",
            Batch::PAGEVIEW,
            Batch::INTERACTION,
            Batch::QUIET
        )),
    ];
    // Totals and days need no values.
    if breakdowns {
        for dimension in Dimension::ALL {
            expressions.push(array(dimension.column().as_str()));
        }
        for column in ["scroll_depth", "engaged_ms", "props"] {
            expressions.push(array(column));
        }
    }
    let selection = Selection {
        site,
        from,
        to,
        filters,
    };
    let mut select = selection.select(backend).select_only();
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

    pub fn id_of(&mut self, text: Option<&str>) -> u32 {
        self.id(text.map(Cow::Borrowed))
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
#[derive(Default)]
pub(super) struct Batch {
    pub ts: Vec<i64>,
    pub visitor: Vec<i64>,
    pub visit: Vec<i64>,
    /// `PAGEVIEW`, `INTERACTION` (a custom event) or `QUIET` (a custom event
    /// sent as non-interactive).
    pub kind: Vec<u8>,
    /// Per dimension of `Dimension::ALL`, per event.
    pub ids: Vec<Vec<u32>>,
    /// Per event, with breakdowns: its pageview's deepest scroll and engaged
    /// time, once reported.
    pub scroll: Vec<Option<i64>>,
    pub engaged: Vec<Option<i64>>,
    /// Per event, with breakdowns: its custom properties as ids of the
    /// properties' dictionary (`slot::PROP`), each "key\u{1f}value".
    pub props: Vec<Vec<u32>>,
}

impl Batch {
    pub const QUIET: u8 = 0;
    pub const PAGEVIEW: u8 = 1;
    pub const INTERACTION: u8 = 2;

    pub fn is_pageview(&self, i: usize) -> bool {
        self.kind[i] == Self::PAGEVIEW
    }

    /// Whether the event keeps its visit from bouncing, with another one.
    pub fn interacts(&self, i: usize) -> bool {
        self.kind[i] != Self::QUIET
    }

    pub fn parse(columns: &Columns, dictionaries: &mut [Dictionary]) -> Result<Self, DbErr> {
        fn array<'a, T: Deserialize<'a>>(text: &'a str) -> Result<Vec<T>, DbErr> {
            serde_json::from_str(text).map_err(malformed)
        }
        let text = &columns.0;
        let dimensions = Dimension::ALL.len();
        let breakdowns = text.len() > FIXED;
        if breakdowns
            && (text.len() != FIXED + dimensions + EXTRA || dictionaries.len() <= dimensions)
        {
            return Err(DbErr::Type("event columns: unexpected shape".into()));
        }
        let mut ids = Vec::with_capacity(dimensions);
        let columns = if breakdowns {
            &text[FIXED..FIXED + dimensions]
        } else {
            &[]
        };
        for (text, dictionary) in columns.iter().zip(dictionaries.iter_mut()) {
            let mut json = serde_json::Deserializer::from_str(text);
            ids.push(
                Interned(dictionary)
                    .deserialize(&mut json)
                    .map_err(malformed)?,
            );
            json.end().map_err(malformed)?;
        }
        let mut batch = Batch {
            ts: array(&text[0])?,
            visitor: array(&text[1])?,
            visit: array(&text[2])?,
            kind: array(&text[3])?,
            ids,
            ..Batch::default()
        };
        if breakdowns {
            let extra = FIXED + dimensions;
            batch.scroll = array(&text[extra])?;
            batch.engaged = array(&text[extra + 1])?;
            let props: Vec<Option<Cow<'_, str>>> = array(&text[extra + 2])?;
            let dictionary = &mut dictionaries[dimensions];
            batch.props = props
                .iter()
                .map(|props| {
                    props
                        .as_deref()
                        .map_or_else(Vec::new, |p| prop_ids(p, dictionary))
                })
                .collect();
        }
        let n = batch.ts.len();
        let extras = [batch.scroll.len(), batch.engaged.len(), batch.props.len()];
        let same = [batch.visitor.len(), batch.visit.len(), batch.kind.len()]
            .into_iter()
            .chain(batch.ids.iter().map(Vec::len))
            .chain(extras.into_iter().filter(|_| breakdowns))
            .all(|len| len == n);
        if !same {
            return Err(DbErr::Type("event columns of unequal length".into()));
        }
        Ok(batch)
    }

    pub fn len(&self) -> usize {
        self.ts.len()
    }
}

/// A stored properties object's pairs as ids; a value that is not an object
/// of strings (never written so) counts as no properties.
pub(super) fn prop_ids(text: &str, dictionary: &mut Dictionary) -> Vec<u32> {
    let Ok(pairs) = serde_json::from_str::<FxHashMap<Cow<'_, str>, Cow<'_, str>>>(text) else {
        return Vec::new();
    };
    let mut ids: Vec<u32> = pairs
        .iter()
        .map(|(key, value)| dictionary.id(Some(Cow::Owned(prop_pair(key, value)))))
        .collect();
    ids.sort_unstable();
    ids
}

/// One property as a breakdown value: key and value around a separator no
/// key can hold (beacons refuse control characters).
pub(crate) fn prop_pair(key: &str, value: &str) -> String {
    format!("{key}\u{1f}{value}")
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
