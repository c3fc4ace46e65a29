//! Wakes an asyncio event loop from the runtime's threads without entering
//! Python: the continuation the Python package gives UniFFI's futures
//! (`include/redis_cloud_auth_wakeup.h`). One wake-up per loop: a queue of
//! finished polls and an eventfd the loop watches. A continuation's data is
//! the wake-up's id (high 32 bits) and the caller's slot (low 32).

use std::collections::HashMap;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::thread::ThreadId;

struct Wakeup {
    /// The loop's thread: a continuation there runs inside a poll, whose
    /// caller takes the queue when the poll returns; it needs no wake.
    loop_thread: ThreadId,
    fd: OwnedFd,
    /// `slot << 8 | poll code`, oldest first, and whether the eventfd is
    /// readable (written and read under this lock, so the two agree).
    queue: Mutex<(Vec<u64>, bool)>,
}

/// Wake-ups by id. Ids are never reused: a continuation that comes after
/// its loop's wake-up was freed finds nothing.
static WAKEUPS: RwLock<Option<HashMap<u32, Arc<Wakeup>>>> = RwLock::new(None);
static NEXT_ID: AtomicU32 = AtomicU32::new(1);

fn find(id: u32) -> Option<Arc<Wakeup>> {
    let map = WAKEUPS.read().unwrap_or_else(PoisonError::into_inner);
    map.as_ref()?.get(&id).cloned()
}

/// A wake-up for the event loop on the calling thread: returns its id and
/// writes to `fd` the descriptor to watch for reading; 0 when none can be
/// made (or off Linux and Android), and the caller keeps UniFFI's await.
///
/// # Safety
/// `fd` is null or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn rca_wakeup_new(fd: *mut i32) -> u32 {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    // SAFETY: a plain syscall; a descriptor it returns is ours alone.
    let made = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let made = -1;
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    if fd.is_null() || made < 0 || id == 0 {
        return 0;
    }
    // SAFETY: `made` is a new descriptor; `fd` was checked and is writable.
    let owned = unsafe { OwnedFd::from_raw_fd(made) };
    unsafe { *fd = made };
    let wakeup = Wakeup {
        loop_thread: std::thread::current().id(),
        fd: owned,
        queue: Mutex::default(),
    };
    let mut map = WAKEUPS.write().unwrap_or_else(PoisonError::into_inner);
    map.get_or_insert_with(HashMap::new)
        .insert(id, Arc::new(wakeup));
    id
}

/// UniFFI's continuation callback: queues the poll's slot and code, and
/// makes the eventfd readable unless it is already or the call comes from
/// the loop's own thread. Never enters Python, so never waits for the GIL.
#[no_mangle]
pub extern "C" fn rca_wakeup_continuation(data: u64, poll_code: i8) {
    let Some(wakeup) = find((data >> 32) as u32) else {
        return;
    };
    let mut queue = wakeup.queue.lock().unwrap_or_else(PoisonError::into_inner);
    queue
        .0
        .push((data & 0xFFFF_FFFF) << 8 | u64::from(poll_code as u8));
    if !queue.1 && std::thread::current().id() != wakeup.loop_thread {
        let one = 1u64.to_ne_bytes();
        // SAFETY: writes 8 bytes from a live buffer to our eventfd.
        queue.1 = unsafe { libc::write(wakeup.fd.as_raw_fd(), one.as_ptr().cast(), 8) } == 8;
    }
}

/// Moves up to `cap` finished polls of wake-up `id` to `out` (`slot << 8 |
/// poll code`, oldest first); once the queue is empty the eventfd is read
/// back to unreadable. Returns how many it wrote.
///
/// # Safety
/// `out` is valid for `cap` writes.
#[no_mangle]
pub unsafe extern "C" fn rca_wakeup_take(id: u32, out: *mut u64, cap: u32) -> u32 {
    let Some(wakeup) = find(id).filter(|_| !out.is_null()) else {
        return 0;
    };
    let mut queue = wakeup.queue.lock().unwrap_or_else(PoisonError::into_inner);
    let n = queue.0.len().min(cap as usize);
    // SAFETY: `out` has room for `cap >= n` values.
    unsafe { std::ptr::copy_nonoverlapping(queue.0.as_ptr(), out, n) };
    queue.0.drain(..n);
    if queue.0.is_empty() && queue.1 {
        let mut count = [0u8; 8];
        // SAFETY: reads at most 8 bytes into a live buffer.
        unsafe { libc::read(wakeup.fd.as_raw_fd(), count.as_mut_ptr().cast(), 8) };
        queue.1 = false;
    }
    n as u32
}

/// Frees wake-up `id` (its loop is gone) and closes its eventfd; later
/// continuations for it are dropped. An unknown id is ignored.
#[no_mangle]
pub extern "C" fn rca_wakeup_free(id: u32) {
    let mut map = WAKEUPS.write().unwrap_or_else(PoisonError::into_inner);
    map.as_mut().map(|map| map.remove(&id));
}
