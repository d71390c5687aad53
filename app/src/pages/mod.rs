mod account;
mod api_keys;
mod auth;
mod dashboard;
mod funnels;
mod goals;
mod landing;
mod not_found;
mod settings;
mod sites;

pub use account::AccountPage;
pub use api_keys::ApiKeysPage;
pub use auth::{LoginPage, RegisterPage};
pub use dashboard::{DashboardPage, SharePage};
pub use landing::Landing;
pub use not_found::NotFound;
pub use settings::SiteSettingsPage;
pub use sites::SitesPage;
