//! A UTC day's events read from a store kept column by column (the Stats
//! engine's packed days, handed in by whoever builds the `Reports`: this
//! layer does not know the engine) instead of the events table. Filters the
//! rollups cannot slice by (a page pattern, `contains`, several at once, a
//! custom property) are tested here, once per distinct value, so a filtered
//! month reads packs rather than millions of rows through SQL.

use futures::future::BoxFuture;
use rustc_hash::FxHashMap;
use sea_orm::{DbErr, IdenStatic};
use uuid::Uuid;

use super::fetch::{Batch, Dictionary, prop_ids};
use crate::{
    analytics::request::{Dimension, Filters, Match, PropFilter},
    entities::event,
    glob::Glob,
};

/// One text column of a day: its distinct values (`None` for SQL's NULL)
/// and each event's code into them.
#[derive(Clone, Debug, Default)]
pub struct Coded {
    pub dict: Vec<Option<String>>,
    pub codes: Vec<u32>,
}

/// A UTC day's (or a part's) events, column by column, in any order.
#[derive(Debug, Default)]
pub struct DayColumns {
    pub ts: Vec<i64>,
    /// Equal numbers, equal visitor (or visit), within the day.
    pub visitor: Vec<u32>,
    pub visit: Vec<u32>,
    pub interactive: Vec<bool>,
    pub scroll: Vec<Option<i16>>,
    pub engaged: Vec<Option<i64>>,
    /// The text columns asked for.
    pub texts: Vec<(event::Column, Coded)>,
}

impl DayColumns {
    fn text(&self, column: event::Column) -> Option<&Coded> {
        self.texts
            .iter()
            .find(|(c, _)| c.as_str() == column.as_str())
            .map(|(_, coded)| coded)
    }
}

/// Where whole UTC days of events may be read instead of the events table.
pub trait DayStore: Send + Sync {
    /// The site's events in `window` (within one UTC day), with `columns`
    /// (`columns` says which); `None` when the store does not hold that day.
    fn day<'a>(
        &'a self,
        site: Uuid,
        window: (i64, i64),
        columns: &'a [event::Column],
    ) -> BoxFuture<'a, Result<Option<DayColumns>, DbErr>>;
}

/// The columns a count under `filters` reads.
pub(super) fn columns(filters: &Filters, breakdowns: bool) -> Vec<event::Column> {
    use event::Column as C;
    let mut columns = vec![C::Ts, C::VisitorId, C::VisitId, C::Interactive, C::Name];
    if breakdowns {
        columns.extend([C::ScrollDepth, C::EngagedMs]);
    }
    let mut add = |column: event::Column| {
        if !columns.iter().any(|c| c.as_str() == column.as_str()) {
            columns.push(column);
        }
    };
    for filter in filters.iter() {
        add(filter.dimension.column());
    }
    if !filters.props().is_empty() || breakdowns {
        add(event::Column::Props);
    }
    if breakdowns {
        for dimension in Dimension::ALL {
            add(dimension.column());
        }
    }
    columns
}

/// The events of `day` that pass `filters`, as the SQL path would fetch
/// them; `None` when a column they need is missing. Visitors and visits
/// get ids of `utc_day`'s own, apart from any other day's.
pub(super) fn batch(
    day: &DayColumns,
    utc_day: i64,
    filters: &Filters,
    breakdowns: bool,
    fold: Fold,
    dictionaries: &mut [Dictionary],
) -> Option<Batch> {
    let names = day.text(event::Column::Name)?;
    let mut tests: Vec<(&[u32], Vec<bool>)> = Vec::new();
    for filter in filters.iter() {
        let coded = day.text(filter.dimension.column())?;
        let glob: Vec<Glob> = match filter.op {
            Match::Glob => filter.values.iter().map(|v| Glob::new(v)).collect(),
            _ => Vec::new(),
        };
        let passes = coded
            .dict
            .iter()
            .map(|value| passes(filter.op, &filter.values, &glob, fold, value.as_deref()))
            .collect();
        tests.push((&coded.codes, passes));
    }
    if !filters.props().is_empty() {
        let props = day.text(event::Column::Props)?;
        let passes = props
            .dict
            .iter()
            .map(|object| {
                filters
                    .props()
                    .iter()
                    .all(|filter| prop_passes(filter, fold, object.as_deref()))
            })
            .collect();
        tests.push((&props.codes, passes));
    }
    let kept: Vec<usize> = (0..day.ts.len())
        .filter(|&i| {
            tests
                .iter()
                .all(|(codes, passes)| passes[codes[i] as usize])
        })
        .collect();
    // Ids no other day's can equal: a day's number above its dense ids.
    let base = (utc_day / super::DAY_MS) << 32;
    let pageview = names
        .dict
        .iter()
        .position(|n| n.as_deref() == Some("pageview"));
    let kind = |i: usize| {
        if Some(names.codes[i] as usize) == pageview {
            Batch::PAGEVIEW
        } else if day.interactive[i] {
            Batch::INTERACTION
        } else {
            Batch::QUIET
        }
    };
    let mut batch = Batch {
        ts: kept.iter().map(|&i| day.ts[i]).collect(),
        visitor: kept
            .iter()
            .map(|&i| base + i64::from(day.visitor[i]))
            .collect(),
        visit: kept
            .iter()
            .map(|&i| base + i64::from(day.visit[i]))
            .collect(),
        kind: kept.iter().map(|&i| kind(i)).collect(),
        ..Batch::default()
    };
    if !breakdowns {
        return Some(batch);
    }
    for (d, dimension) in Dimension::ALL.into_iter().enumerate() {
        let coded = day.text(dimension.column())?;
        let dictionary = &mut dictionaries[d];
        let ids: Vec<u32> = coded
            .dict
            .iter()
            .map(|value| dictionary.id_of(value.as_deref()))
            .collect();
        batch
            .ids
            .push(kept.iter().map(|&i| ids[coded.codes[i] as usize]).collect());
    }
    let props = day.text(event::Column::Props)?;
    let dictionary = &mut dictionaries[Dimension::ALL.len()];
    let ids: Vec<Vec<u32>> = props
        .dict
        .iter()
        .map(|object| {
            object
                .as_deref()
                .map_or_else(Vec::new, |p| prop_ids(p, dictionary))
        })
        .collect();
    batch.props = kept
        .iter()
        .map(|&i| ids[props.codes[i] as usize].clone())
        .collect();
    batch.scroll = kept
        .iter()
        .map(|&i| day.scroll.get(i).copied().flatten().map(i64::from))
        .collect();
    batch.engaged = kept
        .iter()
        .map(|&i| day.engaged.get(i).copied().flatten())
        .collect();
    Some(batch)
}

/// How `contains` ignores case, as the database's `lower(…) LIKE` does:
/// SQLite folds ASCII letters only, PostgreSQL every letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fold {
    Ascii,
    Unicode,
}

impl Fold {
    pub fn of(backend: sea_orm::DbBackend) -> Fold {
        match backend {
            sea_orm::DbBackend::Sqlite => Fold::Ascii,
            _ => Fold::Unicode,
        }
    }
}

/// Whether a value passes one filter as SQL tests it: NULL is no value, so
/// only `is not` keeps it.
fn passes(op: Match, values: &[String], globs: &[Glob], fold: Fold, value: Option<&str>) -> bool {
    match (op, value) {
        (Match::IsNot, None) => true,
        (_, None) => false,
        (Match::Is, Some(v)) => values.iter().any(|x| x == v),
        (Match::IsNot, Some(v)) => !values.iter().any(|x| x == v),
        (Match::Contains, Some(v)) => {
            // The pattern is lowered in full (`Filter::condition`).
            let v = match fold {
                Fold::Ascii => v.to_ascii_lowercase(),
                Fold::Unicode => v.to_lowercase(),
            };
            values.iter().any(|x| v.contains(&x.to_lowercase()))
        }
        (Match::Glob, Some(v)) => globs.iter().any(|g| g.matches(v)),
    }
}

/// Whether a stored properties object passes a property filter.
fn prop_passes(filter: &PropFilter, fold: Fold, object: Option<&str>) -> bool {
    // A property filter has no pattern of its own; SQL reads one as contains.
    let op = match filter.op {
        Match::Glob => Match::Contains,
        op => op,
    };
    let value = object
        .and_then(|o| serde_json::from_str::<FxHashMap<String, serde_json::Value>>(o).ok())
        .and_then(|mut map| map.remove(&filter.key))
        .and_then(|v| v.as_str().map(str::to_owned));
    passes(op, &filter.values, &[], fold, value.as_deref())
}
