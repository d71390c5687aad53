use leptos::prelude::*;

/// The flag the trackers honour: Plausible's key and value, so a browser
/// already excluded from Plausible stays excluded here.
const KEY: &str = "plausible_ignore";

/// "Ignore my visits": sets or clears the flag in this browser's own storage,
/// where the tracker reads it; nothing is sent, nothing stored on the server.
/// Storage belongs to one origin, so the page also says how to set the flag
/// on the site's own origin, where its pages run the tracker.
#[component]
pub fn IgnorePage() -> impl IntoView {
    // Unknown until the page runs in the browser: the server cannot see it.
    let ignored = RwSignal::new(None::<bool>);
    Effect::new(move |_| ignored.set(Some(flag::read())));
    let toggle = move |_| {
        let now = !ignored.get_untracked().unwrap_or(false);
        flag::write(now);
        ignored.set(Some(flag::read()));
    };
    let status = move || match ignored.get() {
        None => "Checking this browser…",
        Some(true) => "Your visits from this browser are ignored.",
        Some(false) => "Your visits from this browser are counted.",
    };
    let label = move || {
        if ignored.get() == Some(true) {
            "Count my visits again"
        } else {
            "Ignore my visits"
        }
    };
    let command = format!("localStorage.{KEY} = \"true\"");
    view! {
        <main class="mx-auto max-w-xl space-y-4 px-6 py-16">
            <h1 class="text-2xl font-semibold">"Ignore my visits"</h1>
            <p class="text-slate-600">
                "The tracker sends nothing from a browser that carries this flag. It is kept in this browser only; PagePulse stores nothing about it."
            </p>
            <p class="font-medium" data-testid="ignore-status">
                {status}
            </p>
            <button
                type="button"
                class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
                data-testid="ignore-toggle"
                disabled=move || ignored.get().is_none()
                on:click=toggle
            >
                {label}
            </button>
            <p class="text-sm text-slate-600">
                "A browser keeps the flag per site. If your pages are served from another address than this one, open one of them, then the browser's console (F12), and run:"
            </p>
            <pre class="overflow-x-auto rounded bg-slate-100 p-3 text-sm">{command}</pre>
        </main>
    }
}

#[cfg(feature = "hydrate")]
mod flag {
    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    pub fn read() -> bool {
        storage()
            .and_then(|s| s.get_item(super::KEY).ok()?)
            .is_some_and(|v| v == "true")
    }

    pub fn write(ignore: bool) {
        if let Some(storage) = storage() {
            let _ = if ignore {
                storage.set_item(super::KEY, "true")
            } else {
                storage.remove_item(super::KEY)
            };
        }
    }
}

/// On the server there is no browser storage; effects and clicks never run.
#[cfg(not(feature = "hydrate"))]
mod flag {
    pub fn read() -> bool {
        false
    }

    pub fn write(_: bool) {}
}
