//! Sending one call: the path and method checks, the retry loop, and the
//! mapping of answers and failures to [`ClientError`].

use std::time::{Instant, SystemTime};

use http::{HeaderMap, HeaderValue, Method, StatusCode};
use tracing::Instrument;

use super::error::body_message;
use super::retry;
use super::{Client, ClientError};

/// Longest request path accepted, in bytes.
pub const MAX_PATH_LEN: usize = 2048;
/// Most redirects followed (all within the base URL's origin).
const MAX_REDIRECTS: usize = 5;
/// Largest response body read, in bytes; a larger one is an API error.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// A successful (2xx) answer, body read.
pub(crate) struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Parses a method name (any case) among those the API uses.
pub(crate) fn parse_method(method: &str) -> Result<Method, ClientError> {
    let upper = method.trim().to_ascii_uppercase();
    match upper.as_str() {
        "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" => {
            Method::from_bytes(upper.as_bytes())
                .map_err(|_| ClientError::invalid(format!("unsupported method `{upper}`")))
        }
        _ => Err(ClientError::invalid(format!(
            "unsupported method `{}`: use GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS",
            method.chars().take(16).collect::<String>()
        ))),
    }
}

/// Checks a path relative to the base URL: starts with `/`, visible ASCII,
/// no fragment, no `.` or `..` segment (which would leave the base path).
pub(crate) fn check_path(path: &str) -> Result<(), ClientError> {
    let fail = |why: &str| Err(ClientError::invalid(format!("path {why}")));
    if !path.starts_with('/') {
        return fail("must start with `/` (it is relative to the base URL)");
    }
    if path.len() > MAX_PATH_LEN {
        return fail(&format!("is longer than {MAX_PATH_LEN} bytes"));
    }
    if !path.bytes().all(|b| b.is_ascii_graphic()) {
        return fail("must be visible ASCII (percent-encode anything else)");
    }
    if path.contains('#') || path.contains('\\') {
        return fail("must not hold `#` or `\\`");
    }
    let route = path.split('?').next().unwrap_or_default();
    let dots = |segment: &str| {
        let lower = segment.to_ascii_lowercase().replace("%2e", ".");
        lower == "." || lower == ".."
    };
    if route.split('/').any(dots) {
        return fail("must not hold `.` or `..` segments");
    }
    Ok(())
}

/// Follows redirects only within the origin of the first request, so the
/// keys are never sent to another host.
pub(crate) fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else if same_origin {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// Why one attempt did not succeed, and whether it may be retried.
enum Failure {
    Status {
        status: StatusCode,
        headers: HeaderMap,
        body: Vec<u8>,
    },
    Network(reqwest::Error),
    TooLarge {
        status: StatusCode,
    },
}

impl Client {
    /// Sends `method path` with retries; `Ok` only for a 2xx answer.
    pub(crate) async fn execute(
        &self,
        method: Method,
        path: String,
        body: Option<Vec<u8>>,
    ) -> Result<RawResponse, ClientError> {
        check_path(&path)?;
        let url = format!("{}{}", self.inner.config.base_url, path);
        let url = reqwest::Url::parse(&url)
            .map_err(|_| ClientError::invalid("path does not make a valid URL"))?;
        let span = tracing::debug_span!(
            "redis_cloud_request",
            method = %method,
            path = %path.split('?').next().unwrap_or_default(),
            key = %self.inner.fingerprint,
        );
        self.execute_with_retries(method, url, &path, body)
            .instrument(span)
            .await
    }

    async fn execute_with_retries(
        &self,
        method: Method,
        url: reqwest::Url,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<RawResponse, ClientError> {
        let config = &self.inner.config;
        let mut attempt: u32 = 0;
        loop {
            self.inner.server_pause.wait().await;
            if let Some(limiter) = &self.inner.limiter {
                limiter.acquire().await;
            }
            let started = Instant::now();
            tracing::debug!(attempt, "sending request");
            let failure = match self.attempt(&method, &url, body.as_deref()).await {
                Ok(response) => {
                    tracing::debug!(
                        status = response.status.as_u16(),
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "request succeeded"
                    );
                    return Ok(response);
                }
                Err(failure) => failure,
            };
            let retryable = match &failure {
                Failure::Status { status, .. } => retry::retries_status(&method, *status),
                Failure::Network(err) => {
                    retry::is_connection_failure(err) && retry::retries_connection_failure(&method)
                }
                Failure::TooLarge { .. } => false,
            };
            let server_wait = match &failure {
                Failure::Status { headers, .. } => retry::retry_after(headers, SystemTime::now()),
                Failure::Network(_) | Failure::TooLarge { .. } => None,
            };
            let too_long = server_wait.is_some_and(|wait| wait > config.max_retry_after);
            if !retryable || attempt >= config.max_retries || too_long {
                let error = self.error_of(failure, path, server_wait);
                tracing::debug!(
                    attempt,
                    code = error.code(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "request failed"
                );
                return Err(error);
            }
            let wait = server_wait.unwrap_or_else(|| {
                retry::backoff(attempt, config.backoff_base, config.backoff_cap)
            });
            let reason = match &failure {
                Failure::Status { status, .. } => status.as_u16().to_string(),
                Failure::Network(_) | Failure::TooLarge { .. } => "connection failure".to_string(),
            };
            if let (Failure::Status { status, .. }, Some(wait)) = (&failure, server_wait) {
                if *status == StatusCode::TOO_MANY_REQUESTS {
                    // The limit is per key: hold every request of this client.
                    self.inner.server_pause.pause_for(wait);
                }
            }
            tracing::info!(
                attempt,
                reason = %reason,
                wait_ms = wait.as_millis() as u64,
                "retrying request"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One attempt: send, then read the whole body.
    async fn attempt(
        &self,
        method: &Method,
        url: &reqwest::Url,
        body: Option<&[u8]>,
    ) -> Result<RawResponse, Failure> {
        let mut request = self.inner.http.request(method.clone(), url.clone());
        if let Some(body) = body {
            request = request
                .header(
                    http::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )
                .body(body.to_vec());
        }
        let mut response = request.send().await.map_err(Failure::Network)?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let too_large = || Failure::TooLarge { status };
        let length = response.content_length();
        if length.is_some_and(|len| len > MAX_RESPONSE_BYTES as u64) {
            return Err(too_large());
        }
        // Reading the body (also of errors) lets the connection go back to the pool.
        let mut body = Vec::with_capacity(length.unwrap_or(0) as usize);
        while let Some(chunk) = response.chunk().await.map_err(Failure::Network)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        if status.is_success() {
            Ok(RawResponse {
                status,
                headers,
                body,
            })
        } else {
            Err(Failure::Status {
                status,
                headers,
                body,
            })
        }
    }

    fn error_of(
        &self,
        failure: Failure,
        path: &str,
        retry_after: Option<std::time::Duration>,
    ) -> ClientError {
        match failure {
            Failure::Status { status, body, .. } => match status.as_u16() {
                401 => ClientError::Unauthorized,
                403 => ClientError::Forbidden,
                404 => ClientError::NotFound {
                    path: self.scrub(path),
                },
                429 => ClientError::RateLimited { retry_after },
                code => {
                    let text = body_message(&body);
                    let message = if text.trim().is_empty() {
                        status
                            .canonical_reason()
                            .unwrap_or("no message")
                            .to_string()
                    } else {
                        self.scrub(&text)
                    };
                    ClientError::Api {
                        status: code,
                        message,
                    }
                }
            },
            Failure::TooLarge { status } => ClientError::Api {
                status: status.as_u16(),
                message: format!("response body is larger than {MAX_RESPONSE_BYTES} bytes"),
            },
            Failure::Network(err) if err.is_timeout() => ClientError::Timeout,
            Failure::Network(err) => ClientError::Transport {
                message: self.scrub(&error_chain(&err)),
            },
        }
    }
}

/// An error and its sources, joined with `: `, each said once.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(err) = next {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_checked() {
        assert_eq!(parse_method("get").unwrap(), Method::GET);
        assert_eq!(parse_method(" Delete ").unwrap(), Method::DELETE);
        for bad in ["", "CONNECT", "TRACE", "GET X", "FETCH"] {
            assert_eq!(
                parse_method(bad).unwrap_err().code(),
                "invalid_request",
                "{bad}"
            );
        }
    }

    #[test]
    fn paths_stay_under_the_base_url() {
        for good in [
            "/",
            "/logs?offset=0&limit=10",
            "/subscriptions/12/databases",
            "/a%20b",
        ] {
            check_path(good).unwrap();
        }
        for bad in [
            "",
            "logs",
            "http://evil.example/x",
            "/../admin",
            "/a/./b",
            "/%2e%2E/x",
            "/a b",
            "/x#frag",
            "/a\\b",
            "/caf\u{e9}",
        ] {
            assert_eq!(
                check_path(bad).unwrap_err().code(),
                "invalid_request",
                "{bad}"
            );
        }
        assert!(check_path(&format!("/{}", "a".repeat(MAX_PATH_LEN))).is_err());
    }
}
