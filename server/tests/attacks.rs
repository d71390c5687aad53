//! The release-shaped server under the attacks that need real sockets: slow
//! and half-open connections, idle keep-alive connections, and a crowd of
//! concurrent sign-ins (each a 19 MiB password hash).

#[path = "common/process.rs"]
mod process;

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::{Duration, Instant},
};

use process::{Server, http_get, http_post};

fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
}

/// Reads until the server closes the connection; how long that took.
fn time_until_closed(stream: &mut TcpStream) -> Duration {
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return started.elapsed(),
            Ok(_) => {}
        }
    }
}

fn health_latency(port: u16) -> Duration {
    let started = Instant::now();
    let reply = http_get(port, "/health").expect("health answers");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    started.elapsed()
}

#[test]
fn a_late_request_head_is_cut_off_even_when_it_trickles() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[
            ("REQUEST_HEAD_TIMEOUT_SECS", "2"),
            ("KEEP_ALIVE_TIMEOUT_SECS", "4"),
        ],
    );
    // Half a head, then silence.
    let mut silent = connect(server.port);
    silent
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
        .unwrap();
    let waited = time_until_closed(&mut silent);
    assert!(
        (Duration::from_millis(1500)..Duration::from_secs(6)).contains(&waited),
        "{waited:?}"
    );

    // A byte every 300 ms keeps the connection busy but the head late.
    let mut trickle = connect(server.port);
    trickle
        .set_read_timeout(Some(Duration::from_millis(10)))
        .unwrap();
    let started = Instant::now();
    let head = b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let mut closed_after = None;
    for byte in head.iter() {
        if trickle.write_all(&[*byte]).is_err() {
            closed_after = Some(started.elapsed());
            break;
        }
        let mut buf = [0u8; 64];
        if let Ok(0) = trickle.read(&mut buf) {
            closed_after = Some(started.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let closed_after = closed_after.expect("a trickled head is cut off");
    assert!(closed_after < Duration::from_secs(6), "{closed_after:?}");
}

#[test]
fn an_idle_keep_alive_connection_lives_past_the_head_limit_then_closes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[
            ("REQUEST_HEAD_TIMEOUT_SECS", "1"),
            ("KEEP_ALIVE_TIMEOUT_SECS", "3"),
        ],
    );
    let mut stream = connect(server.port);
    let request = b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let read_reply = |stream: &mut TcpStream| {
        let mut buf = [0u8; 4096];
        let n = stream.read(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    stream.write_all(request).unwrap();
    assert!(read_reply(&mut stream).starts_with("HTTP/1.1 200"));
    // Idle for longer than a head may take: still open, still served.
    std::thread::sleep(Duration::from_millis(1800));
    stream.write_all(request).unwrap();
    assert!(read_reply(&mut stream).starts_with("HTTP/1.1 200"));
    // Then idle past the keep-alive limit: closed.
    let waited = time_until_closed(&mut stream);
    assert!(
        (Duration::from_millis(2500)..Duration::from_secs(7)).contains(&waited),
        "{waited:?}"
    );
}

#[test]
fn four_hundred_half_open_connections_do_not_stop_health() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let mut held = Vec::new();
    for n in 0..400 {
        let mut stream = connect(server.port);
        // Some say nothing, some send half a head.
        if n % 2 == 0 {
            let _ = stream.write_all(b"POST /api/event HTTP/1.1\r\nHost: x\r\n");
        }
        held.push(stream);
    }
    for _ in 0..5 {
        let took = health_latency(server.port);
        assert!(took < Duration::from_secs(2), "{took:?}");
    }
    drop(held);
}

/// Resident and peak resident memory of a process, in KiB.
fn memory_of(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap()
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[test]
fn eighty_concurrent_sign_ins_hash_a_few_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let port = server.port;
    let accounts = 80;
    for n in 0..accounts {
        let body =
            format!(r#"{{"email":"crowd{n}@example.com","password":"correct horse","name":"C"}}"#);
        let address = format!("198.18.7.{n}");
        let reply = http_post(
            port,
            "/api/v1/auth/register",
            &[
                ("Content-Type", "application/json"),
                ("X-Forwarded-For", &address),
            ],
            &body,
        )
        .unwrap();
        assert!(reply.starts_with("HTTP/1.1 201"), "{reply}");
    }
    let (before, _) = memory_of(server.child.id());
    let crowd: Vec<_> = (0..accounts)
        .map(|n| {
            std::thread::spawn(move || {
                let body =
                    format!(r#"{{"email":"crowd{n}@example.com","password":"correct horse"}}"#);
                let address = format!("198.18.8.{n}");
                http_post(
                    port,
                    "/api/v1/auth/login",
                    &[
                        ("Content-Type", "application/json"),
                        ("X-Forwarded-For", &address),
                    ],
                    &body,
                )
                .unwrap_or_default()
            })
        })
        .collect();
    let mut slowest_health = Duration::ZERO;
    while !crowd.iter().all(|t| t.is_finished()) {
        slowest_health = slowest_health.max(health_latency(port));
        std::thread::sleep(Duration::from_millis(50));
    }
    for reply in crowd {
        let reply = reply.join().unwrap();
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    }
    let (_, peak) = memory_of(server.child.id());
    let grew_mib = peak.saturating_sub(before) / 1024;
    assert!(
        grew_mib < 300,
        "resident memory grew by {grew_mib} MiB (from {before} KiB to a peak of {peak} KiB)"
    );
    assert!(
        slowest_health < Duration::from_secs(2),
        "{slowest_health:?}"
    );
}
