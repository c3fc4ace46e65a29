//! The secret-leak suite of the core, in process: real keys and wrong
//! keys go through every failure path of the verifier, the tower layer,
//! the client and the credential stores, with tracing at TRACE captured;
//! then no secret may appear in any log line, error text, `Debug` output,
//! response body, system-log entry, or byte of the SQLite files.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::routing::get;
use axum::Router;
use redis_cloud_auth::credentials::{CredentialStore, Environment, FileStore};
#[cfg(feature = "tower")]
use redis_cloud_auth::layer::AuthLayer;
use redis_cloud_auth::verify::{AuthRequest, Principal, Role, Verifier};
use redis_cloud_auth::{ApiKeys, Client, Credentials};

/// Wrong keys a caller might send: secrets too, never to be echoed.
const WRONG_ACCOUNT: &str = "WrongAccountKey-Leak-4c1d9e";
const WRONG_USER: &str = "WrongUserKey-Leak-7b2f0a";

/// Everything written by tracing, at every level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Texts gathered from every path, checked at the end.
#[derive(Default)]
struct Seen(Vec<(String, String)>);

impl Seen {
    fn add(&mut self, what: impl Into<String>, text: impl Into<String>) {
        self.0.push((what.into(), text.into()));
    }

    fn debug_and_display<E: std::fmt::Debug + std::fmt::Display>(&mut self, what: &str, e: &E) {
        self.add(format!("{what} Display"), e.to_string());
        self.add(format!("{what} Debug"), format!("{e:?}"));
    }
}

fn assert_clean(what: &str, haystack: &[u8], secrets: &[String]) {
    for secret in secrets {
        let found = haystack
            .windows(secret.len())
            .any(|w| w == secret.as_bytes());
        assert!(
            !found,
            "a secret ({} chars) leaked into {what}",
            secret.len()
        );
    }
}

/// Header pairs of one request.
type Headers = Vec<(&'static str, String)>;

fn request(
    v: &Verifier,
    headers: &[(&str, &str)],
    peer: &str,
) -> Result<Principal, redis_cloud_auth::AuthFailure> {
    let pairs: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
    let peer: IpAddr = peer.parse().unwrap();
    v.authenticate(&AuthRequest::from_pairs("GET", "/v1/", &pairs, peer))
}

#[test]
fn no_secret_appears_anywhere() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("auth.db");
    let verifier = Arc::new(Verifier::open_sqlite(&db).unwrap());
    let v = &*verifier;
    let account = v.create_account("acme").unwrap();
    let ada = v
        .add_user(account, "Ada", "ada@example.com", Role::Owner)
        .unwrap();
    let bob = v
        .add_user(account, "Bob", "bob@example.com", Role::Owner)
        .unwrap();
    let account_key = v.enable_api(account).unwrap().unwrap();
    let user_key = v
        .create_user_key(account, ada, ada, "ada-laptop-key", &["10.0.0.0/8"])
        .unwrap();
    let bobs_key = v
        .create_user_key(account, bob, bob, "bob-laptop-key", &[] as &[&str])
        .unwrap();
    let other = v.create_account("other").unwrap();
    let eve = v
        .add_user(other, "Eve", "eve@example.com", Role::Owner)
        .unwrap();
    let other_account_key = v.enable_api(other).unwrap().unwrap();
    let other_user_key = v
        .create_user_key(other, eve, eve, "eve-server-key", &[] as &[&str])
        .unwrap();
    let rotated_away = account_key.expose().to_string();
    let account_key = v.rotate_account_key(account).unwrap();

    let (a, u) = (account_key.expose(), user_key.expose());
    let secrets: Vec<String> = [
        a,
        u,
        bobs_key.expose(),
        other_account_key.expose(),
        other_user_key.expose(),
        &rotated_away,
        WRONG_ACCOUNT,
        WRONG_USER,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut seen = Seen::default();

    // Every verifier outcome.
    let cases: Vec<(&str, Headers, &str)> = vec![
        (
            "ok",
            vec![("x-api-key", a.into()), ("x-api-secret-key", u.into())],
            "10.0.0.1",
        ),
        ("missing", vec![("x-api-key", a.into())], "10.0.0.1"),
        (
            "empty",
            vec![("x-api-key", a.into()), ("x-api-secret-key", "  ".into())],
            "10.0.0.1",
        ),
        (
            "duplicate",
            vec![
                ("x-api-key", a.into()),
                ("x-api-secret-key", u.into()),
                ("X-Api-Secret-Key", u.into()),
            ],
            "10.0.0.1",
        ),
        (
            "malformed",
            vec![
                ("x-api-key", a.into()),
                ("x-api-secret-key", format!("{u} {WRONG_USER}")),
            ],
            "10.0.0.1",
        ),
        (
            "rotated",
            vec![
                ("x-api-key", rotated_away.clone()),
                ("x-api-secret-key", u.into()),
            ],
            "10.0.0.1",
        ),
        (
            "wrong account",
            vec![
                ("x-api-key", WRONG_ACCOUNT.into()),
                ("x-api-secret-key", u.into()),
            ],
            "10.0.0.1",
        ),
        (
            "wrong user",
            vec![
                ("x-api-key", a.into()),
                ("x-api-secret-key", WRONG_USER.into()),
            ],
            "10.0.0.1",
        ),
        (
            "mismatch",
            vec![
                ("x-api-key", a.into()),
                ("x-api-secret-key", other_user_key.expose().into()),
            ],
            "10.0.0.1",
        ),
        (
            "denied ip",
            vec![("x-api-key", a.into()), ("x-api-secret-key", u.into())],
            "192.0.2.1",
        ),
    ];
    for (name, headers, peer) in &cases {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        match request(v, &headers, peer) {
            Ok(p) => seen.add(format!("{name}: Principal"), format!("{p:?}")),
            Err(f) => {
                seen.debug_and_display(&format!("{name}: AuthFailure"), &f);
                seen.add(format!("{name}: public message"), f.public_message());
                seen.add(
                    format!("{name}: error body"),
                    serde_json::to_string(&f.error_body()).unwrap(),
                );
            }
        }
    }
    v.set_user_role(account, bob, Role::Viewer).unwrap();
    let revoked = request(
        v,
        &[("x-api-key", a), ("x-api-secret-key", bobs_key.expose())],
        "10.0.0.1",
    )
    .unwrap_err();
    assert_eq!(revoked.code(), "owner_role_revoked");
    seen.debug_and_display("revoked: AuthFailure", &revoked);
    v.disable_api(other).unwrap();
    let disabled = request(
        v,
        &[
            ("x-api-key", other_account_key.expose()),
            ("x-api-secret-key", other_user_key.expose()),
        ],
        "10.0.0.1",
    )
    .unwrap_err();
    assert_eq!(disabled.code(), "api_disabled");
    seen.debug_and_display("disabled: AuthFailure", &disabled);

    // Admin refusals and the verifier's own Debug.
    for err in [
        v.create_user_key(account, ada, ada, "bad name!", &[] as &[&str])
            .unwrap_err(),
        v.create_user_key(account, ada, ada, "good-name-01", &["10.0.0.1/8"])
            .unwrap_err(),
        v.delete_user_key(account, ada, "no-such-key-01")
            .unwrap_err(),
        v.create_user_key(account, ada, ada, "ada-laptop-key", &[] as &[&str])
            .unwrap_err(),
    ] {
        seen.debug_and_display("AdminError", &err);
    }
    seen.add("Verifier Debug", format!("{v:?}"));
    seen.add("secret Debug", format!("{account_key:?} {account_key}"));

    // The tower layer (feature `tower`; without it, a handler that calls
    // the verifier itself) and the client over real HTTP on loopback.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = guarded_app(verifier.clone());
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    runtime.spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    for (name, ak, uk) in [
        ("client ok", a, u),
        ("client wrong user", a, WRONG_USER),
        ("client wrong account", WRONG_ACCOUNT, u),
        ("client mismatch", a, other_user_key.expose()),
    ] {
        let keys = ApiKeys::new(ak, uk).unwrap();
        seen.add(format!("{name}: ApiKeys Debug"), format!("{keys:?} {keys}"));
        let client = Client::builder(keys).base_url(&base).build().unwrap();
        let answer = runtime.block_on(client.request("GET", "/", None));
        match answer {
            Ok(response) => seen.add(format!("{name}: response"), format!("{response:?}")),
            Err(err) => seen.debug_and_display(&format!("{name}: ClientError"), &err),
        }
    }
    let refused = Client::builder(ApiKeys::new(a, u).unwrap())
        .base_url("http://127.0.0.1:9/v1")
        .max_retries(0)
        .build()
        .unwrap();
    let err = runtime
        .block_on(refused.request("GET", "/", None))
        .unwrap_err();
    seen.debug_and_display("connection refused: ClientError", &err);

    // Credential stores: a profile file with the key in a broken line, one
    // readable by others, an environment with a bad key.
    let profile = dir.path().join("credentials.toml");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(
            &profile,
            format!("[profiles.default]\naccount_key = \"{a}\"\nuser_key = {u}\n"),
        )
        .unwrap();
        std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(0o600)).unwrap();
        let err = FileStore::new(&profile).load("default").unwrap_err();
        seen.debug_and_display("broken profile file", &err);
        std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = FileStore::new(&profile).load("default").unwrap_err();
        seen.debug_and_display("open profile file", &err);
        std::fs::remove_file(&profile).unwrap();
    }
    let store = FileStore::new(&profile);
    let creds = Credentials::new(ApiKeys::new(a, u).unwrap());
    store.save("default", &creds).unwrap();
    seen.add("Credentials Debug", format!("{creds:?} {store:?}"));
    let env = Environment::from_pairs([
        ("REDIS_CLOUD_API_KEY", a.to_string()),
        ("REDIS_CLOUD_API_SECRET", format!("{u}\u{7}")),
    ]);
    seen.debug_and_display("environment", &env.credentials().unwrap_err());
    let env = Environment::from_pairs([
        ("REDIS_CLOUD_API_KEY", a.to_string()),
        ("REDIS_CLOUD_ACCOUNT_KEY", WRONG_ACCOUNT.to_string()),
        ("REDIS_CLOUD_API_SECRET", u.to_string()),
    ]);
    seen.debug_and_display("conflicting environment", &env.credentials().unwrap_err());
    seen.add("Environment Debug", format!("{env:?}"));

    // The system log, after everything reached the store.
    v.flush_system_log().unwrap();
    for id in [account, other] {
        for entry in v.system_log(id, 0, 1000).unwrap() {
            seen.add("system log entry", serde_json::to_string(&entry).unwrap());
        }
    }
    assert!(v.system_log(account, 0, 1000).unwrap().len() >= 8);

    runtime.shutdown_background();
    drop(verifier);
    for (what, text) in &seen.0 {
        assert_clean(what, text.as_bytes(), &secrets);
    }
    let logs = captured.0.lock().unwrap().clone();
    assert!(
        String::from_utf8_lossy(&logs).contains("authentication rejected"),
        "tracing was not captured"
    );
    assert_clean("the TRACE log", &logs, &secrets);
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let path = file.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            continue; // the profile file holds keys by design
        }
        // The server task may still be closing the store: a WAL or SHM
        // file can vanish between the listing and the read.
        let bytes = match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            other => other.unwrap(),
        };
        assert_clean(&path.display().to_string(), &bytes, &secrets);
    }
}

/// `GET /v1/` answering the key name, behind the tower layer.
#[cfg(feature = "tower")]
fn guarded_app(verifier: Arc<Verifier>) -> Router {
    Router::new()
        .route(
            "/v1/",
            get(|axum::Extension(p): axum::Extension<Principal>| async move { p.key_name }),
        )
        .layer(AuthLayer::new(verifier))
}

/// `GET /v1/` answering the key name, authenticating in the handler.
#[cfg(not(feature = "tower"))]
fn guarded_app(verifier: Arc<Verifier>) -> Router {
    use axum::extract::ConnectInfo;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    let handler = move |ConnectInfo(peer): ConnectInfo<SocketAddr>, headers: HeaderMap| {
        let verifier = verifier.clone();
        async move {
            let request = AuthRequest::from_header_map("GET", "/v1/", &headers, peer.ip());
            match verifier.authenticate(&request) {
                Ok(p) => p.key_name.into_response(),
                Err(failure) => {
                    let status = StatusCode::from_u16(failure.http_status()).unwrap();
                    (status, axum::Json(failure.error_body())).into_response()
                }
            }
        }
    };
    Router::new().route("/v1/", get(handler))
}
