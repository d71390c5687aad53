//! "A 202 means committed" against the real binary: clients fire beacons while
//! the server is killed with SIGKILL (or stopped with SIGTERM), and every beacon
//! that was answered 202 is in the database afterwards, on SQLite and PostgreSQL.
//! Also: malformed HTTP (CR/LF games in headers) is refused by the server itself.

#[path = "common/process.rs"]
mod process;

use std::{
    collections::HashSet,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    thread::JoinHandle,
    time::Duration,
};

use pagepulse_core::{
    entities::event,
    testing::{TestDb, insert_site},
};
use process::{Server, assert_none_lost, http_post, raw_http};
use sea_orm::{EntityTrait, PaginatorTrait};
use uuid::Uuid;

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36";
const CLIENTS: usize = 6;

fn env(url: &str) -> Vec<(&str, &str)> {
    vec![
        ("DATABASE_URL", url),
        ("SECRET_KEY", "durability-secret-key-long-enough-0000"),
        ("JWT_SECRET_KEY", "durability-jwt-secret-long-enough-00000"),
        ("EVENT_RATE_LIMIT_PER_MINUTE", "10000000"),
    ]
}

/// Clients that post beacons with unique paths until told to stop or the server
/// is gone, and note each path that was acknowledged.
fn fire(
    port: u16,
    site: Uuid,
    stop: Arc<AtomicBool>,
) -> (Vec<JoinHandle<()>>, Arc<Mutex<Vec<String>>>) {
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let clients = (0..CLIENTS)
        .map(|client| {
            let (stop, acknowledged) = (stop.clone(), acknowledged.clone());
            std::thread::spawn(move || {
                let mut failures = 0;
                for n in 0.. {
                    if stop.load(Ordering::SeqCst) || failures > 20 {
                        break;
                    }
                    let path = format!("/c{client}/{n}");
                    let body = format!(r#"{{"s":"{site}","u":"https://example.com{path}"}}"#);
                    match http_post(
                        port,
                        "/api/v1/event",
                        &[("Content-Type", "text/plain"), ("User-Agent", CHROME)],
                        &body,
                    ) {
                        Some(response) if response.starts_with("HTTP/1.1 202") => {
                            assert!(!response.contains("\r\nx-pagepulse-dropped:"), "{response}");
                            acknowledged.lock().unwrap().push(path);
                        }
                        Some(response) => {
                            // Only "come back later" is acceptable while stopping.
                            assert!(response.starts_with("HTTP/1.1 503"), "{response}");
                            failures += 1;
                        }
                        None => failures += 1,
                    }
                }
            })
        })
        .collect();
    (clients, acknowledged)
}

async fn stored_paths(t: &TestDb) -> HashSet<String> {
    event::Entity::find()
        .all(&t.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.path)
        .collect()
}

async fn join(clients: Vec<JoinHandle<()>>) {
    tokio::task::spawn_blocking(move || {
        for client in clients {
            client.join().expect("client thread");
        }
    })
    .await
    .unwrap();
}

/// A server on `t`'s database with clients firing at it.
struct UnderLoad {
    dir: tempfile::TempDir,
    server: Server,
    stop: Arc<AtomicBool>,
    clients: Vec<JoinHandle<()>>,
    acknowledged: Arc<Mutex<Vec<String>>>,
}

impl UnderLoad {
    async fn start(t: &TestDb) -> UnderLoad {
        let site = insert_site(&t.db, "example.com").await;
        let dir = tempfile::tempdir().unwrap();
        let server = Server::start(dir.path(), &env(&t.url));
        let stop = Arc::new(AtomicBool::new(false));
        let (clients, acknowledged) = fire(server.port, site, stop.clone());
        UnderLoad {
            dir,
            server,
            stop,
            clients,
            acknowledged,
        }
    }

    /// Stops the clients (the server is gone by now) and returns what was acknowledged.
    async fn finish(&mut self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        join(std::mem::take(&mut self.clients)).await;
        self.acknowledged.lock().unwrap().clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_event_survives_kill_9() {
    for t in TestDb::all().await {
        let mut load = UnderLoad::start(&t).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        load.server.child.kill().unwrap(); // SIGKILL: no drain, no goodbye
        load.server.child.wait().unwrap();
        let acknowledged = load.finish().await;
        assert!(
            acknowledged.len() >= 50,
            "{:?}: only {} events were acknowledged before the kill",
            t.backend,
            acknowledged.len()
        );

        // Restart on the same database: it opens, recovers, and serves.
        let restarted = Server::start(load.dir.path(), &env(&t.url));
        drop(restarted);
        let stored = stored_paths(&t).await;
        assert_none_lost(&format!("{:?}", t.backend), &acknowledged, &stored);
        t.teardown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_the_queue_and_exits_cleanly() {
    for t in TestDb::all().await {
        let mut load = UnderLoad::start(&t).await;
        tokio::time::sleep(Duration::from_millis(1000)).await;
        load.server.signal("-TERM");
        let status = load.server.wait(Duration::from_secs(15));
        let acknowledged = load.finish().await;
        assert!(status.success(), "exit status after SIGTERM: {status:?}");
        assert!(acknowledged.len() >= 30, "{}", acknowledged.len());
        let stored = stored_paths(&t).await;
        assert!(
            acknowledged.iter().all(|p| stored.contains(p)),
            "{:?}: an acknowledged event is missing after SIGTERM",
            t.backend
        );
        t.teardown().await;
    }
}

#[tokio::test]
async fn header_injection_is_refused_by_the_server() {
    let t = TestDb::sqlite().await;
    let site = insert_site(&t.db, "example.com").await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &env(&t.url));
    let body = format!(r#"{{"s":"{site}","u":"https://example.com/"}}"#);
    for header in [
        "User-Agent: Mozilla/5.0\rX-Injected: 1",
        "User-Agent: Mozilla/5.0\r\n X-Folded: continuation",
        "User-Agent: Mozilla\u{0}/5.0",
        "X-Forwarded-For: 203.0.113.1\r\nX-Forwarded-For : 6.6.6.6",
    ] {
        let request = format!(
            "POST /api/v1/event HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{header}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let response = raw_http(server.port, request.as_bytes()).unwrap_or_default();
        assert!(
            response.starts_with("HTTP/1.1 400"),
            "{header:?} → {response:?}"
        );
    }
    assert_eq!(event::Entity::find().count(&t.db).await.unwrap(), 0);
    drop(server);
    t.teardown().await;
}
