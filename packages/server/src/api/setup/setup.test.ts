import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BareServer, startBareServer } from '../../test-support/bare-app.js';

describe('first-admin setup', () => {
  let s: BareServer;
  beforeAll(async () => {
    s = await startBareServer();
  });
  afterAll(async () => s?.stop());

  it('is open while no user exists, and validates the first admin', async () => {
    expect((await s.call('GET', '/api/v1/setup')).body).toEqual({ needed: true });
    expect((await s.call('GET', '/api/v1/server-info')).body.setup_needed).toBe(true);
    const short = await s.call('POST', '/api/v1/setup', {
      body: { email: 'first@example.test', password: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('E_VALIDATION');
    expect(short.body.error.message).toContain('password');
    expect(await s.vigil.services.repos.users.count()).toBe(0);
  });

  it('creates the first admin once, then answers E_SETUP_DONE', async () => {
    const res = await s.call('POST', '/api/v1/setup', {
      body: { email: 'First@Example.test', password: 'a long enough password', account_name: 'Acme' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: 'first@example.test', role: 'admin', disabled: false });
    expect((await s.vigil.services.repos.accounts.get(res.body.account_id))?.name).toBe('Acme');
    expect((await s.call('GET', '/api/v1/setup')).body).toEqual({ needed: false });
    expect((await s.call('GET', '/api/v1/server-info')).body.setup_needed).toBe(false);

    const again = await s.call('POST', '/api/v1/setup', {
      body: { email: 'intruder@example.test', password: 'another long password' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('E_SETUP_DONE');
    expect(await s.vigil.services.repos.users.count()).toBe(1);
    expect(await s.vigil.services.repos.users.byEmail('intruder@example.test')).toBeUndefined();

    const login = await s.call('POST', '/api/v1/sessions', {
      body: { email: 'first@example.test', password: 'a long enough password' },
    });
    expect(login.status).toBe(201);
    const audit = await s.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'setup.create_admin')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      target: `user:${res.body.id}`,
      outcome: 'success',
      account_id: res.body.account_id,
    });
  });
});
