//! What a dashboard asks: a `Period` of the site's local days and `Filters` on
//! the event columns, parsed from query parameters the same way for the REST
//! API and the pages.

use crate::error::{Classify, Failure, Kind};

pub(crate) mod filters;
pub(crate) mod period;

pub use filters::{Dimension, Filters};
pub use period::{DateRange, Period};

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
    /// Parses a URL's query string (with or without its leading `?`).
    pub fn from_query_string(query: &str) -> Result<Self, QueryError> {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
                .into_owned()
                .collect();
        Self::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

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

impl Classify for QueryError {
    fn classify(self) -> Failure {
        Failure::new(Kind::BadRequest, self)
    }
}
