import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

describe('API tokens', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.stop());

  it('shows the secret once and stores only its SHA-256', async () => {
    const res = await s.call('POST', '/api/v1/api-tokens', {
      token: s.adminToken,
      body: { name: 'ci script', role: 'analyst', expires_in_days: 30 },
    });
    expect(res.status).toBe(201);
    const secret = res.body.secret as string;
    expect(secret).toMatch(/^vgt_[A-Za-z0-9_-]{43}$/);
    expect(res.body.token).toMatchObject({
      name: 'ci script',
      role: 'analyst',
      revoked: false,
      last_used_at: null,
    });
    expect(Date.parse(res.body.token.expires_at)).toBeGreaterThan(Date.now() + 29 * 86_400_000);

    const list = await s.call('GET', '/api/v1/api-tokens', { token: s.adminToken });
    expect(list.body.items.map((t: { id: string }) => t.id)).toContain(res.body.token.id);
    expect(JSON.stringify(list.body)).not.toContain(secret.slice(4));

    const row = await s.store.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', res.body.token.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(secret.slice(4));

    const me = await s.call('GET', '/api/v1/me', { token: secret });
    expect(me.status).toBe(200);
    expect(me.body.via).toBe('token');
  });

  it('refuses a revoked token', async () => {
    const created = await s.call('POST', '/api/v1/api-tokens', {
      token: s.adminToken,
      body: { name: 'to revoke', role: 'viewer' },
    });
    const secret = created.body.secret as string;
    expect((await s.call('GET', '/api/v1/devices', { token: secret })).status).toBe(200);
    const revoked = await s.call('DELETE', `/api/v1/api-tokens/${created.body.token.id}`, {
      token: s.adminToken,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked).toBe(true);
    const after = await s.call('GET', '/api/v1/devices', { token: secret });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('E_UNAUTHENTICATED');
    const unknown = await s.call('DELETE', '/api/v1/api-tokens/no-such-token', { token: s.adminToken });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('E_TOKEN_NOT_FOUND');
  });

  it('refuses an expired token', async () => {
    const created = await s.call('POST', '/api/v1/api-tokens', {
      token: s.adminToken,
      body: { name: 'short lived', role: 'viewer', expires_in_days: 1 },
    });
    const secret = created.body.secret as string;
    expect((await s.call('GET', '/api/v1/me', { token: secret })).status).toBe(200);
    await s.store.db
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', created.body.token.id)
      .execute();
    const after = await s.call('GET', '/api/v1/me', { token: secret });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('E_UNAUTHENTICATED');
  });

  it('refuses unknown and malformed bearer tokens', async () => {
    for (const header of ['Bearer vgt_unknown', 'Basic YWRtaW46cGFzcw==', 'Bearer']) {
      const res = await s.call('GET', '/api/v1/me', { headers: { authorization: header } });
      expect(res.status, header).toBe(401);
      expect(res.body.error.code).toBe('E_UNAUTHENTICATED');
    }
  });

  it('cannot mint a token above its creator role', async () => {
    const viewer = await s.tokenFor('viewer');
    const analyst = await s.tokenFor('analyst');
    const before = await s.store.db.selectFrom('api_tokens').select('id').execute();
    for (const [token, role] of [
      [viewer, 'analyst'],
      [viewer, 'admin'],
      [analyst, 'admin'],
    ] as const) {
      const res = await s.call('POST', '/api/v1/api-tokens', {
        token,
        body: { name: `escalate-${role}`, role },
      });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('E_FORBIDDEN');
    }
    expect(await s.store.db.selectFrom('api_tokens').select('id').execute()).toHaveLength(before.length);
    const ok = await s.call('POST', '/api/v1/api-tokens', {
      token: analyst,
      body: { name: 'same-role', role: 'analyst' },
    });
    expect(ok.status).toBe(201);
    const lower = await s.call('POST', '/api/v1/api-tokens', {
      token: viewer,
      body: { name: 'viewer-own', role: 'viewer' },
    });
    expect(lower.status).toBe(201);
  });

  it('caps a token at its owner role when the owner is demoted', async () => {
    const email = 'demoted@example.test';
    const token = await s.tokenFor('analyst', email);
    const tagRoute = '/api/v1/groups/preview';
    expect((await s.call('POST', tagRoute, { token, body: { rule: "os.platform = 'linux'" } })).status).toBe(
      200,
    );
    const user = (await s.vigil.services.repos.users.byEmail(email))!;
    expect(
      (await s.call('PATCH', `/api/v1/users/${user.id}`, { token: s.adminToken, body: { role: 'viewer' } }))
        .status,
    ).toBe(200);
    const token2 = await s.call('POST', '/api/v1/api-tokens', {
      token,
      body: { name: 'after-demotion', role: 'analyst' },
    });
    expect(token2.status).toBe(403);
    expect(token2.body.error.code).toBe('E_FORBIDDEN');
  });

  it('is audited on create and revoke', async () => {
    const created = await s.call('POST', '/api/v1/api-tokens', {
      token: s.adminToken,
      body: { name: 'audited', role: 'viewer' },
    });
    await s.call('DELETE', `/api/v1/api-tokens/${created.body.token.id}`, { token: s.adminToken });
    const audit = await s.call(
      'GET',
      `/api/v1/audit?target=${encodeURIComponent(`token:${created.body.token.id}`)}`,
      { token: s.adminToken },
    );
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual([
      'api_token.revoke',
      'api_token.create',
    ]);
  });
});
