use leptos::prelude::*;

use super::auth::SubmitButton;
use crate::api::{
    AppError,
    funnels::{CreateFunnel, DeleteFunnel, FunnelInfo, list_funnels},
};

/// The funnels section's actions and list, made where the settings page
/// starts (see `settings::SettingsData`).
#[derive(Clone, Copy)]
pub struct FunnelsData {
    create: ServerAction<CreateFunnel>,
    delete: ServerAction<DeleteFunnel>,
    funnels: Resource<Result<Vec<FunnelInfo>, AppError>>,
}

impl FunnelsData {
    pub fn new(site: Signal<String>) -> Self {
        let create = ServerAction::<CreateFunnel>::new();
        let delete = ServerAction::<DeleteFunnel>::new();
        let funnels = Resource::new(
            move || (site.get(), create.version().get(), delete.version().get()),
            |(id, _, _)| list_funnels(id),
        );
        FunnelsData {
            create,
            delete,
            funnels,
        }
    }
}

/// A site's funnels on its settings page: 2 to 8 steps, one a line, each a
/// page path (`*` matches anything) or a goal's name. The dashboard shows
/// how many visitors went through them in order.
#[component]
pub fn FunnelsSection(site: String, data: FunnelsData) -> impl IntoView {
    let FunnelsData {
        create,
        delete,
        funnels,
    } = data;
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let form_site = site.clone();
    view! {
        <section class="rounded-lg border border-slate-200 bg-white p-6" data-testid="funnels">
            <h2 class="text-lg font-semibold">"Funnels"</h2>
            <p class="mt-1 text-sm text-slate-600">
                "2 to 8 steps, one a line: a page path (e.g. /pricing or /docs/*) or a goal's name (e.g. Signup)."
            </p>
            <Suspense fallback=|| ()>
                {move || {
                    let site = site.clone();
                    Suspend::new(async move {
                        let list = funnels.await.unwrap_or_default();
                        view! {
                            <ul class="mt-3 divide-y divide-slate-200" data-testid="funnel-list">
                                {list
                                    .into_iter()
                                    .map(|funnel| {
                                        let site = site.clone();
                                        view! {
                                            <li class="flex items-center justify-between gap-4 py-2">
                                                <span>
                                                    {funnel.name}
                                                    <span class="ml-2 text-xs text-slate-500">
                                                        {funnel.steps.join(" → ")}
                                                    </span>
                                                </span>
                                                <ActionForm action=delete>
                                                    <input type="hidden" name="site" value=site />
                                                    <input
                                                        type="hidden"
                                                        name="funnel"
                                                        value=funnel.id.to_string()
                                                    />
                                                    <button
                                                        type="submit"
                                                        class="text-sm text-red-700 hover:underline"
                                                    >
                                                        "Remove"
                                                    </button>
                                                </ActionForm>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })
                }}
            </Suspense>
            <ActionForm action=create attr:class="mt-4 max-w-md space-y-3">
                <input type="hidden" name="site" value=form_site />
                <p class="text-sm text-red-700" role="alert" data-testid="funnel-error">
                    {move || error.get().map(|e| e.to_string())}
                </p>
                <div>
                    <label class="block text-sm font-medium text-slate-700" for="funnel-name">
                        "Funnel name"
                    </label>
                    <input
                        id="funnel-name"
                        name="name"
                        type="text"
                        class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2"
                    />
                </div>
                <div>
                    <label class="block text-sm font-medium text-slate-700" for="funnel-steps">
                        "Steps"
                    </label>
                    <textarea
                        id="funnel-steps"
                        name="steps"
                        rows="4"
                        class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm"
                    ></textarea>
                </div>
                <SubmitButton label="Add funnel" pending=create.pending() />
            </ActionForm>
        </section>
    }
}
