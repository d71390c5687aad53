//! What counting reads: each event's columns, its visit (entry, exit,
//! bounce, duration), and a property's value for an event in its visit.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use sea_orm::IdenStatic;

use super::day::Day;
use crate::{
    entities::event::{self, Column as C},
    goals::Matcher,
    stats::{channels, query::Prop, sources},
};

/// One visit's events (indices into the day, in time order) and what
/// Plausible reads of a visit.
pub(crate) struct Visit {
    pub first: usize,
    pub entry: usize,
    pub exit: usize,
    pub pageviews: i64,
    pub bounce: bool,
    pub duration_ms: i64,
}

/// What a day's dictionaries come to, worked out once per distinct value
/// rather than once per event: parsed props, source names, goals.
#[derive(Default)]
pub(crate) struct Lookups {
    /// By props code.
    pub props: Vec<Option<FxHashMap<String, String>>>,
    /// By referrer code; empty when no source is asked for.
    pub sources: Vec<String>,
    /// Goals (indices into the query's) an event of a name code completes
    /// whatever its page, and those a pageview of a path code completes.
    pub goals_by_name: Vec<Vec<usize>>,
    pub goals_by_path: Vec<Vec<usize>>,
}

impl Lookups {
    pub fn new(day: &Day, goals: &[Matcher], props: bool, sources: bool, goal_lists: bool) -> Self {
        let mut out = Lookups::default();
        if props {
            out.props = day
                .text(C::Props)
                .dict
                .iter()
                .map(|p| p.as_deref().and_then(|p| serde_json::from_str(p).ok()))
                .collect();
        }
        if sources {
            out.sources = day
                .text(C::ReferrerSource)
                .dict
                .iter()
                .map(|r| sources::name(r.as_deref().unwrap_or("")))
                .collect();
        }
        if goal_lists {
            // An event goal matches on the name alone, a page goal a
            // pageview's path.
            out.goals_by_name = day
                .text(C::Name)
                .dict
                .iter()
                .map(|n| {
                    let name = n.as_deref().unwrap_or("");
                    (0..goals.len())
                        .filter(|&g| goals[g].event_name() == Some(name))
                        .collect()
                })
                .collect();
            out.goals_by_path = day
                .text(C::Path)
                .dict
                .iter()
                .map(|p| {
                    let path = p.as_deref().unwrap_or("");
                    (0..goals.len())
                        .filter(|&g| {
                            goals[g].event_name().is_none() && goals[g].completes("pageview", path)
                        })
                        .collect()
                })
                .collect();
        }
        out
    }
}

/// An event as a filter or a dimension sees it.
pub(crate) struct Seen<'a> {
    pub day: &'a Day,
    pub i: usize,
    pub visit: &'a Visit,
    pub lookups: &'a Lookups,
    pub goals: &'a [Matcher],
}

/// What a property's value is for a missing custom property.
pub const NONE: &str = "(none)";

impl<'a> Seen<'a> {
    /// The same event seen as another of its visit's.
    pub fn at(&self, i: usize) -> Seen<'a> {
        Seen { i, ..*self }
    }

    /// The event's time; 0 when the day was read without times, which only
    /// a question that counts no time does (`times_needed`).
    pub fn ts(&self) -> i64 {
        self.day.ts.get(self.i).copied().unwrap_or(0)
    }

    pub fn props(&self) -> Option<&'a FxHashMap<String, String>> {
        let code = self.day.text(C::Props).codes.get(self.i)?;
        self.lookups.props.get(*code as usize)?.as_ref()
    }

    /// The property's value; `None` for `event:goal`, which an event may
    /// complete several of (`goal_names`).
    pub fn value(&self, prop: &Prop) -> Option<Cow<'a, str>> {
        let day = self.day;
        let first = self.visit.first;
        let text = |column: C, i: usize| Cow::Borrowed(day.str(column, i));
        Some(match prop {
            Prop::Name => text(C::Name, self.i),
            Prop::Page => text(C::Path, self.i),
            Prop::Hostname => text(C::Hostname, self.i),
            Prop::Goal => return None,
            Prop::Custom(key) => self
                .props()
                .and_then(|p| p.get(key))
                .map_or(Cow::Borrowed(NONE), |v| Cow::Borrowed(v.as_str())),
            Prop::Source => self.source(),
            Prop::Channel => Cow::Borrowed(channels::channel(
                &self.source(),
                day.str(C::UtmSource, first),
                day.str(C::UtmMedium, first),
                day.str(C::UtmCampaign, first),
            )),
            Prop::Referrer => text(C::ReferrerSource, first),
            Prop::UtmSource => text(C::UtmSource, first),
            Prop::UtmMedium => text(C::UtmMedium, first),
            Prop::UtmCampaign => text(C::UtmCampaign, first),
            Prop::UtmTerm => text(C::UtmTerm, first),
            Prop::UtmContent => text(C::UtmContent, first),
            Prop::Device => text(C::Device, first),
            Prop::Browser => text(C::Browser, first),
            Prop::BrowserVersion => text(C::BrowserVersion, first),
            Prop::Os => text(C::Os, first),
            Prop::OsVersion => Cow::Borrowed(""),
            Prop::Country => text(C::Country, first),
            Prop::Region => text(C::Region, first),
            Prop::City => text(C::City, first),
            Prop::EntryPage => text(C::Path, self.visit.entry),
            Prop::ExitPage => text(C::Path, self.visit.exit),
            Prop::EntryPageHostname => text(C::Hostname, self.visit.entry),
            Prop::ExitPageHostname => text(C::Hostname, self.visit.exit),
        })
    }

    /// The visit's source: its `utm_source`, else its referrer's name.
    fn source(&self) -> Cow<'a, str> {
        let (day, first) = (self.day, self.visit.first);
        if !day.str(C::UtmSource, first).is_empty() {
            return Cow::Borrowed(day.str(C::UtmSource, first));
        }
        let code = day.text(C::ReferrerSource).code(first) as usize;
        match self.lookups.sources.get(code) {
            Some(name) => Cow::Borrowed(name.as_str()),
            None => Cow::Owned(sources::name(day.str(C::ReferrerSource, first))),
        }
    }

    /// Indices of the goals the event completes, in the query's order.
    pub fn goal_indices(&self) -> Vec<usize> {
        if self.lookups.goals_by_name.is_empty() {
            let (name, path) = (self.day.str(C::Name, self.i), self.day.str(C::Path, self.i));
            return (0..self.goals.len())
                .filter(|&g| self.goals[g].completes(name, path))
                .collect();
        }
        let by_name = &self.lookups.goals_by_name[self.day.text(C::Name).code(self.i) as usize];
        if !self.day.is_pageview(self.i) {
            return by_name.clone();
        }
        let by_path = &self.lookups.goals_by_path[self.day.text(C::Path).code(self.i) as usize];
        let mut all: Vec<usize> = by_name.iter().chain(by_path).copied().collect();
        all.sort_unstable();
        all
    }

    pub fn goal_names(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let goals = self.goals;
        self.goal_indices()
            .into_iter()
            .map(move |g| goals[g].name.as_str())
    }
}

/// The day's visits in the order of their first event, and where each
/// one's events are: a stretch of the day's own order when the day is
/// grouped by visit (a pack), else a stretch of a list sorted by visit.
pub(super) struct Visits {
    pub list: Vec<Visit>,
    spans: Vec<(u32, u32)>,
    /// Empty when the day is grouped by visit.
    order: Vec<u32>,
}

impl Visits {
    /// The visit's events, in time order.
    pub fn events(&self, visit: usize) -> impl Iterator<Item = usize> + '_ {
        let (from, to) = self.spans[visit];
        let direct = self.order.is_empty();
        (from as usize..to as usize).map(move |k| if direct { k } else { self.order[k] as usize })
    }

    /// The kept visits (indices into `list`) with each visitor's side by
    /// side, which is what lets a group count a visitor by comparing it with
    /// the last one it counted: `list`'s own order when the day keeps a
    /// visitor's visits together (a pack), else sorted by visitor.
    pub fn by_visitor(&self, day: &Day) -> Vec<u32> {
        let visitors: Vec<u32> = self.list.iter().map(|v| day.visitor[v.first]).collect();
        if visitors.is_sorted() {
            return (0..visitors.len() as u32).collect();
        }
        let size = visitors.iter().max().map_or(0, |&m| m + 1);
        counting_order(&visitors, size)
    }
}

/// Groups the day's events into visits, keeping those `keep` accepts. A
/// visit's events stand side by side in a pack; a raw day's are put so by a
/// counting sort (visit numbers are dense in order of first appearance, so
/// visits stay in that order and each one's events in time order). Each
/// visit is summarised as its stretch is walked.
pub(super) fn visits(day: &Day, mut keep: impl FnMut(&Visit) -> bool) -> Visits {
    let order = if day.visit.is_sorted() {
        Vec::new()
    } else {
        counting_order(&day.visit, day.visits)
    };
    let at = |k: usize| {
        if order.is_empty() {
            k
        } else {
            order[k] as usize
        }
    };
    let n = day.len();
    let (mut list, mut spans) = (Vec::new(), Vec::new());
    let mut from = 0;
    while from < n {
        let code = day.visit[at(from)];
        let mut to = from + 1;
        while to < n && day.visit[at(to)] == code {
            to += 1;
        }
        let visit = summarise(day, (from..to).map(at));
        if keep(&visit) {
            list.push(visit);
            spans.push((from as u32, to as u32));
        }
        from = to;
    }
    Visits { list, spans, order }
}

/// The places of `keys` (each below `size`) ordered by key, a key's places
/// in their own order: a counting sort.
fn counting_order(keys: &[u32], size: u32) -> Vec<u32> {
    let mut next = vec![0u32; size as usize + 1];
    for &key in keys {
        next[key as usize + 1] += 1;
    }
    for k in 0..size as usize {
        next[k + 1] += next[k];
    }
    let mut order = vec![0u32; keys.len()];
    for (place, &key) in keys.iter().enumerate() {
        order[next[key as usize] as usize] = place as u32;
        next[key as usize] += 1;
    }
    order
}

/// What Plausible reads of a visit, from its events in time order (at least
/// one). A visit without a pageview enters and exits on its first and last
/// event; a bounce is a visit of one interaction.
fn summarise(day: &Day, events: impl Iterator<Item = usize>) -> Visit {
    const UNSET: usize = usize::MAX;
    let mut visit = Visit {
        first: UNSET,
        entry: UNSET,
        exit: UNSET,
        pageviews: 0,
        bounce: false,
        duration_ms: 0,
    };
    let (mut last, mut interactions) = (0, 0u32);
    for i in events {
        if visit.first == UNSET {
            visit.first = i;
        }
        last = i;
        if day.is_pageview(i) {
            if visit.entry == UNSET {
                visit.entry = i;
            }
            visit.exit = i;
            visit.pageviews += 1;
            interactions += 1;
        } else if day.interactive.get(i).copied().unwrap_or(true) {
            interactions += 1;
        }
    }
    if visit.entry == UNSET {
        (visit.entry, visit.exit) = (visit.first, last);
    }
    visit.bounce = interactions == 1;
    if let (Some(end), Some(start)) = (day.ts.get(last), day.ts.get(visit.first)) {
        visit.duration_ms = end - start;
    }
    visit
}

/// Whether counting the query reads events' times: a time dimension buckets
/// by them and a visit's duration is made of them. Otherwise a whole day
/// needs none (a window cut out of a day does, to be cut).
pub(super) fn times_needed(query: &super::Query) -> bool {
    use super::super::query::{Dimension, Metric};
    query
        .dimensions
        .iter()
        .any(|d| matches!(d, Dimension::Time(_)))
        || query.metrics.contains(&Metric::VisitDuration)
}

/// The columns a query reads; the others are selected as constants, so no
/// row carries text nobody reads.
pub(super) fn needed(query: &super::Query, props: bool) -> Vec<event::Column> {
    use super::super::query::{Dimension, Metric};
    use event::Column as C;
    let mut used: Vec<Prop> = query
        .dimensions
        .iter()
        .filter_map(|d| match d {
            Dimension::Prop(p) => Some(p.clone()),
            Dimension::Time(_) => None,
        })
        .collect();
    if let Some(filter) = &query.filter {
        used.extend(filter.conditions().into_iter().map(|c| c.prop.clone()));
    }
    let mut columns = vec![
        C::Ts,
        C::Name,
        C::Path,
        C::VisitorId,
        C::VisitId,
        C::Interactive,
    ];
    for prop in used {
        columns.extend(match prop {
            Prop::Hostname | Prop::EntryPageHostname | Prop::ExitPageHostname => vec![C::Hostname],
            Prop::Source => vec![C::ReferrerSource, C::UtmSource],
            Prop::Channel => vec![
                C::ReferrerSource,
                C::UtmSource,
                C::UtmMedium,
                C::UtmCampaign,
            ],
            Prop::Referrer => vec![C::ReferrerSource],
            Prop::UtmSource => vec![C::UtmSource],
            Prop::UtmMedium => vec![C::UtmMedium],
            Prop::UtmCampaign => vec![C::UtmCampaign],
            Prop::UtmTerm => vec![C::UtmTerm],
            Prop::UtmContent => vec![C::UtmContent],
            Prop::Device => vec![C::Device],
            Prop::Browser => vec![C::Browser],
            Prop::BrowserVersion => vec![C::BrowserVersion],
            Prop::Os => vec![C::Os],
            Prop::Country => vec![C::Country],
            Prop::Region => vec![C::Region],
            Prop::City => vec![C::City],
            _ => vec![],
        });
    }
    if props {
        columns.push(C::Props);
    }
    for metric in &query.metrics {
        columns.extend(match metric {
            Metric::TotalRevenue | Metric::AverageRevenue => {
                vec![C::RevenueAmount, C::RevenueCurrency]
            }
            Metric::ScrollDepth => vec![C::ScrollDepth],
            Metric::TimeOnPage => vec![C::EngagedMs],
            _ => vec![],
        });
    }
    let mut seen = Vec::new();
    columns.retain(|c| {
        let fresh = !seen.contains(&c.as_str());
        seen.push(c.as_str());
        fresh
    });
    columns
}
