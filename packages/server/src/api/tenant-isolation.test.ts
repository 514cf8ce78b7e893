import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../store/test-stores.js';
import {
  attemptEnroll,
  createTestEnrollmentToken,
  type EnrolledTestDevice,
  enrollTestDevice,
} from '../test-support/enroll-device.js';
import { startTestServer, type TestServer } from '../test-support/test-app.js';

const engines = await storeEngines();

describe.each(engines)('tenant isolation on %s', (kind) => {
  let s: TestServer;
  /** Account A: the test server's first account. */
  const a = {
    token: '',
    devices: [] as EnrolledTestDevice[],
    groupId: '',
    dynamicId: '',
    userId: '',
    tokenId: '',
    enrollmentTokenId: '',
  };
  /** Account B: created with createAccountWithAdmin. */
  const b = { token: '', devices: [] as EnrolledTestDevice[], groupId: '', userId: '', accountId: '' };

  beforeAll(async () => {
    s = await startTestServer(kind);
    a.token = s.adminToken;
    const admin = (await s.vigil.services.repos.users.byEmail('admin@example.test'))!;
    a.userId = admin.id;
    const bAdmin = await s.vigil.services.auth.createAccountWithAdmin(
      'Tenant B',
      'b-admin@example.test',
      'tenant b password',
    );
    b.userId = bAdmin.id;
    b.accountId = bAdmin.account_id;
    const login = await s.call('POST', '/api/v1/sessions', {
      body: { email: 'b-admin@example.test', password: 'tenant b password' },
    });
    expect(login.status).toBe(201);
    expect(login.body.account.id).toBe(b.accountId);
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    const created = await s.call('POST', '/api/v1/api-tokens', {
      headers: { cookie, 'x-csrf-token': login.body.csrf_token },
      body: { name: 'b-admin', role: 'admin' },
    });
    expect(created.status).toBe(201);
    b.token = created.body.secret;

    const aGroup = await s.call('POST', '/api/v1/groups', {
      token: a.token,
      body: { name: 'a-static', kind: 'static' },
    });
    a.groupId = aGroup.body.id;
    a.dynamicId = (
      await s.call('POST', '/api/v1/groups', {
        token: a.token,
        body: { name: 'a-dynamic', kind: 'dynamic', rule: "tags CONTAINS 'prod'" },
      })
    ).body.id;
    const aEnroll = await s.call('POST', '/api/v1/enrollment-tokens', {
      token: a.token,
      body: { group: 'a-static', tags: ['prod'] },
    });
    a.enrollmentTokenId = aEnroll.body.id;
    for (const h of ['a-host-1', 'a-host-2'])
      a.devices.push(
        await enrollTestDevice(s, { token: aEnroll.body.token, hostname: h, machineId: `m-${h}` }),
      );
    a.tokenId = (await s.vigil.services.repos.apiTokens.list(admin.account_id))[0]!.id;

    b.groupId = (
      await s.call('POST', '/api/v1/groups', { token: b.token, body: { name: 'b-static', kind: 'static' } })
    ).body.id;
    const bEnroll = await createTestEnrollmentToken(s, { tags: ['prod'] }, b.token);
    b.devices.push(
      await enrollTestDevice(s, { token: bEnroll, hostname: 'b-host-1', machineId: 'm-b-host-1' }),
    );
    expect(b.devices[0]!.accountId).toBe(b.accountId);
    expect(a.devices[0]!.accountId).not.toBe(b.accountId);
  });
  afterAll(async () => s?.stop());

  it('lists only its own devices, whatever the filter', async () => {
    const own = [b.devices[0]!.deviceId];
    const paths = [
      '/api/v1/devices',
      '/api/v1/devices?tag=prod',
      `/api/v1/devices?q=a-host`,
      `/api/v1/devices?group=${a.groupId}`,
      `/api/v1/devices?filter=${encodeURIComponent("hostname LIKE 'a-%' OR tags CONTAINS 'prod'")}`,
    ];
    const expected = [own, own, [], [], own];
    for (const [i, path] of paths.entries()) {
      const res = await s.call('GET', path, { token: b.token });
      expect(res.status, path).toBe(200);
      expect(
        res.body.items.map((d: { id: string }) => d.id),
        path,
      ).toEqual(expected[i]);
    }
    const preview = await s.call('POST', '/api/v1/groups/preview', {
      token: b.token,
      body: { rule: "tags CONTAINS 'prod'" },
    });
    expect(preview.body.items.map((d: { id: string }) => d.id)).toEqual(own);
    const aList = await s.call('GET', '/api/v1/devices', { token: a.token });
    expect(aList.body.items.map((d: { id: string }) => d.id).sort()).toEqual(
      a.devices.map((d) => d.deviceId).sort(),
    );
  });

  it("cannot show, tag, untag, revoke, command or switch A's devices", async () => {
    const id = a.devices[0]!.deviceId;
    const attempts: Array<[string, string, unknown]> = [
      ['GET', `/api/v1/devices/${id}`, undefined],
      ['POST', `/api/v1/devices/${id}/tags`, { tags: ['stolen'] }],
      ['DELETE', `/api/v1/devices/${id}/tags`, { tags: ['prod'] }],
      ['POST', `/api/v1/devices/${id}/revoke`, {}],
      ['POST', `/api/v1/devices/${id}/mode`, { mode: 'poll' }],
      ['POST', `/api/v1/devices/${id}/commands`, { kind: 'agent.ping' }],
      ['GET', `/api/v1/devices/${id}/commands/some-command`, undefined],
    ];
    for (const [method, path, body] of attempts) {
      const res = await s.call(method, path, { token: b.token, ...(body === undefined ? {} : { body }) });
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(404);
      expect(res.body.error.code, `${method} ${path}`).toBe('E_DEVICE_NOT_FOUND');
    }
    const ruleSet = await s.call('GET', `/api/v1/devices/${id}/rule-set`, { token: b.token });
    expect(ruleSet.status).toBe(404);
    const still = await s.call('GET', `/api/v1/devices/${id}`, { token: a.token });
    expect(still.body).toMatchObject({ status: 'offline', tags: ['prod'] });
    expect((await s.vigil.services.repos.devices.byId(id))?.revoked_at).toBeNull();
    expect(
      await s.store.db.selectFrom('agent_commands').select('id').where('device_id', '=', id).execute(),
    ).toEqual([]);
  });

  it("cannot see, change, fill or delete A's groups, by id or by name", async () => {
    const list = await s.call('GET', '/api/v1/groups', { token: b.token });
    expect(list.body.items.map((g: { name: string }) => g.name)).toEqual(['b-static']);
    for (const ref of [a.groupId, 'a-static', a.dynamicId, 'a-dynamic']) {
      const attempts: Array<[string, string, unknown]> = [
        ['GET', `/api/v1/groups/${ref}`, undefined],
        ['GET', `/api/v1/groups/${ref}/members`, undefined],
        ['PATCH', `/api/v1/groups/${ref}`, { description: 'hijacked' }],
        ['POST', `/api/v1/groups/${ref}/members`, { devices: [b.devices[0]!.deviceId] }],
        ['DELETE', `/api/v1/groups/${ref}/members`, { devices: [a.devices[0]!.deviceId] }],
        ['DELETE', `/api/v1/groups/${ref}`, undefined],
      ];
      for (const [method, path, body] of attempts) {
        const res = await s.call(method, path, { token: b.token, ...(body === undefined ? {} : { body }) });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.error.code, `${method} ${path}`).toBe('E_GROUP_NOT_FOUND');
      }
    }
    const addA = await s.call('POST', `/api/v1/groups/${b.groupId}/members`, {
      token: b.token,
      body: { devices: [a.devices[0]!.deviceId] },
    });
    expect(addA.status).toBe(404);
    expect(addA.body.error.code).toBe('E_DEVICE_NOT_FOUND');
    const enrollIntoA = await s.call('POST', '/api/v1/enrollment-tokens', {
      token: b.token,
      body: { group: 'a-static' },
    });
    expect(enrollIntoA.body.error.code).toBe('E_GROUP_NOT_FOUND');
    // The same name may exist in both accounts without clashing.
    expect(
      (await s.call('POST', '/api/v1/groups', { token: b.token, body: { name: 'a-static', kind: 'static' } }))
        .status,
    ).toBe(201);
    const aGroup = await s.call('GET', `/api/v1/groups/${a.groupId}`, { token: a.token });
    expect(aGroup.body).toMatchObject({ name: 'a-static', description: '', member_count: 2 });
    expect((await s.call('GET', '/api/v1/groups/a-dynamic', { token: a.token })).body.member_count).toBe(2);
  });

  it("cannot target A's devices or groups with a query", async () => {
    const byDevice = await s.call('POST', '/api/v1/queries/live', {
      token: b.token,
      body: { sql: 'SELECT 1', targets: { devices: [a.devices[0]!.deviceId] } },
    });
    expect(byDevice.status).toBe(404);
    expect(byDevice.body.error.code).toBe('E_DEVICE_NOT_FOUND');
    const byGroup = await s.call('POST', '/api/v1/queries/live', {
      token: b.token,
      body: { sql: 'SELECT 1', targets: { groups: ['a-dynamic'] } },
    });
    expect(byGroup.status).toBe(404);
    expect(byGroup.body.error.code).toBe('E_GROUP_NOT_FOUND');
    const all = await s.call('POST', '/api/v1/queries/live', {
      token: b.token,
      body: { sql: 'SELECT 1', targets: { all: true }, timeout_s: 1 },
    });
    expect(all.status).toBe(201);
    expect(all.body.targeted).toBe(1);
    const campaign = await s.call('GET', `/api/v1/queries/live/${all.body.id}`, { token: a.token });
    expect(campaign.status).toBe(404);
  });

  it("cannot enroll A's agent key into its own account", async () => {
    const bToken = await createTestEnrollmentToken(s, {}, b.token);
    const res = await attemptEnroll(s, {
      token: bToken,
      hostname: 'a-host-1',
      machineId: 'm-a-host-1',
      privateKey: a.devices[0]!.privateKey,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('E_KEY_CONFLICT');
    expect((await s.vigil.services.repos.devices.byId(a.devices[0]!.deviceId))?.account_id).not.toBe(
      b.accountId,
    );
  });

  it("never sees A's users, API tokens, enrollment tokens or audit entries", async () => {
    const users = await s.call('GET', '/api/v1/users', { token: b.token });
    expect(users.body.items.map((u: { id: string }) => u.id)).toEqual([b.userId]);
    const patchUser = await s.call('PATCH', `/api/v1/users/${a.userId}`, {
      token: b.token,
      body: { disabled: true },
    });
    expect(patchUser.status).toBe(404);
    expect(patchUser.body.error.code).toBe('E_USER_NOT_FOUND');

    const tokens = await s.call('GET', '/api/v1/api-tokens', { token: b.token });
    expect(tokens.body.items.every((t: { user_id: string }) => t.user_id === b.userId)).toBe(true);
    expect(tokens.body.items.map((t: { id: string }) => t.id)).not.toContain(a.tokenId);
    const revoke = await s.call('DELETE', `/api/v1/api-tokens/${a.tokenId}`, { token: b.token });
    expect(revoke.status).toBe(404);
    expect(revoke.body.error.code).toBe('E_TOKEN_NOT_FOUND');
    expect((await s.call('GET', '/api/v1/me', { token: a.token })).status).toBe(200);

    const enrollTokens = await s.call('GET', '/api/v1/enrollment-tokens', { token: b.token });
    expect(enrollTokens.body.items.map((t: { id: string }) => t.id)).not.toContain(a.enrollmentTokenId);
    const revokeEnroll = await s.call('DELETE', `/api/v1/enrollment-tokens/${a.enrollmentTokenId}`, {
      token: b.token,
    });
    expect(revokeEnroll.status).toBe(404);
    expect(revokeEnroll.body.error.code).toBe('E_NOT_FOUND');

    const audit = await s.call('GET', '/api/v1/audit?limit=500', { token: b.token });
    expect(audit.body.items.length).toBeGreaterThan(0);
    const text = JSON.stringify(audit.body);
    for (const secretId of [
      a.groupId,
      a.dynamicId,
      a.userId,
      a.tokenId,
      a.enrollmentTokenId,
      ...a.devices.map((d) => d.deviceId),
    ]) {
      expect(text.includes(secretId), `B's audit mentions ${secretId}`).toBe(false);
    }
    const aAudit = await s.call('GET', '/api/v1/audit?limit=500', { token: a.token });
    expect(JSON.stringify(aAudit.body)).not.toContain(b.groupId);
    expect(aAudit.body.items.some((e: { target: string | null }) => e.target === `group:${a.groupId}`)).toBe(
      true,
    );
  });
});
