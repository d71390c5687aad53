//! The writer's multi-row INSERTs, written directly from the batch. Through
//! the ORM, each value of each row was wrapped in an active model, copied into
//! a query tree and copied again into the driver's arguments, which under load
//! was most of the writer's time on the runtime's workers (the profile is in
//! docs/benchmarks.md). Here the values go straight from the events into the
//! statement's arguments, and the SQL text of each statement shape
//! (`chunks`) is built once per process.

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, Mutex},
};

use sea_orm::{DbBackend, Statement, Value};

use super::{Entry, LastSeen, NewEvent, VisitorKey};

const EVENT_COLUMNS: &str = "site_id, ts, name, hostname, path, referrer_source, \
    utm_source, utm_medium, utm_campaign, utm_term, utm_content, browser, \
    browser_version, os, device, country, visitor_id, visit_id, props, interactive, \
    revenue_amount, revenue_currency";
const EVENT_WIDTH: usize = 22;

const OPEN_VISIT_COLUMNS: &str = "site_id, visitor_id, visit_id, last_ts, referrer_source, \
    utm_source, utm_medium, utm_campaign, utm_term, utm_content";
const OPEN_VISIT_WIDTH: usize = 10;
/// A visitor seen again takes the new row's visit, time and source.
const OPEN_VISIT_UPSERT: &str = " ON CONFLICT (site_id, visitor_id) DO UPDATE SET \
    visit_id = excluded.visit_id, last_ts = excluded.last_ts, \
    referrer_source = excluded.referrer_source, utm_source = excluded.utm_source, \
    utm_medium = excluded.utm_medium, utm_campaign = excluded.utm_campaign, \
    utm_term = excluded.utm_term, utm_content = excluded.utm_content";

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Table {
    Events,
    OpenVisits,
}

type Key = (bool, Table, usize);

static TEXTS: LazyLock<Mutex<HashMap<Key, Arc<str>>>> = LazyLock::new(Mutex::default);

/// `INSERT INTO table (columns) VALUES (…), …` for `rows` rows.
fn sql(backend: DbBackend, table: Table, rows: usize) -> Arc<str> {
    let postgres = backend == DbBackend::Postgres;
    let key = (postgres, table, rows);
    if let Some(text) = TEXTS.lock().ok().and_then(|t| t.get(&key).cloned()) {
        return text;
    }
    let (name, columns, width, suffix) = match table {
        Table::Events => ("events", EVENT_COLUMNS, EVENT_WIDTH, ""),
        Table::OpenVisits => (
            "open_visits",
            OPEN_VISIT_COLUMNS,
            OPEN_VISIT_WIDTH,
            OPEN_VISIT_UPSERT,
        ),
    };
    let mut text = format!("INSERT INTO {name} ({columns}) VALUES ");
    let mut param = 0;
    for row in 0..rows {
        text.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..width {
            if column > 0 {
                text.push_str(", ");
            }
            param += 1;
            if postgres {
                text.push('$');
                text.push_str(&param.to_string());
            } else {
                text.push('?');
            }
        }
        text.push(')');
    }
    text.push_str(suffix);
    let text: Arc<str> = text.into();
    if let Ok(mut texts) = TEXTS.lock() {
        texts.insert(key, text.clone());
    }
    text
}

fn push_entry(values: &mut Vec<Value>, entry: &Entry) {
    values.extend([
        entry.referrer_source.clone().into(),
        entry.utm.source.clone().into(),
        entry.utm.medium.clone().into(),
        entry.utm.campaign.clone().into(),
        entry.utm.term.clone().into(),
        entry.utm.content.clone().into(),
    ]);
}

/// Stores `events`, each with its visit and that visit's source.
pub fn events(backend: DbBackend, events: &[&NewEvent], visits: &[(i64, Entry)]) -> Statement {
    let mut values: Vec<Value> = Vec::with_capacity(events.len() * EVENT_WIDTH);
    for (e, (visit_id, source)) in events.iter().zip(visits) {
        values.extend([
            e.site_id.into(),
            e.ts.into(),
            e.name.clone().into(),
            e.hostname.clone().into(),
            e.path.clone().into(),
        ]);
        push_entry(&mut values, source);
        values.extend([
            e.browser.clone().into(),
            e.browser_version.clone().into(),
            e.os.clone().into(),
            e.device.clone().into(),
            e.country.clone().into(),
            e.visitor_id.into(),
            (*visit_id).into(),
            e.props.clone().into(),
            e.interactive.into(),
            e.revenue.as_ref().map(|r| r.amount.clone()).into(),
            e.revenue.as_ref().map(|r| r.currency.clone()).into(),
        ]);
    }
    let sql = sql(backend, Table::Events, events.len());
    Statement::from_sql_and_values(backend, &*sql, values)
}

/// An engagement beacon's measures set on the pageview it reports on: its
/// visitor's latest pageview of the same page within the engagement window.
/// The deepest scroll is kept, engaged times add up (each beacon reports the
/// time since the one before). Nothing matches once the visitor id has rotated
/// or the pageview is too old, and then the beacon changes nothing.
pub fn engagement(backend: DbBackend, e: &NewEvent) -> Statement {
    let measures = e.engagement.unwrap_or(crate::ingest::beacon::Engagement {
        scroll_depth: 0,
        engaged_ms: 0,
    });
    let (greatest, p) = match backend {
        DbBackend::Postgres => ("GREATEST", ["$1", "$2", "$3", "$4", "$5", "$6", "$7"]),
        _ => ("MAX", ["?"; 7]),
    };
    let sql = format!(
        "UPDATE events SET scroll_depth = {greatest}(COALESCE(scroll_depth, 0), {}), \
         engaged_ms = COALESCE(engaged_ms, 0) + {} \
         WHERE id = (SELECT id FROM events WHERE site_id = {} AND visitor_id = {} \
         AND name = 'pageview' AND path = {} AND ts >= {} AND ts <= {} \
         ORDER BY ts DESC LIMIT 1)",
        p[0], p[1], p[2], p[3], p[4], p[5], p[6]
    );
    Statement::from_sql_and_values(
        backend,
        sql,
        [
            measures.scroll_depth.into(),
            measures.engaged_ms.into(),
            e.site_id.into(),
            e.visitor_id.into(),
            e.path.clone().into(),
            (e.ts - super::ENGAGEMENT_WINDOW_MS).into(),
            e.ts.into(),
        ],
    )
}

/// Records each visitor's latest event and visit, over what was there.
pub fn open_visits(backend: DbBackend, seen: &[(&VisitorKey, &LastSeen)]) -> Statement {
    let mut values: Vec<Value> = Vec::with_capacity(seen.len() * OPEN_VISIT_WIDTH);
    for ((site_id, visitor_id), last) in seen {
        values.extend([
            (*site_id).into(),
            (*visitor_id).into(),
            last.visit_id.into(),
            last.ts.into(),
        ]);
        push_entry(&mut values, &last.entry);
    }
    let sql = sql(backend, Table::OpenVisits, seen.len());
    Statement::from_sql_and_values(backend, &*sql, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_match_the_rows_on_each_backend() {
        let sqlite = sql(DbBackend::Sqlite, Table::Events, 2);
        assert_eq!(sqlite.matches('?').count(), 2 * EVENT_WIDTH);
        assert_eq!(EVENT_COLUMNS.split(", ").count(), EVENT_WIDTH);
        assert_eq!(OPEN_VISIT_COLUMNS.split(", ").count(), OPEN_VISIT_WIDTH);
        let postgres = sql(DbBackend::Postgres, Table::OpenVisits, 3);
        assert!(
            postgres.contains("($21, $22, $23, $24, $25, $26, $27, $28, $29, $30) ON CONFLICT")
        );
        assert!(!postgres.contains("$31"));
    }
}
