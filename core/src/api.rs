//! The JSON shapes of the Redis Cloud API's authentication surface, shared
//! by the client (which reads them) and the emulator (which writes them).

use serde::{Deserialize, Serialize};

/// Body of `GET /v1/`: the current account and the calling key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountResponse {
    /// The account the keys belong to.
    pub account: AccountInfo,
}

/// An account as `GET /v1/` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    /// Account id.
    pub id: u64,
    /// Account name.
    pub name: String,
    /// When the account was created (ISO-8601 UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_timestamp: Option<String>,
    /// When the account last changed (ISO-8601 UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_timestamp: Option<String>,
    /// The user key that made the call.
    pub key: KeyInfo,
}

/// The calling user key, as `GET /v1/` describes it. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    /// The key's name.
    pub name: String,
    /// Account id.
    pub account_id: u64,
    /// Account name.
    pub account_name: String,
    /// The key's CIDR allow list; empty allows every source.
    #[serde(default)]
    pub allowed_source_ips: Vec<String>,
    /// When the key was created (ISO-8601 UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_timestamp: Option<String>,
    /// The key's owner.
    pub owner: Owner,
    /// The source IP the server saw for this request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_source_ip: Option<String>,
}

/// The owner of a user key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// The owner's name.
    pub name: String,
    /// The owner's email.
    pub email: String,
}

/// Body of `GET /v1/logs`: system log entries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemLogPage {
    /// The entries of this page.
    pub entries: Vec<SystemLogEntry>,
    /// Links to other pages (unused by the emulator).
    #[serde(default)]
    pub links: Vec<serde_json::Value>,
}

/// One entry of an account's system log. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemLogEntry {
    /// Entry id, increasing with time.
    pub id: u64,
    /// When it happened (ISO-8601 UTC, e.g. `2026-11-26T06:03:11Z`).
    pub time: String,
    /// Who acted: the key's owner, or the operator for admin actions.
    pub originator: String,
    /// Name of the user key used, when one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_name: Option<String>,
    /// What was acted on (for requests: method and path).
    pub resource: String,
    /// Kind of entry (for example `authentication`).
    #[serde(rename = "type")]
    pub kind: String,
    /// What happened, in words (outcome and source IP for requests).
    pub description: String,
}

/// Default page size of `GET /v1/logs`.
pub const LOG_DEFAULT_LIMIT: u32 = 100;
/// Largest page size of `GET /v1/logs`.
pub const LOG_MAX_LIMIT: u32 = 1000;

/// The JSON error body the emulator sends with 4xx/5xx answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable error code (`unauthorized`, `forbidden`, ...).
    pub error: String,
    /// Human-readable message, never holding a secret.
    pub message: String,
    /// HTTP status.
    pub status: u16,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_response_matches_the_api_shape() {
        let body = serde_json::json!({"account": {"id": 7, "name": "acme",
            "createdTimestamp": "2026-01-01T00:00:00Z", "updatedTimestamp": "2026-01-02T00:00:00Z",
            "key": {"name": "ci-deploy-key", "accountId": 7, "accountName": "acme",
                "allowedSourceIps": ["10.0.0.0/8"], "createdTimestamp": "2026-01-01T00:00:00Z",
                "owner": {"name": "Ada", "email": "ada@example.com"}, "httpSourceIp": "10.1.2.3"}}});
        let parsed: AccountResponse = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(parsed.account.key.allowed_source_ips, ["10.0.0.0/8"]);
        assert_eq!(serde_json::to_value(&parsed).unwrap(), body);
    }

    #[test]
    fn log_entry_uses_type_for_kind() {
        let body = serde_json::json!({"entries": [{"id": 1, "time": "2026-01-01T00:00:00Z",
            "originator": "Ada", "apiKeyName": "ci-deploy-key", "resource": "GET /v1/",
            "type": "authentication", "description": "authenticated from 127.0.0.1"}], "links": []});
        let page: SystemLogPage = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(page.entries[0].kind, "authentication");
        assert_eq!(serde_json::to_value(&page).unwrap(), body);
    }
}
