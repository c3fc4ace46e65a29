//! [`ClientError`]: why a request to the API did not succeed.

use std::time::Duration;

use crate::credentials::CredentialError;

/// Why a call to the API failed. The same variants and codes in every
/// language; no message ever holds a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// 401: the server did not accept the keys.
    #[error(
        "authentication failed (401): check both the account key and the user key, \
         and that API access is enabled for the account"
    )]
    Unauthorized,
    /// 403: the keys are valid but the request is not allowed.
    #[error(
        "forbidden (403): the source IP may be outside the user key's allow list, \
         or the key may not be allowed to do this"
    )]
    Forbidden,
    /// 429: over the rate limit, after every retry the client was allowed.
    #[error("rate limited (429){}", retry_after.map(|d| format!(": retry after {:.1} s", d.as_secs_f64())).unwrap_or_default())]
    RateLimited {
        /// How long the server asked to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// 404: no such resource.
    #[error("not found (404): {path}")]
    NotFound {
        /// The path that was requested (relative to the base URL).
        path: String,
    },
    /// Any other unsuccessful answer, or a body that is not the expected JSON.
    #[error("API error ({status}): {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// The server's message or a bounded excerpt of its body.
        message: String,
    },
    /// The request did not complete within the client's timeout.
    #[error("the request timed out; check the network or raise the client's timeout")]
    Timeout,
    /// The connection failed (refused, reset, DNS, TLS).
    #[error("transport error: {message}")]
    Transport {
        /// What went wrong, from the HTTP stack.
        message: String,
    },
    /// The call was rejected before sending: bad path, method, body or option.
    #[error("invalid request: {reason}")]
    InvalidRequest {
        /// What is wrong.
        reason: String,
    },
    /// Credentials could not be found or were invalid.
    #[error(transparent)]
    Credentials(#[from] CredentialError),
}

impl ClientError {
    /// Stable snake_case code, the same in every language.
    pub fn code(&self) -> &'static str {
        match self {
            ClientError::Unauthorized => "unauthorized",
            ClientError::Forbidden => "forbidden",
            ClientError::RateLimited { .. } => "rate_limited",
            ClientError::NotFound { .. } => "not_found",
            ClientError::Api { .. } => "api_error",
            ClientError::Timeout => "timeout",
            ClientError::Transport { .. } => "transport",
            ClientError::InvalidRequest { .. } => "invalid_request",
            ClientError::Credentials(_) => "credentials",
        }
    }

    /// The HTTP status the server answered with, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Unauthorized => Some(401),
            ClientError::Forbidden => Some(403),
            ClientError::RateLimited { .. } => Some(429),
            ClientError::NotFound { .. } => Some(404),
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The wait the server asked for, on a rate-limited answer.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ClientError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    pub(crate) fn invalid(reason: impl Into<String>) -> Self {
        ClientError::InvalidRequest {
            reason: reason.into(),
        }
    }
}

/// Longest excerpt of a response body kept in an error, in characters.
pub const MESSAGE_EXCERPT_CHARS: usize = 300;

/// A bounded, single-line excerpt of `text` with every occurrence of a
/// `secret` replaced, so that a server echoing a key cannot leak it.
pub(crate) fn excerpt(text: &str, secrets: &[&str]) -> String {
    let mut clean = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        clean = clean.replace(secret, crate::secret::REDACTED);
    }
    let mut out: String = clean
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MESSAGE_EXCERPT_CHARS)
        .collect();
    if clean.chars().count() > MESSAGE_EXCERPT_CHARS {
        out.push('…');
    }
    out.trim().to_string()
}

/// The message of an error body: its `message` (or `error`, `description`)
/// field when it is JSON, else the text itself.
pub(crate) fn body_message(body: &[u8]) -> String {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) {
        for field in ["message", "error", "description"] {
            if let Some(serde_json::Value::String(text)) = map.get(field) {
                return text.clone();
            }
        }
    }
    String::from_utf8_lossy(body).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses() {
        let cases = [
            (ClientError::Unauthorized, "unauthorized", Some(401)),
            (ClientError::Forbidden, "forbidden", Some(403)),
            (
                ClientError::RateLimited { retry_after: None },
                "rate_limited",
                Some(429),
            ),
            (
                ClientError::NotFound { path: "/x".into() },
                "not_found",
                Some(404),
            ),
            (
                ClientError::Api {
                    status: 500,
                    message: "boom".into(),
                },
                "api_error",
                Some(500),
            ),
            (ClientError::Timeout, "timeout", None),
            (ClientError::invalid("bad"), "invalid_request", None),
        ];
        for (err, code, status) in cases {
            assert_eq!(err.code(), code);
            assert_eq!(err.status(), status);
        }
    }

    #[test]
    fn messages_guide_the_user() {
        let unauthorized = ClientError::Unauthorized.to_string();
        assert!(unauthorized.contains("account key") && unauthorized.contains("user key"));
        assert!(unauthorized.contains("enabled"));
        assert!(ClientError::Forbidden.to_string().contains("allow list"));
        let limited = ClientError::RateLimited {
            retry_after: Some(Duration::from_millis(1500)),
        };
        assert_eq!(limited.to_string(), "rate limited (429): retry after 1.5 s");
        assert_eq!(limited.retry_after(), Some(Duration::from_millis(1500)));
    }

    #[test]
    fn excerpt_is_bounded_single_line_and_scrubbed() {
        let long = format!("key=SuperSecret123\n{}", "x".repeat(1000));
        let out = excerpt(&long, &["SuperSecret123"]);
        assert!(!out.contains("SuperSecret123"));
        assert!(!out.contains('\n'));
        assert!(out.chars().count() <= MESSAGE_EXCERPT_CHARS + 1);
        assert!(out.ends_with('…'));
    }

    #[test]
    fn body_message_prefers_the_json_message() {
        assert_eq!(
            body_message(br#"{"error":"x","message":"nope","status":400}"#),
            "nope"
        );
        assert_eq!(body_message(br#"{"error":"Bad"}"#), "Bad");
        assert_eq!(body_message(b"plain text"), "plain text");
    }
}
