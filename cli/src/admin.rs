//! `rcauth admin`: accounts, users, API enablement, user keys, allow lists
//! and the system log, on the data dir's store. Safe while `rcauth serve`
//! runs on the same dir: the server sees each change on its next request.
//!
//! A bad argument (unknown account, short key name, bad CIDR) fails with
//! exit code 2 before anything is written.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use redis_cloud_auth::api::{SystemLogPage, LOG_DEFAULT_LIMIT, LOG_MAX_LIMIT};
use redis_cloud_auth::verify::{AdminError, Role, UserKeyInfo, Verifier};
use serde::Serialize;

use crate::error::CliError;
use crate::output::{system_log_table, table, Output};
use crate::store::{self, Create};

/// Arguments of `rcauth admin`.
#[derive(Debug, Args)]
pub struct AdminArgs {
    /// Data dir holding the SQLite store (default: $RCAUTH_DATA, else the platform data dir).
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Redis store shared by a fleet of verifiers, instead of the data dir's
    /// SQLite store: redis://[:PASSWORD@]HOST:PORT[/DB].
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "RCAUTH_STORE",
        hide_env_values = true,
        conflicts_with = "data"
    )]
    pub store: Option<String>,
    /// What to administer.
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// Every `rcauth admin` command.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create and list accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Add users, change their roles, list them.
    #[command(subcommand)]
    User(UserCommand),
    /// Enable or disable an account's API access; rotate its account key.
    #[command(subcommand)]
    Api(ApiCommand),
    /// Create, list and delete user keys; set their allow lists.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Show an account's system log, newest first.
    Logs(LogsArgs),
}

/// `rcauth admin account ...`
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account (API disabled) and print its id.
    Create {
        /// Account name.
        #[arg(long)]
        name: String,
    },
    /// List every account.
    List,
}

/// `rcauth admin user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user to an account and print the user's id.
    Add {
        /// Account id.
        #[arg(long)]
        account: u64,
        /// The user's name.
        #[arg(long)]
        name: String,
        /// The user's email.
        #[arg(long)]
        email: String,
        /// owner, member, viewer, billing-admin or logs-viewer (only owners hold user keys).
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Change a user's role (a key whose owner stops being an owner stops working).
    SetRole {
        /// Account id.
        #[arg(long)]
        account: u64,
        /// User id.
        #[arg(long)]
        user: u64,
        /// owner, member, viewer, billing-admin or logs-viewer.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// List an account's users.
    List {
        /// Account id.
        #[arg(long)]
        account: u64,
    },
}

/// `rcauth admin api ...`
#[derive(Debug, Subcommand)]
pub enum ApiCommand {
    /// Enable API access; the first time, print the new account key (once).
    Enable {
        /// Account id.
        #[arg(long)]
        account: u64,
    },
    /// Disable API access: every request of the account gets 401.
    Disable {
        /// Account id.
        #[arg(long)]
        account: u64,
    },
    /// Replace the account key and print the new one (once).
    RotateKey {
        /// Account id.
        #[arg(long)]
        account: u64,
    },
}

/// `rcauth admin keys ...`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a user key for an owner and print it (once).
    Create {
        /// Account id.
        #[arg(long)]
        account: u64,
        /// User id of the owner who will hold the key.
        #[arg(long)]
        owner: u64,
        /// Key name: 10 to 50 letters, digits, '-' or '_'.
        #[arg(long)]
        name: String,
        /// Allow requests only from this CIDR (repeatable); none allows every source.
        #[arg(long = "allow", value_name = "CIDR")]
        allow: Vec<String>,
        /// User id of the owner creating it (default: the key's owner).
        #[arg(long = "as", value_name = "USER")]
        acting: Option<u64>,
    },
    /// List an account's user keys (never the keys themselves).
    List {
        /// Account id.
        #[arg(long)]
        account: u64,
    },
    /// Delete a user key; it never authenticates again.
    Delete {
        /// Account id.
        #[arg(long)]
        account: u64,
        /// Key name.
        name: String,
        /// User id of the owner deleting it (default: the key's owner).
        #[arg(long = "as", value_name = "USER")]
        acting: Option<u64>,
    },
    /// Set or clear a user key's CIDR allow list.
    #[command(subcommand)]
    AllowList(AllowListCommand),
}

/// `rcauth admin keys allow-list ...`
#[derive(Debug, Subcommand)]
pub enum AllowListCommand {
    /// Replace a key's allow list with these CIDRs.
    Set {
        /// Account id.
        #[arg(long)]
        account: u64,
        /// Key name.
        name: String,
        /// CIDRs (e.g. 10.0.0.0/8 192.0.2.7/32).
        #[arg(required = true, value_name = "CIDR")]
        cidrs: Vec<String>,
        /// User id of the owner changing it (default: the key's owner).
        #[arg(long = "as", value_name = "USER")]
        acting: Option<u64>,
    },
    /// Remove a key's allow list: every source is allowed.
    Clear {
        /// Account id.
        #[arg(long)]
        account: u64,
        /// Key name.
        name: String,
        /// User id of the owner changing it (default: the key's owner).
        #[arg(long = "as", value_name = "USER")]
        acting: Option<u64>,
    },
}

/// Arguments of `rcauth admin logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Account id.
    #[arg(long)]
    pub account: u64,
    /// Entries to skip (newest first).
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
    /// Entries to show (at most 1000).
    #[arg(long, default_value_t = LOG_DEFAULT_LIMIT, value_parser = clap::value_parser!(u32).range(0..=LOG_MAX_LIMIT as i64))]
    pub limit: u32,
}

fn parse_role(value: &str) -> Result<Role, String> {
    value.parse::<Role>().map_err(|e| e.to_string())
}

/// Maps a verifier admin error: bad input exits 2, the rest 1.
pub fn admin_error(err: AdminError) -> CliError {
    let code = err.code();
    let message = err.to_string();
    match err {
        AdminError::Store(_) | AdminError::Randomness => CliError::failure(code, message),
        _ => CliError::usage(code, format!("{message}; nothing was changed")),
    }
}

/// Like [`admin_error`], naming the account when it is the one not found.
fn in_account(account: u64) -> impl Fn(AdminError) -> CliError {
    move |err| match err {
        AdminError::NotFound { what: "account" } => CliError::usage(
            "not_found",
            format!("account {account} not found; nothing was changed"),
        ),
        other => admin_error(other),
    }
}

/// Runs `rcauth admin ...`.
pub fn run(args: AdminArgs, out: Output) -> Result<(), CliError> {
    let create = match args.command {
        AdminCommand::Account(AccountCommand::Create { .. }) => Create::Yes,
        _ => Create::No,
    };
    let verifier = store::open(args.data.as_deref(), args.store.as_deref(), create)?;
    let result = match args.command {
        AdminCommand::Account(command) => account(&verifier, command, out),
        AdminCommand::User(command) => user(&verifier, command, out),
        AdminCommand::Api(command) => api(&verifier, command, out),
        AdminCommand::Keys(command) => keys(&verifier, command, out),
        AdminCommand::Logs(args) => logs(&verifier, args, out),
    };
    verifier.flush_system_log().map_err(admin_error)?;
    result
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountRow {
    id: u64,
    name: String,
    api_enabled: bool,
}

fn account(verifier: &Verifier, command: AccountCommand, out: Output) -> Result<(), CliError> {
    match command {
        AccountCommand::Create { name } => {
            let id = verifier.create_account(&name).map_err(admin_error)?;
            let row = AccountRow {
                id,
                name,
                api_enabled: false,
            };
            out.emit(&row, |w| writeln!(w, "{id}"))?;
            out.note(&format!(
                "created account {id} `{}` (API disabled; enable it with `rcauth admin api enable --account {id}`)",
                row.name
            ));
            Ok(())
        }
        AccountCommand::List => {
            let snapshot = verifier.store().load().map_err(|e| admin_error(e.into()))?;
            let rows: Vec<AccountRow> = snapshot
                .accounts
                .into_iter()
                .map(|a| AccountRow {
                    id: a.id,
                    name: a.name,
                    api_enabled: a.api_enabled,
                })
                .collect();
            out.emit(&rows, |w| {
                let cells: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| vec![r.id.to_string(), r.name.clone(), yes_no(r.api_enabled)])
                    .collect();
                w.write_all(table(&["id", "name", "api"], &cells).as_bytes())
            })
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserRow {
    id: u64,
    account_id: u64,
    name: String,
    email: String,
    role: &'static str,
}

fn user(verifier: &Verifier, command: UserCommand, out: Output) -> Result<(), CliError> {
    match command {
        UserCommand::Add {
            account,
            name,
            email,
            role,
        } => {
            let id = verifier
                .add_user(account, &name, &email, role)
                .map_err(in_account(account))?;
            let row = UserRow {
                id,
                account_id: account,
                name,
                email,
                role: role.as_str(),
            };
            out.emit(&row, |w| writeln!(w, "{id}"))?;
            out.note(&format!(
                "added user {id} `{}` <{}> to account {account} as {role}",
                row.name, row.email
            ));
            Ok(())
        }
        UserCommand::SetRole {
            account,
            user,
            role,
        } => {
            verifier
                .set_user_role(account, user, role)
                .map_err(in_account(account))?;
            let value =
                serde_json::json!({"accountId": account, "userId": user, "role": role.as_str()});
            out.emit_done(
                &value,
                &format!("user {user} of account {account} now has role {role}"),
            )
        }
        UserCommand::List { account } => {
            let users = verifier.list_users(account).map_err(in_account(account))?;
            let rows: Vec<UserRow> = users
                .into_iter()
                .map(|u| UserRow {
                    id: u.id,
                    account_id: u.account_id,
                    name: u.name,
                    email: u.email,
                    role: u.role.as_str(),
                })
                .collect();
            out.emit(&rows, |w| {
                let cells: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.id.to_string(),
                            r.name.clone(),
                            r.email.clone(),
                            r.role.to_string(),
                        ]
                    })
                    .collect();
                w.write_all(table(&["id", "name", "email", "role"], &cells).as_bytes())
            })
        }
    }
}

fn api(verifier: &Verifier, command: ApiCommand, out: Output) -> Result<(), CliError> {
    match command {
        ApiCommand::Enable { account } => {
            match verifier.enable_api(account).map_err(in_account(account))? {
                Some(key) => {
                    let value = serde_json::json!({"accountId": account, "apiEnabled": true,
                        "accountKey": key.expose()});
                    out.emit_new_secret(
                        &value,
                        &key,
                        &format!("API enabled for account {account}; above is its account key (x-api-key), shown only this once"),
                    )
                }
                None => {
                    let value = serde_json::json!({"accountId": account, "apiEnabled": true,
                        "accountKey": null});
                    out.emit_done(
                        &value,
                        &format!("API enabled for account {account}; its account key was shown when first created (replace it with `rcauth admin api rotate-key`)"),
                    )
                }
            }
        }
        ApiCommand::Disable { account } => {
            verifier.disable_api(account).map_err(in_account(account))?;
            let value = serde_json::json!({"accountId": account, "apiEnabled": false});
            out.emit_done(&value, &format!("API disabled for account {account}"))
        }
        ApiCommand::RotateKey { account } => {
            let key = verifier
                .rotate_account_key(account)
                .map_err(in_account(account))?;
            let value = serde_json::json!({"accountId": account, "accountKey": key.expose()});
            out.emit_new_secret(
                &value,
                &key,
                &format!("new account key for account {account} above, shown only this once; the old one no longer works"),
            )
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyRow {
    name: String,
    account_id: u64,
    owner_id: u64,
    owner_name: String,
    owner_email: String,
    allow_list: Vec<String>,
    created_timestamp: String,
    active: bool,
}

impl From<UserKeyInfo> for KeyRow {
    fn from(k: UserKeyInfo) -> Self {
        KeyRow {
            name: k.name,
            account_id: k.account_id,
            owner_id: k.owner_id,
            owner_name: k.owner_name,
            owner_email: k.owner_email,
            allow_list: k.allow_list,
            created_timestamp: k.created_timestamp,
            active: k.active,
        }
    }
}

/// The key named `name` in `account`, or a clear not-found error.
fn find_key(verifier: &Verifier, account: u64, name: &str) -> Result<UserKeyInfo, CliError> {
    verifier
        .list_user_keys(account)
        .map_err(in_account(account))?
        .into_iter()
        .find(|k| k.name == name)
        .ok_or_else(|| {
            CliError::usage(
                "not_found",
                format!("account {account} has no user key named `{name}`; nothing was changed"),
            )
        })
}

/// The acting owner: the one given, else the key's owner.
fn acting_owner(
    verifier: &Verifier,
    account: u64,
    name: &str,
    acting: Option<u64>,
) -> Result<u64, CliError> {
    match acting {
        Some(user) => Ok(user),
        None => Ok(find_key(verifier, account, name)?.owner_id),
    }
}

fn keys(verifier: &Verifier, command: KeysCommand, out: Output) -> Result<(), CliError> {
    match command {
        KeysCommand::Create {
            account,
            owner,
            name,
            allow,
            acting,
        } => {
            let key = verifier
                .create_user_key(account, acting.unwrap_or(owner), owner, &name, &allow)
                .map_err(in_account(account))?;
            let info = find_key(verifier, account, &name)?;
            let value = serde_json::json!({"name": info.name, "accountId": account,
                "ownerId": owner, "allowList": info.allow_list, "userKey": key.expose()});
            let sources = if info.allow_list.is_empty() {
                "any source".to_string()
            } else {
                info.allow_list.join(", ")
            };
            out.emit_new_secret(
                &value,
                &key,
                &format!("user key `{name}` for {} <{}> (allowed from {sources}) above, shown only this once", info.owner_name, info.owner_email),
            )
        }
        KeysCommand::List { account } => {
            let rows: Vec<KeyRow> = verifier
                .list_user_keys(account)
                .map_err(in_account(account))?
                .into_iter()
                .map(KeyRow::from)
                .collect();
            out.emit(&rows, |w| {
                let cells: Vec<Vec<String>> = rows
                    .iter()
                    .map(|k| {
                        vec![
                            k.name.clone(),
                            format!("{} ({})", k.owner_name, k.owner_id),
                            allow_list_text(&k.allow_list),
                            k.created_timestamp.clone(),
                            yes_no(k.active),
                        ]
                    })
                    .collect();
                w.write_all(
                    table(
                        &["name", "owner", "allowed from", "created", "active"],
                        &cells,
                    )
                    .as_bytes(),
                )
            })
        }
        KeysCommand::Delete {
            account,
            name,
            acting,
        } => {
            let acting = acting_owner(verifier, account, &name, acting)?;
            verifier
                .delete_user_key(account, acting, &name)
                .map_err(in_account(account))?;
            let value = serde_json::json!({"accountId": account, "name": name, "deleted": true});
            out.emit_done(
                &value,
                &format!("deleted user key `{name}` of account {account}"),
            )
        }
        KeysCommand::AllowList(command) => {
            let (account, name, cidrs, acting) = match command {
                AllowListCommand::Set {
                    account,
                    name,
                    cidrs,
                    acting,
                } => (account, name, cidrs, acting),
                AllowListCommand::Clear {
                    account,
                    name,
                    acting,
                } => (account, name, Vec::new(), acting),
            };
            let acting = acting_owner(verifier, account, &name, acting)?;
            verifier
                .set_allow_list(account, acting, &name, &cidrs)
                .map_err(in_account(account))?;
            let info = find_key(verifier, account, &name)?;
            let value = serde_json::json!({"accountId": account, "name": name,
                "allowList": info.allow_list});
            out.emit_done(
                &value,
                &format!(
                    "user key `{name}` is allowed from {}",
                    allow_list_text(&info.allow_list)
                ),
            )
        }
    }
}

fn logs(verifier: &Verifier, args: LogsArgs, out: Output) -> Result<(), CliError> {
    let entries = verifier
        .system_log(args.account, args.offset, args.limit)
        .map_err(in_account(args.account))?;
    let page = SystemLogPage {
        entries,
        links: Vec::new(),
    };
    out.emit(&page, |w| {
        w.write_all(system_log_table(&page.entries).as_bytes())
    })
}

fn allow_list_text(list: &[String]) -> String {
    if list.is_empty() {
        "any".to_string()
    } else {
        list.join(", ")
    }
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_string()
}
