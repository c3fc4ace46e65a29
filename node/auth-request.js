// Reads what `Verifier.authenticateSync` needs from a request in
// JavaScript, where property reads are cheap, so that the native call
// takes a few strings instead of walking the request object across napi.
// Accepts the same shapes and rejects the same values as the native
// reader of `Verifier.authenticate` (src/request.rs, src/header_list.rs).
'use strict'

const ACCOUNT_KEY = 'x-api-key'
const USER_KEY = 'x-api-secret-key'
const FORWARDED_FOR = 'x-forwarded-for'

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
  switch (name.length) {
    case 9:
      return sameName(name, ACCOUNT_KEY) ? ACCOUNT : OTHER
    case 16:
      return sameName(name, USER_KEY) ? USER : OTHER
    case 15:
      return sameName(name, FORWARDED_FOR) ? FORWARDED : OTHER
    default:
      return OTHER
  }
}

/** The headers the core reads, as found in one request. */
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

function fromArray(array) {
  const found = new Found()
  const length = array.length
  if (length === 0) return found
  if (typeof array[0] === 'string') {
    // rawHeaders: name, value, name, value, ...
    if (length % 2 !== 0) throw invalidArg(BAD_HEADERS)
    for (let i = 0; i < length; i += 2) {
      const name = array[i]
      if (typeof name !== 'string') throw invalidArg(BAD_HEADERS)
      const kind = kindOf(name)
      if (kind !== OTHER) found.add(kind, array[i + 1])
      else if (typeof array[i + 1] !== 'string') throw invalidArg(BAD_HEADERS)
    }
    return found
  }
  for (let i = 0; i < length; i++) {
    const pair = array[i]
    if (!Array.isArray(pair) || pair.length !== 2) throw invalidArg(BAD_HEADERS)
    const name = pair[0]
    if (typeof name !== 'string') throw invalidArg(BAD_HEADERS)
    const kind = kindOf(name)
    if (kind !== OTHER) found.add(kind, pair[1])
  }
  return found
}

/** Reads the key headers and `X-Forwarded-For` from any accepted shape. */
function findHeaders(headers) {
  if (typeof headers !== 'object' || headers === null) throw invalidArg(BAD_HEADERS)
  if (Array.isArray(headers)) return fromArray(headers)
  const found = new Found()
  let any = false
  for (const name in headers) {
    any = true
    const kind = kindOf(name)
    if (kind === OTHER) continue
    const value = headers[name]
    if (value === undefined) continue
    if (typeof value === 'string') {
      found.add(kind, value)
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) found.add(kind, value[i])
    } else {
      throw invalidArg(BAD_HEADERS)
    }
  }
  if (any) return found
  // No enumerable properties: a Fetch Headers or a Map, or really no headers.
  if (typeof headers[Symbol.iterator] === 'function') return fromArray(Array.from(headers))
  return found
}

/** An optional string field of the request. */
function field(request, name, fallback) {
  const value = request[name]
  if (value === undefined || value === null) return fallback
  if (typeof value !== 'string') throw invalidArg(`request.${name} must be a string`)
  return value
}

/** The fields of constant failures, by failure number (see `_authenticate`). */
const failureFields = []
/** The failure number of a source IP outside the allow list. */
const SOURCE_IP_FAILURE = 100
/** Its fields, which are those of the source IP, by source IP. */
const sourceIpFailures = new Map()
const SOURCE_IP_FAILURES_MAX = 4096

/** The fields of the last failed check, numbered `number`. */
function failureOf(verifier, number) {
  if (number === SOURCE_IP_FAILURE) {
    const sourceIp = verifier._sourceIp()
    let fields = sourceIpFailures.get(sourceIp)
    if (fields === undefined) {
      fields = verifier._failure()
      if (sourceIpFailures.size >= SOURCE_IP_FAILURES_MAX) sourceIpFailures.clear()
      sourceIpFailures.set(sourceIp, fields)
    }
    return fields
  }
  if (number === 0) return verifier._failure()
  let fields = failureFields[number]
  if (fields === undefined) {
    fields = verifier._failure()
    failureFields[number] = fields
  }
  return fields
}

/** The `AuthFailure` error of the last failed check, numbered `number`. */
function failure(verifier, number) {
  const fields = failureOf(verifier, number)
  const error = new Error(fields.message)
  error.code = fields.code
  error.name = fields.name
  error.status = fields.status
  error.publicCode = fields.publicCode
  error.publicMessage = fields.publicMessage
  if (fields.header !== undefined) error.header = fields.header
  if (fields.sourceIp !== undefined) error.sourceIp = fields.sourceIp
  return error
}

/** Per verifier: principal templates by key serial, direct-mapped (see `template`). */
const templates = new WeakMap()
const TEMPLATES = 1 << 17

/**
 * The unchanging part of the principal of key serial `serial`, from the
 * verifier's table or else native. A serial names one set of fields for
 * the life of the process (a key deleted, created again or reloaded gets a
 * new one), so a kept template never goes stale.
 */
function template(verifier, serial) {
  let table = templates.get(verifier)
  if (table === undefined) {
    table = new Array(TEMPLATES).fill(undefined)
    templates.set(verifier, table)
  }
  const at = serial % TEMPLATES
  let found = table[at]
  if (found === undefined || found.serial !== serial) {
    found = verifier._principal(serial)
    if (found === null) throw new Error('internal: a principal was forgotten before it was read')
    found.serial = serial
    table[at] = found
  }
  return found
}

/** The request's peer, after checking the request is an object. */
function peerOf(request) {
  if (typeof request !== 'object' || request === null) throw invalidArg('the request must be an object')
  return field(request, 'peer', '')
}

/** Reads the rest of the request and runs the native check; its outcome (see `_authenticate`). */
function check(verifier, request, peer) {
  const found = findHeaders(request.headers)
  const method = field(request, 'method', 'GET')
  const path = field(request, 'path', '/')
  return verifier._authenticate(
    method,
    path,
    Found.key(found.accountKey, found.accountKeys),
    Found.key(found.userKey, found.userKeys),
    found.forwardedFor,
    peer,
  )
}

/**
 * `Verifier.prototype.authenticateSync`: reads the request here, checks it
 * natively, and builds the Principal from a per-verifier copy of its
 * unchanging part (see src/principal_slots.rs).
 */
function authenticateSync(request) {
  const peer = peerOf(request)
  const outcome = check(this, request, peer)
  if (outcome < 0) throw failure(this, -outcome - 1)
  const differs = outcome % 2
  const principal = template(this, (outcome - differs) / 2)
  return {
    accountId: principal.accountId,
    accountName: principal.accountName,
    userId: principal.userId,
    ownerName: principal.ownerName,
    ownerEmail: principal.ownerEmail,
    keyName: principal.keyName,
    sourceIp: differs === 0 ? peer : this._sourceIp(),
  }
}

/**
 * `Verifier.prototype.authenticateMany`: checks each request as
 * `authenticateSync` does (each logged); returns `'ok'` or the failure's
 * code for each, without building principals or errors.
 */
function authenticateMany(requests) {
  if (!Array.isArray(requests)) throw invalidArg('requests must be an array of requests')
  const codes = new Array(requests.length)
  for (let i = 0; i < requests.length; i++) {
    const request = requests[i]
    const outcome = check(this, request, peerOf(request))
    codes[i] = outcome < 0 ? failureOf(this, -outcome - 1).code : 'ok'
  }
  return codes
}

module.exports = { authenticateMany, authenticateSync, findHeaders }
