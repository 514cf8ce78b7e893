/**
 * Detection rule parameters per account through the real API on SQLite and PostgreSQL, with a
 * protocol-level agent on the real channel: the block list set for the account is rendered into
 * the signed rule set its device gets (another account's device keeps the default), bad values
 * are refused with the reason, roles and the audit trail hold, and `{}` restores the defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../../store/test-stores.js';
import {
  commandKind,
  connectRawAgent,
  createEnrollmentToken,
  enrollRawAgent,
  type RawAgent,
  type RawSession,
  testFacts,
} from '../../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

const engines = await storeEngines();
const RULE = 'Linux.Network.ConnectionToBlockedAddress';

function setOf(m: { env: { payload: string } }): any {
  return JSON.parse(Buffer.from(m.env.payload, 'base64').toString('utf8')).body;
}
const blockListOf = (set: any): unknown =>
  set.rules
    .find((r: { name: string }) => r.name === RULE)
    ?.match.all.find((c: { field: string }) => c.field === 'remote_ip')?.in_cidr;

describe.each(engines)('detection rule parameters on %s', (engine) => {
  let s: TestServer;
  let mine: RawSession;
  let mineAgent: RawAgent;
  let theirs: RawSession;
  const put = (params: unknown, token = s.adminToken, rule = RULE) =>
    s.call('PUT', `/api/v1/monitoring/rules/${rule}/params`, { token, body: { params } });

  beforeAll(async () => {
    s = await startTestServer(engine, { heartbeat: 2, poll: 2 });
    mineAgent = await enrollRawAgent(s, await createEnrollmentToken(s), testFacts('mine-1'));
    mine = await connectRawAgent(s, mineAgent);
    const otherToken = (await s.otherAccount()).adminToken;
    const enrollment = await s.call('POST', '/api/v1/enrollment-tokens', { token: otherToken, body: {} });
    expect(enrollment.status).toBe(201);
    theirs = await connectRawAgent(s, await enrollRawAgent(s, enrollment.body.token, testFacts('theirs-1')));
    await mine.next((x) => commandKind(x) === 'rules.set');
    await theirs.next((x) => commandKind(x) === 'rules.set');
  }, 60_000);
  afterAll(async () => {
    mine?.ws.terminate();
    theirs?.ws.terminate();
    await s?.stop();
  });

  it('lists the rules with their parameters and defaults', async () => {
    const r = await s.call('GET', '/api/v1/monitoring/rules', { token: await s.tokenFor('viewer') });
    expect(r.status).toBe(200);
    const rule = r.body.items.find((x: { name: string }) => x.name === RULE);
    expect(rule).toMatchObject({
      monitor: 'network',
      params: {},
      effective: { block_list: [] },
      updated_by: null,
    });
    expect(rule.parameters[0]).toMatchObject({ name: 'block_list', type: 'string_list' });
  });

  it("sets the account's block list (admins only, audited) and pushes it rendered into the device's signed set", async () => {
    const list = ['203.0.113.0/24', '198.51.100.9', '2001:db8::/32'];
    expect((await put({ block_list: list }, await s.tokenFor('analyst'))).status).toBe(403);
    const r = await put({ block_list: list });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ params: { block_list: list }, effective: { block_list: list } });
    const m = await mine.next(
      (x) => commandKind(x) === 'rules.set' && (blockListOf(setOf(x)) as string[]).length > 0,
    );
    expect(blockListOf(setOf(m))).toEqual(list);
    // The other account's device keeps the default: nothing new was pushed to it.
    await new Promise((res) => setTimeout(res, 300));
    const theirSets = theirs.inbox.filter((x) => commandKind(x) === 'rules.set').map(setOf);
    expect(theirSets.map(blockListOf)).toEqual([[]]);
    const audit = await s.call('GET', '/api/v1/audit?action=detection_rule.params', { token: s.adminToken });
    expect(audit.body.items[0]).toMatchObject({ target: `detection_rule:${RULE}`, outcome: 'success' });
    expect(audit.body.items[0].detail).toMatchObject({ params: { block_list: list } });
  });

  it('refuses unknown rules and parameters, wrong types and entries that are no address or network', async () => {
    let r = await put({ block_list: ['203.0.113.0/24', 'evil.example'] });
    expect([r.status, r.body.error.code]).toEqual([400, 'E_VALIDATION']);
    expect(r.body.error.message).toMatch(
      /'evil\.example' in the list of 'remote_ip' is not an IP address or CIDR block/,
    );
    r = await put({ colour: 'red' });
    expect(r.body.error.message).toMatch(/has no parameter colour/);
    r = await put({ block_list: '203.0.113.9' });
    expect(r.body.error.code).toBe('E_VALIDATION');
    r = await put({ max_failures: 1 }, s.adminToken, 'Linux.Auth.SshBruteForce');
    expect([r.status, r.body.error.code]).toEqual([400, 'E_VALIDATION']);
    r = await put({}, s.adminToken, 'Linux.Nothing.Here');
    expect([r.status, r.body.error.code]).toEqual([404, 'E_DETECTION_RULE_NOT_FOUND']);
    // Nothing of that changed the stored list.
    const list = await s.call('GET', '/api/v1/monitoring/rules', { token: s.adminToken });
    expect(list.body.items.find((x: { name: string }) => x.name === RULE).params.block_list).toHaveLength(3);
  });

  it('restores the defaults with {}', async () => {
    const r = await put({});
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ params: {}, effective: { block_list: [] }, updated_by: null });
    const sets = () => mine.inbox.filter((x) => commandKind(x) === 'rules.set').map(setOf);
    await mine.next((x) => commandKind(x) === 'rules.set' && sets().length >= 3);
    expect(blockListOf(sets().at(-1))).toEqual([]);
  });

  it('sends a reconnecting agent its rule set only when it does not hold that set already', async () => {
    const rulesSets = () => mine.inbox.filter((x) => commandKind(x) === 'rules.set');
    const current = setOf(rulesSets().at(-1)).digest as string;
    const reconnect = async (held: string) => {
      mine.ws.close();
      await mine.closed;
      // Registered after every feature's listener, this one runs once their connect pushes are done.
      const attached = new Promise<void>((resolve) =>
        s.vigil.hub.onAttach(async (deviceId) => {
          if (deviceId === mineAgent.id) resolve();
        }),
      );
      mine = await connectRawAgent(s, mineAgent, { held: { rules_set: held } });
      await attached;
    };
    await reconnect(current);
    // A change after the connect is pushed; a push on connect was sent before it on this socket.
    const list = ['192.0.2.0/24'];
    expect((await put({ block_list: list })).status).toBe(200);
    await mine.next((x) => commandKind(x) === 'rules.set');
    expect(rulesSets().map((x) => blockListOf(setOf(x)))).toEqual([list]);

    await reconnect(current); // now stale: the server's set has the block list
    const sent = setOf(await mine.next((x) => commandKind(x) === 'rules.set'));
    expect(blockListOf(sent)).toEqual(list);
    expect(sent.digest).not.toBe(current);
  });
});
