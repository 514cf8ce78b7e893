/**
 * Watch paths and ignore patterns through the real API on SQLite and PostgreSQL, with a
 * protocol-level agent on the real channel: validation (absolute, normalised, no NUL, bounded
 * length and count), roles, tenants, group scope, the audit trail, and the signed rule set that
 * carries them to the devices they concern (and leaves them out for the others).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../../store/test-stores.js';
import {
  commandKind,
  connectRawAgent,
  createEnrollmentToken,
  enrollRawAgent,
  type RawSession,
  testFacts,
} from '../../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

const engines = await storeEngines();

function payloadOf(m: { env: { payload: string } }): { kind: string; body: any } {
  return JSON.parse(Buffer.from(m.env.payload, 'base64').toString('utf8'));
}

describe.each(engines)('monitoring paths on %s', (engine) => {
  let s: TestServer;
  let web: RawSession;
  let db: RawSession;
  let webId = '';
  let otherTenant = '';
  const post = (body: unknown, token = s.adminToken) =>
    s.call('POST', '/api/v1/monitoring/paths', { token, body });
  const setOf = (m: { env: { payload: string } }) => payloadOf(m).body;

  beforeAll(async () => {
    s = await startTestServer(engine, { heartbeat: 2, poll: 2 });
    const token = await createEnrollmentToken(s);
    const a = await enrollRawAgent(s, token, testFacts('web-1'));
    const b = await enrollRawAgent(s, token, testFacts('db-1'));
    webId = a.id;
    web = await connectRawAgent(s, a);
    db = await connectRawAgent(s, b);
    await web.next((x) => commandKind(x) === 'rules.set');
    await db.next((x) => commandKind(x) === 'rules.set');
    const g = await s.call('POST', '/api/v1/groups', {
      token: s.adminToken,
      body: { name: 'web', kind: 'static' },
    });
    expect(g.status).toBe(201);
    const m = await s.call('POST', '/api/v1/groups/web/members', {
      token: s.adminToken,
      body: { devices: [webId] },
    });
    expect(m.status).toBe(200);
    otherTenant = (await s.otherAccount()).adminToken;
  }, 60_000);
  afterAll(async () => {
    web?.ws.terminate();
    db?.ws.terminate();
    await s?.stop();
  });

  it('adds an account-wide watch path (admins only, audited) and pushes it signed to every device', async () => {
    const analyst = await s.tokenFor('analyst');
    expect((await post({ kind: 'watch', path: '/srv/app' }, analyst)).status).toBe(403);
    const r = await post({ kind: 'watch', path: '/srv/app' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ kind: 'watch', path: '/srv/app', group: null });
    for (const session of [web, db]) {
      const m = await session.next((x) => commandKind(x) === 'rules.set' && setOf(x).watch !== undefined);
      expect(setOf(m).watch).toEqual({ paths: ['/srv/app'], ignore: [] });
    }
    const audit = await s.call('GET', '/api/v1/audit?action=monitoring_path.create', {
      token: s.adminToken,
    });
    expect(audit.body.items[0]).toMatchObject({ target: `monitoring_path:${r.body.id}`, outcome: 'success' });
    expect(audit.body.items[0].detail).toMatchObject({ kind: 'watch', path: '/srv/app' });
    const again = await post({ kind: 'watch', path: '/srv/app' });
    expect([again.status, again.body.error.code]).toEqual([409, 'E_ALREADY_EXISTS']);
  });

  it('scopes a path and an ignore pattern to a group: only its devices get them', async () => {
    const w = await post({ kind: 'watch', path: '/var/www/html', group: 'web' });
    expect(w.status, JSON.stringify(w.body)).toBe(201);
    expect(w.body.group).toMatchObject({ name: 'web' });
    const i = await post({ kind: 'ignore', path: '*.log', group: 'web' });
    expect(i.status).toBe(201);
    const m = await web.next(
      (x) => commandKind(x) === 'rules.set' && (setOf(x).watch?.ignore ?? []).includes('*.log'),
    );
    expect(setOf(m).watch).toEqual({ paths: ['/srv/app', '/var/www/html'], ignore: ['*.log'] });
    // The other device's set did not change: nothing new is pushed to it.
    await new Promise((r) => setTimeout(r, 300));
    const dbSets = db.inbox.filter((x) => commandKind(x) === 'rules.set').map(setOf);
    expect(dbSets.map((x) => x.watch)).toEqual([undefined, { paths: ['/srv/app'], ignore: [] }]);
    const list = await s.call('GET', '/api/v1/monitoring/paths', { token: await s.tokenFor('viewer') });
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { kind: string; path: string }) => `${p.kind}:${p.path}`)).toEqual([
      'watch:/srv/app',
      'watch:/var/www/html',
      'ignore:*.log',
    ]);
    const bad = await post({ kind: 'watch', path: '/opt/x', group: 'nope' });
    expect([bad.status, bad.body.error.code]).toEqual([404, 'E_GROUP_NOT_FOUND']);
  });

  it('pushes a new set to a device that joins or leaves a group with paths of its own', async () => {
    const g = await s.call('POST', '/api/v1/groups', {
      token: s.adminToken,
      body: { name: 'db', kind: 'static' },
    });
    expect(g.status).toBe(201);
    expect((await post({ kind: 'watch', path: '/var/lib/db/conf', group: 'db' })).status).toBe(201);
    const before = db.inbox.length;
    const withDbPath = (x: any) =>
      commandKind(x) === 'rules.set' && (setOf(x).watch?.paths ?? []).includes('/var/lib/db/conf');
    await new Promise((r) => setTimeout(r, 300));
    expect(db.inbox.slice(before).filter(withDbPath)).toEqual([]);
    const devices = await s.call('GET', '/api/v1/devices?q=db-1', { token: s.adminToken });
    const id = devices.body.items.find((d: { hostname: string }) => d.hostname === 'db-1').id;
    const add = await s.call('POST', '/api/v1/groups/db/members', {
      token: s.adminToken,
      body: { devices: [id] },
    });
    expect(add.status).toBe(200);
    const joined = await db.next(withDbPath);
    expect(setOf(joined).watch.paths).toEqual(['/srv/app', '/var/lib/db/conf']);
    const del = await s.call('DELETE', '/api/v1/groups/db/members', {
      token: s.adminToken,
      body: { devices: [id] },
    });
    expect(del.status).toBe(200);
    await db.next(
      (x) =>
        commandKind(x) === 'rules.set' &&
        db.inbox.indexOf(x) > db.inbox.indexOf(joined) &&
        !(setOf(x).watch?.paths ?? []).includes('/var/lib/db/conf'),
    );
  });

  it('refuses relative, unnormalised, NUL-carrying, pseudo-filesystem and over-long paths', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ kind: 'watch', path: 'etc/app' }, /must be absolute/],
      [{ kind: 'watch', path: '/etc/../root' }, /normalised/],
      [{ kind: 'watch', path: '/etc/app/' }, /normalised/],
      [{ kind: 'watch', path: '/etc/a\u0000b' }, /NUL/],
      [{ kind: 'watch', path: '/' }, /whole filesystem/],
      [{ kind: 'watch', path: '/proc/1' }, /pseudo-filesystem/],
      [{ kind: 'watch', path: `/${'a'.repeat(1100)}` }, /1024/],
      [{ kind: 'ignore', path: 'logs/*.log' }, /start it with \/ or \*/],
      [{ kind: 'ignore', path: 'a'.repeat(300) }, /at most 256/],
    ];
    for (const [body, message] of cases) {
      const r = await post(body);
      expect([r.status, r.body.error.code], JSON.stringify(body).slice(0, 80)).toEqual([400, 'E_VALIDATION']);
      expect(r.body.error.message).toMatch(message);
    }
    const r = await post({ kind: 'watch', path: '/srv', surprise: 1 });
    expect(r.body.error.code).toBe('E_VALIDATION');
  });

  it('bounds the count per account and keeps tenants apart', async () => {
    const before = (await s.call('GET', '/api/v1/monitoring/paths', { token: s.adminToken })).body.items;
    const ignores = before.filter((p: { kind: string }) => p.kind === 'ignore').length;
    for (let n = ignores; n < 100; n++)
      expect((await post({ kind: 'ignore', path: `*.tmp${n}` })).status).toBe(201);
    const over = await post({ kind: 'ignore', path: '*.one-too-many' });
    expect([over.status, over.body.error.code]).toEqual([409, 'E_MONITORING_PATHS_LIMIT']);
    // Another account sees none of them and cannot delete them.
    const theirs = await s.call('GET', '/api/v1/monitoring/paths', { token: otherTenant });
    expect(theirs.body.items).toEqual([]);
    const del = await s.call('DELETE', `/api/v1/monitoring/paths/${before[0].id}`, { token: otherTenant });
    expect([del.status, del.body.error.code]).toEqual([404, 'E_MONITORING_PATH_NOT_FOUND']);
  });

  it('removes a path (audited) and pushes the set without it', async () => {
    const list = (await s.call('GET', '/api/v1/monitoring/paths', { token: s.adminToken })).body.items;
    const srv = list.find((p: { path: string }) => p.path === '/srv/app');
    const del = await s.call('DELETE', `/api/v1/monitoring/paths/${srv.id}`, { token: s.adminToken });
    expect(del.status).toBe(200);
    const m = await db.next((x) => commandKind(x) === 'rules.set' && setOf(x).watch?.paths?.length === 0);
    expect(setOf(m).watch.ignore).toHaveLength(100 - 1);
    const audit = await s.call('GET', '/api/v1/audit?action=monitoring_path.delete', {
      token: s.adminToken,
    });
    expect(audit.body.items[0]).toMatchObject({ target: `monitoring_path:${srv.id}` });
  });

  it('digests every pushed set over its whole content (agents report it back on connect)', () => {
    const sets = [...web.inbox, ...db.inbox].filter((x) => commandKind(x) === 'rules.set').map(setOf);
    expect(sets.some((set) => set.watch)).toBe(true);
    expect(sets.some((set) => !set.watch)).toBe(true);
    for (const { digest, ...content } of sets)
      expect(digest).toBe(createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 32));
    expect(new Set(sets.map((set) => set.digest)).size).toBeGreaterThan(2);
  });
});
