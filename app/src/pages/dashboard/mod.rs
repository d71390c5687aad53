//! `/sites/{id}` (the owner's dashboard) and `/share/{id}` (the same, read-only,
//! for anyone while the site is public). Rendered on the server with the real
//! numbers, then hydrated: range and filter links change the URL and the router
//! refetches the numbers without a page load.

mod chart;
mod controls;
mod details;
mod filters;
mod format;
mod funnel;
mod icons;
mod links;
mod panels;
mod table;
mod widgets;

use leptos::prelude::*;
use leptos_meta::Link;
use leptos_router::{
    components::Redirect,
    hooks::{use_location, use_params_map, use_query_map},
};

use crate::{
    api::{
        AppError,
        analytics::{DashboardData as Data, get_dashboard},
    },
    components::{RequireUser, Snippet},
};
#[cfg(feature = "hydrate")]
use chart::Graph;
use chart::VisitorsChart;
use controls::{DateRangePicker, GraphControls};
use filters::{FilterChips, FilterDialog};
use panels::Breakdowns;
use widgets::SummaryCards;

/// Realtime visitors are refreshed this often (the rest changes with the URL).
#[cfg(feature = "hydrate")]
const REFRESH: std::time::Duration = std::time::Duration::from_secs(60);
/// The realtime view's figures are refreshed this often.
#[cfg(feature = "hydrate")]
const LIVE_REFRESH: std::time::Duration = std::time::Duration::from_secs(10);

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <RequireUser>
            <Dashboard shared=false />
        </RequireUser>
    }
}

#[component]
pub fn SharePage() -> impl IntoView {
    view! { <Dashboard shared=true /> }
}

#[component]
fn Dashboard(shared: bool) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let id = params.read().get("id").unwrap_or_default();
        (id, query.read().to_query_string())
    };
    let data = Resource::new(key, move |(id, query)| get_dashboard(id, shared, query));
    // The latest realtime count, once refreshed; `None` shows the report's own.
    let realtime = RwSignal::new(None::<u64>);
    #[cfg(feature = "hydrate")]
    {
        let tick = move || {
            let (id, query) = untrack(key);
            leptos::task::spawn_local(async move {
                if let Ok(count) = crate::api::analytics::get_realtime(id, shared, query).await {
                    realtime.set(Some(count));
                }
            });
        };
        let refresh = set_interval_with_handle(tick, REFRESH).ok();
        // The realtime view refreshes whole, in place.
        let live = move || {
            if query.with_untracked(|q| q.get_str("period") == Some("realtime")) {
                data.refetch();
            }
        };
        let live = set_interval_with_handle(live, LIVE_REFRESH).ok();
        on_cleanup(move || {
            for handle in [refresh, live].into_iter().flatten() {
                handle.clear();
            }
        });
    }
    // The chart lives outside the transitions so its ECharts instance survives
    // new data. It is fed from an effect (browser only): reading the resource
    // here would subscribe an enclosing Suspense to it and re-create the page.
    let points = RwSignal::new(None);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(result) = data.get() {
            realtime.set(None);
            points.set(result.ok().filter(|d| d.has_events).map(|d| Graph {
                metric: d.report.metric,
                points: d.report.timeseries,
                previous: d.report.previous_timeseries,
            }));
        }
    });
    // While a new answer is on its way the old figures stay, dimmed.
    let pending = RwSignal::new(false);
    view! {
        // Fetched early: the chart draws once the hydrated page has it.
        <Link rel="preload" href=chart::ECHARTS_JS as_="script" />
        <main
            class="mx-auto max-w-6xl space-y-6 px-6 py-8 transition-opacity"
            class:opacity-60=move || pending.get()
            aria-busy=move || pending.get().to_string()
        >
            <Transition fallback=|| () set_pending=pending.write_only()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <Overview d shared realtime /> }.into_any(),
                        Err(AppError::Unauthorized) => {
                            view! { <Redirect path="/login" /> }.into_any()
                        }
                        Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                        Err(e) => view! { <BadQuery message=e.to_string() /> }.into_any(),
                    }
                })}
            </Transition>
            <div class=move || if points.with(Option::is_some) { "" } else { "hidden" }>
                <VisitorsChart points=points.into() />
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) if d.has_events => view! { <Breakdowns d /> }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// The heading, range picker, filters and summary (or, before the first event,
/// the snippet to install).
#[component]
fn Overview(d: Data, shared: bool, realtime: RwSignal<Option<u64>>) -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    let query = use_query_map().get_untracked();
    let report = d.report;
    let reported = report.realtime_visitors;
    view! {
        <header class="flex flex-wrap items-end justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold" data-testid="site-name">
                    {d.name}
                </h1>
                <p class="text-sm text-slate-500" data-testid="period-text">
                    {d.domain}
                    " · "
                    {if report.is_realtime() {
                        "the last 30 minutes".to_owned()
                    } else {
                        format!("{} to {}", report.period.start, report.period.end)
                    }}
                    " ("
                    {report.period.timezone.clone()}
                    ")"
                </p>
            </div>
            <div class="flex items-center gap-4 text-sm">
                <span class="inline-flex items-center gap-2" data-testid="realtime">
                    <span class="h-2 w-2 rounded-full bg-emerald-500"></span>
                    <span data-testid="realtime-count">
                        {move || realtime.get().unwrap_or(reported)}
                    </span>
                    " current visitors"
                </span>
                {(!shared)
                    .then(|| {
                        let export = format!(
                            "/api/v1/sites/{}/export.csv{}",
                            d.site_id,
                            query.to_query_string(),
                        );
                        let settings = format!("/sites/{}/settings", d.site_id);
                        view! {
                            <a
                                href=export
                                rel="external"
                                class="text-indigo-600 hover:underline"
                                data-testid="export"
                            >
                                "Export CSV"
                            </a>
                            <a href=settings class="text-indigo-600 hover:underline">
                                "Settings"
                            </a>
                        }
                    })}
            </div>
        </header>
        <DateRangePicker path=path.clone() query=query.clone() period=report.period.clone() />
        <div class="flex flex-wrap items-center gap-3">
            <FilterDialog path=path.clone() query=query.clone() keys=report.property_keys.clone() />
            <FilterChips path=path.clone() query=query.clone() />
        </div>
        {if d.has_events {
            let compared = report
                .compared
                .as_ref()
                .map(|_| match query.get("compare").as_deref() {
                    Some("year_over_year") => "last year",
                    Some("custom") => "compared range",
                    _ => "previous period",
                });
            let days = days_between(&report.period.start, &report.period.end);
            let live = report.is_realtime();
            let compared_range = report.compared.clone();
            view! {
                <SummaryCards
                    current=report.summary
                    previous=report.previous
                    compared
                    path=path.clone()
                    query=query.clone()
                    metric=report.metric.clone()
                />
                {(!live)
                    .then(|| {
                        view! {
                            <GraphControls
                                path
                                query
                                interval=report.interval.clone()
                                days
                                compared=compared_range
                            />
                        }
                    })}
            }
                .into_any()
        } else {
            view! { <EmptyState snippet=d.snippet /> }.into_any()
        }}
    }
}

/// Days from `start` to `end` inclusive (dates as `YYYY-MM-DD`), worked out
/// by hand: the wasm carries no date library.
fn days_between(start: &str, end: &str) -> i64 {
    // Days since 1970-01-01 of a proleptic Gregorian date.
    fn day_number(date: &str) -> Option<i64> {
        let mut parts = date.splitn(3, '-').map(str::parse::<i64>);
        let (y, m, d) = (
            parts.next()?.ok()?,
            parts.next()?.ok()?,
            parts.next()?.ok()?,
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(era * 146_097 + doe - 719_468)
    }
    match (day_number(start), day_number(end)) {
        (Some(start), Some(end)) => end - start + 1,
        _ => 0,
    }
}

#[component]
fn EmptyState(snippet: Option<String>) -> impl IntoView {
    view! {
        <section class="space-y-4" data-testid="empty-state">
            <p class="text-slate-600">"No visits recorded yet."</p>
            {snippet.map(|snippet| view! { <Snippet snippet /> })}
        </section>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    crate::components::answer_not_found();
    view! {
        <h1 class="text-2xl font-semibold">"Dashboard not found"</h1>
        <p class="text-slate-600">"This site does not exist, or its dashboard is not shared."</p>
    }
}

/// A URL with a bad period, date or filter: say what is wrong and offer a way out.
#[component]
fn BadQuery(message: String) -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    view! {
        <p class="rounded-md bg-rose-50 p-4 text-rose-800" data-testid="dashboard-error">
            {message}
        </p>
        <a href=path class="text-indigo-600 hover:underline">
            "Show the last 30 days"
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::days_between;

    #[test]
    fn ranges_count_their_days() {
        assert_eq!(days_between("2026-12-07", "2026-12-07"), 1);
        assert_eq!(days_between("2026-02-27", "2026-03-01"), 3);
        assert_eq!(days_between("2024-02-27", "2024-03-01"), 4, "a leap year");
        assert_eq!(days_between("2025-12-31", "2026-01-06"), 7);
        assert_eq!(days_between("nonsense", "2026-01-06"), 0);
    }
}
