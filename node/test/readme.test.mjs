// Every JavaScript example of README.md runs: each in a fresh folder, with
// the keys of an `rcauth serve` account in the environment (as the
// credential chain reads them), inside the handler of a real HTTP request
// that carries those keys (`req` and `res` for the examples that serve one).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { inspect } from 'node:util'
import { Verifier } from 'redis-cloud-auth'
import { serve } from './emulator.mjs'

const require = createRequire(import.meta.url)
// The README the package ships (npm packs it), beside the module it resolves to.
const README = readFileSync(join(dirname(require.resolve('redis-cloud-auth')), 'README.md'), 'utf8')
const BLOCKS = [...README.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1])
const AsyncFunction = (async () => {}).constructor

const dir = mkdtempSync(join(tmpdir(), 'rca-readme-'))
let emulator
let keys

before(async () => {
  emulator = await serve(dir)
  const verifier = await Verifier.openSqlite(join(dir, 'rcauth.sqlite3'))
  const account = await verifier.createAccount('readme')
  const ada = await verifier.addUser(account, 'Ada', 'ada@example.com', 'owner')
  keys = {
    REDIS_CLOUD_ACCOUNT_KEY: (await verifier.enableApi(account)).expose(),
    REDIS_CLOUD_USER_KEY: (await verifier.createUserKey(account, ada, ada, 'readme-example-key')).expose(),
    REDIS_CLOUD_BASE_URL: emulator.baseUrl,
  }
})

after(async () => {
  await emulator?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** Runs `example` in a request handler; resolves what it printed, or rejects with what it threw. */
async function runInHandler(example) {
  const printed = []
  const log = console.log
  let outcome
  const server = createServer(async (req, res) => {
    console.log = (...args) => printed.push(args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' '))
    try {
      await example(require, req, res)
      outcome = { printed }
    } catch (error) {
      outcome = { error }
    } finally {
      console.log = log
      if (!res.writableEnded) res.end()
    }
  })
  await new Promise((done) => server.listen(0, '127.0.0.1', done))
  try {
    const headers = { 'x-api-key': keys.REDIS_CLOUD_ACCOUNT_KEY, 'x-api-secret-key': keys.REDIS_CLOUD_USER_KEY }
    const answer = await fetch(`http://127.0.0.1:${server.address().port}/v1/?example`, { headers })
    await answer.arrayBuffer()
  } finally {
    server.close()
  }
  if (outcome.error) throw outcome.error
  return outcome.printed
}

test('the README has its examples', () => {
  assert.ok(BLOCKS.length >= 8, `${BLOCKS.length} examples`)
})

for (const [index, code] of BLOCKS.entries()) {
  test(`README example ${index + 1} runs`, async () => {
    const saved = { cwd: process.cwd(), env: { ...process.env } }
    const folder = mkdtempSync(join(dir, `example-${index + 1}-`))
    for (const name of Object.keys(process.env)) if (name.startsWith('REDIS_CLOUD')) delete process.env[name]
    Object.assign(process.env, keys)
    process.chdir(folder)
    try {
      const example = new AsyncFunction('require', 'req', 'res', code)
      const printed = (await runInHandler(example)).join('\n')
      for (const secret of [keys.REDIS_CLOUD_ACCOUNT_KEY, keys.REDIS_CLOUD_USER_KEY]) {
        assert.ok(!printed.includes(secret), `example ${index + 1} printed a key`)
      }
    } finally {
      process.chdir(saved.cwd)
      process.env = saved.env
    }
  })
}
