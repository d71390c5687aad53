//! How the graph is drawn: its buckets (`interval=`) and the metric it
//! follows (`metric=`, any top stat, as a click on one picks it).

use super::{DateRange, QueryError};

/// A graph's buckets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interval {
    Hour,
    Day,
    Week,
    Month,
}

/// Hours are graphed for ranges up to this many days.
pub const MAX_HOURLY_DAYS: i64 = 7;

impl Interval {
    pub fn parse(name: &str) -> Result<Interval, QueryError> {
        Ok(match name {
            "hour" => Interval::Hour,
            "day" => Interval::Day,
            "week" => Interval::Week,
            "month" => Interval::Month,
            _ => {
                return Err(QueryError(
                    "`interval` must be hour, day, week or month".into(),
                ));
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Interval::Hour => "hour",
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
        }
    }

    /// Plausible's choice: hours for one day, months beyond about six
    /// months, days otherwise.
    pub fn fitting(range: &DateRange) -> Interval {
        match range.days() {
            1 => Interval::Hour,
            days if days > 190 => Interval::Month,
            _ => Interval::Day,
        }
    }
}

/// A top stat the graph can follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum GraphMetric {
    #[default]
    Visitors,
    Visits,
    Pageviews,
    ViewsPerVisit,
    BounceRate,
    VisitDuration,
}

impl GraphMetric {
    pub const ALL: [GraphMetric; 6] = [
        GraphMetric::Visitors,
        GraphMetric::Visits,
        GraphMetric::Pageviews,
        GraphMetric::ViewsPerVisit,
        GraphMetric::BounceRate,
        GraphMetric::VisitDuration,
    ];

    pub fn parse(name: &str) -> Result<GraphMetric, QueryError> {
        GraphMetric::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| {
                QueryError(
                    "`metric` must be visitors, visits, pageviews, views_per_visit, \
                     bounce_rate or visit_duration"
                        .into(),
                )
            })
    }

    pub fn name(self) -> &'static str {
        match self {
            GraphMetric::Visitors => "visitors",
            GraphMetric::Visits => "visits",
            GraphMetric::Pageviews => "pageviews",
            GraphMetric::ViewsPerVisit => "views_per_visit",
            GraphMetric::BounceRate => "bounce_rate",
            GraphMetric::VisitDuration => "visit_duration",
        }
    }
}
