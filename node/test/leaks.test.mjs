// The secret-leak suite of the Node package: real and wrong keys go
// through every authentication failure (async and sync), admin errors,
// the Client against a real `rcauth serve`, and the profile file; then no
// secret may appear in any error's message, stack, inspect() or JSON, any
// console output, the system log, or a byte of the SQLite files.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inspect } from 'node:util'
import { ApiKeys, Client, FileStore, Verifier } from 'redis-cloud-auth'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const rcauth =
  process.env.RCAUTH_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(repo, 'target'), 'debug', 'rcauth')

const WRONG_ACCOUNT = 'WrongAccountKey-Js-6d2e8a'
const WRONG_USER = 'WrongUserKey-Js-1c7f3b'

/** Every text form of an error a program might print or log. */
const textsOf = (error) => [
  String(error),
  error?.message ?? '',
  error?.stack ?? '',
  inspect(error, { depth: 5, showHidden: true }),
  JSON.stringify(error ?? null),
]

async function rejection(promiseOrFn) {
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn)
  } catch (error) {
    return error
  }
  assert.fail('nothing was thrown')
}

function assertClean(what, data, secrets) {
  const blob = Buffer.isBuffer(data) ? data : Buffer.from(String(data))
  for (const secret of secrets) {
    assert.ok(!blob.includes(Buffer.from(secret)), `a secret (${secret.length} chars) leaked into ${what}`)
  }
}

test('no secret appears anywhere', async () => {
  assert.ok(existsSync(rcauth), `${rcauth} not built (cargo build -p rcauth)`)
  const dir = mkdtempSync(join(tmpdir(), 'rca-leaks-'))
  // Everything the process prints while the suite runs.
  const printed = []
  const original = { log: console.log, error: console.error, warn: console.warn }
  for (const name of Object.keys(original)) {
    console[name] = (...args) => printed.push(args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' '))
  }
  const child = spawn(rcauth, ['serve', '--listen', '127.0.0.1:0', '--data', join(dir, 'emulator')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: 'trace' },
  })
  let serverOut = ''
  let serverErr = ''
  child.stderr.on('data', (chunk) => (serverErr += chunk))
  try {
    const baseUrl = await new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        serverOut += chunk
        const found = serverOut.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)
        if (found) resolve(`${found[1]}/v1`)
      })
      child.on('exit', (code) => reject(new Error(`rcauth serve exited with ${code}`)))
      setTimeout(() => reject(new Error('rcauth serve did not start in 20 s')), 20_000).unref()
    })

    const v = await Verifier.openSqlite(join(dir, 'emulator', 'rcauth.sqlite3'))
    const acme = await v.createAccount('acme')
    const ada = await v.addUser(acme, 'Ada', 'ada@example.com', 'owner')
    const mia = await v.addUser(acme, 'Mia', 'mia@example.com', 'owner')
    const accountKey = (await v.enableApi(acme)).expose()
    const userKey = (await v.createUserKey(acme, ada, ada, 'ada-laptop-key', ['127.0.0.0/8', '10.0.0.0/8'])).expose()
    const outsideKey = (await v.createUserKey(acme, ada, ada, 'ada-office-key', ['192.0.2.0/24'])).expose()
    const miasKey = (await v.createUserKey(acme, mia, mia, 'mia-laptop-key')).expose()
    const oldKey = (await v.createUserKey(acme, ada, ada, 'ada-old-key-01')).expose()
    await v.deleteUserKey(acme, ada, 'ada-old-key-01')
    await v.setUserRole(acme, mia, 'viewer')
    const globex = await v.createAccount('globex')
    const gus = await v.addUser(globex, 'Gus', 'gus@example.com', 'owner')
    const rotatedAway = (await v.enableApi(globex)).expose()
    const globexUserKey = (await v.createUserKey(globex, gus, gus, 'gus-server-key')).expose()
    const globexKey = (await v.rotateAccountKey(globex)).expose()
    await v.disableApi(globex)
    const secrets = [accountKey, userKey, outsideKey, miasKey, oldKey, rotatedAway, globexUserKey, globexKey, WRONG_ACCOUNT, WRONG_USER]
    const seen = []

    const request = (a, u, peer = '10.0.0.1', extra = {}) => [
      'GET',
      '/v1/',
      { ...(a ? { 'x-api-key': a } : {}), ...(u ? { 'x-api-secret-key': u } : {}), ...extra },
      peer,
    ]
    const principal = await v.authenticate(...request(accountKey, userKey))
    seen.push(['principal', inspect(principal) + JSON.stringify(principal)])
    const cases = {
      missing: request(accountKey, null),
      malformed: request(accountKey, `${userKey} ${WRONG_USER}`),
      'wrong account': request(WRONG_ACCOUNT, userKey),
      rotated: request(rotatedAway, globexUserKey),
      'wrong user': request(accountKey, WRONG_USER),
      mismatch: request(accountKey, globexUserKey),
      deleted: request(accountKey, oldKey),
      'revoked owner': request(accountKey, miasKey),
      disabled: request(globexKey, globexUserKey),
      'denied ip': request(accountKey, userKey, '192.0.2.1'),
    }
    const codes = new Set()
    for (const [name, req] of Object.entries(cases)) {
      const error = await rejection(v.authenticate(...req))
      codes.add(error.code)
      console.error('authentication failed', name, error)
      seen.push(...textsOf(error).map((t) => [name, t]))
      let syncError
      assert.throws(
        () => v.authenticateSync(...req),
        (e) => {
          syncError = e
          return true
        },
        `${name}: authenticateSync did not throw`,
      )
      assert.equal(syncError?.code, error.code, `${name}: the sync failure's code`)
      seen.push(...textsOf(syncError).map((t) => [`${name} (sync)`, t]))
    }
    assert.ok(codes.size >= 7, [...codes].join(','))

    for (const action of [
      () => v.createUserKey(acme, ada, ada, `${userKey}!`),
      () => v.createUserKey(acme, ada, ada, 'bad-cidr-key', ['10.1.2.3/8']),
      () => v.deleteUserKey(acme, ada, WRONG_USER),
      () => new ApiKeys(accountKey, `${userKey}\u0007`),
    ]) {
      const error = await rejection(action)
      console.warn('refused', error)
      seen.push(...textsOf(error).map((t) => ['admin', t]))
    }
    seen.push(['verifier', String(v) + inspect(v)])
    seen.push(['keys', inspect(await v.listUserKeys(acme), { depth: 5 })])

    // The client against the emulator: wrong keys, a denied source.
    for (const [name, a, u] of [
      ['client ok', accountKey, userKey],
      ['client wrong user', accountKey, WRONG_USER],
      ['client wrong account', WRONG_ACCOUNT, userKey],
      ['client outside', accountKey, outsideKey],
      ['client mismatch', accountKey, globexUserKey],
    ]) {
      const keys = new ApiKeys(a, u)
      const client = new Client(keys, { baseUrl, maxRetries: 0 })
      seen.push([`${name} keys`, String(keys) + inspect(keys) + JSON.stringify({ keys, client }) + inspect(client)])
      try {
        seen.push([name, inspect(await client.account(), { depth: 5 })])
      } catch (error) {
        console.error('client failed', error)
        seen.push(...textsOf(error).map((t) => [name, t]))
      }
    }

    // A profile file holding a key in a broken line.
    const profile = join(dir, 'credentials.toml')
    writeFileSync(profile, `[profiles.default]\naccount_key = "${accountKey}"\nuser_key = ${userKey}\n`)
    chmodSync(profile, 0o600)
    const fileError = await rejection(async () => new FileStore(profile).load('default'))
    seen.push(...textsOf(fileError).map((t) => ['profile file', t]))

    await v.flushSystemLog()
    const entries = [...(await v.systemLog(acme, 0, 1000)), ...(await v.systemLog(globex, 0, 1000))]
    assert.ok(entries.length >= 8, `${entries.length} entries`)
    seen.push(['system log', JSON.stringify(entries)])

    await new Promise((done) => {
      child.once('exit', done)
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref()
    })
    assert.match(serverErr, /TRACE/, 'the server logged at TRACE')
    for (const [what, text] of seen) assertClean(what, text, secrets)
    assert.ok(printed.some((line) => line.includes('authentication failed')))
    assertClean('console output', printed.join('\n'), secrets)
    assertClean('server stdout', serverOut, secrets)
    assertClean('server stderr', serverErr, secrets)
    for (const name of readdirSync(join(dir, 'emulator'))) {
      assertClean(name, readFileSync(join(dir, 'emulator', name)), secrets)
    }
  } finally {
    Object.assign(console, original)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
})
