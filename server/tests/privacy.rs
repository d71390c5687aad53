//! No visitor's address or user agent is ever stored, as a test: after a
//! burst of beacons from known addresses and user agents, no text column of
//! any table holds an address or a user-agent string, on SQLite and
//! PostgreSQL. On SQLite the database files themselves are searched too, free
//! pages and write-ahead log included. The offline GeoIP lookup is switched
//! on (a small database built here), so the address it reads is proven
//! forgotten too.

mod common;

use axum::http::{Method, StatusCode};
use common::{app_with, create_site, send, sign_up};
use pagepulse_core::{db::Backend, entities::event, testing::TestDb};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QuerySelect, Statement,
};

const ADDRESSES: [&str; 4] = [
    "203.0.113.77",
    "198.51.100.23",
    "2001:db8::4242",
    "192.0.2.199",
];
const AGENTS: [&str; 3] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36 PrivacyProbeA/1.2.3",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0 PrivacyProbeB/4.5.6",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1 PrivacyProbeC/7.8.9",
];

/// Every string that must never be stored: addresses (and their IPv4-mapped
/// spellings), whole user agents, and the tokens only those agents contain.
fn needles() -> Vec<String> {
    let mut needles: Vec<String> = ADDRESSES.iter().map(|a| a.to_string()).collect();
    needles.extend(AGENTS.iter().map(|a| a.to_string()));
    needles.extend(["PrivacyProbe", "6778.86", "15E148"].map(String::from));
    needles
}

async fn text_columns(db: &DatabaseConnection, backend: Backend) -> Vec<(String, String)> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND (upper(p.type) LIKE '%CHAR%' OR upper(p.type) LIKE '%TEXT%' \
             OR upper(p.type) LIKE '%CLOB%' OR upper(p.type) LIKE '%JSON%')"
        }
        Backend::Postgres => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')"
        }
    };
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|row| {
            (
                row.try_get_by_index::<String>(0).unwrap(),
                row.try_get_by_index::<String>(1).unwrap(),
            )
        })
        .collect()
}

/// A GeoIP database that knows two of the addresses' networks.
fn geo_database() -> tempfile::NamedTempFile {
    use mmdb_writer::Value;
    let country = |code: &str| Value::map([("country_code", Value::from(code))]);
    common::geo_database(vec![
        ("203.0.113.0/24", country("DE")),
        ("2001:db8::/32", country("FR")),
    ])
}

#[tokio::test]
async fn no_address_or_user_agent_is_ever_stored() {
    let geo = geo_database();
    let geo_path = geo.path().to_str().unwrap().to_owned();
    for t in TestDb::all().await {
        let app = app_with(&t, &[("GEOIP_DB", &geo_path)]);
        let cookie = sign_up(&app, "owner@example.com").await;
        let site = create_site(&app, &cookie, "Site", "example.com").await;
        let s = site["id"].as_str().unwrap();
        let mut recorded = 0;
        for (i, address) in ADDRESSES.iter().enumerate() {
            for (j, agent) in AGENTS.iter().enumerate() {
                for page in 0..4 {
                    let body = format!(
                        r#"{{"s":"{s}","u":"https://example.com/p{page}?utm_source=u{i}","r":"https://ref{j}.example.org/","n":"{}"}}"#,
                        if page == 3 { "Signup" } else { "pageview" }
                    );
                    // Half from a proxy that names the country, half looked up.
                    let mut headers = vec![
                        ("content-type", "text/plain"),
                        ("user-agent", *agent),
                        ("x-forwarded-for", *address),
                    ];
                    if page % 2 == 0 {
                        headers.push(("cf-ipcountry", "NL"));
                    }
                    let reply =
                        send(&app, Method::POST, "/api/v1/event", &headers, Some(&body)).await;
                    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
                    recorded += 1;
                }
            }
        }
        assert_eq!(
            event::Entity::find().count(&t.db).await.unwrap(),
            recorded,
            "the burst was stored"
        );
        let mut countries: Vec<Option<String>> = event::Entity::find()
            .select_only()
            .column(event::Column::Country)
            .distinct()
            .into_tuple()
            .all(&t.db)
            .await
            .unwrap();
        countries.sort();
        // The proxy's header, both looked-up countries, and none for the
        // addresses the database does not know.
        let expected = [None, Some("DE"), Some("FR"), Some("NL")].map(|c| c.map(str::to_owned));
        assert_eq!(countries, expected, "{:?}", t.backend);

        let columns = text_columns(&t.db, t.backend).await;
        assert!(
            columns
                .iter()
                .any(|(table, column)| table == "events" && column == "path"),
            "the scan sees the events table: {columns:?}"
        );
        let needles = needles();
        let mut scanned = 0;
        for (table, column) in &columns {
            // SQLite keeps what it is given whatever the declared type: read bytes.
            let sql = match t.backend {
                Backend::Sqlite => format!(r#"SELECT CAST("{column}" AS BLOB) FROM "{table}""#),
                Backend::Postgres => format!(r#"SELECT "{column}" FROM "{table}""#),
            };
            let rows =
                t.db.query_all_raw(Statement::from_string(t.db.get_database_backend(), sql))
                    .await
                    .unwrap();
            for row in rows {
                let value = match t.backend {
                    Backend::Sqlite => row
                        .try_get_by_index::<Option<Vec<u8>>>(0)
                        .unwrap()
                        .map(|b| String::from_utf8_lossy(&b).into_owned()),
                    Backend::Postgres => row.try_get_by_index::<Option<String>>(0).unwrap(),
                };
                let Some(value) = value else {
                    continue;
                };
                scanned += 1;
                for needle in &needles {
                    assert!(
                        !value.contains(needle.as_str()),
                        "{:?}: {table}.{column} holds {needle:?}: {value:?}",
                        t.backend
                    );
                }
            }
        }
        assert!(
            scanned > recorded as usize * 10,
            "only {scanned} values scanned"
        );

        if t.backend == Backend::Sqlite {
            let file = pagepulse_core::db::sqlite_file(&t.url).unwrap();
            for suffix in ["", "-wal"] {
                let mut path = file.clone().into_os_string();
                path.push(suffix);
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                for needle in &needles {
                    assert!(
                        !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                        "{path:?} holds {needle:?}"
                    );
                }
            }
        }
        t.teardown().await;
    }
}
