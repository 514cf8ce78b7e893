/**
 * A real Vigil server for benchmarks that keeps its state: keys, certificates and the store live
 * in a data directory the parent chooses, so stopping and starting this child again (same
 * directory, same port) is a server restart that keeps every enrollment. Built through the real
 * path (`resolveServerConfig` + `buildApp`), with the store opened from a URL: SQLite in the data
 * directory (default) or PostgreSQL in a schema of its own.
 *
 * Settings (environment): BENCH_DATA_DIR (required), BENCH_DB (sqlite:PATH or postgres://…),
 * BENCH_PG_SCHEMA (PostgreSQL schema, created if missing), BENCH_LISTEN (default 127.0.0.1:0),
 * BENCH_HEARTBEAT and BENCH_POLL (seconds), BENCH_TOKEN_TAGS (comma-separated: one enrollment
 * token per tag, default "sim"), BENCH_LOG_LEVEL (default silent).
 *
 * Prints one JSON line (url, CA, signing key, admin API token, enrollment tokens by tag, whether
 * this was the first start), then runs until stdin closes. On SIGUSR2 it writes its own memory
 * figures (process.memoryUsage: V8 heap, external and array buffers) to memory.json in the data
 * directory: the split between the JS heap and native memory cannot be read from outside.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
// The built server, as `vigil server` runs it (not the TypeScript sources through tsx, whose
// compiling would add seconds to every start a restart benchmark times).
import { buildApp, openStore, resolveServerConfig } from '@vigil/server';

// Start-up phases, printed to stderr with the benchmark's output (a restart benchmark times them).
const phases = { imported: Math.round(performance.now()) };
const dataDir = process.env.BENCH_DATA_DIR;
if (!dataDir) throw new Error('BENCH_DATA_DIR must name the data directory');
const config = resolveServerConfig({
  flags: {
    data: dataDir,
    listen: process.env.BENCH_LISTEN ?? '127.0.0.1:0',
    logLevel: process.env.BENCH_LOG_LEVEL ?? 'silent',
    heartbeat: process.env.BENCH_HEARTBEAT ?? '30',
    pollInterval: process.env.BENCH_POLL ?? '15',
    ...(process.env.BENCH_DB ? { db: process.env.BENCH_DB } : {}),
  },
  env: {},
});
const store = await openStore({
  url: config.db,
  ...(process.env.BENCH_PG_SCHEMA ? { pgSchema: process.env.BENCH_PG_SCHEMA } : {}),
  ...(config.db.startsWith('postgres') ? { poolSize: 10 } : {}),
});
phases.store = Math.round(performance.now());
const vigil = await buildApp({ config, store });
phases.built = Math.round(performance.now());
await vigil.app.listen({ host: config.host, port: config.port });
phases.listening = Math.round(performance.now());
process.stderr.write(`vigil-data-server-child: ms since process start ${JSON.stringify(phases)}\n`);
const address = vigil.app.server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
const url = `https://127.0.0.1:${port}`;

const infoFile = join(dataDir, 'bench-info.json');
/** @type {{ adminToken: string, tokens: Record<string, string> }} */
let saved;
const firstStart = !existsSync(infoFile);
if (firstStart) {
  await vigil.services.auth.setup(
    { principal: null, ip: null },
    { email: 'bench@example.test', password: 'a benchmark admin password' },
  );
  const admin = await vigil.services.repos.users.byEmail('bench@example.test');
  if (!admin) throw new Error('the benchmark admin was not created');
  const principal = {
    kind: /** @type {const} */ ('session'),
    userId: admin.id,
    accountId: admin.account_id,
    role: /** @type {const} */ ('admin'),
    email: admin.email,
  };
  const adminToken = (
    await vigil.services.auth.createApiToken({ principal, ip: null }, { name: 'bench-admin', role: 'admin' })
  ).secret;
  /** @type {Record<string, string>} */
  const tokens = {};
  for (const tag of (process.env.BENCH_TOKEN_TAGS ?? 'sim').split(',').filter(Boolean)) {
    const res = await vigil.app.inject({
      method: 'POST',
      url: '/api/v1/enrollment-tokens',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ tags: [tag] }),
    });
    if (res.statusCode !== 201) throw new Error(`enrollment token for ${tag}: ${res.body}`);
    tokens[tag] = JSON.parse(res.body).token;
  }
  saved = { adminToken, tokens };
  writeFileSync(infoFile, JSON.stringify(saved), { mode: 0o600 });
} else {
  saved = JSON.parse(readFileSync(infoFile, 'utf8'));
}

/** @type {import('./data-server-info.ts').DataServerInfo} */
const info = {
  url,
  caPem: vigil.services.keys.ca.certPem,
  signingPublicKey: vigil.services.keys.signingPublicKey,
  adminToken: saved.adminToken,
  tokens: saved.tokens,
  enrollmentToken: Object.values(saved.tokens)[0] ?? '',
  firstStart,
  pid: process.pid,
};
process.on('SIGUSR2', () => {
  const heap = getHeapStatistics();
  writeFileSync(
    join(dataDir, 'memory.json'),
    JSON.stringify({ ...process.memoryUsage(), heapCommitted: heap.total_physical_size, at: Date.now() }),
  );
});
process.stdout.write(`${JSON.stringify(info)}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void vigil
    .close()
    .then(() => store.close())
    .then(() => process.exit(0));
});
