/** Stable error codes, the same in every language. */
export type KeyErrorCode = 'empty_key' | 'key_length' | 'key_character'
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

/** A key value was rejected (thrown by `new ApiKeys`). */
export interface KeyError extends Error {
  name: 'KeyError'
  code: KeyErrorCode
  /** Which key. */
  key: 'account' | 'user'
}

/** A request's authentication headers could not be read. */
export interface HeaderError extends Error {
  name: 'HeaderError'
  code: HeaderErrorCode
  /** The header the error is about. */
  header: 'x-api-key' | 'x-api-secret-key'
}

/** Credentials could not be loaded, saved or resolved. */
export interface CredentialError extends Error {
  name: 'CredentialError'
  code: CredentialErrorCode
  /** For `invalid_key`: which key. */
  key?: 'account' | 'user'
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
   * whitespace is trimmed. Throws a `KeyError` with `code` and `key`.
   */
  constructor(accountKey: string, userKey: string)
  /** Reads the keys from a request's headers; see `parseAuthHeaders`. */
  static fromHeaders(headers: Record<string, string | string[] | undefined> | Array<[string, string]> | string[] | Iterable<[string, string]>): ApiKeys
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
  toJSON(): ApiKeysJson
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

/** What `JSON.stringify` shows of keys: fingerprints only. */
export interface ApiKeysJson {
  /** Fingerprint of the pair. */
  fingerprint: string
}

/** The two authentication headers, ready for `fetch` or axios. */
export interface AuthHeaders {
  /** The account key. */
  'x-api-key': string
  /** The user key. */
  'x-api-secret-key': string
}

/** What `JSON.stringify` shows of credentials: no key. */
export interface CredentialsJson {
  /** Fingerprint of the keys. */
  fingerprint: string
  /** The base URL, or null for the default. */
  baseUrl?: string
}

/**
 * Reads the account key and user key from a request's headers: Node's
 * `req.headers` object, `req.rawHeaders`, `[name, value]` pairs, or a Fetch
 * `Headers`. Names match in any case; each header must appear once with a
 * well-formed value. Throws a `HeaderError` with `code` and `header`.
 */
export declare function parseAuthHeaders(headers: Record<string, string | string[] | undefined> | Array<[string, string]> | string[] | Iterable<[string, string]>): ApiKeys

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
