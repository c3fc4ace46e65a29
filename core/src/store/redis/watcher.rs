//! Keeps a verifier's view of a Redis store fresh without a round trip per
//! authentication.
//!
//! A background thread subscribes to the store's `changes` channel and
//! reads the change counter whenever a message arrives, and in any case
//! every poll interval (so a lost message delays a change by at most one
//! interval). Each successful read is recorded in [`Freshness`]: the
//! counter becomes the store's change token, and its time the last
//! successful check. [`Freshness::token`], called before every
//! authentication, is two atomic loads and a clock read; it fails once the
//! last successful check is older than the staleness bound, so a verifier
//! cut off from Redis answers "store unavailable" instead of deciding on a
//! view that may have been changed meanwhile.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use redis::Connection;

use super::connections::Connections;
use super::records::Keys;
use crate::store::StoreError;

/// What the hot path reads: the last change counter seen and when.
#[derive(Debug)]
pub(super) struct Freshness {
    base: Instant,
    /// The change counter read by the last successful check.
    token: AtomicU64,
    /// When the last successful check was sent, in nanoseconds after `base`.
    checked_at: AtomicU64,
    /// How old the last successful check may be before the view is refused.
    stale_after: u64,
    /// Set when the store is dropped: the thread ends.
    stop: AtomicBool,
    /// Serialises writers, so an older reading never replaces a newer one.
    writer: Mutex<()>,
}

impl Freshness {
    /// A view last checked never; `confirm` it before use.
    pub fn new(stale_after: Duration) -> Self {
        Freshness {
            base: Instant::now(),
            token: AtomicU64::new(0),
            checked_at: AtomicU64::new(0),
            stale_after: nanos(stale_after),
            stop: AtomicBool::new(false),
            writer: Mutex::new(()),
        }
    }

    /// Nanoseconds since this view was created: the clock of `checked_at`.
    pub fn now(&self) -> u64 {
        nanos(self.base.elapsed())
    }

    /// Records that the store's change counter was `version` at `sent_at`
    /// (the time the request that read it was sent, so the bound errs on
    /// the safe side). Ignored when a reading sent later is already in.
    pub fn confirm(&self, version: u64, sent_at: u64) {
        let _writer = self.writer.lock();
        if sent_at < self.checked_at.load(Ordering::Acquire) {
            return;
        }
        self.token.store(version, Ordering::Release);
        self.checked_at.store(sent_at, Ordering::Release);
    }

    /// The change token, or [`StoreError::Unavailable`] when the last
    /// successful check is older than the staleness bound.
    pub fn token(&self) -> Result<u64, StoreError> {
        let checked_at = self.checked_at.load(Ordering::Acquire);
        if self.now().saturating_sub(checked_at) > self.stale_after {
            return Err(StoreError::Unavailable("reaching Redis"));
        }
        Ok(self.token.load(Ordering::Acquire))
    }

    /// Asks the thread to end.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Release);
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// How the thread watches.
#[derive(Debug, Clone)]
pub(super) struct Watch {
    pub keys: Keys,
    pub poll_interval: Duration,
    /// The read timeout of a check.
    pub check_timeout: Duration,
    pub subscribe: bool,
}

/// Starts the thread that keeps `fresh` current. It ends within one poll
/// interval (or connect timeout) of [`Freshness::stop`].
pub(super) fn spawn(
    fresh: Arc<Freshness>,
    connections: Arc<Connections>,
    watch: Watch,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("rca-redis-watch".into())
        .spawn(move || Watcher::new(fresh, connections, watch).run())
        .map(drop)
}

struct Watcher {
    fresh: Arc<Freshness>,
    connections: Arc<Connections>,
    watch: Watch,
    /// The connection the change counter is read on.
    probe: Option<Connection>,
    /// Whether the last check succeeded (to log transitions once).
    reachable: bool,
}

impl Watcher {
    fn new(fresh: Arc<Freshness>, connections: Arc<Connections>, watch: Watch) -> Self {
        Watcher {
            fresh,
            connections,
            watch,
            probe: None,
            reachable: true,
        }
    }

    fn run(mut self) {
        while !self.fresh.stopped() {
            let mut subscriber = if self.watch.subscribe {
                self.connections.open(self.watch.poll_interval).ok()
            } else {
                None
            };
            let mut pubsub = subscriber.as_mut().and_then(|con| {
                let mut pubsub = con.as_pubsub();
                pubsub.subscribe(&self.watch.keys.changes).ok()?;
                Some(pubsub)
            });
            // Messages may have been missed while unsubscribed: check now.
            let mut next_check = Instant::now();
            loop {
                if self.fresh.stopped() {
                    return;
                }
                if Instant::now() >= next_check {
                    let ok = self.check();
                    next_check = Instant::now() + self.watch.poll_interval;
                    if ok && pubsub.is_none() && self.watch.subscribe {
                        break; // reachable again: subscribe
                    }
                }
                let wait = next_check
                    .saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(1));
                match pubsub.as_mut() {
                    Some(ps) => {
                        if ps.set_read_timeout(Some(wait)).is_err() {
                            break;
                        }
                        match ps.get_message() {
                            // A change: read the counter at once.
                            Ok(_) => next_check = Instant::now(),
                            Err(e) if e.is_timeout() => {}
                            Err(e) => {
                                tracing::debug!(error = %e, "Redis change subscription lost");
                                break;
                            }
                        }
                    }
                    None => std::thread::sleep(wait),
                }
            }
        }
    }

    /// Reads the change counter; true when it could.
    fn check(&mut self) -> bool {
        let sent_at = self.fresh.now();
        if self.probe.is_none() {
            self.probe = self.connections.open(self.watch.check_timeout).ok();
        }
        let result = match self.probe.as_mut() {
            Some(con) => super::current_version(con, &self.watch.keys).map_err(Some),
            None => Err(None),
        };
        match result {
            Ok(version) => {
                self.fresh.confirm(version, sent_at);
                if !self.reachable {
                    tracing::warn!("Redis store reachable again");
                    self.reachable = true;
                }
                true
            }
            Err(error) => {
                self.probe = None;
                self.connections.clear();
                if self.reachable {
                    match error {
                        Some(error) => tracing::warn!(%error, "Redis store unreachable"),
                        None => tracing::warn!("Redis store unreachable: cannot connect"),
                    }
                    self.reachable = false;
                }
                false
            }
        }
    }
}
