//! The funnel panel: the site's funnels to pick from (a link each, so the
//! pick is in the URL) and the picked one's steps: visitors, conversion
//! from the first step, and who dropped off since the step before.

use leptos::prelude::*;
use leptos_router::params::ParamsMap;
use pagepulse_core::analytics::report::FunnelReport;

use super::{format::thousands, links::href};

#[component]
pub fn FunnelPanel(
    funnels: Vec<(i64, String)>,
    funnel: Option<FunnelReport>,
    path: String,
    query: ParamsMap,
) -> impl IntoView {
    let picked = query.get("funnel");
    (!funnels.is_empty()).then(|| {
        let first = funnel
            .as_ref()
            .and_then(|f| f.steps.first())
            .map_or(0, |s| s.visitors)
            .max(1);
        view! {
            <section
                class="rounded-lg border border-slate-200 bg-white p-4"
                data-testid="funnel-panel"
            >
                <div class="flex flex-wrap items-center gap-2">
                    <h2 class="text-sm font-semibold">"Funnels"</h2>
                    {funnels
                        .into_iter()
                        .map(|(id, name)| {
                            let id = id.to_string();
                            let active = picked.as_deref() == Some(id.as_str());
                            view! {
                                <a
                                    href=href(&path, &query, &[("funnel", Some(&id))])
                                    class=if active {
                                        "rounded bg-indigo-600 px-2 py-1 text-xs text-white"
                                    } else {
                                        "rounded px-2 py-1 text-xs text-slate-600 hover:bg-slate-100"
                                    }
                                    data-testid="funnel-choice"
                                >
                                    {name}
                                </a>
                            }
                        })
                        .collect_view()}
                </div>
                {match funnel {
                    None => {
                        view! {
                            <p class="mt-2 text-sm text-slate-500">
                                "Pick a funnel to see how visitors went through its steps."
                            </p>
                        }
                            .into_any()
                    }
                    Some(funnel) => {
                        view! {
                            <ol class="mt-3 space-y-2" data-testid="funnel-steps">
                                {funnel
                                    .steps
                                    .into_iter()
                                    .enumerate()
                                    .map(|(k, step)| {
                                        let width = format!(
                                            "width: {}%",
                                            step.visitors * 100 / first,
                                        );
                                        view! {
                                            <li class="text-sm" data-testid="funnel-step">
                                                <div class="flex justify-between gap-2">
                                                    <span class="truncate" title=step.name.clone()>
                                                        {format!("{}. {}", k + 1, step.name)}
                                                    </span>
                                                    <span class="tabular-nums">
                                                        <span data-testid="step-visitors">
                                                            {thousands(step.visitors)}
                                                        </span>
                                                        " visitors · "
                                                        {format!("{:.1}%", step.conversion_rate)}
                                                        {(k > 0)
                                                            .then(|| {
                                                                format!(" · −{} dropped", thousands(step.dropoff))
                                                            })}
                                                    </span>
                                                </div>
                                                <div class="mt-1 h-2 rounded bg-slate-100">
                                                    <div class="h-2 rounded bg-indigo-500" style=width></div>
                                                </div>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ol>
                        }
                            .into_any()
                    }
                }}
            </section>
        }
    })
}
