use leptos::prelude::*;

use super::auth::SubmitButton;
use crate::{
    api::auth::{ChangePassword, SignOutEverywhere},
    components::{FormError, RequireUser, TextField},
};

/// `/account`: the signed-in user's sessions and password.
#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <RequireUser>
            <AccountSettings />
        </RequireUser>
    }
}

#[component]
fn AccountSettings() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let change_error = Signal::derive(move || change.value().get().and_then(Result::err));
    let changed = move || matches!(change.value().get(), Some(Ok(())));
    let sign_out = ServerAction::<SignOutEverywhere>::new();
    let sign_out_error = Signal::derive(move || sign_out.value().get().and_then(Result::err));
    let ended = move || sign_out.value().get().and_then(Result::ok);
    view! {
        <main class="mx-auto max-w-4xl space-y-8 px-6 py-10">
            <h1 class="text-2xl font-semibold">"Account"</h1>
            <p>
                <a
                    href="/settings/api-keys"
                    class="text-indigo-600 hover:underline"
                    data-testid="api-keys-link"
                >
                    "API keys"
                </a>
                <span class="text-sm text-slate-600">
                    " — for Plausible's Stats and Sites APIs"
                </span>
            </p>
            <section class="rounded-lg border border-slate-200 bg-white p-6">
                <h2 class="text-lg font-semibold">"Password"</h2>
                <p class="mt-1 text-sm text-slate-600">
                    "Changing it signs you out on every other device."
                </p>
                <ActionForm action=change attr:class="mt-4 max-w-md space-y-4">
                    <FormError error=change_error />
                    <div>
                        <TextField
                            label="Current password"
                            name="current_password"
                            kind="password"
                            autocomplete="current-password"
                            error=change_error
                        />
                    </div>
                    <div>
                        <TextField
                            label="New password"
                            name="new_password"
                            kind="password"
                            autocomplete="new-password"
                            error=change_error
                        />
                    </div>
                    <SubmitButton label="Change password" pending=change.pending() />
                    <Show when=changed>
                        <p
                            role="status"
                            class="text-sm text-green-700"
                            data-testid="password-changed"
                        >
                            "Password changed. Other sessions are signed out."
                        </p>
                    </Show>
                </ActionForm>
            </section>
            <section class="rounded-lg border border-slate-200 bg-white p-6">
                <h2 class="text-lg font-semibold">"Sessions"</h2>
                <p class="mt-1 text-sm text-slate-600">
                    "Sign out on every other browser and device; this one stays signed in."
                </p>
                <ActionForm action=sign_out attr:class="mt-4 max-w-md space-y-4">
                    <FormError error=sign_out_error />
                    <SubmitButton label="Sign out everywhere else" pending=sign_out.pending() />
                    {move || {
                        ended()
                            .map(|n| {
                                view! {
                                    <p
                                        role="status"
                                        class="text-sm text-green-700"
                                        data-testid="sessions-ended"
                                    >
                                        {format!("{n} other session(s) signed out.")}
                                    </p>
                                }
                            })
                    }}
                </ActionForm>
            </section>
        </main>
    }
}
