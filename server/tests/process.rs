//! The `pagepulse` binary as an operator meets it: start-up errors are one line,
//! zero configuration works, and SIGTERM stops it cleanly.

#[path = "common/process.rs"]
mod process;

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use process::{free_port, http_get, pagepulse};

fn stderr_of(command: &mut Command) -> (bool, String) {
    let output = command.output().expect("run pagepulse");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).trim().to_owned(),
    )
}

fn assert_one_line_error(ok: bool, stderr: &str, needle: &str) {
    assert!(!ok, "expected failure, stderr: {stderr}");
    assert_eq!(
        stderr.lines().count(),
        1,
        "one line expected, got: {stderr}"
    );
    assert!(stderr.starts_with("pagepulse: "), "{stderr}");
    assert!(stderr.contains(needle), "{needle:?} not in {stderr:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_invalid_database_url_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, stderr) = stderr_of(
        pagepulse(dir.path())
            .arg("migrate")
            .env("DATABASE_URL", "mysql://nope"),
    );
    assert_one_line_error(ok, &stderr, "DATABASE_URL");
}

#[test]
fn an_unreachable_postgres_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens there.
    let (ok, stderr) = stderr_of(
        pagepulse(dir.path())
            .arg("migrate")
            .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none"),
    );
    assert_one_line_error(ok, &stderr, "cannot connect to the database");
}

#[test]
fn an_unusable_data_directory_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data"), b"a file, not a folder").unwrap();
    let (ok, stderr) = stderr_of(
        pagepulse(dir.path())
            .arg("migrate")
            .env("DATABASE_URL", "sqlite://./data/pagepulse.db?mode=rwc"),
    );
    assert_one_line_error(ok, &stderr, "data is not a directory");
}

#[test]
fn production_without_secrets_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, stderr) = stderr_of(pagepulse(dir.path()).env("APP_ENV", "production"));
    assert_one_line_error(ok, &stderr, "SECRET_KEY");
}

#[test]
fn zero_configuration_migrates_a_sqlite_file_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let output = pagepulse(dir.path()).arg("migrate").output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.path().join("pagepulse.db").exists());
    assert!(dir.path().join("pagepulse.secrets").exists());
}

#[test]
fn serves_health_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = pagepulse(dir.path())
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let response = loop {
        if let Some(response) = http_get(port, "/health") {
            break response;
        }
        assert!(
            Instant::now() < deadline,
            "server did not answer within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with(r#"{"status":"ok"}"#), "{response}");
    let probe = |dir: &std::path::Path| {
        pagepulse(dir)
            .arg("health")
            .env("PORT", port.to_string())
            .output()
            .unwrap()
    };
    assert!(
        probe(dir.path()).status.success(),
        "the container health check passes"
    );

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("server did not stop within 10 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status after SIGTERM: {status:?}");
    let after = probe(dir.path());
    assert!(
        !after.status.success(),
        "health check fails once the server is gone"
    );
    assert!(String::from_utf8_lossy(&after.stderr).contains("cannot reach"));
}
