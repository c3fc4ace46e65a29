//! The lean C entry points of `authenticate`, for callers that pay a lot
//! per generated FFI call (Python through ctypes): one crossing, one
//! borrowed buffer in, the core's encoded outcome back
//! ([`Outcome::encode`]: a key serial and whether the source IP differs
//! from the peer, or a failure ordinal). Declared for C in
//! `include/redis_cloud_auth_fast_path.h`; `check-header.sh` compiles a C
//! program against that header and this library and checks the two agree.
//!
//! A request is one buffer of UTF-8 fields separated by single NUL bytes:
//! method, path, peer, then each header's name and value. A verifier handle
//! is a strong reference taken with `Verifier::fast_path_handle()` and
//! given back with [`rca_verifier_release`]. No panic crosses: one is
//! reported as [`RCA_ERR_PANIC`].

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use redis_cloud_auth::verify::{self as core, AuthFailure, Outcome, PrincipalRef};

use crate::verifier::Verifier;

/// Call error: a null handle or out-struct.
pub const RCA_ERR_NULL: i64 = -1001;
/// Call error: the request buffer is not UTF-8 fields in the documented order.
pub const RCA_ERR_REQUEST: i64 = -1002;
/// Call error: the texts do not fit the out-struct (cannot happen for
/// texts the verifier accepted).
pub const RCA_ERR_TEXT: i64 = -1003;
/// Call error: an internal error; nothing was decided.
pub const RCA_ERR_PANIC: i64 = -1004;
/// Bytes of text an out-struct holds.
pub const RCA_TEXT_CAP: usize = 4096;

/// What a binding reads after a call when the outcome alone is not enough.
/// On success: the ids, then account name, owner name, owner email, key
/// name and source IP; on failure (ids 0): the precise reason, the public
/// message, the header concerned, the source IP (these two possibly
/// empty) and the JSON error body to answer with. Texts are NUL-separated, `text_len` bytes in all.
#[repr(C)]
pub struct RcaAuthOutcome {
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

    /// Writes the principal; its source IP is `peer` when `outcome` says
    /// it is the peer text as given (no formatting on the common path).
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

/// Decides one request of `fields` (method, path, peer, header names and
/// values); writes to `out` unless it is `None`.
fn decide<'a>(
    verifier: &core::Verifier,
    mut fields: impl Iterator<Item = &'a [u8]>,
    header_count: Option<usize>,
    out: Option<&mut RcaAuthOutcome>,
) -> Result<i64, i64> {
    let mut next =
        || std::str::from_utf8(fields.next().ok_or(RCA_ERR_REQUEST)?).map_err(|_| RCA_ERR_REQUEST);
    let (method, path, peer_text) = (next()?, next()?, next()?);
    let mut pairs: Vec<(&str, &[u8])> = Vec::with_capacity(header_count.unwrap_or(4));
    loop {
        if header_count == Some(pairs.len()) {
            break;
        }
        let Some(name) = fields.next() else { break };
        let name = std::str::from_utf8(name).map_err(|_| RCA_ERR_REQUEST)?;
        pairs.push((name, fields.next().ok_or(RCA_ERR_REQUEST)?));
    }
    if header_count.is_some_and(|n| n != pairs.len()) {
        return Err(RCA_ERR_REQUEST);
    }
    let mut out = out;
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

/// What every kind of failure shares, by ordinal (the index into the list):
/// what a binding needs to name the failure an encoded outcome carries.
#[derive(Debug, Clone, uniffi::Record)]
pub struct AuthFailureKind {
    /// Stable code (`invalid_user_key`).
    pub code: String,
    /// HTTP status to answer with.
    pub http_status: u16,
    /// The code the caller is shown (`unauthorized`).
    pub public_code: String,
}

/// Every kind of failure, indexed by the ordinal an encoded outcome carries.
#[uniffi::export]
pub fn auth_failure_kinds() -> Vec<AuthFailureKind> {
    AuthFailure::ALL
        .iter()
        .map(|k| AuthFailureKind {
            code: k.code.into(),
            http_status: k.http_status,
            public_code: k.public_code.into(),
        })
        .collect()
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

/// Authenticates the request in `data` (method, path, peer, then header
/// names and values, NUL-separated) and returns the encoded outcome, or a
/// call error (`RCA_ERR_*`, below every outcome). `out` receives the
/// principal's or the failure's texts.
///
/// # Safety
/// `handle` must be a live handle; `data` must point to `data_len` readable
/// bytes; `out` must point to a writable [`RcaAuthOutcome`].
#[no_mangle]
pub unsafe extern "C" fn rca_authenticate(
    handle: u64,
    data: *const u8,
    data_len: u32,
    out: *mut RcaAuthOutcome,
) -> i64 {
    guarded(|| {
        if handle == 0 || out.is_null() {
            return Err(RCA_ERR_NULL);
        }
        // SAFETY: live handle and writable `out`, per the contract.
        let (verifier, out) = (&*(handle as usize as *const core::Verifier), &mut *out);
        let fields = borrowed(data, data_len as usize).split(|b| *b == 0);
        decide(verifier, fields, None, Some(out))
    })
}

/// Authenticates `count` requests and writes each one's encoded outcome to
/// `outcomes[i]`. In `data`, each request is its method, path, peer, the
/// number of its headers (decimal), then their names and values, all
/// NUL-separated. Returns 0, or a call error (and the outcomes written so
/// far are the first requests').
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
            let head: Vec<&[u8]> = fields.by_ref().take(4).collect();
            let [method, path, peer, n] = head[..] else {
                return Err(RCA_ERR_REQUEST);
            };
            let n: usize = std::str::from_utf8(n)
                .ok()
                .and_then(|n| n.parse().ok())
                .ok_or(RCA_ERR_REQUEST)?;
            let request = [method, path, peer]
                .into_iter()
                .chain(fields.by_ref().take(2 * n));
            *slot = decide(verifier, request, Some(n), None)?;
        }
        Ok(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct World {
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
        let account_key = verifier.enable_api(account).unwrap().unwrap().expose();
        let user_key = verifier
            .create_user_key(
                account,
                owner,
                owner,
                "lean-path-key".into(),
                vec!["10.0.0.0/8".into()],
            )
            .unwrap()
            .expose();
        World {
            handle: verifier.fast_path_handle(),
            account_key,
            user_key,
        }
    }

    fn call(w: &World, fields: &[&str]) -> (i64, Box<RcaAuthOutcome>) {
        let mut out = Box::new(RcaAuthOutcome {
            account_id: 0,
            user_id: 0,
            text_len: 0,
            text: [0; RCA_TEXT_CAP],
        });
        let data = fields.join("\0");
        let code =
            unsafe { rca_authenticate(w.handle, data.as_ptr(), data.len() as u32, &mut *out) };
        (code, out)
    }

    fn texts(out: &RcaAuthOutcome) -> Vec<String> {
        String::from_utf8(out.text[..out.text_len as usize].to_vec())
            .unwrap()
            .split('\0')
            .map(String::from)
            .collect()
    }

    fn request<'a>(w: &'a World, peer: &'a str) -> Vec<&'a str> {
        vec![
            "GET",
            "/v1/",
            peer,
            "x-api-key",
            &w.account_key,
            "X-Api-Secret-Key",
            &w.user_key,
        ]
    }

    #[test]
    fn success_encodes_the_serial_and_fills_the_principal() {
        let w = world();
        let (code, out) = call(&w, &request(&w, "10.1.2.3"));
        let Some(Outcome::Authenticated {
            source_ip_differs, ..
        }) = Outcome::decode(code)
        else {
            panic!("{code}");
        };
        assert!(!source_ip_differs);
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
        let (again, _) = call(&w, &request(&w, "::ffff:10.1.2.3"));
        assert_eq!(again, code | 1, "same key, source IP rewritten");
    }

    #[test]
    fn failures_encode_the_ordinal_and_fill_the_texts() {
        let w = world();
        let (code, out) = call(&w, &request(&w, "192.0.2.1"));
        let kind = Outcome::decode(code).and_then(|o| o.failure()).unwrap();
        assert_eq!(
            (kind.code, kind.http_status),
            ("source_ip_not_allowed", 403)
        );
        assert_eq!(texts(&out)[3], "192.0.2.1");
        let body = &texts(&out)[4];
        assert!(body.starts_with(r#"{"error":"forbidden","message":"source IP 192.0.2.1 "#));
        let (code, out) = call(&w, &["GET", "/", "10.1.2.3", "x-api-key", &w.account_key]);
        let kind = Outcome::decode(code).and_then(|o| o.failure()).unwrap();
        assert_eq!(kind.code, "missing_credentials");
        assert_eq!(texts(&out)[2], "x-api-secret-key");
        let (code, _) = call(&w, &request(&w, "not-an-ip"));
        let kind = Outcome::decode(code).and_then(|o| o.failure()).unwrap();
        assert_eq!((kind.code, kind.http_status), ("invalid_peer_address", 500));
    }

    #[test]
    fn bad_buffers_and_handles_are_call_errors() {
        let w = world();
        assert_eq!(call(&w, &["GET", "/"]).0, RCA_ERR_REQUEST);
        assert_eq!(
            call(&w, &["GET", "/", "10.1.2.3", "x-api-key"]).0,
            RCA_ERR_REQUEST
        );
        let mut out = Box::new(RcaAuthOutcome {
            account_id: 0,
            user_id: 0,
            text_len: 0,
            text: [0; RCA_TEXT_CAP],
        });
        assert_eq!(
            unsafe { rca_authenticate(0, std::ptr::null(), 0, &mut *out) },
            RCA_ERR_NULL
        );
        assert!(Outcome::decode(RCA_ERR_REQUEST).is_none());
    }

    #[test]
    fn many_requests_give_one_outcome_each() {
        let w = world();
        let mut data = Vec::new();
        for (peer, headers) in [("10.1.2.3", 2), ("192.0.2.1", 2), ("10.1.2.3", 0)] {
            let mut fields = vec!["GET", "/", peer];
            let n = headers.to_string();
            fields.push(&n);
            fields.extend(
                ["x-api-key", &w.account_key, "x-api-secret-key", &w.user_key][..2 * headers]
                    .iter(),
            );
            data.push(fields.join("\0"));
        }
        let data = data.join("\0");
        let mut outcomes = [0i64; 3];
        let status = unsafe {
            rca_authenticate_many(
                w.handle,
                3,
                data.as_ptr(),
                data.len() as u64,
                outcomes.as_mut_ptr(),
            )
        };
        assert_eq!(status, 0);
        let codes: Vec<_> = outcomes
            .iter()
            .map(|&o| {
                Outcome::decode(o)
                    .unwrap()
                    .failure()
                    .map_or("ok", |k| k.code)
            })
            .collect();
        assert_eq!(
            codes,
            ["ok", "source_ip_not_allowed", "missing_credentials"]
        );
    }

    /// C spelling of the Rust types the entry points use.
    trait CType {
        const C: &'static str;
    }
    macro_rules! c_types {
        ($($rust:ty => $c:literal),* $(,)?) => { $(impl CType for $rust { const C: &'static str = $c; })* };
    }
    c_types! {
        () => "void", u32 => "uint32_t", u64 => "uint64_t", i64 => "int64_t",
        *const u8 => "const uint8_t *", *mut i64 => "int64_t *",
        *mut RcaAuthOutcome => "RcaAuthOutcome *",
    }

    /// The C prototype of `$name`, after the compiler checked that the
    /// Rust function has exactly this type.
    macro_rules! prototype {
        ($name:ident: fn($($arg:ty),*) -> $ret:ty) => {{
            let _: unsafe extern "C" fn($($arg),*) -> $ret = $name;
            let args: Vec<&str> = vec![$(<$arg as CType>::C),*];
            format!("extern {} {} ({});", <$ret as CType>::C, stringify!($name), args.join(", "))
        }};
    }

    fn gcc(args: &[&str]) -> String {
        let output = std::process::Command::new("gcc")
            .args(args)
            .output()
            .expect("gcc runs");
        assert!(
            output.status.success(),
            "gcc {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    #[test]
    fn the_header_declares_what_the_library_defines() {
        let header = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/include/redis_cloud_auth_fast_path.h"
        );
        let dir = std::env::temp_dir().join(format!("rca-header-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let source = dir.join("layout.c");
        std::fs::write(
            &source,
            format!(
                "#include <stddef.h>\n#include <stdio.h>\n#include \"{header}\"\n\
                 int main(void) {{ printf(\"%zu %zu %zu %zu %zu\", sizeof(RcaAuthOutcome), \
                 offsetof(RcaAuthOutcome, account_id), offsetof(RcaAuthOutcome, user_id), \
                 offsetof(RcaAuthOutcome, text_len), offsetof(RcaAuthOutcome, text)); return 0; }}\n"
            ),
        )
        .unwrap();
        let (source, protos, exe) = (
            source.to_str().unwrap(),
            dir.join("protos.txt"),
            dir.join("layout"),
        );
        // Prototypes, as gcc reads them from the header.
        gcc(&[
            "-fsyntax-only",
            "-std=c11",
            "-Wall",
            "-Werror",
            "-aux-info",
            protos.to_str().unwrap(),
            source,
        ]);
        let declared: std::collections::BTreeSet<String> = std::fs::read_to_string(&protos)
            .unwrap()
            .lines()
            .filter(|l| l.contains("redis_cloud_auth_fast_path.h"))
            .map(|l| l.split_once("*/ ").unwrap().1.to_string())
            .collect();
        let defined: std::collections::BTreeSet<String> = [
            prototype!(rca_verifier_release: fn(u64) -> ()),
            prototype!(rca_authenticate: fn(u64, *const u8, u32, *mut RcaAuthOutcome) -> i64),
            prototype!(rca_authenticate_many: fn(u64, u32, *const u8, u64, *mut i64) -> i64),
        ]
        .into();
        assert_eq!(declared, defined);
        // Constants.
        let macros = gcc(&["-E", "-dM", source]);
        for (name, value) in [
            ("RCA_ERR_NULL", RCA_ERR_NULL),
            ("RCA_ERR_REQUEST", RCA_ERR_REQUEST),
            ("RCA_ERR_TEXT", RCA_ERR_TEXT),
            ("RCA_ERR_PANIC", RCA_ERR_PANIC),
            ("RCA_TEXT_CAP", RCA_TEXT_CAP as i64),
        ] {
            let line = format!("#define {name} ");
            let text = macros
                .lines()
                .find_map(|l| l.strip_prefix(&line))
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!(
                text.trim_matches(|c| c == '(' || c == ')')
                    .parse::<i64>()
                    .unwrap(),
                value,
                "{name}"
            );
        }
        // The out-struct's layout, as C lays it out.
        gcc(&["-std=c11", "-o", exe.to_str().unwrap(), source]);
        let run = std::process::Command::new(&exe).output().unwrap();
        let layout = String::from_utf8(run.stdout).unwrap();
        use std::mem::{offset_of, size_of};
        let rust = format!(
            "{} {} {} {} {}",
            size_of::<RcaAuthOutcome>(),
            offset_of!(RcaAuthOutcome, account_id),
            offset_of!(RcaAuthOutcome, user_id),
            offset_of!(RcaAuthOutcome, text_len),
            offset_of!(RcaAuthOutcome, text)
        );
        assert_eq!(layout, rust);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
