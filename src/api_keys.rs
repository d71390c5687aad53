//! Keys for Plausible's Stats and Sites APIs, sent as `Authorization: Bearer`.
//! A key is 32 random bytes shown once as hex; only its SHA-256 is stored, so
//! finding a key is one indexed lookup and a stolen database holds no key.
//! A key acts as its owner: it reads and manages the owner's sites.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{Classify, Failure, Kind};
use crate::{entities::api_key, validate};

/// At most this many keys per user: listing and checking stay small.
pub const MAX_KEYS: u64 = 50;

/// Characters of a key kept in clear, so its owner can tell keys apart.
const PREFIX_CHARS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    #[error(transparent)]
    Invalid(#[from] validate::FieldError),
    #[error("at most {MAX_KEYS} API keys per account")]
    TooMany,
    #[error("API key not found")]
    NotFound,
    #[error("Missing API key. Please use a valid Plausible API key as a Bearer Token.")]
    Missing,
    /// One answer for an unknown or revoked key and for a site the key may
    /// not read, as Plausible's.
    #[error(
        "Invalid API key or site ID. Please make sure you're using a valid API key with access to the site you've requested."
    )]
    Unauthorized,
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl Classify for ApiKeyError {
    fn classify(self) -> Failure {
        match self {
            ApiKeyError::Invalid(field) => field.classify(),
            ApiKeyError::TooMany => Failure::new(Kind::Invalid, self).on("name"),
            ApiKeyError::NotFound => Failure::new(Kind::NotFound, self),
            ApiKeyError::Missing | ApiKeyError::Unauthorized => {
                Failure::new(Kind::Unauthorized, self)
            }
            ApiKeyError::Database(_) => Failure::new(Kind::Internal, self),
        }
    }
}

/// A key just made: the row, and the key itself, which is never shown again.
pub struct NewKey {
    pub key: String,
    pub row: api_key::Model,
}

/// The key a Bearer header named, once found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyHolder {
    pub key_id: Uuid,
    pub user_id: Uuid,
}

fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

pub async fn create(
    db: &DatabaseConnection,
    user: Uuid,
    name: &str,
) -> Result<NewKey, ApiKeyError> {
    let name = validate::name("name", name)?;
    let held = api_key::Entity::find()
        .filter(api_key::Column::UserId.eq(user))
        .count(db)
        .await?;
    if held >= MAX_KEYS {
        return Err(ApiKeyError::TooMany);
    }
    let key = hex::encode(rand::random::<[u8; 32]>());
    let row = api_key::Model {
        id: Uuid::new_v4(),
        user_id: user,
        name,
        prefix: key[..PREFIX_CHARS].to_owned(),
        key_hash: hash(&key),
        created_at: Utc::now(),
    };
    api_key::Entity::insert(api_key::ActiveModel {
        id: Set(row.id),
        user_id: Set(row.user_id),
        name: Set(row.name.clone()),
        prefix: Set(row.prefix.clone()),
        key_hash: Set(row.key_hash.clone()),
        created_at: Set(row.created_at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(NewKey { key, row })
}

/// The user's keys, newest first.
pub async fn list(db: &DatabaseConnection, user: Uuid) -> Result<Vec<api_key::Model>, ApiKeyError> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::UserId.eq(user))
        .order_by_desc(api_key::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Revokes one of the user's keys; another user's key is not found.
pub async fn revoke(db: &DatabaseConnection, user: Uuid, id: Uuid) -> Result<(), ApiKeyError> {
    let deleted = api_key::Entity::delete_many()
        .filter(api_key::Column::Id.eq(id))
        .filter(api_key::Column::UserId.eq(user))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(ApiKeyError::NotFound);
    }
    Ok(())
}

/// Who holds `key`, from an `Authorization` header's value.
pub async fn holder(
    db: &DatabaseConnection,
    header: Option<&str>,
) -> Result<KeyHolder, ApiKeyError> {
    let key = header
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or(ApiKeyError::Missing)?;
    if key.len() > 128 {
        return Err(ApiKeyError::Unauthorized);
    }
    let row = api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(hash(key)))
        .one(db)
        .await?
        .ok_or(ApiKeyError::Unauthorized)?;
    Ok(KeyHolder {
        key_id: row.id,
        user_id: row.user_id,
    })
}
