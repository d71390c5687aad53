//! What a dashboard asks: a `Period` of the site's local days and `Filters` on
//! the event columns, parsed from query parameters the same way for the REST
//! API and the pages.

use crate::error::{Classify, Failure, Kind};

pub(crate) mod filters;
mod graph;
pub(crate) mod period;

pub use filters::{Dimension, Filter, Filters, Match, PROP_PARAM, PropFilter};
pub use graph::{GraphMetric, Interval, MAX_HOURLY_DAYS};
pub use period::{DateRange, Period};

/// A query the client got wrong; the message says what to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

/// What a dashboard asks for: a period, filters, how its graph is bucketed
/// and what it is compared with, parsed from query parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyticsQuery {
    pub period: Period,
    pub filters: Filters,
    /// `None`: chosen from the range's length (`Interval::fitting`).
    pub interval: Option<Interval>,
    pub compare: Compare,
    /// A goal's name: the report counts only the visits that completed it.
    pub goal: Option<String>,
    /// The comparison starts on the same day of the week as the period.
    pub match_day_of_week: bool,
    /// The top-stat metric the graph draws (`metric=`).
    pub metric: GraphMetric,
    /// The custom property key whose values the Properties report lists
    /// (`property=`); `None`: the key most events carry.
    pub property: Option<String>,
}

/// What the period is compared with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Compare {
    #[default]
    PreviousPeriod,
    YearOverYear,
    Custom(DateRange),
    Off,
}

impl AnalyticsQuery {
    /// The range the period's `range` is compared with; `None` when off.
    pub fn compared(&self, range: DateRange) -> Option<DateRange> {
        match self.compare {
            Compare::Off => None,
            Compare::PreviousPeriod if self.match_day_of_week => Some(range.previous_weeks()),
            Compare::PreviousPeriod => Some(range.previous()),
            Compare::YearOverYear => Some(range.year_before(self.match_day_of_week)),
            Compare::Custom(other) => Some(other),
        }
    }

    /// Parses a URL's query string (with or without its leading `?`).
    pub fn from_query_string(query: &str) -> Result<Self, QueryError> {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
                .into_owned()
                .collect();
        Self::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// Parses `period`, `start`, `end`, `interval`, `compare` (with
    /// `compare_start`, `compare_end`, `match_day_of_week`), `metric`, `goal`,
    /// `property` and the filters: `page=/a|/b` (is any of), `page!=/x` (is
    /// none of), `page~docs` (contains), `prop:plan=pro` (a custom
    /// property). Unknown parameters are ignored (as by Plausible); a
    /// parameter given twice is an error.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, QueryError> {
        let mut seen = std::collections::HashSet::new();
        let mut named: std::collections::HashMap<&str, &str> = Default::default();
        let mut filters = Filters::default();
        for (key, value) in pairs {
            if !seen.insert(key) {
                return Err(QueryError(format!(
                    "parameter `{key}` is given more than once"
                )));
            }
            if let Some((name, op, values)) = filter_param(key, value) {
                match name {
                    Filtered::Column(dimension) => filters.add(dimension, op, values)?,
                    Filtered::Prop(key) => filters.add_prop(key, op, values)?,
                }
            } else {
                named.insert(key, value);
            }
        }
        let get = |name: &str| named.get(name).copied();
        let period = Period::parse(get("period").unwrap_or("30d"), get("start"), get("end"))?;
        let interval = get("interval").map(Interval::parse).transpose()?;
        let matched = match get("match_day_of_week") {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(QueryError(
                    "`match_day_of_week` must be true or false".into(),
                ));
            }
        };
        let compare = match get("compare") {
            None | Some("previous_period") => Compare::PreviousPeriod,
            Some("year_over_year") => Compare::YearOverYear,
            Some("off") => Compare::Off,
            Some("custom") => {
                Compare::Custom(compared_dates(get("compare_start"), get("compare_end"))?)
            }
            Some(_) => {
                return Err(QueryError(
                    "`compare` must be previous_period, year_over_year, custom or off".into(),
                ));
            }
        };
        let metric = get("metric")
            .map(GraphMetric::parse)
            .transpose()?
            .unwrap_or_default();
        let goal = match get("goal") {
            Some("") => return Err(QueryError("filter `goal` must not be empty".into())),
            goal => goal.map(str::to_owned),
        };
        let property = match get("property") {
            Some("") => return Err(QueryError("`property` must name a key".into())),
            property => property.map(str::to_owned),
        };
        Ok(AnalyticsQuery {
            property,
            period,
            filters,
            interval,
            compare,
            goal,
            match_day_of_week: matched,
            metric,
        })
    }
}

/// `compare_start` and `compare_end`, checked as a custom period's dates are.
fn compared_dates(start: Option<&str>, end: Option<&str>) -> Result<DateRange, QueryError> {
    let renamed = |e: QueryError| {
        QueryError(format!(
            "compare=custom: {}",
            e.0.replace("`start`", "`compare_start`")
                .replace("`end`", "`compare_end`")
        ))
    };
    match Period::parse("custom", start, end).map_err(renamed)? {
        Period::Custom(range) => Ok(range),
        _ => Err(QueryError(
            "compare=custom needs `compare_start` and `compare_end`".into(),
        )),
    }
}

/// What a filter parameter names: a column, or a custom property's key.
enum Filtered<'a> {
    Column(Dimension),
    Prop(&'a str),
}

/// A filter parameter as a decoded pair: `page=/a|/b` arrives as
/// (`page`, `/a|/b`), `page!=/x` as (`page!`, `/x`), `page~docs` as
/// (`page~docs`, empty); `prop:plan=pro` names the property `plan`.
fn filter_param<'a>(key: &'a str, value: &str) -> Option<(Filtered<'a>, Match, Vec<String>)> {
    let (name, op, text) = if let Some((name, rest)) = key.split_once('~') {
        let text = match (rest.is_empty(), value.is_empty()) {
            (_, true) => rest.to_owned(),
            (true, false) => value.to_owned(),
            (false, false) => format!("{rest}={value}"),
        };
        (name, Match::Contains, text)
    } else if let Some(name) = key.strip_suffix('!') {
        (name, Match::IsNot, value.to_owned())
    } else {
        (key, Match::Is, value.to_owned())
    };
    let named = match name.strip_prefix(PROP_PARAM) {
        Some(key) => Filtered::Prop(key),
        None => Filtered::Column(Dimension::from_param(name)?),
    };
    Some((named, op, split_values(&text)))
}

/// `a|b` is two values; `a\|b` is one with a bar in it.
fn split_values(text: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some('|' | '\\')) => {
                current.extend(chars.next());
            }
            '|' => values.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    values.push(current);
    values
}

impl Classify for QueryError {
    fn classify(self) -> Failure {
        Failure::new(Kind::BadRequest, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<AnalyticsQuery, QueryError> {
        AnalyticsQuery::from_query_string(query)
    }

    #[test]
    fn filters_read_their_operator_and_alternatives() {
        let q = parse("page!=/x&browser~fire&os=Linux|Mac\\|OS&utm_source~=news").unwrap();
        let filters: Vec<(Dimension, Match, Vec<String>)> = q
            .filters
            .iter()
            .map(|f| (f.dimension, f.op, f.values.clone()))
            .collect();
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(filters.contains(&(Dimension::Page, Match::IsNot, strings(&["/x"]))));
        assert!(filters.contains(&(Dimension::Browser, Match::Contains, strings(&["fire"]))));
        assert!(filters.contains(&(Dimension::Os, Match::Is, strings(&["Linux", "Mac|OS"]))));
        assert!(filters.contains(&(Dimension::UtmSource, Match::Contains, strings(&["news"]))));
        assert_eq!(q.filters.single(), None);
        assert_eq!(
            parse("page=/a").unwrap().filters.single(),
            Some((Dimension::Page, "/a"))
        );
        assert_eq!(parse("page=/a|/b").unwrap().filters.single(), None);
        assert!(parse("page=/a&page!=/b").is_ok(), "is and is not may meet");
    }

    #[test]
    fn interval_and_comparison_are_checked() {
        let q = parse("period=7d&interval=week&compare=year_over_year").unwrap();
        assert_eq!(q.interval, Some(Interval::Week));
        assert_eq!(q.compare, Compare::YearOverYear);
        assert!(parse("interval=minute").unwrap_err().0.contains("interval"));
        assert!(
            parse("compare=custom")
                .unwrap_err()
                .0
                .contains("compare_start")
        );
        assert!(parse("match_day_of_week=yes").is_err());
        let range = DateRange {
            start: "2026-03-02".parse().unwrap(),
            end: "2026-03-11".parse().unwrap(),
        };
        let matched = parse("match_day_of_week=true")
            .unwrap()
            .compared(range)
            .unwrap();
        assert_eq!(matched.start.to_string(), "2026-02-16", "two weeks back");
        assert_eq!(parse("compare=off").unwrap().compared(range), None);
        assert_eq!(
            Interval::fitting(&DateRange {
                start: range.start,
                end: range.start
            }),
            Interval::Hour
        );
    }
}
