//! The system log: one entry per authentication attempt that can be tied to
//! an account. Entries are queued on the hot path and written by a
//! background thread in batches, one transaction per batch; reads flush the
//! queue first and dropping the verifier drains it, so nothing is lost.

use std::fmt::Write as _;
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

/// Most entries written in one transaction. Large, because much of a
/// batch's cost in SQLite is the pages it dirties (an index page per
/// account in it), shared by all of its entries.
const BATCH_MAX: usize = 16_384;

/// What happened to an attempt, as the log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Authenticated,
    ApiDisabled,
    InvalidUserKey,
    AccountMismatch,
    OwnerRoleRevoked,
    SourceIpNotAllowed,
    /// The key has an allow list and the source IP is unknown; the record's
    /// address is the trusted proxy that forwarded a malformed entry.
    SourceIpUnknown,
    /// A key without an allow list, from an unknown source IP (as above).
    AuthenticatedSourceUnknown,
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
            Outcome::SourceIpUnknown => {
                "rejected: the key has an allow list and the source IP is unknown \
                 (malformed X-Forwarded-For)"
            }
            Outcome::AuthenticatedSourceUnknown => {
                "authenticated: the source IP is unknown (malformed X-Forwarded-For)"
            }
        }
    }

    /// What joins the description to the record's address.
    fn address_is(self) -> &'static str {
        match self {
            Outcome::SourceIpUnknown | Outcome::AuthenticatedSourceUnknown => {
                "; forwarded by trusted proxy "
            }
            _ => " from ",
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
    /// Writes this record over `new`, reusing the buffers of its strings.
    fn write_into(&self, owner: Option<&str>, time: &str, new: &mut NewLogEntry) {
        new.account_id = self.account_id;
        let entry = &mut new.entry;
        entry.id = 0;
        overwrite(&mut entry.time, time);
        overwrite(&mut entry.originator, owner.unwrap_or("unknown"));
        match (&self.key_name, &mut entry.api_key_name) {
            (Some(name), Some(text)) => overwrite(text, name.as_str()),
            (Some(name), slot) => *slot = Some(name.as_str().to_string()),
            (None, slot) => *slot = None,
        }
        overwrite(&mut entry.resource, self.resource.as_str());
        overwrite(&mut entry.kind, AUTHENTICATION_ENTRY);
        entry.description.clear();
        entry.description.push_str(self.outcome.describe());
        entry.description.push_str(self.outcome.address_is());
        push_ip(&mut entry.description, self.source_ip);
    }
}

/// Appends `ip` as its `Display` writes it; IPv4 (the common case) without
/// the formatting machinery, which cost the writer a quarter of its time.
fn push_ip(text: &mut String, ip: IpAddr) {
    let IpAddr::V4(v4) = ip else {
        // Writing to a String cannot fail.
        let _ = write!(text, "{ip}");
        return;
    };
    for (i, octet) in v4.octets().into_iter().enumerate() {
        if i > 0 {
            text.push('.');
        }
        if octet >= 100 {
            text.push(char::from(b'0' + octet / 100));
        }
        if octet >= 10 {
            text.push(char::from(b'0' + octet / 10 % 10));
        }
        text.push(char::from(b'0' + octet % 10));
    }
}

/// Replaces `text` with `value`, keeping its buffer.
fn overwrite(text: &mut String, value: &str) {
    text.clear();
    text.push_str(value);
}

/// A record's time as text, formatted once per second.
#[derive(Default)]
struct TimeText {
    second: Option<i64>,
    text: String,
}

impl TimeText {
    fn of(&mut self, unix_seconds: i64) -> &str {
        if self.second != Some(unix_seconds) {
            self.second = Some(unix_seconds);
            self.text = iso8601(unix_seconds);
        }
        &self.text
    }
}

/// An entry whose strings the writer fills in.
fn blank_entry() -> NewLogEntry {
    NewLogEntry {
        account_id: 0,
        entry: SystemLogEntry {
            id: 0,
            time: String::new(),
            originator: String::new(),
            api_key_name: None,
            resource: String::new(),
            kind: String::new(),
            description: String::new(),
        },
    }
}

/// How long the writer waits for more entries before writing a batch.
/// Each commit writes its pages whole (the log's last pages again, its
/// index leaf, the `AUTOINCREMENT` counter's page), so a longer batch
/// costs less per entry: at 40,000 requests/s, 10 ms gather about 400
/// entries, which cost the writer about two thirds of what 80 (2 ms) did.
/// Entries wait in memory meanwhile: a `kill -9` loses those queued since
/// the last commit, up to 10 ms' worth, more when the writer is behind.
const LINGER: Duration = Duration::from_millis(10);

/// Queue length that ends the writer's wait early. Past a few hundred
/// entries a longer batch saves the store little, while the queue's
/// buffers (about 270 bytes an entry, written by the request threads)
/// would outgrow the caches those threads work in: at 200,000 calls/s a
/// full 10 ms would queue 2,000 entries.
const LINGER_MAX_ENTRIES: usize = 512;

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
    /// Wakes the writer: first entry, [`LINGER_MAX_ENTRIES`] queued, flush or close.
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
    #[inline]
    pub fn record(&self, record: LogRecord) {
        let mut queue = self.shared.queue.lock();
        while queue.records.len() >= PENDING_MAX && !queue.closing {
            self.shared.wake.notify_one();
            self.shared.written.wait(&mut queue);
        }
        queue.records.push(record);
        let len = queue.records.len();
        drop(queue);
        if len == 1 || len == LINGER_MAX_ENTRIES {
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
    // Kept from batch to batch (as long as the longest batch): each batch
    // writes over the strings of the one before instead of allocating.
    let mut entries: Vec<NewLogEntry> = Vec::with_capacity(1024);
    let mut owners: Vec<Option<Arc<str>>> = Vec::with_capacity(1024);
    let mut time = TimeText::default();
    let mut queue = shared.queue.lock();
    loop {
        while queue.records.is_empty() && queue.flush_asked == queue.flush_done && !queue.closing {
            shared.wake.wait(&mut queue);
        }
        if queue.records.len() < LINGER_MAX_ENTRIES
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
            if entries.len() < take {
                entries.resize_with(take, blank_entry);
            }
            for ((record, owner), entry) in
                batch.drain(..take).zip(owners.drain(..)).zip(&mut entries)
            {
                record.write_into(owner.as_deref(), time.of(record.at), entry);
            }
            if let Err(error) = write(store, &entries[..take]) {
                result = Err(error);
            }
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
    fn ip_text_is_what_display_writes() {
        let mut text = String::new();
        for octet in 0..=u8::MAX {
            for ip in [
                std::net::Ipv4Addr::new(octet, 0, 255, octet).into(),
                std::net::Ipv4Addr::new(10, octet, 9, 100).into(),
                IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, u16::from(octet)]),
            ] {
                text.clear();
                text.push_str("from ");
                push_ip(&mut text, ip);
                assert_eq!(text, format!("from {ip}"));
            }
        }
    }

    #[test]
    fn a_reused_entry_holds_only_the_new_record() {
        let record = |key: Option<&str>, ip: &str, outcome| LogRecord {
            account_id: 7,
            at: 1_795_000_000,
            outcome,
            owner_id: None,
            key_name: key.map(|k| InlineText::new(&[k])),
            source_ip: ip.parse().unwrap(),
            resource: InlineText::new(&["GET", " ", "/v1/a/long/path"]),
        };
        let mut time = TimeText::default();
        let mut entry = blank_entry();
        let first = record(
            Some("a-much-longer-key-name"),
            "2001:db8::1",
            Outcome::Authenticated,
        );
        first.write_into(Some("Ada"), time.of(first.at), &mut entry);
        let second = record(None, "10.1.2.3", Outcome::InvalidUserKey);
        second.write_into(None, time.of(second.at + 61), &mut entry);
        assert_eq!(entry.account_id, 7);
        assert_eq!(
            entry.entry,
            SystemLogEntry {
                id: 0,
                time: iso8601(second.at + 61),
                originator: "unknown".into(),
                api_key_name: None,
                resource: "GET /v1/a/long/path".into(),
                kind: AUTHENTICATION_ENTRY.into(),
                description: "rejected: invalid user key from 10.1.2.3".into(),
            }
        );
        let third = record(Some("short-key-1"), "10.1.2.4", Outcome::Authenticated);
        third.write_into(Some("Bo"), time.of(third.at), &mut entry);
        assert_eq!(entry.entry.api_key_name.as_deref(), Some("short-key-1"));
        assert_eq!(entry.entry.originator, "Bo");
        assert_eq!(entry.entry.time, iso8601(third.at));
        assert_eq!(entry.entry.description, "authenticated from 10.1.2.4");
    }

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
