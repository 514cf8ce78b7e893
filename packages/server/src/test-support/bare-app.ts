/** Test helper: a real app over a fresh store with no user yet (setup not done), optionally with a given logger. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Agent, type Dispatcher, request } from 'undici';
import { buildApp, type VigilApp } from '../app.js';
import { resolveServerConfig } from '../config.js';
import type { Store } from '../store/db.js';
import { freshStore } from '../store/test-stores.js';

/** A running app with no users, and a way to call it. */
export interface BareServer {
  vigil: VigilApp;
  store: Store & { dispose(): Promise<void> };
  call(
    method: string,
    path: string,
    options?: { headers?: Record<string, string>; body?: unknown },
  ): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/** Start an app on 127.0.0.1 over a fresh SQLite store, with nobody set up. */
export async function startBareServer(logger?: Logger): Promise<BareServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bare-'));
  const store = await freshStore('sqlite');
  const config = resolveServerConfig({
    flags: { data: dataDir, listen: '127.0.0.1:0', logLevel: 'silent' },
    env: {},
  });
  const vigil = await buildApp({ config, store, ...(logger ? { logger } : {}) });
  await vigil.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (vigil.app.server.address() as { port: number }).port;
  const dispatcher = new Agent({ connect: { ca: vigil.services.keys.ca.certPem } });
  return {
    vigil,
    store,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      let body: string | undefined;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await request(`https://127.0.0.1:${port}${path}`, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        dispatcher,
      });
      const text = await res.body.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.statusCode, body: parsed, headers: res.headers as Record<string, unknown> };
    },
    async stop() {
      await vigil.close();
      await dispatcher.close();
      await store.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
