//! `Verifier`: accounts, owners and user keys, `authenticate`, and the
//! system log, over an in-memory store or a SQLite file.

use std::net::IpAddr;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use redis_cloud_auth::verify::{self as core, AdminError, Outcome, Role, TrustedProxies};
use redis_cloud_auth::SystemLogEntry as CoreLogEntry;

use crate::background::blocking;
use crate::errors::{invalid_arg, throw, Failure};
use crate::request::{js_string, kept, remember_failure, Parts};
use crate::secret::Secret;

/// Decides whether requests authenticate, and manages the accounts, users
/// and keys it decides with. Admin calls and `authenticate` return
/// Promises and run off the JavaScript thread; `authenticateSync` runs on
/// it, for request handlers where a thread hop costs more than the check.
/// Both read the request in `auth-request.js`.
#[napi]
pub struct Verifier {
    inner: Arc<core::Verifier>,
}

/// Who a request authenticated as.
#[napi(object, object_from_js = false)]
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
    pub kind: String,
    /// What happened, in words.
    pub description: String,
}

/// `From` the core record for a JavaScript one, field by field (each
/// through `= conversion` when given).
macro_rules! from_core {
    ($core:ty => $name:ident { $($field:ident $(= $conv:expr)?),* $(,)? }) => {
        impl From<$core> for $name {
            fn from(c: $core) -> Self {
                $name { $($field: from_core!(@field c.$field $(, $conv)?),)* }
            }
        }
    };
    (@field $value:expr) => { $value };
    (@field $value:expr, $conv:expr) => { $conv($value) };
}

from_core!(core::Principal => Principal {
    account_id = js_id, account_name, user_id = js_id, owner_name, owner_email, key_name,
    source_ip = |ip: IpAddr| ip.to_string(),
});
from_core!(core::UserInfo => UserInfo {
    id = js_id, account_id = js_id, name, email, role = |role: Role| role.to_string(),
});
from_core!(core::UserKeyInfo => UserKeyInfo {
    name, account_id = js_id, owner_id = js_id, owner_name, owner_email, allow_list,
    created_timestamp, active,
});
from_core!(CoreLogEntry => SystemLogEntry {
    id = js_id, time, originator, api_key_name, resource, kind, description,
});

/// Checks id arguments (non-negative integers) for the core, as an array;
/// a bad one throws `InvalidArg` naming it as JavaScript does.
macro_rules! ids {
    ($($arg:ident),+) => { [$(id($arg, stringify!($arg))?),+] };
}

fn id(value: i64, arg: &str) -> Result<u64> {
    let camel = |(i, w): (usize, &str)| match i {
        0 => w.to_string(),
        _ => w[..1].to_uppercase() + &w[1..],
    };
    u64::try_from(value).map_err(|_| {
        let name: String = arg.split('_').enumerate().map(camel).collect();
        invalid_arg(format!("{name} must be a non-negative integer"))
    })
}

fn role(value: &str) -> Result<Role> {
    (value.parse()).map_err(|e: core::UnknownRole| invalid_arg(e.to_string()))
}

fn js_id(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl Verifier {
    fn wrap(inner: core::Verifier) -> Self {
        Verifier {
            inner: Arc::new(inner),
        }
    }

    /// Runs `work` on this verifier off the JavaScript thread.
    fn run<'a, T, E, F>(&self, env: &'a Env, work: F) -> Result<PromiseRaw<'a, T>>
    where
        T: ToNapiValue + Send + 'static,
        E: Into<Failure>,
        F: FnOnce(&core::Verifier) -> std::result::Result<T, E> + Send + 'static,
    {
        let verifier = self.inner.clone();
        blocking(env, move || work(&verifier).map_err(Into::into))
    }
}

/// Converts every item of a core list.
fn all<A, B: From<A>>(items: Vec<A>) -> Vec<B> {
    items.into_iter().map(B::from).collect()
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
            Ok(Verifier::wrap(
                core::Verifier::open_sqlite(path).map_err(AdminError::from)?,
            ))
        })
    }

    /// A verifier over the Redis store at `url` (`redis://HOST:PORT`),
    /// shared with every other verifier that opens it.
    #[napi(ts_return_type = "Promise<Verifier>")]
    pub fn open_redis<'env>(env: &'env Env, url: String) -> Result<PromiseRaw<'env, Verifier>> {
        blocking(env, move || {
            Ok(Verifier::wrap(
                core::Verifier::open_redis(&url).map_err(AdminError::from)?,
            ))
        })
    }

    /// This verifier for `_authenticate` (kept on the instance by
    /// `auth-request.js`): a function of a handle skips the bookkeeping napi
    /// does on every call of a method for its `this`.
    #[napi(js_name = "_handle", skip_typescript)]
    pub fn handle(&self) -> External<Arc<core::Verifier>> {
        External::new(self.inner.clone())
    }

    /// The check behind `authenticate`, on the same arguments as
    /// `_authenticate` but the handle and the tables, off the JavaScript thread: resolves
    /// the `Principal` or rejects with the `AuthFailure` error.
    #[napi(js_name = "_authenticateAsync", skip_typescript)]
    pub fn authenticate_parts_async<'env>(
        &self,
        env: &'env Env,
        method: Unknown,
        path: Unknown,
        account_key: Unknown,
        user_key: Unknown,
        forwarded_for: Unknown,
        peer: Unknown,
    ) -> Result<PromiseRaw<'env, Principal>> {
        let args = [method, path, account_key, user_key, forwarded_for, peer];
        // SAFETY: napi values of this call, read on the JavaScript thread.
        let parts = unsafe { Parts::read(env.raw(), args)? };
        let verifier = self.inner.clone();
        blocking(env, move || {
            Ok(parts.check(&verifier, |p| p.to_principal())?.into())
        })
    }

    /// Creates an account (API disabled) and resolves its id.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn create_account<'a>(&self, env: &'a Env, name: String) -> Result<PromiseRaw<'a, i64>> {
        self.run(env, move |v| v.create_account(&name).map(js_id))
    }

    /// Adds a user to an account and resolves the user's id.
    #[napi(
        ts_args_type = "accountId: number, name: string, email: string, role: Role",
        ts_return_type = "Promise<number>"
    )]
    pub fn add_user<'a>(
        &self,
        env: &'a Env,
        account_id: i64,
        name: String,
        email: String,
        role: String,
    ) -> Result<PromiseRaw<'a, i64>> {
        let ([account_id], role) = (ids!(account_id), self::role(&role)?);
        self.run(env, move |v| {
            v.add_user(account_id, &name, &email, role).map(js_id)
        })
    }

    /// Changes a user's role; a key whose owner stops being an owner stops working.
    #[napi(
        ts_args_type = "accountId: number, userId: number, role: Role",
        ts_return_type = "Promise<void>"
    )]
    pub fn set_user_role<'a>(
        &self,
        env: &'a Env,
        account_id: i64,
        user_id: i64,
        role: String,
    ) -> Result<PromiseRaw<'a, ()>> {
        let ([account_id, user_id], role) = (ids!(account_id, user_id), self::role(&role)?);
        self.run(env, move |v| v.set_user_role(account_id, user_id, role))
    }

    /// Enables the API. The first time, resolves the new account key (the
    /// only time it can be read); later, null.
    #[napi(ts_return_type = "Promise<Secret | null>")]
    pub fn enable_api<'a>(
        &self,
        env: &'a Env,
        account_id: i64,
    ) -> Result<PromiseRaw<'a, Option<Secret>>> {
        let [account] = ids!(account_id);
        self.run(env, move |v| {
            v.enable_api(account).map(|key| key.map(Secret::from))
        })
    }

    /// Disables the API: every request of the account fails with `api_disabled`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn disable_api<'a>(&self, env: &'a Env, account_id: i64) -> Result<PromiseRaw<'a, ()>> {
        let [account] = ids!(account_id);
        self.run(env, move |v| v.disable_api(account))
    }

    /// Replaces the account key and resolves the new one, once.
    #[napi(ts_return_type = "Promise<Secret>")]
    pub fn rotate_account_key<'a>(
        &self,
        env: &'a Env,
        account_id: i64,
    ) -> Result<PromiseRaw<'a, Secret>> {
        let [account] = ids!(account_id);
        self.run(env, move |v| {
            v.rotate_account_key(account).map(Secret::from)
        })
    }

    /// Creates a user key named `name` for `ownerId` and resolves it, once.
    /// `actingUserId` and `ownerId` must be owners of the account; `allowList`
    /// holds CIDRs (empty or absent allows every source).
    #[napi(ts_return_type = "Promise<Secret>")]
    pub fn create_user_key<'a>(
        &self,
        env: &'a Env,
        account_id: i64,
        acting_user_id: i64,
        owner_id: i64,
        name: String,
        allow_list: Option<Vec<String>>,
    ) -> Result<PromiseRaw<'a, Secret>> {
        let [account, acting, owner] = ids!(account_id, acting_user_id, owner_id);
        let allow_list = allow_list.unwrap_or_default();
        self.run(env, move |v| {
            v.create_user_key(account, acting, owner, &name, &allow_list)
                .map(Secret::from)
        })
    }

    /// Replaces a user key's allow list; `actingUserId` must be an owner.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn set_allow_list<'a>(
        &self,
        env: &'a Env,
        account_id: i64,
        acting_user_id: i64,
        name: String,
        allow_list: Vec<String>,
    ) -> Result<PromiseRaw<'a, ()>> {
        let [account, acting] = ids!(account_id, acting_user_id);
        self.run(env, move |v| {
            v.set_allow_list(account, acting, &name, &allow_list)
        })
    }

    /// Deletes a user key; once this resolves it never authenticates again.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn delete_user_key<'a>(
        &self,
        env: &'a Env,
        account_id: i64,
        acting_user_id: i64,
        name: String,
    ) -> Result<PromiseRaw<'a, ()>> {
        let [account, acting] = ids!(account_id, acting_user_id);
        self.run(env, move |v| v.delete_user_key(account, acting, &name))
    }

    /// The account's user keys, by name; never a key.
    #[napi(ts_return_type = "Promise<UserKeyInfo[]>")]
    pub fn list_user_keys<'a>(
        &self,
        env: &'a Env,
        account_id: i64,
    ) -> Result<PromiseRaw<'a, Vec<UserKeyInfo>>> {
        let [account] = ids!(account_id);
        self.run(env, move |v| v.list_user_keys(account).map(all))
    }

    /// The account's users, by id.
    #[napi(ts_return_type = "Promise<UserInfo[]>")]
    pub fn list_users<'a>(
        &self,
        env: &'a Env,
        account_id: i64,
    ) -> Result<PromiseRaw<'a, Vec<UserInfo>>> {
        let [account] = ids!(account_id);
        self.run(env, move |v| v.list_users(account).map(all))
    }

    /// Whether the account has the API enabled.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn api_enabled<'a>(&self, env: &'a Env, account_id: i64) -> Result<PromiseRaw<'a, bool>> {
        let [account] = ids!(account_id);
        self.run(env, move |v| v.api_enabled(account))
    }

    /// The account's system log, newest first: `limit` entries (default
    /// 100, at most 1000) after skipping `offset`.
    #[napi(ts_return_type = "Promise<SystemLogEntry[]>")]
    pub fn system_log<'a>(
        &self,
        env: &'a Env,
        account_id: i64,
        offset: Option<i64>,
        limit: Option<u32>,
    ) -> Result<PromiseRaw<'a, Vec<SystemLogEntry>>> {
        let offset = offset.unwrap_or(0);
        let [account, offset] = ids!(account_id, offset);
        let limit = limit.unwrap_or(redis_cloud_auth::api::LOG_DEFAULT_LIMIT);
        self.run(env, move |v| v.system_log(account, offset, limit).map(all))
    }

    /// Waits until every queued system-log entry is written.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn flush_system_log<'a>(&self, env: &'a Env) -> Result<PromiseRaw<'a, ()>> {
        self.run(env, |v| v.flush_system_log())
    }

    /// Trusts `X-Forwarded-For` from peers in these networks (CIDRs or
    /// bare IPs); throws an `AdminError` (`invalid_cidr`) for any other entry.
    #[napi(setter)]
    pub fn set_trusted_proxies(&self, env: Env, proxies: Vec<String>) -> Result<()> {
        let nets = TrustedProxies::parse(&proxies).map_err(core::AdminError::from);
        self.inner.set_trusted_proxies(throw(&env, nets)?);
        Ok(())
    }

    /// The trusted proxy networks.
    #[napi(getter)]
    pub fn trusted_proxies(&self) -> Vec<String> {
        let nets = self.inner.trusted_proxies();
        nets.iter().map(ToString::to_string).collect()
    }

    /// `Verifier(accounts: N, user keys: M)`.
    #[napi]
    pub fn to_string(&self) -> String {
        format!("{:?}", self.inner)
    }
}

/// What `_authenticate` returns: the encoded outcome alone, with a text, or with the principal.
type Checked<'a> = Either3<f64, (f64, Unknown<'a>), (f64, Principal)>;

/// The check behind `authenticateSync`, on the parts `auth-request.js` found:
/// the encoded outcome, with the source IP when it is not the peer as given;
/// a failure's message, its fields kept in `failures`; or, for a key whose
/// slot in `serials` names another, the principal, for `check` to keep.
#[napi(js_name = "_authenticate", skip_typescript)]
pub fn authenticate_parts<'a>(
    env: &'a Env,
    verifier: &External<Arc<core::Verifier>>,
    method: Unknown,
    path: Unknown,
    account_key: Unknown,
    user_key: Unknown,
    forwarded_for: Unknown,
    peer: Unknown,
    serials: Unknown,
    failures: Unknown,
) -> Result<Checked<'a>> {
    let raw = env.raw();
    let args = [method, path, account_key, user_key, forwarded_for, peer];
    // SAFETY: napi values of this call, read on the JavaScript thread.
    let parts = unsafe { Parts::read(raw, args)? };
    let checked = parts.check(verifier, |p| -> Result<(f64, _, Option<core::Principal>)> {
        // `2 * serial + differs`: odd when the source IP is not the peer as given.
        let encoded = Outcome::authenticated(&p, parts.peer()).encode();
        // SAFETY: as above; a read that runs no JavaScript.
        let kept = unsafe { kept(raw, serials.raw(), p.key_serial) }?;
        let differs = (encoded & 1 == 1).then(|| p.source_ip.to_string());
        Ok((encoded as f64, differs, (!kept).then(|| p.to_principal())))
    });
    match checked {
        Ok(read) => Ok(match read? {
            (encoded, _, Some(fresh)) => Either3::C((encoded, fresh.into())),
            (encoded, Some(ip), None) => Either3::B((encoded, js_string(raw, &ip)?)),
            (encoded, None, None) => Either3::A(encoded),
        }),
        Err(failure) => {
            let encoded = Outcome::failed(&failure).encode() as f64;
            // SAFETY: as above.
            let message = unsafe { remember_failure(env, failures.raw(), &failure)? };
            Ok(Either3::B((encoded, message)))
        }
    }
}
