//! Signing up, in and out, and changing a password: the rules the REST API and
//! the pages both apply, whatever carries the session token (a cookie, here).
//!
//! - Registration can be switched off, and is counted per client address
//!   once the input is known to be well-formed and before anything is hashed,
//!   so a refused request costs nothing.
//! - Every password check (a sign-in, or the current password before a change)
//!   runs under the sign-in throttle, counted before the check (see
//!   `throttle::LoginThrottle`).
//! - A session is a row (see `sessions`) named by a signed token; a password
//!   change ends every other session of the user.

use std::{net::IpAddr, sync::Arc};

use sea_orm::{DatabaseConnection, DbErr};
use uuid::Uuid;

use crate::{
    accounts::{self, AccountError, NewUser},
    entities::user,
    error::{Classify, Failure, Kind},
    net::limit_key,
    sessions,
    throttle::Limits,
    tokens,
};

/// What the auth rules need from the configuration.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    pub jwt_secret: String,
    pub ttl_minutes: i64,
    pub disable_registration: bool,
}

/// The auth rules over the accounts database; one per server.
#[derive(Clone)]
pub struct Auth {
    db: DatabaseConnection,
    settings: Arc<AuthSettings>,
    limits: Arc<Limits>,
}

/// A signed-in user, and which of the user's sessions is asking: what "sign
/// out everywhere else" and a password change keep.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: user::Model,
    pub session_id: Uuid,
}

/// A new session's token, for the caller to hand to the client.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub max_age_secs: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("registration is disabled")]
    RegistrationDisabled,
    #[error("too many new accounts from this address; try again later")]
    TooManyAccounts { retry_after_secs: u64 },
    #[error("too many failed sign-ins; try again later")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error(transparent)]
    Account(#[from] AccountError),
}

impl From<DbErr> for AuthError {
    fn from(error: DbErr) -> Self {
        AuthError::Account(error.into())
    }
}

impl Classify for AuthError {
    fn classify(self) -> Failure {
        match self {
            AuthError::RegistrationDisabled => Failure::new(Kind::Forbidden, self),
            AuthError::TooManyAccounts { retry_after_secs }
            | AuthError::TooManyAttempts { retry_after_secs } => {
                Failure::new(Kind::Throttled { retry_after_secs }, self)
            }
            AuthError::Account(error) => error.classify(),
        }
    }
}

impl Auth {
    pub fn new(db: DatabaseConnection, settings: AuthSettings, limits: Arc<Limits>) -> Self {
        Auth {
            db,
            settings: Arc::new(settings),
            limits,
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn limits(&self) -> &Arc<Limits> {
        &self.limits
    }

    /// A new account, signed in.
    pub async fn sign_up(
        &self,
        client: IpAddr,
        new: NewUser,
    ) -> Result<(user::Model, Session), AuthError> {
        if self.settings.disable_registration {
            return Err(AuthError::RegistrationDisabled);
        }
        accounts::check_new(&new)?;
        self.limits
            .registrations
            .hit(&limit_key(client))
            .map_err(|retry_after_secs| AuthError::TooManyAccounts { retry_after_secs })?;
        let user = accounts::register(&self.db, new).await?;
        tracing::info!(user.id = %user.id, "account created");
        let session = self.open_session(user.id).await?;
        Ok((user, session))
    }

    /// The user with `email`, signed in, if `password` is theirs.
    pub async fn sign_in(
        &self,
        client: IpAddr,
        email: &str,
        password: &str,
    ) -> Result<(user::Model, Session), AuthError> {
        let check = accounts::authenticate(&self.db, email, password);
        let user = self.throttled(client, email, check).await?;
        let session = self.open_session(user.id).await?;
        Ok((user, session))
    }

    /// Who a session token belongs to: `None` when it is forged, expired, or
    /// names a session that has ended or a user who no longer exists.
    pub async fn signed_in(&self, token: &str) -> Result<Option<SignedIn>, DbErr> {
        let Ok(claims) = tokens::verify(token, &self.settings.jwt_secret) else {
            return Ok(None);
        };
        let user = sessions::user_of(&self.db, claims, chrono::Utc::now()).await?;
        Ok(user.map(|user| SignedIn {
            user,
            session_id: claims.session_id,
        }))
    }

    /// Ends the session a token names, if it is genuine.
    pub async fn sign_out(&self, token: &str) -> Result<(), DbErr> {
        if let Ok(claims) = tokens::verify(token, &self.settings.jwt_secret) {
            sessions::end(&self.db, claims.session_id).await?;
        }
        Ok(())
    }

    /// Ends every session of the user but the one asking; how many ended.
    pub async fn sign_out_others(&self, who: &SignedIn) -> Result<u64, DbErr> {
        let ended = sessions::end_others(&self.db, who.user.id, who.session_id).await?;
        tracing::info!(user.id = %who.user.id, ended, "signed out everywhere else");
        Ok(ended)
    }

    /// A new password, after the current one; every other session ends.
    pub async fn change_password(
        &self,
        client: IpAddr,
        who: &SignedIn,
        current: &str,
        new: &str,
    ) -> Result<(), AuthError> {
        let check = accounts::change_password(&self.db, &who.user, current, new);
        self.throttled(client, &who.user.email, check).await?;
        sessions::end_others(&self.db, who.user.id, who.session_id).await?;
        tracing::info!(user.id = %who.user.id, "password changed; other sessions ended");
        Ok(())
    }

    /// Runs a password `check` for the account `email` under the sign-in
    /// throttle: counted before it runs, withdrawn if it succeeds.
    async fn throttled<T>(
        &self,
        client: IpAddr,
        email: &str,
        check: impl Future<Output = Result<T, AccountError>>,
    ) -> Result<T, AuthError> {
        let attempt = self
            .limits
            .sign_ins
            .begin(limit_key(client), email)
            .map_err(|retry_after_secs| AuthError::TooManyAttempts { retry_after_secs })?;
        let checked = check.await?;
        self.limits.sign_ins.succeeded(attempt);
        Ok(checked)
    }

    async fn open_session(&self, user_id: Uuid) -> Result<Session, AccountError> {
        let ttl_minutes = self.settings.ttl_minutes;
        let claims = sessions::start(&self.db, user_id, ttl_minutes).await?;
        let token = tokens::issue(claims, &self.settings.jwt_secret, ttl_minutes)
            .map_err(|_| AccountError::Hashing)?;
        Ok(Session {
            token,
            max_age_secs: ttl_minutes * 60,
        })
    }
}
