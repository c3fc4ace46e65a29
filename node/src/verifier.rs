//! `Verifier`: accounts, owners and user keys, `authenticate`, and the
//! system log, over an in-memory store or a SQLite file.

use std::cell::RefCell;
use std::net::IpAddr;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use redis_cloud_auth::verify::{
    self as core, AccountId, AuthRequest as CoreAuthRequest, Principal as CorePrincipal, Role,
    UserId,
};
use redis_cloud_auth::SystemLogEntry as CoreLogEntry;

use crate::background::blocking;
use crate::errors::{auth_failure_fields, failure_number, invalid_arg, throw, Failure};
use crate::header_list::HeaderList;
use crate::principal_slots::PrincipalSlots;
use crate::request::{
    forwarded_for, peer_address, written_as, Arg, KeyHeader, OwnedRequest, Pairs, PrincipalObject,
    PrincipalTemplate, Text,
};
use crate::secret::Secret;

/// Decides whether requests authenticate, and manages the accounts, users
/// and keys it decides with. Admin calls and `authenticate` return
/// Promises and run off the JavaScript thread; `authenticateSync` runs on
/// it, for request handlers where a thread hop costs more than the check.
#[napi]
pub struct Verifier {
    inner: Arc<core::Verifier>,
    /// What `authenticateSync` remembers between calls, on the JS thread.
    lean: RefCell<Lean>,
}

/// `Number.MAX_SAFE_INTEGER`.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// The principals by key serial; the last source IP that differed from
/// the peer as written, and the last failure, for the JavaScript layer.
#[derive(Default)]
struct Lean {
    slots: PrincipalSlots,
    source_ip: Option<IpAddr>,
    failure: Option<core::AuthFailure>,
}

/// The error for a call made while `_authenticate` runs (never expected:
/// nothing it calls runs JavaScript).
fn busy() -> Error {
    Error::new(
        Status::GenericFailure,
        "the verifier is busy with another check",
    )
}

/// What `authenticate` looks at. Declares the TypeScript interface; the
/// hot path reads it with direct napi calls (`request.rs`).
#[napi(object, object_to_js = false)]
#[allow(dead_code)]
pub struct AuthRequest {
    /// HTTP method, for the system log (default `GET`).
    pub method: Option<String>,
    /// Request path, for the system log (default `/`).
    pub path: Option<String>,
    /// The request's headers: `req.headers`, `req.rawHeaders`, pairs or a Fetch `Headers`.
    #[napi(
        ts_type = "Record<string, string | string[] | undefined> | Array<[string, string]> | string[] | Iterable<[string, string]>"
    )]
    pub headers: HeaderList,
    /// The address the connection came from (`req.socket.remoteAddress`).
    pub peer: String,
}

/// Who a request authenticated as. Declares the TypeScript interface; the
/// object is built with direct napi calls (`request.rs`).
#[napi(object)]
#[allow(dead_code)]
pub struct Principal {
    /// The account.
    pub account_id: i64,
    /// The account's name.
    pub account_name: String,
    /// The key owner's user id.
    pub user_id: i64,
    /// The key owner's name.
    pub owner_name: String,
    /// The key owner's email.
    pub owner_email: String,
    /// The user key's name.
    pub key_name: String,
    /// The source IP the verifier saw (after trusted proxies).
    pub source_ip: String,
}

/// A user as the verifier shows it.
#[napi(object, object_from_js = false)]
pub struct UserInfo {
    /// User id.
    pub id: i64,
    /// The account.
    pub account_id: i64,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// `owner`, `member`, `viewer`, `billing-admin` or `logs-viewer`.
    #[napi(ts_type = "Role")]
    pub role: String,
}

/// A user key as the verifier shows it: never the key itself.
#[napi(object, object_from_js = false)]
pub struct UserKeyInfo {
    /// Key name, unique in the account.
    pub name: String,
    /// The account.
    pub account_id: i64,
    /// The owner's user id.
    pub owner_id: i64,
    /// The owner's name.
    pub owner_name: String,
    /// The owner's email.
    pub owner_email: String,
    /// Normalised CIDR entries; empty allows every source.
    pub allow_list: Vec<String>,
    /// Creation time, ISO-8601 UTC.
    pub created_timestamp: String,
    /// Whether the key authenticates today (its owner still has the owner role).
    pub active: bool,
}

/// One entry of an account's system log. Never holds a secret.
#[napi(object, object_from_js = false)]
pub struct SystemLogEntry {
    /// Entry id, increasing with time.
    pub id: i64,
    /// When it happened, ISO-8601 UTC.
    pub time: String,
    /// Who acted: the key's owner, or the operator for admin actions.
    pub originator: String,
    /// Name of the user key used, when one was.
    pub api_key_name: Option<String>,
    /// What was acted on (for requests: method and path).
    pub resource: String,
    /// Kind of entry (for example `authentication`).
    #[napi(js_name = "type")]
    pub kind: String,
    /// What happened, in words.
    pub description: String,
}

fn id(value: i64, what: &str) -> Result<u64> {
    u64::try_from(value).map_err(|_| invalid_arg(format!("{what} must be a non-negative integer")))
}

fn role(value: &str) -> Result<Role> {
    value
        .parse()
        .map_err(|e: core::UnknownRole| invalid_arg(e.to_string()))
}

fn js_id(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl From<core::UserInfo> for UserInfo {
    fn from(u: core::UserInfo) -> Self {
        UserInfo {
            id: js_id(u.id),
            account_id: js_id(u.account_id),
            name: u.name,
            email: u.email,
            role: u.role.as_str().to_string(),
        }
    }
}

impl From<core::UserKeyInfo> for UserKeyInfo {
    fn from(k: core::UserKeyInfo) -> Self {
        UserKeyInfo {
            name: k.name,
            account_id: js_id(k.account_id),
            owner_id: js_id(k.owner_id),
            owner_name: k.owner_name,
            owner_email: k.owner_email,
            allow_list: k.allow_list,
            created_timestamp: k.created_timestamp,
            active: k.active,
        }
    }
}

impl From<CoreLogEntry> for SystemLogEntry {
    fn from(e: CoreLogEntry) -> Self {
        SystemLogEntry {
            id: js_id(e.id),
            time: e.time,
            originator: e.originator,
            api_key_name: e.api_key_name,
            resource: e.resource,
            kind: e.kind,
            description: e.description,
        }
    }
}

/// Runs the core check on a request read from JavaScript.
fn authenticate(
    verifier: &core::Verifier,
    request: &OwnedRequest,
) -> std::result::Result<CorePrincipal, Failure> {
    let pairs: Vec<(&str, &[u8])> = request
        .headers
        .pairs()
        .map(|(n, v)| (n, v.expose().as_bytes()))
        .collect();
    let request = CoreAuthRequest::from_pairs(&request.method, &request.path, &pairs, request.peer);
    Ok(verifier.authenticate(&request)?)
}

impl Verifier {
    fn wrap(inner: core::Verifier) -> Self {
        Verifier {
            inner: Arc::new(inner),
            lean: RefCell::default(),
        }
    }
}

#[napi]
impl Verifier {
    /// A verifier over a new, empty in-memory store.
    #[napi(factory)]
    pub fn in_memory() -> Self {
        Verifier::wrap(core::Verifier::in_memory())
    }

    /// A verifier over the SQLite file at `path`, created (mode 0600) and
    /// migrated as needed. Several processes may share the file.
    #[napi(ts_return_type = "Promise<Verifier>")]
    pub fn open_sqlite<'env>(env: &'env Env, path: String) -> Result<PromiseRaw<'env, Verifier>> {
        blocking(env, move || {
            Ok(Verifier::wrap(core::Verifier::open_sqlite(path)?))
        })
    }

    /// A verifier over the Redis store at `url` (`redis://HOST:PORT`),
    /// shared with every other verifier that opens it.
    #[napi(ts_return_type = "Promise<Verifier>")]
    pub fn open_redis<'env>(env: &'env Env, url: String) -> Result<PromiseRaw<'env, Verifier>> {
        blocking(env, move || {
            Ok(Verifier::wrap(core::Verifier::open_redis(&url)?))
        })
    }

    /// Decides whether `request` authenticates: resolves the `Principal`,
    /// or rejects with an `AuthFailure` error (`code`, `status`,
    /// `publicMessage`). Every attempt tied to an account is logged.
    #[napi(
        ts_args_type = "request: AuthRequest",
        ts_return_type = "Promise<Principal>"
    )]
    pub fn authenticate<'env>(
        &self,
        env: &'env Env,
        request: OwnedRequest,
    ) -> Result<PromiseRaw<'env, PrincipalObject>> {
        let verifier = self.inner.clone();
        blocking(env, move || {
            authenticate(&verifier, &request).map(PrincipalObject)
        })
    }

    /// `authenticate` on the JavaScript thread: returns the `Principal` or
    /// throws an `AuthFailure` error. See docs/benchmarks.md for when it pays.
    #[napi(ts_args_type = "request: AuthRequest", ts_return_type = "Principal")]
    pub fn authenticate_sync(&self, env: Env, request: OwnedRequest) -> Result<PrincipalObject> {
        throw(
            &env,
            authenticate(&self.inner, &request).map(PrincipalObject),
        )
    }

    /// The check behind `authenticateSync`, for the JavaScript layer that
    /// read the request: the key headers (`undefined` when absent, `null`
    /// when repeated), the `X-Forwarded-For` values, and the peer as
    /// written. Returns `2 * s + d`: `s` is the key's serial, naming the
    /// principal's unchanging fields (see `_principal`), `d` is 1 when the source IP is not the peer as
    /// written (see `_sourceIp`). A failure returns `-(f + 1)`: `f` numbers
    /// an `AuthFailure` that reads the same every time, 0 one that does not
    /// (see `_failure`).
    #[allow(clippy::too_many_arguments)]
    #[napi(js_name = "_authenticate", skip_typescript)]
    pub fn authenticate_parts(
        &self,
        env: Env,
        method: Arg,
        path: Arg,
        account_key: Arg,
        user_key: Arg,
        forwarded: Arg,
        peer: Arg,
    ) -> Result<f64> {
        let raw = env.raw();
        let (mut method_text, mut path_text, mut peer_text) =
            (Text::new(), Text::new(), Text::new());
        let (mut account, mut user) = (KeyHeader::new(), KeyHeader::new());
        // SAFETY: napi values of this call, read on the JavaScript thread.
        let forwarded = unsafe {
            method_text.fill(raw, method.0, "request.method")?;
            path_text.fill(raw, path.0, "request.path")?;
            account.fill(raw, account_key.0, "x-api-key")?;
            user.fill(raw, user_key.0, "x-api-secret-key")?;
            peer_text.fill(raw, peer.0, "request.peer")?;
            forwarded_for(raw, forwarded.0)?
        };
        let peer_ip = peer_address(&peer_text)?;
        let mut pairs = Pairs::new();
        account.push(redis_cloud_auth::ACCOUNT_KEY_HEADER, &mut pairs);
        user.push(redis_cloud_auth::USER_KEY_HEADER, &mut pairs);
        for value in &forwarded {
            pairs.push((core::FORWARDED_FOR_HEADER, value.as_str().as_bytes()));
        }
        let pairs = pairs.as_slice();
        let request =
            CoreAuthRequest::from_pairs(method_text.as_str(), path_text.as_str(), pairs, peer_ip);
        let mut lean = self.lean.try_borrow_mut().map_err(|_| busy())?;
        let outcome = self.inner.authenticate_with(&request, |principal| {
            lean.slots.keep(principal.key_serial, &principal);
            (principal.key_serial, principal.source_ip)
        });
        let (serial, source_ip) = match outcome {
            Ok(found) => found,
            Err(failure) => {
                if let core::AuthFailure::SourceIpNotAllowed { source_ip } = failure {
                    lean.source_ip = Some(source_ip);
                }
                let number = failure_number(&failure);
                lean.failure = Some(failure);
                return Ok(-f64::from(number + 1));
            }
        };
        let differs = !written_as(source_ip, peer_text.as_str());
        lean.source_ip = differs.then_some(source_ip);
        Ok((serial * 2 + u64::from(differs)) as f64)
    }

    /// The unchanging part of the principal of key serial `s` (from
    /// `_authenticate`); `null` once forgotten.
    #[napi(js_name = "_principal", skip_typescript)]
    pub fn principal_template(&self, serial: f64) -> Option<PrincipalTemplate> {
        if !(0.0..=MAX_SAFE_INTEGER).contains(&serial) || serial.fract() != 0.0 {
            return None;
        }
        let lean = self.lean.try_borrow().ok()?;
        lean.slots.get(serial as u64).map(PrincipalTemplate::from)
    }

    /// The source IP of the last `_authenticate` that reported it differs,
    /// or that failed for it.
    #[napi(js_name = "_sourceIp", skip_typescript)]
    pub fn last_source_ip(&self) -> Option<String> {
        self.lean
            .try_borrow()
            .ok()?
            .source_ip
            .map(|ip| ip.to_string())
    }

    /// The fields of the last `_authenticate` failure's error.
    #[napi(js_name = "_failure", skip_typescript)]
    pub fn last_failure<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let lean = self.lean.try_borrow().map_err(|_| busy())?;
        let failure = lean
            .failure
            .as_ref()
            .ok_or_else(|| Failure::Internal("no failure to report".into()).into_js(env))?;
        auth_failure_fields(env, failure)
    }

    /// Creates an account (API disabled) and resolves its id.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn create_account<'env>(
        &self,
        env: &'env Env,
        name: String,
    ) -> Result<PromiseRaw<'env, i64>> {
        let verifier = self.inner.clone();
        blocking(env, move || Ok(js_id(verifier.create_account(&name)?)))
    }

    /// Adds a user to an account and resolves the user's id.
    #[napi(
        ts_args_type = "account: number, name: string, email: string, role: Role",
        ts_return_type = "Promise<number>"
    )]
    pub fn add_user<'env>(
        &self,
        env: &'env Env,
        account: i64,
        name: String,
        email: String,
        role: String,
    ) -> Result<PromiseRaw<'env, i64>> {
        let (account, role) = (id(account, "account")?, self::role(&role)?);
        let verifier = self.inner.clone();
        blocking(env, move || {
            Ok(js_id(verifier.add_user(account, &name, &email, role)?))
        })
    }

    /// Changes a user's role; a key whose owner stops being an owner stops working.
    #[napi(
        ts_args_type = "account: number, user: number, role: Role",
        ts_return_type = "Promise<void>"
    )]
    pub fn set_user_role<'env>(
        &self,
        env: &'env Env,
        account: i64,
        user: i64,
        role: String,
    ) -> Result<PromiseRaw<'env, ()>> {
        let (account, user, role) = (
            id(account, "account")?,
            id(user, "user")?,
            self::role(&role)?,
        );
        let verifier = self.inner.clone();
        blocking(
            env,
            move || Ok(verifier.set_user_role(account, user, role)?),
        )
    }

    /// Enables the API. The first time, resolves the new account key (the
    /// only time it can be read); later, null.
    #[napi(ts_return_type = "Promise<Secret | null>")]
    pub fn enable_api<'env>(
        &self,
        env: &'env Env,
        account: i64,
    ) -> Result<PromiseRaw<'env, Option<Secret>>> {
        let account = id(account, "account")?;
        let verifier = self.inner.clone();
        blocking(env, move || {
            Ok(verifier.enable_api(account)?.map(Secret::from))
        })
    }

    /// Disables the API: every request of the account fails with `api_disabled`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn disable_api<'env>(&self, env: &'env Env, account: i64) -> Result<PromiseRaw<'env, ()>> {
        let account = id(account, "account")?;
        let verifier = self.inner.clone();
        blocking(env, move || Ok(verifier.disable_api(account)?))
    }

    /// Replaces the account key and resolves the new one, once.
    #[napi(ts_return_type = "Promise<Secret>")]
    pub fn rotate_account_key<'env>(
        &self,
        env: &'env Env,
        account: i64,
    ) -> Result<PromiseRaw<'env, Secret>> {
        let account = id(account, "account")?;
        let verifier = self.inner.clone();
        blocking(env, move || {
            Ok(verifier.rotate_account_key(account)?.into())
        })
    }

    /// Creates a user key named `name` for `owner` and resolves it, once.
    /// `actingUser` and `owner` must be owners of the account; `allowList`
    /// holds CIDRs (empty or absent allows every source).
    #[napi(ts_return_type = "Promise<Secret>")]
    pub fn create_user_key<'env>(
        &self,
        env: &'env Env,
        account: i64,
        acting_user: i64,
        owner: i64,
        name: String,
        allow_list: Option<Vec<String>>,
    ) -> Result<PromiseRaw<'env, Secret>> {
        let account = id(account, "account")?;
        let (acting_user, owner): (UserId, UserId) =
            (id(acting_user, "actingUser")?, id(owner, "owner")?);
        let allow_list = allow_list.unwrap_or_default();
        let verifier = self.inner.clone();
        blocking(env, move || {
            Ok(verifier
                .create_user_key(account, acting_user, owner, &name, &allow_list)?
                .into())
        })
    }

    /// Replaces a user key's allow list; `actingUser` must be an owner.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn set_allow_list<'env>(
        &self,
        env: &'env Env,
        account: i64,
        acting_user: i64,
        name: String,
        allow_list: Vec<String>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let (account, acting_user) = (id(account, "account")?, id(acting_user, "actingUser")?);
        let verifier = self.inner.clone();
        blocking(env, move || {
            Ok(verifier.set_allow_list(account, acting_user, &name, &allow_list)?)
        })
    }

    /// Deletes a user key; once this resolves it never authenticates again.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn delete_user_key<'env>(
        &self,
        env: &'env Env,
        account: i64,
        acting_user: i64,
        name: String,
    ) -> Result<PromiseRaw<'env, ()>> {
        let (account, acting_user) = (id(account, "account")?, id(acting_user, "actingUser")?);
        let verifier = self.inner.clone();
        blocking(env, move || {
            Ok(verifier.delete_user_key(account, acting_user, &name)?)
        })
    }

    /// The account's user keys, by name; never a key.
    #[napi(ts_return_type = "Promise<UserKeyInfo[]>")]
    pub fn list_user_keys<'env>(
        &self,
        env: &'env Env,
        account: i64,
    ) -> Result<PromiseRaw<'env, Vec<UserKeyInfo>>> {
        let account: AccountId = id(account, "account")?;
        let verifier = self.inner.clone();
        blocking(env, move || {
            Ok(verifier
                .list_user_keys(account)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// The account's users, by id.
    #[napi(ts_return_type = "Promise<UserInfo[]>")]
    pub fn list_users<'env>(
        &self,
        env: &'env Env,
        account: i64,
    ) -> Result<PromiseRaw<'env, Vec<UserInfo>>> {
        let account = id(account, "account")?;
        let verifier = self.inner.clone();
        blocking(env, move || {
            Ok(verifier
                .list_users(account)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// Whether the account has the API enabled.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn api_enabled<'env>(
        &self,
        env: &'env Env,
        account: i64,
    ) -> Result<PromiseRaw<'env, bool>> {
        let account = id(account, "account")?;
        let verifier = self.inner.clone();
        blocking(env, move || Ok(verifier.api_enabled(account)?))
    }

    /// The account's system log, newest first: `limit` entries (default
    /// 100, at most 1000) after skipping `offset`.
    #[napi(ts_return_type = "Promise<SystemLogEntry[]>")]
    pub fn system_log<'env>(
        &self,
        env: &'env Env,
        account: i64,
        offset: Option<i64>,
        limit: Option<u32>,
    ) -> Result<PromiseRaw<'env, Vec<SystemLogEntry>>> {
        let account = id(account, "account")?;
        let offset = id(offset.unwrap_or(0), "offset")?;
        let limit = limit.unwrap_or(redis_cloud_auth::api::LOG_DEFAULT_LIMIT);
        let verifier = self.inner.clone();
        blocking(env, move || {
            Ok(verifier
                .system_log(account, offset, limit)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// Waits until every queued system-log entry is written.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn flush_system_log<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, ()>> {
        let verifier = self.inner.clone();
        blocking(env, move || Ok(verifier.flush_system_log()?))
    }

    /// Trusts `X-Forwarded-For` from peers in these networks (CIDRs).
    #[napi(setter)]
    pub fn set_trusted_proxies(&self, nets: Vec<String>) -> Result<()> {
        let nets = nets
            .iter()
            .map(|n| {
                n.trim()
                    .parse::<ipnet::IpNet>()
                    .or_else(|_| n.trim().parse::<IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| invalid_arg(format!("`{n}` is not a CIDR such as 10.0.0.0/8")))
            })
            .collect::<Result<Vec<_>>>()?;
        self.inner.set_trusted_proxies(nets);
        Ok(())
    }

    /// The trusted proxy networks.
    #[napi(getter)]
    pub fn trusted_proxies(&self) -> Vec<String> {
        self.inner
            .trusted_proxies()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// `Verifier(accounts: N, user keys: M)`.
    #[napi]
    #[allow(clippy::inherent_to_string)]
    pub fn to_string(&self) -> String {
        format!("{:?}", self.inner)
    }
}
