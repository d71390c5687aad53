//! The CSV export: one table with a `section` column, so the daily series and
//! every breakdown fit in one file a spreadsheet opens as is.

use std::fmt::Write;

use super::Report;

/// `section,key,pageviews,visitors,events,scroll_depth,time_on_page`, one row
/// per graph point and per breakdown entry; a column a section has no figure
/// for is left empty. A property's key is `name=value`; entry and exit pages
/// put their visits in `events`.
pub fn to_csv(report: &Report) -> String {
    let mut out = String::from("section,key,pageviews,visitors,events,scroll_depth,time_on_page\n");
    let mut line = |section: &str, key: &str, visitors: u64, rest: [Option<u64>; 4]| {
        let [pageviews, events, scroll, time] =
            rest.map(|n| n.map(|n| n.to_string()).unwrap_or_default());
        let _ = writeln!(
            out,
            "{section},{},{pageviews},{visitors},{events},{scroll},{time}",
            field(key)
        );
    };
    for day in &report.timeseries {
        line(
            "timeseries",
            &day.date,
            day.visitors,
            [Some(day.pageviews), None, None, None],
        );
    }
    for page in &report.pages {
        line(
            "pages",
            &page.path,
            page.visitors,
            [
                Some(page.pageviews),
                None,
                page.scroll_depth,
                page.time_on_page,
            ],
        );
    }
    for event in &report.events {
        line(
            "events",
            &event.name,
            event.visitors,
            [None, Some(event.events), None, None],
        );
    }
    // An event's properties, then the values of the property asked for.
    let props = [("props", &report.props), ("properties", &report.properties)];
    for (section, rows) in props {
        for prop in rows {
            let key = format!("{}={}", prop.key, prop.value);
            line(
                section,
                &key,
                prop.visitors,
                [None, Some(prop.events), None, None],
            );
        }
    }
    for source in &report.referrers {
        line(
            "referrers",
            &source.source,
            source.visitors,
            [Some(source.pageviews), None, None, None],
        );
    }
    for (section, rows) in [
        ("countries", &report.countries),
        ("regions", &report.regions),
    ] {
        for r in rows {
            line(section, &r.code, r.visitors, [None; 4]);
        }
    }
    let named = [
        ("browsers", &report.browsers),
        ("os", &report.os),
        ("devices", &report.devices),
        ("cities", &report.cities),
        ("utm_sources", &report.utm_sources),
        ("utm_mediums", &report.utm_mediums),
        ("utm_campaigns", &report.utm_campaigns),
        ("utm_terms", &report.utm_terms),
        ("utm_contents", &report.utm_contents),
        ("channels", &report.channels),
    ];
    for (section, rows) in named {
        for r in rows {
            line(section, &r.name, r.visitors, [None; 4]);
        }
    }
    // A goal's conversions: unique (visitors) and total (events).
    for goal in &report.goals {
        line(
            "goals",
            &goal.name,
            goal.visitors,
            [None, Some(goal.events), None, None],
        );
    }
    // Visits beginning and ending on a page stand in the events column.
    let pages = [
        ("entry_pages", &report.entry_pages),
        ("exit_pages", &report.exit_pages),
    ];
    for (section, rows) in pages {
        for r in rows {
            line(
                section,
                &r.path,
                r.visitors,
                [None, Some(r.visits), None, None],
            );
        }
    }
    out
}

/// Quotes a value when CSV needs it, and defuses values a spreadsheet would run
/// as a formula (a referrer or UTM value is whatever a stranger sent).
fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::report::{DayPoint, EventRow, NameRow, PageRow, PropRow, SourceRow};

    #[test]
    fn writes_sections_and_escapes_hostile_values() {
        let report = Report {
            timeseries: vec![DayPoint {
                date: "2026-11-01".into(),
                pageviews: 3,
                visitors: 2,
                value: 2.0,
            }],
            referrers: vec![SourceRow {
                source: "a,\"b\"".into(),
                pageviews: 1,
                visitors: 1,
            }],
            pages: vec![PageRow {
                path: "/a".into(),
                pageviews: 5,
                visitors: 3,
                scroll_depth: Some(40),
                time_on_page: Some(12),
            }],
            events: vec![EventRow {
                name: "Signup".into(),
                visitors: 2,
                events: 3,
            }],
            props: vec![PropRow {
                key: "plan".into(),
                value: "pro".into(),
                visitors: 1,
                events: 2,
            }],
            properties: vec![PropRow {
                key: "ab".into(),
                value: "b".into(),
                visitors: 1,
                events: 1,
            }],
            utm_campaigns: vec![NameRow {
                name: "=HYPERLINK(\"x\")".into(),
                visitors: 4,
            }],
            ..Report::default()
        };
        assert_eq!(
            to_csv(&report),
            "section,key,pageviews,visitors,events,scroll_depth,time_on_page\n\
             timeseries,2026-11-01,3,2,,,\n\
             pages,/a,5,3,,40,12\n\
             events,Signup,,2,3,,\n\
             props,plan=pro,,1,2,,\n\
             properties,ab=b,,1,1,,\n\
             referrers,\"a,\"\"b\"\"\",1,1,,,\n\
             utm_campaigns,\"'=HYPERLINK(\"\"x\"\")\",,4,,,\n"
        );
    }
}
