//! The system log: one entry per authentication attempt that can be tied to
//! an account. Entries are queued on the hot path and written by a
//! background thread in batches, one transaction per batch; reads flush the
//! queue first and dropping the verifier drains it, so nothing is lost.

use std::net::IpAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::{Condvar, Mutex, RwLock};

use super::index::Index;
use super::model::{iso8601, AccountId, UserId, KEY_NAME_MAX};
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

/// Text held inside a record rather than on the heap, truncated at a
/// character boundary: the hot path allocates nothing for the log, and the
/// writer thread frees nothing the request thread allocated.
#[derive(Clone, Copy)]
pub(crate) struct InlineText<const N: usize> {
    len: u8,
    bytes: [u8; N],
}

impl<const N: usize> InlineText<N> {
    /// `parts` joined, cut to at most `N` (at most 255) bytes.
    pub fn new(parts: &[&str]) -> Self {
        let mut text = InlineText {
            len: 0,
            bytes: [0; N],
        };
        let cap = N.min(u8::MAX as usize);
        let mut len = 0;
        for part in parts {
            let mut take = part.len().min(cap - len);
            while !part.is_char_boundary(take) {
                take -= 1;
            }
            text.bytes[len..len + take].copy_from_slice(&part.as_bytes()[..take]);
            len += take;
        }
        text.len = len as u8;
        text
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Built from whole characters of `str`s only.
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or_default()
    }
}

impl<const N: usize> std::fmt::Debug for InlineText<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Longest resource (`METHOD path`) kept in a log entry, in bytes.
pub(crate) const RESOURCE_MAX: usize = 160;

/// An attempt as queued on the hot path: plain data, formatted later.
#[derive(Debug)]
pub(crate) struct LogRecord {
    pub account_id: AccountId,
    pub at: i64,
    pub outcome: Outcome,
    /// The key owner, resolved to a name by the writer (users are never deleted).
    pub owner_id: Option<UserId>,
    pub key_name: Option<InlineText<KEY_NAME_MAX>>,
    pub source_ip: IpAddr,
    pub resource: InlineText<RESOURCE_MAX>,
}

impl LogRecord {
    fn into_entry(self, owner: Option<&str>) -> NewLogEntry {
        NewLogEntry {
            account_id: self.account_id,
            entry: SystemLogEntry {
                id: 0,
                time: iso8601(self.at),
                originator: owner.unwrap_or("unknown").to_string(),
                api_key_name: self.key_name.map(|n| n.as_str().to_string()),
                resource: self.resource.as_str().to_string(),
                kind: AUTHENTICATION_ENTRY.to_string(),
                description: format!("{} from {}", self.outcome.describe(), self.source_ip),
            },
        }
    }
}

/// How long the writer waits for more entries before writing a batch.
const LINGER: Duration = Duration::from_millis(2);

/// Queue length at which recording waits for the writer to catch up, so a
/// store slower than the request rate cannot exhaust memory.
const PENDING_MAX: usize = 1 << 20;

#[derive(Debug)]
struct Queue {
    records: Vec<LogRecord>,
    /// Flush requests made, and flush requests satisfied.
    flush_asked: u64,
    flush_done: u64,
    /// Result of the write that satisfied the latest flush.
    result: Result<(), StoreError>,
    closing: bool,
}

#[derive(Debug)]
struct Shared {
    queue: Mutex<Queue>,
    /// Wakes the writer: first entry, full batch, flush or close.
    wake: Condvar,
    /// Wakes flushers and blocked recorders after a batch is written.
    written: Condvar,
}

/// The queue and the thread that drains it into the store.
#[derive(Debug)]
pub(crate) struct LogWriter {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl LogWriter {
    /// Starts the writer thread for `store`.
    pub fn start(store: Arc<dyn Store>, index: Arc<RwLock<Index>>) -> Self {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                records: Vec::with_capacity(1024),
                flush_asked: 0,
                flush_done: 0,
                result: Ok(()),
                closing: false,
            }),
            wake: Condvar::new(),
            written: Condvar::new(),
        });
        let for_thread = shared.clone();
        let thread = std::thread::Builder::new()
            .name("rca-system-log".into())
            .spawn(move || drain(&*store, &index, &for_thread))
            .expect("the OS can start the system-log thread");
        LogWriter {
            shared,
            thread: Some(thread),
        }
    }

    /// Queues one entry. Does not touch the store; waits only when the
    /// queue holds [`PENDING_MAX`] entries.
    pub fn record(&self, record: LogRecord) {
        let mut queue = self.shared.queue.lock();
        while queue.records.len() >= PENDING_MAX && !queue.closing {
            self.shared.wake.notify_one();
            self.shared.written.wait(&mut queue);
        }
        queue.records.push(record);
        let len = queue.records.len();
        drop(queue);
        if len == 1 || len == BATCH_MAX {
            self.shared.wake.notify_one();
        }
    }

    /// Waits until every entry queued before this call is in the store.
    pub fn flush(&self) -> Result<(), StoreError> {
        let mut queue = self.shared.queue.lock();
        queue.flush_asked += 1;
        let mine = queue.flush_asked;
        self.shared.wake.notify_one();
        while queue.flush_done < mine {
            self.shared.written.wait(&mut queue);
        }
        queue.result.clone()
    }
}

impl Drop for LogWriter {
    fn drop(&mut self) {
        self.shared.queue.lock().closing = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn drain(store: &dyn Store, index: &RwLock<Index>, shared: &Shared) {
    let mut spare: Vec<LogRecord> = Vec::with_capacity(1024);
    let mut entries: Vec<NewLogEntry> = Vec::with_capacity(1024);
    let mut owners: Vec<Option<Arc<str>>> = Vec::with_capacity(1024);
    let mut queue = shared.queue.lock();
    loop {
        while queue.records.is_empty() && queue.flush_asked == queue.flush_done && !queue.closing {
            shared.wake.wait(&mut queue);
        }
        if queue.records.len() < BATCH_MAX
            && queue.flush_asked == queue.flush_done
            && !queue.closing
        {
            // Let a few more arrive, so one transaction carries many entries.
            shared.wake.wait_for(&mut queue, LINGER);
        }
        let asked = queue.flush_asked;
        let closing = queue.closing;
        let mut batch = std::mem::replace(&mut queue.records, std::mem::take(&mut spare));
        drop(queue);

        let mut result = Ok(());
        while !batch.is_empty() {
            let take = batch.len().min(BATCH_MAX);
            {
                let index = index.read();
                owners.extend(batch[..take].iter().map(|r| {
                    r.owner_id
                        .and_then(|id| index.users.get(&id))
                        .map(|u| u.name.clone())
                }));
            }
            entries.extend(
                batch
                    .drain(..take)
                    .zip(owners.drain(..))
                    .map(|(r, owner)| r.into_entry(owner.as_deref())),
            );
            if let Err(error) = write(store, &entries) {
                result = Err(error);
            }
            entries.clear();
        }
        spare = batch;

        queue = shared.queue.lock();
        queue.flush_done = asked;
        queue.result = result;
        shared.written.notify_all();
        if closing && queue.records.is_empty() {
            return;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_joins_and_cuts_at_a_character_boundary() {
        let t = InlineText::<8>::new(&["GET", " ", "/v1/"]);
        assert_eq!(t.as_str(), "GET /v1/");
        let cut = InlineText::<8>::new(&["GET", " ", "/é/long/path"]);
        assert_eq!(cut.as_str(), "GET /é/");
        let cut = InlineText::<6>::new(&["GET /é"]);
        assert_eq!(cut.as_str(), "GET /");
        assert_eq!(format!("{cut:?}"), "\"GET /\"");
    }
}
