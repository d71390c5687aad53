//! API keys on SQLite and PostgreSQL: made with the session cookie and shown
//! once, listed without the key, revoked at once, stored only as a hash, and
//! another user's key is not found.

mod common;

use axum::http::{Method, StatusCode};
use common::{app, get_as, send, sign_up};
use pagepulse_core::{
    api_keys::{self, ApiKeyError},
    entities::api_key,
    testing::TestDb,
};
use sea_orm::EntityTrait;

#[tokio::test]
async fn keys_are_shown_once_listed_without_secrets_and_revoked_at_once() {
    for t in TestDb::all().await {
        let app = app(&t);
        let ada = sign_up(&app, "ada@example.com").await;
        let bob = sign_up(&app, "bob@example.com").await;
        let create = |cookie: &str, body: &str| {
            let (app, cookie, body) = (app.clone(), cookie.to_owned(), body.to_owned());
            async move {
                send(
                    &app,
                    Method::POST,
                    "/api/v1/api-keys",
                    &[("cookie", &cookie)],
                    Some(&body),
                )
                .await
            }
        };

        let made = create(&ada, r#"{"name":"Grafana"}"#).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let made = made.json();
        let key = made["key"].as_str().unwrap().to_owned();
        assert_eq!(key.len(), 64);
        assert_eq!(made["name"], "Grafana");
        assert!(made["created_at"].is_string() && made["id"].is_string());

        let listed = get_as(&app, "/api/v1/api-keys", &ada).await.json();
        assert_eq!(listed.as_array().unwrap().len(), 1);
        assert!(listed[0].get("key").is_none(), "the key is shown once");
        assert_eq!(listed[0]["prefix"], key[..8]);
        assert!(
            !get_as(&app, "/api/v1/api-keys", &ada)
                .await
                .body
                .contains(&key)
        );
        assert_eq!(
            get_as(&app, "/api/v1/api-keys", &bob).await.json(),
            serde_json::json!([])
        );

        // Only a hash is stored.
        let rows = api_key::Entity::find().all(&t.db).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_ne!(rows[0].key_hash, key);
        assert!(!format!("{rows:?}").contains(&key));

        // The key finds its owner; a wrong or malformed header finds no one.
        let holder = api_keys::holder(&t.db, Some(&format!("Bearer {key}")))
            .await
            .unwrap();
        assert_eq!(holder.key_id.to_string(), made["id"].as_str().unwrap());
        for header in [None, Some("Bearer "), Some(key.as_str())] {
            assert!(matches!(
                api_keys::holder(&t.db, header).await,
                Err(ApiKeyError::Missing)
            ));
        }
        assert!(matches!(
            api_keys::holder(&t.db, Some("Bearer 0000")).await,
            Err(ApiKeyError::Unauthorized)
        ));

        // Bad input and strangers.
        let bad = create(&ada, r#"{"name":"  "}"#).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        let anonymous = send(
            &app,
            Method::POST,
            "/api/v1/api-keys",
            &[],
            Some(r#"{"name":"x"}"#),
        )
        .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        let path = format!("/api/v1/api-keys/{}", made["id"].as_str().unwrap());
        let theirs = send(&app, Method::DELETE, &path, &[("cookie", &bob)], None).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        let nonsense = send(
            &app,
            Method::DELETE,
            "/api/v1/api-keys/nope",
            &[("cookie", &ada)],
            None,
        )
        .await;
        assert_eq!(nonsense.status, StatusCode::NOT_FOUND);

        let revoked = send(&app, Method::DELETE, &path, &[("cookie", &ada)], None).await;
        assert_eq!(revoked.status, StatusCode::NO_CONTENT);
        assert!(matches!(
            api_keys::holder(&t.db, Some(&format!("Bearer {key}"))).await,
            Err(ApiKeyError::Unauthorized)
        ));
        assert_eq!(
            get_as(&app, "/api/v1/api-keys", &ada).await.json(),
            serde_json::json!([])
        );
        t.teardown().await;
    }
}
