//! C entry points over the core's `client::loop_wakeup`: the continuation
//! the Python package gives UniFFI's futures, which queues the finished
//! poll and wakes the event loop without entering Python
//! (`include/redis_cloud_auth_wakeup.h`).

use redis_cloud_auth::client::loop_wakeup;

/// A wake-up for the event loop on the calling thread: its id, and the
/// eventfd to watch in `fd`; 0 when there is none.
///
/// # Safety
/// `fd` is null or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn rca_wakeup_new(fd: *mut i32) -> u32 {
    if fd.is_null() {
        return 0;
    }
    let Some((id, made)) = loop_wakeup::create() else {
        return 0;
    };
    // SAFETY: checked non-null; the caller gives a writable `fd`.
    unsafe { *fd = made };
    id
}

/// UniFFI's `RustFutureContinuationCallback`: `data` is the wake-up's id
/// and the caller's slot.
#[no_mangle]
pub extern "C" fn rca_wakeup_continuation(data: u64, poll_code: i8) {
    loop_wakeup::finished(data, poll_code as u8);
}

/// Moves up to `cap` finished polls to `out` (`slot << 8 | poll code`);
/// returns how many.
///
/// # Safety
/// `out` is null or valid for `cap` writes.
#[no_mangle]
pub unsafe extern "C" fn rca_wakeup_take(id: u32, out: *mut u64, cap: u32) -> u32 {
    if out.is_null() {
        return 0;
    }
    // SAFETY: the caller gives `cap` writable values at `out`.
    let out = unsafe { std::slice::from_raw_parts_mut(out, cap as usize) };
    loop_wakeup::take(id, out) as u32
}

/// Frees a wake-up (its loop is gone); an unknown id is ignored.
#[no_mangle]
pub extern "C" fn rca_wakeup_free(id: u32) {
    loop_wakeup::free(id);
}
