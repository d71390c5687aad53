//! The dashboard's pieces: summary cards, the range picker, filter chips and
//! the breakdown tables. Every value a visitor sent (paths, referrers, UTM
//! values) is rendered as text, never as markup.

use leptos::prelude::*;
use leptos_router::{components::Form, params::ParamsMap};
use pagepulse_core::analytics::report::{PeriodInfo, Summary};

use super::{
    format::{change as show_change, compact, thousands},
    links::{PERIODS, href, period_href},
};

#[component]
pub fn SummaryCards(
    current: Summary,
    previous: Summary,
    /// What `previous` is: "previous period", "last year", …; `None` when
    /// nothing is compared.
    compared: Option<&'static str>,
    path: String,
    query: ParamsMap,
    /// The metric the graph follows; a click on another card graphs that one.
    metric: String,
) -> impl IntoView {
    let cards = [
        (
            "visitors",
            "Unique visitors",
            current.visitors as f64,
            previous.visitors as f64,
            Format::Count,
            true,
        ),
        (
            "visits",
            "Visits",
            current.visits as f64,
            previous.visits as f64,
            Format::Count,
            true,
        ),
        (
            "pageviews",
            "Pageviews",
            current.pageviews as f64,
            previous.pageviews as f64,
            Format::Count,
            true,
        ),
        (
            "views-per-visit",
            "Views per visit",
            current.views_per_visit,
            previous.views_per_visit,
            Format::Ratio,
            true,
        ),
        (
            "bounce-rate",
            "Bounce rate",
            current.bounce_rate,
            previous.bounce_rate,
            Format::Percent,
            false,
        ),
        (
            "visit-duration",
            "Visit duration",
            current.visit_duration,
            previous.visit_duration,
            Format::Duration,
            true,
        ),
    ];
    view! {
        <section class="grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-6">
            {cards
                .into_iter()
                .map(|(id, label, now, before, format, up_is_good)| {
                    let change = compared.and_then(|_| Summary::change(now, before));
                    let tone = match change.map(f64::round) {
                        Some(c) if c != 0.0 && (c > 0.0) == up_is_good => "text-emerald-600",
                        Some(c) if c != 0.0 => "text-rose-600",
                        _ => "text-slate-400",
                    };
                    let name = id.replace('-', "_");
                    let graphed = name == metric;
                    let link = href(&path, &query, &[("metric", Some(&name))]);
                    let ring = if graphed {
                        "border-indigo-500 ring-1 ring-indigo-500"
                    } else {
                        "border-slate-200 hover:border-indigo-300"
                    };
                    view! {
                        <a
                            href=link
                            class=format!("block rounded-lg border bg-white p-4 {ring}")
                            aria-current=graphed.then_some("true")
                            title=format!("Graph {}", label.to_lowercase())
                            data-testid=format!("stat-{id}")
                        >
                            <p class="text-xs font-medium uppercase tracking-wide text-slate-500">
                                {label}
                            </p>
                            <p
                                class="mt-1 text-2xl font-semibold"
                                data-testid="value"
                                title=format.exact(now)
                            >
                                {format.show(now)}
                            </p>
                            <p class=format!("mt-1 text-xs {tone}") data-testid="change">
                                {match (change, compared) {
                                    (Some(c), Some(what)) => format!("{} vs {what}", show_change(c)),
                                    (None, Some(_)) => "no previous data".to_owned(),
                                    (_, None) => "not compared".to_owned(),
                                }}
                            </p>
                        </a>
                    }
                })
                .collect_view()}
        </section>
        <p class="mt-2 text-xs text-slate-500">
            "Visitors are counted without cookies by a hash that changes every day, so someone who comes back on three days counts as three visitors."
        </p>
    }
}

#[derive(Clone, Copy)]
enum Format {
    Count,
    Ratio,
    Percent,
    Duration,
}

impl Format {
    /// What the card shows: counts compact (662k).
    fn show(self, value: f64) -> String {
        match self {
            Format::Count => compact(value.max(0.0).round() as u64),
            other => other.exact(value),
        }
    }

    /// The exact figure, on hover.
    fn exact(self, value: f64) -> String {
        match self {
            Format::Count => thousands(value.max(0.0).round() as u64),
            Format::Ratio => format!("{value:.2}"),
            Format::Percent => format!("{value:.0}%"),
            Format::Duration => {
                let secs = value.round() as u64;
                if secs >= 60 {
                    format!("{}m {:02}s", secs / 60, secs % 60)
                } else {
                    format!("{secs}s")
                }
            }
        }
    }
}

/// Range links plus a custom-range form; all of them keep the filters.
#[component]
pub fn DateRangePicker(path: String, query: ParamsMap, period: PeriodInfo) -> impl IntoView {
    let current = query.get("period").unwrap_or_else(|| "30d".into());
    let kept: Vec<(String, String)> = query
        .latest_values()
        .filter(|(k, _)| !matches!(k.as_ref(), "period" | "start" | "end"))
        .map(|(k, v)| (k.to_string(), v.to_owned()))
        .collect();
    view! {
        <nav
            class="flex flex-wrap items-center gap-2"
            aria-label="Date range"
            data-testid="date-range"
        >
            {PERIODS
                .iter()
                .map(|(value, label)| {
                    let active = current == *value;
                    let class = if active {
                        "rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white"
                    } else {
                        "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50"
                    };
                    view! {
                        <a
                            href=period_href(&path, &query, value)
                            class=class
                            aria-current=active.then_some("page")
                            data-testid=format!("period-{value}")
                        >
                            {*label}
                        </a>
                    }
                })
                .collect_view()}
            <Form
                method="GET"
                action=path.clone()
                attr:class="flex items-center gap-1 text-sm"
                attr:data-testid="custom-range"
            >
                <input type="hidden" name="period" value="custom" />
                {kept
                    .into_iter()
                    .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
                    .collect_view()}
                <input
                    type="date"
                    name="start"
                    required
                    value=period.start.clone()
                    aria-label="Start date"
                    class="rounded-md border border-slate-300 px-2 py-1"
                />
                <span>"–"</span>
                <input
                    type="date"
                    name="end"
                    required
                    value=period.end.clone()
                    aria-label="End date"
                    class="rounded-md border border-slate-300 px-2 py-1"
                />
                <button
                    type="submit"
                    class="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50"
                >
                    "Apply"
                </button>
            </Form>
        </nav>
    }
}

/// The graph's interval and what it is compared with: links, like the
/// range picker, so the state stays in the URL.
#[component]
pub fn GraphControls(
    path: String,
    query: ParamsMap,
    /// The interval the report was shaped by.
    interval: String,
    /// Days the range covers: hours are offered up to a week.
    days: i64,
) -> impl IntoView {
    let compare = query
        .get("compare")
        .unwrap_or_else(|| "previous_period".into());
    let matched = query.get("match_day_of_week").as_deref() == Some("true");
    let link = |active: bool| {
        if active {
            "rounded bg-slate-800 px-2 py-1 text-white"
        } else {
            "rounded px-2 py-1 text-slate-600 hover:bg-slate-100"
        }
    };
    let intervals = [
        ("hour", "Hours"),
        ("day", "Days"),
        ("week", "Weeks"),
        ("month", "Months"),
    ];
    let compares = [
        ("previous_period", "Previous period"),
        ("year_over_year", "Year over year"),
        ("off", "No comparison"),
    ];
    view! {
        <div
            class="flex flex-wrap items-center justify-between gap-2 text-xs"
            data-testid="graph-controls"
        >
            <nav class="flex items-center gap-1" aria-label="Interval">
                {intervals
                    .into_iter()
                    .filter(|(name, _)| *name != "hour" || days <= 7)
                    .map(|(name, label)| {
                        view! {
                            <a
                                href=href(&path, &query, &[("interval", Some(name))])
                                class=link(interval == name)
                                data-testid=format!("interval-{name}")
                            >
                                {label}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            <nav class="flex items-center gap-1" aria-label="Comparison">
                {compares
                    .into_iter()
                    .map(|(name, label)| {
                        view! {
                            <a
                                href=href(
                                    &path,
                                    &query,
                                    &[
                                        ("compare", Some(name)),
                                        ("compare_start", None),
                                        ("compare_end", None),
                                    ],
                                )
                                class=link(compare == name)
                                data-testid=format!("compare-{name}")
                            >
                                {label}
                            </a>
                        }
                    })
                    .collect_view()}
                <a
                    href=href(
                        &path,
                        &query,
                        &[("match_day_of_week", if matched { None } else { Some("true") })],
                    )
                    class=link(matched)
                    data-testid="match-weekday"
                >
                    "Match day of week"
                </a>
            </nav>
        </div>
    }
}
