//! C entry points over the core's `client::loop_wakeup`, for the Python
//! package's awaits (`include/redis_cloud_auth_wakeup.h`).

use redis_cloud_auth::client::loop_wakeup;

/// A wake-up for the event loop on the calling thread: its id in the high
/// 32 bits, the eventfd to watch in the low 32; 0 when there is none.
#[no_mangle]
pub extern "C" fn rca_wakeup_new() -> u64 {
    loop_wakeup::create().map_or(0, |(id, fd)| u64::from(id) << 32 | fd as u32 as u64)
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
