//! The packed days lent to the analytics counts: a filtered dashboard
//! figure the rollups cannot slice reads a settled day from its pack, as the
//! engine does, rather than from the events table.

use futures::future::BoxFuture;
use sea_orm::{DatabaseConnection, DbErr};
use uuid::Uuid;

use super::{day::text_slot, pack};
use crate::{
    analytics::count::{Coded, DayColumns, DayStore},
    entities::event,
};

pub struct PackedDays {
    db: DatabaseConnection,
}

impl PackedDays {
    pub fn new(db: DatabaseConnection) -> Self {
        PackedDays { db }
    }
}

impl DayStore for PackedDays {
    fn day<'a>(
        &'a self,
        site: Uuid,
        window: (i64, i64),
        columns: &'a [event::Column],
    ) -> BoxFuture<'a, Result<Option<DayColumns>, DbErr>> {
        Box::pin(async move {
            let Some(mut day) = pack::read(&self.db, site, window, columns).await? else {
                return Ok(None);
            };
            let texts = columns
                .iter()
                .filter_map(|&column| {
                    let text = std::mem::take(&mut day.texts[text_slot(column)?]);
                    Some((
                        column,
                        Coded {
                            dict: text.dict,
                            codes: text.codes,
                        },
                    ))
                })
                .collect();
            Ok(Some(DayColumns {
                ts: day.ts,
                visitor: day.visitor,
                visit: day.visit,
                interactive: day.interactive,
                scroll: day.scroll_depth,
                engaged: day.engaged_ms,
                texts,
            }))
        })
    }
}
