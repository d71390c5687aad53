use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::auth::{Logout, UserInfo, current_user};

/// Renders its children for a signed-in user, below a top bar; anyone else is
/// sent to /login.
#[component]
pub fn RequireUser(children: ChildrenFn) -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) => {
                        view! {
                            <TopBar user />
                            {children.read_value()()}
                        }
                            .into_any()
                    }
                    _ => view! { <Redirect path="/login" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Sends a signed-in user on to their sites instead of showing a sign-in form.
#[component]
pub fn RedirectIfSignedIn(children: ChildrenFn) -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(_)) => view! { <Redirect path="/sites" /> }.into_any(),
                    _ => children.read_value()().into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TopBar(user: UserInfo) -> impl IntoView {
    let sign_out = ServerAction::<Logout>::new();
    view! {
        <header class="border-b border-slate-200 bg-white">
            <div class="mx-auto flex max-w-4xl items-center justify-between px-6 py-3">
                <a href="/sites" class="flex items-center gap-2 font-semibold">
                    <img src="/favicon.svg" alt="" class="h-6 w-6" />
                    "PagePulse"
                </a>
                <div class="flex items-center gap-4 text-sm text-slate-600">
                    <a href="/account" class="hover:underline" data-testid="signed-in-as">
                        {user.name}
                    </a>
                    <ActionForm action=sign_out>
                        <button type="submit" class="text-indigo-600 hover:underline">
                            "Sign out"
                        </button>
                    </ActionForm>
                </div>
            </div>
        </header>
    }
}
