use leptos::prelude::*;

/// The site's tracking snippet with a copy button.
#[component]
pub fn Snippet(snippet: String) -> impl IntoView {
    let (copied, set_copied) = signal(false);
    let text = snippet.clone();
    let copy = move |_| {
        let clipboard = window().navigator().clipboard();
        let _ = clipboard.write_text(&text);
        set_copied.set(true);
    };
    view! {
        <section class="rounded-lg border border-slate-200 bg-white p-6">
            <h2 class="text-lg font-semibold">"Tracking snippet"</h2>
            <p class="mt-1 text-sm text-slate-600">
                "Paste this into the " <code>"<head>"</code> " of every page of your site."
            </p>
            <pre
                class="mt-4 max-w-full overflow-x-auto whitespace-pre-wrap break-all rounded-md bg-slate-900 p-4 text-sm text-slate-100"
                data-testid="snippet"
            >
                <code>{snippet}</code>
            </pre>
            <button
                type="button"
                on:click=copy
                data-testid="copy-snippet"
                class="mt-3 rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50"
            >
                {move || if copied.get() { "Copied" } else { "Copy snippet" }}
            </button>
        </section>
    }
}
