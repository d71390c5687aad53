//! Icons for sources and channels drawn from their names alone: a favicon
//! would be a request to the source's site (or a favicon service) for every
//! row, which the dashboard never makes.

use leptos::prelude::*;

/// Background colours a name's letter is drawn on, picked by the name.
const TONES: [&str; 6] = [
    "bg-indigo-100 text-indigo-700",
    "bg-emerald-100 text-emerald-700",
    "bg-amber-100 text-amber-800",
    "bg-rose-100 text-rose-700",
    "bg-sky-100 text-sky-700",
    "bg-violet-100 text-violet-700",
];

/// Whether a table's rows are sources or channels, which get an icon.
pub fn has_icons(table: &str) -> bool {
    matches!(table, "referrer" | "channel" | "utm_source")
}

/// The first letter of `name` on a colour of its own; an arrow for direct
/// visits (no source).
pub fn source_icon(name: &str) -> impl IntoView + use<> {
    let (letter, tone) = match name.chars().find(|c| c.is_alphanumeric()) {
        None => ("→".to_owned(), "bg-slate-100 text-slate-600"),
        Some(_) if name == "Direct" => ("→".to_owned(), "bg-slate-100 text-slate-600"),
        Some(c) => {
            let sum = name
                .bytes()
                .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
            (c.to_uppercase().collect(), TONES[sum % TONES.len()])
        }
    };
    view! {
        <span
            class=format!(
                "relative mr-1.5 inline-flex h-4 w-4 items-center justify-center rounded text-[10px] font-semibold align-[-2px] {tone}",
            )
            aria-hidden="true"
            data-testid="source-icon"
        >
            {letter}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_channels_have_icons() {
        assert!(has_icons("referrer") && has_icons("channel"));
        assert!(!has_icons("page"));
    }
}
