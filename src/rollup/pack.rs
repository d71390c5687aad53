//! Packing closed UTC days for the Stats API (`stats::pack_day`): a run packs
//! every closed UTC day since the site's first kept event that has no pack,
//! and retention deletes packs with the raw events they copy.

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::GRACE_MS;
use crate::{
    analytics::count::DAY_MS,
    entities::{event_pack, site},
    stats::pack_day,
};

/// What packing a site's days did.
#[derive(Default)]
pub(super) struct Packed {
    pub days: u64,
    pub failures: Vec<String>,
}

/// Packs `site`'s closed UTC days not yet packed from the day of its event
/// at `first` on, none starting before `keep_from` (the retention's first instant, when there is one).
pub(super) async fn pack_pending(
    db: &DatabaseConnection,
    site: &site::Model,
    first: i64,
    keep_from: Option<i64>,
    now_ms: i64,
) -> Result<Packed, DbErr> {
    let mut out = Packed::default();
    let mut day = first - first.rem_euclid(DAY_MS);
    if let Some(keep_from) = keep_from {
        // A day the retention cuts into is read from what is left of it.
        while day < keep_from {
            day += DAY_MS;
        }
    }
    let closed = now_ms - GRACE_MS;
    let packed: std::collections::HashSet<i64> = event_pack::Entity::find()
        .select_only()
        .column(event_pack::Column::Day)
        .filter(event_pack::Column::SiteId.eq(site.id))
        .filter(event_pack::Column::Field.eq("ts"))
        .filter(event_pack::Column::Day.gte(day))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    while day + DAY_MS <= closed {
        if !packed.contains(&day) {
            match pack_day(db, site.id, day).await {
                Ok(_) => out.days += 1,
                Err(error) => {
                    tracing::error!(site = %site.id, day, %error, "day not packed; tried again next run");
                    out.failures
                        .push(format!("site {} pack of day {day}: {error}", site.id));
                }
            }
        }
        day += DAY_MS;
    }
    Ok(out)
}

/// Deletes the site's packs of days starting before `keep_from`.
pub(super) async fn prune(
    db: &DatabaseConnection,
    site: &site::Model,
    keep_from: i64,
) -> Result<u64, DbErr> {
    let deleted = event_pack::Entity::delete_many()
        .filter(event_pack::Column::SiteId.eq(site.id))
        .filter(event_pack::Column::Day.lt(keep_from))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}
