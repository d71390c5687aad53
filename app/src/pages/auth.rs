use leptos::prelude::*;

use crate::{
    api::auth::{Login, Register},
    components::{FormError, RedirectIfSignedIn, TextField},
};

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <RedirectIfSignedIn>
            <AuthCard title="Create your account">
                <ActionForm action attr:class="space-y-4">
                    <FormError error />
                    <div>
                        <TextField label="Name" name="name" autocomplete="name" error />
                    </div>
                    <div>
                        <TextField
                            label="Email"
                            name="email"
                            kind="email"
                            autocomplete="email"
                            error
                        />
                    </div>
                    <div>
                        <TextField
                            label="Password (8–128 characters)"
                            name="password"
                            kind="password"
                            autocomplete="new-password"
                            error
                        />
                    </div>
                    <SubmitButton label="Sign up" pending=action.pending() />
                </ActionForm>
                <p class="mt-6 text-sm text-slate-600">
                    "Already have an account? "
                    <a href="/login" class="text-indigo-600 hover:underline">
                        "Sign in"
                    </a>
                </p>
            </AuthCard>
        </RedirectIfSignedIn>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <RedirectIfSignedIn>
            <AuthCard title="Sign in">
                <ActionForm action attr:class="space-y-4">
                    <FormError error />
                    <div>
                        <TextField
                            label="Email"
                            name="email"
                            kind="email"
                            autocomplete="email"
                            error
                        />
                    </div>
                    <div>
                        <TextField
                            label="Password"
                            name="password"
                            kind="password"
                            autocomplete="current-password"
                            error
                        />
                    </div>
                    <SubmitButton label="Sign in" pending=action.pending() />
                </ActionForm>
                <p class="mt-6 text-sm text-slate-600">
                    "New here? " <a href="/register" class="text-indigo-600 hover:underline">
                        "Create an account"
                    </a>
                </p>
            </AuthCard>
        </RedirectIfSignedIn>
    }
}

#[component]
fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <main class="mx-auto max-w-md px-6 py-16">
            <a href="/" class="flex items-center gap-2 font-semibold">
                <img src="/favicon.svg" alt="" class="h-7 w-7" />
                "PagePulse"
            </a>
            <div class="mt-8 rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
                <h1 class="mb-6 text-2xl font-semibold">{title}</h1>
                {children()}
            </div>
        </main>
    }
}

#[component]
pub fn SubmitButton(label: &'static str, pending: Memo<bool>) -> impl IntoView {
    view! {
        <button
            type="submit"
            disabled=move || pending.get()
            class="w-full rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-60"
        >
            {label}
        </button>
    }
}
