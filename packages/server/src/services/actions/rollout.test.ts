/**
 * The rollout engine against the real app and the real agent protocol, on SQLite and PostgreSQL:
 * batches in order with their pause, stop_if_failure_rate, offline devices queued and sent on
 * reconnect (or skipped, or expired), per-device timeouts, duplicate results ingested once, undo,
 * and a pending rollout that survives a server restart while the closed app's timers do nothing.
 */
import { rmSync } from 'node:fs';
import { Agent, type Dispatcher, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type VigilApp } from '../../app.js';
import { resolveServerConfig } from '../../config.js';
import { storeEngines } from '../../store/test-stores.js';
import {
  type ActionAgent,
  connectAgent,
  enrollAgents,
  nextAction,
  receivedActions,
  sendResult,
  sleep,
  testActionsDir,
  until,
} from '../../test-support/action-agents.js';
import type { RawAgent } from '../../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

const engines = await storeEngines();
const ACTIONS = { dir: testActionsDir(), timeoutMarginMs: 300, sweepMs: 100, resumeGraceMs: 0 };

describe.each(engines)('action rollout on %s', (engine) => {
  let s: TestServer;
  let raw: RawAgent[];
  const live: ActionAgent[] = [];
  const start = async (body: object) => {
    const res = await s.call('POST', '/api/v1/actions', { token: s.adminToken, body });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body as { id: string; status: string; batch_count: number };
  };
  const get = async (id: string) =>
    (await s.call('GET', `/api/v1/actions/${id}`, { token: s.adminToken })).body;
  const settled = (id: string, timeoutMs = 10_000) =>
    until(
      `run ${id} to end`,
      async () => {
        const r = await get(id);
        return ['completed', 'failed', 'cancelled'].includes(r.status) ? r : null;
      },
      timeoutMs,
    );
  const audit = async (id: string) =>
    (await s.call('GET', `/api/v1/audit?target=action_run:${id}&limit=100`, { token: s.adminToken })).body
      .items as Array<{ at: string; action: string; actor: string; detail: any }>;

  beforeAll(async () => {
    s = await startTestServer(engine, { actions: ACTIONS });
    // Hostnames sort a < b < c: batches follow that order.
    raw = await enrollAgents(s, ['a-host', 'b-host', 'c-host']);
  }, 60_000);
  afterEach(async () => {
    for (const a of live.splice(0)) {
      a.session.ws.close();
      await a.session.closed;
    }
    await until('every agent to be disconnected', async () =>
      raw.every((r) => !s.vigil.hub.isConnected(r.id)),
    );
  });
  afterAll(async () => s?.stop());
  const connect = async (...which: number[]) => {
    const out: ActionAgent[] = [];
    for (const i of which) {
      const a = await connectAgent(s, raw[i] as RawAgent);
      live.push(a);
      out.push(a);
    }
    return out;
  };
  const ids = () => raw.map((r) => r.id);

  it('sends batch after batch in hostname order, each after the pause that follows the last result', async () => {
    const [a, b, c] = (await connect(0, 1, 2)) as [ActionAgent, ActionAgent, ActionAgent];
    const r = await start({
      action: 'process.kill',
      params: { pid: 321 },
      targets: { devices: ids() },
      rollout: { batch_size: 1, pause_s: 1 },
    });
    expect(r.batch_count).toBe(3);
    const ca = await nextAction(s, a);
    expect(receivedActions(s, b)).toHaveLength(0);
    expect(receivedActions(s, c)).toHaveLength(0);
    sendResult(a, ca, 'succeeded');
    const paused = await until('the pause to be scheduled', async () => {
      const run = await get(r.id);
      return run.next_batch_at ? run : null;
    });
    expect(paused.current_batch).toBe(1);
    expect(receivedActions(s, b)).toHaveLength(0);
    const cb = await nextAction(s, b, 5000);
    expect(receivedActions(s, c)).toHaveLength(0);
    sendResult(b, cb, 'succeeded');
    sendResult(c, await nextAction(s, c, 5000), 'succeeded');
    const done = await settled(r.id);
    expect(done.status).toBe('completed');
    const byHost = Object.fromEntries(done.devices.map((d: any) => [d.hostname, d]));
    expect([byHost['a-host'].batch, byHost['b-host'].batch, byHost['c-host'].batch]).toEqual([1, 2, 3]);
    // Each batch went out at least pause_s after the previous batch's last result.
    expect(
      Date.parse(byHost['b-host'].sent_at) - Date.parse(byHost['a-host'].finished_at),
    ).toBeGreaterThanOrEqual(1000);
    expect(
      Date.parse(byHost['c-host'].sent_at) - Date.parse(byHost['b-host'].finished_at),
    ).toBeGreaterThanOrEqual(1000);
    const sends = (await audit(r.id)).filter((e) => e.action === 'action.send').reverse();
    expect(sends.map((e) => [e.detail.batch, e.detail.sent])).toEqual([
      [1, [a.agent.id]],
      [2, [b.agent.id]],
      [3, [c.agent.id]],
    ]);
  });

  it('stops when the failure rate passes stop_if_failure_rate: later batches are cancelled, never sent', async () => {
    const [a, b, c] = (await connect(0, 1, 2)) as [ActionAgent, ActionAgent, ActionAgent];
    const r = await start({
      action: 'process.kill',
      params: { pid: 321 },
      targets: { devices: ids() },
      rollout: { batch_size: 1, stop_if_failure_rate: 0.4 },
    });
    sendResult(a, await nextAction(s, a), 'failed');
    const done = await settled(r.id);
    expect(done.status).toBe('failed');
    expect(done.status_reason).toContain('stop_if_failure_rate of 0.4');
    expect(done.counts).toEqual({ failed: 1, cancelled: 2 });
    await sleep(200);
    expect(receivedActions(s, b).filter((x) => x.body.run_id === r.id)).toHaveLength(0);
    expect(receivedActions(s, c).filter((x) => x.body.run_id === r.id)).toHaveLength(0);
    expect((await audit(r.id)).map((e) => e.action)).toContain('action.stop');
  });

  it('keeps going while the failure rate stays at or below the limit', async () => {
    const [a, b] = (await connect(0, 1)) as [ActionAgent, ActionAgent];
    const r = await start({
      action: 'process.kill',
      params: { pid: 321 },
      targets: { devices: [a.agent.id, b.agent.id] },
      rollout: { batch_size: 1, stop_if_failure_rate: 0.5 },
    });
    sendResult(a, await nextAction(s, a), 'succeeded');
    sendResult(b, await nextAction(s, b), 'failed');
    const done = await settled(r.id);
    expect(done).toMatchObject({ status: 'completed', counts: { succeeded: 1, failed: 1 } });
  });

  it('queues an offline device and sends it the command when it reconnects', async () => {
    const [a] = (await connect(0)) as [ActionAgent];
    const r = await start({
      action: 'process.kill',
      params: { pid: 7 },
      targets: { devices: [a.agent.id, ids()[1]] },
      offline: { policy: 'queue', expiry_s: 60 },
    });
    sendResult(a, await nextAction(s, a), 'succeeded');
    const waiting = await until('b to be queued and a done', async () => {
      const run = await get(r.id);
      return run.counts.succeeded === 1 && run.counts.queued === 1 ? run : null;
    });
    expect(waiting.status).toBe('running');
    const queuedRow = waiting.devices.find((d: any) => d.hostname === 'b-host');
    expect(queuedRow.queue_expires_at).not.toBeNull();
    const [b] = (await connect(1)) as [ActionAgent];
    const cb = await nextAction(s, b);
    expect(cb.body).toMatchObject({ run_id: r.id, params: { pid: 7, signal: 'KILL' } });
    sendResult(b, cb, 'succeeded');
    const done = await settled(r.id);
    expect(done).toMatchObject({ status: 'completed', counts: { succeeded: 2 } });
    expect(
      (await audit(r.id)).some(
        (e) => e.action === 'action.send' && e.detail.reason === 'the device reconnected',
      ),
    ).toBe(true);
  });

  it('skips offline devices when asked, and expires queued ones that stay away', async () => {
    const [a] = (await connect(0)) as [ActionAgent];
    const skip = await start({
      action: 'process.kill',
      params: { pid: 7 },
      targets: { devices: [a.agent.id, ids()[2]] },
      offline: { policy: 'skip' },
    });
    sendResult(a, await nextAction(s, a), 'succeeded');
    expect((await settled(skip.id)).counts).toEqual({ succeeded: 1, skipped_offline: 1 });

    const expire = await start({
      action: 'process.kill',
      params: { pid: 8 },
      targets: { devices: [ids()[2]] },
      offline: { policy: 'queue', expiry_s: 1 },
    });
    const done = await settled(expire.id, 5000);
    expect(done).toMatchObject({ status: 'completed', counts: { expired: 1 } });
    expect((await audit(expire.id)).map((e) => e.action)).toContain('action.expire');
    // It came back too late: nothing is sent.
    const [c] = (await connect(2)) as [ActionAgent];
    await sleep(200);
    expect(receivedActions(s, c).filter((x) => x.body.run_id === expire.id)).toHaveLength(0);
  });

  it('times out a silent device, still records its late result, and ingests a re-sent result once', async () => {
    const [a, b] = (await connect(0, 1)) as [ActionAgent, ActionAgent];
    const messagesBefore = await s.vigil.services.repos.agentMessages.count(a.agent.id, 'action.result');
    const r = await start({
      action: 'process.kill',
      params: { pid: 9 },
      targets: { devices: [a.agent.id, b.agent.id] },
    });
    const ca = await nextAction(s, a);
    const cb = await nextAction(s, b);
    // a answers, then again: the same outbox item (a lost ack), then the same command under a new outbox id.
    const first = sendResult(a, ca, 'succeeded');
    await until('the first result', async () =>
      (await get(r.id)).devices.some((d: any) => d.device_id === a.agent.id && d.status === 'succeeded'),
    );
    sendResult(a, ca, 'succeeded', { outboxId: first });
    sendResult(a, ca, 'failed');
    const messages = s.vigil.services.repos.agentMessages;
    await until(
      'both re-sends to be acknowledged',
      async () =>
        a.session.inbox.filter((m) => m.t === 'outbox.ack').length >= 3 &&
        (await messages.count(a.agent.id, 'action.result')) === messagesBefore + 2,
    );
    const done = await settled(r.id, 5000);
    const devA = done.devices.find((d: any) => d.device_id === a.agent.id);
    const devB = done.devices.find((d: any) => d.device_id === b.agent.id);
    expect(devA.status).toBe('succeeded');
    expect(devB).toMatchObject({ status: 'timed_out', result: null });
    expect(devB.error).toContain('no result within 1 s');
    // b's result arrives after the server gave up: recorded, once.
    sendResult(b, cb, 'succeeded');
    await until('the late result', async () => (await get(r.id)).counts.succeeded === 2);
    const trail = await audit(r.id);
    expect(
      trail.filter((e) => e.action === 'action.result' && e.actor === `agent:${a.agent.id}`),
    ).toHaveLength(1);
    expect(
      trail.find((e) => e.action === 'action.result' && e.actor === `agent:${b.agent.id}`)?.detail
        .arrived_after,
    ).toBe('timed_out');
    expect(trail.map((e) => e.action)).toContain('action.timeout');
    expect(await s.vigil.services.repos.agentMessages.count(a.agent.id, 'action.result')).toBe(
      messagesBefore + 2,
    );
  });

  it('undoes a run from the undo specs its succeeded devices reported, one set of parameters per device', async () => {
    const [a, b] = (await connect(0, 1)) as [ActionAgent, ActionAgent];
    const r = await start({
      action: 'file.quarantine',
      params: { path: '/tmp/bad' },
      targets: { devices: [a.agent.id, b.agent.id] },
    });
    const early = await s.call('POST', `/api/v1/actions/${r.id}/undo`, { token: s.adminToken });
    expect(early.body.error.code).toBe('E_ACTION_STATE');
    sendResult(a, await nextAction(s, a), 'succeeded', {
      undo: { action: 'file.restore', params: { quarantine_id: 'q-a' } },
    });
    sendResult(b, await nextAction(s, b), 'failed');
    await settled(r.id);
    const undo = await s.call('POST', `/api/v1/actions/${r.id}/undo`, {
      token: s.adminToken,
      body: { reason: 'false positive' },
    });
    expect(undo.status).toBe(201);
    expect(undo.body).toMatchObject({ action: 'file.restore', undo_of: r.id, reason: 'false positive' });
    const restore = await nextAction(s, a);
    expect(restore.body).toMatchObject({ action: 'file.restore', params: { quarantine_id: 'q-a' } });
    expect(receivedActions(s, b).filter((x) => x.body.run_id === undo.body.id)).toHaveLength(0);
    sendResult(a, restore, 'succeeded');
    expect((await settled(undo.body.id)).counts).toEqual({ succeeded: 1 });
    expect((await audit(r.id)).map((e) => e.action)).toContain('action.undo');

    const noUndo = await start({
      action: 'process.kill',
      params: { pid: 3 },
      targets: { devices: [a.agent.id] },
    });
    sendResult(a, await nextAction(s, a), 'succeeded');
    await settled(noUndo.id);
    const refused = await s.call('POST', `/api/v1/actions/${noUndo.id}/undo`, { token: s.adminToken });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'E_ACTION_NO_UNDO']);
  });
});

/** A second app over the same store and keys: the server restarted. */
async function restartOn(s: TestServer): Promise<{ vigil: VigilApp; url: string; dispatcher: Dispatcher }> {
  const config = resolveServerConfig({
    flags: { data: s.dataDir, listen: '127.0.0.1:0', logLevel: 'silent' },
    env: {},
  });
  // A grace long enough for the agent to reconnect: the resumed batch must find it online.
  const vigil = await buildApp({
    config,
    store: s.store,
    keys: s.vigil.services.keys,
    actions: { ...ACTIONS, resumeGraceMs: 1500 },
  });
  await vigil.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (vigil.app.server.address() as { port: number }).port;
  return {
    vigil,
    url: `https://127.0.0.1:${port}`,
    dispatcher: new Agent({ connect: { ca: s.vigil.services.keys.ca.certPem } }),
  };
}

describe.each(engines)('a rollout across a server restart on %s', (engine) => {
  it('resumes the pending batches from the store; the stopped app sends nothing more', async () => {
    const s = await startTestServer(engine, { actions: ACTIONS });
    const [ra, rb] = (await enrollAgents(s, ['a-host', 'b-host'])) as [RawAgent, RawAgent];
    const a = await connectAgent(s, ra);
    const run = await s.call('POST', '/api/v1/actions', {
      token: s.adminToken,
      body: {
        action: 'process.kill',
        params: { pid: 11 },
        targets: { devices: [ra.id, rb.id] },
        rollout: { batch_size: 1, pause_s: 2 },
      },
    });
    const id = run.body.id as string;
    sendResult(a, await nextAction(s, a), 'succeeded');
    await until('the pause to start', async () => (await s.vigil.actions.repo.byId(id))?.next_batch_at);
    a.session.ws.close();
    await s.vigil.close();
    // The closed app's wake-up must not fire: batch 2 is still pending after the pause is over.
    await sleep(2500);
    const stale = await s.vigil.actions.repo.byId(id);
    expect(stale).toMatchObject({ status: 'running', current_batch: 1 });
    expect((await s.vigil.actions.repo.devicesWhere(id, ['pending'])).map((d) => d.device_id)).toEqual([
      rb.id,
    ]);

    const next = await restartOn(s);
    const s2 = { ...s, vigil: next.vigil, url: next.url, dispatcher: next.dispatcher } as TestServer;
    try {
      const b = await connectAgent(s2, rb);
      const cb = await nextAction(s2, b, 10_000);
      expect(cb.body).toMatchObject({ run_id: id, params: { pid: 11 } });
      sendResult(b, cb, 'succeeded');
      const done = await until('the resumed run to complete', async () => {
        const r = await next.vigil.actions.repo.byId(id);
        return r?.status === 'completed' ? r : null;
      });
      expect(done.current_batch).toBe(2);
      b.session.ws.close();
      const res = await request(`${next.url}/api/v1/actions/${id}`, {
        dispatcher: next.dispatcher,
        headers: { authorization: `Bearer ${s.adminToken}` },
      });
      expect(((await res.body.json()) as any).counts).toEqual({ succeeded: 2 });
    } finally {
      await next.vigil.close();
      await next.dispatcher.close();
      await s.dispatcher.close();
      await s.store.dispose();
      rmSync(s.dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
