//! Turning a beacon into a privacy-safe event: each rule is a pure function of
//! its inputs (body, URL, referrer, user agent, headers, daily salt), tested on
//! its own; `service` chains them and `writer` stores the result with group
//! commit. Nothing here keeps an IP address or a user-agent string; they only
//! feed the visitor hash and the coarse browser/OS/device fields.

pub mod agent;
pub mod beacon;
pub mod bots;
pub mod country;
pub mod datacenters;
pub mod geo;
pub mod page;
pub mod referrer;
pub mod service;
pub mod spam;
pub mod store;
pub mod visitor;
pub mod writer;

pub use service::{Client, Dropped, IngestError, Ingestor, Outcome};
pub use store::ENGAGEMENT_WINDOW_MS;
pub use writer::{WriteError, WriterOptions};
