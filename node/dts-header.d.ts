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
