use leptos::prelude::*;

use crate::api::AppError;

/// The latest error of a form's action, if any.
pub type FormResult = Signal<Option<AppError>>;

/// A labelled input with its server-side error shown beneath it.
#[component]
pub fn TextField(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    /// The id of a `<datalist>` to suggest values from.
    #[prop(optional)]
    list: Option<&'static str>,
    error: FormResult,
) -> impl IntoView {
    let id = format!("field-{name}");
    view! {
        <label class="block text-sm font-medium text-slate-700" for=id.clone()>
            {label}
        </label>
        <input
            id=id
            name=name
            type=kind
            value=value
            placeholder=placeholder
            autocomplete=autocomplete
            list=list
            class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 shadow-sm focus:border-indigo-500 focus:outline-none"
        />
        <FieldError name error />
    }
}

#[component]
pub fn FieldError(name: &'static str, error: FormResult) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.for_field(name)).map(|message| {
            view! {
                <p class="mt-1 text-sm text-red-600" data-field-error=name>
                    {message}
                </p>
            }
        })
    }
}

/// An error that belongs to the whole form (wrong password, throttling, ...).
#[component]
pub fn FormError(error: FormResult) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.general()).map(|message| {
            view! {
                <p role="alert" class="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
                    {message}
                </p>
            }
        })
    }
}
