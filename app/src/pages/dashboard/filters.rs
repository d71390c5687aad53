//! The filters: a chip per active one (a click removes it), and a dialog
//! that adds one of any dimension, or of a custom property, with is, is not
//! or contains.

use leptos::prelude::*;
use leptos_router::params::ParamsMap;

use super::links::{
    FILTERS, OPERATORS, PROP_PARAM, active_filters, display_value, href, spellable,
};

/// The dialog's dimension value that asks for a custom property's key.
const PROPERTY: &str = "prop";

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
                    .map(|f| {
                        let shown = f
                            .value
                            .split('|')
                            .map(|v| display_value(f.param, v))
                            .collect::<Vec<_>>()
                            .join(" or ");
                        view! {
                            <a
                                href=href(&path, &query, &[(&f.key, None)])
                                class="inline-flex items-center gap-1 rounded-full bg-indigo-50 px-3 py-1 text-sm text-indigo-800 hover:bg-indigo-100"
                                data-testid="filter-chip"
                                title="Remove this filter"
                            >
                                <span>{format!("{} {} {shown}", f.label, f.operator)}</span>
                                <span aria-hidden="true">"×"</span>
                            </a>
                        }
                    })
                    .collect_view()}
            </div>
        }
    })
}

/// Adds a filter of any dimension with is, is not or contains; several
/// values separated by `|` are alternatives. `keys` are the custom property
/// keys the range's events carry, offered as one more dimension.
#[component]
pub fn FilterDialog(path: String, query: ParamsMap, keys: Vec<String>) -> impl IntoView {
    let keys: Vec<String> = keys.into_iter().filter(|k| spellable(k)).collect();
    let open = RwSignal::new(false);
    let dimension = RwSignal::new(FILTERS[0].0.to_owned());
    let property = RwSignal::new(keys.first().cloned().unwrap_or_default());
    let operator = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let navigate = leptos_router::hooks::use_navigate();
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = value.get_untracked().trim().to_owned();
        if text.is_empty() {
            return;
        }
        let param = match dimension.get_untracked() {
            d if d == PROPERTY => format!("{PROP_PARAM}{}", property.get_untracked()),
            d => d,
        };
        let key = format!("{param}{}", operator.get_untracked());
        let target = href(&path, &query, &[(&key, Some(&text))]);
        open.set(false);
        value.set(String::new());
        navigate(&target, Default::default());
    };
    let has_keys = !keys.is_empty();
    view! {
        <div class="relative" data-testid="filter-dialog">
            <button
                type="button"
                class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50"
                data-testid="add-filter"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "+ Filter"
            </button>
            <form
                class=move || {
                    if open.get() {
                        "absolute z-10 mt-2 flex w-80 flex-col gap-2 rounded-lg border border-slate-200 bg-white p-3 shadow"
                    } else {
                        "hidden"
                    }
                }
                on:submit=apply
            >
                <select
                    aria-label="Dimension"
                    data-testid="filter-dimension"
                    class="rounded-md border border-slate-300 px-2 py-1 text-sm"
                    on:change=move |ev| dimension.set(event_target_value(&ev))
                >
                    {FILTERS
                        .iter()
                        .map(|(param, label)| view! { <option value=*param>{*label}</option> })
                        .collect_view()}
                    {has_keys.then(|| view! { <option value=PROPERTY>"Property"</option> })}
                </select>
                <select
                    aria-label="Property"
                    data-testid="filter-property"
                    class=move || {
                        if dimension.get() == PROPERTY {
                            "rounded-md border border-slate-300 px-2 py-1 text-sm"
                        } else {
                            "hidden"
                        }
                    }
                    on:change=move |ev| property.set(event_target_value(&ev))
                >
                    {keys
                        .into_iter()
                        .map(|key| {
                            let value = key.clone();
                            view! { <option value=value>{key}</option> }
                        })
                        .collect_view()}
                </select>
                <select
                    aria-label="Operator"
                    data-testid="filter-operator"
                    class="rounded-md border border-slate-300 px-2 py-1 text-sm"
                    on:change=move |ev| operator.set(event_target_value(&ev))
                >
                    {OPERATORS
                        .iter()
                        .map(|(suffix, label)| view! { <option value=*suffix>{*label}</option> })
                        .collect_view()}
                </select>
                <input
                    type="text"
                    aria-label="Value"
                    placeholder="Value (a|b for either)"
                    data-testid="filter-value"
                    class="rounded-md border border-slate-300 px-2 py-1 text-sm"
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                <button
                    type="submit"
                    class="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white"
                    data-testid="filter-apply"
                >
                    "Apply filter"
                </button>
            </form>
        </div>
    }
}
