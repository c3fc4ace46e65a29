//! Records of the API's JSON answers: the account and calling key, and
//! the system log.

use redis_cloud_auth::api as core;

use crate::convert::{all, texts};

record! {
    /// One entry of an account's system log. Never holds a secret.
    #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
    pub struct SystemLogEntry from core::SystemLogEntry {
        /// Entry id, increasing with time.
        pub id: u64,
        /// When it happened (ISO-8601 UTC).
        pub time: String,
        /// Who acted: the key's owner, or the operator for admin actions.
        pub originator: String,
        /// Name of the user key used, when one was.
        pub api_key_name: Option<String>,
        /// What was acted on (for requests: method and path).
        pub resource: String,
        /// Kind of entry (for example `authentication`).
        pub kind: String,
        /// What happened, in words.
        pub description: String,
    }

    /// The account and the calling key, as `GET /v1/` answers.
    #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
    pub struct AccountInfo from core::AccountInfo {
        /// The account id.
        pub id: u64,
        /// The account's name.
        pub name: String,
        /// When the account was created (ISO-8601 UTC).
        pub created_timestamp: Option<String>,
        /// When the account last changed (ISO-8601 UTC).
        pub updated_timestamp: Option<String>,
        /// The key the request used.
        pub key: KeyInfo,
    }

    /// The user key a request used (never its value).
    #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
    pub struct KeyInfo from core::KeyInfo {
        /// The key's name.
        pub name: String,
        /// The account id.
        pub account_id: u64,
        /// The account's name.
        pub account_name: String,
        /// CIDRs the key may be used from; empty allows every source.
        pub allowed_source_ips: Vec<String>,
        /// When the key was created (ISO-8601 UTC).
        pub created_timestamp: Option<String>,
        /// The key's owner.
        pub owner: Owner,
        /// The source IP the server saw.
        pub http_source_ip: Option<String>,
    }

    /// The owner of a user key.
    #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
    pub struct Owner from core::Owner {
        /// The owner's name.
        pub name: String,
        /// The owner's email.
        pub email: String,
    }

    /// A page of the system log, newest first.
    #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
    pub struct SystemLogPage from core::SystemLogPage {
        /// The entries.
        pub entries: Vec<SystemLogEntry> => all,
        /// The page's links, each as JSON text.
        pub links: Vec<String> => texts,
    }
}
