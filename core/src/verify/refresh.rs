//! How a verifier's index catches up with changes other processes commit:
//! the store's change feed when it holds every change the index lacks, a
//! full reload from a snapshot otherwise.
//!
//! Both run under the verifier's admin lock, like its own admin changes, so
//! a catch-up never races a delete made through this verifier; and both
//! swap the index's data under one short write lock, so an authentication
//! sees the index before or after the catch-up, never half of it.

use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::MutexGuard;

use super::index::Index;
use super::Verifier;
use crate::store::{follow_on, Change, StoreError};

/// How a verifier's index has kept up with changes committed by others
/// (another process, or another verifier on the same store), since the
/// verifier was created.
///
/// ```
/// use redis_cloud_auth::verify::{RefreshStats, Verifier};
///
/// let verifier = Verifier::in_memory();
/// verifier.create_account("acme")?;
/// assert_eq!(verifier.refresh_stats(), RefreshStats::default());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RefreshStats {
    /// Times the whole index was rebuilt from a snapshot of the store,
    /// because the change feed no longer held every missing change.
    pub full_reloads: u64,
    /// Times the index caught up by applying the store's change feed.
    pub feed_catch_ups: u64,
    /// Changes applied from the change feed, over every catch-up.
    pub feed_changes: u64,
}

/// The counters behind [`RefreshStats`].
#[derive(Debug, Default)]
pub(super) struct Counters {
    full_reloads: AtomicU64,
    feed_catch_ups: AtomicU64,
    feed_changes: AtomicU64,
}

impl Verifier {
    /// How this verifier's index has kept up with changes committed by
    /// others: full reloads and change-feed catch-ups.
    pub fn refresh_stats(&self) -> RefreshStats {
        let c = &self.refreshes;
        RefreshStats {
            full_reloads: c.full_reloads.load(Ordering::Relaxed),
            feed_catch_ups: c.feed_catch_ups.load(Ordering::Relaxed),
            feed_changes: c.feed_changes.load(Ordering::Relaxed),
        }
    }

    /// Catches up under the admin lock when the store's token moved on.
    pub(super) fn refresh_locked(&self, admin: &MutexGuard<'_, ()>) -> Result<(), StoreError> {
        let token = self.store.change_token()?;
        self.reload(admin, token)
    }

    /// Catches up unless the index already reflects `token` (another
    /// thread caught up meanwhile).
    pub(super) fn reload(&self, admin: &MutexGuard<'_, ()>, token: u64) -> Result<(), StoreError> {
        if self.index.read().token == token {
            return Ok(());
        }
        self.catch_up(admin, token)
    }

    /// Brings the index to the store's current version: applies the
    /// changes after the index's version from the change feed, or reloads
    /// everything when the feed cannot give all of them. `token` is the
    /// store's change token read before anything else.
    pub(super) fn catch_up(
        &self,
        admin: &MutexGuard<'_, ()>,
        token: u64,
    ) -> Result<(), StoreError> {
        let from = self.index.read().version;
        match self.store.changes_since(from)? {
            Some(changes) if changes.is_empty() => {
                // Only the system log changed.
                self.index.write().token = token;
                Ok(())
            }
            Some(changes) if follow_on(from, &changes) => {
                self.apply_feed(from, &changes, token);
                Ok(())
            }
            Some(changes) => {
                tracing::warn!(
                    from,
                    count = changes.len(),
                    "the change feed has a gap; reloading the verifier index"
                );
                self.force_reload(admin, token)
            }
            None => {
                tracing::debug!(from, "the change feed does not reach back; reloading");
                self.force_reload(admin, token)
            }
        }
    }

    /// Applies consecutive `changes` after version `from`, all under one
    /// write lock.
    fn apply_feed(&self, from: u64, changes: &[Change], token: u64) {
        let mut index = self.index.write();
        debug_assert_eq!(index.version, from, "the admin lock keeps the version");
        for change in changes {
            index.apply(&change.mutation, change.id, change.version);
        }
        index.token = token;
        drop(index);
        let c = &self.refreshes;
        c.feed_catch_ups.fetch_add(1, Ordering::Relaxed);
        c.feed_changes
            .fetch_add(changes.len() as u64, Ordering::Relaxed);
        tracing::debug!(
            from,
            count = changes.len(),
            "verifier index caught up from the change feed"
        );
    }

    /// Rebuilds the index from a snapshot of the whole store.
    fn force_reload(&self, _admin: &MutexGuard<'_, ()>, token: u64) -> Result<(), StoreError> {
        let snapshot = self.store.load()?;
        let fresh = {
            let index = self.index.read();
            Index::from_snapshot(snapshot, token, index.proxies.clone(), Some(&index))
        };
        tracing::debug!(version = fresh.version, "verifier index reloaded");
        *self.index.write() = fresh;
        self.refreshes.full_reloads.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}
