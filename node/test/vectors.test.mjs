// The shared conformance vectors (tests/vectors/*.json), run through the addon.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync, mkdtempSync, chmodSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ApiKeys, parseAuthHeaders, resolveCredentials } from 'redis-cloud-auth'

const vectors = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'vectors')
const load = (name) => JSON.parse(readFileSync(join(vectors, name), 'utf8'))

const headers = load('headers.json')
const credentials = load('credentials.json')

/** Every secret-looking value of a case, to check no message holds one. */
function secretsOf(values) {
  return values.filter((v) => typeof v === 'string' && v.trim().length >= 8).map((v) => v.trim())
}

for (const c of headers.build) {
  test(`headers.build: ${c.name}`, () => {
    if (c.error) {
      assert.throws(
        () => new ApiKeys(c.account_key, c.user_key),
        (err) => {
          assert.ok(err instanceof Error)
          assert.equal(err.name, 'ApiKeyError')
          assert.equal(err.code, c.error)
          assert.equal(err.key, c.key)
          for (const secret of secretsOf([c.account_key, c.user_key])) {
            assert.ok(!err.message.includes(secret), err.message)
          }
          return true
        },
      )
    } else {
      const keys = new ApiKeys(c.account_key, c.user_key)
      assert.deepEqual(Object.entries(keys.authHeaders()), c.headers)
    }
  })
}

for (const c of headers.parse) {
  test(`headers.parse: ${c.name}`, () => {
    const forms = [
      ['pairs', c.headers],
      ['rawHeaders', c.headers.flat()],
      ['Headers-like iterable', new Map(c.headers)],
    ]
    for (const [form, input] of forms) {
      // A Map (like a Fetch Headers) cannot hold duplicates or case variants.
      if (form !== 'pairs' && form !== 'rawHeaders' && new Map(c.headers).size !== c.headers.length) continue
      if (c.error) {
        assert.throws(
          () => parseAuthHeaders(input),
          (err) => {
            assert.equal(err.name, 'HeaderError', form)
            assert.equal(err.code, c.error, form)
            assert.equal(err.header, c.header, form)
            for (const [, value] of c.headers) {
              if (value.trim().length >= 8) assert.ok(!err.message.includes(value.trim()), err.message)
            }
            return true
          },
        )
      } else {
        const keys = parseAuthHeaders(input)
        assert.equal(keys.exposeAccountKey(), c.account_key, form)
        assert.equal(keys.exposeUserKey(), c.user_key, form)
      }
    }
  })
}

test('headers.parse: a Node req.headers object, with duplicates as arrays', () => {
  const keys = parseAuthHeaders({ 'x-api-key': 'AccountKey0123', 'x-api-secret-key': 'UserKey0123456', accept: '*/*' })
  assert.equal(keys.exposeUserKey(), 'UserKey0123456')
  assert.throws(
    () => parseAuthHeaders({ 'x-api-key': ['AccountKey0123', 'AccountKey0123'], 'x-api-secret-key': 'UserKey0123456' }),
    { code: 'duplicate_header', header: 'x-api-key' },
  )
  assert.throws(() => parseAuthHeaders(42), { code: 'InvalidArg' })
  assert.throws(() => parseAuthHeaders([['x-api-key']]), { code: 'InvalidArg' })
})

for (const c of credentials.cases) {
  test(`credentials: ${c.name}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rca-vectors-'))
    try {
      const path = join(dir, 'credentials.toml')
      if (c.file) {
        writeFileSync(path, c.file.content)
        chmodSync(path, parseInt(c.file.mode, 8))
      }
      const options = { env: c.env, profileFile: path, keychain: false }
      if (c.profile !== undefined) options.profile = c.profile
      const run = resolveCredentials(options)
      if (c.error) {
        await assert.rejects(run, (err) => {
          assert.equal(err.name, 'CredentialError')
          assert.equal(err.code, c.error)
          for (const part of c.message_contains ?? []) assert.ok(err.message.includes(part), err.message)
          const file = c.file?.content ?? ''
          const fileSecrets = [...file.matchAll(/_key = "([^"]+)"/g)].map((m) => m[1])
          for (const secret of secretsOf([...Object.values(c.env), ...fileSecrets])) {
            if (!secret.startsWith('http')) assert.ok(!err.message.includes(secret), err.message)
          }
          return true
        })
      } else {
        const found = await run
        assert.equal(found.source, c.expect.source)
        assert.equal(found.credentials.keys.exposeAccountKey(), c.expect.account_key)
        assert.equal(found.credentials.keys.exposeUserKey(), c.expect.user_key)
        assert.equal(found.credentials.baseUrl, c.expect.base_url)
        assert.equal(found.profile, c.profile ?? c.env.REDIS_CLOUD_PROFILE ?? 'default')
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
}
