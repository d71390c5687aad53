//! The dashboard's summary cards. Every value a visitor sent (paths, referrers, UTM
//! values) is rendered as text, never as markup.

use leptos::prelude::*;
use leptos_router::params::ParamsMap;
use pagepulse_core::analytics::report::Summary;

use super::{
    format::{change as show_change, compact, thousands},
    links::href,
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
