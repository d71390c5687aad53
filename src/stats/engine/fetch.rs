//! One window of events fetched as a single row of JSON arrays, one array per
//! column read: the driver's cost per row (high on SQLite, whose rows cross
//! from its thread one at a time) is paid once per window, not per event.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, IdenStatic, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
    sea_query::{Alias, Expr, Query as Sql, SimpleExpr},
};
use serde::Deserialize;
use uuid::Uuid;

use super::visit::Row;
use crate::entities::event;

pub(super) async fn fetch<C: ConnectionTrait>(
    db: &C,
    site: Uuid,
    (from, to): (i64, i64),
    columns: &[event::Column],
    conditions: Vec<SimpleExpr>,
) -> Result<Vec<Row>, DbErr> {
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
    let mut rows: Vec<Row> = Vec::new();
    for (i, column) in columns.iter().enumerate() {
        let text: String = row.try_get_by_index(i)?;
        fill(&mut rows, *column, &text)
            .map_err(|e| DbErr::Type(format!("{}: {e}", column.as_str())))?;
    }
    Ok(rows)
}

/// Sets one column on every row, making the rows on the first column.
fn fill(rows: &mut Vec<Row>, column: event::Column, text: &str) -> Result<(), serde_json::Error> {
    fn set<T: for<'de> Deserialize<'de>>(
        rows: &mut Vec<Row>,
        text: &str,
        mut put: impl FnMut(&mut Row, T),
    ) -> Result<(), serde_json::Error> {
        let values: Vec<T> = serde_json::from_str(text)?;
        if rows.is_empty() {
            rows.resize_with(values.len(), Row::default);
        }
        for (row, value) in rows.iter_mut().zip(values) {
            put(row, value);
        }
        Ok(())
    }
    use event::Column as C;
    match column {
        C::Ts => set(rows, text, |r, v| r.ts = v),
        C::Name => set(rows, text, |r, v| r.name = v),
        C::Hostname => set(rows, text, |r, v| r.hostname = v),
        C::Path => set(rows, text, |r, v| r.path = v),
        C::ReferrerSource => set(rows, text, |r, v| r.referrer_source = v),
        C::UtmSource => set(rows, text, |r, v| r.utm_source = v),
        C::UtmMedium => set(rows, text, |r, v| r.utm_medium = v),
        C::UtmCampaign => set(rows, text, |r, v| r.utm_campaign = v),
        C::UtmTerm => set(rows, text, |r, v| r.utm_term = v),
        C::UtmContent => set(rows, text, |r, v| r.utm_content = v),
        C::Browser => set(rows, text, |r, v| r.browser = v),
        C::BrowserVersion => set(rows, text, |r, v| r.browser_version = v),
        C::Os => set(rows, text, |r, v| r.os = v),
        C::Device => set(rows, text, |r, v| r.device = v),
        C::Country => set(rows, text, |r, v| r.country = v),
        C::VisitorId => set(rows, text, |r, v| r.visitor_id = v),
        C::VisitId => set(rows, text, |r, v| r.visit_id = v),
        C::Props => set(rows, text, |r, v| r.props = v),
        // SQLite writes a boolean as 0 or 1, PostgreSQL as false or true.
        C::Interactive => match serde_json::from_str::<Vec<i64>>(text) {
            Ok(_) => set(rows, text, |r, v: i64| r.interactive = v != 0),
            Err(_) => set(rows, text, |r, v: bool| r.interactive = v),
        },
        C::RevenueAmount => set(rows, text, |r, v| r.revenue_amount = v),
        C::RevenueCurrency => set(rows, text, |r, v| r.revenue_currency = v),
        C::ScrollDepth => set(rows, text, |r, v| r.scroll_depth = v),
        C::EngagedMs => set(rows, text, |r, v| r.engaged_ms = v),
        C::Id | C::SiteId => Ok(()),
    }
}
