// Start a real Bluesky network (DID directory, PDS, AppView) from @atproto/dev-env on 127.0.0.1.
// Env: DB_POSTGRES_URL, REDIS_HOST (required by dev-env), NETRAL_E2E_SCHEMA (letters and _ only:
// bsync rejects digits), NETRAL_E2E_PLC_PORT,
// NETRAL_E2E_PDS_PORT, NETRAL_E2E_BSKY_PORT. Prints one JSON line {"ready":true,...} once serving,
// and answers "process\n" on stdin with {"processed":true} after making the AppView index everything.
import readline from 'node:readline'
import { TestNetwork } from '@atproto/dev-env'

const env = process.env
const plcPort = Number(env.NETRAL_E2E_PLC_PORT || 2582)
const pdsPort = Number(env.NETRAL_E2E_PDS_PORT || 2583)
const bskyPort = Number(env.NETRAL_E2E_BSKY_PORT || 2584)

const network = await TestNetwork.create({
  dbPostgresSchema: env.NETRAL_E2E_SCHEMA || 'netral_endtoend',
  plc: { port: plcPort },
  pds: { port: pdsPort, hostname: 'localhost', rateLimitsEnabled: env.NETRAL_E2E_RATE_LIMITS === '1' },
  bsky: { port: bskyPort, publicUrl: `http://localhost:${bskyPort}` },
})

const say = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
say({ ready: true, plc: network.plc.url, pds: network.pds.url, appview: network.bsky.url, pid: process.pid })

const shutdown = async () => {
  try { await network.close() } finally { process.exit(0) }
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)

// Commands from the test on stdin, one per line.
const rl = readline.createInterface({ input: process.stdin })
rl.on('line', async (line) => {
  if (line.trim() === 'process') {
    try { await network.processAll(); say({ processed: true }) } catch (e) { say({ processed: false, error: String(e) }) }
  }
})
rl.on('close', shutdown)
