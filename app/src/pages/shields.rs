use leptos::prelude::*;

use super::auth::SubmitButton;
use crate::{
    api::{
        AppError,
        shields::{SaveShields, get_shields},
    },
    components::{FieldError, FormError},
};

/// The lists of a site's shields, as the settings page edits them: name,
/// label and a hint of what a line holds.
const LISTS: [(&str, &str, &str); 4] = [
    (
        "ips",
        "Blocked IP addresses",
        "Addresses or CIDR ranges, separated by commas, e.g. 203.0.113.7, 10.0.0.0/8",
    ),
    (
        "paths",
        "Blocked pages",
        "Paths separated by commas, * matches anything, e.g. /admin*, /preview",
    ),
    (
        "hostnames",
        "Allowed hostnames",
        "Only these hosts are counted, e.g. example.com and *.example.com; empty: the site's domain and its subdomains",
    ),
    (
        "countries",
        "Blocked countries",
        "Two-letter codes separated by commas, e.g. DE, FR",
    ),
];

/// The shields section's action and rules, made where the settings page
/// starts (see `settings::SettingsData`).
#[derive(Clone, Copy)]
pub struct ShieldsData {
    save: ServerAction<SaveShields>,
    rules: Resource<Result<pagepulse_core::shields::Rules, AppError>>,
}

impl ShieldsData {
    pub fn new(site: Signal<String>) -> Self {
        let save = ServerAction::<SaveShields>::new();
        let rules = Resource::new(
            move || (site.get(), save.version().get()),
            |(id, _)| get_shields(id),
        );
        ShieldsData { save, rules }
    }
}

/// A site's shields on its settings page: traffic from these addresses, on
/// these pages or hosts, or from these countries is not counted. Beside it,
/// the link to the page that keeps the owner's own browser out.
#[component]
pub fn ShieldsSection(site: String, data: ShieldsData) -> impl IntoView {
    let ShieldsData { save, rules } = data;
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
                        let live = RwSignal::new(false);
                        Effect::new(move |_| live.set(true));
                        // Set once this form runs in the browser (effects never
                        // run on the server): browser tests wait for it.
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
                                                <Lines id name text=lines.join(", ") />
                                                <FieldError name error />
                                            </div>
                                        }
                                    })
                                    .collect_view()}
                                <div class="flex items-center gap-3">
                                    <SubmitButton label="Apply shields" pending=save.pending() />
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

/// A list's field: its entries separated by commas. A text input, not a
/// text area: its value is an attribute, which the server writes and the
/// browser hydrates as it is (a text area's content is a child node, which
/// hydration does not find where it looks for one).
#[component]
fn Lines(id: String, name: &'static str, text: String) -> impl IntoView {
    view! {
        <input
            type="text"
            id=id
            name=name
            value=text
            class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm"
            data-testid=format!("shield-{name}")
        />
    }
}
