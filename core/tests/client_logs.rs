//! What the client logs, captured at TRACE level: fingerprints and
//! retries, never a key.
//!
//! One test in its own binary, with a global subscriber: per-thread
//! subscribers race with other tests over tracing's callsite cache.

mod client_support;

use std::time::Duration;

use client_support::*;
use redis_cloud_auth::{Client, ClientError};
use serde_json::json;

#[test]
fn the_trace_log_shows_fingerprints_and_retries_and_never_a_key() {
    let logs = LogBuffer::default();
    tracing::subscriber::set_global_default(logs.subscriber()).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();

    // Failing requests, the server echoing both keys in every body.
    let server = TestServer::start(vec![
        Reply::json(401, echoing_body()),
        Reply::json(403, echoing_body()),
        Reply::json(500, echoing_body()),
        Reply::json(502, echoing_body()),
        Reply::text(200, &format!("not json {USER}")),
        Reply::json(404, echoing_body()),
        Reply::json(200, account_body()),
    ]);
    let client = Client::builder(keys())
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .unwrap();
    let errors = runtime.block_on(async {
        let mut errors = Vec::new();
        for _ in 0..4 {
            errors.push(client.account().await.unwrap_err());
        }
        errors.push(client.request("GET", "/", None).await.unwrap_err());
        errors.push(client.request("GET", "/x", None).await.unwrap_err());
        client.account().await.unwrap();
        errors
    });
    assert_eq!(
        errors.iter().map(ClientError::code).collect::<Vec<_>>(),
        [
            "unauthorized",
            "forbidden",
            "api_error",
            "api_error",
            "api_error",
            "not_found"
        ]
    );
    for err in &errors {
        assert_no_secret(&err.to_string());
        assert_no_secret(&format!("{err:?}"));
    }
    assert!(
        errors[2].to_string().contains("bad keys ** redacted **"),
        "{}",
        errors[2]
    );
    assert_no_secret(&format!("{client:?}"));
    let text = logs.text();
    assert!(text.contains(client.fingerprint()), "{text}");
    assert_eq!(text.matches("request failed").count(), 5, "{text}");
    assert_eq!(
        text.matches("response body is not JSON").count(),
        1,
        "{text}"
    );
    assert_eq!(text.matches("request succeeded").count(), 2, "{text}");
    assert!(text.contains("TRACE"), "captured at TRACE level: {text}");

    // Connection failures: an idempotent request is retried, a POST is not.
    let refused = Client::builder(keys())
        .base_url(format!("http://127.0.0.1:{}/v1", closed_port()))
        .max_retries(2)
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
        .build()
        .unwrap();
    let before = logs.text().matches("retrying request").count();
    let err = runtime.block_on(refused.account()).unwrap_err();
    assert_eq!(err.code(), "transport");
    assert_eq!(logs.text().matches("retrying request").count(), before + 2);
    let err = runtime
        .block_on(refused.request("POST", "/subscriptions", Some(json!({}))))
        .unwrap_err();
    assert_eq!(err.code(), "transport");
    assert_eq!(logs.text().matches("retrying request").count(), before + 2);

    // The blocking client logs through the same subscriber.
    let server = TestServer::start(vec![Reply::json(403, echoing_body())]);
    let blocking = Client::builder(keys())
        .base_url(server.base_url())
        .build_blocking()
        .unwrap();
    let before = logs.text().matches("request failed").count();
    assert_eq!(blocking.account().unwrap_err(), ClientError::Forbidden);
    assert_eq!(logs.text().matches("request failed").count(), before + 1);

    assert_no_secret(&logs.text());
}
