//! When to retry a request and how long to wait: exponential backoff with
//! jitter, and the server's retry-after headers.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method, StatusCode};

/// Header the Redis Cloud API uses for the wait after a 429, in seconds.
pub const RATE_LIMIT_RETRY_AFTER_HEADER: &str = "x-rate-limit-retry-after-seconds";

/// Statuses worth another attempt: rate limited and gateway/availability errors.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// Methods that may be repeated without changing the outcome (RFC 9110).
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE | Method::TRACE
    )
}

/// Whether an answer with `status` to `method` is retried: idempotent
/// methods on 429, 502, 503, 504; other methods (POST, PATCH) only on 429,
/// which means the server did not act on the request.
pub fn retries_status(method: &Method, status: StatusCode) -> bool {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return true;
    }
    is_idempotent(method) && is_retryable_status(status)
}

/// Whether a connection failure for `method` is retried (idempotent only).
pub fn retries_connection_failure(method: &Method) -> bool {
    is_idempotent(method)
}

/// Whether a network error is a connection failure worth another attempt:
/// refused, reset, or closed before the whole answer arrived. Timeouts,
/// redirect loops and bad URLs are not.
pub fn is_connection_failure(err: &reqwest::Error) -> bool {
    (err.is_connect() || err.is_request() || err.is_body()) && !err.is_timeout()
}

/// The wait before retry number `attempt` (0 for the first retry):
/// `base * 2^attempt`, capped at `cap`, with "equal jitter" (half fixed,
/// half random) so that many clients do not retry in step.
pub fn backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let full = base
        .checked_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX))
        .unwrap_or(cap)
        .min(cap);
    let half = full / 2;
    half + half.mul_f64(random_unit())
}

/// A random number in `[0, 1)`; 0.5 if the OS has no randomness to give.
fn random_unit() -> f64 {
    match getrandom::u64() {
        Ok(n) => (n >> 11) as f64 / (1u64 << 53) as f64,
        Err(_) => 0.5,
    }
}

/// The wait the server asked for: `x-rate-limit-retry-after-seconds`
/// (seconds, may be fractional), else `Retry-After` (whole seconds or an
/// HTTP date, measured from `now`). `None` when absent or unreadable.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(wait) = header_str(headers, RATE_LIMIT_RETRY_AFTER_HEADER).and_then(parse_seconds) {
        return Some(wait);
    }
    let value = header_str(headers, http::header::RETRY_AFTER.as_str())?;
    parse_seconds(value).or_else(|| parse_http_date(value, now))
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

/// Non-negative, finite seconds (`"2"`, `"1.5"`).
fn parse_seconds(value: &str) -> Option<Duration> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let seconds: f64 = value.parse().ok()?;
    Duration::try_from_secs_f64(seconds).ok()
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) as a wait from `now`;
/// a date in the past means no wait.
fn parse_http_date(value: &str, now: SystemTime) -> Option<Duration> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let at = time::PrimitiveDateTime::parse(value, format)
        .ok()?
        .assume_utc();
    let at = SystemTime::from(at);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn which_methods_and_statuses_retry() {
        for status in [429, 502, 503, 504] {
            let status = StatusCode::from_u16(status).unwrap();
            assert!(retries_status(&Method::GET, status));
            assert!(retries_status(&Method::DELETE, status));
        }
        for status in [400, 401, 403, 404, 500, 501] {
            assert!(!retries_status(
                &Method::GET,
                StatusCode::from_u16(status).unwrap()
            ));
        }
        assert!(retries_status(&Method::POST, StatusCode::TOO_MANY_REQUESTS));
        assert!(!retries_status(
            &Method::POST,
            StatusCode::SERVICE_UNAVAILABLE
        ));
        assert!(!retries_status(&Method::PATCH, StatusCode::BAD_GATEWAY));
        assert!(retries_connection_failure(&Method::PUT));
        assert!(!retries_connection_failure(&Method::POST));
    }

    #[test]
    fn backoff_doubles_within_jitter_and_stops_at_the_cap() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(1);
        for _ in 0..50 {
            let first = backoff(0, base, cap);
            assert!(
                first >= Duration::from_millis(50) && first <= base,
                "{first:?}"
            );
            let third = backoff(2, base, cap);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let late = backoff(40, base, cap);
            assert!(late >= cap / 2 && late <= cap, "{late:?}");
        }
    }

    #[test]
    fn retry_after_reads_both_headers() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(
            retry_after(&headers(&[(RATE_LIMIT_RETRY_AFTER_HEADER, "1.5")]), now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")]), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(
                &headers(&[(RATE_LIMIT_RETRY_AFTER_HEADER, "2"), ("retry-after", "9")]),
                now
            ),
            Some(Duration::from_secs(2)),
            "the API's own header wins"
        );
        assert_eq!(
            retry_after(
                &headers(&[("retry-after", "Sun, 06 Nov 1994 08:49:47 GMT")]),
                now
            ),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            retry_after(
                &headers(&[("retry-after", "Sun, 06 Nov 1994 08:49:00 GMT")]),
                now
            ),
            Some(Duration::ZERO),
            "a date in the past means no wait"
        );
        for bad in ["-1", "soon", "", "1e9999", "NaN"] {
            let mut map = HeaderMap::new();
            map.insert("retry-after", HeaderValue::from_str(bad).unwrap());
            assert_eq!(retry_after(&map, now), None, "{bad:?}");
        }
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }
}
