// One Express server for scripts/bench/adapters-load.sh: the same app,
// behind authMiddleware (`auth`) or not (`plain`), with a Verifier over
// the SQLite store at DATA.
//
//   node bench-express.mjs auth|plain DATA
//
// Prints `listening on http://127.0.0.1:PORT` once it serves.
import express from 'express'
import { Verifier } from 'redis-cloud-auth'
import { authMiddleware } from 'redis-cloud-auth/adapters'

const [mode, data] = process.argv.slice(2)
const app = express()
if (mode === 'auth') app.use(authMiddleware(await Verifier.openSqlite(data)))
app.get('/v1/', (req, res) => res.json({ hello: 'world', path: req.path }))
const server = app.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
