//! The dashboard's pieces: summary cards, the range picker, filter chips and
//! the breakdown tables. Every value a visitor sent (paths, referrers, UTM
//! values) is rendered as text, never as markup.

use leptos::prelude::*;
use leptos_router::{components::Form, params::ParamsMap};
use pagepulse_core::analytics::report::{PeriodInfo, Summary};

use super::links::{PERIODS, active_filters, display_value, href, period_href};

#[component]
pub fn SummaryCards(current: Summary, previous: Summary) -> impl IntoView {
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
                    let change = Summary::change(now, before);
                    let tone = match change {
                        Some(c) if (c > 0.0) == up_is_good && c != 0.0 => "text-emerald-600",
                        Some(c) if c != 0.0 => "text-rose-600",
                        _ => "text-slate-400",
                    };
                    view! {
                        <div
                            class="rounded-lg border border-slate-200 bg-white p-4"
                            data-testid=format!("stat-{id}")
                        >
                            <p class="text-xs font-medium uppercase tracking-wide text-slate-500">
                                {label}
                            </p>
                            <p class="mt-1 text-2xl font-semibold" data-testid="value">
                                {format.show(now)}
                            </p>
                            <p class=format!("mt-1 text-xs {tone}") data-testid="change">
                                {match change {
                                    Some(c) => {
                                        format!(
                                            "{}{:.0}% vs previous period",
                                            if c >= 0.0 { "+" } else { "−" },
                                            c.abs(),
                                        )
                                    }
                                    None => "no previous data".to_owned(),
                                }}
                            </p>
                        </div>
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
    fn show(self, value: f64) -> String {
        match self {
            Format::Count => format!("{value:.0}"),
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
    let kept: Vec<(String, String)> = active_filters(&query)
        .into_iter()
        .map(|(param, _, value)| (param.to_owned(), value))
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

/// One chip per active filter, each a link that removes it.
#[component]
pub fn FilterChips(path: String, query: ParamsMap) -> impl IntoView {
    let filters = active_filters(&query);
    (!filters.is_empty()).then(|| {
        view! {
            <div class="flex flex-wrap items-center gap-2" data-testid="filters">
                <span class="text-sm text-slate-500">"Filtered by"</span>
                {filters
                    .into_iter()
                    .map(|(param, label, value)| {
                        view! {
                            <a
                                href=href(&path, &query, &[(param, None)])
                                class="inline-flex items-center gap-1 rounded-full bg-indigo-50 px-3 py-1 text-sm text-indigo-800 hover:bg-indigo-100"
                                data-testid="filter-chip"
                                title="Remove this filter"
                            >
                                <span>{format!("{label}: {}", display_value(param, &value))}</span>
                                <span aria-hidden="true">"×"</span>
                            </a>
                        }
                    })
                    .collect_view()}
            </div>
        }
    })
}

/// A row of a breakdown: the raw value (for the filter link), visitors and,
/// where the widget has them, pageviews.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub value: String,
    pub visitors: u64,
    pub pageviews: Option<u64>,
}

impl Row {
    pub fn new(value: String, visitors: u64, pageviews: Option<u64>) -> Row {
        Row {
            value,
            visitors,
            pageviews,
        }
    }
}

/// A top list; clicking a row filters the dashboard by it.
#[component]
pub fn BreakdownTable(
    #[prop(into)] title: String,
    /// The filter parameter a row click sets.
    param: &'static str,
    rows: Vec<Row>,
    path: String,
    query: ParamsMap,
    /// The heading of the second count: pageviews, or a custom event's events.
    #[prop(default = "Views")]
    count: &'static str,
    /// Rows are not filters (an event's properties).
    #[prop(optional)]
    plain: bool,
) -> impl IntoView {
    let with_pageviews = rows.iter().any(|r| r.pageviews.is_some());
    let max = rows.iter().map(|r| r.visitors).max().unwrap_or(0).max(1);
    view! {
        <section
            class="rounded-lg border border-slate-200 bg-white p-4"
            data-testid=format!("table-{param}")
        >
            <h2 class="text-sm font-semibold">{title}</h2>
            {if rows.is_empty() {
                view! { <p class="mt-3 text-sm text-slate-500">"Nothing yet for this period."</p> }
                    .into_any()
            } else {
                view! {
                    <table class="mt-2 w-full table-fixed text-sm">
                        <thead>
                            <tr class="text-left text-xs uppercase text-slate-500">
                                <th class="py-1 font-medium">"Name"</th>
                                <th class="w-20 py-1 text-right font-medium">"Visitors"</th>
                                {with_pageviews
                                    .then(|| {
                                        view! {
                                            <th class="w-20 py-1 text-right font-medium">{count}</th>
                                        }
                                    })}
                            </tr>
                        </thead>
                        <tbody>
                            {rows
                                .into_iter()
                                .map(|row| {
                                    let width = format!("width: {}%", row.visitors * 100 / max);
                                    view! {
                                        <tr class="border-t border-slate-100" data-testid="row">
                                            <td class="relative truncate py-1.5 pr-2">
                                                <span
                                                    class="absolute inset-y-1 left-0 rounded bg-indigo-50"
                                                    style=width
                                                ></span>
                                                {if plain {
                                                    view! {
                                                        <span class="relative" title=row.value.clone()>
                                                            {row.value.clone()}
                                                        </span>
                                                    }
                                                        .into_any()
                                                } else {
                                                    view! {
                                                        <a
                                                            href=href(&path, &query, &[(param, Some(&row.value))])
                                                            class="relative hover:underline"
                                                            title=row.value.clone()
                                                        >
                                                            {display_value(param, &row.value)}
                                                        </a>
                                                    }
                                                        .into_any()
                                                }}
                                            </td>
                                            <td class="py-1.5 text-right tabular-nums">
                                                {row.visitors}
                                            </td>
                                            {with_pageviews
                                                .then(|| {
                                                    view! {
                                                        <td class="py-1.5 text-right tabular-nums">
                                                            {row.pageviews.unwrap_or(0)}
                                                        </td>
                                                    }
                                                })}
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </section>
    }
}
