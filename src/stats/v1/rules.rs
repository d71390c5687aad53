//! Which metrics v1 answers where, with Plausible's refusals word for word.

use crate::stats::{
    StatsError, invalid,
    query::{Filter, Metric, Prop},
};

const METRICS_URL: &str = "https://plausible.io/docs/stats-api#metrics";

/// The metrics v1 knows.
const V1: [Metric; 9] = [
    Metric::Visitors,
    Metric::Visits,
    Metric::Pageviews,
    Metric::ViewsPerVisit,
    Metric::BounceRate,
    Metric::VisitDuration,
    Metric::Events,
    Metric::ConversionRate,
    Metric::TimeOnPage,
];

/// Parses `metrics` and checks each against the filters and the breakdown
/// property (`None` for aggregate and timeseries).
pub fn metrics(
    text: Option<&str>,
    filter: Option<&Filter>,
    property: Option<&Prop>,
) -> Result<Vec<Metric>, StatsError> {
    let mut metrics = Vec::new();
    for name in text.unwrap_or("visitors").split(',').map(str::trim) {
        let Some(metric) = Metric::parse(name).filter(|m| V1.contains(m)) else {
            return invalid(format!(
                "The metric `{name}` is not recognized. Find valid metrics from the documentation: {METRICS_URL}"
            ));
        };
        if metrics.contains(&metric) {
            return invalid("Metrics cannot be queried multiple times.");
        }
        metrics.push(metric);
    }
    let filtered = |prop: &Prop| filter.is_some_and(|f| f.mentions(prop));
    let event_only = |prop: &Prop| matches!(prop, Prop::Name | Prop::Goal | Prop::Custom(_));
    let event_filter = filter.and_then(|f| {
        f.conditions()
            .into_iter()
            .find(|c| event_only(&c.prop))
            .map(|c| c.prop.name())
    });
    for &metric in &metrics {
        let name = metric.name();
        if metric == Metric::ViewsPerVisit {
            if filtered(&Prop::Page) {
                return invalid(
                    "Metric `views_per_visit` cannot be queried with a filter on `event:page`.",
                );
            }
            if property.is_some() {
                return invalid("Metric `views_per_visit` is not supported in breakdown queries.");
            }
        }
        if metric.is_session() {
            if let Some(prop) = property.filter(|p| event_only(p)) {
                return invalid(format!(
                    "Session metric `{name}` cannot be queried for breakdown by `{}`.",
                    prop.name()
                ));
            }
            if let Some(prop) = &event_filter {
                return invalid(format!(
                    "Session metric `{name}` cannot be queried when using a filter on `{prop}`."
                ));
            }
        }
        if metric == Metric::ConversionRate
            && property != Some(&Prop::Goal)
            && !filtered(&Prop::Goal)
        {
            return invalid(
                "Metric `conversion_rate` can only be queried in a goal breakdown or with a goal filter",
            );
        }
        if metric == Metric::TimeOnPage {
            if filtered(&Prop::Goal) {
                return invalid(
                    "Metric `time_on_page` cannot be queried when filtering by `event:goal`",
                );
            }
            if filtered(&Prop::Name) {
                return invalid(
                    "Metric `time_on_page` cannot be queried when filtering by `event:name`",
                );
            }
            match property {
                Some(Prop::Page) => {}
                Some(_) => {
                    return invalid(
                        "Metric `time_on_page` is not supported in breakdown queries (except `event:page` breakdown)",
                    );
                }
                None if filtered(&Prop::Page) => {}
                None => {
                    return invalid(
                        "Metric `time_on_page` can only be queried in a page breakdown or with a page filter.",
                    );
                }
            }
        }
    }
    Ok(metrics)
}
