/** Test helper: a real app (real TLS listener on 127.0.0.1, real store) with an admin logged in by API token. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, type Dispatcher, request } from 'undici';
import type { EventStreamOptions } from '../api/events/events.js';
import { buildApp, type VigilApp } from '../app.js';
import { type RawOptions, resolveServerConfig } from '../config.js';
import type { ActionServiceOptions } from '../services/action-service.js';
import type { Store } from '../store/db.js';
import { freshStore } from '../store/test-stores.js';

/** A running test server and helpers to call it. */
export interface TestServer {
  vigil: VigilApp;
  url: string;
  dataDir: string;
  dispatcher: Dispatcher;
  store: Store & { url: string; dispose(): Promise<void> };
  /** An admin API token of the first account. */
  adminToken: string;
  /** Call the API with a bearer token (or none). */
  call(
    method: string,
    path: string,
    options?: {
      token?: string | null;
      body?: unknown;
      headers?: Record<string, string>;
      rawBody?: string | Buffer;
    },
  ): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  /** Create a user of a role in the first account and return an API token for them. */
  tokenFor(role: 'viewer' | 'analyst' | 'admin', email?: string): Promise<string>;
  /** Create a second account ("Tenant B") with an admin, and return its id and an admin API token. */
  otherAccount(): Promise<{ accountId: string; adminToken: string }>;
  stop(): Promise<void>;
}

/** Start a server on a free port over a fresh store of the given engine. */
export async function startTestServer(
  kind: 'sqlite' | 'postgres' = 'sqlite',
  extra: {
    heartbeat?: number;
    poll?: number;
    refuseWebsocket?: boolean;
    checksDir?: string;
    actions?: ActionServiceOptions;
    events?: EventStreamOptions;
    /** More server options (as flags), e.g. `{ softwareMaxSize: '1' }`. */
    flags?: RawOptions;
  } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-srv-'));
  const store = await freshStore(kind);
  const config = resolveServerConfig({
    flags: {
      data: dataDir,
      listen: '127.0.0.1:0',
      logLevel: 'silent',
      heartbeat: String(extra.heartbeat ?? 30),
      pollInterval: String(extra.poll ?? 15),
      ...extra.flags,
    },
    env: {},
  });
  const vigil = await buildApp({
    config,
    store,
    refuseWebsocket: extra.refuseWebsocket ?? false,
    ...(extra.checksDir ? { checksDir: extra.checksDir } : {}),
    ...(extra.actions ? { actions: extra.actions } : {}),
    ...(extra.events ? { events: extra.events } : {}),
  });
  await vigil.app.listen({ host: '127.0.0.1', port: 0 });
  const address = vigil.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `https://127.0.0.1:${port}`;
  const dispatcher = new Agent({ connect: { ca: vigil.services.keys.ca.certPem } });
  const call: TestServer['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | Buffer | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await request(`${url}${path}`, {
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
      // keep text
    }
    return { status: res.statusCode, body: parsed, headers: res.headers as Record<string, unknown> };
  };
  await vigil.services.auth.setup(
    { principal: null, ip: null },
    { email: 'admin@example.test', password: 'correct horse battery staple' },
  );
  const admin = (await vigil.services.repos.users.byEmail('admin@example.test'))!;
  const principal = {
    kind: 'session' as const,
    userId: admin.id,
    accountId: admin.account_id,
    role: 'admin' as const,
    email: admin.email,
  };
  const adminToken = (
    await vigil.services.auth.createApiToken({ principal, ip: null }, { name: 'test-admin', role: 'admin' })
  ).secret;
  let n = 0;
  return {
    vigil,
    url,
    dataDir,
    dispatcher,
    store,
    adminToken,
    call,
    async tokenFor(role, email) {
      n += 1;
      const mail = email ?? `${role}${n}@example.test`;
      const res = await call('POST', '/api/v1/users', {
        token: adminToken,
        body: { email: mail, role, password: 'a long enough password' },
      });
      if (res.status !== 201) throw new Error(`creating ${role} failed: ${JSON.stringify(res.body)}`);
      const user = (await vigil.services.repos.users.byEmail(mail))!;
      const p = { kind: 'session' as const, userId: user.id, accountId: user.account_id, role, email: mail };
      return (
        await vigil.services.auth.createApiToken({ principal: p, ip: null }, { name: `t-${role}-${n}`, role })
      ).secret;
    },
    async otherAccount() {
      const email = 'b-admin@example.test';
      const other = await vigil.services.auth.createAccountWithAdmin('Tenant B', email, 'tenant b password');
      const p = {
        kind: 'session' as const,
        userId: other.id,
        accountId: other.account_id,
        role: 'admin' as const,
        email,
      };
      const token = await vigil.services.auth.createApiToken(
        { principal: p, ip: null },
        { name: 'b-admin', role: 'admin' },
      );
      return { accountId: other.account_id, adminToken: token.secret };
    },
    async stop() {
      await vigil.close();
      await dispatcher.close();
      await store.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
