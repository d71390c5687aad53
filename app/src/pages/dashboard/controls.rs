//! The range picker and the graph's controls (interval, comparison): links
//! and forms whose answers are the same page with parameters changed.

use leptos::prelude::*;
use leptos_router::{components::Form, params::ParamsMap};
use pagepulse_core::analytics::report::PeriodInfo;

use super::links::{PERIODS, href, period_href};

/// Range links plus a custom-range form; all of them keep the filters.
#[component]
pub fn DateRangePicker(path: String, query: ParamsMap, period: PeriodInfo) -> impl IntoView {
    let current = query.get("period").unwrap_or_else(|| "30d".into());
    let kept = kept_but(&query, &["period", "start", "end"]);
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
                {hidden(kept)}
                <DatePair
                    names=("start", "end")
                    labels=("Start date", "End date")
                    values=(period.start.clone(), period.end.clone())
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
    /// The range compared with, if any.
    compared: Option<PeriodInfo>,
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
            <CustomComparison path query compared />
        </div>
    }
}

/// Compares with any range of dates: a form whose answer is a link like
/// the others (`compare=custom&compare_start=…&compare_end=…`).
#[component]
fn CustomComparison(path: String, query: ParamsMap, compared: Option<PeriodInfo>) -> impl IntoView {
    let custom = query.get("compare").as_deref() == Some("custom");
    let kept = kept_but(&query, &["compare", "compare_start", "compare_end"]);
    let (start, end) = compared.map(|c| (c.start, c.end)).unwrap_or_default();
    view! {
        <Form
            method="GET"
            action=path
            attr:class="flex items-center gap-1"
            attr:data-testid="custom-compare"
        >
            <input type="hidden" name="compare" value="custom" />
            {hidden(kept)}
            <span class=if custom {
                "font-medium text-slate-800"
            } else {
                "text-slate-600"
            }>"Compare with"</span>
            <DatePair
                names=("compare_start", "compare_end")
                labels=("Compare from", "Compare until")
                values=(start, end)
                class="rounded border border-slate-300 px-1 py-0.5"
            />
            <button
                type="submit"
                class="rounded border border-slate-300 bg-white px-2 py-0.5 hover:bg-slate-50"
            >
                "Compare"
            </button>
        </Form>
    }
}

/// A form's first and last date of a range.
#[component]
fn DatePair(
    names: (&'static str, &'static str),
    labels: (&'static str, &'static str),
    values: (String, String),
    class: &'static str,
) -> impl IntoView {
    view! {
        <input type="date" name=names.0 required value=values.0 aria-label=labels.0 class=class />
        <span>"–"</span>
        <input type="date" name=names.1 required value=values.1 aria-label=labels.1 class=class />
    }
}

/// The query's parameters but `names`, to carry through a form.
fn kept_but(query: &ParamsMap, names: &[&str]) -> Vec<(String, String)> {
    query
        .latest_values()
        .filter(|(k, _)| !names.contains(&k.as_ref()))
        .map(|(k, v)| (k.to_string(), v.to_owned()))
        .collect()
}

fn hidden(pairs: Vec<(String, String)>) -> impl IntoView {
    pairs
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
        .collect_view()
}
