/**
 * The agent channel end to end with the shipped CLI: a real server (TLS on 127.0.0.1,
 * restartable on the same port and store) and real `vigil agent` processes with their own state
 * dirs and keys. No loss is proven by counting, on the server, the test events an agent
 * delivered: every id exactly once, whether produced while the server was down or across an
 * agent restart.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type VigilApp } from '../packages/server/src/app.js';
import { startTestServer, type TestServer } from '../packages/server/src/test-support/test-app.js';
import {
  type AgentProcess,
  enrollAgent,
  fillOutbox,
  startAgentProcess,
  waitFor,
} from './helpers/agent-process.js';

const state = () => mkdtempSync(join(tmpdir(), 'vigil-agent-'));

describe('vigil agent against a real server', () => {
  let s: TestServer;
  let app: VigilApp;
  let port = 0;
  const agents: AgentProcess[] = [];

  const token = async (body: Record<string, unknown> = {}) =>
    (await s.call('POST', '/api/v1/enrollment-tokens', { token: s.adminToken, body })).body.token as string;
  const device = async (id: string) =>
    (await s.call('GET', `/api/v1/devices/${id}`, { token: s.adminToken })).body;
  const agentId = (dir: string) =>
    JSON.parse(readFileSync(join(dir, 'agent.json'), 'utf8')).agent_id as string;
  const accountOf = async (id: string) =>
    (
      await s.vigil.services.store.db
        .selectFrom('devices')
        .select('account_id')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).account_id;
  const fp = () => s.vigil.services.keys.caFingerprint;
  const delivered = async (id: string) => s.vigil.services.repos.agentMessages.count(id, 'test.event');
  const restartServer = async (opts: { refuseWebsocket?: boolean } = {}) => {
    await app.close();
    app = await buildApp({
      config: app.services.config,
      store: s.store,
      refuseWebsocket: opts.refuseWebsocket ?? false,
    });
    await app.app.listen({ host: '127.0.0.1', port });
    s.vigil = app;
  };

  beforeAll(async () => {
    s = await startTestServer('sqlite', { heartbeat: 1, poll: 1 });
    app = s.vigil;
    port = Number(new URL(s.url).port);
  });
  afterAll(async () => {
    for (const a of agents) await a.stop('SIGKILL');
    await s?.stop();
  });

  it('refuses enrollment clearly and writes nothing: wrong fingerprint, revoked, used-up or expired token, clock skew', async () => {
    const wrongFp = state();
    const r1 = await enrollAgent(s.url, await token(), `SHA256:${'0'.repeat(64)}`, wrongFp);
    expect(r1.code).toBe(3);
    expect(r1.stderr).toContain('E_CA_MISMATCH');
    expect(readdirSync(wrongFp)).toEqual([]);
    const revoked = await s.call('POST', '/api/v1/enrollment-tokens', { token: s.adminToken, body: {} });
    await s.call('DELETE', `/api/v1/enrollment-tokens/${revoked.body.id}`, { token: s.adminToken });
    const r2 = await enrollAgent(s.url, revoked.body.token, fp(), state());
    expect([r2.code, r2.stderr.includes('E_ENROLLMENT_TOKEN_REVOKED')]).toEqual([4, true]);
    const once = await token({ uses: 1 });
    expect((await enrollAgent(s.url, once, fp(), state())).code).toBe(0);
    const r3 = await enrollAgent(s.url, once, fp(), state());
    expect([r3.code, r3.stderr.includes('E_ENROLLMENT_TOKEN_USED_UP')]).toEqual([4, true]);
    const expiring = await s.call('POST', '/api/v1/enrollment-tokens', { token: s.adminToken, body: {} });
    await s.store.db
      .updateTable('enrollment_tokens')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('id', '=', expiring.body.id)
      .execute();
    const r4 = await enrollAgent(s.url, expiring.body.token, fp(), state());
    expect([r4.code, r4.stderr.includes('E_ENROLLMENT_TOKEN_EXPIRED')]).toEqual([4, true]);
    const skewDir = state();
    const r5 = await enrollAgent(s.url, await token(), fp(), skewDir, {
      VIGIL_AGENT_CLOCK_OFFSET_MS: String(20 * 60_000),
    });
    expect([r5.code, r5.stderr.includes('E_CLOCK_SKEW')]).toEqual([5, true]);
    expect(existsSync(join(skewDir, 'agent.key'))).toBe(false);
  }, 120_000);

  let a1: string;
  let a2: string;
  it('two agents enroll, go live and are seen online; a cloned state dir on another host is a conflict', async () => {
    const t = await token({ tags: ['e2e'] });
    a1 = state();
    a2 = state();
    expect((await enrollAgent(s.url, t, fp(), a1, { VIGIL_AGENT_MACHINE_ID: 'machine-1' })).code).toBe(0);
    expect((await enrollAgent(s.url, t, fp(), a2, { VIGIL_AGENT_MACHINE_ID: 'machine-2' })).code).toBe(0);
    agents.push(
      startAgentProcess(a1, { VIGIL_AGENT_MACHINE_ID: 'machine-1' }),
      startAgentProcess(a2, { VIGIL_AGENT_MACHINE_ID: 'machine-2' }),
    );
    expect(
      await waitFor(
        async () =>
          (await device(agentId(a1))).status === 'online' && (await device(agentId(a2))).status === 'online',
      ),
    ).toBe(true);
    expect((await device(agentId(a1))).mode).toBe('live');
    const clone = state();
    cpSync(a1, clone, { recursive: true });
    const cloneAgent = startAgentProcess(clone, { VIGIL_AGENT_MACHINE_ID: 'machine-3' });
    expect(await waitFor(() => cloneAgent.log().includes('4409'))).toBe(true);
    await cloneAgent.stop('SIGKILL');
    const conflicts = await s.vigil.services.repos.alerts.list(await accountOf(agentId(a1)), {
      rule: 'agent.key_conflict',
    });
    expect(conflicts.length).toBeGreaterThanOrEqual(1);
    expect((await device(agentId(a1))).status).toBe('online');
  }, 120_000);

  it('answers a signed command; a 10 s busy job does not make the agent look lost', async () => {
    const id = agentId(a1);
    const sent = await s.call('POST', `/api/v1/devices/${id}/commands`, {
      token: s.adminToken,
      body: { kind: 'agent.sleep', body: { ms: 10_000 } },
    });
    expect(sent.body.delivered).toBe(true);
    const ping = await s.call('POST', `/api/v1/devices/${id}/commands`, {
      token: s.adminToken,
      body: { kind: 'agent.ping', body: { echo: 'during-busy-work' } },
    });
    const status = async (cmd: string) =>
      (await s.call('GET', `/api/v1/devices/${id}/commands/${cmd}`, { token: s.adminToken })).body;
    expect(await waitFor(async () => (await status(ping.body.command_id)).completed === true, 5000)).toBe(
      true,
    );
    expect((await status(ping.body.command_id)).result.echo).toBe('during-busy-work');
    expect(await waitFor(async () => (await status(sent.body.command_id)).completed === true, 20_000)).toBe(
      true,
    );
    expect((await device(id)).status).toBe('online');
    expect(
      await s.vigil.services.repos.alerts.list(await accountOf(id), { device_id: id, rule: 'agent.lost' }),
    ).toHaveLength(0);
  }, 60_000);

  it('switches an agent to poll mode and back with signed mode.set', async () => {
    const id = agentId(a2);
    await s.call('POST', `/api/v1/devices/${id}/mode`, {
      token: s.adminToken,
      body: { mode: 'poll', poll_s: 1 },
    });
    expect(
      await waitFor(async () => (await device(id)).mode === 'poll' && (await device(id)).status === 'online'),
    ).toBe(true);
    await s.call('POST', `/api/v1/devices/${id}/mode`, { token: s.adminToken, body: { mode: 'live' } });
    expect(
      await waitFor(async () => (await device(id)).mode === 'live' && s.vigil.hub.sessions.has(id)),
    ).toBe(true);
  }, 60_000);

  it('delivers everything produced while the server was down, exactly once, and both agents return', async () => {
    const id = agentId(a1);
    await app.close();
    const ids = fillOutbox(a1, 150, 'down');
    await new Promise((r) => setTimeout(r, 1500));
    app = await buildApp({ config: app.services.config, store: s.store });
    await app.app.listen({ host: '127.0.0.1', port });
    s.vigil = app;
    expect(await waitFor(async () => (await delivered(id)) === ids.length, 30_000)).toBe(true);
    expect(
      await waitFor(
        async () => (await device(id)).status === 'online' && (await device(agentId(a2))).status === 'online',
        30_000,
      ),
    ).toBe(true);
  }, 90_000);

  it('delivers everything across an agent restart, exactly once', async () => {
    const id = agentId(a1);
    const before = await delivered(id);
    const first = agents.shift() as AgentProcess;
    await first.stop('SIGTERM');
    const ids = fillOutbox(a1, 120, 'restart');
    agents.unshift(startAgentProcess(a1, { VIGIL_AGENT_MACHINE_ID: 'machine-1' }));
    expect(await waitFor(async () => (await delivered(id)) === before + ids.length, 30_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await delivered(id)).toBe(before + ids.length);
  }, 60_000);

  it('a clean stop is offline without an alert; SIGKILL is lost with an alert within two heartbeats', async () => {
    const [p1, p2] = agents;
    const id1 = agentId(a1);
    const id2 = agentId(a2);
    const account = await accountOf(id1);
    const lostBefore = (
      await s.vigil.services.repos.alerts.list(account, { device_id: id1, rule: 'agent.lost' })
    ).length;
    expect(await p1?.stop('SIGTERM')).toBe(0);
    expect(await waitFor(async () => (await device(id1)).status === 'offline', 5000)).toBe(true);
    expect(
      (await s.vigil.services.repos.alerts.list(account, { device_id: id1, rule: 'agent.lost' })).length,
    ).toBe(lostBefore);
    const t0 = Date.now();
    await p2?.stop('SIGKILL');
    expect(await waitFor(async () => (await device(id2)).status === 'lost', 5000)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(
      (await s.vigil.services.repos.alerts.list(account, { device_id: id2, rule: 'agent.lost' })).length,
    ).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('falls back to polling when WebSocket upgrades are refused; revocation locks an agent out within a second', async () => {
    await restartServer({ refuseWebsocket: true });
    const dir = state();
    expect(
      (await enrollAgent(s.url, await token(), fp(), dir, { VIGIL_AGENT_MACHINE_ID: 'machine-9' })).code,
    ).toBe(0);
    const p = startAgentProcess(dir, { VIGIL_AGENT_MACHINE_ID: 'machine-9' });
    agents.push(p);
    const id = agentId(dir);
    expect(
      await waitFor(
        async () => (await device(id)).status === 'online' && (await device(id)).mode === 'poll',
        20_000,
      ),
    ).toBe(true);
    expect(p.log()).toContain('falling back to polling');
    await restartServer();
    const live = state();
    expect(
      (await enrollAgent(s.url, await token(), fp(), live, { VIGIL_AGENT_MACHINE_ID: 'machine-10' })).code,
    ).toBe(0);
    const lp = startAgentProcess(live, { VIGIL_AGENT_MACHINE_ID: 'machine-10' });
    agents.push(lp);
    const lid = agentId(live);
    expect(await waitFor(() => s.vigil.hub.sessions.has(lid), 15_000)).toBe(true);
    const t0 = Date.now();
    await s.call('POST', `/api/v1/devices/${lid}/revoke`, { token: s.adminToken });
    expect(await waitFor(() => lp.log().includes('revoked'), 5000, 20)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect((await device(lid)).status).toBe('revoked');
  }, 120_000);
});
