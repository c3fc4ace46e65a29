//! [`AuthLayer`]: a tower layer that authenticates every request with a
//! [`Verifier`], so a Rust service can protect its own routes the way the
//! Redis Cloud API does (feature `tower`).
//!
//! A request that authenticates reaches the inner service with its
//! [`Principal`] in the request extensions. One that does not is answered
//! at once with the failure's status (401, 403 or 503) and the stable JSON
//! [`ErrorBody`](crate::api::ErrorBody), and the inner service never sees it.
//!
//! The source IP is the peer address from axum's
//! [`ConnectInfo<SocketAddr>`](axum::extract::ConnectInfo) (serve with
//! `into_make_service_with_connect_info::<SocketAddr>()`), or what
//! `X-Forwarded-For` says when the peer is one of the verifier's trusted
//! proxies. A request without a peer address is refused with 500: the
//! allow lists cannot be checked without it.
//!
//! ```
//! use std::net::SocketAddr;
//! use std::sync::Arc;
//!
//! use axum::{body::Body, extract::ConnectInfo, routing::get, Extension, Router};
//! use http::Request;
//! use redis_cloud_auth::layer::AuthLayer;
//! use redis_cloud_auth::verify::{Principal, Role, Verifier};
//! use tower::ServiceExt;
//!
//! let verifier = Arc::new(Verifier::in_memory());
//! let account = verifier.create_account("acme")?;
//! let ada = verifier.add_user(account, "Ada", "ada@example.com", Role::Owner)?;
//! let account_key = verifier.enable_api(account)?.expect("a new account key");
//! let user_key = verifier.create_user_key(account, ada, ada, "ci-deploy-key", &["127.0.0.0/8"])?;
//!
//! let app = Router::new()
//!     .route("/whoami", get(|Extension(p): Extension<Principal>| async move { p.key_name }))
//!     .layer(AuthLayer::new(verifier));
//!
//! let peer: SocketAddr = "127.0.0.1:50000".parse()?;
//! let request = Request::get("/whoami")
//!     .header("x-api-key", account_key.expose())
//!     .header("x-api-secret-key", user_key.expose())
//!     .extension(ConnectInfo(peer))
//!     .body(Body::empty())?;
//! let runtime = tokio::runtime::Builder::new_current_thread().build()?;
//! let response = runtime.block_on(app.clone().oneshot(request))?;
//! assert_eq!(response.status(), 200);
//!
//! let anonymous = Request::get("/whoami").extension(ConnectInfo(peer)).body(Body::empty())?;
//! let response = runtime.block_on(app.oneshot(anonymous))?;
//! assert_eq!(response.status(), 401);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::ConnectInfo;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{Request, StatusCode};
use tower::{Layer, Service};

use crate::api::ErrorBody;
use crate::verify::{AuthFailure, AuthRequest, Verifier};

/// A tower [`Layer`] that authenticates requests with a [`Verifier`] and
/// puts the [`Principal`](crate::verify::Principal) in request extensions.
#[derive(Debug, Clone)]
pub struct AuthLayer {
    verifier: Arc<Verifier>,
}

impl AuthLayer {
    /// A layer over `verifier` (shared with the admin side, if any).
    pub fn new(verifier: Arc<Verifier>) -> Self {
        AuthLayer { verifier }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = Authenticate<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Authenticate {
            inner,
            verifier: self.verifier.clone(),
        }
    }
}

/// The service [`AuthLayer`] wraps around an inner service.
#[derive(Debug, Clone)]
pub struct Authenticate<S> {
    inner: S,
    verifier: Arc<Verifier>,
}

/// The future of an [`Authenticate`] call.
pub type ResponseFuture<E> = Pin<Box<dyn Future<Output = Result<Response, E>> + Send>>;

impl<S, B> Service<Request<B>> for Authenticate<S>
where
    S: Service<Request<B>, Response = Response> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let Some(ConnectInfo(peer)) = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .copied()
        else {
            tracing::error!("request without ConnectInfo<SocketAddr>: refused");
            let body = ErrorBody {
                error: "internal_error".into(),
                message: "the server cannot see the peer address".into(),
                status: 500,
            };
            return Box::pin(std::future::ready(Ok(error_response(body))));
        };
        let outcome = self.verifier.authenticate(&AuthRequest::from_header_map(
            request.method().as_str(),
            request.uri().path(),
            request.headers(),
            peer.ip(),
        ));
        match outcome {
            Ok(principal) => {
                request.extensions_mut().insert(principal);
                Box::pin(self.inner.call(request))
            }
            Err(failure) => Box::pin(std::future::ready(Ok(failure_response(&failure)))),
        }
    }
}

/// The response to a request that did not authenticate: the failure's
/// status and its public JSON body ([`AuthFailure::error_json`], the text
/// every binding's server adapter sends too).
pub fn failure_response(failure: &AuthFailure) -> Response {
    let status =
        StatusCode::from_u16(failure.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let json = [(http::header::CONTENT_TYPE, "application/json")];
    (status, json, failure.error_json()).into_response()
}

/// A JSON error response with `body.status` as its status.
pub fn error_response(body: ErrorBody) -> Response {
    let status = StatusCode::from_u16(body.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::{Principal, Role};
    use axum::body::Body;
    use axum::routing::get;
    use axum::{Extension, Router};
    use tower::ServiceExt;

    struct Fixture {
        app: Router,
        account_key: crate::Secret,
        user_key: crate::Secret,
        verifier: Arc<Verifier>,
    }

    fn fixture() -> Fixture {
        let verifier = Arc::new(Verifier::in_memory());
        let account = verifier.create_account("acme").unwrap();
        let ada = verifier
            .add_user(account, "Ada", "ada@example.com", Role::Owner)
            .unwrap();
        let account_key = verifier.enable_api(account).unwrap().unwrap();
        let user_key = verifier
            .create_user_key(account, ada, ada, "layer-test-key", &["10.0.0.0/8"])
            .unwrap();
        let app = Router::new()
            .route(
                "/who",
                get(|Extension(p): Extension<Principal>| async move {
                    format!("{} {}", p.key_name, p.source_ip)
                }),
            )
            .layer(AuthLayer::new(verifier.clone()));
        Fixture {
            app,
            account_key,
            user_key,
            verifier,
        }
    }

    fn request(f: &Fixture, peer: &str, user_key: &str) -> Request<Body> {
        Request::get("/who")
            .header("x-api-key", f.account_key.expose())
            .header("x-api-secret-key", user_key)
            .header("x-forwarded-for", "10.9.9.9")
            .extension(ConnectInfo(peer.parse::<SocketAddr>().unwrap()))
            .body(Body::empty())
            .unwrap()
    }

    async fn answer(app: &Router, request: Request<Body>) -> (u16, String) {
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn principal_reaches_the_inner_service() {
        let f = fixture();
        let (status, body) =
            answer(&f.app, request(&f, "10.1.2.3:4000", f.user_key.expose())).await;
        assert_eq!((status, body.as_str()), (200, "layer-test-key 10.1.2.3"));
    }

    #[tokio::test]
    async fn failures_answer_with_the_stable_json_body() {
        let f = fixture();
        let (status, body) =
            answer(&f.app, request(&f, "10.1.2.3:4000", "NotTheUserKey0000")).await;
        assert_eq!(status, 401);
        let body: ErrorBody = serde_json::from_str(&body).unwrap();
        assert_eq!((body.error.as_str(), body.status), ("unauthorized", 401));
        assert!(!body.message.contains(f.account_key.expose()));

        let (status, body) =
            answer(&f.app, request(&f, "192.0.2.7:4000", f.user_key.expose())).await;
        assert_eq!(status, 403);
        let body: ErrorBody = serde_json::from_str(&body).unwrap();
        assert_eq!(body.error, "forbidden");
        assert!(body.message.contains("192.0.2.7"));
        assert!(!body.message.contains(f.user_key.expose()));
    }

    #[tokio::test]
    async fn forwarded_for_counts_only_from_trusted_proxies() {
        let f = fixture();
        // Untrusted peer outside the allow list: the header is ignored.
        let (status, _) = answer(&f.app, request(&f, "192.0.2.7:4000", f.user_key.expose())).await;
        assert_eq!(status, 403);
        f.verifier
            .set_trusted_proxies(vec!["192.0.2.0/24".parse().unwrap()]);
        let (status, body) =
            answer(&f.app, request(&f, "192.0.2.7:4000", f.user_key.expose())).await;
        assert_eq!((status, body.as_str()), (200, "layer-test-key 10.9.9.9"));
    }

    #[tokio::test]
    async fn a_request_without_a_peer_address_is_refused() {
        let f = fixture();
        let request = Request::get("/who")
            .header("x-api-key", f.account_key.expose())
            .header("x-api-secret-key", f.user_key.expose())
            .body(Body::empty())
            .unwrap();
        let (status, body) = answer(&f.app, request).await;
        assert_eq!(status, 500);
        assert!(body.contains("peer address"));
    }
}
