//! Session tokens: HS256 JWTs naming the user and the session, with a required
//! expiry. The algorithm is pinned on both sides, so `alg: none` or an RSA header
//! is refused. A valid signature is not enough: the session it names must still
//! exist (`crate::sessions`), which is how a token stops working on logout.

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    /// The session's id (`sessions.id`).
    sid: String,
    iat: i64,
    exp: i64,
}

/// Who a valid token speaks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionClaims {
    pub user_id: Uuid,
    pub session_id: Uuid,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("invalid or expired session")]
    Invalid,
    #[error("cannot sign the session token")]
    Signing,
}

pub fn issue(claims: SessionClaims, secret: &str, ttl_minutes: i64) -> Result<String, TokenError> {
    let now = Utc::now().timestamp();
    let claims = Claims {
        sub: claims.user_id.to_string(),
        sid: claims.session_id.to_string(),
        iat: now,
        exp: now + ttl_minutes * 60,
    };
    let key = EncodingKey::from_secret(secret.as_bytes()).map_err(|_| TokenError::Signing)?;
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key)
        .map_err(|_| TokenError::Signing)
}

pub fn verify(token: &str, secret: &str) -> Result<SessionClaims, TokenError> {
    let key = DecodingKey::from_secret(secret.as_bytes()).map_err(|_| TokenError::Invalid)?;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "sub"]);
    let data = jsonwebtoken::decode::<Claims>(token, &key, &validation)
        .map_err(|_| TokenError::Invalid)?;
    Ok(SessionClaims {
        user_id: data.claims.sub.parse().map_err(|_| TokenError::Invalid)?,
        session_id: data.claims.sid.parse().map_err(|_| TokenError::Invalid)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a-test-secret-of-at-least-32-characters!";

    fn b64(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
                << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    fn claims() -> SessionClaims {
        SessionClaims {
            user_id: Uuid::new_v4(),
            session_id: Uuid::new_v4(),
        }
    }

    #[test]
    fn a_token_round_trips() {
        let claims = claims();
        let token = issue(claims, SECRET, 60).unwrap();
        assert_eq!(verify(&token, SECRET), Ok(claims));
    }

    #[test]
    fn expired_wrong_key_forged_and_unsigned_tokens_are_refused() {
        let id = claims();
        let expired = issue(id, SECRET, -5).unwrap();
        assert_eq!(verify(&expired, SECRET), Err(TokenError::Invalid));

        let other_key = issue(id, "another-secret-of-at-least-32-characters", 60).unwrap();
        assert_eq!(verify(&other_key, SECRET), Err(TokenError::Invalid));

        // Change the signature's first character: all six of its bits count (the
        // last character's low bits do not, so changing it may change nothing).
        let token = issue(id, SECRET, 60).unwrap();
        let at = token.rfind('.').unwrap() + 1;
        let swapped = if token[at..].starts_with('A') {
            "B"
        } else {
            "A"
        };
        let tampered = format!("{}{swapped}{}", &token[..at], &token[at + 1..]);
        assert_eq!(verify(&tampered, SECRET), Err(TokenError::Invalid));

        let exp = Utc::now().timestamp() + 3600;
        let payload = b64(format!(
            r#"{{"sub":"{}","sid":"{}","iat":0,"exp":{exp}}}"#,
            id.user_id, id.session_id
        )
        .as_bytes());
        let unsigned = format!("{}.{payload}.", b64(br#"{"alg":"none","typ":"JWT"}"#));
        assert_eq!(verify(&unsigned, SECRET), Err(TokenError::Invalid));

        #[derive(Serialize)]
        struct NoExpiry {
            sub: String,
        }
        let key = EncodingKey::from_secret(SECRET.as_bytes()).unwrap();
        let claims = NoExpiry {
            sub: id.user_id.to_string(),
        };
        let no_exp = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).unwrap();
        assert_eq!(verify(&no_exp, SECRET), Err(TokenError::Invalid));
        assert_eq!(verify("not a token", SECRET), Err(TokenError::Invalid));
    }
}
