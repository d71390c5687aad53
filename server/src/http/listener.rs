//! The accept loop: what `axum::serve` does, plus the limits that keep slow and
//! idle clients from holding the server. A request head must arrive within
//! `head_timeout` of its first byte (or of the connection, for the first
//! request), a connection with nothing moving either way for `idle_timeout` is
//! closed, and at most `max_connections` are open at once (past that, new
//! ones wait in the kernel's backlog). The whole-request limit is the router's
//! `TimeoutLayer`, since only it sees where a request ends.

use std::{
    future::Future,
    io,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use axum::{Router, extract::ConnectInfo};
use hyper::server::conn::http1;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::Semaphore,
    time::{Instant, Sleep},
};
use tower::ServiceExt;

use crate::config::ConnectionLimits;

/// How long in-flight requests get to finish once shutdown has begun.
const DRAIN: Duration = Duration::from_secs(30);

/// Serves `router` until `shutdown` resolves, then lets open connections finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    // HTTP/1.1 only: `Deadlines` follows requests by their heads' `\r\n\r\n`,
    // which HTTP/2's frames do not have. Our own deadlines time the head, so
    // hyper's would only close idle keep-alive connections early.
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(None)
        .keep_alive(true);
    let builder = Arc::new(builder);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: back off instead of spinning.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(Deadlines::new(stream, &limits));
        let service =
            router
                .clone()
                .map_request(move |request: http::Request<hyper::body::Incoming>| {
                    let mut request = request.map(axum::body::Body::new);
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request
                });
        let connection = builder.serve_connection(io, TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after {DRAIN:?}; closing them");
    }
    Ok(())
}

/// A connection that fails its reads once a head is late or nothing has
/// moved for too long; hyper then closes it. Each read and write only notes
/// the time: the one timer moves when it fires, never per request, and is
/// never set further ahead than `head_timeout`, so a head that starts later
/// is still caught on time.
struct Deadlines {
    stream: TcpStream,
    head_timeout: Duration,
    idle_timeout: Duration,
    timer: Pin<Box<Sleep>>,
    /// When bytes last moved either way.
    moved: Instant,
    /// When the head on its way began: its first byte, or the connection's
    /// start for the first request.
    head_since: Option<Instant>,
    /// A head is complete; the next write (its answer) starts waiting for
    /// the next request.
    in_request: bool,
    /// The last bytes of the head read so far, to find `\r\n\r\n` across reads.
    tail: [u8; 3],
}

impl Deadlines {
    fn new(stream: TcpStream, limits: &ConnectionLimits) -> Self {
        let now = Instant::now();
        Deadlines {
            stream,
            head_timeout: limits.head_timeout,
            idle_timeout: limits.idle_timeout,
            timer: Box::pin(tokio::time::sleep_until(
                now + limits.head_timeout.min(limits.idle_timeout),
            )),
            moved: now,
            head_since: Some(now),
            in_request: false,
            tail: [0; 3],
        }
    }

    /// An answer is going out: whatever is read next starts a new request.
    fn answering(&mut self) {
        self.moved = Instant::now();
        self.in_request = false;
        self.head_since = None;
        self.tail = [0; 3];
    }

    /// Follows the head through the bytes just read.
    fn read(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.moved = Instant::now();
        if self.in_request {
            return;
        }
        self.head_since.get_or_insert(self.moved);
        if ends_head(&mut self.tail, bytes) {
            self.head_since = None;
            self.in_request = true;
            self.tail = [0; 3];
        }
    }

    /// The deadline that has passed, if any; otherwise the timer is set for
    /// the next one (or at most `head_timeout` ahead) and polled.
    fn late(&mut self, cx: &mut Context<'_>) -> Option<io::Error> {
        while self.timer.as_mut().poll(cx).is_ready() {
            let now = Instant::now();
            let head_due = self.head_since.map(|since| since + self.head_timeout);
            if head_due.is_some_and(|due| now >= due) {
                return Some(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "request head too slow",
                ));
            }
            let idle_due = self.moved + self.idle_timeout;
            if now >= idle_due {
                return Some(io::Error::new(io::ErrorKind::TimedOut, "connection idle"));
            }
            let next = head_due
                .unwrap_or(idle_due)
                .min(idle_due)
                .min(now + self.head_timeout);
            self.timer.as_mut().reset(next);
        }
        None
    }
}

/// Whether `bytes`, after the `tail` of what came before, complete a head
/// (`\r\n\r\n`); keeps the new tail.
fn ends_head(tail: &mut [u8; 3], bytes: &[u8]) -> bool {
    let mut window = [0, tail[0], tail[1], tail[2]];
    for &byte in bytes {
        window = [window[1], window[2], window[3], byte];
        if &window == b"\r\n\r\n" {
            return true;
        }
    }
    tail.copy_from_slice(&window[1..]);
    false
}

impl AsyncRead for Deadlines {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                this.read(&buf.filled()[before..]);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => match this.late(cx) {
                Some(error) => Poll::Ready(Err(error)),
                None => Poll::Pending,
            },
        }
    }
}

impl AsyncWrite for Deadlines {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.stream).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = written
            && n > 0
        {
            this.answering();
        }
        written
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = written
            && n > 0
        {
            this.answering();
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::ends_head;

    #[test]
    fn the_end_of_a_head_is_found_across_reads() {
        let mut tail = [0; 3];
        assert!(!ends_head(&mut tail, b"GET / HTTP/1.1\r\nHost: x\r"));
        assert!(!ends_head(&mut tail, b"\n"));
        assert!(ends_head(&mut tail, b"\r\nbody"));
        let mut tail = [0; 3];
        assert!(ends_head(&mut tail, b"GET / HTTP/1.1\r\n\r\n"));
        let mut tail = [0; 3];
        assert!(!ends_head(&mut tail, b"GET / HTTP/1.1\r\nX: \n\r\n"));
    }
}
