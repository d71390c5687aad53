//! Shared helpers for the router tests: a configured app on a scratch database and
//! small request helpers. Requests appear to come from 127.0.0.1 (a trusted proxy
//! by default), so tests can pick client addresses with `X-Forwarded-For`.
#![allow(dead_code)]

use std::{collections::HashMap, net::SocketAddr};

use axum::{
    Router,
    body::Body,
    extract::connect_info::MockConnectInfo,
    http::{HeaderMap, Method, Request, StatusCode, header},
};
use http_body_util::BodyExt;
use pagepulse_core::testing::TestDb;
use serde_json::Value;
use server::{AppState, config::Config, router};
use tower::ServiceExt;

pub mod visits;

/// A GeoIP database of `records` (network, record) written to a scratch
/// file, for a server run with `GEOIP_DB` pointing at it.
pub fn geo_database(records: Vec<(&str, mmdb_writer::Value)>) -> tempfile::NamedTempFile {
    let mut writer = mmdb_writer::Writer::new("PagePulse-Test");
    for (net, record) in records {
        writer
            .insert_value(net.parse::<ipnet::IpNet>().unwrap(), record)
            .unwrap();
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), writer.to_bytes().unwrap()).unwrap();
    file
}

pub const JWT_SECRET: &str = "test-jwt-secret-key-that-is-long-enough-0";

pub fn config_with(db: &TestDb, extra: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = [
        ("DATABASE_URL", db.url.as_str()),
        ("SECRET_KEY", "test-secret-key-that-is-long-enough-000"),
        ("JWT_SECRET_KEY", JWT_SECRET),
        ("BASE_URL", "https://stats.example.net"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in extra {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    Config::from_vars(&vars).expect("test configuration")
}

pub fn app(db: &TestDb) -> Router {
    app_with(db, &[])
}

pub fn app_with(db: &TestDb, extra: &[(&str, &str)]) -> Router {
    app_from(db, extra, SocketAddr::from(([127, 0, 0, 1], 40000)))
}

/// The app as seen by a client connecting from `peer`.
pub fn app_from(db: &TestDb, extra: &[(&str, &str)], peer: SocketAddr) -> Router {
    router(AppState::new(config_with(db, extra), db.db.clone())).layer(MockConnectInfo(peer))
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    /// The `name=value` part of the session cookie this reply sets.
    pub fn session_cookie(&self) -> String {
        let set_cookie = self.headers[header::SET_COOKIE].to_str().unwrap();
        set_cookie.split(';').next().unwrap().to_owned()
    }
}

pub async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if body.is_some()
        && !headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
    {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let request = request
        .body(
            body.map(|b| Body::from(b.to_owned()))
                .unwrap_or_else(Body::empty),
        )
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// Registers an account and returns its session cookie. Each email signs up
/// from an address of its own, so tests that make many accounts stay inside
/// the per-address registration limit.
pub async fn sign_up(app: &Router, email: &str) -> String {
    let body = format!(r#"{{"email":"{email}","password":"correct horse","name":"Test User"}}"#);
    let hash = email
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let address = format!("198.18.{}.{}", (hash >> 8) & 255, hash & 255);
    let reply = send(
        app,
        Method::POST,
        "/api/v1/auth/register",
        &[("x-forwarded-for", &address)],
        Some(&body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.session_cookie()
}

/// Creates a site through the API and returns its JSON.
pub async fn create_site(app: &Router, cookie: &str, name: &str, domain: &str) -> Value {
    let body = serde_json::json!({ "name": name, "domain": domain }).to_string();
    let reply = send(
        app,
        Method::POST,
        "/api/v1/sites",
        &[("cookie", cookie)],
        Some(&body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()
}

/// Sends each of Plausible's beacon bodies to `/api/event` from one visitor
/// (a desktop Firefox), each answered 202.
pub async fn plausible_beacons(app: &Router, bodies: &[&str]) {
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    for body in bodies {
        let headers = [("content-type", "text/plain"), ("user-agent", ua)];
        let reply = send(app, Method::POST, "/api/event", &headers, Some(body)).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    }
}

/// `GET uri` with a session cookie.
pub async fn get_as(app: &Router, uri: &str, cookie: &str) -> Reply {
    send(app, Method::GET, uri, &[("cookie", cookie)], None).await
}
