//! A group's counts before any division, and the metrics derived from them.

use crate::stats::query::Metric;

/// Counts before any division, per group.
#[derive(Clone, Debug, Default)]
pub struct Sums {
    pub visitors: i64,
    pub pageviews: i64,
    pub events: i64,
    pub visits: i64,
    /// Visits a bounce rate divides by: with a page filter, only the visits
    /// that entered on a matching page (as Plausible counts it).
    pub bounce_visits: i64,
    pub bounces: i64,
    pub duration_ms: i64,
    /// Pageviews of the visits counted in `visits`, for views per visit.
    pub visit_pageviews: i64,
    pub scroll_sum: i64,
    pub scroll_count: i64,
    pub engaged_ms: i64,
    pub engaged_count: i64,
    pub revenue: f64,
    pub revenue_events: i64,
    pub currency: Option<String>,
}

impl Sums {
    /// Adds another part's counts (another day's: visitors of different
    /// days are different visitors).
    pub fn add(&mut self, other: Sums) {
        self.visitors += other.visitors;
        self.pageviews += other.pageviews;
        self.events += other.events;
        self.visits += other.visits;
        self.bounce_visits += other.bounce_visits;
        self.bounces += other.bounces;
        self.duration_ms += other.duration_ms;
        self.visit_pageviews += other.visit_pageviews;
        self.scroll_sum += other.scroll_sum;
        self.scroll_count += other.scroll_count;
        self.engaged_ms += other.engaged_ms;
        self.engaged_count += other.engaged_count;
        self.revenue += other.revenue;
        self.revenue_events += other.revenue_events;
        if self.currency.is_none() {
            self.currency = other.currency;
        }
    }
}

/// A query's answer before metrics are derived: its groups, in the order
/// first met, each with its dimension values.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub keys: Vec<Vec<String>>,
    pub sums: Vec<Sums>,
}

impl Table {
    /// Adds another part's groups (another day's: visitors of different UTC
    /// days are different visitors).
    pub fn merge(&mut self, other: Table) {
        let mut index: rustc_hash::FxHashMap<Vec<String>, usize> = self
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        for (key, sums) in other.keys.into_iter().zip(other.sums) {
            super::groups::join(self, &mut index, key, sums);
        }
    }

    pub fn find(&self, key: &[String]) -> Option<&Sums> {
        self.keys
            .iter()
            .position(|k| k == key)
            .map(|i| &self.sums[i])
    }
}

/// What a metric comes to for one group; `base` is the group's visitors
/// before goal filters (a conversion rate's denominator), `total` the whole
/// range's visitors.
pub fn metric(metric: Metric, sums: &Sums, base: i64, total: i64) -> f64 {
    let ratio = |a: i64, b: i64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    match metric {
        Metric::Visitors => sums.visitors as f64,
        Metric::Visits => sums.visits as f64,
        Metric::Pageviews => sums.pageviews as f64,
        Metric::Events => sums.events as f64,
        Metric::ViewsPerVisit => ratio(sums.visit_pageviews, sums.visits),
        Metric::BounceRate => 100.0 * ratio(sums.bounces, sums.bounce_visits),
        Metric::VisitDuration => ratio(sums.duration_ms, sums.visits) / 1000.0,
        Metric::ConversionRate | Metric::GroupConversionRate => 100.0 * ratio(sums.visitors, base),
        Metric::Percentage => 100.0 * ratio(sums.visitors, total),
        Metric::TimeOnPage => ratio(sums.engaged_ms, sums.engaged_count) / 1000.0,
        Metric::ScrollDepth => ratio(sums.scroll_sum, sums.scroll_count),
        Metric::TotalRevenue => sums.revenue,
        Metric::AverageRevenue => {
            if sums.revenue_events == 0 {
                0.0
            } else {
                sums.revenue / sums.revenue_events as f64
            }
        }
    }
}
