//! Turning a beacon into a privacy-safe event: each step is a pure function of
//! its inputs (URL, referrer, user agent, daily salt), tested on its own. Nothing
//! here keeps an IP address or a user-agent string; they only feed the hashes and
//! the coarse browser/OS/device fields.

pub mod agent;
pub mod page;
pub mod referrer;
pub mod visitor;
