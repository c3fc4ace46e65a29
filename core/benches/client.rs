//! What the client costs per call over plain reqwest, against a loopback
//! server answering `GET /v1/` with a fixed account body.
//!
//! Baseline `reqwest`: one pooled `reqwest::Client` sending the same two
//! headers and parsing the same JSON. `Client::account` adds path checks,
//! the retry loop, tracing spans and error mapping; `BlockingClient` drives
//! its own current-thread runtime on the calling thread.

use std::net::SocketAddr;

use axum::routing::get;
use axum::{Json, Router};
use criterion::{criterion_group, criterion_main, Criterion};
use redis_cloud_auth::api::AccountResponse;
use redis_cloud_auth::{ApiKeys, Client};

fn account_body() -> serde_json::Value {
    serde_json::json!({"account": {"id": 7, "name": "acme",
        "key": {"name": "bench-key-0001", "accountId": 7, "accountName": "acme",
            "allowedSourceIps": [], "owner": {"name": "Ada", "email": "ada@example.com"},
            "httpSourceIp": "127.0.0.1"}}})
}

/// Starts the server on its own thread and runtime; returns its address.
fn start_server() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let body = account_body();
            let app = Router::new().route("/v1/", get(move || async move { Json(body) }));
            axum::serve(listener, app).await.unwrap();
        });
    });
    addr
}

fn bench_account(c: &mut Criterion) {
    let addr = start_server();
    let base_url = format!("http://{addr}/v1");
    let keys = ApiKeys::new("AccountKey0123", "UserKey0123456").unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let raw = reqwest::Client::builder()
        .default_headers(keys.header_map())
        .build()
        .unwrap();
    let url = format!("{base_url}/");
    let client = Client::builder(keys.clone())
        .base_url(&base_url)
        .build()
        .unwrap();
    let blocking = Client::builder(keys)
        .base_url(&base_url)
        .build_blocking()
        .unwrap();

    let mut group = c.benchmark_group("get_account");
    group.bench_function("reqwest", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let response = raw.get(&url).send().await.unwrap();
                let bytes = response.bytes().await.unwrap();
                serde_json::from_slice::<AccountResponse>(&bytes).unwrap()
            })
        })
    });
    group.bench_function("client", |b| {
        b.iter(|| runtime.block_on(client.account()).unwrap())
    });
    group.bench_function("blocking_client", |b| {
        b.iter(|| blocking.account().unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench_account);
criterion_main!(benches);
