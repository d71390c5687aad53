//! Dashboard filters on one event column or one custom property each,
//! combined with AND: is, is not or contains, each with a list of values any
//! of which it takes.

use sea_orm::{
    ColumnTrait, Condition, DbBackend, IdenStatic, QueryFilter, Select,
    sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr},
};

use super::QueryError;
use crate::{
    entities::event,
    ingest::beacon::{MAX_PROP_KEY_CHARS, MAX_PROP_VALUE_CHARS},
};

/// The dimensions a dashboard can filter on, by their query parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    Page,
    Referrer,
    Browser,
    Os,
    Device,
    Country,
    UtmSource,
    UtmMedium,
    UtmCampaign,
    /// A custom event's name; pageviews have none.
    Event,
    /// With a city GeoIP database: ISO 3166-2 code (or name) and city name.
    Region,
    City,
}

impl Dimension {
    pub const ALL: [Dimension; 12] = [
        Dimension::Page,
        Dimension::Referrer,
        Dimension::Browser,
        Dimension::Os,
        Dimension::Device,
        Dimension::Country,
        Dimension::UtmSource,
        Dimension::UtmMedium,
        Dimension::UtmCampaign,
        Dimension::Event,
        Dimension::Region,
        Dimension::City,
    ];

    pub fn param(self) -> &'static str {
        match self {
            Dimension::Page => "page",
            Dimension::Referrer => "referrer",
            Dimension::Browser => "browser",
            Dimension::Os => "os",
            Dimension::Device => "device",
            Dimension::Country => "country",
            Dimension::UtmSource => "utm_source",
            Dimension::UtmMedium => "utm_medium",
            Dimension::UtmCampaign => "utm_campaign",
            Dimension::Event => "event",
            Dimension::Region => "region",
            Dimension::City => "city",
        }
    }

    pub fn from_param(name: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.param() == name)
    }

    pub(crate) fn column(self) -> event::Column {
        match self {
            Dimension::Page => event::Column::Path,
            Dimension::Referrer => event::Column::ReferrerSource,
            Dimension::Browser => event::Column::Browser,
            Dimension::Os => event::Column::Os,
            Dimension::Device => event::Column::Device,
            Dimension::Country => event::Column::Country,
            Dimension::UtmSource => event::Column::UtmSource,
            Dimension::UtmMedium => event::Column::UtmMedium,
            Dimension::UtmCampaign => event::Column::UtmCampaign,
            Dimension::Event => event::Column::Name,
            Dimension::Region => event::Column::Region,
            Dimension::City => event::Column::City,
        }
    }

    /// The longest value the column can hold; anything longer matches nothing
    /// and is a client mistake.
    fn max_len(self) -> usize {
        match self {
            Dimension::Page => 2000,
            Dimension::Referrer => 253,
            Dimension::Browser | Dimension::Os => 64,
            Dimension::Device => 16,
            Dimension::Country => 2,
            Dimension::UtmSource | Dimension::UtmMedium | Dimension::UtmCampaign => 200,
            Dimension::Event => 120,
            Dimension::Region => crate::ingest::geo::MAX_REGION,
            Dimension::City => crate::ingest::geo::MAX_CITY,
        }
    }

    /// Referrer and UTM values may be empty: "direct" and "no campaign" are real
    /// values to filter on.
    pub(crate) fn allows_empty(self) -> bool {
        matches!(
            self,
            Dimension::Referrer
                | Dimension::UtmSource
                | Dimension::UtmMedium
                | Dimension::UtmCampaign
        )
    }
}

/// How a filter compares an event's value with its list of values; a list
/// of several is an OR: `page=/a|/b` keeps either page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Match {
    Is,
    IsNot,
    /// Case-insensitive substring.
    Contains,
    /// Plausible's `*` wildcard over the whole value: what a page goal
    /// filters by; not a query operator of its own.
    Glob,
}

impl Match {
    /// How the operator is written after the parameter's name.
    pub fn symbol(self) -> &'static str {
        match self {
            Match::Is => "=",
            Match::IsNot => "!=",
            Match::Contains => "~",
            Match::Glob => "=",
        }
    }
}

/// One filter: a dimension, how it compares and the values any of which it
/// takes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Filter {
    pub dimension: Dimension,
    pub op: Match,
    pub values: Vec<String>,
}

/// Values one filter may list (OR): enough for any hand-made comparison.
pub const MAX_VALUES: usize = 25;

/// A filter on a custom property (`prop:<key>=value`): events without the
/// property have no value, which `is not` keeps.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PropFilter {
    pub key: String,
    pub op: Match,
    pub values: Vec<String>,
}

/// The query parameter a property filter goes by: `prop:<key>`.
pub const PROP_PARAM: &str = "prop:";

/// The active filters, combined with AND, at most one per dimension (or
/// property) and operator.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters(Vec<Filter>, Vec<PropFilter>);

impl Filters {
    /// An exact match on one value: what a click on a row asks.
    pub fn set(&mut self, dimension: Dimension, value: &str) -> Result<(), QueryError> {
        self.add(dimension, Match::Is, vec![value.to_owned()])
    }

    /// Adds (or replaces) the filter on `dimension` with `op`.
    pub fn add(
        &mut self,
        dimension: Dimension,
        op: Match,
        values: Vec<String>,
    ) -> Result<(), QueryError> {
        let name = dimension.param();
        if values.is_empty() {
            return Err(QueryError(format!("filter `{name}` has no value")));
        }
        if values.len() > MAX_VALUES {
            return Err(QueryError(format!(
                "filter `{name}` lists more than {MAX_VALUES} values"
            )));
        }
        for value in &values {
            check(dimension, op, value)?;
        }
        self.0.retain(|f| (f.dimension, f.op) != (dimension, op));
        self.0.push(Filter {
            dimension,
            op,
            values,
        });
        self.0.sort();
        Ok(())
    }

    /// Keeps pageviews only, for a page goal: the `event` parameter refuses
    /// "pageview" (it names custom events), so this is the one way in.
    pub fn only_pageviews(&mut self) {
        let (dimension, op) = (Dimension::Event, Match::Is);
        self.0.retain(|f| (f.dimension, f.op) != (dimension, op));
        self.0.push(Filter {
            dimension,
            op,
            values: vec!["pageview".to_owned()],
        });
        self.0.sort();
    }

    /// Adds (or replaces) the filter on the custom property `key` with `op`.
    pub fn add_prop(
        &mut self,
        key: &str,
        op: Match,
        values: Vec<String>,
    ) -> Result<(), QueryError> {
        check_prop_key(key)?;
        let name = format!("{PROP_PARAM}{key}");
        if values.is_empty() || values.len() > MAX_VALUES {
            return Err(QueryError(format!(
                "filter `{name}` takes 1 to {MAX_VALUES} values"
            )));
        }
        for value in &values {
            let exact = matches!(op, Match::Is | Match::IsNot);
            if value.is_empty() && !exact {
                return Err(QueryError(format!("filter `{name}` must not be empty")));
            }
            if value.chars().any(char::is_control) {
                return Err(QueryError(format!(
                    "filter `{name}` contains control characters"
                )));
            }
            if value.chars().count() > MAX_PROP_VALUE_CHARS {
                return Err(QueryError(format!(
                    "filter `{name}` is longer than {MAX_PROP_VALUE_CHARS} characters"
                )));
            }
        }
        self.1.retain(|f| (f.key.as_str(), f.op) != (key, op));
        self.1.push(PropFilter {
            key: key.to_owned(),
            op,
            values,
        });
        self.1.sort();
        Ok(())
    }

    /// The filters on custom properties.
    pub fn props(&self) -> &[PropFilter] {
        &self.1
    }

    /// The value of an exact one-value filter on `dimension`.
    pub fn get(&self, dimension: Dimension) -> Option<&str> {
        self.0
            .iter()
            .find(|f| f.dimension == dimension && f.op == Match::Is && f.values.len() == 1)
            .map(|f| f.values[0].as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Filter> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty() && self.1.is_empty()
    }

    /// The one filter, when it is an exact match on one value: what the
    /// rollups' slices hold (never a property's).
    pub fn single(&self) -> Option<(Dimension, &str)> {
        match self.0.as_slice() {
            [f] if self.1.is_empty() && f.op == Match::Is && f.values.len() == 1 => {
                Some((f.dimension, f.values[0].as_str()))
            }
            _ => None,
        }
    }

    pub(crate) fn apply(
        &self,
        mut select: Select<event::Entity>,
        backend: DbBackend,
    ) -> Select<event::Entity> {
        for filter in &self.0 {
            select = select.filter(filter.condition(backend));
        }
        for filter in &self.1 {
            select = select.filter(filter.condition(backend));
        }
        select
    }
}

impl PropFilter {
    /// The property's value read from the event's JSON object of strings.
    fn value(&self, backend: DbBackend) -> SimpleExpr {
        match backend {
            // Keys never hold a double quote or a backslash
            // (`check_prop_key`), so the quoted path label reads the key as it is.
            DbBackend::Sqlite => Expr::cust_with_values(
                "json_extract(\"props\", ?)",
                [format!("$.\"{}\"", self.key)],
            ),
            // PostgreSQL's placeholders are numbered (`?` is a jsonb operator).
            _ => Expr::cust_with_values("(CAST(\"props\" AS jsonb) ->> $1)", [self.key.clone()]),
        }
    }

    fn condition(&self, backend: DbBackend) -> Condition {
        let value = || self.value(backend);
        let values = self.values.iter().cloned();
        match self.op {
            Match::Is => Condition::all().add(value().is_in(values)),
            Match::IsNot => Condition::any()
                .add(value().is_null())
                .add(value().is_not_in(values)),
            Match::Contains | Match::Glob => {
                self.values.iter().fold(Condition::any(), |any, text| {
                    let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
                    any.add(
                        Expr::expr(Func::lower(value())).like(LikeExpr::new(pattern).escape('\\')),
                    )
                })
            }
        }
    }
}

/// A key a property filter can name: as a beacon may send it, without a
/// double quote or a backslash (SQLite's JSON paths read both specially).
fn check_prop_key(key: &str) -> Result<(), QueryError> {
    if key.is_empty() {
        return Err(QueryError(
            "a `prop:` filter needs a key: `prop:plan=pro`".into(),
        ));
    }
    if key.chars().count() > MAX_PROP_KEY_CHARS {
        return Err(QueryError(format!(
            "property keys are at most {MAX_PROP_KEY_CHARS} characters"
        )));
    }
    if key.contains(['"', '\\']) || key.chars().any(char::is_control) {
        return Err(QueryError(
            "a property key to filter by must not hold a double quote, a backslash or control characters"
                .into(),
        ));
    }
    Ok(())
}

impl Filter {
    fn condition(&self, backend: DbBackend) -> Condition {
        let column = self.dimension.column();
        let values = self.values.iter().cloned();
        match self.op {
            Match::Is => Condition::all().add(column.is_in(values)),
            // A missing country is not any country.
            Match::IsNot => Condition::any()
                .add(column.is_null())
                .add(column.is_not_in(values)),
            Match::Contains => self.values.iter().fold(Condition::any(), |any, value| {
                let pattern = format!("%{}%", escape_like(&value.to_lowercase()));
                any.add(
                    Expr::expr(Func::lower(Expr::col(column)))
                        .like(LikeExpr::new(pattern).escape('\\')),
                )
            }),
            Match::Glob => self.values.iter().fold(Condition::any(), |any, value| {
                any.add(glob_condition(column, value, backend))
            }),
        }
    }
}

/// `*` matches any run of characters, case-sensitively, as a page goal
/// does: SQLite's `GLOB` is case-sensitive, PostgreSQL's `LIKE` too.
fn glob_condition(column: event::Column, pattern: &str, backend: DbBackend) -> SimpleExpr {
    // Runs of stars are one wildcard; the pieces between are literal.
    let pieces: Vec<&str> = pattern.split('*').collect();
    let join = |wildcard: &str, escape: fn(&str) -> String| -> String {
        let mut out = String::new();
        for (i, piece) in pieces.iter().enumerate() {
            if i > 0 && (i == 1 || !pieces[i - 1].is_empty()) {
                out.push_str(wildcard);
            }
            out.push_str(&escape(piece));
        }
        out
    };
    match backend {
        DbBackend::Sqlite => Expr::cust_with_values(
            format!("\"{}\" GLOB ?", column.as_str()),
            [join("*", escape_glob)],
        ),
        _ => Expr::col(column).like(LikeExpr::new(join("%", escape_like)).escape('\\')),
    }
}

fn escape_glob(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '?' | '[' => format!("[{c}]"),
            c => c.to_string(),
        })
        .collect()
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A value the dimension can hold, or what is wrong with it.
fn check(dimension: Dimension, op: Match, value: &str) -> Result<(), QueryError> {
    let name = dimension.param();
    let exact = matches!(op, Match::Is | Match::IsNot);
    if value.is_empty() && !(exact && dimension.allows_empty()) {
        return Err(QueryError(format!("filter `{name}` must not be empty")));
    }
    if value.chars().any(char::is_control) {
        return Err(QueryError(format!(
            "filter `{name}` contains control characters"
        )));
    }
    if exact {
        match dimension {
            Dimension::Page if !value.starts_with('/') => {
                return Err(QueryError(
                    "filter `page` must be a path starting with /".into(),
                ));
            }
            Dimension::Device if !matches!(value, "desktop" | "mobile" | "tablet") => {
                return Err(QueryError(
                    "filter `device` must be desktop, mobile or tablet".into(),
                ));
            }
            Dimension::Event if value == "pageview" => {
                return Err(QueryError(
                    "filter `event` names a custom event; a pageview is not one".into(),
                ));
            }
            Dimension::Country
                if value.len() != 2 || !value.bytes().all(|b| b.is_ascii_uppercase()) =>
            {
                return Err(QueryError(
                    "filter `country` must be a two-letter code such as US".into(),
                ));
            }
            _ => {}
        }
    }
    if value.chars().count() > dimension.max_len() {
        return Err(QueryError(format!(
            "filter `{name}` is longer than {} characters",
            dimension.max_len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_good_values_and_explains_bad_ones() {
        let mut filters = Filters::default();
        filters.set(Dimension::Referrer, "").unwrap();
        filters.set(Dimension::Country, "US").unwrap();
        filters
            .set(Dimension::Page, "/<script>alert(1)</script>")
            .unwrap();
        assert_eq!(filters.get(Dimension::Referrer), Some(""));
        assert_eq!(filters.iter().count(), 3);

        let error = |d, v: &str| Filters::default().set(d, v).unwrap_err().0;
        assert!(error(Dimension::Country, "usa").contains("two-letter"));
        assert!(error(Dimension::Country, "us").contains("two-letter"));
        assert!(error(Dimension::Device, "phone").contains("desktop, mobile or tablet"));
        assert!(error(Dimension::Page, "pricing").contains("starting with /"));
        assert!(error(Dimension::Browser, "").contains("must not be empty"));
        assert!(error(Dimension::Os, "Linux\0").contains("control"));
        assert!(error(Dimension::Page, &format!("/{}", "a".repeat(2000))).contains("longer"));
    }
}
