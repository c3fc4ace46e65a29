// The shared authentication vectors (tests/vectors/authenticate.json):
// admin setup steps, then one request, through Verifier.authenticate and
// Verifier.authenticateSync.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Verifier } from 'redis-cloud-auth'

const path = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'vectors', 'authenticate.json')
const { cases } = JSON.parse(readFileSync(path, 'utf8'))

/** Runs the setup steps; returns the symbols they defined. */
async function setUp(verifier, steps) {
  const ids = {}
  const secrets = {}
  const id = (value) => (typeof value === 'number' ? value : ids[value])
  for (const step of steps) {
    const run = async () => {
      switch (step.op) {
        case 'create_account':
          return verifier.createAccount(step.name)
        case 'add_user':
          return verifier.addUser(id(step.account), step.name, step.email, step.role)
        case 'enable_api':
          return verifier.enableApi(id(step.account))
        case 'disable_api':
          return verifier.disableApi(id(step.account))
        case 'rotate_account_key':
          return verifier.rotateAccountKey(id(step.account))
        case 'create_user_key':
          return verifier.createUserKey(id(step.account), id(step.acting_user), id(step.owner), step.name, step.allow_list ?? [])
        case 'set_user_role':
          return verifier.setUserRole(id(step.account), id(step.user), step.role)
        case 'set_allow_list':
          return verifier.setAllowList(id(step.account), id(step.acting_user), step.name, step.allow_list)
        case 'delete_user_key':
          return verifier.deleteUserKey(id(step.account), id(step.acting_user), step.name)
        case 'set_trusted_proxies':
          verifier.trustedProxies = step.nets
          return undefined
        default:
          throw new Error(`unknown op ${step.op}`)
      }
    }
    if (step.error) {
      await assert.rejects(run(), (err) => {
        assert.equal(err.name, 'AdminError', `${step.op}: ${err.message}`)
        assert.equal(err.code, step.error, `${step.op}: ${err.message}`)
        return true
      })
      continue
    }
    const result = await run()
    if (step.op === 'create_account') ids[step.account] = result
    if (step.op === 'add_user') ids[step.user] = result
    if (step.op === 'enable_api') {
      if (step.account_key === null) assert.equal(result, null, 'enable_api must return no key')
      else if (step.account_key) {
        assert.ok(result, 'enable_api must return a key')
        secrets[step.account_key] = result.expose()
      }
    }
    if (step.op === 'rotate_account_key') secrets[step.account_key] = result.expose()
    if (step.op === 'create_user_key') secrets[step.user_key] = result.expose()
  }
  return { ids, secrets }
}

function headersOf(request, secrets) {
  return request.headers.map(([name, value]) => {
    if (typeof value === 'string') return [name, value]
    const secret = secrets[value.account_key ?? value.user_key]
    assert.ok(secret !== undefined, `unknown symbol in ${JSON.stringify(value)}`)
    const pad = value.pad ?? ''
    return [name, `${pad}${secret}${pad}`]
  })
}

async function logLengths(verifier, ids, accounts) {
  await verifier.flushSystemLog()
  const lengths = {}
  for (const symbol of accounts) lengths[symbol] = (await verifier.systemLog(ids[symbol], 0, 1000)).length
  return lengths
}

for (const c of cases) {
  for (const mode of ['authenticate', 'authenticateSync']) {
    test(`authenticate.json (${mode}): ${c.name}`, async () => {
      const verifier = Verifier.inMemory()
      const { ids, secrets } = await setUp(verifier, c.setup)
      if (!c.request) return
      const accounts = c.setup.filter((s) => s.op === 'create_account' && !s.error).map((s) => s.account)
      const before = await logLengths(verifier, ids, accounts)
      const request = [c.request.method, c.request.path, headersOf(c.request, secrets), c.request.peer]
      let principal
      let failure
      try {
        principal = mode === 'authenticate' ? await verifier.authenticate(...request) : verifier.authenticateSync(...request)
      } catch (err) {
        failure = err
      }
      const expect = c.expect
      if (expect.status === 200) {
        assert.equal(failure, undefined, failure?.message)
        const p = expect.principal
        assert.deepEqual(principal, {
          accountId: ids[p.account],
          accountName: p.account_name,
          userId: ids[p.user],
          ownerName: p.owner_name,
          ownerEmail: p.owner_email,
          keyName: p.key_name,
          sourceIp: p.source_ip,
        })
      } else {
        assert.ok(failure, 'authenticate must fail')
        assert.equal(failure.name, 'AuthFailure')
        assert.equal(failure.code, expect.failure)
        assert.equal(failure.httpStatus, expect.status)
        assert.equal(failure.publicCode, expect.public_code)
        if (expect.message !== undefined) assert.equal(failure.publicMessage, expect.message)
        assert.deepEqual(JSON.parse(failure.errorBody), {
          error: failure.publicCode,
          message: failure.publicMessage,
          status: failure.httpStatus,
        })
        for (const secret of Object.values(secrets)) {
          assert.ok(!failure.message.includes(secret) && !failure.publicMessage.includes(secret))
        }
      }
      const after = await logLengths(verifier, ids, accounts)
      for (const symbol of accounts) {
        const gained = after[symbol] - before[symbol]
        assert.equal(gained, symbol === expect.logged_to ? 1 : 0, `system log of ${symbol}`)
      }
    })
  }
}
