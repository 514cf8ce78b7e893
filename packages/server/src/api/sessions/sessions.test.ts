import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

const ADMIN = { email: 'admin@example.test', password: 'correct horse battery staple' };

/** The `name=value` part of the session cookie a login set. */
function sessionCookie(headers: Record<string, unknown>): string {
  const raw = headers['set-cookie'];
  const first = (Array.isArray(raw) ? raw : [raw]).map(String).find((c) => c.startsWith('vigil_session='));
  if (!first) throw new Error(`no session cookie in ${JSON.stringify(raw)}`);
  return first.split(';')[0] as string;
}

describe('console sessions', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.stop());
  // Every login counts against the per-IP limit; the limit itself has its own tests below.
  beforeEach(() => s.vigil.services.auth.ipLimiter.reset('ip:127.0.0.1'));

  it('logs in with a secure, HttpOnly, strict session cookie and a CSRF token', async () => {
    const res = await s.call('POST', '/api/v1/sessions', { body: ADMIN });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ email: ADMIN.email, role: 'admin', disabled: false });
    expect(res.body.user.password_hash).toBeUndefined();
    expect(res.body.csrf_token).toMatch(/^vgc_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(res.body.expires_at)).toBeGreaterThan(Date.now() + 11 * 3600_000);
    const header = String(res.headers['set-cookie']);
    expect(header).toMatch(/^vigil_session=vgs_[A-Za-z0-9_-]{43};/);
    expect(header).toMatch(/; HttpOnly/i);
    expect(header).toMatch(/; Secure/i);
    expect(header).toMatch(/; SameSite=Strict/i);
    expect(header).toMatch(/; Path=\//i);
    expect(header).toMatch(/; Expires=/i);
    const me = await s.call('GET', '/api/v1/me', { headers: { cookie: sessionCookie(res.headers) } });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ via: 'session', user: { email: ADMIN.email } });
  });

  it('accepts the e-mail in any case', async () => {
    const res = await s.call('POST', '/api/v1/sessions', {
      body: { email: 'ADMIN@Example.TEST', password: ADMIN.password },
    });
    expect(res.status).toBe(201);
  });

  it('answers an unknown e-mail and a wrong password with the same E_BAD_CREDENTIALS', async () => {
    const unknown = await s.call('POST', '/api/v1/sessions', {
      body: { email: 'nobody@example.test', password: ADMIN.password },
    });
    const wrong = await s.call('POST', '/api/v1/sessions', {
      body: { email: ADMIN.email, password: 'not the password' },
    });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body.error.code).toBe('E_BAD_CREDENTIALS');
    expect(wrong.body).toEqual(unknown.body);
    expect(unknown.headers['set-cookie']).toBeUndefined();
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a forged or missing session cookie', async () => {
    const forged = await s.call('GET', '/api/v1/me', { headers: { cookie: 'vigil_session=vgs_forged' } });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('E_UNAUTHENTICATED');
    expect((await s.call('GET', '/api/v1/me')).status).toBe(401);
  });

  it('logs out: the session ends and the cookie is cleared', async () => {
    const login = await s.call('POST', '/api/v1/sessions', { body: ADMIN });
    const cookie = sessionCookie(login.headers);
    const noCsrf = await s.call('DELETE', '/api/v1/sessions', { headers: { cookie } });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('E_CSRF');
    const out = await s.call('DELETE', '/api/v1/sessions', {
      headers: { cookie, 'x-csrf-token': login.body.csrf_token },
    });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ ok: true });
    expect(String(out.headers['set-cookie'])).toMatch(/^vigil_session=;/);
    const after = await s.call('GET', '/api/v1/me', { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('E_UNAUTHENTICATED');
  });

  it('a disabled user cannot log in and its open sessions end', async () => {
    const body = { email: 'soon-disabled@example.test', role: 'analyst', password: 'a long enough password' };
    const created = await s.call('POST', '/api/v1/users', { token: s.adminToken, body });
    expect(created.status).toBe(201);
    const login = await s.call('POST', '/api/v1/sessions', {
      body: { email: body.email, password: body.password },
    });
    expect(login.status).toBe(201);
    const cookie = sessionCookie(login.headers);
    expect((await s.call('GET', '/api/v1/me', { headers: { cookie } })).status).toBe(200);

    const disabled = await s.call('PATCH', `/api/v1/users/${created.body.id}`, {
      token: s.adminToken,
      body: { disabled: true },
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabled).toBe(true);
    expect((await s.call('GET', '/api/v1/me', { headers: { cookie } })).status).toBe(401);
    const rows = await s.store.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', created.body.id)
      .execute();
    expect(rows).toEqual([]);

    const again = await s.call('POST', '/api/v1/sessions', {
      body: { email: body.email, password: body.password },
    });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('E_BAD_CREDENTIALS');

    const enabled = await s.call('PATCH', `/api/v1/users/${created.body.id}`, {
      token: s.adminToken,
      body: { disabled: false },
    });
    expect(enabled.body.disabled).toBe(false);
    expect(
      (await s.call('POST', '/api/v1/sessions', { body: { email: body.email, password: body.password } }))
        .status,
    ).toBe(201);
  });

  it('refuses to disable or demote the last active admin', async () => {
    const admin = (await s.vigil.services.repos.users.byEmail(ADMIN.email))!;
    const res = await s.call('PATCH', `/api/v1/users/${admin.id}`, {
      token: s.adminToken,
      body: { role: 'viewer' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('E_CONFLICT');
    expect((await s.vigil.services.repos.users.byId(admin.id))?.role).toBe('admin');
  });
});

describe('login rate limits', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.stop());
  beforeEach(() => s.vigil.services.auth.ipLimiter.reset('ip:127.0.0.1'));

  it('locks an e-mail after 5 failures in 15 minutes, even for the right password, with Retry-After', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await s.call('POST', '/api/v1/sessions', {
        body: { email: ADMIN.email, password: `wrong ${i}` },
      });
      expect(res.body.error.code).toBe('E_BAD_CREDENTIALS');
    }
    const locked = await s.call('POST', '/api/v1/sessions', { body: ADMIN });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('E_RATE_LIMITED');
    const wait = Number(locked.headers['retry-after']);
    expect(wait).toBeGreaterThan(14 * 60);
    expect(wait).toBeLessThanOrEqual(15 * 60);
    // Another e-mail from the same address is not affected by this e-mail's lock.
    const other = await s.call('POST', '/api/v1/sessions', {
      body: { email: 'other@example.test', password: 'x' },
    });
    expect(other.body.error.code).toBe('E_BAD_CREDENTIALS');
    s.vigil.services.auth.emailLimiter.reset(`email:${ADMIN.email}`);
    expect((await s.call('POST', '/api/v1/sessions', { body: ADMIN })).status).toBe(201);
  });

  it('limits one address to 20 attempts a minute across e-mails, with Retry-After', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await s.call('POST', '/api/v1/sessions', {
        body: { email: `probe${i}@example.test`, password: 'x' },
      });
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    const limited = await s.call('POST', '/api/v1/sessions', { body: ADMIN });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('E_RATE_LIMITED');
    const wait = Number(limited.headers['retry-after']);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    // Only the login is limited; API calls keep working.
    expect((await s.call('GET', '/api/v1/me', { token: s.adminToken })).status).toBe(200);
  });
});
