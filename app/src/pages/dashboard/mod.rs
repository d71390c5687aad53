//! `/sites/{id}` (the owner's dashboard) and `/share/{id}` (the same, read-only,
//! for anyone while the site is public). Rendered on the server with the real
//! numbers, then hydrated: range and filter links change the URL and the router
//! refetches the numbers without a page load.

mod chart;
mod links;
mod widgets;

use leptos::prelude::*;
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
use chart::VisitorsChart;
use widgets::{BreakdownTable, DateRangePicker, FilterChips, Row, SummaryCards};

/// Realtime visitors are refreshed this often (the rest changes with the URL).
#[cfg(feature = "hydrate")]
const REFRESH: std::time::Duration = std::time::Duration::from_secs(60);

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
        on_cleanup(move || {
            if let Some(refresh) = refresh {
                refresh.clear();
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
            points.set(
                result
                    .ok()
                    .filter(|d| d.has_events)
                    .map(|d| d.report.timeseries),
            );
        }
    });
    view! {
        <main class="mx-auto max-w-6xl space-y-6 px-6 py-8">
            <Transition fallback=|| ()>
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
                <p class="text-sm text-slate-500">
                    {d.domain} " · " {report.period.start.clone()} " to "
                    {report.period.end.clone()} " (" {report.period.timezone.clone()} ")"
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
        <FilterChips path query />
        {if d.has_events {
            view! { <SummaryCards current=report.summary previous=report.previous /> }.into_any()
        } else {
            view! { <EmptyState snippet=d.snippet /> }.into_any()
        }}
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
fn Breakdowns(d: Data) -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    let query = use_query_map().get_untracked();
    let r = d.report;
    let named = |rows: Vec<pagepulse_core::analytics::report::NameRow>| -> Vec<Row> {
        rows.into_iter()
            .map(|r| Row::new(r.name, r.visitors, None))
            .collect()
    };
    let pages = r.pages.into_iter();
    let pages = pages.map(|p| Row::new(p.path, p.visitors, Some(p.pageviews)));
    let sources = r.referrers.into_iter();
    let sources = sources.map(|s| Row::new(s.source, s.visitors, Some(s.pageviews)));
    let countries = r.countries.into_iter();
    let countries = countries.map(|c| Row::new(c.code, c.visitors, None));
    let tables: Vec<(&'static str, &'static str, Vec<Row>)> = vec![
        ("Top pages", "page", pages.collect()),
        ("Top sources", "referrer", sources.collect()),
        ("Countries", "country", countries.collect()),
        ("Browsers", "browser", named(r.browsers)),
        ("Operating systems", "os", named(r.os)),
        ("Devices", "device", named(r.devices)),
        ("UTM sources", "utm_source", named(r.utm_sources)),
        ("UTM mediums", "utm_medium", named(r.utm_mediums)),
        ("UTM campaigns", "utm_campaign", named(r.utm_campaigns)),
    ];
    let events = r.events.into_iter();
    let events: Vec<Row> = events
        .map(|e| Row::new(e.name, e.visitors, Some(e.events)))
        .collect();
    // One event selected: its properties, as "key: value".
    let props = query.get("event").map(|event| {
        let rows = r.props.into_iter();
        let rows = rows.map(|p| {
            Row::new(
                format!("{}: {}", p.key, p.value),
                p.visitors,
                Some(p.events),
            )
        });
        (format!("Properties of {event}"), rows.collect::<Vec<_>>())
    });
    view! {
        <div class="grid gap-4 md:grid-cols-2 lg:grid-cols-3">
            {tables
                .into_iter()
                .map(|(title, param, rows)| {
                    view! {
                        <BreakdownTable title param rows path=path.clone() query=query.clone() />
                    }
                })
                .collect_view()}
            <BreakdownTable
                title="Custom events"
                param="event"
                rows=events
                count="Events"
                path=path.clone()
                query=query.clone()
            />
            {props
                .map(|(title, rows)| {
                    view! {
                        <BreakdownTable
                            title
                            param="prop"
                            rows
                            count="Events"
                            plain=true
                            path
                            query
                        />
                    }
                })}
        </div>
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
