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
/// moved for too long; hyper then closes it.
struct Deadlines {
    stream: TcpStream,
    head_timeout: Duration,
    idle_timeout: Duration,
    /// Running while a request head is on its way.
    head: Option<Pin<Box<Sleep>>>,
    idle: Pin<Box<Sleep>>,
    /// A head is complete; the next write (its answer) starts waiting for
    /// the next request.
    in_request: bool,
    /// The last bytes of the head read so far, to find `\r\n\r\n` across reads.
    tail: [u8; 3],
}

impl Deadlines {
    fn new(stream: TcpStream, limits: &ConnectionLimits) -> Self {
        Deadlines {
            stream,
            head_timeout: limits.head_timeout,
            idle_timeout: limits.idle_timeout,
            head: Some(Box::pin(tokio::time::sleep(limits.head_timeout))),
            idle: Box::pin(tokio::time::sleep(limits.idle_timeout)),
            in_request: false,
            tail: [0; 3],
        }
    }

    fn touched(&mut self) {
        self.idle.as_mut().reset(Instant::now() + self.idle_timeout);
    }

    /// An answer is going out: whatever is read next starts a new request.
    fn answering(&mut self) {
        self.touched();
        self.in_request = false;
        self.head = None;
        self.tail = [0; 3];
    }

    /// Follows the head through the bytes just read.
    fn read(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.touched();
        if self.in_request {
            return;
        }
        if self.head.is_none() {
            self.head = Some(Box::pin(tokio::time::sleep(self.head_timeout)));
        }
        if ends_head(&mut self.tail, bytes) {
            self.head = None;
            self.in_request = true;
            self.tail = [0; 3];
        }
    }

    fn late(&mut self, cx: &mut Context<'_>) -> Option<io::Error> {
        if let Some(head) = self.head.as_mut()
            && head.as_mut().poll(cx).is_ready()
        {
            return Some(io::Error::new(
                io::ErrorKind::TimedOut,
                "request head too slow",
            ));
        }
        if self.idle.as_mut().poll(cx).is_ready() {
            return Some(io::Error::new(io::ErrorKind::TimedOut, "connection idle"));
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
