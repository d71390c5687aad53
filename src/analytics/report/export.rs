//! The CSV export: one table with a `section` column, so the daily series and
//! every breakdown fit in one file a spreadsheet opens as is.

use std::fmt::Write;

use super::Report;

/// `section,key,pageviews,visitors`, one row per day and per breakdown entry.
/// Breakdowns that count only visitors leave `pageviews` empty.
pub fn to_csv(report: &Report) -> String {
    let mut out = String::from("section,key,pageviews,visitors\n");
    let mut row = |section: &str, key: &str, pageviews: Option<u64>, visitors: u64| {
        let pageviews = pageviews.map(|n| n.to_string()).unwrap_or_default();
        let _ = writeln!(out, "{section},{},{pageviews},{visitors}", field(key));
    };
    for day in &report.timeseries {
        row("timeseries", &day.date, Some(day.pageviews), day.visitors);
    }
    for page in &report.pages {
        row("pages", &page.path, Some(page.pageviews), page.visitors);
    }
    for source in &report.referrers {
        row(
            "referrers",
            &source.source,
            Some(source.pageviews),
            source.visitors,
        );
    }
    for country in &report.countries {
        row("countries", &country.code, None, country.visitors);
    }
    let named = [
        ("browsers", &report.browsers),
        ("os", &report.os),
        ("devices", &report.devices),
        ("utm_sources", &report.utm_sources),
        ("utm_mediums", &report.utm_mediums),
        ("utm_campaigns", &report.utm_campaigns),
    ];
    for (section, rows) in named {
        for r in rows {
            row(section, &r.name, None, r.visitors);
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
    use crate::analytics::report::{DayPoint, NameRow, SourceRow};

    #[test]
    fn writes_sections_and_escapes_hostile_values() {
        let report = Report {
            timeseries: vec![DayPoint {
                date: "2026-11-01".into(),
                pageviews: 3,
                visitors: 2,
            }],
            referrers: vec![SourceRow {
                source: "a,\"b\"".into(),
                pageviews: 1,
                visitors: 1,
            }],
            utm_campaigns: vec![NameRow {
                name: "=HYPERLINK(\"x\")".into(),
                visitors: 4,
            }],
            ..Report::default()
        };
        assert_eq!(
            to_csv(&report),
            "section,key,pageviews,visitors\n\
             timeseries,2026-11-01,3,2\n\
             referrers,\"a,\"\"b\"\"\",1,1\n\
             utm_campaigns,\"'=HYPERLINK(\"\"x\"\")\",,4\n"
        );
    }
}
