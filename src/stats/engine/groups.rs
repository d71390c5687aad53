//! A day's groups by codes: the stored column a property reads, the codes
//! of values worked out per event, a filter's verdicts kept per code, and
//! the groups themselves, joined into the range's table by their values.

use rustc_hash::FxHashMap;

use super::{Seen, Sums, Table};
use crate::stats::matcher::CompiledFilter;
use crate::{entities::event, stats::query::Prop};

/// Adds a group's counts to the table's group of the same values.
pub(super) fn join(
    table: &mut Table,
    index: &mut FxHashMap<Vec<String>, usize>,
    key: Vec<String>,
    sums: Sums,
) {
    let g = *index.entry(key).or_insert_with_key(|key| {
        table.keys.push(key.clone());
        table.sums.push(Sums::default());
        table.keys.len() - 1
    });
    table.sums[g].add(sums);
}

/// The stored column a property reads as it is, and which event of the
/// visit it reads it from.
pub(super) fn stored_at(prop: &Prop, seen: &Seen<'_>) -> Option<(event::Column, usize)> {
    let column = column_of(prop)?;
    let at = match prop {
        Prop::Name | Prop::Page | Prop::Hostname => seen.i,
        Prop::EntryPage | Prop::EntryPageHostname => seen.visit.entry,
        Prop::ExitPage | Prop::ExitPageHostname => seen.visit.exit,
        _ => seen.visit.first,
    };
    Some((column, at))
}

pub(super) fn column_of(prop: &Prop) -> Option<event::Column> {
    use event::Column as C;
    Some(match prop {
        Prop::Name => C::Name,
        Prop::Page | Prop::EntryPage | Prop::ExitPage => C::Path,
        Prop::Hostname | Prop::EntryPageHostname | Prop::ExitPageHostname => C::Hostname,
        Prop::Referrer => C::ReferrerSource,
        Prop::UtmSource => C::UtmSource,
        Prop::UtmMedium => C::UtmMedium,
        Prop::UtmCampaign => C::UtmCampaign,
        Prop::UtmTerm => C::UtmTerm,
        Prop::UtmContent => C::UtmContent,
        Prop::Device => C::Device,
        Prop::Browser => C::Browser,
        Prop::BrowserVersion => C::BrowserVersion,
        Prop::Os => C::Os,
        Prop::Country => C::Country,
        Prop::Region => C::Region,
        Prop::City => C::City,
        _ => return None,
    })
}

/// One filter of the conjunction a query's filter is, its verdicts kept by
/// code when it tests a stored column: most events share their value with
/// many others.
pub(super) struct Judge<'f> {
    filter: &'f CompiledFilter,
    prop: Option<Prop>,
    /// By code: 0 not judged yet, 1 fails, 2 passes.
    memo: Vec<u8>,
}

impl<'f> Judge<'f> {
    pub fn new(filter: &'f CompiledFilter) -> Self {
        let prop = filter
            .single_prop()
            .filter(|p| column_of(p).is_some())
            .cloned();
        Judge {
            filter,
            prop,
            memo: Vec::new(),
        }
    }

    pub fn passes(&mut self, seen: &Seen<'_>) -> bool {
        let Some((column, i)) = self.prop.as_ref().and_then(|p| stored_at(p, seen)) else {
            return self.filter.passes(seen);
        };
        let code = seen.day.text(column).code(i) as usize;
        if code >= self.memo.len() {
            self.memo.resize(code + 1, 0);
        }
        match self.memo[code] {
            1 => false,
            2 => true,
            _ => {
                let verdict = self.filter.passes(seen);
                self.memo[code] = 1 + u8::from(verdict);
                verdict
            }
        }
    }
}

/// A day's groups by their codes, with the counts of each.
#[derive(Default)]
pub(super) struct Groups {
    /// A one-dimension key's group by its code, the common case, without
    /// hashing: `u32::MAX` for none yet.
    by_code: Vec<u32>,
    index: FxHashMap<Vec<u32>, u32>,
    pub keys: Vec<Vec<u32>>,
    pub sums: Vec<Sums>,
    /// Per group, the visitor it last counted. Counting meets each
    /// visitor's events side by side (`Visits::by_visitor`), so a group
    /// counts a visitor once by comparing with the last one: no set.
    last_visitor: Vec<u32>,
}

impl Groups {
    /// Counts `visitor` for group `g` unless it was the last one counted.
    #[inline]
    pub fn count_visitor(&mut self, g: u32, visitor: u32) {
        let last = &mut self.last_visitor[g as usize];
        if *last != visitor {
            *last = visitor;
            self.sums[g as usize].visitors += 1;
        }
    }

    pub fn find(&mut self, key: &[u32]) -> u32 {
        if let [code] = key {
            let code = *code as usize;
            if let Some(&g) = self.by_code.get(code).filter(|&&g| g != u32::MAX) {
                return g;
            }
            if code >= self.by_code.len() {
                self.by_code.resize(code + 1, u32::MAX);
            }
            self.by_code[code] = self.keys.len() as u32;
        } else if let Some(&g) = self.index.get(key) {
            return g;
        } else {
            self.index.insert(key.to_vec(), self.keys.len() as u32);
        }
        let g = self.keys.len() as u32;
        self.keys.push(key.to_vec());
        self.sums.push(Sums::default());
        self.last_visitor.push(u32::MAX);
        g
    }
}

/// Codes for the values a dimension works out per event (a source's name,
/// a prop, a time bucket's label).
#[derive(Default)]
pub(super) struct Interner {
    codes: FxHashMap<String, u32>,
    pub values: Vec<String>,
}

impl Interner {
    pub fn code(&mut self, value: &str) -> u32 {
        if let Some(&code) = self.codes.get(value) {
            return code;
        }
        let code = self.values.len() as u32;
        self.codes.insert(value.to_owned(), code);
        self.values.push(value.to_owned());
        code
    }
}
