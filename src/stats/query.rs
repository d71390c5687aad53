//! The one query both Stats API versions parse into: metrics, dimensions and a
//! filter tree over Plausible's properties (`event:*` read each event,
//! `visit:*` the visit the event belongs to).

use chrono_tz::Tz;

use crate::analytics::DateRange;

/// What the Stats API can report, by Plausible's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    Visitors,
    Visits,
    Pageviews,
    ViewsPerVisit,
    BounceRate,
    VisitDuration,
    Events,
    ConversionRate,
    GroupConversionRate,
    Percentage,
    TimeOnPage,
    ScrollDepth,
    TotalRevenue,
    AverageRevenue,
}

impl Metric {
    pub const ALL: [Metric; 14] = [
        Metric::Visitors,
        Metric::Visits,
        Metric::Pageviews,
        Metric::ViewsPerVisit,
        Metric::BounceRate,
        Metric::VisitDuration,
        Metric::Events,
        Metric::ConversionRate,
        Metric::GroupConversionRate,
        Metric::Percentage,
        Metric::TimeOnPage,
        Metric::ScrollDepth,
        Metric::TotalRevenue,
        Metric::AverageRevenue,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::Visitors => "visitors",
            Metric::Visits => "visits",
            Metric::Pageviews => "pageviews",
            Metric::ViewsPerVisit => "views_per_visit",
            Metric::BounceRate => "bounce_rate",
            Metric::VisitDuration => "visit_duration",
            Metric::Events => "events",
            Metric::ConversionRate => "conversion_rate",
            Metric::GroupConversionRate => "group_conversion_rate",
            Metric::Percentage => "percentage",
            Metric::TimeOnPage => "time_on_page",
            Metric::ScrollDepth => "scroll_depth",
            Metric::TotalRevenue => "total_revenue",
            Metric::AverageRevenue => "average_revenue",
        }
    }

    pub fn parse(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Counted over visits, not events.
    pub fn is_session(self) -> bool {
        matches!(
            self,
            Metric::Visits | Metric::ViewsPerVisit | Metric::BounceRate | Metric::VisitDuration
        )
    }
}

/// A property of an event or of its visit, by Plausible's name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Prop {
    Name,
    Page,
    Hostname,
    Goal,
    /// `event:props:<key>`.
    Custom(String),
    Source,
    /// Plausible's acquisition channel, from the source and UTM tags
    /// (`channels`).
    Channel,
    Referrer,
    UtmSource,
    UtmMedium,
    UtmCampaign,
    UtmTerm,
    UtmContent,
    Device,
    Browser,
    BrowserVersion,
    Os,
    OsVersion,
    Country,
    Region,
    City,
    EntryPage,
    ExitPage,
    EntryPageHostname,
    ExitPageHostname,
}

/// Properties with fixed names, and the name each goes by.
const NAMED: [(Prop, &str); 24] = [
    (Prop::Name, "event:name"),
    (Prop::Page, "event:page"),
    (Prop::Hostname, "event:hostname"),
    (Prop::Goal, "event:goal"),
    (Prop::Source, "visit:source"),
    (Prop::Channel, "visit:channel"),
    (Prop::Referrer, "visit:referrer"),
    (Prop::UtmSource, "visit:utm_source"),
    (Prop::UtmMedium, "visit:utm_medium"),
    (Prop::UtmCampaign, "visit:utm_campaign"),
    (Prop::UtmTerm, "visit:utm_term"),
    (Prop::UtmContent, "visit:utm_content"),
    (Prop::Device, "visit:device"),
    (Prop::Browser, "visit:browser"),
    (Prop::BrowserVersion, "visit:browser_version"),
    (Prop::Os, "visit:os"),
    (Prop::OsVersion, "visit:os_version"),
    (Prop::Country, "visit:country"),
    (Prop::Region, "visit:region"),
    (Prop::City, "visit:city"),
    (Prop::EntryPage, "visit:entry_page"),
    (Prop::ExitPage, "visit:exit_page"),
    (Prop::EntryPageHostname, "visit:entry_page_hostname"),
    (Prop::ExitPageHostname, "visit:exit_page_hostname"),
];

impl Prop {
    pub fn parse(name: &str) -> Option<Prop> {
        if let Some(key) = name.strip_prefix("event:props:") {
            return (!key.is_empty() && key.chars().count() <= 300)
                .then(|| Prop::Custom(key.to_owned()));
        }
        NAMED
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(p, _)| p.clone())
    }

    pub fn name(&self) -> String {
        match self {
            Prop::Custom(key) => format!("event:props:{key}"),
            other => NAMED
                .iter()
                .find(|(p, _)| p == other)
                .map_or_else(String::new, |(_, n)| (*n).to_owned()),
        }
    }

    /// The name without its `event:` / `visit:` prefix (a custom property's
    /// key alone): what a v1 breakdown row calls its value.
    pub fn short_name(&self) -> String {
        match self {
            Prop::Custom(key) => key.clone(),
            other => {
                let name = other.name();
                name.split_once(':')
                    .map_or(name.clone(), |(_, n)| n.to_owned())
            }
        }
    }

    /// What an empty value is called ("Direct / None" for no source), which
    /// filters match as the empty value.
    pub fn placeholder(&self) -> Option<&'static str> {
        match self {
            Prop::Source | Prop::Referrer => Some("Direct / None"),
            Prop::Device
            | Prop::Os
            | Prop::OsVersion
            | Prop::Browser
            | Prop::BrowserVersion
            | Prop::UtmSource
            | Prop::UtmMedium
            | Prop::UtmCampaign
            | Prop::UtmTerm
            | Prop::UtmContent => Some("(not set)"),
            _ => None,
        }
    }

    /// Read from each event itself rather than from its visit.
    pub fn is_event(&self) -> bool {
        matches!(
            self,
            Prop::Name | Prop::Page | Prop::Hostname | Prop::Goal | Prop::Custom(_)
        )
    }
}

/// A time dimension's buckets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Interval {
    Minute,
    Hour,
    Day,
    Week,
    Month,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    Prop(Prop),
    Time(Interval),
}

/// How a filter compares a property's value with its list of values; each
/// matches when any value of the list does (the `not` forms when none does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Is,
    IsNot,
    Contains,
    ContainsNot,
    Matches,
    MatchesNot,
    /// Plausible's `*` / `**` wildcards (v1's `==` with a star).
    Wildcard,
    WildcardNot,
}

impl Op {
    pub fn negated(self) -> bool {
        matches!(
            self,
            Op::IsNot | Op::ContainsNot | Op::MatchesNot | Op::WildcardNot
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub prop: Prop,
    pub op: Op,
    pub values: Vec<String>,
    pub case_sensitive: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    Test(Condition),
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
}

impl Filter {
    pub fn conditions(&self) -> Vec<&Condition> {
        match self {
            Filter::Test(condition) => vec![condition],
            Filter::And(all) | Filter::Or(all) => all.iter().flat_map(Filter::conditions).collect(),
            Filter::Not(inner) => inner.conditions(),
        }
    }

    pub fn mentions(&self, prop: &Prop) -> bool {
        self.conditions().iter().any(|c| &c.prop == prop)
    }

    /// This filter without its goal conditions (the denominator of a
    /// conversion rate), when they sit at the top level of an `and`.
    pub fn without_goals(&self) -> Option<Filter> {
        match self {
            Filter::Test(c) if c.prop == Prop::Goal => None,
            Filter::And(all) => {
                let rest: Vec<Filter> = all.iter().filter_map(Filter::without_goals).collect();
                (!rest.is_empty()).then_some(Filter::And(rest))
            }
            other => Some(other.clone()),
        }
    }
}

/// One Stats API question about one site, resolved: the instants it covers
/// and the local dates they are, in the site's zone.
#[derive(Clone, Debug)]
pub struct Query {
    pub range: DateRange,
    pub tz: Tz,
    /// UTC milliseconds, `from <= ts < to`.
    pub from: i64,
    pub to: i64,
    pub metrics: Vec<Metric>,
    pub dimensions: Vec<Dimension>,
    pub filter: Option<Filter>,
}
