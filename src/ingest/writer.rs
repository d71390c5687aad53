//! Group commit: one task owns all event writes. Requests queue their event and
//! wait; the task takes everything queued so far, commits it as one transaction
//! and only then answers each request. Under load, batches grow by themselves
//! (everything that arrived during the last commit goes into the next), so one
//! fsync covers hundreds of events. The queue is bounded in events, not in
//! requests (one Plausible beacon may carry several): when it is full, the
//! caller is told to come back later instead of memory growing without limit.
//!
//! On SQLite the fsync is taken out of the commit (`sync_wal`): the writer's
//! connection commits into the write-ahead log without syncing it, a second
//! task syncs the log and only then answers that batch's requests, and the
//! writer meanwhile commits the next batch. The cores work while the disk
//! flushes, and an answered event is on disk exactly as before.

use std::{
    path::PathBuf,
    sync::{Arc, Mutex},
};

use sea_orm::DatabaseConnection;
use tokio::{
    sync::{Notify, OwnedSemaphorePermit, Semaphore, TryAcquireError, mpsc, oneshot},
    task::JoinHandle,
};

use super::store::{self, NewEvent};

#[derive(Clone, Debug)]
pub struct WriterOptions {
    /// Events accepted and not yet committed (queued or in the batch being
    /// committed), at most.
    pub queue: usize,
    /// Events per transaction, at most.
    pub batch: usize,
    /// The write-ahead log to fsync before answering, when the connection's
    /// commits do not sync it themselves (see `db::writer`).
    pub sync_wal: Option<PathBuf>,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            queue: 16_384,
            batch: 2_000,
            sync_wal: None,
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

/// One request's events, with its share of the queue: one permit per event,
/// given back once the batch holding them is committed.
type Job = (Vec<NewEvent>, Reply, OwnedSemaphorePermit);

/// A committed batch's requests, each with its outcome so far.
type Answers = Vec<(Reply, Result<(), WriteError>)>;

/// Committed batches waiting for the log's fsync, at most: past it the writer
/// waits too, so a slow disk slows intake instead of growing memory.
const SYNC_QUEUE: usize = 4;

/// A handle on the writer task; clones share it.
#[derive(Clone)]
pub struct Writer {
    /// Unbounded itself: `room` bounds what it holds.
    queue: mpsc::UnboundedSender<Job>,
    room: Arc<Semaphore>,
    stop: Arc<Notify>,
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Writer {
    /// Starts the writer task on the current Tokio runtime.
    pub fn spawn(db: DatabaseConnection, options: WriterOptions) -> Writer {
        let (queue, jobs) = mpsc::unbounded_channel();
        let room = Arc::new(Semaphore::new(
            options.queue.clamp(1, Semaphore::MAX_PERMITS),
        ));
        let stop = Arc::new(Notify::new());
        let task = tokio::spawn(run(db, jobs, stop.clone(), options));
        Writer {
            queue,
            room,
            stop,
            task: Arc::new(Mutex::new(Some(task))),
        }
    }

    /// Stores `events` (one beacon's worth) and returns once they are committed.
    /// More events than the whole queue holds are refused as `QueueFull`.
    pub async fn write(&self, events: Vec<NewEvent>) -> Result<(), WriteError> {
        if events.is_empty() {
            return Ok(());
        }
        let wanted = u32::try_from(events.len()).map_err(|_| WriteError::QueueFull)?;
        let permit = self
            .room
            .clone()
            .try_acquire_many_owned(wanted)
            .map_err(|e| match e {
                TryAcquireError::NoPermits => WriteError::QueueFull,
                TryAcquireError::Closed => WriteError::ShuttingDown,
            })?;
        let (reply, committed) = oneshot::channel();
        self.queue
            .send((events, reply, permit))
            .map_err(|_| WriteError::ShuttingDown)?;
        committed.await.unwrap_or(Err(WriteError::ShuttingDown))
    }

    /// Whether the task still takes events: false once it has been shut down,
    /// or has ended on its own (a panic), when every beacon would fail.
    pub fn is_running(&self) -> bool {
        self.task
            .lock()
            .map(|task| task.as_ref().is_some_and(|task| !task.is_finished()))
            .unwrap_or(false)
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
    mut jobs: mpsc::UnboundedReceiver<Job>,
    stop: Arc<Notify>,
    options: WriterOptions,
) {
    let max_batch = options.batch.max(1);
    let syncer = options.sync_wal.map(|wal| {
        let (committed, to_sync) = mpsc::channel(SYNC_QUEUE);
        (committed, tokio::spawn(sync(wal, to_sync)))
    });
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
        let Some((first, reply, permit)) = job else {
            break;
        };
        let mut sizes = vec![first.len()];
        let mut permits = vec![permit];
        events.extend(first);
        replies.push(reply);
        while events.len() < max_batch {
            let Ok((more, reply, permit)) = jobs.try_recv() else {
                break;
            };
            sizes.push(more.len());
            permits.push(permit);
            events.extend(more);
            replies.push(reply);
        }
        let answers = commit(&db, &mut events, &mut replies, &sizes).await;
        // The events are written and dropped: their room in the queue is free.
        drop(permits);
        match &syncer {
            Some((committed, _)) => {
                if let Err(unsent) = committed.send(answers).await {
                    // The sync task is gone: nothing can be confirmed on disk.
                    for (reply, _) in unsent.0 {
                        let _ = reply.send(Err(WriteError::Database));
                    }
                }
            }
            None => answer(answers, Ok(())),
        }
    }
    if let Some((committed, task)) = syncer {
        drop(committed);
        let _ = task.await;
    }
    tracing::info!("ingest queue drained");
}

/// Syncs the log once for every committed batch waiting, then answers them.
/// The log is opened by name each time: SQLite may have replaced the file.
async fn sync(wal: PathBuf, mut committed: mpsc::Receiver<Answers>) {
    while let Some(mut answers) = committed.recv().await {
        while let Ok(more) = committed.try_recv() {
            answers.extend(more);
        }
        let wal = wal.clone();
        let synced =
            tokio::task::spawn_blocking(move || std::fs::File::open(&wal)?.sync_data()).await;
        let synced = match synced {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => {
                tracing::error!(%error, "the write-ahead log could not be synced");
                Err(WriteError::Database)
            }
            Err(error) => {
                tracing::error!(%error, "the write-ahead log sync stopped");
                Err(WriteError::Database)
            }
        };
        answer(answers, synced);
    }
}

/// Answers each request: its own failure, or else `durable`.
fn answer(answers: Answers, durable: Result<(), WriteError>) {
    for (reply, outcome) in answers {
        let _ = reply.send(outcome.and(durable));
    }
}

/// Commits the batch; returns each request's outcome.
async fn commit(
    db: &DatabaseConnection,
    events: &mut Vec<NewEvent>,
    replies: &mut Vec<Reply>,
    sizes: &[usize],
) -> Answers {
    let answers = match store::write_batch(db, events).await {
        Ok(()) => replies.drain(..).map(|reply| (reply, Ok(()))).collect(),
        Err(error) => {
            // One bad event (its site deleted a moment ago, say) must not cost the
            // others: retry each beacon in a transaction of its own.
            tracing::warn!(%error, events = events.len(), "batch failed; retrying one by one");
            let mut answers = Vec::with_capacity(replies.len());
            let mut start = 0;
            for (reply, &size) in replies.drain(..).zip(sizes) {
                let own = &events[start..start + size];
                start += size;
                let result = store::write_batch(db, own).await.map_err(|error| {
                    tracing::error!(%error, "event not stored");
                    WriteError::Database
                });
                answers.push((reply, result));
            }
            answers
        }
    };
    events.clear();
    answers
}
