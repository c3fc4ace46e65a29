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
import { captureConsole, serveAccount } from './emulator.mjs'

const require = createRequire(import.meta.url)
// The README the package ships (npm packs it), beside the module it resolves to.
const README = readFileSync(join(dirname(require.resolve('redis-cloud-auth')), 'README.md'), 'utf8')
const BLOCKS = [...README.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1])
const AsyncFunction = (async () => {}).constructor

const dir = mkdtempSync(join(tmpdir(), 'rca-readme-'))
let emulator
let keys

before(async () => {
  const provisioned = await serveAccount(dir)
  emulator = provisioned.emulator
  const { verifier, account, ada, accountKey } = provisioned
  keys = {
    REDIS_CLOUD_ACCOUNT_KEY: accountKey,
    REDIS_CLOUD_USER_KEY: (await verifier.createUserKey(account, ada, ada, 'readme-example-key')).expose(),
    REDIS_CLOUD_BASE_URL: emulator.baseUrl,
  }
})

after(async () => {
  await emulator?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** Runs `example` in the handler of one request; rejects with what it threw. */
async function runInHandler(example) {
  let outcome
  const server = createServer(async (req, res) => {
    try {
      await example(require, req, res)
      outcome = {}
    } catch (error) {
      outcome = { error }
    } finally {
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
}

test('the README has its examples', () => {
  assert.ok(BLOCKS.length >= 8, `${BLOCKS.length} examples`)
})

for (const [index, code] of BLOCKS.entries()) {
  test(`README example ${index + 1} runs`, async () => {
    const saved = { cwd: process.cwd(), env: { ...process.env } }
    const folder = mkdtempSync(join(dir, `example-${index + 1}-`))
    for (const name of Object.keys(process.env)) if (/^REDIS_?CLOUD/.test(name)) delete process.env[name]
    Object.assign(process.env, keys)
    process.chdir(folder)
    try {
      const example = new AsyncFunction('require', 'req', 'res', code)
      const printed = await captureConsole(() => runInHandler(example))
      for (const secret of [keys.REDIS_CLOUD_ACCOUNT_KEY, keys.REDIS_CLOUD_USER_KEY]) {
        assert.ok(!printed.includes(secret), `example ${index + 1} printed a key`)
      }
    } finally {
      process.chdir(saved.cwd)
      process.env = saved.env
    }
  })
}
