//! A scripted HTTP server on a loopback ephemeral port, run by the client
//! tests on its own runtime, and a buffer that captures tracing output.

#![allow(dead_code)]

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;

/// The account key every test client uses.
pub const ACCOUNT: &str = "AcctKey-7f3a9c2e51b8d4";
/// The user key every test client uses.
pub const USER: &str = "UserSecret-Q8w2Zx5Lm1Rt9Yp";

/// The test keys.
pub fn keys() -> redis_cloud_auth::ApiKeys {
    redis_cloud_auth::ApiKeys::new(ACCOUNT, USER).unwrap()
}

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    /// An answer with a JSON body.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    /// An answer with a plain-text body.
    pub fn text(status: u16, body: &str) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    /// The same answer with one more header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// The same answer, sent after `delay`.
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// A request the server received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// Path and query.
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub peer: SocketAddr,
    pub at: Instant,
}

impl Seen {
    /// A header's value as text ("" when absent).
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

struct Script {
    replies: Vec<Reply>,
    seen: Mutex<Vec<Seen>>,
}

/// The server: answers the scripted replies in order, repeating the last.
pub struct TestServer {
    pub addr: SocketAddr,
    script: Arc<Script>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl TestServer {
    /// Starts a server on 127.0.0.1, port chosen by the OS.
    pub fn start(replies: Vec<Reply>) -> TestServer {
        assert!(!replies.is_empty());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let script = Arc::new(Script {
            replies,
            seen: Mutex::new(Vec::new()),
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().fallback(answer).with_state(script.clone());
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        TestServer {
            addr,
            script,
            runtime: Some(runtime),
        }
    }

    /// The base URL a client should use (`http://127.0.0.1:PORT/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.script.seen.lock().unwrap().clone()
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.script.seen.lock().unwrap().len()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn answer(
    State(script): State<Arc<Script>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let at = Instant::now();
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap().to_vec();
    let index = {
        let mut seen = script.seen.lock().unwrap();
        seen.push(Seen {
            method: parts.method.to_string(),
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            headers: parts.headers,
            body,
            peer,
            at,
        });
        seen.len() - 1
    };
    let reply = script.replies[index.min(script.replies.len() - 1)].clone();
    tokio::time::sleep(reply.delay).await;
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap();
    for (name, value) in reply.headers {
        response.headers_mut().insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(&value).unwrap(),
        );
    }
    response
}

/// A body for `GET /v1/`.
pub fn account_body() -> serde_json::Value {
    serde_json::json!({"account": {"id": 7, "name": "acme",
        "createdTimestamp": "2026-01-01T00:00:00Z", "updatedTimestamp": "2026-01-02T00:00:00Z",
        "key": {"name": "ci-deploy-key", "accountId": 7, "accountName": "acme",
            "allowedSourceIps": ["127.0.0.0/8"], "createdTimestamp": "2026-01-01T00:00:00Z",
            "owner": {"name": "Ada", "email": "ada@example.com"}, "httpSourceIp": "127.0.0.1"}}})
}

/// A body for `GET /v1/logs`.
pub fn log_body() -> serde_json::Value {
    serde_json::json!({"entries": [
        {"id": 2, "time": "2026-01-01T00:00:02Z", "originator": "Ada", "apiKeyName": "ci-deploy-key",
         "resource": "GET /v1/", "type": "authentication", "description": "authenticated from 127.0.0.1"},
        {"id": 1, "time": "2026-01-01T00:00:01Z", "originator": "Ada", "apiKeyName": "ci-deploy-key",
         "resource": "GET /v1/", "type": "authentication", "description": "authenticated from 127.0.0.1"}],
        "links": []})
}

/// A body that echoes both keys back, as a careless server might.
pub fn echoing_body() -> serde_json::Value {
    serde_json::json!({"error": "denied", "message": format!("bad keys {ACCOUNT} / {USER}"), "status": 0})
}

/// A port on 127.0.0.1 where nothing listens.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Tracing output captured in memory.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    /// A subscriber writing every event at TRACE level into this buffer.
    pub fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync {
        let buffer = self.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || buffer.clone())
            .finish()
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Asserts that `text` holds neither key.
pub fn assert_no_secret(text: &str) {
    assert!(!text.contains(ACCOUNT), "account key leaked: {text}");
    assert!(!text.contains(USER), "user key leaked: {text}");
}
