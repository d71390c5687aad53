//! Two `pagepulse serve` processes on one PostgreSQL, as replicas run: a
//! shield saved through one stops beacons on the other within the site
//! cache's few seconds, and only the beacons it stopped are missing.

#[path = "common/process.rs"]
mod process;

use std::time::{Duration, Instant};

use pagepulse_core::{entities::event, testing::TestDb};
use process::{Server, http_post, http_send};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36";

/// How long a replica may keep a site's old rules: the site cache's lifetime
/// and a margin for a slow machine.
const PROPAGATION: Duration = Duration::from_secs(7);

struct Response {
    status: u16,
    head: String,
    body: String,
}

fn parse(raw: Option<String>) -> Response {
    let raw = raw.expect("the server answers");
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Response {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

impl Response {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn dropped(&self) -> bool {
        assert_eq!(self.status, 202, "{}\n{}", self.head, self.body);
        self.head
            .to_ascii_lowercase()
            .contains("x-pagepulse-dropped: shield")
    }
}

fn request(port: u16, method: &str, path: &str, cookie: &str, body: &Value) -> Response {
    let headers = [("Content-Type", "application/json"), ("Cookie", cookie)];
    parse(http_send(port, method, path, &headers, &body.to_string()))
}

fn view(port: u16, path: &str) -> Response {
    let body =
        json!({"n": "pageview", "u": format!("https://shop.example{path}"), "d": "shop.example"});
    parse(http_post(
        port,
        "/api/event",
        &[("Content-Type", "text/plain"), ("User-Agent", CHROME)],
        &body.to_string(),
    ))
}

#[tokio::test]
async fn a_shield_saved_on_one_replica_stops_beacons_on_the_other_within_seconds() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let env = [("DATABASE_URL", t.url.as_str())];
    let a = Server::start(dir_a.path(), &env);
    let b = Server::start(dir_b.path(), &env);

    let account =
        json!({"email": "owner@shop.example", "password": "correct horse", "name": "Owner"});
    let registered = request(a.port, "POST", "/api/v1/auth/register", "", &account);
    assert_eq!(registered.status, 201, "{}", registered.body);
    let cookie = registered
        .head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie: "))
        .map(|l| &l["set-cookie: ".len()..])
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let created = request(
        a.port,
        "POST",
        "/api/v1/sites",
        &cookie,
        &json!({"name": "Shop", "domain": "shop.example"}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let site = created.json()["id"].as_str().unwrap().to_owned();

    // Replica B learns the site, without shields, and keeps it cached.
    assert!(!view(b.port, "/blocked/0").dropped());

    let shields = format!("/api/v1/sites/{site}/shields");
    let saved = request(
        a.port,
        "PUT",
        &shields,
        &cookie,
        &json!({"paths": ["/blocked/*"]}),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let saved_at = Instant::now();
    // The replica that saved the rules applies them at once.
    assert!(view(a.port, "/blocked/a").dropped());

    let mut stored = 1;
    let mut stopped = 0;
    while saved_at.elapsed() < PROPAGATION {
        if view(b.port, &format!("/blocked/{stored}")).dropped() {
            eprintln!(
                "replica B applied the shield after {:?}",
                saved_at.elapsed()
            );
            stopped += 1;
            break;
        }
        stored += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        stopped,
        1,
        "replica B still accepted /blocked/* {:?} after the shield was saved",
        saved_at.elapsed()
    );
    // From then on every beacon B gets for the path is stopped; others pass.
    for n in 0..5 {
        assert!(view(b.port, &format!("/blocked/after-{n}")).dropped());
    }
    assert!(!view(b.port, "/open").dropped());

    // Exactly the acknowledged beacons are stored: those B took before it
    // learnt the rules, and the open page.
    let blocked = event::Entity::find()
        .filter(event::Column::Path.starts_with("/blocked/"))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(blocked, stored as u64);
    let open = event::Entity::find()
        .filter(event::Column::Path.eq("/open"))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(open, 1);

    drop((a, b));
    t.teardown().await;
}
