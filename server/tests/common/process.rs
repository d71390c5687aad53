//! The real `pagepulse` binary on a loopback port, for tests that need a process:
//! signals, kill -9, raw HTTP bytes.
#![allow(dead_code)]

use std::{
    collections::HashSet,
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::Path,
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

pub fn pagepulse(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pagepulse"));
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn");
    command
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Sends `request` as it is and returns the whole response, or `None` when the
/// server cannot be reached or hangs up.
pub fn raw_http(port: u16, request: &[u8]) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .ok()?;
    stream.write_all(request).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    (!response.is_empty()).then_some(response)
}

pub fn http_get(port: u16, path: &str) -> Option<String> {
    raw_http(
        port,
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

pub fn http_post(port: u16, path: &str, headers: &[(&str, &str)], body: &str) -> Option<String> {
    http_send(port, "POST", path, headers, body)
}

pub fn http_send(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<String> {
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    raw_http(port, request.as_bytes())
}

pub struct Server {
    pub child: Child,
    pub port: u16,
}

impl Server {
    /// Starts `pagepulse serve` in `dir` with `env` and waits until `/health` is 200.
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> Server {
        Server::start_with(dir, env, Stdio::null())
    }

    /// As `start`, with the log (standard output) going to `stdout`.
    pub fn start_with(dir: &Path, env: &[(&str, &str)], stdout: Stdio) -> Server {
        Server::start_within(dir, env, stdout, Duration::from_secs(30))
    }

    /// As `start_with`, giving the server `limit` to answer. A server that
    /// exits instead fails at once, with its last words (standard error).
    pub fn start_within(
        dir: &Path,
        env: &[(&str, &str)],
        stdout: Stdio,
        limit: Duration,
    ) -> Server {
        let port = free_port();
        let mut command = pagepulse(dir);
        command
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .stdout(stdout)
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut server = Server {
            child: command.spawn().unwrap(),
            port,
        };
        let deadline = Instant::now() + limit;
        loop {
            if http_get(port, "/health").is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
                // Drained from here on: a full pipe must not stall the server.
                if let Some(mut pipe) = server.child.stderr.take() {
                    std::thread::spawn(move || std::io::copy(&mut pipe, &mut std::io::sink()));
                }
                return server;
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                let mut stderr = String::new();
                if let Some(mut pipe) = server.child.stderr.take() {
                    let _ = pipe.read_to_string(&mut stderr);
                }
                panic!("server exited ({status}) instead of answering: {stderr}");
            }
            if Instant::now() > deadline {
                let _ = server.child.kill();
                panic!("server did not answer within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args([signal, &pid])
                .status()
                .unwrap()
                .success()
        );
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not stop within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Fails, naming a few, unless every acknowledged event (by its path) was stored.
pub fn assert_none_lost(what: &str, acknowledged: &[String], stored: &HashSet<String>) {
    let lost: Vec<_> = acknowledged
        .iter()
        .filter(|p| !stored.contains(*p))
        .collect();
    assert!(
        lost.is_empty(),
        "{what}: {} of {} acknowledged events lost: {:?}",
        lost.len(),
        acknowledged.len(),
        &lost[..lost.len().min(5)]
    );
}
