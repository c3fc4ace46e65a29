//! The lean C entry points for `authenticate`, for callers that pay a lot
//! per generated FFI call (Python through ctypes): one crossing, borrowed
//! bytes in, a small integer and a fixed-size out-struct back.
//!
//! The result code is [`RCA_OK`], a positive failure number (its code name
//! is `auth_failure_codes()[n - 1]`), or a negative call error. No panic
//! crosses: one is caught and reported as [`RCA_ERR_PANIC`].
//!
//! A verifier handle is a strong reference taken with
//! `Verifier::fast_path_handle()` and given back with
//! [`rca_verifier_release`]; the caller keeps it alive while calls run.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use redis_cloud_auth::verify::{AuthRequest, PrincipalRef, Verifier as CoreVerifier};
use redis_cloud_auth::{AuthFailure, ACCOUNT_KEY_HEADER, USER_KEY_HEADER};

use crate::errors::{
    INVALID_PEER_CODE, INVALID_PEER_DETAIL, INVALID_PEER_PUBLIC, INVALID_PEER_PUBLIC_CODE,
    INVALID_PEER_STATUS,
};
use crate::verifier::Verifier;

/// The request authenticated; the out-struct holds the principal.
pub const RCA_OK: i32 = 0;
/// A null verifier or out pointer, or a null pointer with a nonzero length.
pub const RCA_ERR_NULL: i32 = -1;
/// The method or path is not UTF-8.
pub const RCA_ERR_UTF8: i32 = -2;
/// The library panicked; nothing was decided.
pub const RCA_ERR_PANIC: i32 = -3;
/// A length is larger than any object can be, or batch fields do not
/// add up to three per request.
pub const RCA_ERR_LENGTH: i32 = -4;
/// The principal's text does not fit the out-struct (cannot happen with
/// the verifier's length rules; checked anyway).
pub const RCA_ERR_TEXT: i32 = -5;

/// Bytes of text the out-struct holds.
pub const RCA_TEXT_CAP: usize = 4096;

/// Results of [`rca_verifier_authenticate_keyed`] from this value up are
/// successes: `RCA_PRINCIPAL_MIN + 2 * key_serial + ip_differs`.
pub const RCA_PRINCIPAL_MIN: i64 = 1 << 16;

/// Failure codes in the order of their numbers (number = index + 1).
const FAILURE_CODES: [&str; 11] = [
    "api_disabled",
    "missing_credentials",
    "malformed_credentials",
    "invalid_account_key",
    "invalid_user_key",
    "account_mismatch",
    "owner_role_revoked",
    "source_ip_not_allowed",
    "store_unavailable",
    "source_ip_unknown",
    INVALID_PEER_CODE,
];

/// The failure codes of the C entry points: number `n` is `codes[n - 1]`.
#[uniffi::export]
pub fn auth_failure_codes() -> Vec<String> {
    FAILURE_CODES.iter().map(|c| c.to_string()).collect()
}

fn failure_number(failure: &AuthFailure) -> i32 {
    let code = failure.code();
    FAILURE_CODES
        .iter()
        .position(|c| *c == code)
        .map_or(RCA_ERR_PANIC, |i| i as i32 + 1)
}

/// What an authentication decided, written by the C entry points.
///
/// On success, `text` holds the account name, owner name, owner email, key
/// name and source IP; on a failure, the precise reason, the public
/// message, the public code, the header concerned and the source IP (the
/// last two possibly empty).
/// The texts are UTF-8, separated by one NUL byte (no text holds a NUL:
/// names reject control characters), `text_len` bytes in all.
#[repr(C)]
pub struct RcaAuthOutcome {
    /// The account (0 on failure).
    pub account_id: u64,
    /// The key owner's user id (0 on failure).
    pub user_id: u64,
    /// 200 on success, else the failure's HTTP status.
    pub http_status: u32,
    /// Bytes of `text` in use.
    pub text_len: u32,
    /// The texts, NUL-separated.
    pub text: [u8; RCA_TEXT_CAP],
}

/// Writes NUL-separated texts into an out-struct's `text`.
struct TextWriter<'a> {
    text: &'a mut [u8; RCA_TEXT_CAP],
    at: usize,
}

impl TextWriter<'_> {
    /// Appends `text` (after a NUL unless it is the first).
    fn field(&mut self, text: &str) -> Result<(), i32> {
        if self.at > 0 {
            self.put(b"\0")?;
        }
        if text.contains('\0') {
            return Err(RCA_ERR_TEXT);
        }
        self.put(text.as_bytes())
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), i32> {
        let end = self.at + bytes.len();
        if end > RCA_TEXT_CAP {
            return Err(RCA_ERR_TEXT);
        }
        self.text[self.at..end].copy_from_slice(bytes);
        self.at = end;
        Ok(())
    }
}

impl std::fmt::Write for TextWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.put(s.as_bytes()).map_err(|_| std::fmt::Error)
    }
}

impl RcaAuthOutcome {
    fn write(&mut self, texts: &[&str]) -> Result<(), i32> {
        let mut writer = TextWriter {
            text: &mut self.text,
            at: 0,
        };
        for text in texts {
            writer.field(text)?;
        }
        self.text_len = writer.at as u32;
        Ok(())
    }

    /// Writes the principal; returns whether the source IP's text is
    /// `peer_text` (the text `peer` was parsed from), byte for byte.
    fn principal(
        &mut self,
        p: &PrincipalRef<'_>,
        peer: IpAddr,
        peer_text: &[u8],
    ) -> Result<bool, i32> {
        self.account_id = p.account_id;
        self.user_id = p.user_id;
        self.http_status = 200;
        let mut writer = TextWriter {
            text: &mut self.text,
            at: 0,
        };
        for text in [p.account_name, p.owner_name, p.owner_email, p.key_name] {
            writer.field(text)?;
        }
        writer.put(b"\0")?;
        let ip_at = writer.at;
        // An IPv4 peer the verifier kept, given with no padding, is already
        // in canonical form (the parser takes no leading zeros): copied.
        let digit = |b: Option<&u8>| b.is_some_and(u8::is_ascii_digit);
        if p.source_ip == peer
            && peer.is_ipv4()
            && digit(peer_text.first())
            && digit(peer_text.last())
        {
            writer.put(peer_text)?;
            self.text_len = writer.at as u32;
            return Ok(true);
        }
        write!(writer, "{}", p.source_ip).map_err(|_| RCA_ERR_TEXT)?;
        let end = writer.at;
        self.text_len = end as u32;
        Ok(&self.text[ip_at..end] == peer_text)
    }

    fn failure(&mut self, f: &AuthFailure) -> i32 {
        self.account_id = 0;
        self.user_id = 0;
        self.http_status = f.http_status().into();
        let (header, ip) = match f {
            AuthFailure::MissingCredentials(e) | AuthFailure::MalformedCredentials(e) => {
                (e.header().to_string(), String::new())
            }
            AuthFailure::SourceIpNotAllowed { source_ip } => (String::new(), source_ip.to_string()),
            _ => (String::new(), String::new()),
        };
        let detail = f.to_string();
        let public = f.public_message();
        match self.write(&[&detail, &public, f.public_code(), &header, &ip]) {
            Ok(()) => failure_number(f),
            Err(code) => code,
        }
    }

    /// The peer address given is not an IP address (or not text).
    fn invalid_peer(&mut self) -> i32 {
        self.account_id = 0;
        self.user_id = 0;
        self.http_status = INVALID_PEER_STATUS.into();
        let texts = [
            INVALID_PEER_DETAIL,
            INVALID_PEER_PUBLIC,
            INVALID_PEER_PUBLIC_CODE,
            "",
            "",
        ];
        match self.write(&texts) {
            Ok(()) => FAILURE_CODES.len() as i32,
            Err(code) => code,
        }
    }

    fn new() -> Box<Self> {
        Box::new(RcaAuthOutcome {
            account_id: 0,
            user_id: 0,
            http_status: 0,
            text_len: 0,
            text: [0; RCA_TEXT_CAP],
        })
    }
}

/// Borrows `len` bytes at `ptr`; `Ok(None)` for a null pointer with length 0.
///
/// # Safety
/// A non-null `ptr` must point to `len` readable bytes that stay unchanged
/// during the call.
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<Option<&'a [u8]>, i32> {
    if len > isize::MAX as usize {
        return Err(RCA_ERR_LENGTH);
    }
    match (ptr.is_null(), len) {
        (true, 0) => Ok(None),
        (true, _) => Err(RCA_ERR_NULL),
        (false, 0) => Ok(Some(&[])),
        // SAFETY: non-null, `len` bytes readable per this function's contract.
        (false, _) => Ok(Some(std::slice::from_raw_parts(ptr, len))),
    }
}

/// Borrows UTF-8 text; a null pointer with length 0 is the empty text.
///
/// # Safety
/// As [`bytes`].
unsafe fn text<'a>(ptr: *const u8, len: usize) -> Result<&'a str, i32> {
    let raw = bytes(ptr, len)?.unwrap_or_default();
    std::str::from_utf8(raw).map_err(|_| RCA_ERR_UTF8)
}

/// The arguments of one request, borrowed.
struct Lean<'a> {
    account_key: Option<&'a [u8]>,
    user_key: Option<&'a [u8]>,
    peer: IpAddr,
    /// The peer as the caller gave it.
    peer_text: &'a [u8],
}

/// What one request decided, beyond what the out-struct holds.
enum Decided {
    /// Authenticated: the key serial (of `authenticate_with`), and
    /// whether the source IP's text is the peer text given.
    Principal { key_serial: u64, ip_as_given: bool },
    /// A failure number or call error.
    Code(i32),
}

impl Decided {
    /// The result of the entry points that return an `int32_t`.
    fn code(&self) -> i32 {
        match self {
            Decided::Principal { .. } => RCA_OK,
            Decided::Code(code) => *code,
        }
    }
}

fn authenticate_one(
    verifier: &CoreVerifier,
    lean: &Lean<'_>,
    method: &str,
    path: &str,
    out: &mut RcaAuthOutcome,
) -> Decided {
    let mut headers: [(&str, &[u8]); 2] = [("", &[]), ("", &[])];
    let mut count = 0;
    for (name, value) in [
        (ACCOUNT_KEY_HEADER, lean.account_key),
        (USER_KEY_HEADER, lean.user_key),
    ] {
        if let Some(value) = value {
            headers[count] = (name, value);
            count += 1;
        }
    }
    let request = AuthRequest::from_pairs(method, path, &headers[..count], lean.peer);
    let decided = verifier.authenticate_with(&request, |principal| {
        out.principal(&principal, lean.peer, lean.peer_text)
            .map(|ip_as_given| (principal.key_serial, ip_as_given))
    });
    match decided {
        Ok(Ok((key_serial, ip_as_given))) => Decided::Principal {
            key_serial,
            ip_as_given,
        },
        Ok(Err(code)) => Decided::Code(code),
        Err(failure) => Decided::Code(out.failure(&failure)),
    }
}

/// The peer address in `raw`, when it is the text of an IP address.
fn peer_address(raw: &[u8]) -> Option<IpAddr> {
    std::str::from_utf8(raw).ok()?.trim().parse().ok()
}

/// Runs `body`, turning a panic into [`RCA_ERR_PANIC`].
fn guarded(body: impl FnOnce() -> Result<i32, i32>) -> i32 {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(code)) | Ok(Err(code)) => code,
        Err(_) => RCA_ERR_PANIC,
    }
}

#[uniffi::export]
impl Verifier {
    /// A strong reference to this verifier for the C entry points
    /// (`rca_verifier_authenticate`); give it back with
    /// `rca_verifier_release`, once.
    pub fn fast_path_handle(&self) -> u64 {
        Arc::into_raw(Arc::clone(&self.0)) as usize as u64
    }
}

/// Gives back a handle from `Verifier::fast_path_handle()`.
///
/// # Safety
/// `handle` must come from `fast_path_handle()` and be released once; no
/// call may use it afterwards. Zero is ignored.
#[no_mangle]
pub unsafe extern "C" fn rca_verifier_release(handle: u64) {
    if handle == 0 {
        return;
    }
    let _ = catch_unwind(|| {
        // SAFETY: per the contract, `handle` is an `Arc::into_raw` pointer
        // not yet released.
        drop(Arc::from_raw(handle as usize as *const CoreVerifier));
    });
}

/// Authenticates one request from its two keys, peer address, method and
/// path, and writes the principal or the failure to `out`.
///
/// A key given as a null pointer (length 0) is an absent header; keys are
/// bytes and are checked like header values (not UTF-8 is malformed).
/// Returns [`RCA_OK`], a failure number (1-based index into
/// `auth_failure_codes()`), or a negative call error.
///
/// # Safety
/// `handle` must be a live handle from `fast_path_handle()`; every non-null
/// pointer must point to its length of readable bytes; `out` must point to
/// a writable [`RcaAuthOutcome`]. Nothing is kept after the call.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn rca_verifier_authenticate(
    handle: u64,
    account_key: *const u8,
    account_key_len: usize,
    user_key: *const u8,
    user_key_len: usize,
    peer: *const u8,
    peer_len: usize,
    method: *const u8,
    method_len: usize,
    path: *const u8,
    path_len: usize,
    out: *mut RcaAuthOutcome,
) -> i32 {
    guarded(|| {
        if handle == 0 || out.is_null() {
            return Err(RCA_ERR_NULL);
        }
        // SAFETY: live handle and writable `out`, per the contract.
        let (verifier, out) = (&*(handle as usize as *const CoreVerifier), &mut *out);
        let account_key = bytes(account_key, account_key_len)?;
        let user_key = bytes(user_key, user_key_len)?;
        let peer_text = bytes(peer, peer_len)?.unwrap_or_default();
        let (method, path) = (text(method, method_len)?, text(path, path_len)?);
        let Some(peer) = peer_address(peer_text) else {
            return Ok(out.invalid_peer());
        };
        let lean = Lean {
            account_key,
            user_key,
            peer,
            peer_text,
        };
        Ok(authenticate_one(verifier, &lean, method, path, out).code())
    })
}

/// [`rca_verifier_authenticate`] with its five texts in one buffer: the
/// account key, user key, peer address, method and path, separated by
/// single NUL bytes. One pointer and length instead of five pairs: the
/// cheapest call for Python's ctypes. Returns [`RCA_ERR_LENGTH`] (and
/// decides nothing) unless there are exactly five fields, which happens
/// when a field held a NUL: call [`rca_verifier_authenticate`] then.
///
/// # Safety
/// As [`rca_verifier_authenticate`]; `data` must point to `data_len`
/// readable bytes.
#[no_mangle]
pub unsafe extern "C" fn rca_verifier_authenticate_joined(
    handle: u64,
    data: *const u8,
    data_len: usize,
    out: *mut RcaAuthOutcome,
) -> i32 {
    guarded(|| authenticate_joined(handle, data, data_len, out).map(|d| d.code()))
}

/// [`rca_verifier_authenticate_joined`] for callers that cache what they
/// build from a principal (Python's ctypes, called without `argtypes`: the
/// length is 32 bits, the result 64). The out-struct is written as by
/// [`rca_verifier_authenticate_joined`]; the result is a negative call
/// error, a failure number (1 to 255), or, on success, at least
/// [`RCA_PRINCIPAL_MIN`]: `RCA_PRINCIPAL_MIN + 2 * serial + ip_differs`.
/// `serial` is the key serial `Verifier::authenticate_with` gives:
/// results with the same `serial` have the same ids and texts but the
/// source IP, so
/// `result >> 1` can key a cache of them. `ip_differs` is 1 when the
/// source IP's text is not the peer field byte for byte (padded,
/// non-canonical, or from a trusted proxy's `X-Forwarded-For`).
///
/// # Safety
/// As [`rca_verifier_authenticate_joined`].
#[no_mangle]
pub unsafe extern "C" fn rca_verifier_authenticate_keyed(
    handle: u64,
    data: *const u8,
    data_len: u32,
    out: *mut RcaAuthOutcome,
) -> i64 {
    let decided = catch_unwind(AssertUnwindSafe(|| {
        authenticate_joined(handle, data, data_len as usize, out)
    }));
    match decided {
        Ok(Ok(Decided::Principal {
            key_serial,
            ip_as_given,
        })) => key_serial
            .checked_mul(2)
            .and_then(|twice| twice.checked_add(RCA_PRINCIPAL_MIN as u64 + u64::from(!ip_as_given)))
            .and_then(|result| i64::try_from(result).ok())
            .unwrap_or(RCA_ERR_PANIC.into()),
        Ok(Ok(Decided::Code(code)) | Err(code)) => code.into(),
        Err(_) => RCA_ERR_PANIC.into(),
    }
}

/// The body of the entry points that take the five texts joined.
///
/// # Safety
/// As [`rca_verifier_authenticate_joined`].
unsafe fn authenticate_joined(
    handle: u64,
    data: *const u8,
    data_len: usize,
    out: *mut RcaAuthOutcome,
) -> Result<Decided, i32> {
    if handle == 0 || out.is_null() {
        return Err(RCA_ERR_NULL);
    }
    // SAFETY: live handle and writable `out`, per the contract.
    let (verifier, out) = (&*(handle as usize as *const CoreVerifier), &mut *out);
    let data = bytes(data, data_len)?.unwrap_or_default();
    let mut fields = data.splitn(6, |b| *b == 0);
    let (Some(account_key), Some(user_key), Some(peer_text), Some(method), Some(path), None) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err(RCA_ERR_LENGTH);
    };
    let method = std::str::from_utf8(method).map_err(|_| RCA_ERR_UTF8)?;
    let path = std::str::from_utf8(path).map_err(|_| RCA_ERR_UTF8)?;
    let Some(peer) = peer_address(peer_text) else {
        return Ok(Decided::Code(out.invalid_peer()));
    };
    let lean = Lean {
        account_key: Some(account_key),
        user_key: Some(user_key),
        peer,
        peer_text,
    };
    Ok(authenticate_one(verifier, &lean, method, path, out))
}

/// Authenticates `count` requests sharing one method and path. `data`
/// holds their fields separated by single NUL bytes: account key, user
/// key and peer address of the first request, then of the second, and so
/// on (`3 * count` fields). Writes each request's result code to
/// `codes[i]` and, when `account_ids` is not null, its account id on
/// success (0 otherwise). Returns [`RCA_OK`], or a negative call error and
/// writes nothing ([`RCA_ERR_LENGTH`] when the fields are not `3 * count`:
/// a field held a NUL).
///
/// # Safety
/// `handle` must be a live handle; `data` must point to `data_len`
/// readable bytes; `codes` (and `account_ids` unless null) to `count`
/// writable values.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn rca_verifier_authenticate_batch(
    handle: u64,
    count: usize,
    data: *const u8,
    data_len: usize,
    method: *const u8,
    method_len: usize,
    path: *const u8,
    path_len: usize,
    codes: *mut i32,
    account_ids: *mut u64,
) -> i32 {
    guarded(|| {
        if handle == 0 || (codes.is_null() && count > 0) {
            return Err(RCA_ERR_NULL);
        }
        if count == 0 {
            return Ok(RCA_OK);
        }
        if count > isize::MAX as usize / 8 {
            return Err(RCA_ERR_LENGTH);
        }
        // SAFETY: per the contract.
        let verifier = &*(handle as usize as *const CoreVerifier);
        let data = bytes(data, data_len)?.unwrap_or_default();
        let (method, path) = (text(method, method_len)?, text(path, path_len)?);
        let fields: Vec<&[u8]> = data.split(|b| *b == 0).collect();
        if fields.len() != 3 * count {
            return Err(RCA_ERR_LENGTH);
        }
        // SAFETY: `count` writable values each, per the contract.
        let codes = std::slice::from_raw_parts_mut(codes, count);
        let mut account_ids =
            (!account_ids.is_null()).then(|| std::slice::from_raw_parts_mut(account_ids, count));
        let mut out = RcaAuthOutcome::new();
        for (i, request) in fields.chunks_exact(3).enumerate() {
            let code = match peer_address(request[2]) {
                Some(peer) => {
                    let lean = Lean {
                        account_key: Some(request[0]),
                        user_key: Some(request[1]),
                        peer,
                        peer_text: request[2],
                    };
                    authenticate_one(verifier, &lean, method, path, &mut out).code()
                }
                None => out.invalid_peer(),
            };
            codes[i] = code;
            if let Some(ids) = account_ids.as_deref_mut() {
                ids[i] = if code == RCA_OK { out.account_id } else { 0 };
            }
        }
        Ok(RCA_OK)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct World {
        verifier: Arc<Verifier>,
        handle: u64,
        account_key: String,
        user_key: String,
    }

    impl Drop for World {
        fn drop(&mut self) {
            unsafe { rca_verifier_release(self.handle) };
        }
    }

    fn world() -> World {
        let verifier = Verifier::in_memory();
        let account = verifier.create_account("acme".into()).unwrap();
        let owner = verifier
            .add_user(
                account,
                "Ada".into(),
                "ada@example.com".into(),
                crate::Role::Owner,
            )
            .unwrap();
        let account_key = verifier.enable_api(account).unwrap().unwrap();
        let user_key = verifier
            .create_user_key(
                account,
                owner,
                owner,
                "lean-path-key".into(),
                vec!["10.0.0.0/8".into()],
            )
            .unwrap();
        let handle = verifier.fast_path_handle();
        World {
            verifier,
            handle,
            account_key,
            user_key,
        }
    }

    fn call(
        w: &World,
        account: Option<&[u8]>,
        user: Option<&[u8]>,
        peer: &[u8],
    ) -> (i32, Box<RcaAuthOutcome>) {
        let mut out = RcaAuthOutcome::new();
        let ptr = |v: Option<&[u8]>| v.map_or(std::ptr::null(), <[u8]>::as_ptr);
        let len = |v: Option<&[u8]>| v.map_or(0, <[u8]>::len);
        let code = unsafe {
            rca_verifier_authenticate(
                w.handle,
                ptr(account),
                len(account),
                ptr(user),
                len(user),
                peer.as_ptr(),
                peer.len(),
                b"GET".as_ptr(),
                3,
                b"/v1/".as_ptr(),
                4,
                &mut *out,
            )
        };
        (code, out)
    }

    fn texts(out: &RcaAuthOutcome) -> Vec<String> {
        String::from_utf8(out.text[..out.text_len as usize].to_vec())
            .unwrap()
            .split('\0')
            .map(String::from)
            .collect()
    }

    fn code_name(code: i32) -> &'static str {
        FAILURE_CODES[code as usize - 1]
    }

    #[test]
    fn success_fills_the_principal() {
        let w = world();
        let (code, out) = call(
            &w,
            Some(w.account_key.as_bytes()),
            Some(w.user_key.as_bytes()),
            b"10.1.2.3",
        );
        assert_eq!(code, RCA_OK);
        assert_eq!(out.http_status, 200);
        assert_eq!(
            texts(&out),
            [
                "acme",
                "Ada",
                "ada@example.com",
                "lean-path-key",
                "10.1.2.3"
            ]
        );
    }

    #[test]
    fn failures_carry_code_status_and_texts() {
        let w = world();
        let (ak, uk) = (w.account_key.as_bytes(), w.user_key.as_bytes());
        let (code, out) = call(&w, Some(ak), Some(uk), b"192.0.2.1");
        assert_eq!(code_name(code), "source_ip_not_allowed");
        assert_eq!(out.http_status, 403);
        assert_eq!(texts(&out)[2], "forbidden");
        assert_eq!(texts(&out)[4], "192.0.2.1");
        let (code, out) = call(&w, Some(ak), None, b"10.1.2.3");
        assert_eq!(code_name(code), "missing_credentials");
        assert_eq!(texts(&out)[3], "x-api-secret-key");
        let (code, _) = call(&w, Some(ak), Some(b"UserKey\xff0123456"), b"10.1.2.3");
        assert_eq!(code_name(code), "malformed_credentials");
        let (code, out) = call(&w, Some(ak), Some(uk), b"10.1.2.3\xff");
        assert_eq!(code_name(code), "invalid_peer_address");
        assert_eq!(out.http_status, 500);
        for text in texts(&out) {
            assert!(!text.contains(&w.user_key));
        }
    }

    #[test]
    fn bad_arguments_are_call_errors() {
        let w = world();
        let mut out = RcaAuthOutcome::new();
        let uk = w.user_key.as_bytes();
        let null = std::ptr::null();
        unsafe {
            let code = rca_verifier_authenticate(
                w.handle,
                null,
                4,
                uk.as_ptr(),
                uk.len(),
                b"10.0.0.1".as_ptr(),
                8,
                null,
                0,
                null,
                0,
                &mut *out,
            );
            assert_eq!(code, RCA_ERR_NULL);
            let code = rca_verifier_authenticate(
                0, null, 0, null, 0, null, 0, null, 0, null, 0, &mut *out,
            );
            assert_eq!(code, RCA_ERR_NULL);
            let code = rca_verifier_authenticate(
                w.handle,
                null,
                0,
                null,
                0,
                b"10.0.0.1".as_ptr(),
                8,
                b"G\xff".as_ptr(),
                2,
                null,
                0,
                &mut *out,
            );
            assert_eq!(code, RCA_ERR_UTF8);
            let code = rca_verifier_authenticate(
                w.handle,
                null,
                usize::MAX,
                null,
                0,
                null,
                0,
                null,
                0,
                null,
                0,
                &mut *out,
            );
            assert_eq!(code, RCA_ERR_LENGTH);
        }
    }

    #[test]
    fn joined_matches_separate_arguments() {
        let w = world();
        let (ak, uk) = (w.account_key.as_str(), w.user_key.as_str());
        for (a, u, p) in [
            (ak, uk, "10.1.2.3"),
            (ak, uk, "192.0.2.1"),
            (ak, "NoSuchUserKey0123", "10.1.2.3"),
            (ak, uk, "bogus"),
            (ak, "", "10.1.2.3"),
        ] {
            let data = [a, u, p, "GET", "/v1/"].join("\0");
            let mut out = RcaAuthOutcome::new();
            let code = unsafe {
                rca_verifier_authenticate_joined(w.handle, data.as_ptr(), data.len(), &mut *out)
            };
            let (single, single_out) =
                call(&w, Some(a.as_bytes()), Some(u.as_bytes()), p.as_bytes());
            assert_eq!(code, single, "{p}");
            assert_eq!(texts(&out), texts(&single_out));
        }
        let mut out = RcaAuthOutcome::new();
        for data in ["a\0b\0c\0d", "a\0b\0c\0d\0e\0f"] {
            let code = unsafe {
                rca_verifier_authenticate_joined(w.handle, data.as_ptr(), data.len(), &mut *out)
            };
            assert_eq!(code, RCA_ERR_LENGTH, "{data:?}");
        }
        let mut bad = [ak, uk, "10.1.2.3", ""].join("\0").into_bytes();
        bad.extend_from_slice(b"G\xff\0/");
        let code = unsafe {
            rca_verifier_authenticate_joined(w.handle, bad.as_ptr(), bad.len(), &mut *out)
        };
        assert_eq!(code, RCA_ERR_UTF8);
    }

    fn keyed(w: &World, fields: [&str; 5], out: &mut RcaAuthOutcome) -> i64 {
        let data = fields.join("\0");
        unsafe { rca_verifier_authenticate_keyed(w.handle, data.as_ptr(), data.len() as u32, out) }
    }

    #[test]
    fn keyed_names_the_principal_and_flags_a_rewritten_source_ip() {
        let w = world();
        let (ak, uk) = (w.account_key.as_str(), w.user_key.as_str());
        let mut out = RcaAuthOutcome::new();
        let plain = keyed(&w, [ak, uk, "10.1.2.3", "GET", "/"], &mut out);
        assert!(plain >= RCA_PRINCIPAL_MIN, "{plain}");
        assert_eq!(plain & 1, 0);
        assert_eq!(out.http_status, 200);
        assert_eq!(
            texts(&out),
            [
                "acme",
                "Ada",
                "ada@example.com",
                "lean-path-key",
                "10.1.2.3"
            ]
        );
        assert_eq!(keyed(&w, [ak, uk, "10.1.2.3", "GET", "/"], &mut out), plain);
        // The same key from another address: the same fields.
        assert_eq!(
            keyed(&w, [ak, uk, "10.200.0.1", "PUT", "/x"], &mut out),
            plain
        );
        assert_eq!(texts(&out)[4], "10.200.0.1");
        // Addresses whose text the verifier rewrites.
        for peer in [
            " 10.1.2.3",
            "10.1.2.3\n",
            "::ffff:10.1.2.3",
            "::FFFF:a01:203",
        ] {
            let result = keyed(&w, [ak, uk, peer, "GET", "/"], &mut out);
            assert_eq!(result, plain | 1, "{peer:?}");
            assert_eq!(texts(&out)[4], "10.1.2.3");
        }
        // Never taken as given: a text the parser would rewrite.
        for peer in ["10.01.2.3", "010.1.2.3"] {
            let result = keyed(&w, [ak, uk, peer, "GET", "/"], &mut out);
            assert!(
                result & 1 == 1 || code_name(result as i32) == INVALID_PEER_CODE,
                "{peer:?}"
            );
        }

        // Another key, and the key deleted and created again: new serials.
        let core = &w.verifier.0;
        let owner = core.list_users(1).unwrap()[0].id;
        let second = core
            .create_user_key(1, owner, owner, "second-lean-key", &["10.0.0.0/8"])
            .unwrap();
        let other = keyed(&w, [ak, second.expose(), "10.1.2.3", "GET", "/"], &mut out);
        assert!(other >= RCA_PRINCIPAL_MIN && other >> 1 != plain >> 1);
        assert_eq!(texts(&out)[3], "second-lean-key");
        core.delete_user_key(1, owner, "lean-path-key").unwrap();
        let gone = keyed(&w, [ak, uk, "10.1.2.3", "GET", "/"], &mut out);
        assert_eq!(code_name(gone as i32), "invalid_user_key");
        let again = core
            .create_user_key(1, owner, owner, "lean-path-key", &["10.0.0.0/8"])
            .unwrap();
        let recreated = keyed(&w, [ak, again.expose(), "10.1.2.3", "GET", "/"], &mut out);
        assert!(recreated >= RCA_PRINCIPAL_MIN);
        assert_ne!(recreated >> 1, plain >> 1);
        assert_eq!(texts(&out)[3], "lean-path-key");
    }

    #[test]
    fn keyed_failures_and_call_errors_match_joined() {
        let w = world();
        let (ak, uk) = (w.account_key.as_str(), w.user_key.as_str());
        for fields in [
            [ak, uk, "192.0.2.1", "GET", "/"],
            [ak, "NoSuchUserKey0123", "10.1.2.3", "GET", "/"],
            [ak, uk, "bogus", "GET", "/"],
            [ak, "", "10.1.2.3", "GET", "/"],
            ["a\0b", uk, "10.1.2.3", "GET", "/"],
        ] {
            let mut out = RcaAuthOutcome::new();
            let result = keyed(&w, fields, &mut out);
            let data = fields.join("\0");
            let mut joined_out = RcaAuthOutcome::new();
            let joined = unsafe {
                rca_verifier_authenticate_joined(
                    w.handle,
                    data.as_ptr(),
                    data.len(),
                    &mut *joined_out,
                )
            };
            assert!(
                joined != RCA_OK && result == i64::from(joined),
                "{fields:?}"
            );
            if joined > 0 {
                assert_eq!(texts(&out), texts(&joined_out));
                assert_eq!(out.http_status, joined_out.http_status);
            }
        }
        let mut out = RcaAuthOutcome::new();
        let data = [ak, uk, "10.1.2.3", "GET", "/"].join("\0");
        let call = |handle, data: &[u8], out: *mut RcaAuthOutcome| unsafe {
            rca_verifier_authenticate_keyed(handle, data.as_ptr(), data.len() as u32, out)
        };
        assert_eq!(call(0, data.as_bytes(), &mut *out), i64::from(RCA_ERR_NULL));
        assert_eq!(
            call(w.handle, data.as_bytes(), std::ptr::null_mut()),
            i64::from(RCA_ERR_NULL)
        );
        let null_data =
            unsafe { rca_verifier_authenticate_keyed(w.handle, std::ptr::null(), 3, &mut *out) };
        assert_eq!(null_data, i64::from(RCA_ERR_NULL));
        let mut bad = [ak, uk, "10.1.2.3", ""].join("\0").into_bytes();
        bad.extend_from_slice(b"G\xff\0/");
        assert_eq!(call(w.handle, &bad, &mut *out), i64::from(RCA_ERR_UTF8));
    }

    #[test]
    fn batch_matches_single_calls() {
        let w = world();
        let (ak, uk) = (w.account_key.as_str(), w.user_key.as_str());
        let requests = [
            (ak, uk, "10.1.2.3"),
            (ak, uk, "192.0.2.1"),
            (ak, "NoSuchUserKey0123", "10.1.2.3"),
            (ak, uk, "bogus"),
        ];
        let data = requests
            .iter()
            .flat_map(|(a, u, p)| [*a, *u, *p])
            .collect::<Vec<_>>()
            .join("\0");
        let mut codes = [99i32; 4];
        let mut ids = [99u64; 4];
        let status = unsafe {
            rca_verifier_authenticate_batch(
                w.handle,
                4,
                data.as_ptr(),
                data.len(),
                b"GET".as_ptr(),
                3,
                b"/".as_ptr(),
                1,
                codes.as_mut_ptr(),
                ids.as_mut_ptr(),
            )
        };
        assert_eq!(status, RCA_OK);
        for (i, (a, u, p)) in requests.iter().enumerate() {
            let (single, _) = call(&w, Some(a.as_bytes()), Some(u.as_bytes()), p.as_bytes());
            assert_eq!(codes[i], single, "request {i}");
        }
        assert_eq!(ids[0], w.verifier.0.list_users(1).unwrap()[0].account_id);
        assert_eq!(ids[1..], [0, 0, 0]);
        let short = "a\0b";
        let status = unsafe {
            rca_verifier_authenticate_batch(
                w.handle,
                1,
                short.as_ptr(),
                short.len(),
                std::ptr::null(),
                0,
                std::ptr::null(),
                0,
                codes.as_mut_ptr(),
                std::ptr::null_mut(),
            )
        };
        assert_eq!(status, RCA_ERR_LENGTH);
    }

    #[test]
    fn failure_codes_are_the_cores() {
        assert_eq!(auth_failure_codes().len(), FAILURE_CODES.len());
        let failures = [
            AuthFailure::ApiDisabled,
            AuthFailure::InvalidAccountKey,
            AuthFailure::InvalidUserKey,
            AuthFailure::AccountMismatch,
            AuthFailure::OwnerRoleRevoked,
            AuthFailure::StoreUnavailable,
            AuthFailure::SourceIpUnknown(redis_cloud_auth::verify::UnknownSourceIp {
                proxy: "10.0.0.1".parse().unwrap(),
                position: 1,
                problem: redis_cloud_auth::verify::HopProblem::Empty,
            }),
        ];
        for failure in failures {
            assert_eq!(code_name(failure_number(&failure)), failure.code());
        }
    }

    #[test]
    fn a_released_handle_keeps_other_references_alive() {
        let w = world();
        let extra = w.verifier.fast_path_handle();
        unsafe { rca_verifier_release(extra) };
        let (code, _) = call(
            &w,
            Some(w.account_key.as_bytes()),
            Some(w.user_key.as_bytes()),
            b"10.1.2.3",
        );
        assert_eq!(code, RCA_OK);
        unsafe { rca_verifier_release(0) };
    }
}

#[cfg(test)]
mod header_tests {
    use super::*;

    /// The C header states the same constants and layout as this module.
    #[test]
    fn c_header_matches() {
        let header = include_str!("../include/redis_cloud_auth_fast_path.h");
        for (name, value) in [
            ("RCA_OK", RCA_OK),
            ("RCA_ERR_NULL", RCA_ERR_NULL),
            ("RCA_ERR_UTF8", RCA_ERR_UTF8),
            ("RCA_ERR_PANIC", RCA_ERR_PANIC),
            ("RCA_ERR_LENGTH", RCA_ERR_LENGTH),
            ("RCA_ERR_TEXT", RCA_ERR_TEXT),
        ] {
            let shown = if value < 0 {
                format!("#define {name} ({value})")
            } else {
                format!("#define {name} {value}")
            };
            assert!(header.contains(&shown), "{shown}");
        }
        assert!(header.contains(&format!("#define RCA_TEXT_CAP {RCA_TEXT_CAP}")));
        assert!(header.contains(&format!("#define RCA_PRINCIPAL_MIN {RCA_PRINCIPAL_MIN}")));
        for function in [
            "rca_verifier_authenticate(",
            "rca_verifier_authenticate_joined(",
            "rca_verifier_authenticate_keyed(",
            "rca_verifier_authenticate_batch(",
            "rca_verifier_release(",
        ] {
            assert!(header.contains(function), "{function}");
        }
        assert_eq!(std::mem::size_of::<RcaAuthOutcome>(), 24 + RCA_TEXT_CAP);
    }
}
