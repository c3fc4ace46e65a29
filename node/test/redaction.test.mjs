// No secret in util.inspect, toString, JSON.stringify, template strings or error text.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect, format } from 'node:util'
import * as esm from 'redis-cloud-auth'
import { ApiKeys, Credentials, MemoryStore, parseAuthHeaders, resolveCredentials } from 'redis-cloud-auth'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const ACCOUNT = 'AccountSecret-7f3a9c'
const USER = 'UserSecret-b81d22e0'

function assertClean(text, where) {
  assert.ok(!text.includes(ACCOUNT), `${where} shows the account key: ${text}`)
  assert.ok(!text.includes(USER), `${where} shows the user key: ${text}`)
}

function renderings(value) {
  return {
    inspect: inspect(value),
    'inspect deep': inspect({ nested: [value] }, { depth: 10, showHidden: true }),
    toString: String(value),
    template: `${value}`,
    'JSON.stringify': JSON.stringify(value),
    'JSON.stringify nested': JSON.stringify({ value }),
    'format %o': format('%o', value),
    'format %j': format('%j', value),
  }
}

test('ApiKeys, Credentials and resolved credentials never print a key', async () => {
  const keys = new ApiKeys(ACCOUNT, USER)
  const creds = new Credentials(keys, 'http://127.0.0.1:1/v1')
  const resolved = await resolveCredentials({
    env: { REDIS_CLOUD_ACCOUNT_KEY: ACCOUNT, REDIS_CLOUD_USER_KEY: USER },
    profileFile: false,
    keychain: false,
  })
  const store = new MemoryStore()
  await store.save('default', creds)
  for (const [label, value] of Object.entries({ keys, creds, resolved, store, parsed: parseAuthHeaders([['x-api-key', ACCOUNT], ['x-api-secret-key', USER]]) })) {
    for (const [how, text] of Object.entries(renderings(value))) assertClean(text, `${label} ${how}`)
  }
  assert.equal(String(keys), `ApiKeys(${keys.fingerprint})`)
  assert.match(inspect(keys), /^ApiKeys\(sha256:[0-9a-f]{12}\)$/)
  assert.deepEqual(JSON.parse(JSON.stringify(creds)), { fingerprint: keys.fingerprint, baseUrl: 'http://127.0.0.1:1/v1' })
  // ...while the secrets are still there for whoever asks explicitly.
  assert.equal(keys.exposeUserKey(), USER)
  assert.deepEqual(keys.authHeaders(), { 'x-api-key': ACCOUNT, 'x-api-secret-key': USER })
})

test('errors never hold a key', async () => {
  const errors = []
  const grab = (fn) => {
    try {
      fn()
    } catch (err) {
      errors.push(err)
    }
  }
  grab(() => new ApiKeys(`${ACCOUNT} tail`, USER))
  grab(() => new ApiKeys(ACCOUNT, `${USER}\u0007`))
  grab(() => new ApiKeys(ACCOUNT, USER + 'x'.repeat(300)))
  grab(() => parseAuthHeaders([['x-api-key', ACCOUNT], ['x-api-secret-key', `${USER} x`]]))
  grab(() => parseAuthHeaders([['x-api-key', ACCOUNT], ['x-api-key', ACCOUNT], ['x-api-secret-key', USER]]))
  for (const env of [
    { REDIS_CLOUD_ACCOUNT_KEY: ACCOUNT, REDIS_CLOUD_API_KEY: `${ACCOUNT}2`, REDIS_CLOUD_USER_KEY: USER },
    { REDIS_CLOUD_ACCOUNT_KEY: ACCOUNT, REDIS_CLOUD_USER_KEY: `${USER} with space` },
    { REDIS_CLOUD_ACCOUNT_KEY: ACCOUNT },
  ]) {
    errors.push(await resolveCredentials({ env, profileFile: false, keychain: false }).catch((e) => e))
  }
  assert.equal(errors.length, 8)
  for (const err of errors) {
    assert.ok(err instanceof Error)
    assert.equal(typeof err.code, 'string')
    for (const [how, text] of Object.entries({ message: err.message, stack: err.stack, inspect: inspect(err), json: JSON.stringify(err) })) {
      assertClean(text, `${err.code} ${how}`)
    }
  }
})

test('every native export is exported by the package entry, for CJS and ESM', () => {
  const require = createRequire(import.meta.url)
  // The package as installed: its entry and the generated index.js beside it.
  const native = require(join(dirname(require.resolve('redis-cloud-auth/package.json')), 'index.js'))
  const entry = require('redis-cloud-auth')
  // Names starting with `_` are the entry's own helpers (auth-request.js).
  const publicNames = Object.keys(native).filter((n) => !n.startsWith('_'))
  assert.deepEqual(Object.keys(entry).filter((n) => n in native).sort(), publicNames.sort())
  assert.deepEqual(Object.keys(entry).filter((n) => !(n in native)), ['parseAuthHeaders'])
  for (const name of publicNames) assert.ok(esm[name], name)
})
