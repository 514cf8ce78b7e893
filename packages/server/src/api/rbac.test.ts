import { type RouteAccess, roleAtLeast } from '@vigil/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteRecord } from '../http/auth-hook.js';
import { installAuth } from '../http/auth-hook.js';
import type { AuthService } from '../services/auth-service.js';
import { startTestServer, type TestServer } from '../test-support/test-app.js';

const ROLES = ['viewer', 'analyst', 'admin'] as const;
const ALL_ACCESS: RouteAccess[] = ['public', 'agent', ...ROLES];

/** A concrete URL for a route pattern: every `:param` becomes a dummy id, a wildcard a dummy path. */
function concrete(url: string): string {
  return url.replace(/:[A-Za-z_]+/g, 'dummy-id-1').replace(/\*$/, 'dummy');
}

describe('role-based access on every route', () => {
  let s: TestServer;
  let tokens: Record<'viewer' | 'analyst', string>;
  let protectedRoutes: RouteRecord[];
  beforeAll(async () => {
    s = await startTestServer();
    tokens = { viewer: await s.tokenFor('viewer'), analyst: await s.tokenFor('analyst') };
    protectedRoutes = s.vigil.routes.filter((r) => r.access !== 'public' && r.access !== 'agent');
  });
  afterAll(async () => s?.stop());

  it('records every route with a known access level', () => {
    expect(s.vigil.routes.length).toBeGreaterThan(40);
    for (const r of s.vigil.routes) expect(ALL_ACCESS, `${r.method} ${r.url}`).toContain(r.access);
    expect(protectedRoutes.length).toBeGreaterThan(30);
    expect(protectedRoutes).toContainEqual({ method: 'POST', url: '/api/v1/groups', access: 'admin' });
    expect(protectedRoutes).toContainEqual({
      method: 'POST',
      url: '/api/v1/devices/:id/tags',
      access: 'analyst',
    });
    expect(s.vigil.routes).toContainEqual({ method: 'POST', url: '/agent/v1/enroll', access: 'agent' });
  });

  it('lists every documented operation among the recorded routes', async () => {
    const spec = (await s.call('GET', '/api/v1/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const recorded = new Set(s.vigil.routes.map((r) => `${r.method} ${r.url}`));
    let n = 0;
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const method of Object.keys(ops)) {
        n += 1;
        expect(recorded, `${method} ${path}`).toContain(
          `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`,
        );
      }
    }
    expect(n).toBeGreaterThan(30);
  });

  it('answers 401 E_UNAUTHENTICATED on every protected route without credentials', async () => {
    for (const r of protectedRoutes) {
      const res = await s.call(
        r.method,
        concrete(r.url),
        r.method === 'GET' || r.method === 'HEAD' ? {} : { body: {} },
      );
      expect(res.status, `${r.method} ${r.url}`).toBe(401);
      if (r.method !== 'HEAD')
        expect(res.body?.error?.code, `${r.method} ${r.url}`).toBe('E_UNAUTHENTICATED');
    }
  });

  it('answers 403 E_FORBIDDEN on every analyst or admin route to the role just below', async () => {
    let checked = 0;
    for (const r of protectedRoutes) {
      if (r.access !== 'analyst' && r.access !== 'admin') continue;
      const below = r.access === 'admin' ? 'analyst' : 'viewer';
      expect(roleAtLeast(below, r.access)).toBe(false);
      const res = await s.call(r.method, concrete(r.url), {
        token: tokens[below],
        ...(r.method === 'GET' || r.method === 'HEAD' ? {} : { body: {} }),
      });
      expect(res.status, `${below} on ${r.method} ${r.url}`).toBe(403);
      if (r.method !== 'HEAD')
        expect(res.body?.error?.code, `${below} on ${r.method} ${r.url}`).toBe('E_FORBIDDEN');
      checked += 1;
    }
    expect(checked).toBeGreaterThan(15);
  });

  it('lets the required role through the auth hook (never 401/403)', async () => {
    const tokenOf = { viewer: tokens.viewer, analyst: tokens.analyst, admin: s.adminToken };
    for (const r of protectedRoutes) {
      if (r.method !== 'GET') continue;
      // The console event stream answers 200 and never ends; events.test.ts opens it as a viewer.
      if (r.url === '/api/v1/events/stream') continue;
      const res = await s.call(r.method, concrete(r.url), {
        token: tokenOf[r.access as keyof typeof tokenOf],
      });
      expect([401, 403], `${r.access} on ${r.method} ${r.url}: ${JSON.stringify(res.body)}`).not.toContain(
        res.status,
      );
    }
  });
});

describe('installAuth', () => {
  const fakeAuth = {} as AuthService;
  let app: FastifyInstance;
  beforeAll(() => {
    app = Fastify();
  });
  afterAll(async () => app.close());

  it('refuses to register a route that declares no access', () => {
    const routes = installAuth(app, fakeAuth);
    app.get('/declared', { config: { access: 'viewer' } }, async () => ({}));
    expect(routes).toEqual([
      { method: 'GET', url: '/declared', access: 'viewer' },
      { method: 'HEAD', url: '/declared', access: 'viewer' },
    ]);
    expect(() => app.get('/forgotten', async () => ({}))).toThrow(
      /route GET \/forgotten declares no access role/,
    );
    expect(() => app.post('/forgotten-too', { config: {} }, async () => ({}))).toThrow(
      /declares no access role/,
    );
  });
});
