// Types of adapters.js: `redis-cloud-auth/adapters`.
import type { ApiKeys, AuthHeaders, Credentials, Principal, ResolveCredentialsOptions, Verifier } from './index'

/** A fetch function: the built-in one, undici's, or any of the same shape. */
export type FetchLike = (input: any, init?: any) => Promise<any>
/** The type of the global `fetch` where the environment declares one (DOM or Node types), else `FetchLike`. */
export type GlobalFetch = typeof globalThis extends { fetch: infer F } ? F : FetchLike

/** Adds the `x-api-key` and `x-api-secret-key` headers to requests of the user's own HTTP client. */
export declare class ApiKeysAuth {
  /** Auth for `ApiKeys` or `Credentials` (whose base URL it then offers). */
  constructor(credentials: ApiKeys | Credentials)
  /** Auth for what the credential chain finds (the default chain when `options` is absent). */
  static fromChain(options?: ResolveCredentialsOptions | null): Promise<ApiKeysAuth>
  /** The API base URL the credentials carry, or null. */
  get baseUrl(): string | null
  /** Fingerprint of the keys: safe to log. */
  get fingerprint(): string
  /** The two headers, for undici's `request`, axios' `headers`, or any client. The values are the keys. */
  headers(): AuthHeaders
  /**
   * `fetch` (the built-in one, or `fetchImpl`, e.g. undici's) with the two
   * headers on every request; `redirect` defaults to `'error'`.
   */
  wrapFetch(): GlobalFetch
  wrapFetch<F extends FetchLike>(fetchImpl: F): F
  /** `ApiKeysAuth(sha256:…)`: never a key. */
  toString(): string
  /** `{ fingerprint, baseUrl }` for `JSON.stringify`: never a key. */
  toJSON(): { fingerprint: string; baseUrl: string | null }
}

/** The parts of a Node.js request (`http.IncomingMessage`) the adapters read. */
export interface IncomingRequestLike {
  method?: string
  url?: string
  rawHeaders: string[]
  socket: { remoteAddress?: string }
}

/** The parts of a Node.js response (`http.ServerResponse`) the middleware writes. */
export interface ServerResponseLike {
  statusCode: number
  setHeader(name: string, value: string | number): unknown
  end(body: string): unknown
}

/**
 * Express and Connect middleware: a request that authenticates goes on
 * with `req.principal`; any other gets 401/403/500/503 and the JSON body of
 * `rcauth serve` (500: no peer address, e.g. the client is gone).
 */
export declare function authMiddleware(
  verifier: Verifier,
): (
  req: IncomingRequestLike & { originalUrl?: string; principal?: Principal },
  res: ServerResponseLike,
  next: (error?: unknown) => void,
) => void

/** The parts of a Fastify request and reply the hook uses. */
export interface FastifyRequestLike {
  raw: IncomingRequestLike
  principal?: Principal
}
/** The parts of a Fastify reply the hook uses. */
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike
  type(contentType: string): FastifyReplyLike
  send(body: string): unknown
}

/** A Fastify `onRequest` hook: `fastify.addHook('onRequest', fastifyAuth(verifier))`. */
export declare function fastifyAuth(
  verifier: Verifier,
): (request: FastifyRequestLike, reply: FastifyReplyLike, done: (error?: Error) => void) => void
