/* The C entry points of libredis_cloud_auth_ffi that wake an event loop
 * from the library's threads without entering the caller's runtime
 * (bindings/ffi/src/wakeup.rs over the core's client::loop_wakeup; the
 * Python package's asyncio awaits).
 *
 * One wake-up per event loop: a queue of finished polls and an eventfd
 * the loop watches for reading (Linux and Android; elsewhere on Unix
 * rca_wakeup_new returns 0, and off Unix these are not defined).
 * rca_wakeup_continuation is a UniFFI RustFutureContinuationCallback:
 * give it to rust_future_poll with data = wake-up id << 32 | slot. A
 * finished poll is queued as slot << 8 | poll code, and the descriptor is
 * readable exactly while polls are queued.
 *
 * Checked against the Rust declarations by the test
 * `the_headers_declare_what_the_library_defines` in bindings/ffi/tests/fast_path.rs.
 */
#ifndef REDIS_CLOUD_AUTH_WAKEUP_H
#define REDIS_CLOUD_AUTH_WAKEUP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A wake-up for the loop on the calling thread: its id << 32 | the
 * descriptor to watch; 0 when none can be made. */
uint64_t rca_wakeup_new(void);

/* The continuation: queues (data & 0xffffffff, poll_code) for wake-up data >> 32. */
void rca_wakeup_continuation(uint64_t data, int8_t poll_code);

/* Moves up to cap finished polls to out (slot << 8 | poll code, oldest
 * first); the descriptor is unreadable again once the queue is empty.
 * Returns how many it wrote. */
uint32_t rca_wakeup_take(uint32_t id, uint64_t *out, uint32_t cap);

/* Frees a wake-up and closes its descriptor; later continuations for it are dropped. */
void rca_wakeup_free(uint32_t id);

#ifdef __cplusplus
}
#endif

#endif /* REDIS_CLOUD_AUTH_WAKEUP_H */
