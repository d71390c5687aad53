use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_params_map};

use super::auth::SubmitButton;
use crate::{
    api::{
        AppError,
        sites::{DeleteSite, SetPublic, SiteInfo, UpdateSite, get_site},
    },
    components::{FormError, RequireUser, Snippet, TextField},
};

#[component]
pub fn SiteSettingsPage() -> impl IntoView {
    view! {
        <RequireUser>
            <SiteSettings />
        </RequireUser>
    }
}

#[component]
fn SiteSettings() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let update = ServerAction::<UpdateSite>::new();
    let publish = ServerAction::<SetPublic>::new();
    let site = Resource::new(
        move || (id(), update.version().get(), publish.version().get()),
        |(id, _, _)| get_site(id),
    );
    let data = SettingsData::new(Signal::derive(id));
    view! {
        <main class="mx-auto max-w-4xl space-y-8 px-6 py-10">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match site.await {
                        Ok(site) => {
                            view! { <SettingsSections site update publish data /> }.into_any()
                        }
                        Err(AppError::Unauthorized) => {
                            view! { <Redirect path="/login" /> }.into_any()
                        }
                        Err(_) => view! { <SiteNotFound /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn SiteNotFound() -> impl IntoView {
    crate::components::answer_not_found();
    view! {
        <h1 class="text-2xl font-semibold">"Site not found"</h1>
        <a href="/sites" class="text-indigo-600 hover:underline">
            "Back to your sites"
        </a>
    }
}

/// Every resource of the page, made where it starts rather than inside the
/// site's `Suspense`: a resource made there, after an await, could be made a
/// second time on the server but once in the browser, so the two numbered
/// the page's resources differently and hydration, now and then, met another
/// section than it expected and stopped.
#[derive(Clone, Copy)]
struct SettingsData {
    zones: OnceResource<Result<Vec<String>, AppError>>,
    goals: super::goals::GoalsData,
    funnels: super::funnels::FunnelsData,
    shields: super::shields::ShieldsData,
}

impl SettingsData {
    fn new(site: Signal<String>) -> Self {
        SettingsData {
            zones: OnceResource::new(crate::api::sites::time_zones()),
            goals: super::goals::GoalsData::new(site),
            funnels: super::funnels::FunnelsData::new(site),
            shields: super::shields::ShieldsData::new(site),
        }
    }
}

/// Every IANA zone, as the time zone field's suggestions: typing a part of
/// a name (`berl`) finds it.
#[component]
fn ZoneList(zones: OnceResource<Result<Vec<String>, AppError>>) -> impl IntoView {
    view! {
        <datalist id="time-zones" data-testid="time-zones">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    zones
                        .await
                        .unwrap_or_default()
                        .into_iter()
                        .map(|zone| view! { <option value=zone></option> })
                        .collect_view()
                })}
            </Suspense>
        </datalist>
    }
}

#[component]
fn SettingsSections(
    site: SiteInfo,
    update: ServerAction<UpdateSite>,
    publish: ServerAction<SetPublic>,
    data: SettingsData,
) -> impl IntoView {
    let update_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let delete = ServerAction::<DeleteSite>::new();
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let (update_id, delete_id) = (site.id.clone(), site.id.clone());
    let (name, timezone) = (site.name.clone(), site.timezone.clone());
    let confirm = format!("Yes, delete {} and all its data", site.domain);
    view! {
        <div>
            <a href="/sites" class="text-sm text-indigo-600 hover:underline">
                "← All sites"
            </a>
            <h1 class="mt-2 text-2xl font-semibold" data-testid="site-name">
                {site.name.clone()}
            </h1>
            <p class="text-slate-500">{site.domain.clone()}</p>
        </div>
        <Snippet snippet=site.tracking_snippet.clone() />
        <section class="rounded-lg border border-slate-200 bg-white p-6">
            <h2 class="text-lg font-semibold">"Details"</h2>
            <ActionForm action=update attr:class="mt-4 max-w-md space-y-4">
                <input type="hidden" name="id" value=update_id />
                <FormError error=update_error />
                <div>
                    <TextField label="Name" name="name" value=name error=update_error />
                </div>
                <div>
                    <TextField
                        label="Time zone (IANA, e.g. Europe/Berlin)"
                        name="timezone"
                        value=timezone
                        list="time-zones"
                        error=update_error
                    />
                    <ZoneList zones=data.zones />
                </div>
                <SubmitButton label="Save" pending=update.pending() />
            </ActionForm>
        </section>
        <Visibility site=site.clone() publish />
        <super::goals::GoalsSection site=site.id.clone() data=data.goals />
        <super::funnels::FunnelsSection site=site.id.clone() data=data.funnels />
        <super::shields::ShieldsSection site=site.id.clone() data=data.shields />
        <section class="rounded-lg border border-red-200 bg-white p-6">
            <h2 class="text-lg font-semibold text-red-700">"Delete site"</h2>
            <p class="mt-2 text-sm text-slate-600">
                "Deletes the site and every event recorded for it. This cannot be undone."
            </p>
            <ActionForm action=delete attr:class="mt-4 space-y-3">
                <input type="hidden" name="id" value=delete_id />
                <FormError error=delete_error />
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="confirm" required data-testid="confirm-delete" />
                    {confirm}
                </label>
                <button
                    type="submit"
                    class="rounded-md bg-red-600 px-4 py-2 text-sm font-medium text-white hover:bg-red-500"
                >
                    "Delete site"
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn Visibility(site: SiteInfo, publish: ServerAction<SetPublic>) -> impl IntoView {
    let public = site.public;
    view! {
        <section class="rounded-lg border border-slate-200 bg-white p-6">
            <h2 class="text-lg font-semibold">"Public dashboard"</h2>
            <p class="mt-1 text-sm text-slate-600" data-testid="visibility">
                {if public {
                    "Anyone with the link can read this site's dashboard."
                } else {
                    "Only you can see this site's statistics."
                }}
            </p>
            {public
                .then(|| {
                    view! {
                        <p class="mt-3 text-sm">
                            "Share link: "
                            <a
                                href=site.share_url.clone()
                                class="text-indigo-600 hover:underline"
                                data-testid="share-link"
                            >
                                {site.share_url.clone()}
                            </a>
                        </p>
                    }
                })}
            <ActionForm action=publish attr:class="mt-4">
                <input type="hidden" name="id" value=site.id.clone() />
                <input type="hidden" name="public" value=(!public).to_string() />
                <button
                    type="submit"
                    data-testid="toggle-public"
                    class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50"
                >
                    {if public { "Make private" } else { "Make public" }}
                </button>
            </ActionForm>
        </section>
    }
}
