/** Stable error codes, the same in every language. */
export type ApiKeyErrorCode = 'empty_key' | 'key_length' | 'key_character'
export type HeaderErrorCode = 'missing_header' | 'empty_header' | 'duplicate_header' | 'malformed_header'
export type CredentialErrorCode =
  | 'not_found'
  | 'invalid_key'
  | 'incomplete'
  | 'conflict'
  | 'invalid_base_url'
  | 'invalid_profile_name'
  | 'insecure_permissions'
  | 'file_format'
  | 'io'
  | 'keychain'
  | 'store'

/** Which key of a pair. */
export type KeyKind = 'account' | 'user'

export type AuthFailureCode =
  | 'api_disabled'
  | 'missing_credentials'
  | 'malformed_credentials'
  | 'invalid_account_key'
  | 'invalid_user_key'
  | 'account_mismatch'
  | 'owner_role_revoked'
  | 'source_ip_not_allowed'
  | 'source_ip_unknown'
  | 'store_unavailable'
  | 'invalid_peer_address'
export type StoreErrorCode = 'store_conflict' | 'store_duplicate' | 'store_unavailable' | 'store_newer_schema' | 'store_corrupt'
export type AdminErrorCode =
  | 'not_found'
  | 'not_allowed'
  | 'invalid_name'
  | 'name_taken'
  | 'invalid_cidr'
  | 'allow_list_too_long'
  | 'randomness'
  | StoreErrorCode
export type ClientErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'not_found'
  | 'api_error'
  | 'timeout'
  | 'transport'
  | 'invalid_request'
  | 'credentials'

/** A user's role in an account. Only owners hold user keys. */
export type Role = 'owner' | 'member' | 'viewer' | 'billing-admin' | 'logs-viewer'

/** A key value was rejected (thrown by `new ApiKeys`). */
export interface ApiKeyError extends Error {
  name: 'ApiKeyError'
  code: ApiKeyErrorCode
  /** The reason in words (the same as `message`). */
  detail: string
  /** Which key. */
  key: KeyKind
}

/** A request's authentication headers could not be read. */
export interface HeaderError extends Error {
  name: 'HeaderError'
  code: HeaderErrorCode
  /** The reason in words (the same as `message`). */
  detail: string
  /** The header the error is about. */
  header: 'x-api-key' | 'x-api-secret-key'
}

/** Credentials could not be loaded, saved or resolved. */
export interface CredentialError extends Error {
  name: 'CredentialError'
  code: CredentialErrorCode
  /** The reason in words (the same as `message`). */
  detail: string
  /** For `invalid_key`: which key. */
  key?: KeyKind
}

/** A request did not authenticate (`Verifier.authenticate`). */
export interface AuthFailure extends Error {
  name: 'AuthFailure'
  /** The precise reason, for logs and tests. */
  code: AuthFailureCode
  /** The reason in words, for logs (the same as `message`). */
  detail: string
  /** The HTTP status to answer with: 401, 403 (allow list, or a source IP that cannot be determined), 500 (a peer that is not an IP address) or 503. */
  httpStatus: 401 | 403 | 500 | 503
  /** What the caller is shown: `unauthorized`, `forbidden`, `internal_error` or `service_unavailable`. */
  publicCode: 'unauthorized' | 'forbidden' | 'internal_error' | 'service_unavailable'
  /** The message the caller is shown (an account mismatch reads like an invalid user key). */
  publicMessage: string
  /** The JSON body `rcauth serve` answers with, byte for byte, as the core renders it. */
  errorBody: string
  /** For missing or malformed credentials: the header. */
  header?: 'x-api-key' | 'x-api-secret-key'
  /** For `source_ip_not_allowed`: the source IP. */
  sourceIp?: string
}

/** An admin operation of the `Verifier` was refused. */
export interface AdminError extends Error {
  name: 'AdminError'
  code: AdminErrorCode
  /** The reason in words (the same as `message`). */
  detail: string
}

/** A call to the API failed. */
export interface ClientError extends Error {
  name: 'ClientError'
  code: ClientErrorCode
  /** The reason in words (the same as `message`). */
  detail: string
  /** The HTTP status, when the server answered. */
  status?: number
  /** For `rate_limited`: the wait the server asked for, in seconds. */
  retryAfter?: number
  /** For `credentials`: the `CredentialError`. */
  cause?: CredentialError
}

/** `GET /v1/`: the account and the calling key. Never holds a secret. */
export interface AccountResponse {
  account: {
    id: number
    name: string
    createdTimestamp?: string
    updatedTimestamp?: string
    key: {
      name: string
      accountId: number
      accountName: string
      allowedSourceIps: string[]
      createdTimestamp?: string
      owner: { name: string; email: string }
      httpSourceIp?: string
    }
  }
}

/** Credentials as a store written in JavaScript may return them from `load`. */
export interface StoredCredentials {
  accountKey: string
  userKey: string
  baseUrl?: string | null
}

/**
 * A place that keeps credentials by profile name. `MemoryStore`,
 * `FileStore` and `KeychainStore` implement it; so can any object, e.g. a
 * wrapper over an app's own secure storage. Methods may return Promises.
 */
export interface CredentialStore {
  /** Saves (or replaces) the credentials of `profile`. */
  save(profile: string, credentials: Credentials): void | Promise<void>
  /** Loads the credentials of `profile`; null or undefined when there are none. */
  load(
    profile: string,
  ): Credentials | StoredCredentials | null | undefined | Promise<Credentials | StoredCredentials | null | undefined>
  /** Deletes the credentials of `profile`; returns whether there were any. */
  delete(profile: string): boolean | Promise<boolean>
  /** A short description for messages. */
  describe?(): string
}

/** Where `resolveCredentials` looks. Every field is optional. */
export interface ResolveCredentialsOptions {
  /** Used before anything else. */
  credentials?: Credentials
  /** The environment to read instead of `process.env` (tests, sandboxes). */
  env?: Record<string, string | undefined>
  /** The profile, overriding `REDIS_CLOUD_PROFILE` (default `default`). */
  profile?: string
  /** The profile file; `false` or `null` skips it. Default: `REDIS_CLOUD_CONFIG` or the platform path. */
  profileFile?: string | false | null
  /** `false` skips the OS keychain; a `KeychainStore` uses another service. */
  keychain?: boolean | KeychainStore | null
  /** Stores tried after the keychain, in order. */
  stores?: CredentialStore[]
}


/** A request's headers: `req.headers`, `req.rawHeaders`, `[name, value]` pairs, a Fetch `Headers` or a `Map`. */
export type RequestHeaders =
  | Record<string, string | string[] | undefined>
  | Array<[string, string]>
  | string[]
  | Iterable<[string, string]>

/** One request for `Verifier.authenticateMany`: the arguments of `authenticate`. */
export interface AuthRequest {
  /** HTTP method, for the system log. */
  method: string
  /** Request path, for the system log. */
  path: string
  /** The request's headers (the two keys and `X-Forwarded-For` are read). */
  headers: RequestHeaders
  /** The address the connection came from (`req.socket.remoteAddress`). */
  peer: string
}

/**
 * Reads the account key and user key from a request's headers (any
 * `RequestHeaders` shape). Names match in any case; each header must
 * appear once with a well-formed value. Throws a `HeaderError` with `code`
 * and `header`.
 */
export declare function parseAuthHeaders(headers: RequestHeaders): ApiKeys

/** Methods the package entry adds to the native `Verifier` class (auth-request.js). */
export interface Verifier {
  /**
   * Decides whether the request authenticates, off the JavaScript thread:
   * resolves the `Principal`, or rejects with an `AuthFailure` error
   * (`code`, `httpStatus`, `publicMessage`). Every attempt tied to an account
   * is logged. Throws `InvalidArg` for arguments it cannot read.
   */
  authenticate(method: string, path: string, headers: RequestHeaders, peer: string): Promise<Principal>
  /**
   * `authenticate` on the JavaScript thread: returns the `Principal` or
   * throws the `AuthFailure` error. See docs/benchmarks.md for when it pays.
   */
  authenticateSync(method: string, path: string, headers: RequestHeaders, peer: string): Principal
  /**
   * Checks each request as `authenticateSync` does (each is logged) and
   * returns `'ok'` or the failure's code for each, without building
   * principals or errors. Throws `InvalidArg` for a request it cannot read.
   */
  authenticateMany(requests: AuthRequest[]): Array<'ok' | AuthFailureCode>
}

/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

/**
 * The account key and user key that authenticate a Redis Cloud API
 * request. Validated on construction; printing it shows only a fingerprint.
 */
export declare class ApiKeys {
  /**
   * Validates both keys (visible ASCII, 8 to 256 characters); surrounding
   * whitespace is trimmed. Throws an `ApiKeyError` with `code` and `key`.
   */
  constructor(accountKey: string, userKey: string)
  /** A short non-secret identifier of the pair (`sha256:` and 12 hex digits). */
  get fingerprint(): string
  /** Fingerprint of the account key alone. */
  get accountFingerprint(): string
  /** Fingerprint of the user key alone. */
  get userFingerprint(): string
  /** The two headers as an object for `fetch`/axios. The values are the secrets. */
  authHeaders(): AuthHeaders
  /** The account key itself. Every place a secret leaves this object calls an `expose` method. */
  exposeAccountKey(): string
  /** The user key itself. */
  exposeUserKey(): string
  /** True when both keys are equal (compared in constant time). */
  equals(other: ApiKeys): boolean
  /** `ApiKeys(sha256:…)`: never a key. */
  toString(): string
  /** `{ fingerprint }` for `JSON.stringify`: never a key. */
  toJSON(): { fingerprint: string }
}

/**
 * An async client for the Redis Cloud API: timeouts, retries with
 * backoff on 429 and 5xx (honouring the server's retry-after), typed
 * errors. Every call returns a Promise.
 */
export declare class Client {
  /**
   * A client for `keys` or `credentials` (whose base URL it then uses).
   * Throws a `ClientError` (`invalid_request`) for a bad option.
   */
  constructor(keys: ApiKeys | Credentials, options?: ClientOptions)
  /**
   * A client for the credentials the chain finds (see
   * `resolveCredentials`; the default chain when `chain` is absent),
   * using their base URL unless `options` gives one. Resolves off the
   * JavaScript thread; rejects with a `ClientError` (`credentials`,
   * its `cause` the `CredentialError`) when the chain finds nothing.
   */
  static fromChain(chain?: ResolveCredentialsOptions | null, options?: ClientOptions): Promise<Client>
  /**
   * The account and the calling key (`GET /`), with the key's allow list
   * and the source IP the server saw.
   */
  account(): Promise<AccountResponse>
  /**
   * A page of the account's system log (`GET /logs`), newest first;
   * `limit` 1 to 1000 (default 100).
   */
  systemLog(offset?: number | undefined | null, limit?: number | undefined | null): Promise<SystemLogPage>
  /**
   * Any request: `method`, `path` relative to the base URL (may hold a
   * query), and an optional JSON body `json`. Non-2xx answers reject.
   */
  request(method: string, path: string, json?: any | undefined | null): Promise<ApiResponse>
  /** The base URL requests go to (no trailing slash). */
  get baseUrl(): string
  /** Fingerprint of the keys in use: safe to log and show. */
  get fingerprint(): string
  /** `Client(<base URL>, sha256:…)`: never a key. */
  toString(): string
}

/** A pair of keys and, optionally, the API base URL they belong to. */
export declare class Credentials {
  /**
   * Credentials for `keys`; `baseUrl` must be an http(s) URL (throws a
   * `CredentialError` with code `invalid_base_url`).
   */
  constructor(keys: ApiKeys, baseUrl?: string | undefined | null)
  /** The account key and user key. */
  get keys(): ApiKeys
  /** The API base URL, or null for the default. */
  get baseUrl(): string | null
  /** `Credentials(ApiKeys(sha256:…), <base URL>)`: never a key. */
  toString(): string
  /** `{ fingerprint, baseUrl }` for `JSON.stringify`: never a key. */
  toJSON(): CredentialsJson
}

/** Credentials in a TOML profile file, written atomically with mode 0600. */
export declare class FileStore {
  /** The store in the file at `path` (the file need not exist yet). */
  constructor(path: string)
  /** The file's path. */
  get path(): string
  /** Saves (or replaces) the credentials of `profile`. */
  save(profile: string, credentials: Credentials): Promise<void>
  /** Loads the credentials of `profile`, or null when there are none. */
  load(profile: string): Promise<Credentials | null>
  /** Deletes the credentials of `profile`; resolves whether there were any. */
  delete(profile: string): Promise<boolean>
  /** A short description for messages. */
  describe(): string
  /** The description; never a key. */
  toString(): string
}

/**
 * Credentials in the OS keychain (Linux kernel keyutils, macOS Keychain,
 * Windows Credential Manager), one entry per profile.
 */
export declare class KeychainStore {
  /** The store under the service `redis-cloud-auth`, or under `service`. */
  constructor(service?: string | undefined | null)
  /** Saves (or replaces) the credentials of `profile`. */
  save(profile: string, credentials: Credentials): Promise<void>
  /** Loads the credentials of `profile`, or null when there are none. */
  load(profile: string): Promise<Credentials | null>
  /** Deletes the credentials of `profile`; resolves whether there were any. */
  delete(profile: string): Promise<boolean>
  /** A short description for messages. */
  describe(): string
  /** The description; never a key. */
  toString(): string
}

/** Credentials kept in process memory; for tests and short-lived tools. */
export declare class MemoryStore {
  /** An empty store. */
  constructor()
  /** Saves (or replaces) the credentials of `profile`. */
  save(profile: string, credentials: Credentials): Promise<void>
  /** Loads the credentials of `profile`, or null when there are none. */
  load(profile: string): Promise<Credentials | null>
  /** Deletes the credentials of `profile`; resolves whether there were any. */
  delete(profile: string): Promise<boolean>
  /** A short description for messages. */
  describe(): string
  /** The description; never a key. */
  toString(): string
}

/**
 * A secret string: redacted in `toString`, `util.inspect` and `JSON.stringify`,
 * read only through `expose()`, compared in constant time.
 */
export declare class Secret {
  /** Wraps `value`. */
  constructor(value: string)
  /** The secret value itself. */
  expose(): string
  /** True when both hold the same value (constant time in the contents). */
  equals(other: Secret): boolean
  /** `** redacted **`. */
  toString(): string
  /** `"** redacted **"` for `JSON.stringify`. */
  toJSON(): string
}

/**
 * Decides whether requests authenticate, and manages the accounts, users
 * and keys it decides with. Admin calls and `authenticate` return
 * Promises and run off the JavaScript thread; `authenticateSync` runs on
 * it, for request handlers where a thread hop costs more than the check.
 * Both read the request in `auth-request.js`.
 */
export declare class Verifier {
  /** A verifier over a new, empty in-memory store. */
  static inMemory(): Verifier
  /**
   * A verifier over the SQLite file at `path`, created (mode 0600) and
   * migrated as needed. Several processes may share the file.
   */
  static openSqlite(path: string): Promise<Verifier>
  /**
   * A verifier over the Redis store at `url` (`redis://HOST:PORT`),
   * shared with every other verifier that opens it.
   */
  static openRedis(url: string): Promise<Verifier>
  /** Creates an account (API disabled) and resolves its id. */
  createAccount(name: string): Promise<number>
  /** Adds a user to an account and resolves the user's id. */
  addUser(accountId: number, name: string, email: string, role: Role): Promise<number>
  /** Changes a user's role; a key whose owner stops being an owner stops working. */
  setUserRole(accountId: number, userId: number, role: Role): Promise<void>
  /**
   * Enables the API. The first time, resolves the new account key (the
   * only time it can be read); later, null.
   */
  enableApi(accountId: number): Promise<Secret | null>
  /** Disables the API: every request of the account fails with `api_disabled`. */
  disableApi(accountId: number): Promise<void>
  /** Replaces the account key and resolves the new one, once. */
  rotateAccountKey(accountId: number): Promise<Secret>
  /**
   * Creates a user key named `name` for `ownerId` and resolves it, once.
   * `actingUserId` and `ownerId` must be owners of the account; `allowList`
   * holds CIDRs (empty or absent allows every source).
   */
  createUserKey(accountId: number, actingUserId: number, ownerId: number, name: string, allowList?: Array<string> | undefined | null): Promise<Secret>
  /** Replaces a user key's allow list; `actingUserId` must be an owner. */
  setAllowList(accountId: number, actingUserId: number, name: string, allowList: Array<string>): Promise<void>
  /** Deletes a user key; once this resolves it never authenticates again. */
  deleteUserKey(accountId: number, actingUserId: number, name: string): Promise<void>
  /** The account's user keys, by name; never a key. */
  listUserKeys(accountId: number): Promise<UserKeyInfo[]>
  /** The account's users, by id. */
  listUsers(accountId: number): Promise<UserInfo[]>
  /** Whether the account has the API enabled. */
  apiEnabled(accountId: number): Promise<boolean>
  /**
   * The account's system log, newest first: `limit` entries (default
   * 100, at most 1000) after skipping `offset`.
   */
  systemLog(accountId: number, offset?: number | undefined | null, limit?: number | undefined | null): Promise<SystemLogEntry[]>
  /** Waits until every queued system-log entry is written. */
  flushSystemLog(): Promise<void>
  /**
   * Trusts `X-Forwarded-For` from peers in these networks (CIDRs or
   * bare IPs); throws an `AdminError` (`invalid_cidr`) for any other entry.
   */
  set trustedProxies(proxies: Array<string>)
  /** The trusted proxy networks. */
  get trustedProxies(): Array<string>
  /** `Verifier(accounts: N, user keys: M)`. */
  toString(): string
}

/**
 * A successful answer to `request`: status, headers (never an
 * authentication header) and the JSON body (`null` when empty).
 */
export interface ApiResponse {
  /** HTTP status (2xx). */
  status: number
  /** Response headers, names in lower case (repeated ones joined with `, `). */
  headers: Record<string, string>
  /** The body parsed as JSON. */
  json: any
}

/** The two authentication headers, ready for `fetch` or axios. */
export interface AuthHeaders {
  /** The account key. */
  'x-api-key': string
  /** The user key. */
  'x-api-secret-key': string
}

/**
 * How a `Client` runs: the core's `ClientOptions`, times in
 * milliseconds. Every field is optional.
 */
export interface ClientOptions {
  /** API base URL (default: the credentials', the environment's, else `https://api.redislabs.com/v1`). */
  baseUrl?: string
  /** Time allowed for a whole request, in milliseconds (default 30000). */
  timeout?: number
  /** Time allowed to open a connection, in milliseconds (default 10000). */
  connectTimeout?: number
  /** Retries after the first attempt (default 3, at most 10). */
  maxRetries?: number
  /** Wait before the first retry, in milliseconds (default 250; doubled each time). */
  retryBackoffBase?: number
  /** Longest backoff wait, in milliseconds (default 8000). */
  retryBackoffCap?: number
  /** Longest server-requested wait to sleep through, in milliseconds (default 60000). */
  maxRetryAfter?: number
  /** Appended to the `User-Agent` header. */
  userAgentSuffix?: string
  /** Client-side limit in requests per minute. */
  rateLimitPerMinute?: number
  /** The environment to read the base URL from instead of `process.env`. */
  env?: Record<string, string | undefined | null>
}

/** What `JSON.stringify` shows of credentials: no key. */
export interface CredentialsJson {
  /** Fingerprint of the keys. */
  fingerprint: string
  /** The base URL, or null for the default. */
  baseUrl?: string
}

/** Who a request authenticated as. */
export interface Principal {
  /** The account. */
  accountId: number
  /** The account's name. */
  accountName: string
  /** The key owner's user id. */
  userId: number
  /** The key owner's name. */
  ownerName: string
  /** The key owner's email. */
  ownerEmail: string
  /** The user key's name. */
  keyName: string
  /** The source IP the verifier saw (after trusted proxies). */
  sourceIp: string
}

/**
 * Finds credentials in order: explicit, environment, profile file,
 * keychain, then the given stores. Runs off the JavaScript thread; a
 * store written in JavaScript is called back on it.
 */
export declare function resolveCredentials(options?: ResolveCredentialsOptions): Promise<ResolvedCredentials>

/** Credentials found by `resolveCredentials`, with where they came from. */
export interface ResolvedCredentials {
  /** The keys and base URL to use. */
  credentials: Credentials
  /** `explicit`, `environment`, `profile_file`, `keychain` or `custom`. */
  source: string
  /** The profile that was looked up. */
  profile: string
}

/** One entry of an account's system log. Never holds a secret. */
export interface SystemLogEntry {
  /** Entry id, increasing with time. */
  id: number
  /** When it happened, ISO-8601 UTC. */
  time: string
  /** Who acted: the key's owner, or the operator for admin actions. */
  originator: string
  /** Name of the user key used, when one was. */
  apiKeyName?: string
  /** What was acted on (for requests: method and path). */
  resource: string
  /** Kind of entry (for example `authentication`). */
  kind: string
  /** What happened, in words. */
  description: string
}

/** `GET /v1/logs`: system log entries, newest first. */
export interface SystemLogPage {
  /** The entries of this page. */
  entries: Array<SystemLogEntry>
  /** Links to other pages. */
  links: Array<any>
}

/** A user as the verifier shows it. */
export interface UserInfo {
  /** User id. */
  id: number
  /** The account. */
  accountId: number
  /** Display name. */
  name: string
  /** Email address. */
  email: string
  /** `owner`, `member`, `viewer`, `billing-admin` or `logs-viewer`. */
  role: Role
}

/** A user key as the verifier shows it: never the key itself. */
export interface UserKeyInfo {
  /** Key name, unique in the account. */
  name: string
  /** The account. */
  accountId: number
  /** The owner's user id. */
  ownerId: number
  /** The owner's name. */
  ownerName: string
  /** The owner's email. */
  ownerEmail: string
  /** Normalised CIDR entries; empty allows every source. */
  allowList: Array<string>
  /** Creation time, ISO-8601 UTC. */
  createdTimestamp: string
  /** Whether the key authenticates today (its owner still has the owner role). */
  active: boolean
}
