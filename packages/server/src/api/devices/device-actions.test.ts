/**
 * A device's action history over the real API and agent protocol, on SQLite and PostgreSQL: runs
 * that included the device, newest first, each with this device's own outcome, paginated; viewers
 * may read it; unknown devices and devices of other accounts are not found.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../../store/test-stores.js';
import {
  type ActionAgent,
  connectAgent,
  enrollAgents,
  nextAction,
  sendResult,
  testActionsDir,
  until,
} from '../../test-support/action-agents.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

const engines = await storeEngines();

interface Entry {
  run_id: string;
  action: string;
  params: Record<string, unknown>;
  dry_run: boolean;
  run_status: string;
  requested_by: { id: string; name: string };
  status: string;
  result: Record<string, unknown> | null;
  error: string | null;
  finished_at: string | null;
}

describe.each(engines)('device action history on %s', (engine) => {
  let s: TestServer;
  let a: ActionAgent;
  let b: ActionAgent;
  const runs: string[] = [];
  const history = async (id: string, query = '', token = s.adminToken) =>
    s.call('GET', `/api/v1/devices/${id}/actions${query}`, { token });

  /** Request process.kill on these agents; each answers with its status; wait until the run is over. */
  async function runOn(
    targets: ActionAgent[],
    pid: number,
    outcome: (x: ActionAgent) => 'succeeded' | 'failed',
  ) {
    const res = await s.call('POST', '/api/v1/actions', {
      token: s.adminToken,
      body: { action: 'process.kill', params: { pid }, targets: { devices: targets.map((t) => t.agent.id) } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    for (const t of targets) sendResult(t, await nextAction(s, t), outcome(t));
    await until('the run to finish', async () => {
      const r = await s.call('GET', `/api/v1/actions/${res.body.id}`, { token: s.adminToken });
      return r.body.status === 'completed' || r.body.status === 'failed';
    });
    runs.push(res.body.id);
  }

  beforeAll(async () => {
    s = await startTestServer(engine, {
      actions: { dir: testActionsDir(), timeoutMarginMs: 300, sweepMs: 100 },
    });
    const [ra, rb] = await enrollAgents(s, ['hist-a', 'hist-b']);
    a = await connectAgent(s, ra!);
    b = await connectAgent(s, rb!);
    await runOn([a, b], 101, (x) => (x === a ? 'succeeded' : 'failed'));
    await runOn([b], 102, () => 'succeeded');
    await runOn([a, b], 103, (x) => (x === a ? 'failed' : 'succeeded'));
  }, 60_000);
  afterAll(async () => {
    a?.session.ws.close();
    b?.session.ws.close();
    await s?.stop();
  });

  it("lists the runs that included the device, newest first, with this device's outcome", async () => {
    const res = await history(a.agent.id);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const items = res.body.items as Entry[];
    expect(items.map((e) => e.run_id)).toEqual([runs[2], runs[0]]);
    expect(items.map((e) => [e.params.pid, e.status])).toEqual([
      [103, 'failed'],
      [101, 'succeeded'],
    ]);
    expect(items[0]).toMatchObject({
      action: 'process.kill',
      dry_run: false,
      requested_by: { name: 'admin@example.test' },
      result: { status: 'failed', summary: 'process.kill failed' },
    });
    expect(items[1]?.result).toMatchObject({ status: 'succeeded' });
    expect(items[1]?.finished_at).not.toBeNull();
    expect(res.body.next_cursor).toBeNull();
    const forB = (await history(b.agent.id)).body.items as Entry[];
    expect(forB.map((e) => [e.params.pid, e.status])).toEqual([
      [103, 'succeeded'],
      [102, 'succeeded'],
      [101, 'failed'],
    ]);
  });

  it('pages with a cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await history(b.agent.id, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((e: Entry) => e.run_id));
      cursor = res.body.next_cursor;
    } while (cursor && seen.length < 10);
    expect(seen).toEqual([runs[2], runs[1], runs[0]]);
  });

  it('lets viewers read it; refuses anonymous callers, unknown devices and bad paging', async () => {
    const viewer = await s.tokenFor('viewer');
    expect((await history(a.agent.id, '', viewer)).body.items).toHaveLength(2);
    expect((await s.call('GET', `/api/v1/devices/${a.agent.id}/actions`, { token: null })).status).toBe(401);
    const missing = await history('0123456789abcdef0123456789abcdef');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('E_DEVICE_NOT_FOUND');
    for (const bad of ['?limit=0', '?limit=501', '?cursor=not%20a%20cursor', '?sort=hostname']) {
      const res = await history(a.agent.id, bad);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code, bad).toBe('E_VALIDATION');
    }
  });

  it("keeps another account's device out of reach", async () => {
    const bToken = (await s.otherAccount()).adminToken;
    const res = await history(a.agent.id, '', bToken);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('E_DEVICE_NOT_FOUND');
  });
});
