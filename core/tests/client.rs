//! The async client against a real HTTP server on a loopback port.

mod client_support;

use std::time::{Duration, Instant};

use client_support::*;
use redis_cloud_auth::credentials::Environment;
use redis_cloud_auth::{Client, ClientError, CredentialChain, Credentials};
use serde_json::json;

/// A client for `server` with fast retries.
fn client(server: &TestServer) -> Client {
    Client::builder(keys())
        .base_url(server.base_url())
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
        .build()
        .unwrap()
}

#[tokio::test]
async fn sends_both_keys_accept_and_user_agent() {
    let server = TestServer::start(vec![Reply::json(200, account_body())]);
    let client = Client::builder(keys())
        .base_url(server.base_url())
        .user_agent_suffix("python/3.11")
        .build()
        .unwrap();
    let me = client.account().await.unwrap();
    assert_eq!(me.account.name, "acme");
    assert_eq!(me.account.key.name, "ci-deploy-key");
    assert_eq!(me.account.key.allowed_source_ips, ["127.0.0.0/8"]);
    assert_eq!(me.account.key.http_source_ip.as_deref(), Some("127.0.0.1"));

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("GET", "/v1/")
    );
    assert_eq!(seen[0].header("x-api-key"), ACCOUNT);
    assert_eq!(seen[0].header("x-api-secret-key"), USER);
    assert_eq!(seen[0].header("accept"), "application/json");
    assert_eq!(
        seen[0].header("user-agent"),
        format!("redis-cloud-auth/{} python/3.11", redis_cloud_auth::VERSION)
    );
}

#[tokio::test]
async fn system_log_pages_are_typed_and_the_limit_is_checked() {
    let server = TestServer::start(vec![Reply::json(200, log_body())]);
    let client = client(&server);
    let page = client.system_log(20, 2).await.unwrap();
    assert_eq!(page.entries.len(), 2);
    assert_eq!(page.entries[0].id, 2);
    assert_eq!(page.entries[0].kind, "authentication");
    assert_eq!(server.seen()[0].path, "/v1/logs?offset=20&limit=2");

    for bad in [0, 1001] {
        let err = client.system_log(0, bad).await.unwrap_err();
        assert_eq!(err.code(), "invalid_request", "{err}");
    }
    assert_eq!(server.count(), 1, "invalid limits are never sent");
    client.system_log(0, 1000).await.unwrap();
}

#[tokio::test]
async fn statuses_map_to_their_errors_without_retries() {
    let server = TestServer::start(vec![
        Reply::json(
            401,
            json!({"error": "unauthorized", "message": "no", "status": 401}),
        ),
        Reply::json(
            403,
            json!({"error": "forbidden", "message": "no", "status": 403}),
        ),
        Reply::text(404, ""),
        Reply::json(
            500,
            json!({"error": "internal", "message": "database on fire", "status": 500}),
        ),
        Reply::text(400, ""),
    ]);
    let client = client(&server);
    let err = client.account().await.unwrap_err();
    assert_eq!((err,), (ClientError::Unauthorized,));
    let err = client.account().await.unwrap_err();
    assert_eq!((err.code(), err.status()), ("forbidden", Some(403)));
    assert!(err.to_string().contains("allow list"));
    let err = client
        .request("GET", "/subscriptions/9", None)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ClientError::NotFound {
            path: "/subscriptions/9".into()
        }
    );
    let err = client.account().await.unwrap_err();
    assert_eq!(
        err,
        ClientError::Api {
            status: 500,
            message: "database on fire".into()
        }
    );
    let err = client.account().await.unwrap_err();
    assert_eq!(
        err,
        ClientError::Api {
            status: 400,
            message: "Bad Request".into()
        }
    );
    assert_eq!(server.count(), 5, "none of these statuses is retried");
}

#[tokio::test]
async fn a_429_waits_for_the_servers_retry_after_then_succeeds() {
    let server = TestServer::start(vec![
        Reply::text(429, "slow down").header("x-rate-limit-retry-after-seconds", "1"),
        Reply::json(200, account_body()),
    ]);
    client(&server).account().await.unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_secs(1), "retried after {waited:?}");
}

#[tokio::test]
async fn a_503_honours_retry_after_in_seconds() {
    let server = TestServer::start(vec![
        Reply::text(503, "").header("retry-after", "1"),
        Reply::json(200, account_body()),
    ]);
    client(&server).account().await.unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen[1].at - seen[0].at >= Duration::from_secs(1));
}

#[tokio::test]
async fn retries_stop_at_the_maximum() {
    let server = TestServer::start(vec![Reply::text(503, "maintenance")]);
    let client = Client::builder(keys())
        .base_url(server.base_url())
        .max_retries(2)
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
        .build()
        .unwrap();
    let err = client.account().await.unwrap_err();
    assert_eq!(
        err,
        ClientError::Api {
            status: 503,
            message: "maintenance".into()
        }
    );
    assert_eq!(server.count(), 3, "one attempt and two retries");

    let limited = TestServer::start(vec![Reply::text(429, "")]);
    let client = Client::builder(keys())
        .base_url(limited.base_url())
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
        .build()
        .unwrap();
    let err = client.account().await.unwrap_err();
    assert_eq!(err, ClientError::RateLimited { retry_after: None });
    assert_eq!(limited.count(), 4, "default: one attempt and three retries");
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_ends_the_call_at_once() {
    let server = TestServer::start(vec![
        Reply::text(429, "").header("x-rate-limit-retry-after-seconds", "120")
    ]);
    let client = Client::builder(keys())
        .base_url(server.base_url())
        .max_retry_after(Duration::from_secs(5))
        .build()
        .unwrap();
    let err = client.account().await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(err.code(), "rate_limited");
    assert!(err.to_string().contains("retry after 120.0 s"), "{err}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_slow_server_hits_the_timeout() {
    let server = TestServer::start(vec![
        Reply::json(200, account_body()).delayed(Duration::from_secs(3))
    ]);
    let client = Client::builder(keys())
        .base_url(server.base_url())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client.account().await.unwrap_err();
    assert_eq!(err, ClientError::Timeout);
    assert_eq!(err.status(), None);
    assert_eq!(server.count(), 1, "a timed-out request is not repeated");
}

#[tokio::test]
async fn post_is_not_retried_on_503_but_is_on_429() {
    let server = TestServer::start(vec![Reply::text(503, "")]);
    let err = client(&server)
        .request("POST", "/subscriptions", Some(json!({"name": "x"})))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.count(), 1);

    let server = TestServer::start(vec![
        Reply::text(429, ""),
        Reply::json(201, json!({"taskId": "t-1"})),
    ]);
    let response = client(&server)
        .request("post", "/subscriptions", Some(json!({"name": "x"})))
        .await
        .unwrap();
    assert_eq!(response.status, 201);
    assert_eq!(response.json, json!({"taskId": "t-1"}));
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert_eq!(request.method, "POST");
        assert_eq!(request.header("content-type"), "application/json");
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&request.body).unwrap(),
            json!({"name": "x"})
        );
    }
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    let client = Client::builder(keys())
        .base_url(format!("http://127.0.0.1:{}/v1", closed_port()))
        .max_retries(2)
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
        .build()
        .unwrap();
    let err = client.account().await.unwrap_err();
    assert_eq!(err.code(), "transport", "{err}");
    assert_eq!(err.status(), None);
    assert!(err.to_string().to_lowercase().contains("connect"), "{err}");
    assert_no_secret(&format!("{err} {err:?}"));
}

#[tokio::test]
async fn a_connection_closed_before_the_answer_is_retried_for_get_only() {
    // Accepts each connection and closes it at once, counting them.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(stream);
        }
    });
    let client = Client::builder(keys())
        .base_url(format!("http://{addr}/v1"))
        .max_retries(2)
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
        .build()
        .unwrap();
    let err = client.account().await.unwrap_err();
    assert_eq!(err.code(), "transport", "{err}");
    let for_get = accepted.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        for_get >= 3,
        "one attempt and two retries: {for_get} connections"
    );

    let err = client
        .request("POST", "/subscriptions", Some(json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "transport", "{err}");
    let for_post = accepted.load(std::sync::atomic::Ordering::SeqCst) - for_get;
    assert!(
        for_post < for_get,
        "a POST is not retried: {for_post} connections"
    );
}

#[tokio::test]
async fn a_429_holds_the_clients_other_requests_too() {
    let server = TestServer::start(vec![
        Reply::text(429, "").header("x-rate-limit-retry-after-seconds", "1"),
        Reply::json(200, account_body()),
    ]);
    let client = client(&server);
    let first = tokio::spawn({
        let client = client.clone();
        async move { client.account().await }
    });
    while server.count() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let second = client.account().await;
    first.await.unwrap().unwrap();
    second.unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    for later in &seen[1..] {
        assert!(
            later.at - seen[0].at >= Duration::from_secs(1),
            "sent {:?} after the 429",
            later.at - seen[0].at
        );
    }
}

#[tokio::test]
async fn redirects_are_followed_only_within_the_origin() {
    let elsewhere = TestServer::start(vec![Reply::json(200, account_body())]);
    let server = TestServer::start(vec![
        Reply::text(307, "").header("location", "/v1/moved"),
        Reply::json(200, account_body()),
        Reply::text(302, "").header("location", &format!("{}/", elsewhere.base_url())),
    ]);
    let client = client(&server);
    client.account().await.unwrap();
    let seen = server.seen();
    assert_eq!(seen[1].path, "/v1/moved");
    assert_eq!(seen[1].header("x-api-secret-key"), USER);

    let err = client.account().await.unwrap_err();
    assert_eq!(err.status(), Some(302));
    assert_eq!(elsewhere.count(), 0, "the keys never go to another origin");
}

#[tokio::test]
async fn generic_requests_return_status_headers_and_json() {
    let server = TestServer::start(vec![
        Reply::json(200, json!({"ok": true}))
            .header("x-request-id", "r-42")
            .header("x-api-secret-key", USER),
        Reply::text(204, ""),
    ]);
    let client = client(&server);
    let response = client
        .request("PUT", "/subscriptions/1?dryRun=true", Some(json!({"a": 1})))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.json, json!({"ok": true}));
    assert_eq!(response.header("x-request-id"), Some("r-42"));
    assert_eq!(response.header("x-missing"), None);
    assert!(
        response.headers.get("x-api-secret-key").is_none(),
        "authentication headers are never handed back"
    );
    let empty = client
        .request("DELETE", "/subscriptions/1", None)
        .await
        .unwrap();
    assert_eq!((empty.status, empty.json), (204, serde_json::Value::Null));
    let seen = server.seen();
    assert_eq!(seen[0].path, "/v1/subscriptions/1?dryRun=true");
    assert_eq!(seen[1].method, "DELETE");
}

#[tokio::test]
async fn bad_requests_are_refused_before_sending() {
    let server = TestServer::start(vec![Reply::json(200, json!({}))]);
    let client = client(&server);
    let cases = [
        ("FETCH", "/", None),
        ("GET", "no-slash", None),
        ("GET", "http://127.0.0.2/v1/", None),
        ("GET", "/../admin", None),
        ("GET", "/", Some(json!({"body": "on a GET"}))),
    ];
    for (method, path, body) in cases {
        let err = client.request(method, path, body).await.unwrap_err();
        assert_eq!(err.code(), "invalid_request", "{method} {path}: {err}");
    }
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn connections_are_pooled_and_clones_share_them() {
    let server = TestServer::start(vec![Reply::json(200, account_body())]);
    let client = client(&server);
    let clone = client.clone();
    client.account().await.unwrap();
    clone.account().await.unwrap();
    client.account().await.unwrap();
    let peers: Vec<_> = server.seen().iter().map(|s| s.peer).collect();
    assert_eq!(peers.len(), 3);
    assert!(
        peers.iter().all(|p| *p == peers[0]),
        "one connection: {peers:?}"
    );
}

#[tokio::test]
async fn the_rate_limiter_spaces_requests() {
    let server = TestServer::start(vec![Reply::json(200, account_body())]);
    let client = Client::builder(keys())
        .base_url(server.base_url())
        .rate_limit_per_minute(600)
        .build()
        .unwrap();
    let start = Instant::now();
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.account().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "4 requests at 600/min take at least 300 ms, took {:?}",
        start.elapsed()
    );
    assert_eq!(server.count(), 4);
}

#[tokio::test]
async fn the_base_url_comes_from_builder_then_credentials_then_environment() {
    let server = TestServer::start(vec![Reply::json(200, account_body())]);
    let credentials = Credentials::new(keys())
        .with_base_url(server.base_url())
        .unwrap();
    let client = Client::from_credentials(credentials.clone()).unwrap();
    assert_eq!(client.base_url(), server.base_url());
    client.account().await.unwrap();

    let chain = CredentialChain::new()
        .environment(Environment::from_pairs([
            ("REDIS_CLOUD_ACCOUNT_KEY", ACCOUNT),
            ("REDIS_CLOUD_USER_KEY", USER),
            ("REDIS_CLOUD_BASE_URL", &format!("{}/", server.base_url())),
        ]))
        .profile_file(None)
        .keychain(None);
    let client = Client::from_chain(&chain).unwrap();
    assert_eq!(
        client.base_url(),
        server.base_url(),
        "trailing slash dropped"
    );
    assert_eq!(client.fingerprint(), keys().fingerprint());
    client.account().await.unwrap();
    assert_eq!(server.count(), 2);

    let overridden = redis_cloud_auth::ClientBuilder::from_credentials(credentials)
        .base_url("http://127.0.0.1:1/v2")
        .build()
        .unwrap();
    assert_eq!(overridden.base_url(), "http://127.0.0.1:1/v2");

    let empty = CredentialChain::new()
        .environment(Environment::default())
        .profile_file(None)
        .keychain(None);
    let err = Client::from_chain(&empty).unwrap_err();
    assert_eq!(err.code(), "credentials");
}

#[test]
fn futures_can_be_awaited_on_any_executor() {
    let server = TestServer::start(vec![
        Reply::json(200, account_body()),
        Reply::json(200, log_body()),
        Reply::text(503, ""),
        Reply::json(200, json!({"ok": true})),
    ]);
    let client = Client::builder(keys())
        .base_url(server.base_url())
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
        .build()
        .unwrap();
    // No tokio runtime on this thread: the futures run on the shared one.
    assert!(tokio::runtime::Handle::try_current().is_err());
    let me = futures::executor::block_on(client.account()).unwrap();
    assert_eq!(me.account.id, 7);
    let page = futures::executor::block_on(client.system_log(0, 5)).unwrap();
    assert_eq!(page.entries.len(), 2);
    let response = futures::executor::block_on(client.request("GET", "/x", None)).unwrap();
    assert_eq!(response.json, json!({"ok": true}));
    assert_eq!(server.count(), 4, "the retry's backoff timer ran too");
}

#[test]
fn clients_errors_and_futures_are_send_and_sync() {
    fn shareable<T: Send + Sync + 'static>() {}
    fn send<T: Send>(_: &T) {}
    shareable::<Client>();
    shareable::<redis_cloud_auth::BlockingClient>();
    shareable::<ClientError>();
    shareable::<redis_cloud_auth::ApiResponse>();
    let client = Client::builder(keys())
        .base_url("http://127.0.0.1:1/v1")
        .build()
        .unwrap();
    send(&client.account());
    send(&client.system_log(0, 1));
    send(&client.request("GET", "/", None));
}

#[tokio::test]
async fn an_oversized_body_is_an_error_not_a_retry() {
    let big = "x".repeat(redis_cloud_auth::client::MAX_RESPONSE_BYTES + 1);
    let server = TestServer::start(vec![Reply::text(200, &big)]);
    let err = client(&server).account().await.unwrap_err();
    assert_eq!(err.status(), Some(200));
    assert!(err.to_string().contains("larger than"), "{err}");
    assert_eq!(server.count(), 1);
}

#[test]
fn the_environment_sets_the_base_url_when_nothing_else_does() {
    let env = Environment::from_pairs([("REDIS_CLOUD_API_URL", "http://127.0.0.1:9/v1/")]);
    let client = Client::builder(keys())
        .environment(env.clone())
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:9/v1");
    let client = Client::builder(keys())
        .environment(env)
        .base_url("http://127.0.0.1:10/v1")
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:10/v1");
    let client = Client::builder(keys())
        .environment(Environment::default())
        .build()
        .unwrap();
    assert_eq!(client.base_url(), redis_cloud_auth::DEFAULT_BASE_URL);
    let bad = Environment::from_pairs([("REDIS_CLOUD_BASE_URL", "not a url")]);
    let err = Client::builder(keys())
        .environment(bad)
        .build()
        .unwrap_err();
    assert_eq!(err.code(), "credentials");
    assert!(err.to_string().contains("REDIS_CLOUD_BASE_URL"), "{err}");
}

#[test]
fn builder_settings_are_checked() {
    let bad = [
        Client::builder(keys()).base_url("ftp://example.com"),
        Client::builder(keys()).base_url("http://127.0.0.1:1/v1?x=1"),
        Client::builder(keys()).timeout(Duration::ZERO),
        Client::builder(keys()).max_retries(11),
        Client::builder(keys()).rate_limit_per_minute(0),
        Client::builder(keys()).user_agent_suffix("python\r\nX-Evil: 1"),
    ];
    for builder in bad {
        let err = builder.build().unwrap_err();
        assert!(
            matches!(err.code(), "invalid_request" | "credentials"),
            "{err}"
        );
        assert_no_secret(&err.to_string());
    }
    let client = Client::builder(keys())
        .base_url("http://127.0.0.1:1/v1")
        .build()
        .unwrap();
    let config = client.config();
    assert_eq!(config.timeout, Duration::from_secs(30));
    assert_eq!(config.max_retries, 3);
    assert_eq!(
        config.user_agent,
        format!("redis-cloud-auth/{}", redis_cloud_auth::VERSION)
    );
}
