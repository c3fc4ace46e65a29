// Microseconds per `authenticate`: the addon (Verifier.authenticateSync,
// and the Promise-returning authenticate) against a pure-Node
// implementation of the same rules (node:crypto SHA-256, net.BlockList),
// on the same 100,000-key data and the same requests, in one run.
//
//   npm run build && node bench.mjs            (release addon)
//   KEYS=10000 REQUESTS=50000 node bench.mjs   (smaller run)
//
// Not a test: it prints figures and the ratio.
import { createHash } from 'node:crypto'
import { BlockList, isIPv4 } from 'node:net'
import { performance } from 'node:perf_hooks'
import { Verifier } from './redis-cloud-auth.js'

const KEYS = Number(process.env.KEYS ?? 100_000)
const KEYS_PER_ACCOUNT = 100
const REQUESTS = Number(process.env.REQUESTS ?? 200_000)
const ROUNDS = Number(process.env.ROUNDS ?? 7)
if (!(ROUNDS >= 1)) throw new Error('ROUNDS must be a number of at least 1')

// --- The data: accounts of 100 keys, every other key with an allow list. ---
const verifier = Verifier.inMemory()
const keys = [] // { accountKey, userKey, peer }
const started = performance.now()
for (let a = 0; keys.length < KEYS; a++) {
  const account = await verifier.createAccount(`account-${a}`)
  const owner = await verifier.addUser(account, `Owner ${a}`, `owner${a}@example.com`, 'owner')
  const accountKey = (await verifier.enableApi(account)).expose()
  const batch = []
  for (let k = 0; k < KEYS_PER_ACCOUNT && keys.length + batch.length < KEYS; k++) {
    const allowList = k % 2 === 0 ? [`10.${k}.0.0/16`, '192.0.2.0/24'] : []
    const name = `bench-key-${a}-${k}`
    batch.push(
      verifier.createUserKey(account, owner, owner, name, allowList).then((secret) => ({
        account,
        owner: `Owner ${a}`,
        name,
        accountKey,
        userKey: secret.expose(),
        allowList,
        peer: allowList.length ? `10.${k}.3.4` : '203.0.113.7',
      })),
    )
  }
  keys.push(...(await Promise.all(batch)))
}
console.log(`data: ${keys.length} user keys in ${keys.length / KEYS_PER_ACCOUNT} accounts, built in ${((performance.now() - started) / 1000).toFixed(1)} s`)

// --- The same rules in plain Node.js. ---
const sha256 = (value) => createHash('sha256').update(value).digest('base64')
const VISIBLE = /^[\x21-\x7e]{8,256}$/
class NodeVerifier {
  constructor(entries) {
    this.accounts = new Map() // account-key hash -> { id, apiEnabled }
    this.userKeys = new Map() // user-key hash -> { accountId, owner, ownerRole, name, allow }
    this.log = []
    for (const e of entries) {
      const hash = sha256(e.accountKey)
      if (!this.accounts.has(hash)) this.accounts.set(hash, { id: e.account, apiEnabled: true })
      let allow = null
      if (e.allowList.length) {
        allow = new BlockList()
        for (const cidr of e.allowList) {
          const [net, prefix] = cidr.split('/')
          allow.addSubnet(net, Number(prefix), isIPv4(net) ? 'ipv4' : 'ipv6')
        }
      }
      this.userKeys.set(sha256(e.userKey), { accountId: e.account, owner: e.owner, ownerRole: 'owner', name: e.name, allow })
    }
  }

  /** Reads one key header: present once, trimmed, visible ASCII, 8 to 256 long. */
  static header(headers, name) {
    let value
    for (const key of Object.keys(headers)) {
      if (key.length !== name.length || key.toLowerCase() !== name) continue
      const found = headers[key]
      if (value !== undefined || (Array.isArray(found) && found.length !== 1)) throw failure('malformed_credentials', 401)
      value = Array.isArray(found) ? found[0] : found
    }
    if (value === undefined) throw failure('missing_credentials', 401)
    value = value.replace(/^[ \t]+|[ \t]+$/g, '')
    if (value === '') throw failure('missing_credentials', 401)
    if (!VISIBLE.test(value)) throw failure('malformed_credentials', 401)
    return value
  }

  authenticate(method, path, headers, peer) {
    const accountKey = NodeVerifier.header(headers, 'x-api-key')
    const userKey = NodeVerifier.header(headers, 'x-api-secret-key')
    const accountHash = sha256(accountKey)
    const userHash = sha256(userKey)
    const account = this.accounts.get(accountHash)
    if (!account) throw failure('invalid_account_key', 401)
    const sourceIp = peer.startsWith('::ffff:') && isIPv4(peer.slice(7)) ? peer.slice(7) : peer
    const record = { accountId: account.id, at: Date.now(), outcome: 'authenticated', owner: null, keyName: null, sourceIp, resource: `${method} ${path}` }
    try {
      if (!account.apiEnabled) throw failure('api_disabled', 401)
      const key = this.userKeys.get(userHash)
      if (!key) throw failure('invalid_user_key', 401)
      if (key.accountId !== account.id) throw failure('account_mismatch', 401)
      record.keyName = key.name
      record.owner = key.owner
      if (key.ownerRole !== 'owner') throw failure('owner_role_revoked', 401)
      if (key.allow && !key.allow.check(sourceIp, isIPv4(sourceIp) ? 'ipv4' : 'ipv6')) throw failure('source_ip_not_allowed', 403)
      return { accountId: account.id, userId: 0, ownerName: key.owner, keyName: key.name, sourceIp }
    } catch (err) {
      record.outcome = err.code
      throw err
    } finally {
      this.log.push(record)
    }
  }
}
function failure(code, status) {
  const err = new Error(code)
  err.code = code
  err.status = status
  return err
}
const plain = new NodeVerifier(keys)

// --- The requests: Node's req.headers shape; 1 in 10 fails (wrong IP or key). ---
let seed = 42
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
const requests = Array.from({ length: REQUESTS }, (_, i) => {
  const key = keys[Math.floor(random() * keys.length)]
  const failing = i % 10 === 9
  return {
    method: 'GET',
    path: '/v1/subscriptions',
    headers: {
      host: 'api.example.test',
      'user-agent': 'bench/1.0',
      accept: 'application/json',
      'x-api-key': key.accountKey,
      'x-api-secret-key': failing && key.allowList.length === 0 ? 'NoSuchUserKey-00000000' : key.userKey,
    },
    peer: failing && key.allowList.length ? '198.51.100.1' : key.peer,
  }
})

// Both must agree on every request before being timed.
for (const request of requests.slice(0, 20_000)) {
  let a, b
  const { method, path, headers, peer } = request
  try { a = verifier.authenticateSync(method, path, headers, peer).keyName } catch (err) { a = err.code }
  try { b = plain.authenticate(method, path, headers, peer).keyName } catch (err) { b = err.code }
  if (a !== b) throw new Error(`the two implementations disagree: ${a} vs ${b}`)
}

// Wall time per call, and CPU time per call of the whole process (every
// thread: the addon's system-log thread counts). On a loaded machine the
// CPU figure is the one to compare.
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]
function report(label, wall, cpu) {
  const w = median(wall)
  const c = median(cpu)
  console.log(`${label.padEnd(42)} ${w.toFixed(2).padStart(6)} µs wall ${c.toFixed(2).padStart(6)} µs CPU  (CPU rounds: ${cpu.map((v) => v.toFixed(2)).join(', ')})`)
  return { wall: w, cpu: c }
}

/** One round of `fn` over every request: wall and CPU µs per call. */
function roundOf(fn) {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  for (const request of requests) {
    try { fn(request) } catch { /* failures are part of the mix */ }
  }
  const c = process.cpuUsage(c0)
  return { wall: ((performance.now() - t0) * 1000) / requests.length, cpu: (c.user + c.system) / requests.length }
}

/**
 * Runs the contenders in alternating rounds (each round in another order),
 * so that a host slowing down for a while slows both sides of a ratio.
 */
function timeSyncAlternating(contenders) {
  const labels = Object.keys(contenders)
  // One untimed round each first: the addon's principal table is filled
  // once per key, as in a server that sees its keys again and again.
  for (const label of labels) roundOf(contenders[label])
  const runs = Object.fromEntries(labels.map((label) => [label, []]))
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? labels : [...labels].reverse()
    for (const label of order) runs[label].push(roundOf(contenders[label]))
  }
  return Object.fromEntries(
    labels.map((label) => [label, { ...report(label, runs[label].map((r) => r.wall), runs[label].map((r) => r.cpu)), runs: runs[label] }]),
  )
}

/** The Promise-returning call, `inFlight` at a time, 3 rounds (it is slow). */
async function timeAsync(label, inFlight) {
  const wall = []
  const cpu = []
  for (let round = 0; round < 3; round++) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    let next = 0
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++]
        try { await verifier.authenticate(request.method, request.path, request.headers, request.peer) } catch { /* failures are part of the mix */ }
      }
    }
    await Promise.all(Array.from({ length: inFlight }, worker))
    wall.push(((performance.now() - t0) * 1000) / requests.length)
    const c = process.cpuUsage(c0)
    cpu.push((c.user + c.system) / requests.length)
  }
  return report(label, wall, cpu)
}

console.log(`requests: ${requests.length} per round, ${ROUNDS} alternating rounds (the Promise calls 3), median shown; node ${process.version}`)
const PURE = 'pure Node (node:crypto, net.BlockList)'
const SYNC = 'addon: Verifier.authenticateSync'
const { [PURE]: node, [SYNC]: addon } = timeSyncAlternating({
  [PURE]: (r) => plain.authenticate(r.method, r.path, r.headers, r.peer),
  [SYNC]: (r) => verifier.authenticateSync(r.method, r.path, r.headers, r.peer),
})
const asyncOne = await timeAsync('addon: await authenticate (1 in flight)', 1)
const asyncMany = await timeAsync('addon: authenticate (64 in flight)', 64)
const ratios = (field) => node.runs.map((run, i) => run[field] / addon.runs[i][field])
console.log(
  `ratio pure Node / addon authenticateSync (median of the rounds' ratios): ${median(ratios('cpu')).toFixed(2)}x by CPU, ` +
    `${median(ratios('wall')).toFixed(2)}x by wall time (target >= 3.5x by wall time); ` +
    `by wall time per round: ${ratios('wall').map((r) => r.toFixed(2)).join(', ')}`,
)
console.log(`awaited authenticate vs authenticateSync, by CPU: 1 in flight ${(asyncOne.cpu / addon.cpu).toFixed(1)}x, 64 in flight ${(asyncMany.cpu / addon.cpu).toFixed(1)}x`)
await verifier.flushSystemLog()
