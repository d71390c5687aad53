//! Pieces shared by several pages.

mod forms;
mod guard;
mod snippet;

pub use forms::{FormError, TextField};
pub use guard::{RedirectIfSignedIn, RequireUser};
pub use snippet::Snippet;
