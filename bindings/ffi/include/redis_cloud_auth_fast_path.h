/* The lean C entry points of libredis_cloud_auth_ffi for authenticate.
 *
 * For callers that pay a lot per generated UniFFI call (Python through
 * ctypes, JNA, Swift): one crossing, borrowed bytes in, a small integer
 * and a fixed-size out-struct back. Everything else goes through the
 * generated bindings. Documentation: bindings/ffi/src/fast_path.rs.
 */
#ifndef REDIS_CLOUD_AUTH_FAST_PATH_H
#define REDIS_CLOUD_AUTH_FAST_PATH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes. Positive: a failure, named by auth_failure_codes()[n - 1]
 * of the generated bindings. Negative: the call itself was wrong. */
#define RCA_OK 0
#define RCA_ERR_NULL (-1)   /* null verifier or out, or null pointer with a length */
#define RCA_ERR_UTF8 (-2)   /* method or path not UTF-8 */
#define RCA_ERR_PANIC (-3)  /* internal error; nothing was decided */
#define RCA_ERR_LENGTH (-4) /* impossible length, or batch fields not 3 per request */
#define RCA_ERR_TEXT (-5)   /* principal text does not fit (cannot happen) */

#define RCA_TEXT_CAP 4096

/* Results of rca_verifier_authenticate_keyed from this value up are
 * successes: RCA_PRINCIPAL_MIN + 2 * key_serial + ip_differs. */
#define RCA_PRINCIPAL_MIN 65536

/* Success: account name, owner name, owner email, key name, source IP.
 * Failure: precise reason, public message, public code, header concerned,
 * source IP.
 * UTF-8 texts separated by one NUL byte, text_len bytes in all. */
typedef struct RcaAuthOutcome {
    uint64_t account_id;
    uint64_t user_id;
    uint32_t http_status;
    uint32_t text_len;
    uint8_t text[RCA_TEXT_CAP];
} RcaAuthOutcome;

/* handle: Verifier.fast_path_handle(); a null key pointer (length 0) is
 * an absent header. */
int32_t rca_verifier_authenticate(uint64_t handle,
                                  const uint8_t *account_key, size_t account_key_len,
                                  const uint8_t *user_key, size_t user_key_len,
                                  const uint8_t *peer, size_t peer_len,
                                  const uint8_t *method, size_t method_len,
                                  const uint8_t *path, size_t path_len,
                                  RcaAuthOutcome *out);

/* The same with account key, user key, peer, method and path in one
 * NUL-separated buffer; RCA_ERR_LENGTH unless there are exactly 5 fields. */
int32_t rca_verifier_authenticate_joined(uint64_t handle, const uint8_t *data, size_t data_len,
                                         RcaAuthOutcome *out);

/* The same for callers that cache what they build from a principal.
 * Result: negative, a call error; 1 to 255, a failure number; else at
 * least RCA_PRINCIPAL_MIN: result >> 1 names the key's account, owner and
 * key fields (equal values, equal fields; a key created again or reloaded
 * gets a new one), and bit 0 is set when the source IP's text (in out) is
 * not the peer field byte for byte. out is written as by
 * rca_verifier_authenticate_joined. data_len is 32 bits (ctypes passes a
 * Python int as a C int when called without argtypes). */
int64_t rca_verifier_authenticate_keyed(uint64_t handle, const uint8_t *data, uint32_t data_len,
                                        RcaAuthOutcome *out);

/* data: account key, user key, peer of each request, NUL-separated
 * (3 * count fields); codes[i] receives each result; account_ids may be
 * null. */
int32_t rca_verifier_authenticate_batch(uint64_t handle, size_t count,
                                        const uint8_t *data, size_t data_len,
                                        const uint8_t *method, size_t method_len,
                                        const uint8_t *path, size_t path_len,
                                        int32_t *codes, uint64_t *account_ids);

/* Gives back a handle from Verifier.fast_path_handle(), once. */
void rca_verifier_release(uint64_t handle);

#ifdef __cplusplus
}
#endif

#endif
