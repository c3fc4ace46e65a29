// The Client against a real `rcauth serve` (the emulator) on loopback,
// set up through the Verifier on the emulator's own SQLite file; every
// outcome, plus the failures only a misbehaving server can cause.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { ApiKeys, Client, Credentials, MemoryStore, Verifier } from 'redis-cloud-auth'
import { serve } from './emulator.mjs'

const dir = mkdtempSync(join(tmpdir(), 'rca-client-'))
let server
let limited
let world

before(async () => {
  // The emulator creates its store; the Verifier opens the same file.
  server = await serve(dir)
  limited = await serve(mkdtempSync(join(dir, 'limited-')), '--rate-limit', '1')
  const verifier = await Verifier.openSqlite(join(dir, 'rcauth.sqlite3'))
  const account = await verifier.createAccount('acme')
  const ada = await verifier.addUser(account, 'Ada', 'ada@example.com', 'owner')
  const accountKey = await verifier.enableApi(account)
  const userKey = await verifier.createUserKey(account, ada, ada, 'ci-deploy-key', ['127.0.0.0/8'])
  const elsewhere = await verifier.createUserKey(account, ada, ada, 'office-only-key', ['192.0.2.0/24'])
  const other = await verifier.createAccount('other')
  const bob = await verifier.addUser(other, 'Bob', 'bob@example.com', 'owner')
  await verifier.enableApi(other)
  const otherKey = await verifier.createUserKey(other, bob, bob, 'bob-laptop-key')
  world = { verifier, account, ada, accountKey, userKey, elsewhere, otherKey }
})

after(async () => {
  await server?.stop()
  await limited?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const keysOf = (accountKey, userKey) => new ApiKeys(accountKey.expose(), userKey.expose())
const clientFor = (userKey, options = {}) =>
  new Client(keysOf(world.accountKey, userKey), { baseUrl: server.baseUrl, maxRetries: 0, ...options })

test('authenticated: the account, the calling key and the system log', async () => {
  const client = new Client(new Credentials(keysOf(world.accountKey, world.userKey), server.baseUrl))
  assert.equal(client.baseUrl, server.baseUrl)
  const me = await client.account()
  assert.equal(me.account.name, 'acme')
  assert.equal(me.account.id, world.account)
  assert.equal(me.account.key.name, 'ci-deploy-key')
  assert.deepEqual(me.account.key.allowedSourceIps, ['127.0.0.0/8'])
  assert.deepEqual(me.account.key.owner, { name: 'Ada', email: 'ada@example.com' })
  assert.equal(me.account.key.httpSourceIp, '127.0.0.1')

  const page = await client.systemLog(0, 10)
  assert.ok(page.entries.length >= 1)
  assert.equal(page.entries[0].apiKeyName, 'ci-deploy-key')
  assert.equal(page.entries[0].kind, 'authentication')
  const response = await client.request('GET', '/')
  assert.equal(response.status, 200)
  assert.equal(response.json.account.name, 'acme')
  assert.match(response.headers['content-type'], /json/)
  assert.equal(response.headers['x-api-secret-key'], undefined)
  // Many calls at once share the client.
  const all = await Promise.all(Array.from({ length: 20 }, () => client.account()))
  assert.ok(all.every((r) => r.account.key.name === 'ci-deploy-key'))
})

test('unauthorized: unknown user key, another account\'s key, deleted key, API disabled, owner demoted', async () => {
  const expect401 = (promise) => assert.rejects(promise, { name: 'ClientError', code: 'unauthorized', status: 401 })
  await expect401(clientFor(world.otherKey).account())
  await expect401(new Client(new ApiKeys(world.accountKey.expose(), 'NoSuchUserKey0001'), { baseUrl: server.baseUrl, maxRetries: 0 }).account())
  await expect401(new Client(new ApiKeys('NoSuchAccountKey1', world.userKey.expose()), { baseUrl: server.baseUrl, maxRetries: 0 }).account())

  const { verifier, account, ada } = world
  const temporary = await verifier.createUserKey(account, ada, ada, 'short-lived-key', [])
  await clientFor(temporary).account()
  await verifier.deleteUserKey(account, ada, 'short-lived-key')
  await expect401(clientFor(temporary).account())

  await verifier.disableApi(account)
  await expect401(clientFor(world.userKey).account())
  await verifier.enableApi(account)
  await verifier.setUserRole(account, ada, 'viewer')
  await expect401(clientFor(world.userKey).account())
  await verifier.setUserRole(account, ada, 'owner')
  await clientFor(world.userKey).account()
})

test('forbidden: the source IP is outside the key\'s allow list', async () => {
  const err = await clientFor(world.elsewhere).account().catch((e) => e)
  assert.equal(err.name, 'ClientError')
  assert.equal(err.code, 'forbidden')
  assert.equal(err.status, 403)
  // The server writes its system log in batches from its own process:
  // poll the shared file until the entry arrives (the server flushes
  // every few milliseconds), for at most five seconds.
  const refused = (e) => e.apiKeyName === 'office-only-key' && /allow list/.test(e.description)
  let log = []
  for (let i = 0; i < 100 && !log.some(refused); i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50))
    log = await world.verifier.systemLog(world.account, 0, 5)
  }
  assert.ok(log.some(refused), JSON.stringify(log.map((e) => e.description)))
})

test('rate limited: 429 with the wait the server asked for', async () => {
  const store = await Verifier.openSqlite(join(limited.dir, 'rcauth.sqlite3'))
  const account = await store.createAccount('limited')
  const owner = await store.addUser(account, 'Lin', 'lin@example.com', 'owner')
  const accountKey = await store.enableApi(account)
  const userKey = await store.createUserKey(account, owner, owner, 'rate-limited-key')
  const client = new Client(keysOf(accountKey, userKey), { baseUrl: limited.baseUrl, maxRetries: 0 })
  await client.account()
  const err = await client.account().catch((e) => e)
  assert.equal(err.code, 'rate_limited')
  assert.equal(err.status, 429)
  assert.equal(typeof err.retryAfter, 'number')
  assert.ok(err.retryAfter > 0 && err.retryAfter <= 60, String(err.retryAfter))
  // A client allowed to wait less than the server asks gives up at once.
  const impatient = new Client(keysOf(accountKey, userKey), { baseUrl: limited.baseUrl, maxRetries: 2, maxRetryAfter: 10 })
  await assert.rejects(impatient.account(), { code: 'rate_limited' })
})

test('not found and invalid requests', async () => {
  const client = clientFor(world.userKey)
  await assert.rejects(client.request('GET', '/no/such/thing'), { code: 'not_found', status: 404 })
  await assert.rejects(client.systemLog(0, 5000), { code: 'invalid_request' })
  await assert.rejects(client.request('BREW', '/'), { code: 'invalid_request' })
  await assert.rejects(client.request('GET', '/', { body: true }), { code: 'invalid_request' })
  const badUrl = (() => {
    try {
      new Client(keysOf(world.accountKey, world.userKey), { baseUrl: 'ftp://example.test' })
    } catch (err) {
      return err
    }
  })()
  assert.equal(badUrl.name, 'ClientError')
  assert.equal(badUrl.code, 'credentials')
  assert.equal(badUrl.cause.name, 'CredentialError')
  assert.equal(badUrl.cause.code, 'invalid_base_url')
  assert.throws(() => new Client({}), { code: 'InvalidArg' })
})

test('server errors, timeouts and refused connections', async () => {
  // A server that answers 503 (retried) or 500 (not retried), and one that never answers.
  let hits = 0
  const failing = createServer((req, res) => {
    hits++
    const status = req.url.includes('/logs') ? 500 : 503
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'boom' }))
  })
  const sockets = new Set()
  const silent = createTcpServer((socket) => sockets.add(socket))
  await Promise.all([new Promise((r) => failing.listen(0, '127.0.0.1', r)), new Promise((r) => silent.listen(0, '127.0.0.1', r))])
  try {
    const keys = keysOf(world.accountKey, world.userKey)
    const broken = new Client(keys, { baseUrl: `http://127.0.0.1:${failing.address().port}/v1`, maxRetries: 2, retryBackoffBase: 1, retryBackoffCap: 2 })
    const err = await broken.account().catch((e) => e)
    assert.equal(err.code, 'api_error')
    assert.equal(err.status, 503)
    assert.match(err.message, /boom/)
    assert.equal(hits, 3, 'the first attempt and two retries')
    await assert.rejects(broken.systemLog(), { code: 'api_error', status: 500 })
    assert.equal(hits, 4, 'a 500 is not retried')

    const slow = new Client(keys, { baseUrl: `http://127.0.0.1:${silent.address().port}/v1`, timeout: 200, maxRetries: 0 })
    await assert.rejects(slow.account(), { code: 'timeout' })

    const port = silent.address().port
    for (const socket of sockets) socket.destroy()
    await new Promise((r) => silent.close(r))
    const refused = new Client(keys, { baseUrl: `http://127.0.0.1:${port}/v1`, maxRetries: 0 })
    const transport = await refused.account().catch((e) => e)
    assert.equal(transport.code, 'transport')
    assert.ok(!transport.message.includes(world.userKey.expose()))
  } finally {
    failing.closeAllConnections()
    failing.close()
    for (const socket of sockets) socket.destroy()
    silent.close()
  }
})

test('a client never prints its keys', async () => {
  const client = clientFor(world.userKey)
  for (const text of [String(client), inspect(client), JSON.stringify({ client })]) {
    assert.ok(!text.includes(world.userKey.expose()) && !text.includes(world.accountKey.expose()), text)
  }
  assert.match(String(client), /^Client\(http:\/\/127\.0\.0\.1:\d+\/v1, sha256:[0-9a-f]{12}\)$/)
  assert.equal(client.fingerprint, keysOf(world.accountKey, world.userKey).fingerprint)
})

test('Client.fromChain: keys and base URL from the chain, options over them, a typed failure when nothing is found', async () => {
  const accountKey = world.accountKey.expose()
  const userKey = world.userKey.expose()
  const only = { profileFile: false, keychain: false }
  const env = { REDIS_CLOUD_ACCOUNT_KEY: accountKey, REDIS_CLOUD_USER_KEY: userKey, REDIS_CLOUD_BASE_URL: server.baseUrl }
  const fromEnv = await Client.fromChain({ ...only, env }, { maxRetries: 0 })
  assert.ok(fromEnv instanceof Client)
  assert.equal(fromEnv.baseUrl, server.baseUrl)
  assert.equal(fromEnv.fingerprint, keysOf(world.accountKey, world.userKey).fingerprint)
  assert.equal((await fromEnv.account()).account.key.name, 'ci-deploy-key')

  // A store given to the chain (no base URL in it): the base URL from the options.
  const store = new MemoryStore()
  await store.save('default', new Credentials(keysOf(world.accountKey, world.otherKey)))
  const fromStore = await Client.fromChain({ ...only, env: {}, stores: [store] }, { baseUrl: server.baseUrl, maxRetries: 0 })
  await assert.rejects(fromStore.account(), { code: 'unauthorized', status: 401 }) // Bob's key, acme's account key

  // A JavaScript store answering plain fields, base URL included.
  const vault = {
    save() {},
    delete() { return false },
    load: async () => ({ accountKey, userKey: world.elsewhere.expose(), baseUrl: server.baseUrl }),
  }
  const fromVault = await Client.fromChain({ ...only, env: {}, stores: [vault] }, { maxRetries: 0 })
  assert.equal(fromVault.baseUrl, server.baseUrl)
  await assert.rejects(fromVault.account(), { code: 'forbidden', status: 403 }) // office-only key from loopback

  // Nothing found: a ClientError whose cause is the chain's CredentialError.
  await assert.rejects(Client.fromChain({ ...only, env: {} }), (error) => {
    assert.equal(error.name, 'ClientError')
    assert.equal(error.code, 'credentials')
    assert.equal(error.cause.name, 'CredentialError')
    assert.equal(error.cause.code, 'not_found')
    return true
  })
  // Malformed keys in the environment: the cause names the key, never its value.
  const badEnv = { REDIS_CLOUD_ACCOUNT_KEY: accountKey, REDIS_CLOUD_USER_KEY: `${userKey} with spaces` }
  await assert.rejects(Client.fromChain({ ...only, env: badEnv }), (error) => {
    assert.equal(error.code, 'credentials')
    for (const text of [error.message, error.cause.message, inspect(error)]) assert.ok(!text.includes(userKey), text)
    return true
  })
  assert.throws(() => Client.fromChain({ profileFile: 3 }), { code: 'InvalidArg' })
  assert.throws(() => Client.fromChain(only, { timeout: 'soon' }), { code: 'NumberExpected' }) // as napi converts options
})
