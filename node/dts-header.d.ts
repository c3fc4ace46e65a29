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

