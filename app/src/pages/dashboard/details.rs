//! The "Details" view's sorting and pages.

use leptos::prelude::*;

use super::table::Row;

/// Rows on one page of the "Details" view.
pub const PAGE: usize = 20;

/// The "Details" view's page links: previous, where we are, next.
#[component]
pub fn Pager(page: RwSignal<usize>, pages: Signal<usize>) -> impl IntoView {
    let at = move || page.get().min(pages.get() - 1);
    let at_last = move || at() + 1 >= pages.get();
    view! {
        <div class="mt-2 flex items-center justify-end gap-2 text-xs" data-testid="pager">
            <button
                type="button"
                class="rounded border border-slate-300 px-2 py-0.5 disabled:opacity-40"
                data-testid="page-previous"
                disabled=move || at() == 0
                on:click=move |_| page.set(at().saturating_sub(1))
            >
                "Previous"
            </button>
            <span data-testid="page-at">{move || format!("{} of {}", at() + 1, pages.get())}</span>
            <button
                type="button"
                class="rounded border border-slate-300 px-2 py-0.5 disabled:opacity-40"
                data-testid="page-next"
                disabled=at_last
                on:click=move |_| page.set((at() + 1).min(pages.get() - 1))
            >
                "Next"
            </button>
        </div>
    }
}

/// A column a table can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Column {
    #[default]
    Visitors,
    Second,
    Third,
}

impl Column {
    pub fn name(self) -> &'static str {
        match self {
            Column::Visitors => "visitors",
            Column::Second => "second",
            Column::Third => "third",
        }
    }
}

/// The order of a table's rows: by a column, largest first unless turned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sort {
    by: Column,
    ascending: bool,
}

impl Sort {
    pub fn toggle(&mut self, column: Column) {
        *self = Sort {
            by: column,
            ascending: self.by == column && !self.ascending,
        };
    }

    pub fn apply(self, rows: &mut [Row]) {
        // Rows arrive largest first by visitors; that order stays the tie-break.
        let key = |r: &Row| -> f64 {
            match self.by {
                Column::Visitors => r.visitors as f64,
                Column::Second => r.second.unwrap_or(0) as f64,
                Column::Third => r.third.as_deref().and_then(leading_number).unwrap_or(0.0),
            }
        };
        rows.sort_by(|a, b| {
            let order = key(b).total_cmp(&key(a));
            if self.ascending {
                order.reverse()
            } else {
                order
            }
        });
    }

    pub fn aria(self, column: Column) -> &'static str {
        match (self.by == column, self.ascending) {
            (false, _) => "none",
            (true, false) => "descending",
            (true, true) => "ascending",
        }
    }

    pub fn arrow(self, column: Column) -> &'static str {
        match (self.by == column, self.ascending) {
            (false, _) => "",
            (true, false) => " ↓",
            (true, true) => " ↑",
        }
    }
}

/// The number a formatted figure starts with: `12.5%` is 12.5.
fn leading_number(text: &str) -> Option<f64> {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    text[..end].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_sorts_largest_first_then_turned_round() {
        let row = |value: &str, visitors, second, third: &str| Row {
            third: Some(third.to_owned()),
            ..Row::new(value.to_owned(), visitors, Some(second))
        };
        let mut rows = vec![
            row("/a", 9, 1, "12.5%"),
            row("/b", 5, 7, "80%"),
            row("/c", 7, 3, "3%"),
        ];
        let order = |rows: &[Row]| rows.iter().map(|r| r.value.clone()).collect::<Vec<_>>();
        let mut sort = Sort::default();
        sort.apply(&mut rows);
        assert_eq!(order(&rows), ["/a", "/c", "/b"]);
        sort.toggle(Column::Third);
        sort.apply(&mut rows);
        assert_eq!(order(&rows), ["/b", "/a", "/c"]);
        assert_eq!(sort.aria(Column::Third), "descending");
        sort.toggle(Column::Third);
        sort.apply(&mut rows);
        assert_eq!(order(&rows), ["/c", "/a", "/b"]);
        assert_eq!(sort.aria(Column::Third), "ascending");
        sort.toggle(Column::Second);
        sort.apply(&mut rows);
        assert_eq!(order(&rows), ["/b", "/c", "/a"]);
        assert_eq!(sort.aria(Column::Visitors), "none");
    }
}
