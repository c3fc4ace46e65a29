// Verifier.authenticateSync, the request read in JavaScript and the
// principal copied from a per-key template: every change to keys, owners
// and the store shows at once; every request shape gives what
// Verifier.authenticate gives, and the shapes not accepted fail; bad input
// is a typed error.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { inspect } from 'node:util'
import { Verifier } from 'redis-cloud-auth'

// The generated addon entry beside the installed package's own.
const require = createRequire(import.meta.url)
const native = require(join(dirname(require.resolve('redis-cloud-auth/package.json')), 'index.js'))

/** An account with two owners, the API enabled and one key of Ada's. */
async function setUp(verifier) {
  const account = await verifier.createAccount('acme')
  const ada = await verifier.addUser(account, 'Ada', 'ada@example.com', 'owner')
  const bob = await verifier.addUser(account, 'Bob', 'bob@example.com', 'owner')
  const accountKey = (await verifier.enableApi(account)).expose()
  const userKey = (await verifier.createUserKey(account, ada, ada, 'ci-deploy-key')).expose()
  return { account, ada, bob, accountKey, userKey }
}

/** The arguments of `authenticate`: method, path, headers, peer. */
const request = (accountKey, userKey, peer = '10.1.2.3', extra = {}) => [
  'GET',
  '/v1/',
  { 'x-api-key': accountKey, 'x-api-secret-key': userKey, ...extra },
  peer,
]

/** The same request as `authenticateMany` takes it. */
const asObject = ([method, path, headers, peer]) => ({ method, path, headers, peer })

/** What a call gives: the principal, or the error's name and fields. */
function outcome(call) {
  try {
    return { principal: call() }
  } catch (error) {
    return { error: errorFields(error) }
  }
}

async function outcomeAsync(call) {
  try {
    return { principal: await call() }
  } catch (error) {
    return { error: errorFields(error) }
  }
}

function errorFields(error) {
  assert.ok(error instanceof Error, `not an Error: ${inspect(error)}`)
  const fields = { name: error.name, message: error.message }
  for (const key of Object.keys(error)) fields[key] = error[key]
  return fields
}

function assertNoSecret(error, secrets) {
  const text = [error.message, error.stack, error.publicMessage, inspect(error), JSON.stringify(error)].join('\n')
  for (const secret of secrets) assert.ok(!text.includes(secret), `a key appears in ${error.name} ${error.code}`)
}

test('a deleted key fails at once; recreated under the same name for another owner, the principal shows the new owner', async () => {
  const verifier = Verifier.inMemory()
  const { account, ada, bob, accountKey, userKey } = await setUp(verifier)
  const first = verifier.authenticateSync(...request(accountKey, userKey))
  assert.deepEqual(first, {
    accountId: account,
    accountName: 'acme',
    userId: ada,
    ownerName: 'Ada',
    ownerEmail: 'ada@example.com',
    keyName: 'ci-deploy-key',
    sourceIp: '10.1.2.3',
  })
  // Every call returns a fresh plain object: changing one changes no other.
  first.ownerName = 'Mallory'
  const second = verifier.authenticateSync(...request(accountKey, userKey, '10.4.5.6'))
  assert.equal(second.ownerName, 'Ada')
  assert.equal(second.sourceIp, '10.4.5.6')
  assert.notEqual(first, second)
  assert.equal(Object.getPrototypeOf(second), Object.prototype)

  await verifier.deleteUserKey(account, ada, 'ci-deploy-key')
  assert.throws(() => verifier.authenticateSync(...request(accountKey, userKey)), { name: 'AuthFailure', code: 'invalid_user_key' })

  const bobsKey = (await verifier.createUserKey(account, bob, bob, 'ci-deploy-key')).expose()
  assert.deepEqual(verifier.authenticateSync(...request(accountKey, bobsKey)), {
    accountId: account,
    accountName: 'acme',
    userId: bob,
    ownerName: 'Bob',
    ownerEmail: 'bob@example.com',
    keyName: 'ci-deploy-key',
    sourceIp: '10.1.2.3',
  })
  assert.throws(() => verifier.authenticateSync(...request(accountKey, userKey)), { code: 'invalid_user_key' })

  // Back to Ada under the same name: Ada again.
  await verifier.deleteUserKey(account, bob, 'ci-deploy-key')
  const adasAgain = (await verifier.createUserKey(account, ada, ada, 'ci-deploy-key')).expose()
  assert.equal(verifier.authenticateSync(...request(accountKey, adasAgain)).ownerEmail, 'ada@example.com')
  assert.throws(() => verifier.authenticateSync(...request(accountKey, bobsKey)), { code: 'invalid_user_key' })
})

test('an owner who loses the owner role fails at once, and works again when given it back', async () => {
  const verifier = Verifier.inMemory()
  const { account, ada, accountKey, userKey } = await setUp(verifier)
  assert.equal(verifier.authenticateSync(...request(accountKey, userKey)).userId, ada)
  await verifier.setUserRole(account, ada, 'member')
  assert.throws(() => verifier.authenticateSync(...request(accountKey, userKey)), {
    name: 'AuthFailure',
    code: 'owner_role_revoked',
    httpStatus: 401,
  })
  await verifier.setUserRole(account, ada, 'owner')
  assert.equal(verifier.authenticateSync(...request(accountKey, userKey)).userId, ada)
  await verifier.disableApi(account)
  assert.throws(() => verifier.authenticateSync(...request(accountKey, userKey)), { code: 'api_disabled' })
})

test('two verifiers count their key serials each from 1, and each answers with its own principals', async () => {
  const [one, two] = [Verifier.inMemory(), Verifier.inMemory()]
  const first = await setUp(one)
  const account = await two.createAccount('globex')
  const carol = await two.addUser(account, 'Carol', 'carol@example.com', 'owner')
  const accountKey = (await two.enableApi(account)).expose()
  const userKey = (await two.createUserKey(account, carol, carol, 'other-deploy-key')).expose()
  for (let i = 0; i < 3; i++) {
    assert.equal(one.authenticateSync(...request(first.accountKey, first.userKey)).keyName, 'ci-deploy-key')
    assert.deepEqual(one.authenticateMany([asObject(request(first.accountKey, first.userKey))]), ['ok'])
    const principal = two.authenticateSync(...request(accountKey, userKey))
    assert.equal(`${principal.keyName} ${principal.ownerName} ${principal.userId}`, `other-deploy-key Carol ${carol}`)
  }
})

test('a verifier on a SQLite file sees what another verifier on the file changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rca-sync-'))
  try {
    const path = join(dir, 'verifier.sqlite3')
    const writer = await Verifier.openSqlite(path)
    const reader = await Verifier.openSqlite(path)
    const { account, ada, bob, accountKey, userKey } = await setUp(writer)
    // Created by the writer: the reader reloads and authenticates it.
    assert.equal(reader.authenticateSync(...request(accountKey, userKey)).ownerName, 'Ada')

    await writer.setUserRole(account, ada, 'viewer')
    assert.throws(() => reader.authenticateSync(...request(accountKey, userKey)), { code: 'owner_role_revoked' })
    await writer.setUserRole(account, ada, 'owner')
    assert.equal(reader.authenticateSync(...request(accountKey, userKey)).userId, ada)

    await writer.deleteUserKey(account, ada, 'ci-deploy-key')
    assert.throws(() => reader.authenticateSync(...request(accountKey, userKey)), { code: 'invalid_user_key' })
    const bobsKey = (await writer.createUserKey(account, bob, bob, 'ci-deploy-key', ['10.0.0.0/8'])).expose()
    const principal = reader.authenticateSync(...request(accountKey, bobsKey))
    assert.equal(principal.userId, bob)
    assert.equal(principal.ownerName, 'Bob')
    assert.throws(() => reader.authenticateSync(...request(accountKey, bobsKey, '192.0.2.7')), {
      code: 'source_ip_not_allowed',
      sourceIp: '192.0.2.7',
    })

    const rotated = (await writer.rotateAccountKey(account)).expose()
    assert.throws(() => reader.authenticateSync(...request(accountKey, bobsKey)), { code: 'invalid_account_key' })
    assert.equal(reader.authenticateSync(...request(rotated, bobsKey)).keyName, 'ci-deploy-key')
    await reader.flushSystemLog()
    await writer.flushSystemLog()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('the source IP: canonical, from trusted proxies only, and reported on failures', async () => {
  const verifier = Verifier.inMemory()
  const { accountKey, userKey } = await setUp(verifier)
  assert.equal(verifier.authenticateSync(...request(accountKey, userKey, '::ffff:10.9.9.9')).sourceIp, '10.9.9.9')
  assert.equal(verifier.authenticateSync(...request(accountKey, userKey, ' 10.9.9.8 ')).sourceIp, '10.9.9.8')
  assert.equal(verifier.authenticateSync(...request(accountKey, userKey, '2001:DB8::1')).sourceIp, '2001:db8::1')
  const forwarded = { 'x-forwarded-for': '203.0.113.9, 10.0.0.7' }
  // No trusted proxy: the header is ignored.
  assert.equal(verifier.authenticateSync(...request(accountKey, userKey, '10.0.0.2', forwarded)).sourceIp, '10.0.0.2')
  verifier.trustedProxies = ['10.0.0.0/8']
  assert.equal(verifier.authenticateSync(...request(accountKey, userKey, '10.0.0.2', forwarded)).sourceIp, '203.0.113.9')
  assert.equal(verifier.authenticateSync(...request(accountKey, userKey, '198.51.100.1', forwarded)).sourceIp, '198.51.100.1')
  // Repeated header lines are one list, in order.
  const lines = { 'x-forwarded-for': ['198.51.100.4', '10.0.0.9'] }
  assert.equal(verifier.authenticateSync(...request(accountKey, userKey, '10.0.0.2', lines)).sourceIp, '198.51.100.4')
  const raw = ['X-Api-Key', accountKey, 'X-Forwarded-For', '198.51.100.5', 'X-API-SECRET-KEY', userKey, 'X-Forwarded-For', '10.1.1.1']
  assert.equal(verifier.authenticateSync('GET', '/', raw, '10.0.0.2').sourceIp, '198.51.100.5')

  // A key with an allow list: each failure carries its own source IP.
  const account = await verifier.createAccount('limited')
  const eve = await verifier.addUser(account, 'Eve', 'eve@example.com', 'owner')
  const limitedAccountKey = (await verifier.enableApi(account)).expose()
  const limitedKey = (await verifier.createUserKey(account, eve, eve, 'office-only-key', ['192.0.2.0/24'])).expose()
  for (const peer of ['198.51.100.1', '198.51.100.2', '::ffff:198.51.100.3', '198.51.100.1', '198.51.100.3']) {
    const error = outcome(() => verifier.authenticateSync(...request(limitedAccountKey, limitedKey, peer))).error
    const ip = peer.replace('::ffff:', '')
    assert.equal(error.code, 'source_ip_not_allowed')
    assert.equal(error.sourceIp, ip)
    assert.equal(error.httpStatus, 403)
    assert.match(error.publicMessage, new RegExp(ip.replaceAll('.', '\\.')))
  }
})

test('every request shape gives what Verifier.authenticate gives; the shapes not accepted fail', async () => {
  const verifier = Verifier.inMemory()
  const { accountKey, userKey } = await setUp(verifier)
  verifier.trustedProxies = ['10.0.0.0/8']
  const inherited = Object.create({ 'x-api-key': accountKey })
  inherited['x-api-secret-key'] = userKey
  const nullProto = Object.assign(Object.create(null), { 'x-api-key': accountKey, 'x-api-secret-key': userKey })
  const shapes = {
    'req.headers': { 'x-api-key': accountKey, 'x-api-secret-key': userKey, host: 'h' },
    'mixed case': { 'X-Api-Key': accountKey, 'X-API-SECRET-KEY': userKey },
    'a name twice, in two cases': { 'x-api-key': accountKey, 'X-Api-Key': accountKey, 'x-api-secret-key': userKey },
    'values as arrays': { 'x-api-key': [accountKey], 'x-api-secret-key': [userKey] },
    'a repeated value': { 'x-api-key': accountKey, 'x-api-secret-key': [userKey, userKey] },
    'an empty array': { 'x-api-key': [], 'x-api-secret-key': userKey },
    'undefined values': { 'x-api-key': undefined, 'x-api-secret-key': userKey, other: undefined },
    'padded values': { 'x-api-key': ` \t${accountKey} `, 'x-api-secret-key': userKey },
    'an empty value': { 'x-api-key': '  ', 'x-api-secret-key': userKey },
    'a long value': { 'x-api-key': 'A'.repeat(5000), 'x-api-secret-key': userKey },
    'non-ASCII value': { 'x-api-key': `${accountKey}é`, 'x-api-secret-key': userKey },
    'a lone surrogate': { 'x-api-key': `${accountKey}\ud800`, 'x-api-secret-key': userKey },
    'Kelvin sign in a name': { 'x-api-\u212Aey': accountKey, 'x-api-secret-key': userKey },
    'missing user key': { 'x-api-key': accountKey },
    'nothing': {},
    'inherited enumerable header': inherited,
    'null prototype': nullProto,
    'pairs': [['x-api-key', accountKey], ['X-Api-Secret-Key', userKey]],
    'pairs, repeated': [['x-api-key', accountKey], ['x-api-key', accountKey], ['x-api-secret-key', userKey]],
    'rawHeaders': ['Host', 'h', 'X-Api-Key', accountKey, 'X-Api-Secret-Key', userKey],
    'empty array': [],
    'Map': new Map([['x-api-key', accountKey], ['x-api-secret-key', userKey]]),
    'Headers': new Headers({ 'x-api-key': accountKey, 'x-api-secret-key': userKey }),
    'Headers with forwarded-for': new Headers({ 'x-api-key': accountKey, 'x-api-secret-key': userKey, 'x-forwarded-for': '203.0.113.1' }),
    'forwarded-for as array': { 'x-api-key': accountKey, 'x-api-secret-key': userKey, 'x-forwarded-for': ['203.0.113.2', '10.0.0.3'] },
    'forwarded-for garbage': { 'x-api-key': accountKey, 'x-api-secret-key': userKey, 'X-Forwarded-For': 'nonsense, 10.0.0.3' },
  }
  const notAccepted = {
    'a number value': { 'x-api-key': 42, 'x-api-secret-key': userKey },
    'null value': { 'x-api-key': null, 'x-api-secret-key': userKey },
    'an object value': { 'x-api-key': { toString: () => accountKey }, 'x-api-secret-key': userKey },
    'a number in a value array': { 'x-api-key': [accountKey, 7], 'x-api-secret-key': userKey },
    'a hole in a value array': { 'x-api-key': [, accountKey], 'x-api-secret-key': userKey }, // eslint-disable-line no-sparse-arrays
    'a number forwarded-for': { 'x-api-key': accountKey, 'x-api-secret-key': userKey, 'x-forwarded-for': 7 },
    'other header not a string': { 'x-api-key': accountKey, 'x-api-secret-key': userKey, other: 7 },
    'rawHeaders of odd length': ['x-api-key', accountKey, 'x-api-secret-key'],
    'rawHeaders with a number value': ['x-api-key', accountKey, 'other', 3],
    'rawHeaders with a number name': ['x-api-key', accountKey, 3, 'x'],
    'a pair of three': [['x-api-key', accountKey, 'x']],
    'a pair with a number name': [[3, accountKey]],
    'a pair with a number value': [['x-api-key', 3]],
    'a pair that is a string': [['x-api-key', accountKey], 'x-api-secret-key'],
    'a number': 42,
    'a string': 'x-api-key',
    'null': null,
    'a function': () => {},
  }
  const outcomes = {}
  for (const [name, headers] of Object.entries({ ...shapes, ...notAccepted })) {
    const args = ['POST', '/v1/subscriptions', headers, '10.0.0.2']
    const sync = outcome(() => verifier.authenticateSync(...args))
    const viaWorker = await outcomeAsync(() => verifier.authenticate(...args))
    const many = outcome(() => verifier.authenticateMany([{ method: 'POST', path: '/v1/subscriptions', headers, peer: '10.0.0.2' }]))
    if (sync.error) delete sync.error.stack
    if (viaWorker.error) delete viaWorker.error.stack
    if (many.error) delete many.error.stack
    assert.deepEqual(sync, viaWorker, name)
    if (sync.error) assertNoSecret(sync.error, [accountKey, userKey])
    if (sync.error?.code === 'InvalidArg') assert.deepEqual(many, sync, name)
    else assert.deepEqual(many.principal, [sync.error?.code ?? 'ok'], name)
    outcomes[name] = sync.principal ? 'ok' : sync.error.code
  }
  for (const name of Object.keys(notAccepted)) {
    assert.equal(outcomes[name], 'InvalidArg', `${name} must not be accepted`)
  }
  // What the accepted shapes decide.
  const expected = {
    'missing user key': 'missing_credentials',
    nothing: 'missing_credentials',
    'inherited enumerable header': 'ok',
    'a name twice, in two cases': 'malformed_credentials',
    'a repeated value': 'malformed_credentials',
    'pairs, repeated': 'malformed_credentials',
    'an empty array': 'missing_credentials',
    'undefined values': 'missing_credentials',
    'an empty value': 'missing_credentials',
    'a long value': 'malformed_credentials',
    'non-ASCII value': 'malformed_credentials',
    'a lone surrogate': 'malformed_credentials',
    'Kelvin sign in a name': 'missing_credentials',
    'empty array': 'missing_credentials',
  }
  for (const name of Object.keys(shapes)) assert.equal(outcomes[name], expected[name] ?? 'ok', name)
  const sources = [
    ['Headers with forwarded-for', '203.0.113.1'],
    ['forwarded-for as array', '203.0.113.2'],
    // An entry the walk needs that is not an address: the source is unknown,
    // which a key without an allow list accepts with the unspecified address.
    ['forwarded-for garbage', '0.0.0.0'],
  ]
  for (const [name, sourceIp] of sources) {
    assert.equal(verifier.authenticateSync('GET', '/', shapes[name], '10.0.0.2').sourceIp, sourceIp, name)
  }
})

test('bad requests are typed errors, never a crash, and never hold a key', async () => {
  const verifier = Verifier.inMemory()
  const { accountKey, userKey } = await setUp(verifier)
  const headers = { 'x-api-key': accountKey, 'x-api-secret-key': userKey }
  const bad = [
    [['GET', '/', headers, undefined], 'peer must be a string'],
    [['GET', '/', headers, null], 'peer must be a string'],
    [['GET', '/', headers, 10], 'peer must be a string'],
    [['GET', '/', headers, ['10.0.0.1']], 'peer must be a string'],
    [[1, '/', headers, '10.0.0.1'], 'method must be a string'],
    [[undefined, '/', headers, '10.0.0.1'], 'method must be a string'],
    [['GET', {}, headers, '10.0.0.1'], 'path must be a string'],
    [['GET', '/', undefined, '10.0.0.1'], /^headers must be/],
    [['GET', '/', [1, 2], '10.0.0.1'], /^headers must be/],
  ]
  const asMany = (args) => () => verifier.authenticateMany([asObject(args)])
  const many = [
    [() => verifier.authenticateMany([undefined]), 'the request must be an object'],
    [() => verifier.authenticateMany([null]), 'the request must be an object'],
    [() => verifier.authenticateMany(['GET /']), 'the request must be an object'],
  ]
  const calls = [
    ...bad.map(([args, message]) => [() => verifier.authenticateSync(...args), message]),
    ...bad.map(([args, message]) => [() => verifier.authenticate(...args), message]),
    ...bad.map(([args, message]) => [asMany(args), message]),
    ...many,
  ]
  for (const [call, message] of calls) {
    const error = outcome(call).error
    assert.ok(error, String(call))
    assert.equal(error.code, 'InvalidArg', String(call))
    assert.match(error.message, message instanceof RegExp ? message : new RegExp(`^${message.replaceAll('.', '\\.')}$`))
    assertNoSecret(error, [accountKey, userKey])
  }
  // A peer that is not an IP address: the core's failure, one code and status, in every entry.
  for (const peer of ['', 'not-an-ip', `${accountKey}`]) {
    const expected = { name: 'AuthFailure', code: 'invalid_peer_address', httpStatus: 500, publicCode: 'internal_error' }
    const error = outcome(() => verifier.authenticateSync('GET', '/', headers, peer)).error
    assert.deepEqual({ name: error.name, code: error.code, httpStatus: error.httpStatus, publicCode: error.publicCode }, expected, peer)
    await assert.rejects(verifier.authenticate('GET', '/', headers, peer), expected)
    assert.deepEqual(verifier.authenticateMany([{ method: 'GET', path: '/', headers, peer }]), ['invalid_peer_address'])
    assertNoSecret(error, [accountKey, userKey])
  }
  // A key in the method or path is never logged, never echoed.
  const wrongKey = 'NoSuchUserKey-0000'
  const sneaky = [`GET ${wrongKey}`, `/v1/${accountKey}`, { 'x-api-key': accountKey, 'x-api-secret-key': wrongKey }, '10.0.0.1']
  const failure = outcome(() => verifier.authenticateSync(...sneaky)).error
  assert.equal(failure.code, 'invalid_user_key')
  assertNoSecret(failure, [accountKey, wrongKey])
  const [method, , sent, peer] = request(accountKey, userKey)
  const principal = verifier.authenticateSync(method, `/v1/${userKey}?${accountKey}`, sent, peer)
  assert.ok(!JSON.stringify(principal).includes(userKey))
  await verifier.flushSystemLog()
  const log = JSON.stringify(await verifier.systemLog(principal.accountId, 0, 100))
  assert.ok(log.includes('ci-deploy-key'), 'the success is logged')
  for (const secret of [accountKey, userKey, wrongKey]) assert.ok(!log.includes(secret), 'a key in the system log')

  // Failures of the same kind carry the same fields, each a fresh Error.
  const a = outcome(() => verifier.authenticateSync(...request(accountKey, 'NoSuchUserKey-0000'))).error
  const b = outcome(() => verifier.authenticateSync(...request(accountKey, 'NoSuchUserKey-0001'))).error
  delete a.stack
  delete b.stack
  assert.deepEqual(a, b)
  for (const [name, code, header] of [
    ['x-api-key', 'missing_credentials', 'x-api-key'],
    ['x-api-secret-key', 'missing_credentials', 'x-api-secret-key'],
  ]) {
    const only = { ...headers }
    delete only[name]
    const error = outcome(() => verifier.authenticateSync('GET', '/', only, '10.0.0.1')).error
    assert.equal(error.code, code)
    assert.equal(error.header, header)
  }

  // The native function behind authenticateSync refuses what it cannot read.
  const [serials, failed] = [new Float64Array(8), Object.create(null)]
  const handle = verifier._handle()
  const check = (...args) => native._authenticate(handle, ...args)
  assert.throws(() => check(1, 2, 3, 4, 5, 6, serials, failed), { code: 'InvalidArg' })
  assert.throws(() => check('GET', '/', accountKey, userKey, [7], '10.0.0.1', serials, failed), { code: 'InvalidArg' })
  assert.throws(() => verifier._authenticateAsync('GET', '/', accountKey, userKey, 7, '10.0.0.1'), { code: 'InvalidArg' })
  for (const bad of [[], new Float64Array(0), new Uint32Array(8), {}]) {
    assert.throws(() => check('GET', '/', accountKey, userKey, undefined, '10.0.0.1', bad, failed), { code: 'InvalidArg' })
  }
  assert.throws(() => check('GET', '/', accountKey, 'NoSuchUserKey-0000', undefined, '10.0.0.1', serials, 7), { code: 'InvalidArg' })
  assert.throws(() => native._authenticate({}, 'GET', '/', accountKey, userKey, undefined, '10.0.0.1', serials, failed), { code: 'InvalidArg' })
  // A failure: the core's encoded outcome (-1 - ordinal) and the message keying the error's fields.
  const [denied, message] = check('GET', '/', accountKey, userKey, undefined, 'nope', serials, failed)
  assert.equal(denied, -1 - 9)
  assert.deepEqual(Object.keys(failed), [message])
  assert.equal(failed[message].code, 'invalid_peer_address')
  assert.equal(failed[message].httpStatus, 500)
  // A key whose slot does not name it: the core's encoded outcome (2 * serial
  // + differs) and the principal, which the native side never keeps itself.
  const [encoded, fresh] = check('GET', '/', accountKey, userKey, undefined, '10.0.0.1', serials, failed)
  assert.equal(encoded % 2, 0)
  const serial = encoded / 2
  const fields = { accountId: principal.accountId, accountName: 'acme', userId: principal.userId, ownerName: 'Ada', ownerEmail: 'ada@example.com', keyName: 'ci-deploy-key' }
  assert.deepEqual({ ...fresh }, { ...fields, sourceIp: '10.0.0.1' })
  assert.deepEqual([...serials], new Array(8).fill(0))
  // Kept (its slot names it): the outcome alone, or with the source IP.
  serials[serial % 8] = serial
  assert.equal(check('GET', '/', accountKey, userKey, undefined, '10.0.0.1', serials, failed), encoded)
  assert.deepEqual(check('GET', '/', accountKey, userKey, undefined, '::ffff:10.0.0.1', serials, failed), [encoded + 1, '10.0.0.1'])
  // A slot that names another key's serial gives the principal again.
  serials[serial % 8] = serial + 8
  assert.equal(check('GET', '/', accountKey, userKey, undefined, '10.0.0.1', serials, failed)[1].keyName, 'ci-deploy-key')
  await verifier.flushSystemLog()
})

test('authenticateMany: a code per request, each logged, as authenticateSync decides', async () => {
  const verifier = Verifier.inMemory()
  const { account, ada, accountKey, userKey } = await setUp(verifier)
  await verifier.setAllowList(account, ada, 'ci-deploy-key', ['10.0.0.0/8'])
  await verifier.flushSystemLog()
  const before = (await verifier.systemLog(account, 0, 100)).length
  const requests = [
    request(accountKey, userKey),
    request(accountKey, 'NoSuchUserKey-0000'),
    request(accountKey, userKey, '192.0.2.1'),
    request('NoSuchAccountKey-0', userKey),
    ['GET', '/', { 'x-api-key': accountKey }, '10.0.0.1'],
    ['GET', '/', [['x-api-key', accountKey], ['x-api-key', accountKey], ['x-api-secret-key', userKey]], '10.0.0.1'],
  ]
  const codes = verifier.authenticateMany(requests.map(asObject))
  assert.deepEqual(codes, ['ok', 'invalid_user_key', 'source_ip_not_allowed', 'invalid_account_key', 'missing_credentials', 'malformed_credentials'])
  assert.deepEqual(codes, requests.map((r) => outcome(() => verifier.authenticateSync(...r)).error?.code ?? 'ok'))
  assert.deepEqual(verifier.authenticateMany([]), [])
  await verifier.flushSystemLog()
  // Tied to the account (a valid account key, both keys well formed): 3 of 6, twice.
  assert.equal((await verifier.systemLog(account, 0, 100)).length, before + 6)
  assert.throws(() => verifier.authenticateMany('nope'), { code: 'InvalidArg' })
  assert.throws(() => verifier.authenticateMany([asObject(request(accountKey, userKey)), null]), { code: 'InvalidArg' })
})
