// `Verifier.authenticate`, `authenticateSync`, `authenticateMany` and
// `parseAuthHeaders`: the one reader of a request's headers (here, where
// property reads are cheap), then one native call that takes a few strings.
'use strict'

const native = require('./index.js')

const BAD_HEADERS =
  'headers must be an object of header values, an array of [name, value] pairs, a flat [name, value, ...] array, or an iterable of pairs'

/** An argument error, as napi throws them (`code` `InvalidArg`). */
function invalidArg(message) {
  const error = new Error(message)
  error.code = 'InvalidArg'
  return error
}

/** `name` equals `lower` (lowercase ASCII) ignoring ASCII case only. */
function sameName(name, lower) {
  if (name === lower) return true
  if (name.length !== lower.length) return false
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i)
    if (c >= 65 && c <= 90) c += 32
    if (c !== lower.charCodeAt(i)) return false
  }
  return true
}

const OTHER = 0
const ACCOUNT = 1
const USER = 2
const FORWARDED = 3

/** Which header the core reads `name` (a string) is, if any. */
function kindOf(name) {
  if (typeof name !== 'string') throw invalidArg(BAD_HEADERS)
  switch (name.length) {
    case 9:
      return sameName(name, 'x-api-key') ? ACCOUNT : OTHER
    case 16:
      return sameName(name, 'x-api-secret-key') ? USER : OTHER
    case 15:
      return sameName(name, 'x-forwarded-for') ? FORWARDED : OTHER
    default:
      return OTHER
  }
}

/**
 * The headers the core reads, as the native side takes them: a key header
 * absent (`undefined`), repeated (`null`) or its value; the
 * `X-Forwarded-For` values joined with `, `, as HTTP reads repeated lines.
 */
class Found {
  accountKey = undefined
  userKey = undefined
  forwardedFor = undefined

  add(kind, value) {
    if (typeof value !== 'string') throw invalidArg(BAD_HEADERS)
    if (kind === ACCOUNT) {
      this.accountKey = this.accountKey === undefined ? value : null
    } else if (kind === USER) {
      this.userKey = this.userKey === undefined ? value : null
    } else if (kind === FORWARDED) {
      this.forwardedFor = this.forwardedFor === undefined ? value : `${this.forwardedFor}, ${value}`
    }
  }
}

/** `req.rawHeaders` (name, value, ...) or `[name, value]` pairs. */
function fromArray(array) {
  const found = new Found()
  const length = array.length
  if (length === 0) return found
  if (typeof array[0] === 'string') {
    if (length % 2 !== 0) throw invalidArg(BAD_HEADERS)
    for (let i = 0; i < length; i += 2) found.add(kindOf(array[i]), array[i + 1])
    return found
  }
  for (let i = 0; i < length; i++) {
    const pair = array[i]
    if (!Array.isArray(pair) || pair.length !== 2) throw invalidArg(BAD_HEADERS)
    found.add(kindOf(pair[0]), pair[1])
  }
  return found
}

/** Reads the key headers and `X-Forwarded-For` from any accepted shape. */
function findHeaders(headers) {
  if (typeof headers !== 'object' || headers === null) throw invalidArg(BAD_HEADERS)
  if (Array.isArray(headers)) return fromArray(headers)
  // A Fetch Headers or a Map: its entries are not properties.
  if (typeof headers[Symbol.iterator] === 'function') return fromArray(Array.from(headers))
  const found = new Found()
  for (const name in headers) {
    const value = headers[name]
    if (typeof value === 'string') {
      found.add(kindOf(name), value)
    } else if (Array.isArray(value)) {
      const kind = kindOf(name)
      for (let i = 0; i < value.length; i++) found.add(kind, value[i])
    } else if (value !== undefined) {
      throw invalidArg(BAD_HEADERS)
    }
  }
  return found
}

/**
 * Every verifier's `AuthFailure` fields by message, written by the native
 * check on a miss (`remember_failure` in src/request.rs); started over
 * every 65,536 checks, since source IPs are many.
 */
let failures = Object.create(null)
let failuresSeen = 0

/**
 * Kept on a verifier out of sight from its first check: its handle, its principals by key serial
 * (modulo the length), and the serial each slot holds (0: none), which the native check reads to
 * return the principal of a key not kept. A serial names one key's fields (but the source IP) for
 * the verifier's life; each verifier counts its own. */
const KEPT = Symbol('redis-cloud-auth kept')
const keep = (v) => ({ handle: v._handle(), principals: new Array(1 << 17), serials: new Float64Array(1 << 17) })

/**
 * Runs the native check; returns the core's encoded outcome: a success
 * (`2 * serial + differs`), or `[outcome, sourceIp]` when the source IP is
 * not the peer as given; a failure as `[-1 - ordinal, message]`.
 */
function check(verifier, method, path, headers, peer) {
  const found = findHeaders(headers)
  if (++failuresSeen > 65536) {
    failures = Object.create(null)
    failuresSeen = 0
  }
  const { handle, principals, serials } = verifier[KEPT] ?? Object.defineProperty(verifier, KEPT, { value: keep(verifier) })[KEPT]
  const outcome = native._authenticate(handle, method, path, found.accountKey, found.userKey, found.forwardedFor, peer, serials, failures)
  if (typeof outcome === 'number' || typeof outcome[1] === 'string') return outcome
  // A key not kept: its principal, kept from now on.
  const [encoded, principal] = outcome
  const serial = (encoded - (encoded % 2)) / 2
  principals[serial % serials.length] = principal
  serials[serial % serials.length] = serial
  return encoded % 2 === 0 ? encoded : [encoded, principal.sourceIp]
}

/** `Verifier.prototype.authenticateSync(method, path, headers, peer)`. */
function authenticateSync(method, path, headers, peer) {
  const outcome = check(this, method, path, headers, peer)
  const encoded = typeof outcome === 'number' ? outcome : outcome[0]
  if (encoded < 0) {
    const fields = failures[outcome[1]]
    throw Object.assign(new Error(fields.message), fields)
  }
  const serial = (encoded - (encoded % 2)) / 2
  const { principals, serials } = this[KEPT]
  const p = principals[serial % serials.length]
  return {
    accountId: p.accountId,
    accountName: p.accountName,
    userId: p.userId,
    ownerName: p.ownerName,
    ownerEmail: p.ownerEmail,
    keyName: p.keyName,
    sourceIp: typeof outcome === 'number' ? peer : outcome[1],
  }
}

/** `Verifier.prototype.authenticate(method, path, headers, peer)`: the check runs off the JavaScript thread. */
function authenticate(method, path, headers, peer) {
  const found = findHeaders(headers)
  return this._authenticateAsync(method, path, found.accountKey, found.userKey, found.forwardedFor, peer)
}

/** `parseAuthHeaders(headers)`: the `ApiKeys` of a request, or a `HeaderError`. */
function parseAuthHeaders(headers) {
  const found = findHeaders(headers)
  return native._parseAuthHeaders(found.accountKey, found.userKey)
}

/** `Verifier.prototype.authenticateMany(requests)`: `'ok'` or the failure's code per request. */
function authenticateMany(requests) {
  if (!Array.isArray(requests)) throw invalidArg('requests must be an array of requests')
  const codes = new Array(requests.length)
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i]
    if (typeof r !== 'object' || r === null) throw invalidArg('the request must be an object')
    const outcome = check(this, r.method, r.path, r.headers, r.peer)
    codes[i] = typeof outcome === 'number' || outcome[0] >= 0 ? 'ok' : failures[outcome[1]].code
  }
  return codes
}

module.exports = { authenticate, authenticateMany, authenticateSync, parseAuthHeaders }
