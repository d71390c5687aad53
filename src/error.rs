//! One classification of what can go wrong in the core, so each adapter maps
//! it to its own replies once: the REST API to statuses and JSON bodies, the
//! pages' server functions to `AppError`. Each core error says what kind of
//! failure it is; the adapters never look inside it.

use std::fmt::Display;

/// What kind of failure, as far as a caller needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The request itself is malformed (a query parameter, say).
    BadRequest,
    /// A value the caller entered is not acceptable; `field` names the input
    /// when one is to blame.
    Invalid,
    /// Nothing the caller may see is there.
    NotFound,
    /// The input clashes with something that exists (an email, a domain).
    Conflict,
    /// Wrong credentials, or no valid session.
    Unauthorized,
    /// Not allowed on this server (registration switched off).
    Forbidden,
    /// Over a limit: try again after `retry_after_secs`.
    Throttled { retry_after_secs: u64 },
    /// The server is at capacity: try again after `retry_after_secs`.
    Busy { retry_after_secs: u64 },
    /// Our fault. The message is for the log, never for the caller.
    Internal,
}

/// A classified failure: its kind, the message, and the input it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: Kind,
    pub message: String,
    pub field: Option<&'static str>,
}

impl Failure {
    pub fn new(kind: Kind, message: impl Display) -> Self {
        Failure {
            kind,
            message: message.to_string(),
            field: None,
        }
    }

    pub fn on(self, field: &'static str) -> Self {
        Failure {
            field: Some(field),
            ..self
        }
    }
}

/// A core error that knows its kind.
pub trait Classify {
    fn classify(self) -> Failure;
}

impl Classify for sea_orm::DbErr {
    fn classify(self) -> Failure {
        Failure::new(Kind::Internal, self)
    }
}
