//! The lean C entry points of `fast_path.rs` called as a C caller calls
//! them: a verifier handle, a NUL-separated request buffer, an out-struct;
//! and the C headers held against the library's definitions.

use redis_cloud_auth::verify::Outcome;
use redis_cloud_auth_ffi::fast_path::{
    rca_authenticate, rca_authenticate_many, rca_verifier_release, RcaAuthOutcome, RCA_ERR_NULL,
    RCA_ERR_PANIC, RCA_ERR_REQUEST, RCA_ERR_TEXT, RCA_SHAPE_HEADER_BITS, RCA_TEXT_CAP,
};
use redis_cloud_auth_ffi::verifier::{Role, Verifier};
#[cfg(unix)]
use redis_cloud_auth_ffi::wakeup::{
    rca_wakeup_continuation, rca_wakeup_free, rca_wakeup_new, rca_wakeup_take,
};

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
        .add_user(account, "Ada".into(), "ada@example.com".into(), Role::Owner)
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
    let mut out = empty_out(w.handle);
    let headers = (fields.len().max(3) - 3) as u32 / 2;
    let code = authenticate(&fields.join("\0"), headers, &mut out);
    (code, out)
}

/// An out-struct for `handle` with nothing written.
fn empty_out(handle: u64) -> Box<RcaAuthOutcome> {
    Box::new(RcaAuthOutcome {
        handle,
        account_id: 0,
        user_id: 0,
        text_len: 0,
        text: [0; RCA_TEXT_CAP],
    })
}

/// `rca_authenticate` on `data`, saying it holds `headers` headers.
fn authenticate(data: &str, headers: u32, out: &mut RcaAuthOutcome) -> i64 {
    let shape = (data.len() as u32) << RCA_SHAPE_HEADER_BITS | headers;
    unsafe { rca_authenticate(data.as_ptr(), shape, out) }
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
    let mut out = empty_out(0);
    assert_eq!(
        unsafe { rca_authenticate(std::ptr::null(), 0, &mut *out) },
        RCA_ERR_NULL
    );
    assert_eq!(
        unsafe { rca_authenticate(std::ptr::null(), 0, std::ptr::null_mut()) },
        RCA_ERR_NULL
    );
    out.handle = w.handle;
    assert!(Outcome::decode(RCA_ERR_REQUEST).is_none());
    // A NUL inside a value is one field too many for the header count:
    // refused before anything is decided, never read as another header.
    let smuggled = format!("{}\0x-api-secret-key", w.account_key);
    let fields = [
        "GET",
        "/",
        "10.1.2.3",
        "x-api-key",
        &smuggled,
        "x-other",
        &w.user_key,
    ];
    assert_eq!(call(&w, &fields).0, RCA_ERR_REQUEST);
    let data = request(&w, "10.1.2.3").join("\0");
    for headers in [0, 1, 3] {
        let code = authenticate(&data, headers, &mut out);
        assert_eq!(code, RCA_ERR_REQUEST, "{headers} headers");
    }
}

#[test]
fn requests_past_sixteen_headers_are_read_whole() {
    let w = world();
    let names: Vec<String> = (0..20).map(|i| format!("x-other-{i}")).collect();
    let mut fields = vec!["GET", "/", "10.1.2.3"];
    for name in &names {
        fields.extend([name.as_str(), "value"]);
    }
    let keys = ["x-api-key", &w.account_key, "x-api-secret-key", &w.user_key];
    fields.extend(keys);
    let (code, out) = call(&w, &fields);
    assert!(Outcome::decode(code).unwrap().failure().is_none(), "{code}");
    assert_eq!(texts(&out)[3], "lean-path-key");
    // The key header past the sixteenth is read too: without it, none.
    let (code, _) = call(&w, &fields[..fields.len() - 2]);
    let failure = Outcome::decode(code).unwrap().failure().map(|k| k.code);
    assert_eq!(failure, Some("missing_credentials"));
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
            ["x-api-key", &w.account_key, "x-api-secret-key", &w.user_key][..2 * headers].iter(),
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
    () => "void", i8 => "int8_t", u32 => "uint32_t", u64 => "uint64_t", i64 => "int64_t",
    *const u8 => "const uint8_t *", *mut i64 => "int64_t *",
    *mut u64 => "uint64_t *",
    *mut RcaAuthOutcome => "RcaAuthOutcome *",
}

/// The C prototype of `$name`, after the compiler checked that the
/// Rust function has exactly this type.
macro_rules! prototype {
    ($name:ident: fn($($arg:ty),*) -> $ret:ty) => {{
        let _: unsafe extern "C" fn($($arg),*) -> $ret = $name;
        let args: Vec<&str> = vec![$(<$arg as CType>::C),*];
        let args = if args.is_empty() { "void".into() } else { args.join(", ") };
        format!("extern {} {} ({args});", <$ret as CType>::C, stringify!($name))
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
#[cfg(unix)] // gcc, and the wake-up entry points
fn the_headers_declare_what_the_library_defines() {
    let include = concat!(env!("CARGO_MANIFEST_DIR"), "/include");
    let dir = std::env::temp_dir().join(format!("rca-header-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("layout.c");
    std::fs::write(
        &source,
        format!(
            "#include <stddef.h>\n#include <stdio.h>\n\
             #include \"{include}/redis_cloud_auth_fast_path.h\"\n\
             #include \"{include}/redis_cloud_auth_wakeup.h\"\n\
             int main(void) {{ printf(\"%zu %zu %zu %zu %zu %zu\", sizeof(RcaAuthOutcome), \
             offsetof(RcaAuthOutcome, handle), offsetof(RcaAuthOutcome, account_id), offsetof(RcaAuthOutcome, user_id), \
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
        .filter(|l| l.contains("/include/redis_cloud_auth_"))
        .map(|l| l.split_once("*/ ").unwrap().1.to_string())
        .collect();
    let defined: std::collections::BTreeSet<String> = [
        prototype!(rca_verifier_release: fn(u64) -> ()),
        prototype!(rca_authenticate: fn(*const u8, u32, *mut RcaAuthOutcome) -> i64),
        prototype!(rca_authenticate_many: fn(u64, u32, *const u8, u64, *mut i64) -> i64),
        prototype!(rca_wakeup_new: fn() -> u64),
        prototype!(rca_wakeup_continuation: fn(u64, i8) -> ()),
        prototype!(rca_wakeup_take: fn(u32, *mut u64, u32) -> u32),
        prototype!(rca_wakeup_free: fn(u32) -> ()),
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
        ("RCA_SHAPE_HEADER_BITS", i64::from(RCA_SHAPE_HEADER_BITS)),
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
        "{} {} {} {} {} {}",
        size_of::<RcaAuthOutcome>(),
        offset_of!(RcaAuthOutcome, handle),
        offset_of!(RcaAuthOutcome, account_id),
        offset_of!(RcaAuthOutcome, user_id),
        offset_of!(RcaAuthOutcome, text_len),
        offset_of!(RcaAuthOutcome, text)
    );
    assert_eq!(layout, rust);
    std::fs::remove_dir_all(&dir).unwrap();
}
