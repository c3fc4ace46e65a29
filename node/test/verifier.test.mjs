// The Verifier: every admin operation, every authentication outcome, the
// system log, in memory and on a temporary SQLite file.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { ApiKeys, Secret, Verifier } from 'redis-cloud-auth'

/** An account with an owner, the API enabled and one key limited to 10.0.0.0/8. */
async function setUp(verifier) {
  const account = await verifier.createAccount('acme')
  const ada = await verifier.addUser(account, 'Ada', 'ada@example.com', 'owner')
  const accountKey = await verifier.enableApi(account)
  const userKey = await verifier.createUserKey(account, ada, ada, 'ci-deploy-key', ['10.0.0.0/8'])
  return { account, ada, accountKey, userKey }
}

/** The arguments of `authenticate`: method, path, headers, peer. */
const request = (accountKey, userKey, peer = '10.1.2.3', extra = {}) => [
  'GET',
  '/v1/',
  { 'x-api-key': accountKey.expose(), 'x-api-secret-key': userKey.expose(), ...extra },
  peer,
]

for (const kind of ['in memory', 'SQLite']) {
  test(`${kind}: admin operations and every authentication outcome`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rca-verifier-'))
    try {
      const path = join(dir, 'verifier.sqlite3')
      const verifier = kind === 'SQLite' ? await Verifier.openSqlite(path) : Verifier.inMemory()
      if (kind === 'SQLite') assert.equal(statSync(path).mode & 0o777, 0o600)
      const { account, ada, accountKey, userKey } = await setUp(verifier)
      assert.ok(accountKey instanceof Secret && userKey instanceof Secret)
      assert.equal(accountKey.expose().length >= 8, true)
      assert.equal(await verifier.apiEnabled(account), true)
      assert.equal(await verifier.enableApi(account), null, 'the account key is shown once')

      // Success, async and sync.
      const principal = await verifier.authenticate(...request(accountKey, userKey))
      assert.deepEqual(principal, {
        accountId: account,
        accountName: 'acme',
        userId: ada,
        ownerName: 'Ada',
        ownerEmail: 'ada@example.com',
        keyName: 'ci-deploy-key',
        sourceIp: '10.1.2.3',
      })
      assert.deepEqual(verifier.authenticateSync(...request(accountKey, userKey, '::ffff:10.9.9.9')).sourceIp, '10.9.9.9')

      const fails = async (req, code, status, extra = {}) => {
        await assert.rejects(verifier.authenticate(...req), { name: 'AuthFailure', code, httpStatus: status, ...extra })
        assert.throws(() => verifier.authenticateSync(...req), { name: 'AuthFailure', code, httpStatus: status })
      }
      // Rule 4: the allow list.
      await fails(request(accountKey, userKey, '192.0.2.1'), 'source_ip_not_allowed', 403, {
        publicCode: 'forbidden',
        sourceIp: '192.0.2.1',
      })
      // Malformed and missing headers.
      await fails(['GET', '/v1/', { 'x-api-key': accountKey.expose() }, '10.0.0.1'], 'missing_credentials', 401, {
        header: 'x-api-secret-key',
      })
      await fails(
        ['GET', '/v1/', [['x-api-key', accountKey.expose()], ['x-api-key', accountKey.expose()], ['x-api-secret-key', userKey.expose()]], '10.0.0.1'],
        'malformed_credentials',
        401,
      )
      // Unknown keys.
      await fails(request(new Secret('NoSuchAccountKey01'), userKey), 'invalid_account_key', 401)
      await fails(request(accountKey, new Secret('NoSuchUserKey0001')), 'invalid_user_key', 401, {
        publicMessage: 'the user key (x-api-secret-key) is not valid for this account',
      })
      // Rule 3: a key of another account reads like an invalid user key.
      const other = await setUp(verifier)
      await fails(request(accountKey, other.userKey), 'account_mismatch', 401, {
        publicMessage: 'the user key (x-api-secret-key) is not valid for this account',
      })
      // Role revoked, then restored.
      await verifier.setUserRole(account, ada, 'member')
      await fails(request(accountKey, userKey), 'owner_role_revoked', 401)
      assert.equal((await verifier.listUserKeys(account))[0].active, false)
      await verifier.setUserRole(account, ada, 'owner')
      await verifier.authenticate(...request(accountKey, userKey))
      // Rule 1: API disabled, then enabled again with the same key.
      await verifier.disableApi(account)
      assert.equal(await verifier.apiEnabled(account), false)
      await fails(request(accountKey, userKey), 'api_disabled', 401)
      assert.equal(await verifier.enableApi(account), null)
      await verifier.authenticate(...request(accountKey, userKey))
      // Allow list replaced.
      await verifier.setAllowList(account, ada, 'ci-deploy-key', ['192.0.2.0/24'])
      await verifier.authenticate(...request(accountKey, userKey, '192.0.2.1'))
      await fails(request(accountKey, userKey), 'source_ip_not_allowed', 403)
      // Trusted proxies: the forwarded address counts.
      verifier.trustedProxies = ['127.0.0.1']
      assert.deepEqual(verifier.trustedProxies, ['127.0.0.1/32'])
      const viaProxy = request(accountKey, userKey, '127.0.0.1', { 'x-forwarded-for': '192.0.2.7' })
      assert.equal((await verifier.authenticate(...viaProxy)).sourceIp, '192.0.2.7')
      verifier.trustedProxies = []
      // Rotation: the old account key stops working.
      const rotated = await verifier.rotateAccountKey(account)
      assert.ok(!rotated.equals(accountKey))
      await fails(request(accountKey, userKey, '192.0.2.1'), 'invalid_account_key', 401)
      await verifier.authenticate(...request(rotated, userKey, '192.0.2.1'))
      // A second key for another owner, created by Ada.
      const grace = await verifier.addUser(account, 'Grace', 'grace@example.com', 'owner')
      const graceKey = await verifier.createUserKey(account, ada, grace, 'grace-laptop-key')
      assert.equal((await verifier.authenticate(...request(rotated, graceKey, '203.0.113.9'))).ownerName, 'Grace')
      // Listing: users and keys, never a key value.
      const users = await verifier.listUsers(account)
      assert.deepEqual(users.map((u) => [u.name, u.role]), [['Ada', 'owner'], ['Grace', 'owner']])
      const keys = await verifier.listUserKeys(account)
      assert.deepEqual(keys.map((k) => [k.name, k.ownerName, k.allowList, k.active]), [
        ['ci-deploy-key', 'Ada', ['192.0.2.0/24'], true],
        ['grace-laptop-key', 'Grace', [], true],
      ])
      assert.match(keys[0].createdTimestamp, /^\d{4}-\d\d-\d\dT/)
      assert.ok(!JSON.stringify(keys).includes(userKey.expose()))
      // Deletion: the key never authenticates again.
      await verifier.deleteUserKey(account, ada, 'grace-laptop-key')
      await fails(request(rotated, graceKey, '203.0.113.9'), 'invalid_user_key', 401)

      // The system log: newest first, every attempt tied to the account.
      await verifier.flushSystemLog()
      const log = await verifier.systemLog(account)
      assert.ok(log.length >= 15, `${log.length} entries`)
      assert.ok(log[0].id > log[log.length - 1].id)
      assert.equal(log[0].kind, 'authentication')
      assert.equal(log[0].resource, 'GET /v1/')
      assert.match(log.find((e) => e.description.startsWith('authenticated')).description, /authenticated from/)
      assert.deepEqual((await verifier.systemLog(account, 1, 2)).map((e) => e.id), log.slice(1, 3).map((e) => e.id))
      for (const secret of [accountKey, rotated, userKey, graceKey]) {
        assert.ok(!JSON.stringify(log).includes(secret.expose()))
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
}

test('admin errors have stable codes', async () => {
  const verifier = Verifier.inMemory()
  const { account, ada } = await setUp(verifier)
  const bob = await verifier.addUser(account, 'Bob', 'bob@example.com', 'member')
  const cases = [
    [() => verifier.createUserKey(account, ada, ada, 'short'), 'invalid_name'],
    [() => verifier.createUserKey(account, ada, ada, 'ci-deploy-key'), 'name_taken'],
    [() => verifier.createUserKey(account, ada, ada, 'another-key-01', ['10.0.0.0/33']), 'invalid_cidr'],
    [() => verifier.createUserKey(account, ada, ada, 'another-key-02', Array.from({ length: 1001 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`)), 'allow_list_too_long'],
    [() => verifier.createUserKey(account, bob, ada, 'another-key-03'), 'not_allowed'],
    [() => verifier.createUserKey(account, ada, bob, 'another-key-04'), 'not_allowed'],
    [() => verifier.deleteUserKey(account, ada, 'no-such-key-00'), 'not_found'],
    [() => verifier.listUsers(999), 'not_found'],
    [() => verifier.addUser(account, 'Eve', 'not an email', 'owner'), 'invalid_name'],
    [async () => verifier.rotateAccountKey(await verifier.createAccount('fresh')), 'not_found'],
  ]
  for (const [call, code] of cases) {
    await assert.rejects(call(), (err) => {
      assert.equal(err.name, 'AdminError')
      assert.equal(err.code, code, err.message)
      return true
    })
  }
  assert.throws(() => verifier.addUser(account, 'Eve', 'eve@example.com', 'admin'), { code: 'InvalidArg', message: /unknown role/ })
  assert.throws(() => verifier.listUsers(-1), { code: 'InvalidArg' })
  assert.throws(() => verifier.authenticateSync('GET', '/', {}, 'not-an-ip'), { name: 'AuthFailure', code: 'invalid_peer_address', httpStatus: 500 })
  assert.throws(() => { verifier.trustedProxies = ['nope'] }, { name: 'AdminError', code: 'invalid_cidr' })
  assert.throws(() => { verifier.trustedProxies = 'nope' }, { code: 'ArrayExpected' }) // as napi converts arguments
})

test('a SQLite file shared by two verifiers: changes seen at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rca-verifier-'))
  try {
    const path = join(dir, 'shared.sqlite3')
    const admin = await Verifier.openSqlite(path)
    const gateway = await Verifier.openSqlite(path)
    const { account, ada, accountKey, userKey } = await setUp(admin)
    assert.equal(gateway.authenticateSync(...request(accountKey, userKey)).keyName, 'ci-deploy-key')
    await admin.deleteUserKey(account, ada, 'ci-deploy-key')
    assert.throws(() => gateway.authenticateSync(...request(accountKey, userKey)), { code: 'invalid_user_key' })
    await gateway.flushSystemLog()
    assert.equal((await admin.systemLog(account)).length, 2)
    await assert.rejects(Verifier.openSqlite(join(dir, 'missing', 'dir', 'x.sqlite3')), { name: 'AdminError', code: 'store_unavailable' })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('secrets from the verifier never print', async () => {
  const verifier = Verifier.inMemory()
  const { accountKey, userKey } = await setUp(verifier)
  for (const secret of [accountKey, userKey]) {
    for (const text of [String(secret), `${secret}`, inspect(secret), JSON.stringify({ secret }), inspect({ secret }, { showHidden: true })]) {
      assert.ok(!text.includes(secret.expose()), text)
      assert.match(text, /redacted/)
    }
  }
  const keys = new ApiKeys(accountKey.expose(), userKey.expose())
  assert.ok(!inspect(verifier).includes(userKey.expose()))
  assert.match(keys.fingerprint, /^sha256:/)
})
