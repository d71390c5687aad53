use leptos::prelude::*;

/// The front page: what PagePulse is, and a look at exactly what it stores.
#[component]
pub fn Landing() -> impl IntoView {
    view! {
        <main class="mx-auto max-w-4xl px-6 py-16">
            <header class="flex items-center gap-3">
                <img src="/favicon.svg" alt="" class="h-8 w-8" />
                <span class="text-xl font-semibold tracking-tight">"PagePulse"</span>
            </header>
            <section class="mt-16">
                <h1 class="text-4xl font-bold tracking-tight sm:text-5xl">
                    "Website analytics without cookies or personal data."
                </h1>
                <p class="mt-6 max-w-2xl text-lg text-slate-600">
                    "One script tag, under a kilobyte. A fast dashboard of pageviews, visitors, "
                    "referrers and campaigns. No cookies, no fingerprinting, no IP addresses at rest, "
                    "so there is no consent banner to show."
                </p>
                <pre class="mt-8 overflow-x-auto rounded-lg bg-slate-900 p-4 text-sm text-slate-100">
                    <code>
                        "<script defer src=\"https://your-pagepulse-host/js/p.js\" data-site=\"SITE_ID\"></script>"
                    </code>
                </pre>
            </section>
            <section class="mt-16 grid gap-6 sm:grid-cols-3">
                <Feature title="Cookie-free">
                    "Visitors are counted with a hash that changes every day and cannot be traced back."
                </Feature>
                <Feature title="Light">
                    "The tracker is smaller than this paragraph's HTML and never slows a page down."
                </Feature>
                <Feature title="Yours">
                    "One binary on SQLite, or several replicas on PostgreSQL. Your data stays with you."
                </Feature>
            </section>
            <StoredEvent />
        </main>
    }
}

#[component]
fn Feature(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="rounded-lg border border-slate-200 bg-white p-5">
            <h2 class="font-semibold">{title}</h2>
            <p class="mt-2 text-sm text-slate-600">{children()}</p>
        </div>
    }
}

/// Shows, on request, the one record a pageview becomes: everything we keep.
#[component]
fn StoredEvent() -> impl IntoView {
    let (open, set_open) = signal(false);
    view! {
        <section class="mt-16 rounded-lg border border-slate-200 bg-white p-6">
            <div class="flex items-center justify-between gap-4">
                <h2 class="text-lg font-semibold">"What is stored for one pageview?"</h2>
                <button
                    type="button"
                    data-testid="toggle-stored-event"
                    class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500"
                    aria-expanded=move || open.get().to_string()
                    on:click=move |_| set_open.update(|o| *o = !*o)
                >
                    {move || if open.get() { "Hide it" } else { "Show me" }}
                </button>
            </div>
            <Show when=move || open.get()>
                <dl
                    data-testid="stored-event"
                    class="mt-6 grid grid-cols-2 gap-x-6 gap-y-2 text-sm"
                >
                    <dt class="text-slate-500">"path"</dt>
                    <dd>"/pricing"</dd>
                    <dt class="text-slate-500">"referrer"</dt>
                    <dd>"news.ycombinator.com"</dd>
                    <dt class="text-slate-500">"browser, OS, device"</dt>
                    <dd>"Firefox 133, Linux, desktop"</dd>
                    <dt class="text-slate-500">"country"</dt>
                    <dd>"DE"</dd>
                    <dt class="text-slate-500">"visitor"</dt>
                    <dd>"a daily hash, unlinkable once the day's salt is deleted"</dd>
                    <dt class="text-slate-500">"IP address, user agent, cookies"</dt>
                    <dd class="font-medium text-emerald-700">"never stored"</dd>
                </dl>
            </Show>
        </section>
    }
}
