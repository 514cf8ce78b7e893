import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTestDevice } from '../../test-support/enroll-device.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

interface Entry {
  id: string;
  at: string;
  actor: string;
  actor_name: string;
  action: string;
  target: string | null;
  source_ip: string | null;
  outcome: 'success' | 'failure';
  detail: Record<string, unknown>;
}

describe('audit log', () => {
  let s: TestServer;
  let tokenActor: string;
  let userActor: string;
  let midpoint: string;
  /** [action, target, actor, outcome] of every change made in beforeAll. */
  const expected: Array<[string, string | null, string, 'success' | 'failure']> = [];

  const all = async (query = ''): Promise<Entry[]> => {
    const res = await s.call('GET', `/api/v1/audit?limit=500${query}`, { token: s.adminToken });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.items;
  };

  beforeAll(async () => {
    s = await startTestServer();
    const admin = (await s.vigil.services.repos.users.byEmail('admin@example.test'))!;
    const tokenRow = (await s.vigil.services.repos.apiTokens.list(admin.account_id)).find(
      (t) => t.name === 'test-admin',
    )!;
    tokenActor = `token:${tokenRow.id}`;
    userActor = `user:${admin.id}`;
    const t = s.adminToken;

    const user = await s.call('POST', '/api/v1/users', {
      token: t,
      body: { email: 'audited@example.test', role: 'viewer', password: 'a long enough password' },
    });
    expected.push(['user.create', `user:${user.body.id}`, tokenActor, 'success']);
    await s.call('PATCH', `/api/v1/users/${user.body.id}`, { token: t, body: { role: 'analyst' } });
    expected.push(['user.update', `user:${user.body.id}`, tokenActor, 'success']);
    await s.call('POST', '/api/v1/users', {
      token: t,
      body: { email: 'audited@example.test', role: 'viewer', password: 'a long enough password' },
    });
    expected.push(['user.create', 'email:audited@example.test', tokenActor, 'failure']);

    const apiToken = await s.call('POST', '/api/v1/api-tokens', {
      token: t,
      body: { name: 'audited', role: 'viewer' },
    });
    expected.push(['api_token.create', `token:${apiToken.body.token.id}`, tokenActor, 'success']);
    await s.call('DELETE', `/api/v1/api-tokens/${apiToken.body.token.id}`, { token: t });
    expected.push(['api_token.revoke', `token:${apiToken.body.token.id}`, tokenActor, 'success']);

    const group = await s.call('POST', '/api/v1/groups', {
      token: t,
      body: { name: 'audited-group', kind: 'static' },
    });
    expected.push(['group.create', `group:${group.body.id}`, tokenActor, 'success']);
    await s.call('PATCH', `/api/v1/groups/${group.body.id}`, { token: t, body: { description: 'changed' } });
    expected.push(['group.update', `group:${group.body.id}`, tokenActor, 'success']);

    const enroll = await s.call('POST', '/api/v1/enrollment-tokens', { token: t, body: { uses: 2 } });
    expected.push(['enrollment_token.create', `enrollment_token:${enroll.body.id}`, tokenActor, 'success']);
    const device = await enrollTestDevice(s, {
      token: enroll.body.token,
      hostname: 'audited-host',
      machineId: 'm-audited',
    });
    expected.push(['device.enroll', `device:${device.deviceId}`, 'anonymous', 'success']);
    await s.call('DELETE', `/api/v1/enrollment-tokens/${enroll.body.id}`, { token: t });
    expected.push(['enrollment_token.revoke', `enrollment_token:${enroll.body.id}`, tokenActor, 'success']);

    await new Promise((r) => setTimeout(r, 5));
    midpoint = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));

    await s.call('POST', `/api/v1/groups/${group.body.id}/members`, {
      token: t,
      body: { devices: [device.deviceId] },
    });
    expected.push(['group.add_members', `group:${group.body.id}`, tokenActor, 'success']);
    await s.call('DELETE', `/api/v1/groups/${group.body.id}/members`, {
      token: t,
      body: { devices: [device.deviceId] },
    });
    expected.push(['group.remove_members', `group:${group.body.id}`, tokenActor, 'success']);
    await s.call('POST', `/api/v1/devices/${device.deviceId}/tags`, {
      token: t,
      body: { tags: ['audited'] },
    });
    expected.push(['device.tag', `device:${device.deviceId}`, tokenActor, 'success']);
    await s.call('DELETE', `/api/v1/devices/${device.deviceId}/tags`, {
      token: t,
      body: { tags: ['audited'] },
    });
    expected.push(['device.untag', `device:${device.deviceId}`, tokenActor, 'success']);
    await s.call('POST', `/api/v1/devices/${device.deviceId}/revoke`, { token: t, body: {} });
    expected.push(['device.revoke', `device:${device.deviceId}`, tokenActor, 'success']);
    await s.call('DELETE', `/api/v1/groups/${group.body.id}`, { token: t });
    expected.push(['group.delete', `group:${group.body.id}`, tokenActor, 'success']);

    const failed = await s.call('POST', '/api/v1/sessions', {
      body: { email: 'admin@example.test', password: 'wrong password' },
    });
    expect(failed.status).toBe(401);
    expected.push(['session.create', 'email:admin@example.test', 'anonymous', 'failure']);
    const login = await s.call('POST', '/api/v1/sessions', {
      body: { email: 'admin@example.test', password: 'correct horse battery staple' },
    });
    expected.push(['session.create', userActor, userActor, 'success']);
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    const viaSession = await s.call('POST', '/api/v1/groups', {
      headers: { cookie, 'x-csrf-token': login.body.csrf_token },
      body: { name: 'by-session', kind: 'static' },
    });
    expected.push(['group.create', `group:${viaSession.body.id}`, userActor, 'success']);
    await s.call('DELETE', '/api/v1/sessions', {
      headers: { cookie, 'x-csrf-token': login.body.csrf_token },
    });
    expected.push(['session.delete', userActor, userActor, 'success']);
  });
  afterAll(async () => s?.stop());

  it('records every change with actor, action, target, source IP and outcome', async () => {
    const entries = await all();
    for (const [action, target, actor, outcome] of expected) {
      const hit = entries.find((e) => e.action === action && e.target === target && e.outcome === outcome);
      expect(hit, `${action} ${target} ${outcome}`).toBeDefined();
      expect(hit!.actor, `${action} ${target}`).toBe(actor);
      expect(hit!.source_ip, `${action} ${target}`).toMatch(/127\.0\.0\.1/);
      expect(hit!.actor_name).toBe(actor === 'anonymous' ? 'anonymous' : 'admin@example.test');
      expect(Date.parse(hit!.at)).toBeGreaterThan(Date.now() - 120_000);
    }
    const revoke = entries.find((e) => e.action === 'device.revoke')!;
    expect(revoke.detail).toEqual({ hostname: 'audited-host' });
    // Reading the log is not itself a change.
    expect(entries.some((e) => e.action.startsWith('audit'))).toBe(false);
  });

  it('lists newest first', async () => {
    const entries = await all();
    for (let i = 1; i < entries.length; i++) expect(entries[i - 1]!.at >= entries[i]!.at).toBe(true);
  });

  it('filters by action, action prefix, actor, outcome, target, since and until', async () => {
    const byAction = await all('&action=group.create');
    expect(byAction.map((e) => e.target).sort()).toEqual(
      expected
        .filter((x) => x[0] === 'group.create')
        .map((x) => x[1])
        .sort(),
    );
    const byPrefix = await all('&action=group.%25');
    expect(new Set(byPrefix.map((e) => e.action))).toEqual(
      new Set(['group.create', 'group.update', 'group.add_members', 'group.remove_members', 'group.delete']),
    );
    const byActor = await all(`&actor=${encodeURIComponent(userActor)}`);
    // The test server's own admin token was created by the admin user too.
    expect(byActor.map((e) => e.action).sort()).toEqual([
      'api_token.create',
      'group.create',
      'session.create',
      'session.delete',
    ]);
    const failures = await all('&outcome=failure');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures.every((e) => e.outcome === 'failure')).toBe(true);
    expect(failures.map((e) => e.action)).toEqual(expect.arrayContaining(['user.create', 'session.create']));
    const groupTarget = expected.find((x) => x[0] === 'group.update')![1]!;
    const byTarget = await all(`&target=${encodeURIComponent(groupTarget)}`);
    expect(byTarget.map((e) => e.action).sort()).toEqual([
      'group.add_members',
      'group.create',
      'group.delete',
      'group.remove_members',
      'group.update',
    ]);
    const since = await all(`&since=${encodeURIComponent(midpoint)}`);
    expect(since.every((e) => e.at >= midpoint)).toBe(true);
    expect(since.map((e) => e.action)).toContain('group.add_members');
    expect(since.map((e) => e.action)).not.toContain('group.update');
    const until = await all(`&until=${encodeURIComponent(midpoint)}`);
    expect(until.every((e) => e.at < midpoint)).toBe(true);
    expect(until.length + since.length).toBe((await all()).length);
    const combined = await all(`&since=${encodeURIComponent(midpoint)}&action=device.%25&outcome=success`);
    expect(combined.map((e) => e.action).sort()).toEqual(['device.revoke', 'device.tag', 'device.untag']);
  });

  it('pages with a cursor without gaps or duplicates', async () => {
    const everything = await all();
    expect(everything.length).toBeGreaterThan(20);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await s.call('GET', `/api/v1/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`, {
        token: s.adminToken,
      });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(7);
      seen.push(...res.body.items.map((e: Entry) => e.id));
      cursor = res.body.next_cursor;
      pages += 1;
    } while (cursor && pages < 50);
    expect(seen).toEqual(everything.map((e) => e.id));
    const filtered: string[] = [];
    cursor = null;
    do {
      const res = await s.call(
        'GET',
        `/api/v1/audit?limit=2&action=group.%25${cursor ? `&cursor=${cursor}` : ''}`,
        { token: s.adminToken },
      );
      filtered.push(...res.body.items.map((e: Entry) => e.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(filtered).toEqual((await all('&action=group.%25')).map((e) => e.id));
  });

  it('is for admins only', async () => {
    const analyst = await s.tokenFor('analyst');
    const res = await s.call('GET', '/api/v1/audit', { token: analyst });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('E_FORBIDDEN');
  });
});
