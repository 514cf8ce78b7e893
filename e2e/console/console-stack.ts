/**
 * What the console tests run against: a real `vigil server` process serving the built console,
 * a real `vigil agent` on this machine enrolled into it over loopback, and a viewer user.
 * API calls from the test side log in like the console does (session cookie + CSRF header).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, type Dispatcher, request } from 'undici';
import { type AgentProcess, enrollAgent, startAgentProcess, waitFor } from '../helpers/agent-process.js';
import { type ServerProcess, startServerProcess, tempDir } from '../helpers/server-process.js';

/** The built console the server serves (`npm run build` makes it). */
export const WEB_DIST = fileURLToPath(new URL('../../packages/web/dist/', import.meta.url));

/** A logged-in API session from the test side. */
export interface ApiSession {
  call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
}

/** Everything the console tests need. */
export interface ConsoleStack {
  server: ServerProcess;
  agent: AgentProcess;
  agentId: string;
  hostname: string;
  admin: { email: string; password: string };
  viewer: { email: string; password: string };
  api: ApiSession;
  dispatcher: Dispatcher;
  stop(): Promise<void>;
}

/** Log in over the API and keep the cookie and CSRF token for later calls. */
export async function apiLogin(
  url: string,
  dispatcher: Dispatcher,
  email: string,
  password: string,
): Promise<ApiSession> {
  const res = await request(`${url}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
    dispatcher,
  });
  const body = (await res.body.json()) as { csrf_token?: string };
  if (res.statusCode !== 201 || !body.csrf_token)
    throw new Error(`login failed: ${res.statusCode} ${JSON.stringify(body)}`);
  const setCookie = res.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie : [setCookie ?? ''])
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = body.csrf_token;
  return {
    async call(method, path, payload) {
      const headers: Record<string, string> = { cookie, 'x-csrf-token': csrf };
      if (payload !== undefined) headers['content-type'] = 'application/json';
      const r = await request(`${url}${path}`, {
        method: method as Dispatcher.HttpMethod,
        headers,
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
        dispatcher,
      });
      const text = await r.body.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // Not JSON (CSV, HTML): keep the text.
      }
      return { status: r.statusCode, body: parsed, headers: r.headers as Record<string, unknown> };
    },
  };
}

/** A free TCP port on 127.0.0.1 (the server needs a known port so its install line names it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Start the server with the console, enroll and run the local agent, create a viewer. */
export async function startConsoleStack(): Promise<ConsoleStack> {
  if (!existsSync(join(WEB_DIST, 'index.html')))
    throw new Error(`no built console at ${WEB_DIST}: run \`npm run build\` first`);
  const server = await startServerProcess({
    args: [
      '--listen',
      `127.0.0.1:${await freePort()}`,
      '--web-dir',
      WEB_DIST,
      '--heartbeat',
      '5',
      '--poll-interval',
      '2',
    ],
  });
  const dispatcher = new Agent({ connect: { ca: readFileSync(join(server.dataDir, 'ca.crt'), 'utf8') } });
  const admin = { email: server.adminEmail as string, password: server.adminPassword as string };
  const api = await apiLogin(server.url, dispatcher, admin.email, admin.password);

  const viewer = { email: 'viewer@example.test', password: 'viewer password 123' };
  const created = await api.call('POST', '/api/v1/users', { ...viewer, role: 'viewer' });
  if (created.status !== 201) throw new Error(`creating the viewer failed: ${JSON.stringify(created.body)}`);

  const token = await api.call('POST', '/api/v1/enrollment-tokens', { tags: ['local'] });
  if (token.status !== 201)
    throw new Error(`creating an enrollment token failed: ${JSON.stringify(token.body)}`);
  const stateDir = tempDir('vigil-console-agent-');
  const hostname = 'console-e2e-host';
  const env = { VIGIL_AGENT_HOSTNAME: hostname, VIGIL_AGENT_MACHINE_ID: 'console-e2e-machine' };
  const enrolled = await enrollAgent(server.url, token.body.token, server.caFingerprint, stateDir, env);
  if (enrolled.code !== 0) throw new Error(`agent enroll failed: ${enrolled.stderr}`);
  const agentId = JSON.parse(readFileSync(join(stateDir, 'agent.json'), 'utf8')).agent_id as string;
  const agent = startAgentProcess(stateDir, env);
  const online = await waitFor(async () => {
    const d = await api.call('GET', `/api/v1/devices/${agentId}`);
    return d.body?.status === 'online';
  }, 30_000);
  if (!online) throw new Error(`the local agent did not come online:\n${agent.log()}`);
  // Scan once, so the pages (and the README's screenshots) show real check results later on.
  const scan = await api.call('POST', '/api/v1/checks/scan', { targets: { all: true } });
  if (scan.status !== 202) throw new Error(`the scan was refused: ${JSON.stringify(scan.body)}`);

  return {
    server,
    agent,
    agentId,
    hostname,
    admin,
    viewer,
    api,
    dispatcher,
    async stop() {
      await agent.stop('SIGKILL');
      await server.stop();
      await dispatcher.close();
    },
  };
}
