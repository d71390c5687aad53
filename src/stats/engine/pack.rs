//! Closed UTC days stored again column by column (`event_packs`), so the
//! Stats API reads a day as a few blobs in the shape it counts (`Day`)
//! instead of a hundred thousand rows: a text column is its dictionary and a
//! code per event in as few bytes as the dictionary needs, a timestamp four
//! bytes past the day's start. A query reads only the columns it uses.
//!
//! A day is packed once no event can still reach it (the rollup job's
//! grace), all its columns in one statement; its pack goes when its raw
//! events go. Raw events stay the truth: a day without a whole pack is read
//! from them.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IdenStatic, QueryFilter,
    QuerySelect, sea_query::OnConflict,
};
use uuid::Uuid;

use super::{
    DAY_MS,
    bytes::{Reader, put_codes, put_u32},
    day::{Day, TEXTS, Text, text_slot},
    fetch::fetch,
};
use crate::entities::{event, event_pack};

/// Every column a pack holds: all a query can read.
pub(crate) fn columns() -> Vec<event::Column> {
    use event::Column as C;
    let mut all = vec![
        C::Ts,
        C::VisitorId,
        C::VisitId,
        C::Interactive,
        C::ScrollDepth,
        C::EngagedMs,
    ];
    all.extend(TEXTS);
    all
}

const TS: u8 = 1;
const DENSE: u8 = 2;
const FLAGS: u8 = 3;
const TEXT: u8 = 4;
const NUMBERS: u8 = 5;

/// Packs `site`'s UTC day starting at `day` (Unix ms) from its raw events;
/// returns how many it holds. A pack already there is kept: a day's events
/// no longer change once it is packed.
pub async fn pack_day<C: ConnectionTrait>(db: &C, site: Uuid, day: i64) -> Result<u64, DbErr> {
    let columns = columns();
    let events = fetch(db, site, (day, day + DAY_MS), &columns, Vec::new())
        .await?
        .by_visitor();
    let rows: Vec<event_pack::ActiveModel> = columns
        .iter()
        .map(|&column| event_pack::ActiveModel {
            site_id: Set(site),
            day: Set(day),
            field: Set(column.as_str().to_owned()),
            data: Set(encode(&events, column, day)),
        })
        .collect();
    event_pack::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                event_pack::Column::SiteId,
                event_pack::Column::Day,
                event_pack::Column::Field,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(events.len() as u64)
}

/// The window `[from, to)` (inside one UTC day) from the day's pack, or
/// `None` when the day has no whole pack.
pub(super) async fn read<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    (from, to): (i64, i64),
    columns: &[event::Column],
) -> Result<Option<Day>, DbErr> {
    let day = from - from.rem_euclid(DAY_MS);
    let names: Vec<&str> = columns.iter().map(|c| c.as_str()).collect();
    let stored: Vec<(String, Vec<u8>)> = event_pack::Entity::find()
        .select_only()
        .column(event_pack::Column::Field)
        .column(event_pack::Column::Data)
        .filter(event_pack::Column::SiteId.eq(site))
        .filter(event_pack::Column::Day.eq(day))
        .filter(event_pack::Column::Field.is_in(names))
        .into_tuple()
        .all(db)
        .await?;
    if stored.len() != columns.len() {
        return Ok(None);
    }
    let mut out = Day::default();
    let mut lengths = Vec::new();
    for (name, data) in &stored {
        let column = columns
            .iter()
            .copied()
            .find(|c| c.as_str() == name)
            .ok_or_else(|| corrupt(day, name, "an unknown column"))?;
        lengths.push(decode(&mut out, column, data).map_err(|why| corrupt(day, name, why))?);
    }
    if lengths.iter().any(|&n| n != out.len()) {
        return Err(corrupt(day, "ts", "columns of different lengths"));
    }
    if (from, to) == (day, day + DAY_MS) {
        return Ok(Some(out));
    }
    Ok(Some(out.within(from, to)))
}

fn corrupt(day: i64, column: &str, why: &str) -> DbErr {
    DbErr::Custom(format!("event pack of day {day}, column {column}: {why}"))
}

fn encode(day: &Day, column: event::Column, start: i64) -> Vec<u8> {
    use event::Column as C;
    let mut out = Vec::new();
    match column {
        C::Ts => {
            out.push(TS);
            put_u32(&mut out, day.ts.len() as u32);
            out.extend_from_slice(&start.to_le_bytes());
            for ts in &day.ts {
                // A day's events lie within its 86,400,000 ms.
                put_u32(&mut out, (ts - start) as u32);
            }
        }
        C::VisitorId | C::VisitId => {
            let codes = if matches!(column, C::VisitId) {
                &day.visit
            } else {
                &day.visitor
            };
            out.push(DENSE);
            put_u32(&mut out, codes.len() as u32);
            let distinct = codes.iter().max().map_or(0, |m| m + 1);
            put_u32(&mut out, distinct);
            put_codes(&mut out, codes, distinct);
        }
        C::Interactive => {
            out.push(FLAGS);
            put_u32(&mut out, day.interactive.len() as u32);
            out.extend(day.interactive.iter().map(|&b| u8::from(b)));
        }
        C::ScrollDepth | C::EngagedMs => {
            let values: Vec<Option<i64>> = if matches!(column, C::ScrollDepth) {
                day.scroll_depth.iter().map(|v| v.map(i64::from)).collect()
            } else {
                day.engaged_ms.clone()
            };
            let mut coder = rustc_hash::FxHashMap::default();
            let mut dict: Vec<Option<i64>> = Vec::new();
            let codes: Vec<u32> = values
                .iter()
                .map(|v| {
                    *coder.entry(*v).or_insert_with(|| {
                        dict.push(*v);
                        dict.len() as u32 - 1
                    })
                })
                .collect();
            out.push(NUMBERS);
            put_u32(&mut out, codes.len() as u32);
            put_u32(&mut out, dict.len() as u32);
            for value in &dict {
                out.push(u8::from(value.is_some()));
                out.extend_from_slice(&value.unwrap_or(0).to_le_bytes());
            }
            put_codes(&mut out, &codes, dict.len() as u32);
        }
        column => {
            let text = day.text(column);
            out.push(TEXT);
            put_u32(&mut out, text.codes.len() as u32);
            put_u32(&mut out, text.dict.len() as u32);
            for value in &text.dict {
                match value {
                    Some(v) => {
                        put_u32(&mut out, v.len() as u32);
                        out.extend_from_slice(v.as_bytes());
                    }
                    None => put_u32(&mut out, u32::MAX),
                }
            }
            put_codes(&mut out, &text.codes, text.dict.len() as u32);
        }
    }
    out
}

/// Sets one column of `day` from its pack; returns the events it holds.
fn decode(day: &mut Day, column: event::Column, data: &[u8]) -> Result<usize, &'static str> {
    use event::Column as C;
    let mut r = Reader { data, at: 0 };
    let kind = r.u8()?;
    let rows = r.u32()? as usize;
    match (kind, column) {
        (TS, C::Ts) => {
            let start = i64::from_le_bytes(r.take(8)?.try_into().map_err(|_| "short")?);
            let offsets = r.take(rows.checked_mul(4).ok_or("too long")?)?;
            day.ts = offsets
                .chunks_exact(4)
                .map(|o| start + i64::from(u32::from_le_bytes([o[0], o[1], o[2], o[3]])))
                .collect();
        }
        (DENSE, C::VisitorId | C::VisitId) => {
            let distinct = r.u32()?;
            let codes = r.codes(rows, distinct)?;
            if matches!(column, C::VisitId) {
                (day.visit, day.visits) = (codes, distinct);
            } else {
                day.visitor = codes;
            }
        }
        (FLAGS, C::Interactive) => {
            day.interactive = r.take(rows)?.iter().map(|&b| b != 0).collect();
        }
        (NUMBERS, C::ScrollDepth | C::EngagedMs) => {
            let n = r.u32()? as usize;
            let mut dict = Vec::with_capacity(n.min(rows + 1));
            for _ in 0..n {
                let present = r.u8()? != 0;
                let value = i64::from_le_bytes(r.take(8)?.try_into().map_err(|_| "short")?);
                dict.push(present.then_some(value));
            }
            let codes = r.codes(rows, n as u32)?;
            let values = codes.iter().map(|&c| dict[c as usize]);
            if matches!(column, C::ScrollDepth) {
                day.scroll_depth = values
                    .map(|v| v.map(|d| i16::try_from(d).unwrap_or(i16::MAX)))
                    .collect();
            } else {
                day.engaged_ms = values.collect();
            }
        }
        (TEXT, column) => {
            let slot = text_slot(column).ok_or("not a text column")?;
            let n = r.u32()? as usize;
            let mut dict = Vec::with_capacity(n.min(rows + 1));
            for _ in 0..n {
                let len = r.u32()?;
                dict.push(if len == u32::MAX {
                    None
                } else {
                    let bytes = r.take(len as usize)?;
                    Some(String::from_utf8(bytes.to_vec()).map_err(|_| "text not UTF-8")?)
                });
            }
            let codes = r.codes(rows, n as u32)?;
            day.set_text(slot, Text { dict, codes });
        }
        _ => return Err("a kind that does not fit the column"),
    }
    if r.at != data.len() {
        return Err("bytes past the end");
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::engine::day::Coder;

    fn sample() -> Day {
        let start = 1_700_000_000_000 - 1_700_000_000_000 % DAY_MS;
        let mut day = Day {
            ts: vec![start, start + 5, start + DAY_MS - 1],
            visitor: vec![0, 1, 0],
            visit: vec![0, 1, 0],
            visits: 2,
            interactive: vec![true, false, true],
            scroll_depth: vec![Some(40), None, Some(100)],
            engaged_ms: vec![None, Some(1200), Some(1200)],
            ..Day::default()
        };
        for column in TEXTS {
            let mut coder = Coder::default();
            for i in 0..3 {
                coder.push(match (column, i) {
                    (event::Column::Country, 1) => None,
                    (event::Column::Path, i) => Some(format!("/p{i}")),
                    _ => Some("same".to_owned()),
                });
            }
            day.set_text(text_slot(column).unwrap(), coder.finish());
        }
        day
    }

    #[test]
    fn every_column_reads_back_as_written() {
        let day = sample();
        let start = day.ts[0];
        let mut back = Day::default();
        for column in columns() {
            let data = encode(&day, column, start);
            assert_eq!(
                decode(&mut back, column, &data),
                Ok(3),
                "{}",
                column.as_str()
            );
        }
        assert_eq!(back.ts, day.ts);
        assert_eq!(back.visit, day.visit);
        assert_eq!(back.visits, 2);
        assert_eq!(back.visitor, day.visitor);
        assert_eq!(back.interactive, day.interactive);
        assert_eq!(back.scroll_depth, day.scroll_depth);
        assert_eq!(back.engaged_ms, day.engaged_ms);
        for column in TEXTS {
            for i in 0..3 {
                assert_eq!(back.text(column).get(i), day.text(column).get(i));
            }
        }
        assert_eq!(back.text(event::Column::Country).get(1), None);
        assert_eq!(back.str(event::Column::Path, 2), "/p2");
    }

    #[test]
    fn a_damaged_pack_is_an_error_not_a_panic() {
        let day = sample();
        let data = encode(&day, event::Column::Path, day.ts[0]);
        for cut in 0..data.len() {
            let mut back = Day::default();
            assert!(decode(&mut back, event::Column::Path, &data[..cut]).is_err());
        }
        let mut wrong = data.clone();
        *wrong.last_mut().unwrap() = 200;
        assert!(decode(&mut Day::default(), event::Column::Path, &wrong).is_err());
        assert!(decode(&mut Day::default(), event::Column::Ts, &data).is_err());
    }
}
