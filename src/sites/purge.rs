//! Deleting a site: hide it, delete its rows a chunk at a time, then the site
//! row itself (which takes its `site_deletions` row with it).

use sea_orm::{
    ActiveValue::Set,
    DatabaseConnection, DbErr, EntityTrait, QuerySelect,
    sea_query::{Expr, ExprTrait, OnConflict, Query, SimpleExpr},
};
use uuid::Uuid;

use crate::{
    chunked::{self, Deleted, Key},
    entities::{site, site_deletion},
};

/// Every table with rows of a site, children before what they summarise.
/// A new table holding `site_id` belongs here, or its rows go in the site
/// row's own transaction through the foreign key's cascade.
const TABLES: [(&str, Key); 6] = [
    ("events", Key::Id),
    ("event_packs", Key::WithinSite("day")),
    ("open_visits", Key::WithinSite("visitor_id")),
    ("rollup_values", Key::Id),
    ("rollup_slices", Key::Id),
    ("rollup_days", Key::WithinSite("day")),
];

/// What deleting a site removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub events: Deleted,
    /// Visit bookkeeping and rollups.
    pub other: Deleted,
}

/// Sites not being deleted: for every query that shows or counts a site.
pub(crate) fn not_deleted() -> SimpleExpr {
    Expr::col((site::Entity, site::Column::Id)).not_in_subquery(
        Query::select()
            .column(site_deletion::Column::SiteId)
            .from(site_deletion::Entity)
            .to_owned(),
    )
}

pub(super) async fn hide(db: &DatabaseConnection, id: Uuid) -> Result<(), DbErr> {
    let row = site_deletion::ActiveModel {
        site_id: Set(id),
        requested_at: Set(chrono::Utc::now().timestamp_millis()),
    };
    site_deletion::Entity::insert(row)
        .on_conflict(
            OnConflict::column(site_deletion::Column::SiteId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub(super) async fn purge(db: DatabaseConnection, id: Uuid) -> Result<Purged, DbErr> {
    let mut purged = Purged::default();
    for (table, key) in TABLES {
        let deleted = chunked::delete(&db, table, key, id, None).await?;
        if table == "events" {
            purged.events += deleted;
        } else {
            purged.other += deleted;
        }
    }
    site::Entity::delete_by_id(id).exec(&db).await?;
    tracing::info!(site = %id, events = purged.events.rows, "site deleted");
    Ok(purged)
}

/// Finishes deleting every site whose purge was cut short (a restart, a lost
/// connection). Safe beside a purge in progress: both delete the same rows,
/// and what one deleted the other does not find.
pub async fn purge_pending(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let pending: Vec<Uuid> = site_deletion::Entity::find()
        .select_only()
        .column(site_deletion::Column::SiteId)
        .into_tuple()
        .all(db)
        .await?;
    for &id in &pending {
        purge(db.clone(), id).await?;
    }
    Ok(pending.len() as u64)
}
