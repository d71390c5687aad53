//! Visitors and pageviews per day, drawn by ECharts (served from our own
//! `/vendor/`) through charming's wasm renderer. The chart is built from data in
//! shared code; it is drawn only in the browser, and later data updates the same
//! ECharts instance instead of creating another.

use charming::{
    Chart,
    component::{Axis, Grid, Legend},
    element::{AxisType, LineStyle, LineStyleType, Tooltip, Trigger},
    series::Line,
};
use leptos::prelude::*;
use pagepulse_core::analytics::report::DayPoint;

pub const CHART_ID: &str = "visitors-chart";

/// What the graph draws: the range's buckets, and the compared range's
/// bucket for bucket (empty when nothing is compared).
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    pub points: Vec<DayPoint>,
    pub previous: Vec<DayPoint>,
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
/// Only dates and numbers go in: nothing a visitor sent can reach the tooltip.
/// The compared range's visitors are a dashed line under the same buckets.
pub fn visitors_chart(graph: &Graph) -> Chart {
    let points = &graph.points;
    let dates: Vec<String> = points.iter().map(|p| p.date.clone()).collect();
    let visitors: Vec<i64> = points.iter().map(|p| p.visitors as i64).collect();
    let pageviews: Vec<i64> = points.iter().map(|p| p.pageviews as i64).collect();
    let mut legend = vec!["Visitors", "Pageviews"];
    if !graph.previous.is_empty() {
        legend.push("Visitors before");
    }
    let mut chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().data(legend))
        // Room for the widest y-axis label, so `20,000` is never clipped.
        .grid(
            Grid::new()
                .left("8")
                .right("16")
                .top("32")
                .bottom("24")
                .contain_label(true),
        )
        .x_axis(Axis::new().type_(AxisType::Category).data(dates))
        .y_axis(Axis::new().type_(AxisType::Value).min_interval(1))
        .series(Line::new().name("Visitors").data(visitors))
        .series(Line::new().name("Pageviews").data(pageviews));
    if !graph.previous.is_empty() {
        let before: Vec<i64> = graph.previous.iter().map(|p| p.visitors as i64).collect();
        chart = chart.series(
            Line::new()
                .name("Visitors before")
                .line_style(LineStyle::new().type_(LineStyleType::Dashed))
                .data(before),
        );
    }
    chart
}

/// The chart's box; `points` is read in an effect, so only the browser draws.
#[component]
pub fn VisitorsChart(points: Signal<Option<Graph>>) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let handle = StoredValue::new_local(None::<charming::Echarts>);
        Effect::new(move |_| {
            let Some(points) = points.get() else { return };
            let chart = visitors_chart(&points);
            // On the next frame: the box may have just been un-hidden, and
            // ECharts takes its size from the box when it first draws.
            request_animation_frame(move || {
                handle.update_value(|handle| match handle {
                    Some(echarts) => charming::WasmRenderer::update(echarts, &chart),
                    None => {
                        *handle = charming::WasmRenderer::new_opt(None, None)
                            .render(CHART_ID, &chart)
                            .ok();
                    }
                });
            });
        });
        // ECharts keeps the size it was drawn at; follow the window.
        let resize =
            leptos::leptos_dom::helpers::window_event_listener(leptos::ev::resize, move |_| {
                handle.with_value(|handle| {
                    if let Some(echarts) = handle {
                        echarts.resize(leptos::wasm_bindgen::JsValue::UNDEFINED);
                    }
                });
            });
        on_cleanup(move || resize.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = points;
    view! {
        <section class="rounded-lg border border-slate-200 bg-white p-4">
            <h2 class="text-sm font-medium text-slate-600">"Visitors over time"</h2>
            <div id=CHART_ID class="h-64 w-full" data-testid="visitors-chart"></div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_holds_the_days_and_both_series() {
        let day = |date: &str, pageviews, visitors| DayPoint {
            date: date.into(),
            pageviews,
            visitors,
        };
        let graph = Graph {
            points: vec![day("2026-11-01", 5, 3), day("2026-11-02", 0, 0)],
            previous: vec![day("2026-10-30", 2, 1), day("2026-10-31", 4, 2)],
        };
        let json = serde_json::to_value(visitors_chart(&graph)).unwrap();
        assert_eq!(
            json["xAxis"]["data"],
            serde_json::json!(["2026-11-01", "2026-11-02"])
        );
        assert_eq!(json["series"][0]["name"], "Visitors");
        assert_eq!(json["series"][0]["data"], serde_json::json!([3, 0]));
        assert_eq!(json["series"][1]["data"], serde_json::json!([5, 0]));
        assert_eq!(json["series"][2]["data"], serde_json::json!([1, 2]));
        assert_eq!(json["series"][2]["lineStyle"]["type"], "dashed");
    }
}
