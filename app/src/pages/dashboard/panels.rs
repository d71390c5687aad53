//! The breakdown panels below the graph, as Plausible lays them out: goal
//! conversions, pages (top, entry, exit), sources (and channels),
//! countries, devices, campaigns (UTM source to content), custom events,
//! custom properties and an event's properties.

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_location, use_query_map},
    params::ParamsMap,
};
use pagepulse_core::analytics::report::{EntryRow, NameRow, PropRow, Revenue};

use super::{
    format::money,
    funnel::FunnelPanel,
    links::{PROP_PARAM, href, spellable},
    table::{BreakdownTable, Row, TabbedTables, Table},
};
use crate::api::analytics::DashboardData as Data;

fn named(rows: Vec<NameRow>) -> Vec<Row> {
    rows.into_iter()
        .map(|r| Row::new(r.name, r.visitors, None))
        .collect()
}

/// Entry or exit pages, with the bounce or exit rate each carries.
fn entries(rows: Vec<EntryRow>) -> Vec<Row> {
    rows.into_iter()
        .map(|r| Row {
            third: r
                .bounce_rate
                .or(r.exit_rate)
                .map(|rate| format!("{rate:.0}%")),
            ..Row::new(r.path, r.visitors, Some(r.visits))
        })
        .collect()
}

#[component]
pub fn Breakdowns(d: Data) -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    let query = use_query_map().get_untracked();
    let r = d.report;
    // The realtime view counts only its pages and sources.
    let live = r.is_realtime();
    let revenues: Vec<(String, Revenue)> = r
        .goals
        .iter()
        .filter_map(|g| Some((g.name.clone(), g.revenue.clone()?)))
        .collect();
    let goals: Vec<Row> = r
        .goals
        .into_iter()
        .map(|g| Row {
            third: Some(format!("{:.1}%", g.conversion_rate)),
            ..Row::new(g.name, g.visitors, Some(g.events))
        })
        .collect();
    let pages = r.pages.into_iter();
    let pages = pages.map(|p| Row::new(p.path, p.visitors, Some(p.pageviews)));
    let sources = r.referrers.into_iter();
    let sources = sources.map(|s| Row::new(s.source, s.visitors, Some(s.pageviews)));
    let countries = r.countries.into_iter();
    let countries = countries.map(|c| Row::new(c.code, c.visitors, None));
    let regions = r.regions.into_iter();
    let regions = regions.map(|c| Row::new(c.code, c.visitors, None));
    let events = r.events.into_iter();
    let events = events.map(|e| Row::new(e.name, e.visitors, Some(e.events)));
    let mut panels: Vec<(&'static str, Vec<Table>)> = vec![
        (
            "pages",
            vec![
                Table::new("Top pages", "page", pages.collect()),
                Table::new("Entry pages", "page", entries(r.entry_pages))
                    .second("Visits")
                    .third("Bounce")
                    .named("entry_page"),
                Table::new("Exit pages", "page", entries(r.exit_pages))
                    .second("Visits")
                    .third("Exit rate")
                    .named("exit_page"),
            ],
        ),
        (
            "sources",
            vec![
                Table::new("Top sources", "referrer", sources.collect()),
                Table::new("Channels", "channel", named(r.channels)).plain(),
            ],
        ),
        (
            "countries",
            vec![
                Table::new("Countries", "country", countries.collect()),
                Table::new("Regions", "region", regions.collect()),
                Table::new("Cities", "city", named(r.cities)),
            ],
        ),
        (
            "devices",
            vec![
                Table::new("Browsers", "browser", named(r.browsers)),
                Table::new("Operating systems", "os", named(r.os)),
                Table::new("Devices", "device", named(r.devices)),
            ],
        ),
        (
            "campaigns",
            vec![
                Table::new("UTM sources", "utm_source", named(r.utm_sources)),
                Table::new("UTM mediums", "utm_medium", named(r.utm_mediums)),
                Table::new("UTM campaigns", "utm_campaign", named(r.utm_campaigns)),
                Table::new("UTM terms", "utm_term", named(r.utm_terms)).plain(),
                Table::new("UTM contents", "utm_content", named(r.utm_contents)).plain(),
            ],
        ),
        (
            "events",
            vec![Table::new("Custom events", "event", events.collect()).second("Events")],
        ),
    ];
    if live {
        panels.truncate(2);
        for (_, tables) in &mut panels {
            tables.truncate(1);
        }
    }
    // One event selected: its properties, as "key: value".
    let props = query.get("event").map(|event| {
        let rows = r.props.into_iter().map(|p| {
            Row::new(
                format!("{}: {}", p.key, p.value),
                p.visitors,
                Some(p.events),
            )
        });
        Table::new(format!("Properties of {event}"), "prop", rows.collect())
            .second("Events")
            .plain()
    });
    let properties = (!live && !r.property_keys.is_empty()).then(|| {
        view! {
            <PropertiesPanel
                keys=r.property_keys
                rows=r.properties
                path=path.clone()
                query=query.clone()
            />
        }
    });
    let goals = (!goals.is_empty()).then(|| {
        Table::new("Goal conversions", "goal", goals)
            .second("Total")
            .third("CR")
    });
    view! {
        {(!live)
            .then(|| {
                view! {
                    <FunnelPanel
                        funnels=d.funnels
                        funnel=d.funnel
                        path=path.clone()
                        query=query.clone()
                    />
                }
            })}
        <div class="grid gap-4 md:grid-cols-2 lg:grid-cols-3">
            {goals
                .map(|table| {
                    view! { <BreakdownTable table path=path.clone() query=query.clone() /> }
                })} {(!revenues.is_empty()).then(|| view! { <GoalRevenue revenues /> })}
            {panels
                .into_iter()
                .map(|(id, tables)| {
                    view! { <TabbedTables id tables path=path.clone() query=query.clone() /> }
                })
                .collect_view()} {properties}
            {props.map(|table| view! { <BreakdownTable table path query /> })}
        </div>
    }
}

/// One custom property's values: a key picked from those the range's
/// events carry (kept in the URL as `property`), a click on a value
/// filters by it.
#[component]
fn PropertiesPanel(
    keys: Vec<String>,
    rows: Vec<PropRow>,
    path: String,
    query: ParamsMap,
) -> impl IntoView {
    let chosen = query
        .get("property")
        .or_else(|| keys.first().cloned())
        .unwrap_or_default();
    let mut keys = keys;
    if !keys.contains(&chosen) {
        keys.insert(0, chosen.clone());
    }
    let navigate = leptos_router::hooks::use_navigate();
    let pick = {
        let (path, query) = (path.clone(), query.clone());
        move |ev: leptos::ev::Event| {
            let key = event_target_value(&ev);
            navigate(
                &href(&path, &query, &[("property", Some(&key))]),
                Default::default(),
            );
        }
    };
    let rows = rows
        .into_iter()
        .map(|p| Row::new(p.value, p.visitors, Some(p.events)))
        .collect();
    let table = Table::new("Properties", "properties", rows).second("Events");
    // A key the filter's parameter cannot spell is shown, not offered as a filter.
    let table = if spellable(&chosen) {
        table.filtering(format!("{PROP_PARAM}{chosen}"))
    } else {
        table.plain()
    };
    view! {
        <div data-testid="panel-properties">
            <label class="mb-1 flex items-center gap-2 text-xs text-slate-600">
                "Property"
                <select
                    class="rounded border border-slate-300 bg-white px-1 py-0.5"
                    data-testid="property-key"
                    on:change=pick
                >
                    {keys
                        .into_iter()
                        .map(|key| {
                            let selected = key == chosen;
                            let value = key.clone();
                            view! {
                                <option value=value selected=selected>
                                    {key}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <BreakdownTable table path query />
        </div>
    }
}

/// What the revenue goals brought in, in each goal's currency.
#[component]
fn GoalRevenue(revenues: Vec<(String, Revenue)>) -> impl IntoView {
    view! {
        <section class="rounded-lg border border-slate-200 bg-white p-4" data-testid="goal-revenue">
            <h2 class="text-sm font-semibold">"Revenue"</h2>
            <table class="mt-2 w-full table-fixed text-sm">
                <thead>
                    <tr class="text-left text-xs uppercase text-slate-500">
                        <th class="py-1 font-medium">"Goal"</th>
                        <th class="w-28 py-1 text-right font-medium">"Total"</th>
                        <th class="w-24 py-1 text-right font-medium">"Average"</th>
                    </tr>
                </thead>
                <tbody>
                    {revenues
                        .into_iter()
                        .map(|(name, revenue)| {
                            let title = name.clone();
                            view! {
                                <tr class="border-t border-slate-100" data-testid="revenue-row">
                                    <td class="truncate py-1.5" title=title>
                                        {name}
                                    </td>
                                    <td
                                        class="py-1.5 text-right tabular-nums"
                                        data-testid="revenue-total"
                                    >
                                        {format!("{} {}", revenue.currency, money(revenue.total))}
                                    </td>
                                    <td
                                        class="py-1.5 text-right tabular-nums"
                                        data-testid="revenue-average"
                                    >
                                        {format!("{} {}", revenue.currency, money(revenue.average))}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}
