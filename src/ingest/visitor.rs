//! Cookie-free visitor ids: no cookie or stored identifier, only the first 8 bytes of
//! SHA-256(daily_salt ‖ SECRET_KEY ‖ site_id ‖ client_ip ‖ user_agent), where the
//! salt is random per UTC day and deleted after two days. Once a salt is gone
//! nobody, not even the holder of SECRET_KEY, can link its hashes to an address.

use std::net::IpAddr;

use chrono::{Days, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, QueryFilter, Statement, sea_query::OnConflict,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entities::daily_salt;

pub type Salt = [u8; 32];

pub fn visitor_id(
    salt: &Salt,
    secret_key: &str,
    site_id: Uuid,
    ip: IpAddr,
    user_agent: &str,
) -> i64 {
    let mut hash = Sha256::new();
    hash.update(salt);
    hash.update(secret_key.as_bytes());
    hash.update(site_id.as_bytes());
    match ip.to_canonical() {
        IpAddr::V4(v4) => hash.update(v4.octets()),
        IpAddr::V6(v6) => hash.update(v6.octets()),
    }
    hash.update(user_agent.as_bytes());
    let digest = hash.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// The salt of `day`, made now if this is the first event of the day. Concurrent
/// servers may race to make it; the primary key lets exactly one win and every
/// server reads the winner back.
pub async fn salt_for(db: &DatabaseConnection, day: NaiveDate) -> Result<Salt, DbErr> {
    if let Some(salt) = stored_salt(db, day).await? {
        return Ok(salt);
    }
    let fresh = daily_salt::ActiveModel {
        day: Set(day),
        salt: Set(rand::random::<Salt>().to_vec()),
        created_at: Set(Utc::now()),
    };
    daily_salt::Entity::insert(fresh)
        .on_conflict(
            OnConflict::column(daily_salt::Column::Day)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    stored_salt(db, day)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("daily salt for {day}")))
}

/// Deletes every salt older than yesterday (relative to `today`, UTC), and
/// then the copies the database keeps of deleted rows, as far as it can.
/// SQLite: `secure_delete` (see `db`) zeroes the row in the page's new image,
/// but the log still holds the page's earlier images, salt and all, until a
/// checkpoint has copied it into the file and the log is truncated.
/// PostgreSQL: the deleted row stays in its page as a dead tuple until VACUUM
/// (which marks the space reusable; the bytes go when it is reused).
pub async fn forget_old_salts(db: &DatabaseConnection, today: NaiveDate) -> Result<u64, DbErr> {
    let keep_from = today.checked_sub_days(Days::new(1)).unwrap_or(today);
    let deleted = daily_salt::Entity::delete_many()
        .filter(daily_salt::Column::Day.lt(keep_from))
        .exec(db)
        .await?
        .rows_affected;
    if deleted > 0 {
        scrub_deleted(db).await?;
    }
    Ok(deleted)
}

async fn scrub_deleted(db: &DatabaseConnection) -> Result<(), DbErr> {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            // One row: busy flag, frames in the log, frames copied. Busy means
            // a reader still needed old frames; they are overwritten once the
            // log starts over (`db::checkpoints`).
            let row = db
                .query_one_raw(Statement::from_string(
                    DbBackend::Sqlite,
                    "PRAGMA wal_checkpoint(TRUNCATE)",
                ))
                .await?;
            if row.and_then(|r| r.try_get_by_index::<i64>(0).ok()) == Some(1) {
                tracing::warn!(
                    "write-ahead log not truncated: deleted salts stay in it until it starts over"
                );
            }
        }
        // Not in a transaction: VACUUM refuses to run inside one.
        DbBackend::Postgres => {
            db.execute_unprepared("VACUUM daily_salts").await?;
        }
        _ => {}
    }
    Ok(())
}

async fn stored_salt(db: &DatabaseConnection, day: NaiveDate) -> Result<Option<Salt>, DbErr> {
    Ok(daily_salt::Entity::find_by_id(day)
        .one(db)
        .await?
        .and_then(|row| row.salt.try_into().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_depends_on_every_input() {
        let site = Uuid::from_u128(7);
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        let base = visitor_id(&[1; 32], "secret", site, ip, "UA");
        assert_eq!(
            base,
            visitor_id(&[1; 32], "secret", site, ip, "UA"),
            "deterministic"
        );
        assert_ne!(base, visitor_id(&[2; 32], "secret", site, ip, "UA"), "salt");
        assert_ne!(
            base,
            visitor_id(&[1; 32], "other", site, ip, "UA"),
            "secret"
        );
        assert_ne!(
            base,
            visitor_id(&[1; 32], "secret", Uuid::from_u128(8), ip, "UA"),
            "site"
        );
        assert_ne!(
            base,
            visitor_id(
                &[1; 32],
                "secret",
                site,
                "203.0.113.10".parse().unwrap(),
                "UA"
            ),
            "ip"
        );
        assert_ne!(
            base,
            visitor_id(&[1; 32], "secret", site, ip, "UA2"),
            "user agent"
        );
        // An IPv4 address seen as IPv4-mapped IPv6 is the same visitor.
        assert_eq!(
            base,
            visitor_id(
                &[1; 32],
                "secret",
                site,
                "::ffff:203.0.113.9".parse().unwrap(),
                "UA"
            )
        );
    }
}
