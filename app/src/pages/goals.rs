use leptos::prelude::*;

use super::auth::SubmitButton;
use crate::{
    api::{
        AppError,
        goals::{CreateGoal, DeleteGoal, GoalInfo, list_goals},
    },
    components::{FormError, TextField},
};

/// The goals section's actions and list, made where the settings page
/// starts (see `settings::SettingsData`).
#[derive(Clone, Copy)]
pub struct GoalsData {
    create: ServerAction<CreateGoal>,
    delete: ServerAction<DeleteGoal>,
    goals: Resource<Result<Vec<GoalInfo>, AppError>>,
}

impl GoalsData {
    pub fn new(site: Signal<String>) -> Self {
        let create = ServerAction::<CreateGoal>::new();
        let delete = ServerAction::<DeleteGoal>::new();
        let goals = Resource::new(
            move || (site.get(), create.version().get(), delete.version().get()),
            |(id, _, _)| list_goals(id),
        );
        GoalsData {
            create,
            delete,
            goals,
        }
    }
}

/// A site's goals on its settings page: custom events by name, or pageviews
/// of a path where `*` matches anything. Reports count conversions of them.
#[component]
pub fn GoalsSection(site: String, data: GoalsData) -> impl IntoView {
    let GoalsData {
        create,
        delete,
        goals,
    } = data;
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let form_site = site.clone();
    view! {
        <section class="rounded-lg border border-slate-200 bg-white p-6" data-testid="goals">
            <h2 class="text-lg font-semibold">"Goals"</h2>
            <p class="mt-1 text-sm text-slate-600">
                "A custom event's name (e.g. Signup), or a page path where * matches anything (e.g. /blog/*)."
            </p>
            <Suspense fallback=|| ()>
                {move || {
                    let site = site.clone();
                    Suspend::new(async move {
                        let list = goals.await.unwrap_or_default();
                        view! {
                            <ul class="mt-3 divide-y divide-slate-200" data-testid="goal-list">
                                {list
                                    .into_iter()
                                    .map(|goal| {
                                        let site = site.clone();
                                        view! {
                                            <li class="flex items-center justify-between py-2">
                                                <span>
                                                    {goal.display_name}
                                                    <span class="ml-2 text-xs text-slate-500">{goal.kind}</span>
                                                </span>
                                                <ActionForm action=delete>
                                                    <input type="hidden" name="site" value=site />
                                                    <input
                                                        type="hidden"
                                                        name="goal"
                                                        value=goal.id.to_string()
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
                <FormError error />
                <div>
                    <label class="block text-sm font-medium text-slate-700" for="goal-kind">
                        "Kind"
                    </label>
                    <select
                        id="goal-kind"
                        name="kind"
                        class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2"
                    >
                        <option value="event">"Custom event"</option>
                        <option value="page">"Page visit"</option>
                    </select>
                </div>
                <div>
                    <TextField label="Event or page path" name="target" error />
                </div>
                <SubmitButton label="Add goal" pending=create.pending() />
            </ActionForm>
        </section>
    }
}
