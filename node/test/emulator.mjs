// The emulator the client, adapter, leak and README tests run against: the
// `rcauth` binary (RCAUTH_BIN, or the debug build in the target dir),
// `serve`, which starts it on a free loopback port, `serveAccount`, which
// also provisions an account, and `captureConsole`. No tests here.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { inspect } from 'node:util'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Verifier } from 'redis-cloud-auth'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The `rcauth` binary the tests run. */
export const rcauth =
  process.env.RCAUTH_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(repo, 'target'), 'debug', 'rcauth')

/**
 * Starts `rcauth serve` on a free loopback port over the data dir `dir`,
 * with extra `flags`; resolves its base URL (`…/v1`), `dir` and `stop()`.
 */
export async function serve(dir, ...flags) {
  assert.ok(existsSync(rcauth), `${rcauth} not built (cargo build -p rcauth)`)
  const child = spawn(rcauth, ['serve', '--listen', '127.0.0.1:0', '--data', dir, ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const baseUrl = await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
      const found = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)
      if (found) resolve(`${found[1]}/v1`)
    })
    child.on('exit', (code) => reject(new Error(`rcauth serve exited with ${code}`)))
    setTimeout(() => reject(new Error('rcauth serve did not start in 20 s')), 20_000).unref()
  })
  // SIGTERM lets the server flush its system log; it then waits for open
  // connections (a client may keep its own alive), so SIGKILL after a
  // grace period.
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done()
      child.once('exit', done)
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGKILL'), 2_000).unref()
    })
  return { baseUrl, dir, stop }
}

/**
 * `serve(dir)`, with the account `acme` (its API on) and its owner Ada in
 * the emulator's store: resolves `{ emulator, verifier, account, ada,
 * accountKey }`, the verifier on that store and the account key's text.
 */
export async function serveAccount(dir) {
  const emulator = await serve(dir)
  const verifier = await Verifier.openSqlite(join(dir, 'rcauth.sqlite3'))
  const account = await verifier.createAccount('acme')
  const ada = await verifier.addUser(account, 'Ada', 'ada@example.com', 'owner')
  const accountKey = (await verifier.enableApi(account)).expose()
  return { emulator, verifier, account, ada, accountKey }
}

/** Every console line written while `body` runs. */
export async function captureConsole(body) {
  const lines = []
  const saved = {}
  for (const name of ['log', 'info', 'warn', 'error', 'debug']) {
    saved[name] = console[name]
    console[name] = (...args) => lines.push(args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' '))
  }
  try {
    await body()
  } finally {
    Object.assign(console, saved)
  }
  return lines.join('\n')
}
