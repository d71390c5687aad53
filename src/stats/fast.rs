//! Questions the rollups answer: whole local days, no filter or one exact
//! filter on a value every event of a visit carries (its referrer and UTM
//! tags, which ingest copies from the visit's first event; its browser, OS
//! and country, which the visitor id pins), and metrics the rolled-up counts
//! hold. Those are counted by the dashboard's engine (`Reports::figures`),
//! whose numbers equal the Stats API's for them; anything else is `None`
//! and counted from raw events.

use sea_orm::DbErr;

use super::{
    Sums, Table,
    query::{Condition, Dimension, Filter, Interval, Metric, Op, Prop, Query},
};
use crate::{
    analytics::{
        DateRange, Dimension as Column, Filters, Reports, report::TOP, request::period::day_start,
    },
    entities::site,
};

/// The one value filter the rollups can slice by, as the dashboard names it.
fn slice(filter: Option<&Filter>, metrics: &[Metric]) -> Option<Filters> {
    let mut filters = Filters::default();
    let Some(filter) = filter else {
        return Some(filters);
    };
    let Filter::Test(Condition {
        prop,
        op: Op::Is,
        values,
        case_sensitive: true,
    }) = filter
    else {
        return None;
    };
    let [value] = values.as_slice() else {
        return None;
    };
    let (column, value) = match prop {
        Prop::Referrer => (
            Column::Referrer,
            if value == "Direct / None" { "" } else { value },
        ),
        Prop::UtmSource => (Column::UtmSource, unset(value)),
        Prop::UtmMedium => (Column::UtmMedium, unset(value)),
        Prop::UtmCampaign => (Column::UtmCampaign, unset(value)),
        Prop::Browser if value != "(not set)" => (Column::Browser, value.as_str()),
        Prop::Os if value != "(not set)" => (Column::Os, value.as_str()),
        Prop::Country => (Column::Country, value.as_str()),
        // A page's events, not whole visits: only event counts agree.
        Prop::Page
            if metrics
                .iter()
                .all(|m| matches!(m, Metric::Visitors | Metric::Pageviews)) =>
        {
            (Column::Page, value.as_str())
        }
        _ => return None,
    };
    filters.set(column, value).ok()?;
    Some(filters)
}

fn unset(value: &str) -> &str {
    if value == "(not set)" { "" } else { value }
}

/// Whether the query covers whole local days of its range.
fn whole_days(query: &Query) -> bool {
    query.from == day_start(query.tz, query.range.start)
        && query.to == day_start(query.tz, query.range.end + chrono::Duration::days(1))
}

fn totals_metric(metric: Metric) -> bool {
    matches!(
        metric,
        Metric::Visitors
            | Metric::Visits
            | Metric::Pageviews
            | Metric::ViewsPerVisit
            | Metric::BounceRate
            | Metric::VisitDuration
            | Metric::Percentage
    )
}

pub(super) async fn answer(
    reports: &Reports,
    site: &site::Model,
    query: &Query,
) -> Result<Option<Table>, DbErr> {
    if !whole_days(query) || !query.metrics.iter().all(|&m| totals_metric(m)) {
        return Ok(None);
    }
    let Some(filters) = slice(query.filter.as_ref(), &query.metrics) else {
        return Ok(None);
    };
    let mut table = Table::default();
    match query.dimensions.as_slice() {
        [] => {
            let figures = reports.figures(site, query.range, &filters, false).await?;
            table.keys.push(Vec::new());
            table.sums.push(sums(&figures.totals));
        }
        [Dimension::Time(Interval::Day)] => {
            if !query
                .metrics
                .iter()
                .all(|m| matches!(m, Metric::Visitors | Metric::Pageviews))
            {
                return Ok(None);
            }
            let figures = reports.figures(site, query.range, &filters, false).await?;
            for (date, &(pageviews, visitors)) in query.range.dates().zip(&figures.days) {
                if pageviews > 0 || visitors > 0 {
                    table.keys.push(vec![date.to_string()]);
                    table.sums.push(Sums {
                        visitors,
                        pageviews,
                        ..Sums::default()
                    });
                }
            }
        }
        [Dimension::Time(interval @ (Interval::Week | Interval::Month))] => {
            for (label, range) in buckets(query.range, *interval) {
                let figures = reports.figures(site, range, &filters, false).await?;
                if figures.totals.visitors > 0 || figures.totals.pageviews > 0 {
                    table.keys.push(vec![label]);
                    table.sums.push(sums(&figures.totals));
                }
            }
        }
        [Dimension::Prop(prop @ (Prop::Referrer | Prop::Country))] => {
            if !query
                .metrics
                .iter()
                .all(|m| matches!(m, Metric::Visitors | Metric::Pageviews | Metric::Percentage))
            {
                return Ok(None);
            }
            let column = if *prop == Prop::Referrer {
                Column::Referrer
            } else {
                Column::Country
            };
            let figures = reports.figures(site, query.range, &filters, true).await?;
            let values = &figures.breakdowns[column as usize];
            // A full list may have left values out.
            if values.len() >= TOP {
                return Ok(None);
            }
            for value in values {
                table.keys.push(vec![value.value.clone()]);
                table.sums.push(Sums {
                    visitors: value.visitors,
                    pageviews: value.pageviews,
                    ..Sums::default()
                });
            }
        }
        _ => return Ok(None),
    }
    Ok(Some(table))
}

fn sums(totals: &crate::analytics::count::Totals) -> Sums {
    Sums {
        visitors: totals.visitors,
        pageviews: totals.pageviews,
        visits: totals.visits,
        bounce_visits: totals.visits,
        bounces: totals.bounces,
        duration_ms: totals.duration_ms,
        visit_pageviews: totals.pageviews,
        ..Sums::default()
    }
}

/// A range cut into weeks (from Monday) or months, each labelled as the
/// time dimension labels it and clipped to the range.
fn buckets(range: DateRange, interval: Interval) -> Vec<(String, DateRange)> {
    let mut out: Vec<(String, DateRange)> = Vec::new();
    for date in range.dates() {
        let start = match interval {
            Interval::Week => super::engine::week_start(date),
            _ => super::engine::month_start(date),
        }
        .max(range.start);
        match out.last_mut() {
            Some((_, bucket)) if bucket.start == start => bucket.end = date,
            _ => out.push((start.to_string(), DateRange { start, end: date })),
        }
    }
    out
}
