import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-support/test-app.js';

describe('buildApp over real TLS', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.stop());

  it('answers liveness, readiness, metrics and OpenAPI', async () => {
    expect((await s.call('GET', '/healthz')).body).toEqual({ ok: true });
    expect((await s.call('GET', '/readyz')).body).toEqual({ ok: true, store: 'sqlite' });
    const metrics = await s.call('GET', '/metrics');
    expect(String(metrics.body)).toContain('vigil_http_requests_total');
    const spec = await s.call('GET', '/api/v1/openapi.json');
    expect(spec.body.openapi).toBe('3.0.3');
    expect(Object.keys(spec.body.paths)).toContain('/api/v1/devices');
  });

  it('refuses an unauthenticated call with E_UNAUTHENTICATED and answers an admin', async () => {
    const anon = await s.call('GET', '/api/v1/devices');
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('E_UNAUTHENTICATED');
    const ok = await s.call('GET', '/api/v1/devices', { token: s.adminToken });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ items: [], next_cursor: null });
  });

  it('logs in with a session cookie and needs the CSRF header for changes', async () => {
    const login = await s.call('POST', '/api/v1/sessions', {
      body: { email: 'admin@example.test', password: 'correct horse battery staple' },
    });
    expect(login.status).toBe(201);
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    expect(String(login.headers['set-cookie'])).toMatch(/HttpOnly/i);
    expect(String(login.headers['set-cookie'])).toMatch(/SameSite=Strict/i);
    expect(String(login.headers['set-cookie'])).toMatch(/Secure/i);
    const me = await s.call('GET', '/api/v1/me', { headers: { cookie } });
    expect(me.body.user.email).toBe('admin@example.test');
    const noCsrf = await s.call('POST', '/api/v1/groups', {
      headers: { cookie },
      body: { name: 'g1', kind: 'static' },
    });
    expect(noCsrf.body.error.code).toBe('E_CSRF');
    const withCsrf = await s.call('POST', '/api/v1/groups', {
      headers: { cookie, 'x-csrf-token': login.body.csrf_token },
      body: { name: 'g1', kind: 'static' },
    });
    expect(withCsrf.status).toBe(201);
  });
});
