//! What a dashboard asks for, parsed from query parameters.

use super::{Dimension, Filters, Period};

/// A query the client got wrong; the message says what to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

/// What a dashboard asks for: a period and filters, parsed from query parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyticsQuery {
    pub period: Period,
    pub filters: Filters,
}

impl AnalyticsQuery {
    /// Parses `period`, `start`, `end` and the filter parameters. Unknown
    /// parameters are ignored (as by Plausible); a parameter given twice is an error.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, QueryError> {
        let mut seen = std::collections::HashSet::new();
        let (mut period, mut start, mut end) = (None, None, None);
        let mut filters = Filters::default();
        for (key, value) in pairs {
            if !seen.insert(key) {
                return Err(QueryError(format!(
                    "parameter `{key}` is given more than once"
                )));
            }
            match key {
                "period" => period = Some(value),
                "start" => start = Some(value),
                "end" => end = Some(value),
                _ => {
                    if let Some(dimension) = Dimension::from_param(key) {
                        filters.set(dimension, value)?;
                    }
                }
            }
        }
        let period = Period::parse(period.unwrap_or("30d"), start, end)?;
        Ok(AnalyticsQuery { period, filters })
    }
}
