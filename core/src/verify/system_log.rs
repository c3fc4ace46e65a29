//! The system log: one entry per authentication attempt that can be tied to
//! an account. Entries are queued on the hot path and written by a
//! background thread in batches, one transaction per batch; reads flush the
//! queue first and dropping the verifier drains it, so nothing is lost.

use std::net::IpAddr;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::model::{iso8601, AccountId};
use crate::api::SystemLogEntry;
use crate::store::{NewLogEntry, Store, StoreError};

/// The `type` of authentication entries.
pub const AUTHENTICATION_ENTRY: &str = "authentication";

/// Most entries written in one transaction.
const BATCH_MAX: usize = 4096;

/// What happened to an attempt, as the log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Authenticated,
    ApiDisabled,
    InvalidUserKey,
    AccountMismatch,
    OwnerRoleRevoked,
    SourceIpNotAllowed,
}

impl Outcome {
    fn describe(self) -> &'static str {
        match self {
            Outcome::Authenticated => "authenticated",
            Outcome::ApiDisabled => "rejected: the API is disabled for the account",
            Outcome::InvalidUserKey => "rejected: invalid user key",
            Outcome::AccountMismatch => "rejected: the user key belongs to another account",
            Outcome::OwnerRoleRevoked => "rejected: the key's owner no longer has the owner role",
            Outcome::SourceIpNotAllowed => "rejected: source IP not in the key's allow list",
        }
    }
}

/// An attempt as queued on the hot path: cheap to build, formatted later.
#[derive(Debug)]
pub(crate) struct LogRecord {
    pub account_id: AccountId,
    pub at: i64,
    pub outcome: Outcome,
    pub owner: Option<Arc<str>>,
    pub key_name: Option<Arc<str>>,
    pub source_ip: IpAddr,
    pub resource: String,
}

impl LogRecord {
    fn into_entry(self) -> NewLogEntry {
        NewLogEntry {
            account_id: self.account_id,
            entry: SystemLogEntry {
                id: 0,
                time: iso8601(self.at),
                originator: self.owner.as_deref().unwrap_or("unknown").to_string(),
                api_key_name: self.key_name.as_deref().map(str::to_string),
                resource: self.resource,
                kind: AUTHENTICATION_ENTRY.to_string(),
                description: format!("{} from {}", self.outcome.describe(), self.source_ip),
            },
        }
    }
}

enum Message {
    Record(LogRecord),
    Flush(mpsc::SyncSender<Result<(), StoreError>>),
}

/// The queue and the thread that drains it into the store.
#[derive(Debug)]
pub(crate) struct LogWriter {
    queue: Option<mpsc::Sender<Message>>,
    thread: Option<JoinHandle<()>>,
}

impl LogWriter {
    /// Starts the writer thread for `store`.
    pub fn start(store: Arc<dyn Store>) -> Self {
        let (queue, inbox) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("rca-system-log".into())
            .spawn(move || drain(&*store, inbox))
            .expect("the OS can start the system-log thread");
        LogWriter {
            queue: Some(queue),
            thread: Some(thread),
        }
    }

    /// Queues one entry. Never blocks on the store.
    pub fn record(&self, record: LogRecord) {
        if let Some(queue) = &self.queue {
            // The thread only stops when the writer is dropped.
            let _ = queue.send(Message::Record(record));
        }
    }

    /// Waits until every entry queued before this call is in the store.
    pub fn flush(&self) -> Result<(), StoreError> {
        let (done, wait) = mpsc::sync_channel(1);
        let queue = self
            .queue
            .as_ref()
            .ok_or(StoreError::Unavailable("flushing the system log"))?;
        queue
            .send(Message::Flush(done))
            .map_err(|_| StoreError::Unavailable("flushing the system log"))?;
        wait.recv()
            .map_err(|_| StoreError::Unavailable("flushing the system log"))?
    }
}

impl Drop for LogWriter {
    fn drop(&mut self) {
        // Closing the queue lets the thread write what is left and stop.
        self.queue.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn drain(store: &dyn Store, inbox: mpsc::Receiver<Message>) {
    let mut batch: Vec<NewLogEntry> = Vec::with_capacity(256);
    let mut waiting: Vec<mpsc::SyncSender<Result<(), StoreError>>> = Vec::new();
    while let Ok(first) = inbox.recv() {
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Record(record) => batch.push(record.into_entry()),
                Message::Flush(done) => waiting.push(done),
            }
            next = if batch.len() < BATCH_MAX {
                inbox.try_recv().ok()
            } else {
                None
            };
        }
        let result = write(store, &batch);
        batch.clear();
        for done in waiting.drain(..) {
            let _ = done.send(result.clone());
        }
    }
}

/// Writes a batch, retrying a few times when the store is busy.
fn write(store: &dyn Store, batch: &[NewLogEntry]) -> Result<(), StoreError> {
    if batch.is_empty() {
        return Ok(());
    }
    let mut delay = Duration::from_millis(10);
    for attempt in 1.. {
        match store.append_log(batch) {
            Ok(()) => return Ok(()),
            Err(error) if attempt < 5 => {
                tracing::warn!(%error, attempt, "system-log write failed; retrying");
                std::thread::sleep(delay);
                delay *= 4;
            }
            Err(error) => {
                tracing::error!(%error, lost = batch.len(), "system-log entries could not be written");
                return Err(error);
            }
        }
    }
    unreachable!("the loop returns")
}
