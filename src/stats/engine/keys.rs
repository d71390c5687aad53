//! The custom property keys a site's events carry over a stretch of time,
//! each with the number of events that carry it: what the dashboard's
//! Properties report offers to pick from. Only the props column is read
//! (with visits, which every read carries), each distinct object parsed once.

use futures::StreamExt;
use rustc_hash::FxHashMap;
use sea_orm::{DatabaseConnection, DbErr};
use uuid::Uuid;

use super::{AHEAD, Day, fetch, pack};
use crate::{
    analytics::count::{DAY_MS, utc_windows},
    entities::event,
};

pub(crate) async fn prop_keys(
    db: &DatabaseConnection,
    site: Uuid,
    (from, to): (i64, i64),
    packed: bool,
) -> Result<FxHashMap<String, u64>, DbErr> {
    let mut days = futures::stream::iter(utc_windows(from, to))
        .map(|window| async move {
            use event::Column as C;
            let whole = window.1 - window.0 == DAY_MS;
            // A part of a stored day is cut out by its times.
            let stored: &[C] = if whole {
                &[C::VisitId, C::Props]
            } else {
                &[C::Ts, C::VisitId, C::Props]
            };
            if packed && let Some(day) = pack::read(db, site, window, stored).await? {
                return Ok::<Day, DbErr>(day);
            }
            // Rows are gathered in time order, which reads `ts`.
            fetch(db, site, window, &[C::Ts, C::VisitId, C::Props], Vec::new()).await
        })
        .buffered(AHEAD);
    let mut keys: FxHashMap<String, u64> = FxHashMap::default();
    while let Some(day) = days.next().await {
        let day = day?;
        let props = day.text(event::Column::Props);
        let mut carried = vec![0u64; props.dict.len()];
        for &code in &props.codes {
            if let Some(n) = carried.get_mut(code as usize) {
                *n += 1;
            }
        }
        for (object, events) in props.dict.iter().zip(carried) {
            let Some(object) = object.as_deref().filter(|_| events > 0) else {
                continue;
            };
            let Ok(object) = serde_json::from_str::<FxHashMap<String, serde_json::Value>>(object)
            else {
                continue;
            };
            for key in object.into_keys() {
                *keys.entry(key).or_default() += events;
            }
        }
    }
    Ok(keys)
}
