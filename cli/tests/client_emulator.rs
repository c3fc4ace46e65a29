//! The core's HTTP client against the emulator, in process on a loopback
//! port: every authentication outcome as the client reports it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rcauth::emulator::{self, Authentication};
use redis_cloud_auth::verify::{AccountId, Role, Verifier};
use redis_cloud_auth::{ApiKeys, Client, ClientError};

/// An emulator with one account, its owner, and a key without an allow list.
struct Emulator {
    verifier: Arc<Verifier>,
    account: AccountId,
    owner: redis_cloud_auth::verify::UserId,
    keys: ApiKeys,
    addr: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Emulator {
    fn start(rate_limit: Option<u32>) -> Emulator {
        let verifier = Arc::new(Verifier::in_memory());
        let account = verifier.create_account("acme").unwrap();
        let owner = verifier
            .add_user(account, "Ada Lovelace", "ada@example.com", Role::Owner)
            .unwrap();
        let account_key = verifier.enable_api(account).unwrap().unwrap();
        let user_key = verifier
            .create_user_key::<&str>(account, owner, owner, "client-test-key", &[])
            .unwrap();
        let keys = ApiKeys::new(account_key, user_key).unwrap();

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let app = emulator::router(verifier.clone(), rate_limit, Authentication::Verifier);
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            emulator::serve(listener, app, std::future::pending())
                .await
                .unwrap();
        });
        Emulator {
            verifier,
            account,
            owner,
            keys,
            addr,
            runtime: Some(runtime),
        }
    }

    fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    fn client(&self, keys: ApiKeys) -> Client {
        Client::builder(keys)
            .base_url(self.base_url())
            .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
            .max_retry_after(Duration::from_secs(1))
            .build()
            .unwrap()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn assert_no_key(keys: &ApiKeys, text: &str) {
    assert!(!text.contains(keys.account_key().expose()), "{text}");
    assert!(!text.contains(keys.user_key().expose()), "{text}");
}

#[tokio::test]
async fn the_client_authenticates_and_reads_the_system_log() {
    let emulator = Emulator::start(None);
    let client = emulator.client(emulator.keys.clone());
    let me = client.account().await.unwrap();
    assert_eq!(me.account.name, "acme");
    assert_eq!(me.account.key.name, "client-test-key");
    assert_eq!(me.account.key.owner.email, "ada@example.com");
    assert!(me.account.key.allowed_source_ips.is_empty());
    assert_eq!(me.account.key.http_source_ip.as_deref(), Some("127.0.0.1"));

    let page = client.system_log(0, 10).await.unwrap();
    let entry = &page.entries[0];
    assert_eq!(entry.api_key_name.as_deref(), Some("client-test-key"));
    for entry in &page.entries {
        assert_no_key(&emulator.keys, &serde_json::to_string(entry).unwrap());
    }

    let err = client
        .request("GET", "/subscriptions", None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_found", "{err}");
}

#[tokio::test]
async fn each_failure_is_reported_as_its_client_error() {
    let emulator = Emulator::start(None);
    let wrong = ApiKeys::new(
        emulator.keys.account_key().expose(),
        "WrongUserKey-000000000000",
    )
    .unwrap();
    let err = emulator.client(wrong).account().await.unwrap_err();
    assert_eq!(err, ClientError::Unauthorized);

    let fenced_key = emulator
        .verifier
        .create_user_key(
            emulator.account,
            emulator.owner,
            emulator.owner,
            "fenced-key-0001",
            &["10.0.0.0/8"],
        )
        .unwrap();
    let fenced = ApiKeys::new(emulator.keys.account_key().clone(), fenced_key).unwrap();
    let err = emulator.client(fenced.clone()).account().await.unwrap_err();
    assert_eq!(err, ClientError::Forbidden);
    assert_no_key(&fenced, &format!("{err} {err:?}"));

    emulator.verifier.disable_api(emulator.account).unwrap();
    let err = emulator
        .client(emulator.keys.clone())
        .account()
        .await
        .unwrap_err();
    assert_eq!(err, ClientError::Unauthorized);
    assert!(err.to_string().contains("enabled"), "{err}");
}

#[tokio::test]
async fn the_emulators_rate_limit_reaches_the_client_with_its_wait() {
    let emulator = Emulator::start(Some(2));
    let client = emulator.client(emulator.keys.clone());
    client.account().await.unwrap();
    client.account().await.unwrap();
    let err = client.account().await.unwrap_err();
    let wait = err
        .retry_after()
        .expect("the emulator says how long to wait");
    assert_eq!(err.code(), "rate_limited");
    assert!(
        wait > Duration::from_secs(1),
        "beyond the client's 1 s cap, so not slept through: {wait:?}"
    );
}

#[test]
fn the_blocking_client_works_against_the_emulator() {
    let emulator = Emulator::start(None);
    let client = redis_cloud_auth::BlockingClient::from(emulator.client(emulator.keys.clone()));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || client.account().unwrap().account.name)
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), "acme");
    }
    assert!(client.system_log(0, 100).unwrap().entries.len() >= 4);
}
