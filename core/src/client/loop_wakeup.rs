//! Wakes a foreign event loop when the client's futures make progress,
//! without running the loop's code on the runtime's threads: for callers
//! that poll the futures from an event loop of their own (the Python
//! package's asyncio awaits, through the UniFFI bindings' continuation).
//!
//! One wake-up per loop: a queue of finished polls and an eventfd the loop
//! watches for reading. A poll is named by a token: the wake-up's id in the
//! high 32 bits, the caller's slot in the low 32. Linux and Android only;
//! elsewhere [`create`] returns `None` and the caller wakes its loop its
//! own way.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

struct Wakeup {
    fd: OwnedFd,
    /// `slot << 8 | value`, oldest first, and whether the eventfd is
    /// readable (written and read under this lock, so the two agree).
    queue: Mutex<(Vec<u64>, bool)>,
}

/// Wake-ups by id. Ids are never reused: a poll that finishes after its
/// loop's wake-up was freed finds nothing.
static WAKEUPS: RwLock<Option<HashMap<u32, Arc<Wakeup>>>> = RwLock::new(None);
static NEXT_ID: AtomicU32 = AtomicU32::new(1);

impl Wakeup {
    /// Makes the eventfd readable; whether it is.
    fn raise(&self) -> bool {
        let one = 1u64.to_ne_bytes();
        // SAFETY: writes 8 bytes from a live buffer to our eventfd.
        unsafe { libc::write(self.fd.as_raw_fd(), one.as_ptr().cast(), 8) == 8 }
    }

    /// Reads the eventfd back to unreadable; whether it is (a failed read
    /// leaves it flagged readable, and the next take tries again).
    fn lower(&self) -> bool {
        let mut count = [0u8; 8];
        loop {
            // SAFETY: reads at most 8 bytes into a live buffer.
            if unsafe { libc::read(self.fd.as_raw_fd(), count.as_mut_ptr().cast(), 8) } == 8 {
                return true;
            }
            match io::Error::last_os_error().kind() {
                io::ErrorKind::Interrupted => continue,
                kind => return kind == io::ErrorKind::WouldBlock,
            }
        }
    }
}

fn find(id: u32) -> Option<Arc<Wakeup>> {
    WAKEUPS.read().as_ref()?.get(&id).cloned()
}

/// A wake-up for an event loop: its id and the descriptor the loop
/// watches for reading (owned by the wake-up). `None` when no eventfd can
/// be made, or off Linux and Android.
pub fn create() -> Option<(u32, RawFd)> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    // SAFETY: a plain syscall; a descriptor it returns is ours alone.
    let made = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let made = -1;
    if made < 0 {
        return None;
    }
    // SAFETY: `made` is a new descriptor that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(made) };
    let next = NEXT_ID.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |id| id.checked_add(1));
    let id = next.ok()?; // every id used once: `fd` closes
    let wakeup = Wakeup {
        fd,
        queue: Mutex::default(),
    };
    WAKEUPS
        .write()
        .get_or_insert_with(HashMap::new)
        .insert(id, Arc::new(wakeup));
    Some((id, made))
}

/// Queues `value` for the poll named by `token`, and makes the wake-up's
/// eventfd readable unless it already is. A token of a freed wake-up is
/// ignored.
pub fn finished(token: u64, value: u8) {
    let Some(wakeup) = find((token >> 32) as u32) else {
        return;
    };
    let mut queue = wakeup.queue.lock();
    queue.0.push((token & 0xFFFF_FFFF) << 8 | u64::from(value));
    if !queue.1 {
        queue.1 = wakeup.raise();
    }
}

/// Moves the oldest finished polls of wake-up `id` to `out` (`slot << 8 |
/// value`), as many as fit; the eventfd is left readable exactly when more
/// are queued, so the loop comes back for them. Returns how many it wrote.
pub fn take(id: u32, out: &mut [u64]) -> usize {
    let Some(wakeup) = find(id) else {
        return 0;
    };
    let mut queue = wakeup.queue.lock();
    let n = queue.0.len().min(out.len());
    out[..n].copy_from_slice(&queue.0[..n]);
    queue.0.drain(..n);
    if queue.0.is_empty() && queue.1 {
        queue.1 = !wakeup.lower();
    }
    n
}

/// Frees wake-up `id` (its loop is gone) and closes its eventfd; polls that
/// finish later are dropped. An unknown id is ignored.
pub fn free(id: u32) {
    if let Some(map) = WAKEUPS.write().as_mut() {
        map.remove(&id);
    }
}

#[cfg(all(test, any(target_os = "linux", target_os = "android")))]
mod tests {
    use super::*;

    /// Whether `fd` is readable now.
    fn readable(fd: RawFd) -> bool {
        let mut poll = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one live pollfd, no wait.
        let ready = unsafe { libc::poll(&mut poll, 1, 0) };
        assert!(ready >= 0, "poll: {}", std::io::Error::last_os_error());
        ready == 1 && poll.revents & libc::POLLIN != 0
    }

    fn take_up_to(id: u32, cap: usize) -> Vec<u64> {
        let mut out = vec![0; cap];
        let n = take(id, &mut out);
        out.truncate(n);
        out
    }

    fn token(id: u32, slot: u32) -> u64 {
        (u64::from(id) << 32) | u64::from(slot)
    }

    /// The eventfd's counter, read (which makes it unreadable).
    fn count(fd: RawFd) -> u64 {
        let mut count = [0u8; 8];
        // SAFETY: reads at most 8 bytes into a live buffer.
        assert_eq!(unsafe { libc::read(fd, count.as_mut_ptr().cast(), 8) }, 8);
        u64::from_ne_bytes(count)
    }

    #[test]
    fn polls_finished_together_make_one_wake_and_queue_in_order() {
        let (id, fd) = create().unwrap();
        assert!(!readable(fd));
        std::thread::spawn(move || {
            finished(token(id, 7), 1);
            finished(token(id, u32::MAX), 0);
            finished(token(id, 3), 255);
        })
        .join()
        .unwrap();
        assert!(readable(fd));
        // Taken in two calls: readable until the queue is empty.
        assert_eq!(take_up_to(id, 2), [7 << 8 | 1, u64::from(u32::MAX) << 8]);
        assert!(readable(fd));
        assert_eq!(take_up_to(id, 2), [3 << 8 | 255]);
        assert!(!readable(fd));
        assert_eq!(take_up_to(id, 2), [0u64; 0]);
        // Three more: one write to the eventfd, not three.
        for slot in 0..3 {
            finished(token(id, slot), 0);
        }
        assert_eq!(count(fd), 1);
        // Read behind the wake-up's back: its next take still empties the queue.
        assert_eq!(take_up_to(id, 8), [0, 1 << 8, 2 << 8]);
        assert!(!readable(fd));
        finished(token(id, 9), 0);
        assert!(readable(fd), "a wake after the stray read");
        assert_eq!(take_up_to(id, 8), [9 << 8]);
        free(id);
    }

    #[test]
    fn a_freed_wakeup_drops_its_polls_and_ids_are_not_reused() {
        let (first, _) = create().unwrap();
        free(first);
        let (second, fd) = create().unwrap();
        assert!(second > first);
        std::thread::spawn(move || finished(token(first, 1), 0))
            .join()
            .unwrap();
        assert_eq!(take_up_to(first, 8), [0u64; 0]);
        assert!(!readable(fd), "the second wake-up saw the first's poll");
        assert_eq!(take_up_to(second, 8), [0u64; 0]);
        free(second);
        free(second); // twice: ignored
    }
}
