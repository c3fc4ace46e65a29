//! The blocking client against a real HTTP server on a loopback port,
//! from one thread and from many.

mod client_support;

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use client_support::*;
use redis_cloud_auth::{BlockingClient, Client, ClientError};
use serde_json::json;

fn blocking(server: &TestServer) -> BlockingClient {
    Client::builder(keys())
        .base_url(server.base_url())
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
        .build_blocking()
        .unwrap()
}

#[test]
fn blocking_calls_send_both_keys_and_parse_answers() {
    let server = TestServer::start(vec![
        Reply::json(200, account_body()),
        Reply::json(200, log_body()),
        Reply::json(202, json!({"taskId": "t-9"})),
    ]);
    let client = blocking(&server);
    assert_eq!(client.account().unwrap().account.id, 7);
    assert_eq!(client.system_log(0, 50).unwrap().entries.len(), 2);
    let response = client
        .request("POST", "/subscriptions", Some(json!({"name": "db"})))
        .unwrap();
    assert_eq!(
        (response.status, response.json),
        (202, json!({"taskId": "t-9"}))
    );
    for seen in server.seen() {
        assert_eq!(seen.header("x-api-key"), ACCOUNT);
        assert_eq!(seen.header("x-api-secret-key"), USER);
        assert_eq!(seen.header("accept"), "application/json");
    }
    assert_eq!(client.client().base_url(), server.base_url());
}

#[test]
fn blocking_errors_are_typed() {
    let server = TestServer::start(vec![
        Reply::json(401, echoing_body()),
        Reply::text(503, "").header("retry-after", "0"),
        Reply::json(200, account_body()),
    ]);
    let client = blocking(&server);
    let err = client.account().unwrap_err();
    assert_eq!(err, ClientError::Unauthorized);
    assert_no_secret(&format!("{err} {err:?}"));
    client.account().unwrap();
    assert_eq!(server.count(), 3, "the 503 was retried");
    assert_eq!(
        client.system_log(0, 0).unwrap_err().code(),
        "invalid_request"
    );
}

#[test]
fn many_threads_share_one_blocking_client() {
    let server = TestServer::start(vec![Reply::json(200, account_body())]);
    let client = Arc::new(blocking(&server));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            thread::spawn(move || {
                for _ in 0..5 {
                    assert_eq!(client.account().unwrap().account.name, "acme");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 40);
    assert!(seen.iter().all(|s| s.header("x-api-secret-key") == USER));
    let connections: std::collections::HashSet<_> = seen.iter().map(|s| s.peer).collect();
    assert!(
        connections.len() <= 16,
        "connections are pooled: {} for 40 requests",
        connections.len()
    );
}

#[test]
fn a_blocking_call_inside_an_async_runtime_does_not_panic() {
    let server = TestServer::start(vec![Reply::json(200, account_body())]);
    let client = blocking(&server);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let name = runtime.block_on(async { client.account().map(|me| me.account.name) });
    assert_eq!(name.unwrap(), "acme");
}

#[test]
fn a_slow_server_hits_the_blocking_timeout() {
    let server = TestServer::start(vec![
        Reply::json(403, echoing_body()),
        Reply::json(200, account_body()).delayed(Duration::from_secs(3)),
    ]);
    let client = Client::builder(keys())
        .base_url(server.base_url())
        .timeout(Duration::from_millis(200))
        .build_blocking()
        .unwrap();
    assert_eq!(client.account().unwrap_err(), ClientError::Forbidden);
    assert_eq!(client.account().unwrap_err(), ClientError::Timeout);
    assert_eq!(server.count(), 2);
}

#[test]
fn the_async_client_of_a_blocking_client_runs_elsewhere_after_blocking_calls() {
    let server = TestServer::start(vec![Reply::json(200, account_body())]);
    let client = blocking(&server);
    client.account().unwrap();
    // Its connections are not those the blocking calls left idle on the
    // blocking client's own runtime, which nobody drives now.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let name = runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(5), client.client().account()).await
    });
    assert_eq!(name.unwrap().unwrap().account.name, "acme");
    assert_eq!(client.account().unwrap().account.name, "acme");
    assert_eq!(server.count(), 3);
}

#[test]
fn a_blocking_client_can_be_dropped_inside_an_async_task() {
    let server = TestServer::start(vec![Reply::json(200, account_body())]);
    let client = blocking(&server);
    client.account().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move { drop(client) });
    assert_eq!(server.count(), 1);
}

#[test]
fn clones_of_a_blocking_client_share_its_connections() {
    let server = TestServer::start(vec![Reply::json(200, account_body())]);
    let client = blocking(&server);
    for _ in 0..5 {
        client.clone().account().unwrap();
    }
    let connections: std::collections::HashSet<_> = server.seen().iter().map(|s| s.peer).collect();
    assert_eq!(connections.len(), 1, "one pooled connection for five calls");
}
