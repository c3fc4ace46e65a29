// Verifier.openRedis: two verifiers on one Redis see each other's keys.
// The shared-Redis test needs RCAUTH_TEST_REDIS_URL (scripts/test.d/70-redis.sh
// sets it) and is skipped without it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Verifier } from 'redis-cloud-auth'

const url = process.env.RCAUTH_TEST_REDIS_URL
const skip = url ? false : 'RCAUTH_TEST_REDIS_URL is not set (scripts/test.d/70-redis.sh sets it)'

/** Resolves once `check()` holds; fails after 3 s. */
async function eventually (check) {
  const started = Date.now()
  while (!check()) {
    assert.ok(Date.now() - started < 3000, 'not within the bound')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

test('two verifiers on one Redis share keys', { skip }, async () => {
  const admin = await Verifier.openRedis(url)
  const gateway = await Verifier.openRedis(url)
  const account = await admin.createAccount('acme')
  const ada = await admin.addUser(account, 'Ada', 'ada@example.com', 'owner')
  const accountKey = await admin.enableApi(account)
  const userKey = await admin.createUserKey(account, ada, ada, 'node-redis-key', [])
  const headers = { 'x-api-key': accountKey.expose(), 'x-api-secret-key': userKey.expose() }
  const outcome = () => {
    try {
      return gateway.authenticateSync('GET', '/v1/', headers, '192.0.2.1').keyName
    } catch (err) {
      return err.code
    }
  }
  await eventually(() => outcome() === 'node-redis-key')
  await admin.deleteUserKey(account, ada, 'node-redis-key')
  await eventually(() => outcome() === 'invalid_user_key')
})

test('an unreachable Redis is an AdminError', async () => {
  // Port 1 on loopback refuses connections.
  await assert.rejects(Verifier.openRedis('redis://:hunter2@127.0.0.1:1'), (err) => {
    assert.equal(err.name, 'AdminError')
    assert.equal(err.code, 'store_unavailable')
    assert.ok(!String(err.message).includes('hunter2'))
    return true
  })
})
