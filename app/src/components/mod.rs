//! Pieces shared by several pages.

mod forms;
mod guard;
mod snippet;

pub use forms::{FieldError, FormError, TextField};
pub use guard::{RedirectIfSignedIn, RequireUser};
pub use snippet::Snippet;

/// Makes the page being rendered answer 404 (on the server; nothing in the browser).
pub fn answer_not_found() {
    #[cfg(feature = "ssr")]
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
}
