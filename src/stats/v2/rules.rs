//! Plausible's refusals of metrics that the dimensions and filters cannot
//! answer, word for word.

use crate::stats::{
    Filter, StatsError, invalid,
    query::{Dimension, Metric, Prop},
};

/// Plausible's refusals of metrics the dimensions and filters cannot answer.
pub(super) fn validate(
    metrics: &[Metric],
    dimensions: &[Dimension],
    filter: Option<&Filter>,
) -> Result<(), StatsError> {
    let filtered = |prop: &Prop| filter.is_some_and(|f| f.mentions(prop));
    let has = |prop: &Prop| dimensions.contains(&Dimension::Prop(prop.clone()));
    let event_dims: Vec<String> = dimensions
        .iter()
        .filter_map(|d| match d {
            Dimension::Prop(p) if p.is_event() => Some(p.name()),
            _ => None,
        })
        .collect();
    let session_only = [
        Prop::EntryPage,
        Prop::ExitPage,
        Prop::EntryPageHostname,
        Prop::ExitPageHostname,
    ];
    let session_dims: Vec<String> = dimensions
        .iter()
        .filter_map(|d| match d {
            Dimension::Prop(p) if session_only.contains(p) => Some(p.name()),
            _ => None,
        })
        .collect();
    let quote = |names: &[String]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for &metric in metrics {
        let name = metric.name();
        match metric {
            Metric::ConversionRate | Metric::GroupConversionRate
                if !filtered(&Prop::Goal) && !has(&Prop::Goal) =>
            {
                return invalid(format!(
                    "Metric `{name}` can only be queried with event:goal filters or dimensions."
                ));
            }
            Metric::ScrollDepth | Metric::TimeOnPage
                if !filtered(&Prop::Page) && !has(&Prop::Page) =>
            {
                return invalid(format!(
                    "Metric `{name}` can only be queried with event:page filters or dimensions."
                ));
            }
            Metric::ViewsPerVisit if filtered(&Prop::Page) => {
                return invalid(
                    "Metric `views_per_visit` cannot be queried with a filter on `event:page`.",
                );
            }
            Metric::ViewsPerVisit if !dimensions.is_empty() => {
                return invalid("Metric `views_per_visit` cannot be queried with `dimensions`.");
            }
            _ => {}
        }
    }
    let session: Vec<String> = metrics
        .iter()
        .filter(|m| {
            matches!(
                m,
                Metric::BounceRate | Metric::VisitDuration | Metric::ViewsPerVisit
            )
        })
        .map(|m| m.name().to_owned())
        .collect();
    let page_alone = event_dims == ["event:page"];
    if !session.is_empty() && !event_dims.is_empty() && !page_alone {
        return invalid(format!(
            "Session metric(s) {} cannot be queried along with event dimension(s) {}",
            quote(&session),
            quote(&event_dims)
        ));
    }
    let event: Vec<String> = metrics
        .iter()
        .filter(|m| {
            matches!(
                m,
                Metric::Pageviews
                    | Metric::Events
                    | Metric::ScrollDepth
                    | Metric::TimeOnPage
                    | Metric::TotalRevenue
                    | Metric::AverageRevenue
            )
        })
        .map(|m| m.name().to_owned())
        .collect();
    if !event.is_empty() && !session_dims.is_empty() {
        return invalid(format!(
            "Event metric(s) {} cannot be queried along with session dimension(s) {}",
            quote(&event),
            quote(&session_dims)
        ));
    }
    Ok(())
}
