//! A breakdown table: the top rows, and a "Details" view of all of them with
//! a search box, sortable columns and pages. Every value a visitor sent is rendered as text, never as
//! markup; a click on a row filters the dashboard by it.

use leptos::prelude::*;
use leptos_router::params::ParamsMap;

use super::{
    details::{Column, PAGE, Pager, Sort},
    format::thousands,
    icons::{has_icons, source_icon},
    links::{display_value, href},
};

/// Rows a table shows before "Details".
pub const SHOWN: usize = 9;

/// A row of a breakdown: the raw value (for the filter link), visitors and,
/// where the widget has them, a second count and a third figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub value: String,
    pub visitors: u64,
    pub second: Option<u64>,
    /// Already formatted (a conversion rate).
    pub third: Option<String>,
}

impl Row {
    pub fn new(value: String, visitors: u64, second: Option<u64>) -> Row {
        Row {
            value,
            visitors,
            second,
            third: None,
        }
    }
}

/// What a table is: its heading, the filter a row sets, its column names.
#[derive(Clone, Debug)]
pub struct Table {
    pub title: String,
    /// The filter parameter a row click sets; `None`: rows are not filters.
    pub param: Option<String>,
    /// Names the table for tests (`table-<id>`).
    pub id: &'static str,
    pub rows: Vec<Row>,
    /// The heading of the second count: pageviews, events or visits.
    pub second: &'static str,
    pub third: &'static str,
}

impl Table {
    pub fn new(title: impl Into<String>, id: &'static str, rows: Vec<Row>) -> Table {
        Table {
            title: title.into(),
            param: Some(id.to_owned()),
            id,
            rows,
            second: "Views",
            third: "",
        }
    }

    pub fn second(self, heading: &'static str) -> Table {
        Table {
            second: heading,
            ..self
        }
    }

    pub fn third(self, heading: &'static str) -> Table {
        Table {
            third: heading,
            ..self
        }
    }

    /// Another test name, where two tables filter by one parameter.
    pub fn named(self, id: &'static str) -> Table {
        Table { id, ..self }
    }

    /// Rows filter by another parameter than the table's name.
    pub fn filtering(self, param: String) -> Table {
        Table {
            param: Some(param),
            ..self
        }
    }

    pub fn plain(self) -> Table {
        Table {
            param: None,
            ..self
        }
    }
}

#[component]
pub fn BreakdownTable(table: Table, path: String, query: ParamsMap) -> impl IntoView {
    let Table {
        title,
        param,
        id,
        rows,
        second,
        third,
    } = table;
    let details = RwSignal::new(false);
    let search = RwSignal::new(String::new());
    let sort = RwSignal::new(Sort::default());
    let page = RwSignal::new(0usize);
    let more = rows.len() > SHOWN;
    let rows = StoredValue::new(rows);
    let columns = move |rows: &[Row]| {
        (
            rows.iter().any(|r| r.second.is_some()),
            rows.iter().any(|r| r.third.is_some()),
        )
    };
    let (with_second, with_third) = rows.with_value(|r| columns(r));
    let max = rows.with_value(|r| r.iter().map(|r| r.visitors).max().unwrap_or(0).max(1));
    let icons = has_icons(id);
    let row_view = move |row: Row| {
        let width = format!("width: {}%", row.visitors * 100 / max);
        let icon = icons.then(|| source_icon(&row.value));
        let label = match &param {
            Some(param) => view! {
                <a
                    href=href(&path, &query, &[(param, Some(&row.value))])
                    class="relative hover:underline"
                    title=row.value.clone()
                >
                    {display_value(param, &row.value)}
                </a>
            }
            .into_any(),
            None => view! {
                <span class="relative" title=row.value.clone()>
                    {row.value.clone()}
                </span>
            }
            .into_any(),
        };
        view! {
            <tr class="border-t border-slate-100" data-testid="row">
                <td class="relative truncate py-1.5 pr-2">
                    <span class="absolute inset-y-1 left-0 rounded bg-indigo-50" style=width></span>
                    {icon}
                    {label}
                </td>
                <td class="py-1.5 text-right tabular-nums" data-testid="visitors">
                    {thousands(row.visitors)}
                </td>
                {with_second
                    .then(|| {
                        view! {
                            <td class="py-1.5 text-right tabular-nums">
                                {thousands(row.second.unwrap_or(0))}
                            </td>
                        }
                    })}
                {with_third
                    .then(|| {
                        view! {
                            <td class="py-1.5 text-right tabular-nums">
                                {row.third.clone().unwrap_or_default()}
                            </td>
                        }
                    })}
            </tr>
        }
    };
    // The rows the search keeps, in the chosen order.
    let found = move || {
        let needle = search.get().to_lowercase();
        let sort = sort.get();
        rows.with_value(|rows| {
            let mut found: Vec<Row> = rows
                .iter()
                .filter(|r| needle.is_empty() || r.value.to_lowercase().contains(&needle))
                .cloned()
                .collect();
            sort.apply(&mut found);
            found
        })
    };
    let pages = move || found().len().div_ceil(PAGE).max(1);
    let shown = move || {
        let found = found();
        if details.get() {
            let first = page.get().min(pages() - 1) * PAGE;
            found.into_iter().skip(first).take(PAGE).collect()
        } else {
            found.into_iter().take(SHOWN).collect::<Vec<_>>()
        }
    };
    // A column heading sorts by it; a second click turns the order round.
    let heading = move |column: Column, label: &'static str, width: &'static str| {
        view! {
            <th class=format!("{width} py-1 text-right font-medium")>
                <button
                    type="button"
                    class="uppercase hover:text-slate-800"
                    data-testid=format!("sort-{}", column.name())
                    aria-sort=move || sort.get().aria(column)
                    on:click=move |_| {
                        sort.update(|s| s.toggle(column));
                        page.set(0);
                    }
                >
                    {label}
                    {move || sort.get().arrow(column)}
                </button>
            </th>
        }
    };
    let empty = rows.with_value(Vec::is_empty);
    view! {
        <section
            class="rounded-lg border border-slate-200 bg-white p-4"
            data-testid=format!("table-{id}")
        >
            <div class="flex items-center justify-between gap-2">
                <h2 class="text-sm font-semibold">{title}</h2>
                {more
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="text-xs text-indigo-600 hover:underline"
                                data-testid="details"
                                on:click=move |_| details.update(|d| *d = !*d)
                            >
                                {move || if details.get() { "Top 9" } else { "Details" }}
                            </button>
                        }
                    })}
            </div>
            {move || {
                details
                    .get()
                    .then(|| {
                        view! {
                            <input
                                type="search"
                                placeholder="Search"
                                aria-label="Search rows"
                                data-testid="details-search"
                                class="mt-2 w-full rounded-md border border-slate-300 px-2 py-1 text-sm"
                                prop:value=move || search.get()
                                on:input=move |ev| {
                                    search.set(event_target_value(&ev));
                                    page.set(0);
                                }
                            />
                        }
                    })
            }}
            {if empty {
                view! { <p class="mt-3 text-sm text-slate-500">"Nothing yet for this period."</p> }
                    .into_any()
            } else {
                view! {
                    <div class="mt-2">
                        <table class="w-full table-fixed text-sm">
                            <thead>
                                <tr class="text-left text-xs uppercase text-slate-500">
                                    <th class="py-1 font-medium">"Name"</th>
                                    {heading(Column::Visitors, "Visitors", "w-20")}
                                    {with_second.then(|| heading(Column::Second, second, "w-20"))}
                                    {with_third.then(|| heading(Column::Third, third, "w-16"))}
                                </tr>
                            </thead>
                            <tbody>
                                {move || shown().into_iter().map(row_view.clone()).collect_view()}
                            </tbody>
                        </table>
                        {move || {
                            (details.get() && pages() > 1)
                                .then(|| view! { <Pager page pages=Signal::derive(pages) /> })
                        }}
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
}

/// Several tables in one box, one shown at a time, switched by tabs.
#[component]
pub fn TabbedTables(
    tables: Vec<Table>,
    path: String,
    query: ParamsMap,
    /// Names the box for tests (`panel-<id>`).
    id: &'static str,
) -> impl IntoView {
    let active = RwSignal::new(0usize);
    let labels: Vec<(usize, String, &'static str)> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| (i, t.title.clone(), t.id))
        .collect();
    view! {
        <div data-testid=format!("panel-{id}")>
            <div class="mb-1 flex flex-wrap gap-1 text-xs" role="tablist">
                {labels
                    .into_iter()
                    .map(|(i, label, tab)| {
                        view! {
                            <button
                                type="button"
                                role="tab"
                                data-testid=format!("tab-{tab}")
                                aria-selected=move || (active.get() == i).to_string()
                                class=move || {
                                    if active.get() == i {
                                        "rounded bg-indigo-600 px-2 py-1 text-white"
                                    } else {
                                        "rounded px-2 py-1 text-slate-600 hover:bg-slate-100"
                                    }
                                }
                                on:click=move |_| active.set(i)
                            >
                                {label}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            {tables
                .into_iter()
                .enumerate()
                .map(|(i, table)| {
                    view! {
                        <div class:hidden=move || active.get() != i>
                            <BreakdownTable table path=path.clone() query=query.clone() />
                        </div>
                    }
                })
                .collect_view()}
            // DB-IP's licence (CC BY 4.0) asks for this link where its
            // countries are shown.
            {(id == "countries")
                .then(|| {
                    view! {
                        <p class="mt-1 text-right text-xs text-slate-400">
                            <a
                                href="https://db-ip.com"
                                rel="noopener"
                                class="hover:underline"
                                data-testid="geoip-credit"
                            >
                                "IP Geolocation by DB-IP"
                            </a>
                        </p>
                    }
                })}
        </div>
    }
}
