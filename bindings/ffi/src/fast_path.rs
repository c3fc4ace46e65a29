//! The lean C entry points of `authenticate` (Python's ctypes path): NUL-separated
//! UTF-8 fields in, [`Outcome::encode`] out; `include/redis_cloud_auth_fast_path.h`
//! declares them (held to this file by `tests/fast_path.rs`).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use redis_cloud_auth::verify::{self as core, AuthFailure, Outcome, PrincipalRef};
use smallvec::SmallVec;

use crate::verifier::Verifier;

/// Call error: a null handle or out-struct.
pub const RCA_ERR_NULL: i64 = -1001;
/// Call error: the request buffer is not UTF-8 fields in the documented order.
pub const RCA_ERR_REQUEST: i64 = -1002;
/// Call error: the texts do not fit the out-struct (never for accepted texts).
pub const RCA_ERR_TEXT: i64 = -1003;
/// Call error: an internal error; nothing was decided.
pub const RCA_ERR_PANIC: i64 = -1004;
/// Bytes of text an out-struct holds.
pub const RCA_TEXT_CAP: usize = 4096;

/// The verifier a call reads, and the texts behind its outcome, NUL-separated:
/// on success the ids, then account name, owner name, owner email, key name
/// and source IP; on failure (ids 0) detail, public message, header, source
/// IP (these two possibly empty) and the JSON error body.
#[repr(C)]
pub struct RcaAuthOutcome {
    /// In: the verifier (`Verifier::fast_path_handle()`), set once by the caller.
    pub handle: u64,
    /// The account (0 on failure).
    pub account_id: u64,
    /// The key owner's user id (0 on failure).
    pub user_id: u64,
    /// Bytes of `text` in use.
    pub text_len: u32,
    /// The texts, NUL-separated.
    pub text: [u8; RCA_TEXT_CAP],
}

impl RcaAuthOutcome {
    /// Writes `ids` and `texts`; `Err` when they do not fit.
    fn write(&mut self, ids: (u64, u64), texts: &[&str]) -> Result<(), i64> {
        (self.account_id, self.user_id) = ids;
        let mut at = 0;
        for (i, text) in texts.iter().enumerate() {
            let sep = usize::from(i > 0);
            let end = at + sep + text.len();
            if end > RCA_TEXT_CAP || text.contains('\0') {
                return Err(RCA_ERR_TEXT);
            }
            self.text[at..at + sep].fill(0);
            self.text[at + sep..end].copy_from_slice(text.as_bytes());
            at = end;
        }
        self.text_len = at as u32;
        Ok(())
    }

    /// Writes the principal; its source IP is `peer` unless `outcome` says it differs.
    fn principal(&mut self, p: &PrincipalRef<'_>, outcome: Outcome, peer: &str) -> Result<(), i64> {
        let formatted;
        let source_ip = match outcome {
            Outcome::Authenticated {
                source_ip_differs: false,
                ..
            } => peer,
            _ => {
                formatted = p.source_ip.to_string();
                &formatted
            }
        };
        let texts = [
            p.account_name,
            p.owner_name,
            p.owner_email,
            p.key_name,
            source_ip,
        ];
        self.write((p.account_id, p.user_id), &texts)
    }

    fn failure(&mut self, f: &AuthFailure) -> Result<(), i64> {
        let source_ip = f.source_ip().map(|ip| ip.to_string()).unwrap_or_default();
        let (detail, public, body) = (f.to_string(), f.public_message(), f.error_json());
        let header = f.header().unwrap_or_default();
        self.write((0, 0), &[&detail, &public, header, &source_ip, &body])
    }
}

/// Decides one request of `fields` (method, path, peer, then
/// `header_count` header names and values); writes to `out` unless it is
/// `None`.
fn decide<'a>(
    verifier: &core::Verifier,
    mut fields: impl Iterator<Item = &'a [u8]>,
    header_count: usize,
    mut out: Option<&mut RcaAuthOutcome>,
) -> Result<i64, i64> {
    let (method, path, peer_text) = (text(&mut fields)?, text(&mut fields)?, text(&mut fields)?);
    // Each pair is read before it is stored: a count the fields do not back fails first.
    let mut pairs = SmallVec::<[(&str, &[u8]); 16]>::new();
    for _ in 0..header_count {
        pairs.push((text(&mut fields)?, fields.next().ok_or(RCA_ERR_REQUEST)?));
    }
    let decided = core::parse_peer(peer_text).and_then(|peer| {
        let request = core::AuthRequest::from_pairs(method, path, &pairs, peer);
        verifier.authenticate_with(&request, |principal| {
            let outcome = Outcome::authenticated(&principal, peer_text);
            match out.as_deref_mut() {
                Some(out) => out
                    .principal(&principal, outcome, peer_text)
                    .map(|()| outcome),
                None => Ok(outcome),
            }
        })
    });
    match decided {
        Ok(written) => written.map(Outcome::encode),
        Err(failure) => {
            if let Some(out) = out {
                out.failure(&failure)?;
            }
            Ok(Outcome::failed(&failure).encode())
        }
    }
}

/// The next field as UTF-8 text.
fn text<'a>(fields: &mut impl Iterator<Item = &'a [u8]>) -> Result<&'a str, i64> {
    std::str::from_utf8(fields.next().ok_or(RCA_ERR_REQUEST)?).map_err(|_| RCA_ERR_REQUEST)
}

/// Runs `body`, turning a panic into [`RCA_ERR_PANIC`].
fn guarded(body: impl FnOnce() -> Result<i64, i64>) -> i64 {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(code)) | Ok(Err(code)) => code,
        Err(_) => RCA_ERR_PANIC,
    }
}

/// Borrows `len` bytes at `data` (none for a null pointer).
///
/// # Safety
/// A non-null `data` must point to `len` readable bytes, unchanged during the call.
unsafe fn borrowed<'a>(data: *const u8, len: usize) -> &'a [u8] {
    if data.is_null() || len == 0 {
        return &[];
    }
    std::slice::from_raw_parts(data, len)
}

record! {
    /// What every failure of one kind shares; a binding names an encoded outcome's failure by it.
    #[derive(Debug, Clone, uniffi::Record)]
    pub struct AuthFailureKind from core::FailureKind {
        /// Stable code (`invalid_user_key`).
        pub code: String,
        /// HTTP status to answer with.
        pub http_status: u16,
        /// The code the caller is shown (`unauthorized`).
        pub public_code: String,
    }
}

/// Every kind of failure, indexed by the ordinal an encoded outcome carries.
#[uniffi::export]
pub fn auth_failure_kinds() -> Vec<AuthFailureKind> {
    crate::convert::all(AuthFailure::ALL.to_vec())
}

#[uniffi::export]
impl Verifier {
    /// A strong reference to this verifier for the C entry points; give it
    /// back with `rca_verifier_release`, once.
    pub fn fast_path_handle(&self) -> u64 {
        Arc::into_raw(Arc::clone(&self.0)) as usize as u64
    }
}

/// Gives back a handle from `Verifier::fast_path_handle()`. Zero is ignored.
///
/// # Safety
/// `handle` must come from `fast_path_handle()` and be released once; no
/// call may use it afterwards.
#[no_mangle]
pub unsafe extern "C" fn rca_verifier_release(handle: u64) {
    if handle != 0 {
        // SAFETY: per the contract, an `Arc::into_raw` pointer not yet released.
        let _ = catch_unwind(|| drop(Arc::from_raw(handle as usize as *const core::Verifier)));
    }
}

/// Bits of a request's shape (`rca_authenticate`) that hold its header count.
pub const RCA_SHAPE_HEADER_BITS: u32 = 8;

/// Authenticates the request in `data` (method, path, peer, header names and
/// values) with the verifier `out.handle`, writing the texts to `out`;
/// returns the encoded outcome or a call error (`RCA_ERR_*`). `shape` is
/// `len << RCA_SHAPE_HEADER_BITS | header_count`: another number of fields
/// (one holds a NUL) is `RCA_ERR_REQUEST`, before anything is decided.
///
/// # Safety
/// `out` must point to a writable out-struct whose `handle` is a live
/// handle; `data` to the `shape >> 8` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn rca_authenticate(
    data: *const u8,
    shape: u32,
    out: *mut RcaAuthOutcome,
) -> i64 {
    guarded(|| {
        // SAFETY: a writable out-struct naming a live handle, per the contract.
        let out = out.as_mut().filter(|o| o.handle != 0).ok_or(RCA_ERR_NULL)?;
        let verifier = &*(out.handle as usize as *const core::Verifier);
        let header_count = shape & ((1 << RCA_SHAPE_HEADER_BITS) - 1);
        let data = borrowed(data, (shape >> RCA_SHAPE_HEADER_BITS) as usize);
        if data.iter().filter(|b| **b == 0).count() as u64 != 2 + 2 * u64::from(header_count) {
            return Err(RCA_ERR_REQUEST);
        }
        decide(
            verifier,
            data.split(|b| *b == 0),
            header_count as usize,
            Some(out),
        )
    })
}

/// Authenticates `count` requests (each: method, path, peer, header count in
/// decimal, names and values) into `outcomes`; returns 0 or a call error.
///
/// # Safety
/// `handle` must be a live handle; `data` must point to `data_len` readable
/// bytes; `outcomes` to `count` writable values.
#[no_mangle]
pub unsafe extern "C" fn rca_authenticate_many(
    handle: u64,
    count: u32,
    data: *const u8,
    data_len: u64,
    outcomes: *mut i64,
) -> i64 {
    guarded(|| {
        if handle == 0 || (outcomes.is_null() && count > 0) {
            return Err(RCA_ERR_NULL);
        }
        // SAFETY: per the contract.
        let verifier = &*(handle as usize as *const core::Verifier);
        let data = borrowed(
            data,
            usize::try_from(data_len).map_err(|_| RCA_ERR_REQUEST)?,
        );
        let outcomes = std::slice::from_raw_parts_mut(outcomes, count as usize);
        let mut fields = data.split(|b| *b == 0);
        for slot in outcomes.iter_mut() {
            let mut field = || fields.next().ok_or(RCA_ERR_REQUEST);
            let (method, path, peer) = (field()?, field()?, field()?);
            let n: usize = text(&mut fields)?.parse().map_err(|_| RCA_ERR_REQUEST)?;
            let request = [method, path, peer]
                .into_iter()
                .chain(fields.by_ref().take(2 * n));
            *slot = decide(verifier, request, n, None)?;
        }
        Ok(0)
    })
}
