//! The rollup job as an operator runs it: `pagepulse rollup` processes, two at
//! once on one PostgreSQL rolling each site-day exactly once, and the latest run
//! shown on `/health/details`.

#[path = "common/process.rs"]
mod process;

use std::process::Output;

use pagepulse_core::{
    analytics::{AnalyticsQuery, Reports},
    entities::{rollup_day, rollup_run, site},
    seed::{SeedOptions, seed},
    testing::{TestDb, insert_site},
};
use process::{Server, http_get, pagepulse};
use sea_orm::{EntityTrait, PaginatorTrait};

async fn seeded(t: &TestDb, days: u32) -> site::Model {
    let id = insert_site(&t.db, "example.com").await;
    let now = chrono::Utc::now().timestamp_millis();
    let options = SeedOptions {
        site: id,
        days,
        events: 3_000 * u64::from(days),
        seed: 3,
        now_ms: now,
    };
    seed(&t.db, options, |_, _| {}).await.unwrap();
    site::Entity::find_by_id(id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap()
}

/// Closed days among the last `days` UTC days: today is open, and so is
/// yesterday for the first five minutes after midnight.
fn closed(days: i64) -> i64 {
    let into_today = chrono::Utc::now().timestamp_millis() % 86_400_000;
    if into_today >= 5 * 60 * 1000 {
        days - 1
    } else {
        days - 2
    }
}

fn succeeded(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn two_processes_on_one_postgres_roll_each_site_day_once() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    let site = seeded(&t, 12).await;
    let dir = tempfile::tempdir().unwrap();
    let spawn = || {
        pagepulse(dir.path())
            .arg("rollup")
            .env("DATABASE_URL", &t.url)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    succeeded(&a);
    succeeded(&b);

    // Every closed day, whichever process took it.
    let rolled = rollup_day::Entity::find().count(&t.db).await.unwrap() as i64;
    assert_eq!(rolled, closed(12));
    let runs = rollup_run::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r.trigger == "cli" && r.error.is_none()));
    assert_eq!(
        runs.iter().map(|r| r.days).sum::<i64>(),
        rolled,
        "no site-day rolled twice: {runs:?}"
    );

    let now = chrono::Utc::now().timestamp_millis();
    let reports = Reports::new(t.db.clone(), 4);
    for period in ["30d", "7d", "yesterday"] {
        let query = AnalyticsQuery::from_pairs([("period", period)]).unwrap();
        assert_eq!(
            reports.report(&site, &query, now).await.unwrap(),
            reports
                .report_from_events(&site, &query, now)
                .await
                .unwrap(),
            "{period}"
        );
    }
    t.teardown().await;
}

#[tokio::test]
async fn the_command_reports_progress_and_health_shows_the_last_run() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/pagepulse.db?mode=rwc", dir.path().display());
    let server = Server::start(dir.path(), &[("DATABASE_URL", &url)]);
    let health = http_get(server.port, "/health/details").unwrap();
    assert!(health.contains(r#""last_run":null"#), "{health}");
    assert!(health.contains(r#""schedule":"0 15 * * * *""#), "{health}");

    let db = pagepulse_core::db::connect(&url).await.unwrap();
    let id = insert_site(&db, "example.com").await;
    let now = chrono::Utc::now().timestamp_millis();
    let options = SeedOptions {
        site: id,
        days: 5,
        events: 5_000,
        seed: 5,
        now_ms: now,
    };
    seed(&db, options, |_, _| {}).await.unwrap();
    let output = pagepulse(dir.path())
        .args(["rollup", "--site", &id.to_string()])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let stdout = succeeded(&output);
    let days = closed(5);
    assert!(
        stdout.contains(&format!("rolled up {days} site-days")),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains(&format!("{days}/{days} days")));

    let health = http_get(server.port, "/health/details").unwrap();
    assert!(
        health.contains(&format!(r#""days_rolled_up":{days}"#)),
        "{health}"
    );
    assert!(health.contains(r#""trigger":"cli""#), "{health}");
    assert!(health.contains(r#""failed_days":0"#), "{health}");

    let unknown = pagepulse(dir.path())
        .args(["rollup", "--site", &uuid::Uuid::new_v4().to_string()])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no site with id"));
    drop(server);
}

/// The apalis wiring end to end: a tick every second goes through the task
/// storage in the application database and runs the rollup, on both databases.
#[tokio::test]
async fn the_cron_worker_runs_the_rollup_through_apalis_storage() {
    for t in TestDb::all().await {
        seeded(&t, 3).await;
        let worker = server::jobs::start_on("* * * * * *", server::jobs::RETRY, t.db.clone(), None)
            .await
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let runs = loop {
            let runs = rollup_run::Entity::find().all(&t.db).await.unwrap();
            if runs.iter().any(|r| r.days > 0) || std::time::Instant::now() > deadline {
                break runs;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        };
        worker.abort();
        let run = runs
            .iter()
            .find(|r| r.days > 0)
            .expect("a cron run rolled days up");
        assert_eq!(run.trigger, "cron");
        // Runs take turns: the first does every day, later ticks find none.
        assert_eq!(run.days, closed(3), "{:?}: {runs:?}", t.backend);
        assert_eq!(runs.iter().map(|r| r.days).sum::<i64>(), closed(3));
        let rolled = rollup_day::Entity::find().count(&t.db).await.unwrap() as i64;
        assert_eq!(rolled, closed(3));
        t.teardown().await;
    }
}

/// A process that starts while its predecessor's worker is still registered
/// (a restart within apalis's heartbeat) gets its rollups all the same: its
/// worker starts again until the old registration has lapsed.
#[tokio::test]
async fn a_worker_started_over_a_fresh_registration_runs_once_it_lapses() {
    let t = TestDb::sqlite().await;
    seeded(&t, 2).await;
    let every_second = "* * * * * *";
    let retry = std::time::Duration::from_secs(2);
    let ran_since = |since: i64| {
        let db = t.db.clone();
        async move {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(75);
            loop {
                let runs = rollup_run::Entity::find().all(&db).await.unwrap();
                if runs
                    .iter()
                    .any(|r| r.trigger == "cron" && r.started_at > since)
                {
                    return true;
                }
                if std::time::Instant::now() > deadline {
                    return false;
                }
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
        }
    };
    let before = server::jobs::start_on(every_second, retry, t.db.clone(), None)
        .await
        .unwrap();
    assert!(ran_since(0).await, "the first worker ran");
    // The process dies: its worker's registration stays fresh for a while.
    before.abort();
    let restarted = chrono::Utc::now().timestamp_millis();
    let after = server::jobs::start_on(every_second, retry, t.db.clone(), None)
        .await
        .unwrap();
    assert!(ran_since(restarted).await, "the restarted worker ran");
    after.abort();
    t.teardown().await;
}
