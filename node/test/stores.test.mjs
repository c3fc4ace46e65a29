// Credential stores: the native ones, the OS keychain, and stores written
// in JavaScript used by the chain.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ApiKeys,
  Credentials,
  FileStore,
  KeychainStore,
  MemoryStore,
  resolveCredentials,
} from 'redis-cloud-auth'

const keys = new ApiKeys('AccountKey0123', 'UserKeyStored01')
const creds = new Credentials(keys, 'http://127.0.0.1:9/v1')
/** A chain that sees nothing of this machine: only what a test gives it. */
const isolated = { env: {}, profileFile: false, keychain: false }

async function roundTrip(store) {
  assert.equal(await store.load('round-trip'), null)
  assert.equal(await store.delete('round-trip'), false)
  await store.save('round-trip', creds)
  const loaded = await store.load('round-trip')
  assert.ok(loaded instanceof Credentials)
  assert.ok(loaded.keys.equals(keys))
  assert.equal(loaded.baseUrl, 'http://127.0.0.1:9/v1')
  assert.equal(await store.delete('round-trip'), true)
  assert.equal(await store.load('round-trip'), null)
  await assert.rejects(store.save('bad name', creds), { name: 'CredentialError', code: 'invalid_profile_name' })
}

test('MemoryStore round trip', () => roundTrip(new MemoryStore()))

test('FileStore round trip writes mode 0600 and refuses a readable file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rca-store-'))
  try {
    const store = new FileStore(join(dir, 'nested', 'credentials.toml'))
    await roundTrip(store)
    await store.save('default', creds)
    assert.equal(statSync(store.path).mode & 0o777, 0o600)
    const found = await resolveCredentials({ ...isolated, profileFile: store.path })
    assert.equal(found.source, 'profile_file')
    chmodSync(store.path, 0o644)
    await assert.rejects(store.load('default'), { code: 'insecure_permissions' })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('KeychainStore round trip in the OS keychain, and in the chain', async () => {
  const store = new KeychainStore(`rca-node-test-${process.pid}`)
  assert.match(store.describe(), /rca-node-test-/)
  // Each call runs on some worker thread; the first one on a fresh thread
  // is a save here, which once failed on Linux keyutils.
  try {
    await store.save('default', creds)
    const found = await resolveCredentials({ env: {}, profileFile: false, keychain: store })
    assert.equal(found.source, 'keychain')
    assert.equal(found.credentials.keys.exposeUserKey(), 'UserKeyStored01')
    await assert.rejects(resolveCredentials({ env: {}, profileFile: false, keychain: false }), { code: 'not_found' })
    await roundTrip(store)
  } finally {
    await store.delete('default')
  }
})

test('a native store in `stores` is used as a custom source', async () => {
  const memory = new MemoryStore()
  await memory.save('app', creds)
  const found = await resolveCredentials({ ...isolated, profile: 'app', stores: [memory] })
  assert.equal(found.source, 'custom')
  assert.equal(found.profile, 'app')
})

test('a JavaScript store (sync methods, using `this`) is used by the chain', async () => {
  class MapStore {
    constructor() {
      this.map = new Map()
      this.calls = []
    }
    save(profile, credentials) {
      this.map.set(profile, credentials)
    }
    load(profile) {
      this.calls.push(profile)
      return this.map.get(profile) ?? null
    }
    delete(profile) {
      return this.map.delete(profile)
    }
    describe() {
      return 'map store'
    }
  }
  const store = new MapStore()
  store.save('default', creds)
  const found = await resolveCredentials({ ...isolated, stores: [store] })
  assert.equal(found.source, 'custom')
  assert.ok(found.credentials.keys.equals(keys))
  assert.deepEqual(store.calls, ['default'])

  const err = await resolveCredentials({ ...isolated, profile: 'other', stores: [store] }).catch((e) => e)
  assert.equal(err.code, 'not_found')
  assert.match(err.message, /map store/)
  assert.deepEqual(store.calls, ['default', 'other'])
})

test('a JavaScript store with async methods returning plain fields', async () => {
  const saved = new Map([['default', { accountKey: 'AccountKey0123', userKey: 'UserKeyAsync001', baseUrl: 'https://api.example.test/v1' }]])
  const store = {
    async save(profile, credentials) {
      saved.set(profile, credentials)
    },
    async load(profile) {
      await new Promise((resolve) => setTimeout(resolve, 5))
      return saved.get(profile)
    },
    async delete(profile) {
      return saved.delete(profile)
    },
  }
  const found = await resolveCredentials({ ...isolated, stores: [store] })
  assert.equal(found.credentials.keys.exposeUserKey(), 'UserKeyAsync001')
  assert.equal(found.credentials.baseUrl, 'https://api.example.test/v1')
  // An earlier store that has nothing falls through to the next.
  const empty = { save() {}, load: async () => undefined, delete: () => false }
  const again = await resolveCredentials({ ...isolated, stores: [empty, store] })
  assert.equal(again.credentials.keys.exposeUserKey(), 'UserKeyAsync001')
})

test('a JavaScript store that fails gives a typed error, never a crash', async () => {
  const base = { save() {}, delete: () => false }
  const cases = [
    [{ ...base, load() { throw new Error('vault sealed') } }, 'store', /vault sealed/],
    [{ ...base, load: async () => { throw new Error('vault offline') } }, 'store', /vault offline/],
    [{ ...base, load: () => 42 }, 'store', /load must return/],
    [{ ...base, load: () => ({ accountKey: 'AccountKey0123' }) }, 'incomplete', /JavaScript store/],
    [{ ...base, load: () => ({ accountKey: 'AccountKey0123', userKey: 'bad key with spaces' }) }, 'invalid_key', /user key/],
    [{ ...base, load: () => ({ accountKey: 'AccountKey0123', userKey: 'UserKey0123456', baseUrl: 'ftp://x' }) }, 'invalid_base_url', /base URL/],
  ]
  for (const [store, code, message] of cases) {
    const err = await resolveCredentials({ ...isolated, stores: [store] }).catch((e) => e)
    assert.equal(err.name, 'CredentialError')
    assert.equal(err.code, code, err.message)
    assert.match(err.message, message)
    assert.ok(!err.message.includes('bad key with spaces'), err.message)
  }
  assert.throws(() => resolveCredentials({ stores: [{ load() {} }] }), { code: 'InvalidArg', message: /save/ })
  assert.throws(() => resolveCredentials({ stores: 'nope' }), { code: 'InvalidArg' })
  assert.throws(() => resolveCredentials({ profileFile: 3 }), { code: 'InvalidArg' })
})

test('many concurrent resolutions through a JavaScript store', async () => {
  let loads = 0
  const store = {
    save() {},
    delete: () => false,
    load: async (profile) => {
      loads++
      return { accountKey: 'AccountKey0123', userKey: `UserKey-${profile}` }
    },
  }
  const profiles = Array.from({ length: 50 }, (_, i) => `p${i}`)
  const all = await Promise.all(profiles.map((profile) => resolveCredentials({ ...isolated, profile, stores: [store] })))
  assert.deepEqual(
    all.map((r) => r.credentials.keys.exposeUserKey()),
    profiles.map((p) => `UserKey-${p}`),
  )
  assert.equal(loads, 50)
})
