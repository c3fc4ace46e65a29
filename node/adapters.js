// The package in the HTTP stacks users already run. Every rule is the
// core's; this file only moves requests and answers across.
'use strict'

const { inspect } = require('node:util')
const { ApiKeys, Credentials, resolveCredentials } = require('./redis-cloud-auth.js')

/** Adds the `x-api-key` and `x-api-secret-key` headers to requests of the user's own HTTP client. */
class ApiKeysAuth {
  #keys
  #baseUrl = null

  /** Auth for `ApiKeys` or `Credentials` (whose base URL it then offers). */
  constructor(credentials) {
    if (credentials instanceof ApiKeys) this.#keys = credentials
    else if (credentials instanceof Credentials) [this.#keys, this.#baseUrl] = [credentials.keys, credentials.baseUrl]
    else throw new TypeError('ApiKeysAuth takes ApiKeys or Credentials (ApiKeysAuth.fromChain() for the credential chain)')
  }

  /** Auth for what the credential chain finds (the default chain when `options` is absent). */
  static async fromChain(options) {
    const found = await resolveCredentials(options ?? undefined)
    return new ApiKeysAuth(found.credentials)
  }

  /** The API base URL the credentials carry, or null. */
  get baseUrl() {
    return this.#baseUrl
  }

  /** Fingerprint of the keys: safe to log. */
  get fingerprint() {
    return this.#keys.fingerprint
  }

  /** The two headers, for undici's `request`, axios' `headers`, or any client. The values are the keys. */
  headers() {
    return this.#keys.authHeaders()
  }

  /**
   * `fetch` (the built-in one, or `fetchImpl`, e.g. undici's) with the two
   * headers on every request, and `redirect: 'error'` unless `init` sets
   * another mode (a `Request`'s own mode cannot tell a choice from the
   * default): fetch would carry these headers to another origin.
   */
  wrapFetch(fetchImpl = globalThis.fetch) {
    if (typeof fetchImpl !== 'function') throw new TypeError('wrapFetch takes a fetch function')
    const keys = this.#keys
    return function fetchWithApiKeys(input, init) {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined))
      for (const [name, value] of Object.entries(keys.authHeaders())) headers.set(name, value)
      const redirect = init?.redirect ?? 'error'
      return fetchImpl(input, { ...init, headers: [...headers], redirect })
    }
  }

  /** `ApiKeysAuth(sha256:…)`: never a key. */
  toString() {
    return `ApiKeysAuth(${this.#keys.fingerprint})`
  }

  /** `{ fingerprint, baseUrl }` for `JSON.stringify`: never a key. */
  toJSON() {
    return { fingerprint: this.#keys.fingerprint, baseUrl: this.#baseUrl }
  }

  [inspect.custom]() {
    return this.toString()
  }
}

/** The path of a request target, without its query. */
const pathOf = (url) => { const query = url.indexOf('?'); return query === -1 ? url : url.slice(0, query) }

/**
 * Express and Connect middleware: a request that authenticates goes on
 * with `req.principal`; any other gets the verifier's status (401, 403,
 * 500, 503) and the JSON body of `rcauth serve`. The source IP is the socket's
 * peer, or what `X-Forwarded-For` says when the peer is one of the
 * verifier's trusted proxies (Express' own `trust proxy` plays no part).
 * `authenticateSync` runs inline: microseconds, no I/O on this thread.
 */
function authMiddleware(verifier) {
  return function redisCloudAuth(req, res, next) {
    try {
      req.principal = verifier.authenticateSync(
        req.method,
        pathOf(req.originalUrl ?? req.url),
        req.rawHeaders,
        req.socket.remoteAddress ?? '', // undefined once the client is gone: invalid_peer_address
      )
    } catch (error) {
      if (error?.name !== 'AuthFailure') return next(error)
      const body = error.errorBody
      res.statusCode = error.httpStatus
      res.setHeader('content-type', 'application/json')
      res.setHeader('content-length', Buffer.byteLength(body))
      res.end(body)
      return
    }
    next()
  }
}

/**
 * A Fastify `onRequest` hook: `fastify.addHook('onRequest', fastifyAuth(verifier))`.
 * A request that authenticates goes on with `request.principal`; any
 * other is answered as by `authMiddleware`.
 */
function fastifyAuth(verifier) {
  return function redisCloudAuth(request, reply, done) {
    const raw = request.raw
    try {
      request.principal = verifier.authenticateSync(raw.method, pathOf(raw.url), raw.rawHeaders, raw.socket.remoteAddress ?? '')
    } catch (error) {
      if (error?.name !== 'AuthFailure') return done(error)
      reply.code(error.httpStatus).type('application/json').send(error.errorBody)
      return
    }
    done()
  }
}

module.exports = { ApiKeysAuth, authMiddleware, fastifyAuth }
