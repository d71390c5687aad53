//! Coming back after a crash, every time: the server is killed with SIGKILL
//! under load with a large write-ahead log, and restarted, several times in a
//! row. Each start must reach `/health` 200, and every beacon answered 202
//! must be in the database at the end. A server that cannot restart loses
//! every beacon sent while it is down.

#[path = "common/process.rs"]
mod process;

use std::{
    collections::HashSet,
    path::Path,
    process::Stdio,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use pagepulse_core::{db, entities::event, testing::insert_site};
use process::{Server, assert_none_lost, http_post};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36";
const CYCLES: usize = 4;
const CLIENTS: usize = 4;
/// Rows of 4 MiB rewritten in one transaction just before each kill, so the
/// log a restart finds holds ~100 MiB that no checkpoint has reset yet.
const BALLAST_ROWS: usize = 25;
const VISITS: usize = 300_000;
/// What a restart may take, checkpointing that log included.
const START_LIMIT: Duration = Duration::from_secs(45);

fn env(url: &str) -> Vec<(&str, &str)> {
    vec![
        ("DATABASE_URL", url),
        ("SECRET_KEY", "crash-restart-secret-key-long-enough-00"),
        ("JWT_SECRET_KEY", "crash-restart-jwt-secret-long-enough-000"),
        ("EVENT_RATE_LIMIT_PER_MINUTE", "10000000"),
    ]
}

/// Beacons with unique paths until `stop` (or the server is gone); returns the
/// acknowledged paths.
fn fire(
    port: u16,
    site: Uuid,
    cycle: usize,
    stop: Arc<AtomicBool>,
) -> (Vec<std::thread::JoinHandle<()>>, Arc<Mutex<Vec<String>>>) {
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let clients = (0..CLIENTS)
        .map(|client| {
            let (stop, acknowledged) = (stop.clone(), acknowledged.clone());
            std::thread::spawn(move || {
                for n in 0.. {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let path = format!("/k{cycle}/c{client}/{n}");
                    let body = format!(r#"{{"s":"{site}","u":"https://example.com{path}"}}"#);
                    let headers = [("Content-Type", "text/plain"), ("User-Agent", CHROME)];
                    match http_post(port, "/api/v1/event", &headers, &body) {
                        Some(response) if response.starts_with("HTTP/1.1 202") => {
                            acknowledged.lock().unwrap().push(path);
                        }
                        _ => std::thread::sleep(Duration::from_millis(20)),
                    }
                }
            })
        })
        .collect();
    (clients, acknowledged)
}

/// Rewrites the ballast in one commit: ~100 MiB appended to the log at once.
async fn grow_the_log(url: &str) {
    let db = db::open(url).await.unwrap();
    db.execute_unprepared("UPDATE ballast SET b = randomblob(4194304)")
        .await
        .unwrap();
    // Not the last connection (the server has its own): no checkpoint on close.
    db.close().await.unwrap();
}

fn log_size(dir: &Path) -> u64 {
    std::fs::metadata(dir.join("pagepulse.db-wal")).map_or(0, |m| m.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comes_back_after_kill_9_under_load_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/pagepulse.db?mode=rwc", dir.path().display());
    let setup = db::connect(&url).await.unwrap();
    let site = insert_site(&setup, "example.com").await;
    setup
        .execute_unprepared("CREATE TABLE ballast (id INTEGER PRIMARY KEY, b BLOB)")
        .await
        .unwrap();
    setup
        .execute_unprepared(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {BALLAST_ROWS}) \
             INSERT INTO ballast (b) SELECT zeroblob(4194304) FROM n"
        ))
        .await
        .unwrap();
    // The visits of a busy site's many visitors: heavy load leaves hundreds
    // of thousands, more than a debug build makes in the time of this test.
    setup
        .execute_unprepared(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {VISITS}) \
             INSERT INTO open_visits (site_id, visitor_id, visit_id, last_ts) \
             SELECT sites.id, n.i, n.i, {now} FROM sites, n",
            now = chrono::Utc::now().timestamp_millis()
        ))
        .await
        .unwrap();
    setup.close().await.unwrap();

    let mut acknowledged = Vec::new();
    for cycle in 0..=CYCLES {
        let wal = log_size(dir.path());
        let started = Instant::now();
        let mut server = Server::start_within(dir.path(), &env(&url), Stdio::null(), START_LIMIT);
        eprintln!(
            "start {cycle}: healthy after {:?} on a {} MiB log",
            started.elapsed(),
            wal >> 20
        );
        if cycle == CYCLES {
            server.signal("-TERM");
            assert!(server.wait(Duration::from_secs(30)).success());
            break;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let (clients, acked) = fire(server.port, site, cycle, stop.clone());
        tokio::time::sleep(Duration::from_millis(1500)).await;
        grow_the_log(&url).await;
        server.child.kill().unwrap(); // SIGKILL, under load
        server.child.wait().unwrap();
        stop.store(true, Ordering::SeqCst);
        tokio::task::spawn_blocking(move || clients.into_iter().for_each(|c| c.join().unwrap()))
            .await
            .unwrap();
        let acked = acked.lock().unwrap().clone();
        assert!(
            acked.len() >= 20,
            "cycle {cycle}: only {} beacons",
            acked.len()
        );
        acknowledged.extend(acked);
    }

    let db = db::open(&url).await.unwrap();
    let stored: HashSet<String> = event::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.path)
        .collect();
    assert_none_lost("after the restarts", &acknowledged, &stored);
    db.close().await.unwrap();
}

/// Another process holds the database's write lock for longer than any busy
/// timeout while the server starts (as recovering a large log after a crash
/// can): the server waits and comes up once the lock is gone, never exits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waits_out_a_lock_held_longer_than_the_busy_timeout() {
    const HELD: Duration = Duration::from_secs(15);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/pagepulse.db?mode=rwc", dir.path().display());
    db::connect(&url).await.unwrap().close().await.unwrap();
    let holder = sea_orm::Database::connect(&url).await.unwrap();
    holder.execute_unprepared("BEGIN EXCLUSIVE").await.unwrap();

    let started = Instant::now();
    let path = dir.path().to_owned();
    let env: Vec<(String, String)> = env(&url)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let server = tokio::task::spawn_blocking(move || {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        Server::start_within(&path, &env, Stdio::null(), HELD + START_LIMIT)
    });
    tokio::time::sleep(HELD).await;
    holder.execute_unprepared("COMMIT").await.unwrap();
    let mut server = server.await.unwrap();
    assert!(
        started.elapsed() >= HELD,
        "healthy after {:?}, while the lock was held",
        started.elapsed()
    );
    server.signal("-TERM");
    assert!(server.wait(Duration::from_secs(30)).success());
}
