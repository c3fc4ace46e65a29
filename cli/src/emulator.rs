//! The emulator's HTTP surface: the Redis Cloud API's authentication layer
//! on axum.
//!
//! - every `/v1/*` request goes through [`AuthLayer`] (the verifier);
//! - `GET /v1/` answers the account and calling key, `GET /v1/logs` the
//!   account's system log (`offset`, `limit`: default 100, at most 1000);
//! - other `/v1/*` paths answer 404, after authenticating;
//! - with a rate limit, a key over it gets 429 and
//!   `x-rate-limit-retry-after-seconds`;
//! - every error is the JSON [`ErrorBody`].

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, Method, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Extension, Json, Router};
use redis_cloud_auth::api::{ErrorBody, SystemLogPage, LOG_DEFAULT_LIMIT, LOG_MAX_LIMIT};
use redis_cloud_auth::layer::{error_response, AuthLayer};
use redis_cloud_auth::verify::{AdminError, Principal, Verifier};
use serde::Deserialize;

use crate::rate_limit::{retry_after_seconds, RateLimiter, RETRY_AFTER_HEADER};

/// How requests are authenticated.
#[derive(Debug, Clone)]
pub enum Authentication {
    /// Through the verifier (the emulator's only mode for users).
    Verifier,
    /// Off: every request runs as this principal. Only for measuring the
    /// cost of authentication against a baseline (`serve --bench-no-auth`).
    Off(Principal),
}

/// What the handlers share.
#[derive(Debug)]
pub struct Emulator {
    verifier: Arc<Verifier>,
    limiter: Option<RateLimiter>,
}

/// The emulator's router, ready for
/// `into_make_service_with_connect_info::<SocketAddr>()`.
pub fn router(
    verifier: Arc<Verifier>,
    rate_limit: Option<u32>,
    authentication: Authentication,
) -> Router {
    let state = Arc::new(Emulator {
        verifier: verifier.clone(),
        limiter: rate_limit.map(RateLimiter::new),
    });
    let v1 = Router::new()
        .route("/v1", get(account))
        .route("/v1/", get(account))
        .route("/v1/logs", get(logs))
        .route("/v1/{*rest}", any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            rate_limit_by_key,
        ));
    let v1 = match authentication {
        Authentication::Verifier => v1.route_layer(AuthLayer::new(verifier)),
        Authentication::Off(principal) => v1.route_layer(Extension(principal)),
    };
    Router::new()
        .merge(v1)
        .fallback(not_found)
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open
/// requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

fn error(status: u16, error: &str, message: impl Into<String>) -> Response {
    error_response(ErrorBody {
        error: error.into(),
        message: message.into(),
        status,
    })
}

fn admin_error(err: AdminError) -> Response {
    match err {
        AdminError::Store(_) => error(
            503,
            "service_unavailable",
            "the store is temporarily unavailable; retry later",
        ),
        AdminError::NotFound { what } => error(404, "not_found", format!("{what} not found")),
        other => error(500, "internal_error", other.to_string()),
    }
}

async fn rate_limit_by_key(
    State(state): State<Arc<Emulator>>,
    request: Request,
    next: Next,
) -> Response {
    if let (Some(limiter), Some(principal)) =
        (&state.limiter, request.extensions().get::<Principal>())
    {
        let key = format!("{}/{}", principal.account_id, principal.key_name);
        if let Err(wait) = limiter.check(&key) {
            let seconds = retry_after_seconds(wait);
            let mut response = error(
                429,
                "rate_limited",
                format!("too many requests with this key; retry in {seconds} s"),
            );
            let value = HeaderValue::from(seconds);
            response
                .headers_mut()
                .insert(RETRY_AFTER_HEADER, value.clone());
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, value);
            return response;
        }
    }
    next.run(request).await
}

async fn account(
    State(state): State<Arc<Emulator>>,
    Extension(principal): Extension<Principal>,
) -> Response {
    match state.verifier.describe_account(&principal) {
        Ok(body) => Json(body).into_response(),
        Err(err) => admin_error(err),
    }
}

/// Query of `GET /v1/logs`.
#[derive(Debug, Deserialize)]
struct LogQuery {
    offset: Option<u64>,
    limit: Option<u32>,
}

async fn logs(
    State(state): State<Arc<Emulator>>,
    Extension(principal): Extension<Principal>,
    query: Result<Query<LogQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return error(
            400,
            "bad_request",
            "offset and limit must be non-negative integers",
        );
    };
    let limit = query.limit.unwrap_or(LOG_DEFAULT_LIMIT);
    if limit > LOG_MAX_LIMIT {
        return error(
            400,
            "bad_request",
            format!("limit must be at most {LOG_MAX_LIMIT}"),
        );
    }
    let offset = query.offset.unwrap_or(0);
    let verifier = state.verifier.clone();
    // Reading the log waits for queued entries to reach the store.
    let read = tokio::task::spawn_blocking(move || {
        verifier.system_log(principal.account_id, offset, limit)
    })
    .await;
    match read {
        Ok(Ok(entries)) => Json(SystemLogPage {
            entries,
            links: Vec::new(),
        })
        .into_response(),
        Ok(Err(err)) => admin_error(err),
        Err(_) => error(500, "internal_error", "reading the system log failed"),
    }
}

async fn not_found(method: Method, uri: Uri) -> Response {
    error(
        404,
        "not_found",
        format!("no resource at {method} {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    error(
        405,
        "method_not_allowed",
        format!("{method} is not supported on {}", uri.path()),
    )
}
