//! One window of raw events fetched as a single row of JSON arrays, one array
//! per column read: the driver's cost per row (high on SQLite, whose rows
//! cross from its thread one at a time) is paid once per window, not per
//! event.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, IdenStatic, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
    sea_query::{Alias, Expr, Query as Sql, SimpleExpr},
};
use uuid::Uuid;

use super::day::{Coder, Day, dense, text_slot};
use crate::entities::event;

pub(super) async fn fetch<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    (from, to): (i64, i64),
    columns: &[event::Column],
    conditions: Vec<SimpleExpr>,
) -> Result<Day, DbErr> {
    let backend = db.get_database_backend();
    let mut inner = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .columns(columns.iter().copied());
    for condition in conditions {
        inner = inner.filter(condition);
    }
    let inner = inner
        .filter(event::Column::SiteId.eq(site))
        .filter(event::Column::Ts.gte(from))
        .filter(event::Column::Ts.lt(to))
        .order_by_asc(event::Column::Ts)
        .order_by_asc(event::Column::Id)
        .into_query();
    let mut outer = Sql::select();
    for column in columns {
        let name = column.as_str();
        let array = match backend {
            DbBackend::Postgres => {
                format!("COALESCE(CAST(json_agg({name} ORDER BY ts, id) AS TEXT), '[]')")
            }
            _ => format!("json_group_array({name})"),
        };
        outer.expr_as(Expr::cust(array), Alias::new(name));
    }
    outer.from_subquery(inner, Alias::new("e"));
    let row = db
        .query_one_raw(backend.build(&outer))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("events".into()))?;
    let mut day = Day::default();
    for (i, column) in columns.iter().enumerate() {
        let text: String = row.try_get_by_index(i)?;
        fill(&mut day, *column, &text)
            .map_err(|e| DbErr::Type(format!("{}: {e}", column.as_str())))?;
    }
    Ok(day)
}

/// Sets one column of the window.
fn fill(day: &mut Day, column: event::Column, text: &str) -> Result<(), serde_json::Error> {
    use event::Column as C;
    match column {
        C::Ts => day.ts = serde_json::from_str(text)?,
        C::VisitorId => day.visitor = dense(&serde_json::from_str::<Vec<i64>>(text)?).0,
        C::VisitId => {
            (day.visit, day.visits) = dense(&serde_json::from_str::<Vec<i64>>(text)?);
        }
        // SQLite writes a boolean as 0 or 1, PostgreSQL as false or true.
        C::Interactive => {
            day.interactive = match serde_json::from_str::<Vec<i64>>(text) {
                Ok(values) => values.into_iter().map(|v| v != 0).collect(),
                Err(_) => serde_json::from_str(text)?,
            }
        }
        C::ScrollDepth => day.scroll_depth = serde_json::from_str(text)?,
        C::EngagedMs => day.engaged_ms = serde_json::from_str(text)?,
        C::Id | C::SiteId => {}
        column => {
            if let Some(slot) = text_slot(column) {
                let mut coder = Coder::default();
                for value in serde_json::from_str::<Vec<Option<String>>>(text)? {
                    coder.push(value);
                }
                day.set_text(slot, coder.finish());
            }
        }
    }
    Ok(())
}
