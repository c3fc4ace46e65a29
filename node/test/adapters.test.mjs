// The adapters against real servers on loopback: ApiKeysAuth on fetch
// and plain headers against `rcauth serve`, and authMiddleware /
// fastifyAuth in real Express and Fastify servers.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import express from 'express'
import Fastify from 'fastify'
import { ApiKeys, Credentials, Verifier } from 'redis-cloud-auth'
import { ApiKeysAuth, authMiddleware, fastifyAuth } from 'redis-cloud-auth/adapters'
import { captureConsole, serveAccount } from './emulator.mjs'

const dir = mkdtempSync(join(tmpdir(), 'rca-adapters-'))
let emulator
let world

before(async () => {
  const provisioned = await serveAccount(dir)
  emulator = provisioned.emulator
  const { verifier, account, ada, accountKey } = provisioned
  const userKey = (await verifier.createUserKey(account, ada, ada, 'ci-deploy-key')).expose()
  const outsideKey = (await verifier.createUserKey(account, ada, ada, 'office-only-key', ['192.0.2.0/24'])).expose()
  world = {
    verifier,
    account,
    keys: new ApiKeys(accountKey, userKey),
    outside: new ApiKeys(accountKey, outsideKey),
    wrong: new ApiKeys(accountKey, 'NoSuchUserKey0001'),
    secrets: [accountKey, userKey, outsideKey],
  }
})

after(async () => {
  await emulator?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** Fails when a secret appears in `text`. */
function assertNoSecret(text) {
  for (const secret of world.secrets) assert.ok(!text.includes(secret), `a secret leaked into ${text}`)
}

test('wrapFetch: 200 with the keys, 401 with wrong ones, through the built-in or a given fetch', async () => {
  const seen = []
  const givenFetch = (input, init) => {
    seen.push(init.headers.map(([name]) => name))
    return fetch(input, init)
  }
  const ok = await new ApiKeysAuth(world.keys).wrapFetch()(`${emulator.baseUrl}/`)
  assert.equal(ok.status, 200)
  assert.equal((await ok.json()).account.key.name, 'ci-deploy-key')
  const viaGiven = await new ApiKeysAuth(world.keys).wrapFetch(givenFetch)(`${emulator.baseUrl}/logs?limit=1`, {
    headers: { accept: 'application/json' },
  })
  assert.equal(viaGiven.status, 200)
  assert.deepEqual(seen[0].sort(), ['accept', 'x-api-key', 'x-api-secret-key'])
  const refused = await new ApiKeysAuth(world.wrong).wrapFetch()(new Request(`${emulator.baseUrl}/`))
  assert.equal(refused.status, 401)
  const body = await refused.text()
  assert.equal(JSON.parse(body).error, 'unauthorized')
  assertNoSecret(body)
  const outside = await new ApiKeysAuth(world.outside).wrapFetch()(`${emulator.baseUrl}/`)
  assert.equal(outside.status, 403)
})

test('headers(): the two headers for any client (node:http here, as undici or axios take them)', async () => {
  const status = await new Promise((done, fail) => {
    const req = httpRequest(`${emulator.baseUrl}/`, { headers: new ApiKeysAuth(world.keys).headers() }, (res) => {
      res.resume()
      done(res.statusCode)
    })
    req.on('error', fail)
    req.end()
  })
  assert.equal(status, 200)
  assert.deepEqual(Object.keys(new ApiKeysAuth(world.keys).headers()), ['x-api-key', 'x-api-secret-key'])
})

test('fromChain reads the environment (and the base URL from it)', async () => {
  const env = {
    REDIS_CLOUD_ACCOUNT_KEY: world.keys.exposeAccountKey(),
    REDIS_CLOUD_USER_KEY: world.keys.exposeUserKey(),
    REDIS_CLOUD_BASE_URL: emulator.baseUrl,
  }
  const auth = await ApiKeysAuth.fromChain({ env, profileFile: false, keychain: false })
  assert.equal(auth.baseUrl, emulator.baseUrl)
  assert.equal(auth.fingerprint, world.keys.fingerprint)
  assert.equal((await auth.wrapFetch()(`${auth.baseUrl}/`)).status, 200)
  // The default chain reads process.env.
  const saved = { ...process.env }
  Object.assign(process.env, env, { REDIS_CLOUD_CONFIG: join(dir, 'absent.toml') })
  try {
    const fromProcess = await ApiKeysAuth.fromChain()
    assert.equal(fromProcess.fingerprint, world.keys.fingerprint)
    assert.equal((await fromProcess.wrapFetch()(`${fromProcess.baseUrl}/`)).status, 200)
  } finally {
    for (const name of Object.keys(env)) if (!(name in saved)) delete process.env[name]
    if (!('REDIS_CLOUD_CONFIG' in saved)) delete process.env.REDIS_CLOUD_CONFIG
  }
  await assert.rejects(ApiKeysAuth.fromChain({ env: {}, profileFile: false, keychain: false }), (error) => {
    assert.equal(error.code, 'not_found')
    return true
  })
  assert.throws(() => new ApiKeysAuth('AccountKey0123'), TypeError)
})

test('ApiKeysAuth text forms hold no key; a redirect is refused unless asked for', async () => {
  const auth = new ApiKeysAuth(new Credentials(world.keys, emulator.baseUrl))
  const text = [String(auth), inspect(auth), JSON.stringify(auth), `${auth}`].join('\n')
  assert.ok(text.includes(world.keys.fingerprint))
  assertNoSecret(text)
  // A server that redirects elsewhere: the wrapped fetch fails instead of following.
  const app = express()
  app.get('/moved', (req, res) => res.redirect(302, `${emulator.baseUrl}/`))
  const server = await listen(app)
  try {
    await assert.rejects(auth.wrapFetch()(`${server.url}/moved`), TypeError)
    // A Request's mode reads 'follow' by default, so it does not count as a choice.
    await assert.rejects(auth.wrapFetch()(new Request(`${server.url}/moved`)), TypeError)
    const manual = await auth.wrapFetch()(`${server.url}/moved`, { redirect: 'manual' })
    assert.equal(manual.status, 302)
  } finally {
    server.close()
  }
})

/** Listens on a free loopback port; resolves `{ url, close }`. */
function listen(app) {
  return new Promise((done) => {
    const server = app.listen(0, '127.0.0.1', () => {
      done({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() })
    })
  })
}

/** An Express app and a Fastify app behind the adapters, answering with `principal`. */
async function servers(verifier) {
  const app = express()
  app.use(authMiddleware(verifier))
  app.get('/whoami', (req, res) => res.json(describe(req.principal)))
  const expressServer = await listen(app)
  const fastifyLog = []
  const fastify = Fastify({ logger: { level: 'trace', stream: { write: (line) => fastifyLog.push(line) } } })
  fastify.decorateRequest('principal', null)
  fastify.addHook('onRequest', fastifyAuth(verifier))
  fastify.get('/whoami', async (request) => describe(request.principal))
  await fastify.listen({ port: 0, host: '127.0.0.1' })
  return [
    { name: 'express', url: expressServer.url, close: expressServer.close, log: () => '' },
    { name: 'fastify', url: `http://127.0.0.1:${fastify.server.address().port}`, close: () => fastify.close(), log: () => fastifyLog.join('') },
  ]
}

const describe = (principal) => ({ key: principal.keyName, account: principal.accountId, sourceIp: principal.sourceIp })

test('middleware: the principal reaches the handler; other requests get the body of rcauth serve', async () => {
  const verifier = Verifier.inMemory()
  const account = await verifier.createAccount('acme')
  const ada = await verifier.addUser(account, 'Ada', 'ada@example.com', 'owner')
  const accountKey = (await verifier.enableApi(account)).expose()
  const good = new ApiKeys(accountKey, (await verifier.createUserKey(account, ada, ada, 'service-key-1')).expose())
  const outside = new ApiKeys(accountKey, (await verifier.createUserKey(account, ada, ada, 'outside-only-key', ['192.0.2.0/24'])).expose())
  const secrets = [accountKey, good.exposeUserKey(), outside.exposeUserKey()]
  for (const server of await servers(verifier)) {
    const logged = await captureConsole(async () => {
      const ok = await fetch(`${server.url}/whoami?x=1`, { headers: good.authHeaders() })
      assert.equal(ok.status, 200, server.name)
      assert.deepEqual(await ok.json(), { key: 'service-key-1', account, sourceIp: '127.0.0.1' })
      for (const [headers, status] of [
        [{}, 401],
        [{ 'x-api-key': accountKey }, 401],
        [{ ...good.authHeaders(), 'x-api-secret-key': 'NotAValidUserKey0123' }, 401],
        [outside.authHeaders(), 403],
      ]) {
        const answer = await fetch(`${server.url}/whoami`, { headers })
        assert.equal(answer.status, status, server.name)
        assert.match(answer.headers.get('content-type'), /^application\/json/)
        const text = await answer.text()
        assert.equal(JSON.parse(text).status, status)
        for (const secret of secrets) assert.ok(!text.includes(secret))
      }
      // Byte for byte what the emulator answers for the same failures.
      for (const headers of [{}, { 'x-api-key': 'NoSuchAccountKey0123', 'x-api-secret-key': 'NoSuchUserKey012345' }]) {
        const ours = await fetch(`${server.url}/whoami`, { headers })
        const theirs = await fetch(`${emulator.baseUrl}/`, { headers })
        assert.deepEqual([ours.status, await ours.text()], [theirs.status, await theirs.text()], server.name)
      }
      // A repeated key header is refused.
      const repeated = await fetch(`${server.url}/whoami`, {
        headers: [...Object.entries(good.authHeaders()), ['x-api-key', accountKey]],
      })
      assert.equal(repeated.status, 401)
    })
    for (const secret of secrets) assert.ok(!(logged + server.log()).includes(secret), `${server.name} logged a key`)
    await server.close()
  }
  await verifier.flushSystemLog()
  const log = await verifier.systemLog(account, 0, 1000)
  assert.ok(log.filter((entry) => entry.apiKeyName === 'service-key-1').length >= 2)
})

test('middleware: the source IP comes from trusted proxies only', async () => {
  const verifier = Verifier.inMemory()
  const account = await verifier.createAccount('acme')
  const ada = await verifier.addUser(account, 'Ada', 'ada@example.com', 'owner')
  const accountKey = (await verifier.enableApi(account)).expose()
  const outside = new ApiKeys(accountKey, (await verifier.createUserKey(account, ada, ada, 'outside-only-key', ['192.0.2.0/24'])).expose())
  const headers = { ...outside.authHeaders(), 'x-forwarded-for': '192.0.2.9' }
  const all = await servers(verifier)
  try {
    for (const server of all) {
      verifier.trustedProxies = []
      assert.equal((await fetch(`${server.url}/whoami`, { headers })).status, 403, server.name)
      verifier.trustedProxies = ['127.0.0.0/8']
      const ok = await fetch(`${server.url}/whoami`, { headers })
      assert.equal(ok.status, 200, server.name)
      assert.equal((await ok.json()).sourceIp, '192.0.2.9')
    }
  } finally {
    for (const server of all) await server.close()
  }
})

test('a request whose socket is gone (no remote address) is answered, not thrown', () => {
  // Node leaves `socket.remoteAddress` undefined once the client disconnected.
  const req = { method: 'GET', url: '/v1/', rawHeaders: Object.entries(world.keys.authHeaders()).flat(), socket: {} }
  const answer = { headers: {} }
  const res = { setHeader: (n, v) => (answer.headers[n] = v), end: (body) => (answer.body = body) }
  let passed
  authMiddleware(world.verifier)(req, res, (error) => (passed = error ?? 'next'))
  assert.equal(passed, undefined)
  assert.equal(res.statusCode, 500)
  assert.equal(JSON.parse(answer.body).error, 'internal_error')
})
