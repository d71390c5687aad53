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
/// bucket for bucket (empty when nothing is compared), each point's `value`
/// being the figure of `metric`.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    pub metric: String,
    pub points: Vec<DayPoint>,
    pub previous: Vec<DayPoint>,
}

/// A metric's name as the graph's legend says it.
pub fn metric_label(metric: &str) -> &'static str {
    match metric {
        "visits" => "Visits",
        "pageviews" => "Pageviews",
        "views_per_visit" => "Views per visit",
        "bounce_rate" => "Bounce rate (%)",
        "visit_duration" => "Visit duration (s)",
        _ => "Visitors",
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
/// Only dates and numbers go in: nothing a visitor sent can reach the tooltip.
/// The compared range is a dashed line under the same buckets.
pub fn visitors_chart(graph: &Graph) -> Chart {
    let label = metric_label(&graph.metric);
    let before = format!("{label}, compared");
    let dates: Vec<String> = graph.points.iter().map(|p| p.date.clone()).collect();
    let values = |points: &[DayPoint]| -> Vec<f64> { points.iter().map(|p| p.value).collect() };
    let mut legend = vec![label.to_owned()];
    if !graph.previous.is_empty() {
        legend.push(before.clone());
    }
    let whole = matches!(graph.metric.as_str(), "visitors" | "visits" | "pageviews");
    let mut y_axis = Axis::new().type_(AxisType::Value);
    if whole {
        y_axis = y_axis.min_interval(1);
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
        .y_axis(y_axis)
        .series(Line::new().name(label).data(values(&graph.points)));
    if !graph.previous.is_empty() {
        chart = chart.series(
            Line::new()
                .name(before)
                .line_style(LineStyle::new().type_(LineStyleType::Dashed))
                .data(values(&graph.previous)),
        );
    }
    chart
}

/// Where our ECharts build (only the parts the graph uses) is served.
pub const ECHARTS_JS: &str = "/vendor/echarts.js";

/// Runs `draw` once ECharts is loaded. Only pages with a chart load it: the
/// first chart adds its script (our own origin, so the page's policy lets it
/// run) and draws when it has run.
#[cfg(feature = "hydrate")]
fn with_echarts(draw: impl FnOnce() + 'static) {
    use leptos::wasm_bindgen::{JsCast, closure::Closure};
    let loaded = js_sys::Reflect::get(&window(), &"echarts".into())
        .is_ok_and(|echarts| !echarts.is_undefined());
    if loaded {
        return draw();
    }
    let document = document();
    let script = document.get_element_by_id("echarts-js").or_else(|| {
        let script = document.create_element("script").ok()?;
        script.set_id("echarts-js");
        script.set_attribute("src", ECHARTS_JS).ok()?;
        document.head()?.append_child(&script).ok()?;
        Some(script)
    });
    if let Some(script) = script {
        let draw = Closure::once_into_js(draw);
        let _ = script.add_event_listener_with_callback("load", draw.unchecked_ref());
    }
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
                with_echarts(move || {
                    handle.try_update_value(|handle| match handle {
                        Some(echarts) => charming::WasmRenderer::update(echarts, &chart),
                        None => {
                            *handle = charming::WasmRenderer::new_opt(None, None)
                                .render(CHART_ID, &chart)
                                .ok();
                        }
                    });
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
            <h2 class="text-sm font-medium text-slate-600" data-testid="visitors-chart-title">
                {move || {
                    points.with(|g| metric_label(g.as_ref().map_or("visitors", |g| &g.metric)))
                }}
                " over time"
            </h2>
            <div id=CHART_ID class="h-64 w-full" data-testid="visitors-chart"></div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_draws_the_metric_and_the_compared_range_dashed() {
        let day = |date: &str, value| DayPoint {
            date: date.into(),
            value,
            ..DayPoint::default()
        };
        let graph = Graph {
            metric: "bounce_rate".into(),
            points: vec![day("2026-11-01", 40.0), day("2026-11-02", 0.0)],
            previous: vec![day("2026-10-30", 55.0), day("2026-10-31", 60.0)],
        };
        let json = serde_json::to_value(visitors_chart(&graph)).unwrap();
        assert_eq!(
            json["xAxis"]["data"],
            serde_json::json!(["2026-11-01", "2026-11-02"])
        );
        assert_eq!(json["series"][0]["name"], "Bounce rate (%)");
        assert_eq!(json["series"][0]["data"], serde_json::json!([40.0, 0.0]));
        assert_eq!(json["series"][1]["name"], "Bounce rate (%), compared");
        assert_eq!(json["series"][1]["data"], serde_json::json!([55.0, 60.0]));
        assert_eq!(json["series"][1]["lineStyle"]["type"], "dashed");
    }
}
