//! Group commit: one task owns all event writes. Requests queue their event and
//! wait; the task takes everything queued so far, commits it as one transaction
//! and only then answers each request. Under load, batches grow by themselves
//! (everything that arrived during the last commit goes into the next), so one
//! fsync covers hundreds of events. The queue is bounded: when it is full, the
//! caller is told to come back later instead of memory growing without limit.

use std::sync::{Arc, Mutex};

use sea_orm::DatabaseConnection;
use tokio::{
    sync::{Notify, mpsc, oneshot},
    task::JoinHandle,
};

use super::store::{self, NewEvent};

#[derive(Clone, Copy, Debug)]
pub struct WriterOptions {
    /// Events waiting for a commit, at most.
    pub queue: usize,
    /// Events per transaction, at most.
    pub batch: usize,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            queue: 16_384,
            batch: 2_000,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    #[error("the ingest queue is full")]
    QueueFull,
    #[error("the server is shutting down")]
    ShuttingDown,
    #[error("the event could not be stored")]
    Database,
}

type Reply = oneshot::Sender<Result<(), WriteError>>;

/// A handle on the writer task; clones share it.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<(Vec<NewEvent>, Reply)>,
    stop: Arc<Notify>,
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Writer {
    /// Starts the writer task on the current Tokio runtime.
    pub fn spawn(db: DatabaseConnection, options: WriterOptions) -> Writer {
        let (queue, jobs) = mpsc::channel(options.queue.max(1));
        let stop = Arc::new(Notify::new());
        let task = tokio::spawn(run(db, jobs, stop.clone(), options.batch.max(1)));
        Writer {
            queue,
            stop,
            task: Arc::new(Mutex::new(Some(task))),
        }
    }

    /// Stores `events` (one beacon's worth) and returns once they are committed.
    pub async fn write(&self, events: Vec<NewEvent>) -> Result<(), WriteError> {
        let (reply, committed) = oneshot::channel();
        self.queue.try_send((events, reply)).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => WriteError::QueueFull,
            mpsc::error::TrySendError::Closed(_) => WriteError::ShuttingDown,
        })?;
        committed.await.unwrap_or(Err(WriteError::ShuttingDown))
    }

    /// Refuses new events, commits every queued one, and waits for the task to end.
    pub async fn shutdown(&self) {
        self.stop.notify_one();
        let task = self.task.lock().map(|mut t| t.take()).unwrap_or(None);
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

async fn run(
    db: DatabaseConnection,
    mut jobs: mpsc::Receiver<(Vec<NewEvent>, Reply)>,
    stop: Arc<Notify>,
    max_batch: usize,
) {
    let mut closing = false;
    let mut events = Vec::with_capacity(max_batch);
    let mut replies = Vec::with_capacity(max_batch);
    loop {
        let job = if closing {
            jobs.recv().await
        } else {
            tokio::select! {
                job = jobs.recv() => job,
                () = stop.notified() => {
                    // Senders now fail fast; what is already queued is still drained.
                    jobs.close();
                    closing = true;
                    continue;
                }
            }
        };
        let Some((first, reply)) = job else { break };
        let mut sizes = vec![first.len()];
        events.extend(first);
        replies.push(reply);
        while events.len() < max_batch {
            let Ok((more, reply)) = jobs.try_recv() else {
                break;
            };
            sizes.push(more.len());
            events.extend(more);
            replies.push(reply);
        }
        commit(&db, &mut events, &mut replies, &sizes).await;
    }
    tracing::info!("ingest queue drained");
}

async fn commit(
    db: &DatabaseConnection,
    events: &mut Vec<NewEvent>,
    replies: &mut Vec<Reply>,
    sizes: &[usize],
) {
    match store::write_batch(db, events).await {
        Ok(()) => {
            for reply in replies.drain(..) {
                let _ = reply.send(Ok(()));
            }
        }
        Err(error) => {
            // One bad event (its site deleted a moment ago, say) must not cost the
            // others: retry each beacon in a transaction of its own.
            tracing::warn!(%error, events = events.len(), "batch failed; retrying one by one");
            let mut start = 0;
            for (reply, &size) in replies.drain(..).zip(sizes) {
                let own = &events[start..start + size];
                start += size;
                let result = store::write_batch(db, own).await.map_err(|error| {
                    tracing::error!(%error, "event not stored");
                    WriteError::Database
                });
                let _ = reply.send(result);
            }
        }
    }
    events.clear();
}
