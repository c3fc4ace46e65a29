/* The lean C entry points of libredis_cloud_auth_ffi for authenticate.
 *
 * A request is one buffer of UTF-8 fields separated by single NUL bytes:
 * method, path, peer address, then each header's name and value (as
 * many headers as the shape's header count says, at most 255, in at most
 * 16 MiB: a buffer with another number of NULs is RCA_ERR_REQUEST, so a
 * caller that counts its own headers never has a field that holds a NUL
 * read as another one). The
 * result is the core's encoded outcome (redis_cloud_auth::verify::Outcome,
 * docs/api.md): a success is 2 * key_serial + source_ip_differs (>= 0), a
 * failure is -1 - ordinal (the index into auth_failure_kinds()), and a call
 * error is one of RCA_ERR_* (below every outcome).
 *
 * Checked against the Rust declarations by the test
 * `the_headers_declare_what_the_library_defines` in bindings/ffi/tests/fast_path.rs
 * (gcc parses this file; the prototypes and constants must be the Rust ones).
 */
#ifndef REDIS_CLOUD_AUTH_FAST_PATH_H
#define REDIS_CLOUD_AUTH_FAST_PATH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RCA_ERR_NULL (-1001)    /* null handle or out-struct */
#define RCA_ERR_REQUEST (-1002) /* the buffer is not the documented fields */
#define RCA_ERR_TEXT (-1003)    /* the texts do not fit the out-struct */
#define RCA_ERR_PANIC (-1004)   /* internal error; nothing was decided */

#define RCA_TEXT_CAP 4096
#define RCA_SHAPE_HEADER_BITS 8 /* shape = data_len << 8 | header_count */

/* In: handle, the verifier (set once by the caller). Out, on success: ids,
 * then account name, owner name, owner email, key name, source IP; on
 * failure (ids 0): reason, public message, header, source IP, JSON error
 * body. */
typedef struct RcaAuthOutcome {
    uint64_t handle;
    uint64_t account_id;
    uint64_t user_id;
    uint32_t text_len;
    uint8_t text[RCA_TEXT_CAP];
} RcaAuthOutcome;

/* handle: Verifier.fast_path_handle(), given back once with rca_verifier_release. */
void rca_verifier_release(uint64_t handle);

/* One request in data (shape: its length << 8 | its header count, so at
 * most 255 headers and 16 MiB), decided by the verifier out->handle; out
 * receives the principal's or the failure's texts. */
int64_t rca_authenticate(const uint8_t *data, uint32_t shape, RcaAuthOutcome *out);

/* count requests, each: method, path, peer, header count (decimal), names
 * and values; outcomes[i] receives each one's encoded outcome. Returns 0
 * or a call error (the outcomes written so far are the first requests'). */
int64_t rca_authenticate_many(uint64_t handle, uint32_t count, const uint8_t *data,
                              uint64_t data_len, int64_t *outcomes);

#ifdef __cplusplus
}
#endif

#endif /* REDIS_CLOUD_AUTH_FAST_PATH_H */
