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

/** The headers the core reads, as found in one request. Every value must be a string. */
class Found {
  constructor() {
    this.accountKey = undefined
    this.accountKeys = 0
    this.userKey = undefined
    this.userKeys = 0
    this.forwardedFor = undefined // a string, or an array when repeated
  }

  add(kind, value) {
    if (typeof value !== 'string') throw invalidArg(BAD_HEADERS)
    if (kind === ACCOUNT) {
      this.accountKey = value
      this.accountKeys++
    } else if (kind === USER) {
      this.userKey = value
      this.userKeys++
    } else if (kind === OTHER) {
      // not needed
    } else if (this.forwardedFor === undefined) {
      this.forwardedFor = value
    } else if (typeof this.forwardedFor === 'string') {
      this.forwardedFor = [this.forwardedFor, value]
    } else {
      this.forwardedFor.push(value)
    }
  }

  /** A key header as the native side takes it: absent, repeated (`null`), or its value. */
  static key(value, count) {
    return count === 0 ? undefined : count === 1 ? value : null
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
 * The principals' fields but the source IP, by key serial (modulo the
 * length), for every verifier: the native check writes an entry when it
 * is not there (`remember` in src/request.rs). A serial names one key's
 * fields for the life of the process, so an entry never goes stale.
 */
let principals

/**
 * The fields of `AuthFailure` errors by message, for every verifier: the
 * native check writes an entry when it is not there (`remember_failure`
 * in src/request.rs). Started over every 65,536 checks: source IPs are many.
 */
let failures = Object.create(null)
let failuresSeen = 0

/**
 * Runs the native check; returns the core's encoded outcome: a success
 * (`2 * serial + differs`), or `[outcome, sourceIp]` when the source IP is
 * not the peer as given; a failure as `[-1 - ordinal, message]`.
 */
function check(verifier, method, path, headers, peer) {
  const found = findHeaders(headers)
  principals ??= new Array(1 << 17)
  if (++failuresSeen > 65536) {
    failures = Object.create(null)
    failuresSeen = 0
  }
  return verifier._authenticate(
    method,
    path,
    Found.key(found.accountKey, found.accountKeys),
    Found.key(found.userKey, found.userKeys),
    found.forwardedFor,
    peer,
    principals,
    failures,
  )
}

/** The `AuthFailure` error of a failed outcome `[outcome, message]`. */
function failure(outcome) {
  const fields = failures[outcome[1]]
  return Object.assign(new Error(fields.message), fields)
}

/** `Verifier.prototype.authenticateSync(method, path, headers, peer)`. */
function authenticateSync(method, path, headers, peer) {
  const outcome = check(this, method, path, headers, peer)
  const encoded = typeof outcome === 'number' ? outcome : outcome[0]
  if (encoded < 0) throw failure(outcome)
  const serial = (encoded - (encoded % 2)) / 2
  const p = principals[serial % principals.length]
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
  return this._authenticateAsync(
    method,
    path,
    Found.key(found.accountKey, found.accountKeys),
    Found.key(found.userKey, found.userKeys),
    found.forwardedFor,
    peer,
  )
}

/** `parseAuthHeaders(headers)`: the `ApiKeys` of a request, or a `HeaderError`. */
function parseAuthHeaders(headers) {
  const found = findHeaders(headers)
  return native._parseAuthHeaders(Found.key(found.accountKey, found.accountKeys), Found.key(found.userKey, found.userKeys))
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
