//! The log as a collector reads it: standard output piped, so no colour codes;
//! `LOG_FORMAT=json` gives one JSON object a line.

#[path = "common/process.rs"]
mod process;

use std::{io::Read, process::Stdio, time::Duration};

use process::Server;

/// The whole log of a server that starts, answers `/health` and stops.
fn log_of(env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut env = env.to_vec();
    env.push(("RUST_LOG", "info"));
    let mut server = Server::start_with(dir.path(), &env, Stdio::piped());
    server.signal("-TERM");
    assert!(server.wait(Duration::from_secs(15)).success());
    let mut log = String::new();
    server
        .child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    log
}

#[test]
fn piped_logs_carry_no_colour_codes() {
    // HOST=0.0.0.0 with APP_ENV unset: the development warning is logged too.
    let log = log_of(&[("HOST", "0.0.0.0")]);
    assert!(log.contains("PagePulse is listening"), "{log}");
    assert!(log.contains("development defaults are in force"), "{log}");
    assert!(!log.contains("\x1b["), "{log:?}");
}

#[test]
fn json_logs_are_one_object_a_line() {
    let log = log_of(&[("LOG_FORMAT", "json")]);
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"))
        })
        .collect();
    assert!(
        lines
            .iter()
            .any(|line| line["fields"]["message"] == "PagePulse is listening"),
        "{log}"
    );
    assert!(lines.iter().all(|line| line["level"].is_string()), "{log}");
    assert!(!log.contains("\x1b["), "{log:?}");
}
