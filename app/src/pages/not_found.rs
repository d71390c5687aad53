use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    crate::components::answer_not_found();
    view! {
        <main class="mx-auto max-w-xl px-6 py-24 text-center">
            <h1 class="text-3xl font-semibold">"Page not found"</h1>
            <p class="mt-4 text-slate-600">"There is nothing at this address."</p>
            <a class="mt-8 inline-block text-indigo-600 hover:underline" href="/">
                "Back to PagePulse"
            </a>
        </main>
    }
}
