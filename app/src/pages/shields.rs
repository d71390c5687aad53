use leptos::prelude::*;

use super::auth::SubmitButton;
use crate::{
    api::shields::{SaveShields, get_shields},
    components::{FieldError, FormError},
};

/// The lists of a site's shields, as the settings page edits them: name,
/// label and a hint of what a line holds.
const LISTS: [(&str, &str, &str); 4] = [
    (
        "ips",
        "Blocked IP addresses",
        "One address or CIDR range per line, e.g. 203.0.113.7 or 10.0.0.0/8",
    ),
    (
        "paths",
        "Blocked pages",
        "One path per line, * matches anything, e.g. /admin*",
    ),
    (
        "hostnames",
        "Allowed hostnames",
        "Only these hosts are counted, e.g. example.com and *.example.com; empty: the site's domain and its subdomains",
    ),
    (
        "countries",
        "Blocked countries",
        "Two-letter codes, one per line, e.g. DE",
    ),
];

/// A site's shields on its settings page: traffic from these addresses, on
/// these pages or hosts, or from these countries is not counted. Beside it,
/// the link to the page that keeps the owner's own browser out.
#[component]
pub fn ShieldsSection(site: String) -> impl IntoView {
    let save = ServerAction::<SaveShields>::new();
    let id = site.clone();
    let rules = Resource::new(
        move || (id.clone(), save.version().get()),
        |(id, _)| get_shields(id),
    );
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    view! {
        <section class="rounded-lg border border-slate-200 bg-white p-6" data-testid="shields">
            <h2 class="text-lg font-semibold">"Shields"</h2>
            <p class="mt-1 text-sm text-slate-600">
                "Traffic these rules name is not counted: it is answered and dropped, never stored. "
                <a href="/ignore" class="text-indigo-600 hover:underline" data-testid="ignore-link">
                    "Ignore your own visits"
                </a> " in this browser."
            </p>
            <Suspense fallback=|| ()>
                {move || {
                    let site = site.clone();
                    Suspend::new(async move {
                        let rules = rules.await.unwrap_or_default();
                        let values = [rules.ips, rules.paths, rules.hostnames, rules.countries];
                        view! {
                            <ActionForm action=save attr:class="mt-4 max-w-xl space-y-4">
                                <input type="hidden" name="site" value=site />
                                <FormError error />
                                {LISTS
                                    .into_iter()
                                    .zip(values)
                                    .map(|((name, label, hint), lines)| {
                                        let id = format!("shield-{name}");
                                        view! {
                                            <div>
                                                <label
                                                    class="block text-sm font-medium text-slate-700"
                                                    for=id.clone()
                                                >
                                                    {label}
                                                </label>
                                                <p class="text-xs text-slate-500">{hint}</p>
                                                <textarea
                                                    id=id
                                                    name=name
                                                    rows="3"
                                                    class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm"
                                                    data-testid=format!("shield-{name}")
                                                >
                                                    {lines.join("\n")}
                                                </textarea>
                                                <FieldError name error />
                                            </div>
                                        }
                                    })
                                    .collect_view()}
                                <div class="flex items-center gap-3">
                                    <SubmitButton label="Save shields" pending=save.pending() />
                                    <Show when=saved>
                                        <span
                                            class="text-sm text-green-700"
                                            data-testid="shields-saved"
                                        >
                                            "Saved"
                                        </span>
                                    </Show>
                                </div>
                            </ActionForm>
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}
