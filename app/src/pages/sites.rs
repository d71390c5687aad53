use leptos::prelude::*;

use super::auth::SubmitButton;
use crate::{
    api::sites::{CreateSite, list_sites},
    components::{FormError, RequireUser, TextField},
};

#[component]
pub fn SitesPage() -> impl IntoView {
    view! {
        <RequireUser>
            <SiteList />
        </RequireUser>
    }
}

#[component]
fn SiteList() -> impl IntoView {
    let create = ServerAction::<CreateSite>::new();
    let sites = Resource::new(move || create.version().get(), |_| list_sites());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    view! {
        <main class="mx-auto max-w-4xl px-6 py-10">
            <h1 class="text-2xl font-semibold">"Your sites"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match sites.await {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <p class="mt-4 text-slate-600" data-testid="no-sites">
                                    "No sites yet. Add your first one below."
                                </p>
                            }
                                .into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ul
                                    class="mt-4 divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white"
                                    data-testid="site-list"
                                >
                                    {list
                                        .into_iter()
                                        .map(|site| {
                                            let settings = format!("/sites/{}/settings", site.id);
                                            let dashboard = format!("/sites/{}", site.id);
                                            view! {
                                                <li class="flex items-center justify-between px-5 py-4">
                                                    <div>
                                                        <a
                                                            href=dashboard
                                                            class="font-medium hover:underline"
                                                            data-testid="site-link"
                                                        >
                                                            {site.name}
                                                        </a>
                                                        <p class="text-sm text-slate-500">{site.domain}</p>
                                                    </div>
                                                    <a
                                                        href=settings
                                                        class="text-sm text-indigo-600 hover:underline"
                                                    >
                                                        "Settings"
                                                    </a>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! { <p class="mt-4 text-red-600">{e.to_string()}</p> }.into_any()
                        }
                    }
                })}
            </Suspense>
            <section class="mt-10 max-w-md rounded-lg border border-slate-200 bg-white p-6">
                <h2 class="text-lg font-semibold">"Add site"</h2>
                <ActionForm action=create attr:class="mt-4 space-y-4">
                    <FormError error />
                    <div>
                        <TextField label="Name" name="name" placeholder="My blog" error />
                    </div>
                    <div>
                        <TextField label="Domain" name="domain" placeholder="example.com" error />
                    </div>
                    <div>
                        <TextField label="Time zone" name="timezone" value="UTC" error />
                    </div>
                    <SubmitButton label="Add site" pending=create.pending() />
                </ActionForm>
            </section>
        </main>
    }
}
