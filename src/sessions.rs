//! Server-side sessions: a row per signed-in browser, named by the token in its
//! cookie. Checking a cookie is one indexed lookup (the session's primary key,
//! joined to its user), and ending a session is deleting its row, so a token
//! copied before a logout is worthless after it.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, JoinType, QueryFilter,
    QuerySelect, RelationTrait,
};
use uuid::Uuid;

use crate::{
    entities::{session, user},
    tokens::SessionClaims,
};

/// Opens a session for `user_id` that lasts `ttl_minutes`.
pub async fn start(
    db: &DatabaseConnection,
    user_id: Uuid,
    ttl_minutes: i64,
) -> Result<SessionClaims, DbErr> {
    let now = Utc::now();
    let id = Uuid::new_v4();
    session::Entity::insert(session::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(now + Duration::minutes(ttl_minutes)),
    })
    .exec_without_returning(db)
    .await?;
    Ok(SessionClaims {
        user_id,
        session_id: id,
    })
}

/// The user of a live session: the session must exist, belong to the token's
/// user and not have expired.
pub async fn user_of(
    db: &DatabaseConnection,
    claims: SessionClaims,
    now: DateTime<Utc>,
) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .join(JoinType::InnerJoin, user::Relation::Sessions.def())
        .filter(session::Column::Id.eq(claims.session_id))
        .filter(session::Column::UserId.eq(claims.user_id))
        .filter(session::Column::ExpiresAt.gt(now))
        .one(db)
        .await
}

/// Ends one session (logout).
pub async fn end(db: &DatabaseConnection, session_id: Uuid) -> Result<(), DbErr> {
    session::Entity::delete_by_id(session_id).exec(db).await?;
    Ok(())
}

/// Ends every session of the user but `keep` (sign out everywhere else, or a
/// password change). Returns how many ended.
pub async fn end_others(db: &DatabaseConnection, user_id: Uuid, keep: Uuid) -> Result<u64, DbErr> {
    let deleted = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::Id.ne(keep))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}

/// Deletes expired sessions (housekeeping): their tokens are refused anyway.
pub async fn forget_expired(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let deleted = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}
