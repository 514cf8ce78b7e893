/**
 * Action runs through the real API and real agent protocol, on SQLite and PostgreSQL: who may
 * request what, the two-person rule, the account setting, bad input with stable codes, and the
 * audit trail of requests, approvals, rejections, cancellations, sends and results.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { testFacts } from '../../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

const engines = await storeEngines();

describe.each(engines)('action runs on %s', (engine) => {
  let s: TestServer;
  let a: ActionAgent;
  let b: ActionAgent;
  let windowsId: string;
  const tokens = { viewer: '', analyst: '', analyst2: '', admin: '', admin2: '' };
  const audit = async (target: string) =>
    (
      await s.call('GET', `/api/v1/audit?target=${encodeURIComponent(target)}&limit=100`, {
        token: tokens.admin,
      })
    ).body.items as Array<{
      action: string;
      actor: string;
      actor_name: string;
      outcome: string;
      detail: any;
    }>;
  const run = async (id: string, token = tokens.admin) =>
    (await s.call('GET', `/api/v1/actions/${id}`, { token })).body;

  beforeAll(async () => {
    s = await startTestServer(engine, {
      actions: { dir: testActionsDir(), timeoutMarginMs: 300, sweepMs: 100 },
    });
    tokens.admin = s.adminToken;
    tokens.admin2 = await s.tokenFor('admin', 'second-admin@example.test');
    tokens.analyst = await s.tokenFor('analyst', 'analyst@example.test');
    tokens.analyst2 = await s.tokenFor('analyst', 'analyst2@example.test');
    tokens.viewer = await s.tokenFor('viewer');
    const [ra, rb] = await enrollAgents(s, ['a-host', 'b-host']);
    [windowsId] = (
      await enrollAgents(s, ['win-host'], (h) => ({
        ...testFacts(h),
        os: { platform: 'windows', name: 'Windows', version: '11', kernel: '10.0', arch: 'x86_64' },
      }))
    ).map((x) => x.id) as [string];
    a = await connectAgent(s, ra!);
    b = await connectAgent(s, rb!);
    await s.call('POST', '/api/v1/groups', {
      token: tokens.admin,
      body: { name: 'linux-lab', kind: 'static' },
    });
    await s.call('POST', '/api/v1/groups/linux-lab/members', {
      token: tokens.admin,
      body: { devices: [a.agent.id, b.agent.id] },
    });
  }, 60_000);
  afterAll(async () => {
    a?.session.ws.close();
    b?.session.ws.close();
    await s?.stop();
  });

  it('serves the catalogue with the effective approval rule, and the setting changes it (audited)', async () => {
    const cat = await s.call('GET', '/api/v1/actions/catalogue', { token: tokens.viewer });
    expect(cat.status).toBe(200);
    const byName = Object.fromEntries(cat.body.items.map((d: any) => [d.name, d]));
    expect(byName['file.delete']).toMatchObject({ risk: 'high', needs_approval: true, timeout_s: 1 });
    expect(byName['process.kill']).toMatchObject({ risk: 'low', needs_approval: false });
    expect(byName['service.restart'].needs_approval).toBe(true);
    expect((await s.call('GET', '/api/v1/actions/settings', { token: tokens.viewer })).body).toEqual({
      require_approval: true,
    });
    const denied = await s.call('PUT', '/api/v1/actions/settings', {
      token: tokens.analyst,
      body: { require_approval: false },
    });
    expect(denied.body.error.code).toBe('E_FORBIDDEN');
    const off = await s.call('PUT', '/api/v1/actions/settings', {
      token: tokens.admin,
      body: { require_approval: false },
    });
    expect(off.body).toEqual({ require_approval: false });
    const after = await s.call('GET', '/api/v1/actions/catalogue', { token: tokens.viewer });
    expect(after.body.items.find((d: any) => d.name === 'file.delete').needs_approval).toBe(false);
    await s.call('PUT', '/api/v1/actions/settings', {
      token: tokens.admin,
      body: { require_approval: true },
    });
    const trail = (await audit(`account:${a.agent.accountId}`)).filter((e) => e.action === 'action.settings');
    expect(trail.map((e) => e.detail.require_approval)).toEqual([
      { from: false, to: true },
      { from: true, to: false },
    ]);
  });

  it('enforces roles: viewers run nothing, analysts only low risk, admins everything', async () => {
    const body = (action: string, params: object) => ({ action, params, targets: { devices: [a.agent.id] } });
    const matrix: Array<[keyof typeof tokens, string, object, number, string | null]> = [
      ['viewer', 'process.kill', { pid: 4242 }, 403, 'E_FORBIDDEN'],
      ['viewer', 'file.delete', { path: '/tmp/x' }, 403, 'E_FORBIDDEN'],
      ['analyst', 'process.kill', { pid: 4242 }, 201, null],
      ['analyst', 'file.delete', { path: '/tmp/x' }, 403, 'E_FORBIDDEN'],
      ['admin', 'process.kill', { pid: 4242 }, 201, null],
      ['admin', 'file.delete', { path: '/tmp/x' }, 201, null],
    ];
    for (const [role, action, params, status, code] of matrix) {
      const res = await s.call('POST', '/api/v1/actions', {
        token: tokens[role],
        body: body(action, params),
      });
      expect(res.status, `${role} ${action}: ${JSON.stringify(res.body)}`).toBe(status);
      if (code) expect(res.body.error.code).toBe(code);
      if (status === 201) {
        expect(res.body.status).toBe(action === 'file.delete' ? 'pending_approval' : 'running');
        if (res.body.status === 'running') sendResult(a, await nextAction(s, a), 'succeeded');
        else await s.call('POST', `/api/v1/actions/${res.body.id}/cancel`, { token: tokens[role], body: {} });
      }
    }
    // The analyst's refused high-risk request is in the audit log as a failure.
    const refused = (await audit('action:file.delete')).filter((e) => e.outcome === 'failure');
    expect(refused.map((e) => e.actor_name)).toContain('analyst@example.test');
    // Viewers may read runs; the list filters by action.
    const list = await s.call('GET', '/api/v1/actions?action=process.kill', { token: tokens.viewer });
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThanOrEqual(2);
    expect(list.body.items.every((r: any) => r.action === 'process.kill')).toBe(true);
  });

  it('holds a high-risk run for a second admin: self-approval refused, then approved and sent signed', async () => {
    const req = await s.call('POST', '/api/v1/actions', {
      token: tokens.admin,
      body: {
        action: 'file.delete',
        params: { path: '/tmp/evil' },
        targets: { groups: ['linux-lab'] },
        reason: 'malware',
      },
    });
    expect(req.status).toBe(201);
    expect(req.body).toMatchObject({
      status: 'pending_approval',
      approval_required: true,
      counts: { pending: 2 },
    });
    await sleep(150);
    expect(receivedActions(s, a).filter((c) => c.body.run_id === req.body.id)).toHaveLength(0);

    const self = await s.call('POST', `/api/v1/actions/${req.body.id}/approve`, { token: tokens.admin });
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('E_APPROVAL_SELF');
    const selfReject = await s.call('POST', `/api/v1/actions/${req.body.id}/reject`, {
      token: tokens.admin,
      body: {},
    });
    expect(selfReject.body.error.code).toBe('E_APPROVAL_SELF');
    const byAnalyst = await s.call('POST', `/api/v1/actions/${req.body.id}/approve`, {
      token: tokens.analyst,
    });
    expect(byAnalyst.body.error.code).toBe('E_FORBIDDEN');
    expect((await run(req.body.id)).status).toBe('pending_approval');

    const ok = await s.call('POST', `/api/v1/actions/${req.body.id}/approve`, {
      token: tokens.admin2,
      body: { reason: 'confirmed with the owner' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'running', approved_by: { name: 'second-admin@example.test' } });
    const again = await s.call('POST', `/api/v1/actions/${req.body.id}/approve`, { token: tokens.admin2 });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('E_APPROVAL_STATE');

    const [ca, cb] = [await nextAction(s, a), await nextAction(s, b)];
    expect(ca.body).toEqual({
      run_id: req.body.id,
      action: 'file.delete',
      params: { path: '/tmp/evil' },
      dry_run: false,
      timeout_s: 1,
    });
    // One signature per agent: the audience is the agent itself, never a campaign.
    expect(ca.aud).toEqual({ account: a.agent.accountId, agent: a.agent.id });
    expect(cb.aud.agent).toBe(b.agent.id);
    sendResult(a, ca, 'succeeded');
    sendResult(b, cb, 'failed');
    const done = await until('the run to complete', async () => {
      const r = await run(req.body.id);
      return r.status === 'completed' ? r : null;
    });
    expect(done.counts).toEqual({ succeeded: 1, failed: 1 });
    const devB = done.devices.find((d: any) => d.device_id === b.agent.id);
    expect(devB).toMatchObject({ status: 'failed', error: 'E_ACTION_FAILED: it did not work' });
    expect(devB.result.error.exit_code).toBe(1);

    const trail = await audit(`action_run:${req.body.id}`);
    const kinds = trail.map((e) => `${e.action}:${e.outcome}`);
    for (const k of [
      'action.request:success',
      'action.approve:failure',
      'action.reject:failure',
      'action.approve:success',
      'action.send:success',
      'action.result:success',
      'action.result:failure',
      'action.complete:success',
    ])
      expect(kinds, k).toContain(k);
    const results = trail.filter((e) => e.action === 'action.result');
    expect(results.map((e) => e.actor).sort()).toEqual([`agent:${a.agent.id}`, `agent:${b.agent.id}`].sort());
    expect(trail.find((e) => e.action === 'action.send')?.actor).toBe('system');
  });

  it('rejects a waiting run without sending; approval-marked low-risk runs wait too; dry runs never wait', async () => {
    const req = await s.call('POST', '/api/v1/actions', {
      token: tokens.analyst,
      body: { action: 'service.restart', params: { name: 'nginx' }, targets: { devices: [a.agent.id] } },
    });
    expect(req.body.status).toBe('pending_approval');
    const rej = await s.call('POST', `/api/v1/actions/${req.body.id}/reject`, {
      token: tokens.admin,
      body: { reason: 'not in a maintenance window' },
    });
    expect(rej.body).toMatchObject({ status: 'rejected', status_reason: 'not in a maintenance window' });
    expect((await run(req.body.id)).devices[0].status).toBe('cancelled');
    const late = await s.call('POST', `/api/v1/actions/${req.body.id}/approve`, { token: tokens.admin2 });
    expect(late.body.error.code).toBe('E_APPROVAL_STATE');
    expect(receivedActions(s, a).filter((c) => c.body.run_id === req.body.id)).toHaveLength(0);
    expect((await audit(`action_run:${req.body.id}`)).map((e) => e.action)).toContain('action.reject');

    const dry = await s.call('POST', '/api/v1/actions', {
      token: tokens.admin,
      body: {
        action: 'file.delete',
        params: { path: '/tmp/x' },
        targets: { devices: [a.agent.id] },
        dry_run: true,
      },
    });
    expect(dry.body).toMatchObject({ status: 'running', approval_required: false, dry_run: true });
    const cmd = await nextAction(s, a);
    expect(cmd.body.dry_run).toBe(true);
    sendResult(a, cmd, 'succeeded');
  });

  it('expires a run nobody approved within the approval expiry: audited, devices cancelled, nothing sent, approval refused', async () => {
    const req = await s.call('POST', '/api/v1/actions', {
      token: tokens.analyst,
      body: { action: 'service.restart', params: { name: 'nginx' }, targets: { devices: [a.agent.id] } },
    });
    expect(req.body.status).toBe('pending_approval');
    const createdAt = Date.parse(req.body.created_at);
    // The default expiry is a day; the API says when the wait ends.
    expect(req.body.approval_expires_at).toBe(new Date(createdAt + 86_400_000).toISOString());
    // Not yet due a moment before the deadline.
    expect(await s.vigil.actions.engine.expireApprovals(createdAt + 86_400_000 - 1000)).toBe(0);
    expect((await run(req.body.id)).status).toBe('pending_approval');

    expect(
      await s.vigil.actions.engine.expireApprovals(createdAt + 86_400_000 + 1000),
    ).toBeGreaterThanOrEqual(1);
    const expired = await run(req.body.id);
    expect(expired).toMatchObject({ status: 'expired', closed_by: null });
    expect(expired.status_reason).toContain('no second admin approved it within 1d');
    expect(expired.finished_at).not.toBeNull();
    expect(expired.devices[0]).toMatchObject({ status: 'cancelled' });
    expect(expired.devices[0].error).toContain('expired waiting for approval');
    const trail = await audit(`action_run:${req.body.id}`);
    expect(trail.find((e) => e.action === 'action.approval_expired')).toMatchObject({
      actor: 'system',
      outcome: 'success',
      detail: { action: 'service.restart', approval_expiry_s: 86_400 },
    });
    // Decided by the clock: no approval, rejection or cancellation any more, and nothing was sent.
    const late = await s.call('POST', `/api/v1/actions/${req.body.id}/approve`, { token: tokens.admin2 });
    expect([late.status, late.body.error.code]).toEqual([409, 'E_APPROVAL_STATE']);
    expect(late.body.error.message).toContain('is expired');
    const cancel = await s.call('POST', `/api/v1/actions/${req.body.id}/cancel`, { token: tokens.admin });
    expect(cancel.body.error.code).toBe('E_ACTION_STATE');
    expect(receivedActions(s, a).filter((c) => c.body.run_id === req.body.id)).toHaveLength(0);
    // Listed under its own status.
    const listed = await s.call('GET', '/api/v1/actions?status=expired', { token: tokens.viewer });
    expect(listed.body.items.map((r: { id: string }) => r.id)).toContain(req.body.id);
  });

  it('runs a high-risk action without approval when the account turned the rule off', async () => {
    await s.call('PUT', '/api/v1/actions/settings', {
      token: tokens.admin,
      body: { require_approval: false },
    });
    try {
      const req = await s.call('POST', '/api/v1/actions', {
        token: tokens.admin,
        body: { action: 'file.delete', params: { path: '/tmp/y' }, targets: { devices: [b.agent.id] } },
      });
      expect(req.body).toMatchObject({ status: 'running', approval_required: false });
      sendResult(b, await nextAction(s, b), 'succeeded');
    } finally {
      await s.call('PUT', '/api/v1/actions/settings', {
        token: tokens.admin,
        body: { require_approval: true },
      });
    }
  });

  it('lets analysts cancel only their own runs, admins any; finished runs cannot be cancelled', async () => {
    const mk = async (token: string) =>
      (
        await s.call('POST', '/api/v1/actions', {
          token,
          body: { action: 'service.restart', params: { name: 'cron' }, targets: { devices: [a.agent.id] } },
        })
      ).body.id as string;
    const mine = await mk(tokens.analyst);
    const other = await mk(tokens.analyst2);
    const denied = await s.call('POST', `/api/v1/actions/${other}/cancel`, { token: tokens.analyst });
    expect(denied.body.error.code).toBe('E_FORBIDDEN');
    const own = await s.call('POST', `/api/v1/actions/${mine}/cancel`, {
      token: tokens.analyst,
      body: { reason: 'typo' },
    });
    expect(own.body).toMatchObject({ status: 'cancelled', closed_by: { name: 'analyst@example.test' } });
    const byAdmin = await s.call('POST', `/api/v1/actions/${other}/cancel`, { token: tokens.admin });
    expect(byAdmin.body.status).toBe('cancelled');
    const twice = await s.call('POST', `/api/v1/actions/${other}/cancel`, { token: tokens.admin });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('E_ACTION_STATE');
    const trail = await audit(`action_run:${mine}`);
    expect(trail.find((e) => e.action === 'action.cancel')?.detail).toMatchObject({
      devices_cancelled: 1,
      reason: 'typo',
    });
  });

  it('answers bad input with stable codes and sends nothing', async () => {
    const before = receivedActions(s, a).length + receivedActions(s, b).length;
    const post = (body: unknown) => s.call('POST', '/api/v1/actions', { token: tokens.admin, body });
    const t = { devices: [a.agent.id] };
    const cases: Array<[string, unknown, number, string]> = [
      ['unknown action', { action: 'process.vaporize', params: {}, targets: t }, 404, 'E_ACTION_UNKNOWN'],
      ['malformed action name', { action: 'Process Kill', targets: t }, 400, 'E_VALIDATION'],
      ['missing parameter', { action: 'process.kill', params: {}, targets: t }, 400, 'E_ACTION_PARAMS'],
      [
        'wrong parameter type',
        { action: 'process.kill', params: { pid: 'one' }, targets: t },
        400,
        'E_ACTION_PARAMS',
      ],
      [
        'unknown parameter',
        { action: 'process.kill', params: { pid: 5, rm: '-rf' }, targets: t },
        400,
        'E_ACTION_PARAMS',
      ],
      ['no dry run', { action: 'cache.flush_arp', targets: t, dry_run: true }, 400, 'E_ACTION_NO_DRY_RUN'],
      [
        'platform',
        { action: 'registry.delete_key', params: { key: 'HKLM\\x' }, targets: t },
        400,
        'E_ACTION_PLATFORM',
      ],
      ['empty targets', { action: 'process.kill', params: { pid: 5 }, targets: {} }, 400, 'E_VALIDATION'],
      [
        'unknown group',
        { action: 'process.kill', params: { pid: 5 }, targets: { groups: ['nope'] } },
        404,
        'E_GROUP_NOT_FOUND',
      ],
      [
        'unknown device',
        { action: 'process.kill', params: { pid: 5 }, targets: { devices: ['nope'] } },
        404,
        'E_DEVICE_NOT_FOUND',
      ],
      [
        'no device failing the check',
        {
          action: 'process.kill',
          params: { pid: 5 },
          targets: { failing_check: 'Linux.Ssh.RootLoginDisabled' },
        },
        400,
        'E_VALIDATION',
      ],
      [
        'batch size 0',
        { action: 'process.kill', params: { pid: 5 }, targets: t, rollout: { batch_size: 0 } },
        400,
        'E_VALIDATION',
      ],
      [
        'failure rate over 1',
        { action: 'process.kill', params: { pid: 5 }, targets: t, rollout: { stop_if_failure_rate: 2 } },
        400,
        'E_VALIDATION',
      ],
      [
        'offline policy',
        { action: 'process.kill', params: { pid: 5 }, targets: t, offline: { policy: 'later' } },
        400,
        'E_VALIDATION',
      ],
      [
        'extra field',
        { action: 'process.kill', params: { pid: 5 }, targets: t, sudo: true },
        400,
        'E_VALIDATION',
      ],
    ];
    for (const [name, body, status, code] of cases) {
      const res = await post(body);
      expect(res.status, name).toBe(status);
      expect(res.body.error.code, name).toBe(code);
      expect(res.body.error.message.length, name).toBeGreaterThan(10);
    }
    const windows = await post({
      action: 'process.kill',
      params: { pid: 5 },
      targets: { devices: [windowsId] },
    });
    expect(windows.body.error.message).toContain('win-host (windows)');
    const missing = await s.call('GET', '/api/v1/actions/nosuchrun1', { token: tokens.admin });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'E_ACTION_RUN_NOT_FOUND']);
    for (const verb of ['approve', 'reject', 'cancel', 'undo']) {
      const r = await s.call('POST', `/api/v1/actions/nosuchrun1/${verb}`, { token: tokens.admin });
      expect(r.body.error.code, verb).toBe('E_ACTION_RUN_NOT_FOUND');
    }
    const badList = await s.call('GET', '/api/v1/actions?status=exploded', { token: tokens.admin });
    expect(badList.body.error.code).toBe('E_VALIDATION');
    await sleep(100);
    expect(receivedActions(s, a).length + receivedActions(s, b).length).toBe(before);
  });

  it('targets the devices failing a check', async () => {
    a.session.send({
      t: 'outbox.deliver',
      items: [
        {
          id: `chk-${engine}-0001`,
          kind: 'check.results',
          at: Date.now(),
          body: {
            digest: 'x',
            full: true,
            at: Date.now(),
            results: [{ name: 'Linux.Ssh.RootLoginDisabled', status: 'fail' }],
          },
        },
      ],
    });
    await until('the failing result to be stored', async () => {
      const r = await s.call('GET', '/api/v1/checks/results?failing=true', { token: tokens.admin });
      return r.body.items.length === 1;
    });
    const req = await s.call('POST', '/api/v1/actions', {
      token: tokens.admin,
      body: {
        action: 'process.kill',
        params: { pid: 99 },
        targets: { failing_check: 'Linux.Ssh.RootLoginDisabled' },
      },
    });
    expect(req.status, JSON.stringify(req.body)).toBe(201);
    const detail = await run(req.body.id);
    expect(detail.devices.map((d: any) => d.device_id)).toEqual([a.agent.id]);
    sendResult(a, await nextAction(s, a), 'succeeded');
  });
});

describe('approval expiry from the server option', () => {
  it('an approval that comes after --action-approval-expiry is refused and the run expires', async () => {
    // A sweeper slower than the test: the late approval itself finds the run overdue.
    const s = await startTestServer('sqlite', {
      flags: { actionApprovalExpiry: '1' },
      actions: { dir: testActionsDir(), sweepMs: 60_000 },
    });
    try {
      const admin2 = await s.tokenFor('admin', 'second-admin@example.test');
      const [ra] = await enrollAgents(s, ['lone-host']);
      const req = await s.call('POST', '/api/v1/actions', {
        token: s.adminToken,
        body: { action: 'service.restart', params: { name: 'nginx' }, targets: { devices: [ra!.id] } },
      });
      expect(req.body.status).toBe('pending_approval');
      expect(Date.parse(req.body.approval_expires_at) - Date.parse(req.body.created_at)).toBe(1000);
      await sleep(1200);
      const late = await s.call('POST', `/api/v1/actions/${req.body.id}/approve`, { token: admin2 });
      expect([late.status, late.body.error.code]).toEqual([409, 'E_APPROVAL_STATE']);
      expect(late.body.error.message).toContain('expired');
      const after = await s.call('GET', `/api/v1/actions/${req.body.id}`, { token: s.adminToken });
      expect(after.body.status).toBe('expired');
    } finally {
      await s.stop();
    }
  });
});
