import { generateKeyPairSync, sign } from 'node:crypto';
import { enrollProofBytes } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptEnroll, createTestEnrollmentToken, enrollTestDevice } from '../test-support/enroll-device.js';
import { startTestServer, type TestServer } from '../test-support/test-app.js';

describe('enrollment through POST /agent/v1/enroll', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.stop());

  const deviceCount = async () => (await s.store.db.selectFrom('devices').select('id').execute()).length;
  const usesOf = async (secret: string) => {
    const { createHash } = await import('node:crypto');
    const row = await s.store.db
      .selectFrom('enrollment_tokens')
      .select('uses')
      .where('token_hash', '=', createHash('sha256').update(secret).digest('hex'))
      .executeTakeFirstOrThrow();
    return row.uses;
  };
  const failures = async () =>
    s.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'device.enroll')
      .where('outcome', '=', 'failure')
      .orderBy('at')
      .orderBy('id')
      .execute();

  /** Expect an attempt to be refused with `code`, leaving devices and token uses as they were, and audited. */
  async function expectRefused(
    attempt: () => Promise<{ status: number; body: any }>,
    status: number,
    code: string,
    secret: string | null,
  ): Promise<void> {
    const devices = await deviceCount();
    const uses = secret ? await usesOf(secret) : 0;
    const audited = (await failures()).length;
    const res = await attempt();
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(await deviceCount()).toBe(devices);
    if (secret) expect(await usesOf(secret)).toBe(uses);
    const after = await failures();
    expect(after).toHaveLength(audited + 1);
    expect(JSON.parse(after[after.length - 1]!.detail)).toMatchObject({ code });
    expect(after[after.length - 1]!.source_ip).toMatch(/127\.0\.0\.1/);
  }

  it('enrolls, counts one use, and audits the success in the account', async () => {
    const secret = await createTestEnrollmentToken(s, { uses: 3 });
    const res = await attemptEnroll(s, { token: secret, hostname: 'fresh', machineId: 'm-fresh' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      created: true,
      heartbeat_s: 30,
      poll_s: 15,
      signing_public_key: s.vigil.services.keys.signingPublicKey,
    });
    expect(res.body.agent_id).toMatch(/^[0-9a-f]{32}$/);
    expect(await usesOf(secret)).toBe(1);
    const audit = await s.call(
      'GET',
      `/api/v1/audit?action=device.enroll&target=device:${res.body.agent_id}`,
      { token: s.adminToken },
    );
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      actor: 'anonymous',
      outcome: 'success',
      detail: { hostname: 'fresh' },
    });
  });

  it('refuses an expired token', async () => {
    const secret = await createTestEnrollmentToken(s, { expires_in_s: 60 });
    const { createHash } = await import('node:crypto');
    await s.store.db
      .updateTable('enrollment_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('token_hash', '=', createHash('sha256').update(secret).digest('hex'))
      .execute();
    await expectRefused(
      () => attemptEnroll(s, { token: secret, hostname: 'late', machineId: 'm-late' }),
      401,
      'E_ENROLLMENT_TOKEN_EXPIRED',
      secret,
    );
  });

  it('refuses a used-up token without overspending it', async () => {
    const secret = await createTestEnrollmentToken(s, { uses: 1 });
    await enrollTestDevice(s, { token: secret, hostname: 'first', machineId: 'm-first' });
    expect(await usesOf(secret)).toBe(1);
    await expectRefused(
      () => attemptEnroll(s, { token: secret, hostname: 'second', machineId: 'm-second' }),
      401,
      'E_ENROLLMENT_TOKEN_USED_UP',
      secret,
    );
  });

  it('refuses a revoked token', async () => {
    const res = await s.call('POST', '/api/v1/enrollment-tokens', { token: s.adminToken, body: {} });
    const revoked = await s.call('DELETE', `/api/v1/enrollment-tokens/${res.body.id}`, {
      token: s.adminToken,
    });
    expect(revoked.body.revoked).toBe(true);
    await expectRefused(
      () => attemptEnroll(s, { token: res.body.token, hostname: 'r', machineId: 'm-r' }),
      401,
      'E_ENROLLMENT_TOKEN_REVOKED',
      res.body.token,
    );
  });

  it('refuses an unknown token', async () => {
    await expectRefused(
      () => attemptEnroll(s, { token: 'vge_this-token-was-never-issued', hostname: 'u', machineId: 'm-u' }),
      401,
      'E_ENROLLMENT_TOKEN_INVALID',
      null,
    );
  });

  it('refuses an agent clock 10 minutes off in either direction', async () => {
    const secret = await createTestEnrollmentToken(s, {});
    await expectRefused(
      () =>
        attemptEnroll(s, {
          token: secret,
          hostname: 'slow',
          machineId: 'm-slow',
          time: Date.now() - 10 * 60_000,
        }),
      400,
      'E_CLOCK_SKEW',
      secret,
    );
    await expectRefused(
      () =>
        attemptEnroll(s, {
          token: secret,
          hostname: 'fast',
          machineId: 'm-fast',
          time: Date.now() + 10 * 60_000,
        }),
      400,
      'E_CLOCK_SKEW',
      secret,
    );
  });

  it('refuses a proof made with another key', async () => {
    const secret = await createTestEnrollmentToken(s, {});
    const other = generateKeyPairSync('ed25519').privateKey;
    const key = generateKeyPairSync('ed25519').privateKey;
    const { rawPublicKey } = await import('../test-support/enroll-device.js');
    const time = Date.now();
    const forged = sign(null, enrollProofBytes(secret, rawPublicKey(key), time), other).toString('base64');
    await expectRefused(
      () =>
        attemptEnroll(s, {
          token: secret,
          hostname: 'forged',
          machineId: 'm-forged',
          privateKey: key,
          time,
          proofOverride: forged,
        }),
      401,
      'E_SIGNATURE_INVALID',
      secret,
    );
  });

  it('returns the same device for the same key again, without spending another use', async () => {
    const secret = await createTestEnrollmentToken(s, { uses: 5 });
    const first = await enrollTestDevice(s, { token: secret, hostname: 'again', machineId: 'm-again' });
    expect(first.created).toBe(true);
    const devices = await deviceCount();
    const second = await attemptEnroll(s, {
      token: secret,
      hostname: 'again',
      machineId: 'm-again',
      privateKey: first.privateKey,
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ agent_id: first.deviceId, created: false });
    expect(await usesOf(secret)).toBe(1);
    expect(await deviceCount()).toBe(devices);
    const audit = await s.call('GET', `/api/v1/audit?target=device:${first.deviceId}`, {
      token: s.adminToken,
    });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual([
      'device.reenroll',
      'device.enroll',
    ]);
  });

  it('refuses the same key from another machine with E_KEY_CONFLICT and raises an alert', async () => {
    const secret = await createTestEnrollmentToken(s, {});
    const original = await enrollTestDevice(s, {
      token: secret,
      hostname: 'original',
      machineId: 'm-original',
    });
    await expectRefused(
      () =>
        attemptEnroll(s, {
          token: secret,
          hostname: 'clone',
          machineId: 'm-clone',
          privateKey: original.privateKey,
        }),
      409,
      'E_KEY_CONFLICT',
      secret,
    );
    const alerts = await s.store.db
      .selectFrom('alerts')
      .selectAll()
      .where('device_id', '=', original.deviceId)
      .execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      rule: 'agent.key_conflict',
      severity: 'high',
      account_id: original.accountId,
    });
    expect(JSON.parse(alerts[0]!.context)).toMatchObject({ machine_id: 'm-clone', hostname: 'clone' });
    expect((await s.vigil.services.repos.devices.byId(original.deviceId))?.hostname).toBe('original');
  });

  it("refuses a revoked device's key", async () => {
    const secret = await createTestEnrollmentToken(s, {});
    const d = await enrollTestDevice(s, { token: secret, hostname: 'doomed', machineId: 'm-doomed' });
    expect(
      (await s.call('POST', `/api/v1/devices/${d.deviceId}/revoke`, { token: s.adminToken, body: {} }))
        .status,
    ).toBe(200);
    await expectRefused(
      () =>
        attemptEnroll(s, {
          token: secret,
          hostname: 'doomed',
          machineId: 'm-doomed',
          privateKey: d.privateKey,
        }),
      403,
      'E_AGENT_REVOKED',
      secret,
    );
  });

  it("applies the token's group and tags to the new device", async () => {
    expect(
      (
        await s.call('POST', '/api/v1/groups', {
          token: s.adminToken,
          body: { name: 'landing', kind: 'static' },
        })
      ).status,
    ).toBe(201);
    const secret = await createTestEnrollmentToken(s, { group: 'landing', tags: ['zeta', 'alpha'] });
    const d = await enrollTestDevice(s, { token: secret, hostname: 'placed', machineId: 'm-placed' });
    const shown = await s.call('GET', `/api/v1/devices/${d.deviceId}`, { token: s.adminToken });
    expect(shown.body.tags).toEqual(['alpha', 'zeta']);
    expect(shown.body.groups.map((g: { name: string }) => g.name)).toEqual(['landing']);
    const dyn = await s.call('POST', '/api/v1/groups', {
      token: s.adminToken,
      body: { name: 'landing-dyn', kind: 'dynamic', rule: "tags CONTAINS 'alpha'" },
    });
    expect(dyn.body.member_count).toBe(1);
    const refused = await s.call('POST', '/api/v1/enrollment-tokens', {
      token: s.adminToken,
      body: { group: 'landing-dyn' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('E_VALIDATION');
  });

  it("shows refused attempts with a known token in that account's audit log", async () => {
    const secret = await createTestEnrollmentToken(s, { uses: 1 });
    await enrollTestDevice(s, { token: secret, hostname: 'one', machineId: 'm-one' });
    await attemptEnroll(s, { token: secret, hostname: 'two', machineId: 'm-two' });
    const audit = await s.call('GET', '/api/v1/audit?action=device.enroll&outcome=failure', {
      token: s.adminToken,
    });
    expect(audit.body.items[0]).toMatchObject({
      actor: 'anonymous',
      outcome: 'failure',
      detail: { code: 'E_ENROLLMENT_TOKEN_USED_UP', hostname: 'two' },
    });
    // Attempts with an unknown token belong to no account and stay out of every account's log.
    const unknown = (await failures()).filter(
      (r) => JSON.parse(r.detail).code === 'E_ENROLLMENT_TOKEN_INVALID',
    );
    expect(unknown.length).toBeGreaterThan(0);
    expect(unknown.every((r) => r.account_id === null)).toBe(true);
  });
});
