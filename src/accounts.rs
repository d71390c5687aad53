//! User accounts: registration, password sign-in and password changes, with
//! argon2id hashes.

use std::sync::{LazyLock, OnceLock};

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier},
};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, SqlErr,
};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::error::{Classify, Failure, Kind};
use crate::{entities::user, validate};

pub use validate::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("an account with this email already exists")]
    EmailTaken,
    /// One message for an unknown email and a wrong password alike.
    #[error("invalid email or password")]
    InvalidCredentials,
    #[error("password hashing failed")]
    Hashing,
    #[error(transparent)]
    Database(#[from] DbErr),
}

pub struct NewUser {
    pub email: String,
    pub password: String,
    pub name: String,
}

/// The checks of `register` that need no database and no hashing, so a caller
/// can refuse bad input before counting the request against any allowance.
pub fn check_new(new: &NewUser) -> Result<(), AccountError> {
    validate::email(&new.email)?;
    validate::password(&new.password)?;
    validate::name("name", &new.name)?;
    Ok(())
}

pub async fn register(db: &DatabaseConnection, new: NewUser) -> Result<user::Model, AccountError> {
    let email = validate::email(&new.email)?;
    validate::password(&new.password)?;
    let name = validate::name("name", &new.name)?;
    if find_by_email(db, &email).await?.is_some() {
        return Err(AccountError::EmailTaken);
    }
    let password_hash = hash_password(new.password).await?;
    let inserted = user::ActiveModel {
        id: Set(Uuid::new_v4()),
        email: Set(email),
        name: Set(name),
        password_hash: Set(password_hash),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(user) => Ok(user),
        // Two sign-ups with one email at the same moment: the index decides.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(AccountError::EmailTaken)
        }
        Err(e) => Err(e.into()),
    }
}

/// Checks a password. An unknown email still costs one full hash verification, so
/// the response time does not reveal which emails have accounts.
pub async fn authenticate(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
) -> Result<user::Model, AccountError> {
    let user = match validate::email(email) {
        Ok(email) => find_by_email(db, &email).await?,
        Err(_) => None,
    };
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_owned());
    let matches = verify_password(password.to_owned(), stored).await;
    match user {
        Some(user) if matches => Ok(user),
        _ => Err(AccountError::InvalidCredentials),
    }
}

/// Sets a new password after checking the current one. Ending the user's other
/// sessions is the caller's part (`sessions::end_others`), since only it knows
/// which session is asking.
pub async fn change_password(
    db: &DatabaseConnection,
    user: &user::Model,
    current: &str,
    new: &str,
) -> Result<(), AccountError> {
    if !verify_password(current.to_owned(), user.password_hash.clone()).await {
        return Err(AccountError::Invalid(FieldError {
            field: "current_password",
            message: "the current password is not correct".into(),
        }));
    }
    validate::password(new).map_err(|mut error| {
        error.field = "new_password";
        AccountError::Invalid(error)
    })?;
    let password_hash = hash_password(new.to_owned()).await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::PasswordHash,
            sea_orm::sea_query::Expr::value(password_hash),
        )
        .filter(user::Column::Id.eq(user.id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn find(db: &DatabaseConnection, id: Uuid) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find_by_id(id).one(db).await
}

async fn find_by_email(db: &DatabaseConnection, email: &str) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await
}

/// Hashes running at once, at most: each takes 19 MiB and a core for tens of
/// milliseconds, so more than one per core only adds memory, and a flood of
/// sign-ins would otherwise run hundreds side by side. The rest wait their turn.
static HASHING: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));

/// Argon2id with the crate's defaults (19 MiB, 2 passes), off the async threads.
async fn hash_password(password: String) -> Result<String, AccountError> {
    let _turn = HASHING.acquire().await.map_err(|_| AccountError::Hashing)?;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
    })
    .await
    .map_err(|_| AccountError::Hashing)?
    .map_err(|_| AccountError::Hashing)
}

async fn verify_password(password: String, hash: String) -> bool {
    let Ok(_turn) = HASHING.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// A real argon2id hash of a random password, made once, to verify against when
/// the email is unknown.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let password: [u8; 16] = rand::random();
        Argon2::default()
            .hash_password(&password)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

impl Classify for AccountError {
    fn classify(self) -> Failure {
        match self {
            AccountError::Invalid(field) => field.classify(),
            AccountError::EmailTaken => Failure::new(Kind::Conflict, self).on("email"),
            AccountError::InvalidCredentials => Failure::new(Kind::Unauthorized, self),
            AccountError::Hashing | AccountError::Database(_) => Failure::new(Kind::Internal, self),
        }
    }
}
