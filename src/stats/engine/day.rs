//! A window of a site's events held column by column. Each text column is a
//! dictionary of its values and a code per event, and visits and visitors are
//! dense numbers of the window's own: counting reads a value by its code,
//! groups by codes and parses each distinct props object once, so an event
//! costs no allocation. A stored day (`pack`) is read back in this shape as
//! it is; raw rows are coded as they are read (`Coder`).

use rustc_hash::FxHashMap;

use crate::entities::event;

/// The text columns, in the order `Day` keeps them.
pub(super) const TEXTS: [event::Column; 19] = [
    event::Column::Name,
    event::Column::Hostname,
    event::Column::Path,
    event::Column::ReferrerSource,
    event::Column::UtmSource,
    event::Column::UtmMedium,
    event::Column::UtmCampaign,
    event::Column::UtmTerm,
    event::Column::UtmContent,
    event::Column::Browser,
    event::Column::BrowserVersion,
    event::Column::Os,
    event::Column::Device,
    event::Column::Country,
    event::Column::Props,
    event::Column::RevenueAmount,
    event::Column::RevenueCurrency,
    event::Column::Region,
    event::Column::City,
];

/// Where `Day::texts` keeps a text column (its place in `TEXTS`): asked
/// for every value read, so a jump rather than a search.
pub(super) fn text_slot(column: event::Column) -> Option<usize> {
    use event::Column as C;
    Some(match column {
        C::Name => 0,
        C::Hostname => 1,
        C::Path => 2,
        C::ReferrerSource => 3,
        C::UtmSource => 4,
        C::UtmMedium => 5,
        C::UtmCampaign => 6,
        C::UtmTerm => 7,
        C::UtmContent => 8,
        C::Browser => 9,
        C::BrowserVersion => 10,
        C::Os => 11,
        C::Device => 12,
        C::Country => 13,
        C::Props => 14,
        C::RevenueAmount => 15,
        C::RevenueCurrency => 16,
        C::Region => 17,
        C::City => 18,
        _ => return None,
    })
}

/// One text column: its distinct values (`None` for SQL's NULL) and each
/// event's code into them. A column the query did not read has no codes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Text {
    pub dict: Vec<Option<String>>,
    pub codes: Vec<u32>,
}

impl Text {
    pub fn get(&self, i: usize) -> Option<&str> {
        self.codes
            .get(i)
            .and_then(|&c| self.dict.get(c as usize))
            .and_then(|v| v.as_deref())
    }

    /// The event's code; 0 for a column not read, which no grouping uses.
    pub fn code(&self, i: usize) -> u32 {
        self.codes.get(i).copied().unwrap_or(0)
    }
}

/// A window's events in `(ts, id)` order; the columns a query did not read
/// are empty.
#[derive(Clone, Debug, Default)]
pub(crate) struct Day {
    pub ts: Vec<i64>,
    /// Dense within the window: equal numbers, equal visitor (or visit).
    pub visitor: Vec<u32>,
    pub visit: Vec<u32>,
    pub visits: u32,
    pub interactive: Vec<bool>,
    pub scroll_depth: Vec<Option<i16>>,
    pub engaged_ms: Vec<Option<i64>>,
    pub texts: [Text; TEXTS.len()],
    /// The name code of pageviews, when the day has any.
    pub pageview: Option<u32>,
}

impl Day {
    /// Every read carries visits (times may be left out).
    pub fn len(&self) -> usize {
        self.visit.len()
    }

    pub fn is_empty(&self) -> bool {
        self.visit.is_empty()
    }

    pub fn text(&self, column: event::Column) -> &Text {
        &self.texts[text_slot(column).unwrap_or(0)]
    }

    /// The event's value of a text column; "" when unset or not read.
    pub fn str(&self, column: event::Column, i: usize) -> &str {
        self.text(column).get(i).unwrap_or("")
    }

    pub fn is_pageview(&self, i: usize) -> bool {
        self.pageview.is_some() && self.texts[0].codes.get(i).copied() == self.pageview
    }

    /// Sets a text column, and notes the name code of pageviews.
    pub fn set_text(&mut self, slot: usize, text: Text) {
        if slot == 0 {
            self.pageview = text
                .dict
                .iter()
                .position(|n| n.as_deref() == Some("pageview"))
                .map(|c| c as u32);
        }
        self.texts[slot] = text;
    }

    /// The events with `from <= ts < to`, codes and dictionaries kept.
    pub fn within(self, from: i64, to: i64) -> Day {
        let keep: Vec<usize> = (0..self.len())
            .filter(|&i| (from..to).contains(&self.ts[i]))
            .collect();
        if keep.len() == self.len() {
            return self;
        }
        self.pick(&keep)
    }

    /// The events grouped by visitor and each visitor's by visit, a visit's
    /// in time order, and the visits numbered again in that order: how a
    /// pack keeps them, so counting finds a visit's events side by side and
    /// a visitor's visits one after another.
    pub fn by_visitor(self) -> Day {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by_key(|&i| (self.visitor[i], self.visit[i]));
        let mut day = self.pick(&order);
        (day.visit, day.visits) = dense(&day.visit);
        day
    }

    /// The events at `keep`, in that order.
    fn pick(self, keep: &[usize]) -> Day {
        fn pick<T: Clone>(values: &[T], keep: &[usize]) -> Vec<T> {
            if values.is_empty() {
                return Vec::new();
            }
            keep.iter().map(|&i| values[i].clone()).collect()
        }
        Day {
            ts: pick(&self.ts, keep),
            visitor: pick(&self.visitor, keep),
            visit: pick(&self.visit, keep),
            visits: self.visits,
            pageview: self.pageview,
            interactive: pick(&self.interactive, keep),
            scroll_depth: pick(&self.scroll_depth, keep),
            engaged_ms: pick(&self.engaged_ms, keep),
            texts: self.texts.map(|t| Text {
                codes: pick(&t.codes, keep),
                dict: t.dict,
            }),
        }
    }
}

/// Codes one text column's values as they are read.
#[derive(Default)]
pub(super) struct Coder {
    seen: FxHashMap<Option<String>, u32>,
    text: Text,
}

impl Coder {
    pub fn push(&mut self, value: Option<String>) {
        let next = self.text.dict.len() as u32;
        let code = match self.seen.get(&value) {
            Some(&code) => code,
            None => {
                self.text.dict.push(value.clone());
                self.seen.insert(value, next);
                next
            }
        };
        self.text.codes.push(code);
    }

    pub fn finish(self) -> Text {
        self.text
    }
}

/// Dense numbers for visitor or visit ids, in order of first appearance.
pub(super) fn dense<T: Copy + Eq + std::hash::Hash>(ids: &[T]) -> (Vec<u32>, u32) {
    let mut seen: FxHashMap<T, u32> = FxHashMap::default();
    let codes = ids
        .iter()
        .map(|id| {
            let next = seen.len() as u32;
            *seen.entry(*id).or_insert(next)
        })
        .collect();
    (codes, seen.len() as u32)
}

#[cfg(test)]
mod tests {
    use sea_orm::IdenStatic;

    use super::*;

    #[test]
    fn each_text_column_has_its_own_slot_in_order() {
        for (i, column) in TEXTS.iter().enumerate() {
            assert_eq!(text_slot(*column), Some(i), "{}", column.as_str());
        }
        assert_eq!(text_slot(event::Column::Ts), None);
    }
}
