/**
 * Threat monitoring on the server, over the real agent channel (a protocol-level agent with real
 * keys and TLS): the signed rule set pushed on connect and again when a response rule changes,
 * alert.event items folded into one alert with the agent's count, automated action results
 * audited, and the response rule API with its validation, roles and audit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandKind,
  connectRawAgent,
  createEnrollmentToken,
  enrollRawAgent,
  type RawSession,
  testFacts,
} from '../../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

function payloadOf(m: { env: { payload: string } }): { kind: string; body: any } {
  return JSON.parse(Buffer.from(m.env.payload, 'base64').toString('utf8'));
}

describe('monitoring: rule sets, alert.event ingest, response rules', () => {
  let s: TestServer;
  let session: RawSession;
  let agentId: string;

  beforeAll(async () => {
    s = await startTestServer('sqlite', { heartbeat: 2, poll: 2 });
    const agent = await enrollRawAgent(s, await createEnrollmentToken(s), testFacts('monitored-1'));
    agentId = agent.id;
    session = await connectRawAgent(s, agent);
  });
  afterAll(async () => {
    session?.ws.terminate();
    await s?.stop();
  });

  it('pushes the signed rule set on connect: every shipped Linux rule, no responses yet', async () => {
    const m = await session.next((x) => commandKind(x) === 'rules.set');
    const set = payloadOf(m).body;
    expect(set.rules.length).toBeGreaterThanOrEqual(20);
    const brute = set.rules.find((r: { name: string }) => r.name === 'Linux.Auth.SshBruteForce');
    expect(brute).toMatchObject({
      monitor: 'auth',
      threshold: { count: 5, window_s: 60, by: ['source_ip'] },
    });
    expect(set.responses).toEqual([]);
    const rules = await s.call('GET', '/api/v1/detection-rules', { token: await s.tokenFor('viewer') });
    expect(rules.status).toBe(200);
    expect(rules.body.items.map((r: { name: string }) => r.name)).toContain(
      'Linux.Files.AccountDatabaseChanged',
    );
  });

  it('folds alert.event items into one alert whose count is what the agent counted', async () => {
    const item = (id: string, count: number, lastSeen: number) => ({
      id,
      kind: 'alert.event',
      at: Date.now(),
      body: {
        rule: 'Linux.Auth.SshBruteForce',
        severity: 'high',
        title: 'SSH brute force from one source: 203.0.113.9 (root)',
        key: '203.0.113.9',
        window_s: 3600,
        attack: ['T1110.001'],
        count,
        first_seen: lastSeen - 1000,
        last_seen: lastSeen,
        context: {
          peer: { ip: '203.0.113.9', port: 4242 },
          event: { type: 'ssh_failed', source_ip: '203.0.113.9' },
        },
      },
    });
    const t = Date.now() - 60_000;
    session.send({ t: 'outbox.deliver', items: [item('alrt-0001', 5, t), item('alrt-0002', 15, t + 5000)] });
    await session.next((m) => m.t === 'outbox.ack' && m.ids.includes('alrt-0002'));
    // A re-sent item is not counted twice.
    session.send({ t: 'outbox.deliver', items: [item('alrt-0002', 15, t + 5000)] });
    await session.next((m) => m.t === 'outbox.ack' && m.ids.includes('alrt-0002'));
    const list = await s.call('GET', `/api/v1/alerts?device=${agentId}&rule=Linux.Auth.*`, {
      token: s.adminToken,
    });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ severity: 'high', status: 'open', count: 20 });
    expect(list.body.items[0].last_seen).toBe(new Date(t + 5000).toISOString());
    const one = await s.call('GET', `/api/v1/alerts/${list.body.items[0].id}`, { token: s.adminToken });
    expect(one.body.context).toMatchObject({ peer: { ip: '203.0.113.9' }, attack: ['T1110.001'] });
    // A malformed item is acknowledged but raises nothing.
    session.send({
      t: 'outbox.deliver',
      items: [{ id: 'alrt-0003', kind: 'alert.event', at: Date.now(), body: { rule: 'x', count: 0 } }],
    });
    await session.next((m) => m.t === 'outbox.ack' && m.ids.includes('alrt-0003'));
    const after = await s.call('GET', `/api/v1/alerts?device=${agentId}`, { token: s.adminToken });
    expect(after.body.items.filter((a: { rule: string }) => a.rule === 'x')).toHaveLength(0);
  });

  it('creates a response rule (checked against the catalogues, audited) and pushes it to the agent', async () => {
    const body = {
      name: 'block-brute-force',
      rule: 'Linux.Auth.SshBruteForce',
      actions: [{ action: 'network.block_ip', params: { address: '{{source_ip}}', expires_s: 3600 } }],
      dry_run: false,
      max_per_hour: 20,
    };
    const analyst = await s.tokenFor('analyst');
    expect((await s.call('POST', '/api/v1/responses', { token: analyst, body })).status).toBe(403);
    const created = await s.call('POST', '/api/v1/responses', { token: s.adminToken, body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      name: 'block-brute-force',
      dry_run: false,
      max_per_hour: 20,
      group: null,
    });
    const m = await session.next(
      (x) => commandKind(x) === 'rules.set' && payloadOf(x).body.responses.length === 1,
    );
    expect(payloadOf(m).body.responses[0]).toMatchObject({
      id: created.body.id,
      rule: 'Linux.Auth.SshBruteForce',
      actions: body.actions,
      dry_run: false,
      max_per_hour: 20,
      when: [],
    });
    const list = await s.call('GET', '/api/v1/responses', { token: await s.tokenFor('viewer') });
    expect(list.body.items.map((r: { name: string }) => r.name)).toEqual(['block-brute-force']);
    const audit = await s.call('GET', '/api/v1/audit?action=response_rule.create', { token: s.adminToken });
    expect(audit.body.items[0]).toMatchObject({
      target: `response_rule:${created.body.id}`,
      outcome: 'success',
    });

    const again = await s.call('POST', '/api/v1/responses', { token: s.adminToken, body });
    expect(again.body.error.code).toBe('E_ALREADY_EXISTS');
    // New rules are dry runs unless they say otherwise.
    const dry = await s.call('POST', '/api/v1/responses', {
      token: s.adminToken,
      body: {
        name: 'kill-miners',
        rule: 'Linux.Processes.*',
        actions: [{ action: 'process.kill', params: { pid: '{{pid}}' } }],
      },
    });
    expect(dry.body.dry_run).toBe(true);
  });

  it('refuses response rules that name nothing, unknown or high-risk actions, or bad parameters', async () => {
    const post = (body: Record<string, unknown>) =>
      s.call('POST', '/api/v1/responses', { token: s.adminToken, body });
    const base = {
      name: 'r1',
      rule: 'Linux.Auth.SshBruteForce',
      actions: [{ action: 'network.block_ip', params: { address: '{{source_ip}}' } }],
    };
    let r = await post({ ...base, rule: 'Linux.Nothing.*' });
    expect([r.status, r.body.error.code]).toEqual([400, 'E_VALIDATION']);
    expect(r.body.error.message).toMatch(/no detection rule matches 'Linux\.Nothing\.\*'/);
    r = await post({ ...base, actions: [{ action: 'network.nuke', params: {} }] });
    expect(r.body.error.code).toBe('E_ACTION_UNKNOWN');
    r = await post({ ...base, actions: [{ action: 'system.reboot', params: {} }] });
    expect(r.body.error.code).toBe('E_ACTION_REFUSED');
    expect(r.body.error.message).toMatch(/high-risk/);
    r = await post({ ...base, actions: [{ action: 'network.block_ip', params: { address: 'not an ip' } }] });
    expect(r.body.error.code).toBe('E_ACTION_PARAMS');
    r = await post({ ...base, actions: [{ action: 'network.block_ip', params: { expires_s: 60 } }] });
    expect(r.body.error.message).toMatch(/'address' is required/);
    r = await post({
      ...base,
      actions: [{ action: 'network.block_ip', params: { address: '{{source_ip}}', colour: 'red' } }],
    });
    expect(r.body.error.message).toMatch(/no parameter 'colour'/);
    r = await post({ ...base, surprise: 1 });
    expect(r.body.error.code).toBe('E_VALIDATION');
    r = await s.call('DELETE', '/api/v1/responses/nope', { token: s.adminToken });
    expect([r.status, r.body.error.code]).toEqual([404, 'E_RESPONSE_RULE_NOT_FOUND']);
  });

  it('audits the results of automated responses the agent ran by itself', async () => {
    session.send({
      t: 'outbox.deliver',
      items: [
        {
          id: 'auto-res-0001',
          kind: 'action.result',
          at: Date.now(),
          body: {
            command_id: 'auto-cmd-00001',
            run_id: 'auto-cmd-00001',
            action: 'network.block_ip',
            status: 'succeeded',
            dry_run: false,
            changed: true,
            summary: 'blocked 203.0.113.9',
            details: { address: '203.0.113.9/32' },
            undo: { action: 'network.unblock_ip', params: { address: '203.0.113.9' } },
            rule: 'block-brute-force',
            started_at: Date.now(),
            duration_ms: 12,
          },
        },
      ],
    });
    await session.next((m) => m.t === 'outbox.ack' && m.ids.includes('auto-res-0001'));
    const audit = await s.call('GET', '/api/v1/audit?action=action.automated', { token: s.adminToken });
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      actor: `agent:${agentId}`,
      target: `device:${agentId}`,
      outcome: 'success',
    });
    expect(audit.body.items[0].detail).toMatchObject({
      response: 'block-brute-force',
      action: 'network.block_ip',
      changed: true,
    });
  });

  it('disables and re-enables a response rule: kept in the list, left out of the pushed set meanwhile', async () => {
    const path = '/api/v1/responses/block-brute-force';
    const analyst = await s.tokenFor('analyst');
    expect((await s.call('PATCH', path, { token: analyst, body: { enabled: false } })).status).toBe(403);
    const empty = await s.call('PATCH', path, { token: s.adminToken, body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('E_VALIDATION');
    const missing = await s.call('PATCH', '/api/v1/responses/no-such-rule', {
      token: s.adminToken,
      body: { enabled: false },
    });
    expect(missing.body.error.code).toBe('E_RESPONSE_RULE_NOT_FOUND');

    const off = await s.call('PATCH', path, { token: s.adminToken, body: { enabled: false } });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body).toMatchObject({ name: 'block-brute-force', enabled: false, dry_run: false });
    // Only kill-miners is left in the set the agent gets.
    await session.next(
      (x) =>
        commandKind(x) === 'rules.set' &&
        payloadOf(x)
          .body.responses.map((r: { name: string }) => r.name)
          .join() === 'kill-miners',
    );
    const listed = await s.call('GET', '/api/v1/responses', { token: s.adminToken });
    expect(listed.body.items.find((r: { name: string }) => r.name === 'block-brute-force').enabled).toBe(
      false,
    );
    const audit = await s.call('GET', '/api/v1/audit?action=response_rule.update', { token: s.adminToken });
    expect(audit.body.items[0]).toMatchObject({
      target: `response_rule:${off.body.id}`,
      detail: { name: 'block-brute-force', enabled: false },
    });

    const on = await s.call('PATCH', path, {
      token: s.adminToken,
      body: { enabled: true, max_per_hour: 30 },
    });
    expect(on.body).toMatchObject({ enabled: true, max_per_hour: 30 });
    // Back in the set, with the new cap.
    await session.next(
      (x) =>
        commandKind(x) === 'rules.set' &&
        payloadOf(x).body.responses.some(
          (r: { name: string; max_per_hour: number }) =>
            r.name === 'block-brute-force' && r.max_per_hour === 30,
        ),
    );
    // The sets pushed so far are done with: the next test must see a set pushed after it.
    session.inbox.splice(0);
  });

  it('deletes a response rule by name and pushes the set without it', async () => {
    const del = await s.call('DELETE', '/api/v1/responses/block-brute-force', { token: s.adminToken });
    expect(del.status).toBe(200);
    const m = await session.next(
      (x) =>
        commandKind(x) === 'rules.set' &&
        payloadOf(x).body.responses.length === 1 &&
        payloadOf(x).body.responses[0].name === 'kill-miners',
    );
    expect(payloadOf(m).body.responses.map((r: { name: string }) => r.name)).toEqual(['kill-miners']);
  });
});
