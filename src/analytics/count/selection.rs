//! A `Selection`: one site's raw events between two instants that pass the
//! filters, as one SQL question reads them (an aggregate, or the columns
//! `fetch` reads).

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QuerySelect, Select,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{analytics::request::Filters, entities::event};

/// The events of `site` with `from <= ts < to` that pass `filters`.
#[derive(Clone, Copy)]
pub(crate) struct Selection<'a> {
    pub site: Uuid,
    pub from: i64,
    pub to: i64,
    pub filters: &'a Filters,
}

impl Selection<'_> {
    pub(super) fn select(&self, backend: DbBackend) -> Select<event::Entity> {
        self.filters.apply(
            event::Entity::find()
                .filter(event::Column::SiteId.eq(self.site))
                .filter(event::Column::Ts.gte(self.from))
                .filter(event::Column::Ts.lt(self.to)),
            backend,
        )
    }

    /// One aggregate over the selected events, e.g. `MIN(ts)`; `None` when SQL
    /// gives NULL (no events).
    pub(super) async fn aggregate<C: ConnectionTrait>(
        &self,
        db: &C,
        expression: &'static str,
    ) -> Result<Option<i64>, DbErr> {
        let value: Option<Option<i64>> = self
            .select(db.get_database_backend())
            .select_only()
            .column_as(Expr::cust(expression), "value")
            .into_tuple()
            .one(db)
            .await?;
        Ok(value.flatten())
    }

    /// The distinct visitors among the selected events.
    pub async fn visitors<C: ConnectionTrait>(&self, db: &C) -> Result<i64, DbErr> {
        Ok(self
            .aggregate(db, "COUNT(DISTINCT visitor_id)")
            .await?
            .unwrap_or(0))
    }
}
