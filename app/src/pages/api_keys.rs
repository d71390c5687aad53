use leptos::prelude::*;

use super::auth::SubmitButton;
use crate::{
    api::keys::{CreateApiKey, RevokeApiKey, list_api_keys},
    components::{FormError, RequireUser, TextField},
};

/// `/settings/api-keys`: keys for Plausible's Stats and Sites APIs. A new key
/// is shown once, right after it is made.
#[component]
pub fn ApiKeysPage() -> impl IntoView {
    view! {
        <RequireUser>
            <ApiKeys />
        </RequireUser>
    }
}

#[component]
fn ApiKeys() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_api_keys(),
    );
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let made = move || create.value().get().and_then(Result::ok);
    view! {
        <main class="mx-auto max-w-4xl space-y-8 px-6 py-10">
            <div>
                <a href="/account" class="text-sm text-indigo-600 hover:underline">
                    "← Account"
                </a>
                <h1 class="mt-2 text-2xl font-semibold">"API keys"</h1>
                <p class="mt-1 text-sm text-slate-600">
                    "A key reads and manages your sites through Plausible's Stats and Sites APIs: send it as "
                    <code>"Authorization: Bearer <key>"</code>
                    ". Each key may make 600 requests an hour."
                </p>
            </div>
            <section class="rounded-lg border border-slate-200 bg-white p-6">
                <h2 class="text-lg font-semibold">"New key"</h2>
                <ActionForm action=create attr:class="mt-4 max-w-md space-y-4">
                    <FormError error />
                    <div>
                        <TextField label="Name" name="name" placeholder="Grafana" error />
                    </div>
                    <SubmitButton label="Create key" pending=create.pending() />
                </ActionForm>
                {move || {
                    made()
                        .map(|made| {
                            view! {
                                <div
                                    role="status"
                                    class="mt-4 rounded-md bg-green-50 p-4 text-sm text-green-800"
                                >
                                    <p>
                                        {format!(
                                            "Key \u{201c}{}\u{201d} made. Copy it now: it is not shown again.",
                                            made.name,
                                        )}
                                    </p>
                                    <code
                                        class="mt-2 block break-all rounded bg-white p-2 text-slate-900"
                                        data-testid="new-key"
                                    >
                                        {made.key}
                                    </code>
                                </div>
                            }
                        })
                }}
            </section>
            <section class="rounded-lg border border-slate-200 bg-white p-6">
                <h2 class="text-lg font-semibold">"Your keys"</h2>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match keys.await {
                            Ok(list) if list.is_empty() => {
                                view! {
                                    <p class="mt-2 text-sm text-slate-600" data-testid="no-keys">
                                        "No keys yet."
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(list) => {
                                view! {
                                    <ul
                                        class="mt-2 divide-y divide-slate-200"
                                        data-testid="key-list"
                                    >
                                        {list
                                            .into_iter()
                                            .map(|key| {
                                                view! {
                                                    <li class="flex items-center justify-between py-3">
                                                        <div>
                                                            <p class="font-medium">{key.name}</p>
                                                            <p class="text-sm text-slate-500">
                                                                <code>{format!("{}…", key.prefix)}</code>
                                                                {format!(" · made {}", key.created_at)}
                                                            </p>
                                                        </div>
                                                        <ActionForm action=revoke>
                                                            <input type="hidden" name="id" value=key.id />
                                                            <button
                                                                type="submit"
                                                                class="rounded-md border border-red-300 px-3 py-1.5 text-sm text-red-700 hover:bg-red-50"
                                                            >
                                                                "Revoke"
                                                            </button>
                                                        </ActionForm>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(e) => {
                                view! { <p class="mt-2 text-red-600">{e.to_string()}</p> }
                                    .into_any()
                            }
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}
