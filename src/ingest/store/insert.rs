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
    browser_version, os, device, country, region, city, visitor_id, visit_id, props, \
    interactive, revenue_amount, revenue_currency";
const EVENT_WIDTH: usize = 24;

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
    Engagement,
}

/// Scroll, engaged time, site, visitor, path, window start, time.
const ENGAGEMENT_WIDTH: usize = 7;

type Key = (bool, Table, usize);

static TEXTS: LazyLock<Mutex<HashMap<Key, Arc<str>>>> = LazyLock::new(Mutex::default);

/// The statement of `table`'s shape for `rows` rows, built once per process.
fn sql(backend: DbBackend, table: Table, rows: usize) -> Arc<str> {
    let postgres = backend == DbBackend::Postgres;
    let key = (postgres, table, rows);
    if let Some(text) = TEXTS.lock().ok().and_then(|t| t.get(&key).cloned()) {
        return text;
    }
    let text: Arc<str> = match table {
        Table::Events => format!(
            "INSERT INTO events ({EVENT_COLUMNS}) VALUES {}",
            values(postgres, rows, EVENT_WIDTH)
        ),
        Table::OpenVisits => format!(
            "INSERT INTO open_visits ({OPEN_VISIT_COLUMNS}) VALUES {}{OPEN_VISIT_UPSERT}",
            values(postgres, rows, OPEN_VISIT_WIDTH)
        ),
        // VALUES names its columns column1… on both databases.
        Table::Engagement => format!(
            "UPDATE events SET \
             scroll_depth = {greatest}(COALESCE(events.scroll_depth, 0), r.sd), \
             engaged_ms = COALESCE(events.engaged_ms, 0) + r.e \
             FROM (SELECT column1 AS sd, column2 AS e, \
             (SELECT p.id FROM events p WHERE p.site_id = column3 AND p.visitor_id = column4 \
             AND p.name = 'pageview' AND p.path = column5 AND p.ts >= column6 AND p.ts <= column7 \
             ORDER BY p.ts DESC LIMIT 1) AS target FROM (VALUES {rows}) AS v) AS r \
             WHERE events.id = r.target",
            greatest = if postgres { "GREATEST" } else { "MAX" },
            rows = values(postgres, rows, ENGAGEMENT_WIDTH)
        ),
    }
    .into();
    if let Ok(mut texts) = TEXTS.lock() {
        texts.insert(key, text.clone());
    }
    text
}

/// `(?, ?), (?, ?)` or `($1, $2), ($3, $4)`: `rows` rows of `width` parameters.
fn values(postgres: bool, rows: usize, width: usize) -> String {
    let mut text = String::new();
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
            e.region.clone().into(),
            e.city.clone().into(),
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

/// A batch's engagement beacons for one page of one visitor, taken together:
/// the deepest scroll, the engaged times added up, the latest time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    site_id: uuid::Uuid,
    visitor_id: i64,
    path: String,
    ts: i64,
    scroll_depth: i16,
    engaged_ms: i64,
}

impl Report {
    pub fn group(engagements: &[&NewEvent]) -> Vec<Report> {
        let mut reports: Vec<Report> = Vec::new();
        let mut at: HashMap<(uuid::Uuid, i64, &str), usize> = HashMap::new();
        for e in engagements {
            let Some(measures) = e.engagement else {
                continue;
            };
            let key = (e.site_id, e.visitor_id, e.path.as_str());
            match at.get(&key) {
                Some(&i) => {
                    let report = &mut reports[i];
                    report.ts = report.ts.max(e.ts);
                    report.scroll_depth = report.scroll_depth.max(measures.scroll_depth);
                    report.engaged_ms += measures.engaged_ms;
                }
                None => {
                    at.insert(key, reports.len());
                    reports.push(Report {
                        site_id: e.site_id,
                        visitor_id: e.visitor_id,
                        path: e.path.clone(),
                        ts: e.ts,
                        scroll_depth: measures.scroll_depth,
                        engaged_ms: measures.engaged_ms,
                    });
                }
            }
        }
        reports
    }
}

/// Engagement reports set on the pageviews they report on, in one statement:
/// each visitor's latest pageview of the page within the engagement window.
/// The deepest scroll is kept, engaged times add up (each beacon reports the
/// time since the one before). A report that finds no pageview (the visitor
/// id has rotated, or the pageview is too old) changes nothing.
pub fn engagement(backend: DbBackend, reports: &[Report]) -> Statement {
    let mut values: Vec<Value> = Vec::with_capacity(reports.len() * ENGAGEMENT_WIDTH);
    for r in reports {
        values.extend([
            r.scroll_depth.into(),
            r.engaged_ms.into(),
            r.site_id.into(),
            r.visitor_id.into(),
            r.path.clone().into(),
            (r.ts - super::ENGAGEMENT_WINDOW_MS).into(),
            r.ts.into(),
        ]);
    }
    let sql = sql(backend, Table::Engagement, reports.len());
    Statement::from_sql_and_values(backend, &*sql, values)
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
        let postgres = sql(DbBackend::Postgres, Table::Engagement, 2);
        assert!(postgres.contains("($8, $9, $10, $11, $12, $13, $14)) AS v"));
        assert!(!postgres.contains("$15"));
    }

    #[test]
    fn a_batch_s_reports_on_one_page_are_taken_together() {
        use crate::ingest::beacon::Engagement;
        let report = |visitor, ts, path: &str, scroll_depth, engaged_ms| NewEvent {
            engagement: Some(Engagement {
                scroll_depth,
                engaged_ms,
            }),
            ..crate::testing::new_pageview(uuid::Uuid::nil(), visitor, ts, path)
        };
        let events = [
            report(1, 10, "/a", 40, 1_000),
            report(1, 30, "/a", 20, 500),
            report(1, 20, "/b", 10, 100),
            report(2, 15, "/a", 90, 7),
        ];
        let grouped = Report::group(&events.iter().collect::<Vec<_>>());
        let seen: Vec<_> = grouped
            .iter()
            .map(|r| {
                (
                    r.visitor_id,
                    r.path.as_str(),
                    r.ts,
                    r.scroll_depth,
                    r.engaged_ms,
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (1, "/a", 30, 40, 1_500),
                (1, "/b", 20, 10, 100),
                (2, "/a", 15, 90, 7)
            ]
        );
    }
}
