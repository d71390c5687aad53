//! Dashboard filters: exact matches on one event column each, combined with AND.

use sea_orm::{ColumnTrait, QueryFilter, Select};

use super::QueryError;
use crate::entities::event;

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
}

impl Dimension {
    pub const ALL: [Dimension; 10] = [
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

/// The active filters, at most one value per dimension.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters(Vec<(Dimension, String)>);

impl Filters {
    pub fn set(&mut self, dimension: Dimension, value: &str) -> Result<(), QueryError> {
        let name = dimension.param();
        if value.is_empty() && !dimension.allows_empty() {
            return Err(QueryError(format!("filter `{name}` must not be empty")));
        }
        if value.chars().any(char::is_control) {
            return Err(QueryError(format!(
                "filter `{name}` contains control characters"
            )));
        }
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
        if value.chars().count() > dimension.max_len() {
            return Err(QueryError(format!(
                "filter `{name}` is longer than {} characters",
                dimension.max_len()
            )));
        }
        self.0.retain(|(d, _)| *d != dimension);
        self.0.push((dimension, value.to_owned()));
        self.0.sort();
        Ok(())
    }

    pub fn get(&self, dimension: Dimension) -> Option<&str> {
        self.0
            .iter()
            .find(|(d, _)| *d == dimension)
            .map(|(_, v)| v.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (Dimension, &str)> {
        self.0.iter().map(|(d, v)| (*d, v.as_str()))
    }

    pub(crate) fn apply(&self, mut select: Select<event::Entity>) -> Select<event::Entity> {
        for (dimension, value) in self.iter() {
            select = select.filter(dimension.column().eq(value));
        }
        select
    }
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
