//! Pieces shared by several pages.

mod forms;
mod guard;

pub use forms::{FormError, TextField};
pub use guard::{RedirectIfSignedIn, RequireUser};
