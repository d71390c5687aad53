//! HTTP plumbing that is not a route: the accept loop and its deadlines, the
//! layers every request passes through (client address, rate limits, the
//! cross-origin guard, security headers) and the REST error they and the
//! routes answer with.

pub mod bearer;
pub mod client;
pub mod error;
pub mod listener;
pub mod origin;
pub mod ratelimit;
pub mod security;
