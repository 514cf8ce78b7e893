import { createHash, randomBytes, sign } from 'node:crypto';
import { AGENT_PATHS, enrollProofBytes, POLL_HEADERS, pollProofBytes } from '@vigil/protocol';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { certificateFingerprint } from '../pki/fingerprint.js';
import type { Database } from '../store/schema.js';
import {
  createTestEnrollmentToken,
  deviceFacts,
  type EnrolledTestDevice,
  enrollTestDevice,
  rawPublicKey,
} from '../test-support/enroll-device.js';
import { startTestServer, type TestServer } from '../test-support/test-app.js';

/** One hostile request and the exact refusal it must get. */
interface Case {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  raw?: string | Buffer;
  contentType?: string;
  auth?: 'admin' | 'none';
  status: number;
  code: string;
}

const SQL = "'; DROP TABLE devices; --";
const TRAVERSAL = '../../etc/passwd';
const HUGE = 'x'.repeat(1024 * 1024 + 100);
const BAD_UTF8 = Buffer.concat([
  Buffer.from('{"name":"caf'),
  Buffer.from([0xc3, 0x28, 0xff]),
  Buffer.from('","role":"viewer"}'),
]);
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The cases every JSON-body route shares: transport-level garbage. */
function bodyGarbage(method: string, path: string, auth: Case['auth'] = 'admin'): Case[] {
  return [
    { name: 'malformed JSON', method, path, raw: '{"name": "x",', auth, status: 400, code: 'E_BAD_REQUEST' },
    { name: 'invalid UTF-8', method, path, raw: BAD_UTF8, auth, status: 400, code: 'E_BAD_REQUEST' },
    { name: 'empty JSON body', method, path, raw: '', auth, status: 400, code: 'E_BAD_REQUEST' },
    {
      name: 'body over 1 MiB',
      method,
      path,
      body: { name: HUGE },
      auth,
      status: 413,
      code: 'E_BODY_TOO_LARGE',
    },
    {
      name: 'text/plain body',
      method,
      path,
      raw: '{"name":"x"}',
      contentType: 'text/plain',
      auth,
      status: 415,
      code: 'E_UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'form body',
      method,
      path,
      raw: 'name=x',
      contentType: 'application/x-www-form-urlencoded',
      auth,
      status: 415,
      code: 'E_UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'JSON array instead of object',
      method,
      path,
      body: [1, 2],
      auth,
      status: 400,
      code: 'E_VALIDATION',
    },
    { name: 'JSON null', method, path, raw: 'null', auth, status: 400, code: 'E_VALIDATION' },
  ];
}

describe('hostile input on every route family', () => {
  let s: TestServer;
  let device: EnrolledTestDevice;
  let enrollToken: string;

  beforeAll(async () => {
    s = await startTestServer();
    enrollToken = await createTestEnrollmentToken(s, { uses: 100 });
    device = await enrollTestDevice(s, { token: enrollToken, hostname: 'victim', machineId: 'm-victim' });
    expect(
      (
        await s.call('POST', '/api/v1/groups', {
          token: s.adminToken,
          body: { name: 'static-one', kind: 'static' },
        })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => s?.stop());
  beforeEach(() => s.vigil.services.auth.ipLimiter.reset('ip:127.0.0.1'));

  async function send(c: Case) {
    const headers: Record<string, string> = {};
    if (c.contentType) headers['content-type'] = c.contentType;
    else if (c.raw !== undefined) headers['content-type'] = 'application/json';
    return s.call(c.method, c.path, {
      token: c.auth === 'none' ? null : s.adminToken,
      headers,
      ...(c.raw !== undefined ? { rawBody: c.raw } : c.body !== undefined ? { body: c.body } : {}),
    });
  }

  async function rowCounts(tables: Array<keyof Database>): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of tables) {
      const r = await s.store.db
        .selectFrom(t)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      out[t] = Number(r.n);
    }
    return out;
  }

  /** Send every case, check its exact refusal, that the tables did not change, and that the server still serves. */
  async function expectRefused(cases: Case[], tables: Array<keyof Database>): Promise<void> {
    const before = await rowCounts(tables);
    for (const c of cases) {
      const res = await send(c);
      const label = `${c.name}: ${c.method} ${c.path.slice(0, 80)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
      expect(res.status, label).toBe(c.status);
      expect(res.body?.error?.code, label).toBe(c.code);
      expect(typeof res.body.error.message, label).toBe('string');
      expect(res.body.error.message, label).not.toMatch(/at .*\.ts:\d+|SqliteError|stack/);
    }
    expect(await rowCounts(tables)).toEqual(before);
    expect((await s.call('GET', '/healthz')).body).toEqual({ ok: true });
  }

  it('sessions', async () => {
    const p = '/api/v1/sessions';
    await expectRefused(
      [
        ...bodyGarbage('POST', p, 'none'),
        {
          name: 'wrong types',
          method: 'POST',
          path: p,
          body: { email: 42, password: true },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'missing password',
          method: 'POST',
          path: p,
          body: { email: 'admin@example.test' },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'unknown field',
          method: 'POST',
          path: p,
          body: { email: 'admin@example.test', password: 'x', role: 'admin' },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'over-long password',
          method: 'POST',
          path: p,
          body: { email: 'admin@example.test', password: 'p'.repeat(1025) },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'over-long e-mail',
          method: 'POST',
          path: p,
          body: { email: `${'a'.repeat(250)}@example.test`, password: 'x' },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'SQL in e-mail with spaces',
          method: 'POST',
          path: p,
          body: { email: `admin@example.test${SQL}`, password: 'x' },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'SQL-looking login',
          method: 'POST',
          path: p,
          body: { email: "a'or'1'='1@x.io", password: "' OR '1'='1" },
          auth: 'none',
          status: 401,
          code: 'E_BAD_CREDENTIALS',
        },
      ],
      ['sessions', 'users'],
    );
  });

  it('setup', async () => {
    const p = '/api/v1/setup';
    await expectRefused(
      [
        ...bodyGarbage('POST', p, 'none'),
        {
          name: 'wrong types',
          method: 'POST',
          path: p,
          body: { email: ['a@b.c'], password: 123456789012 },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'missing e-mail',
          method: 'POST',
          path: p,
          body: { password: 'a long enough password' },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'short password',
          method: 'POST',
          path: p,
          body: { email: 'x@example.test', password: 'short' },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'path traversal account name',
          method: 'POST',
          path: p,
          body: { email: 'x@example.test', password: 'a long enough password', account_name: TRAVERSAL },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'unknown field',
          method: 'POST',
          path: p,
          body: { email: 'x@example.test', password: 'a long enough password', role: 'admin' },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'setup already done',
          method: 'POST',
          path: p,
          body: { email: "x'--@example.test", password: 'a long enough password' },
          auth: 'none',
          status: 409,
          code: 'E_SETUP_DONE',
        },
      ],
      ['users', 'accounts'],
    );
  });

  it('users', async () => {
    const admin = (await s.vigil.services.repos.users.byEmail('admin@example.test'))!;
    const good = { email: 'new.user@example.test', role: 'viewer', password: 'a long enough password' };
    await expectRefused(
      [
        ...bodyGarbage('POST', '/api/v1/users'),
        {
          name: 'wrong role',
          method: 'POST',
          path: '/api/v1/users',
          body: { ...good, role: 'root' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'wrong types',
          method: 'POST',
          path: '/api/v1/users',
          body: { ...good, role: 1 },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'missing password',
          method: 'POST',
          path: '/api/v1/users',
          body: { email: good.email, role: 'viewer' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'unknown field account_id',
          method: 'POST',
          path: '/api/v1/users',
          body: { ...good, account_id: 'other' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'over-long name',
          method: 'POST',
          path: '/api/v1/users',
          body: { ...good, name: 'n'.repeat(129) },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'SQL e-mail',
          method: 'POST',
          path: '/api/v1/users',
          body: { ...good, email: SQL },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'duplicate e-mail',
          method: 'POST',
          path: '/api/v1/users',
          body: { ...good, email: 'ADMIN@example.test' },
          status: 409,
          code: 'E_ALREADY_EXISTS',
        },
        ...bodyGarbage('PATCH', `/api/v1/users/${admin.id}`),
        {
          name: 'patch wrong type',
          method: 'PATCH',
          path: `/api/v1/users/${admin.id}`,
          body: { disabled: 'yes' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'patch unknown field',
          method: 'PATCH',
          path: `/api/v1/users/${admin.id}`,
          body: { email: 'x@y.z' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'patch unknown user',
          method: 'PATCH',
          path: '/api/v1/users/nobody',
          body: { disabled: true },
          status: 404,
          code: 'E_USER_NOT_FOUND',
        },
        {
          name: 'patch traversal id',
          method: 'PATCH',
          path: `/api/v1/users/${encodeURIComponent(TRAVERSAL)}`,
          body: { disabled: true },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'patch over-long id',
          method: 'PATCH',
          path: `/api/v1/users/${'a'.repeat(65)}`,
          body: { disabled: true },
          status: 400,
          code: 'E_VALIDATION',
        },
      ],
      ['users'],
    );
    expect((await s.vigil.services.repos.users.byId(admin.id))?.disabled).toBe(0);
  });

  it('api-tokens', async () => {
    const p = '/api/v1/api-tokens';
    await expectRefused(
      [
        ...bodyGarbage('POST', p),
        {
          name: 'wrong role',
          method: 'POST',
          path: p,
          body: { name: 't', role: 'superadmin' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'missing role',
          method: 'POST',
          path: p,
          body: { name: 't' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'unknown field',
          method: 'POST',
          path: p,
          body: { name: 't', role: 'viewer', user_id: 'x' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'negative expiry',
          method: 'POST',
          path: p,
          body: { name: 't', role: 'viewer', expires_in_days: -1 },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'zero expiry',
          method: 'POST',
          path: p,
          body: { name: 't', role: 'viewer', expires_in_days: 0 },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'huge expiry',
          method: 'POST',
          path: p,
          body: { name: 't', role: 'viewer', expires_in_days: 1e15 },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'fractional expiry',
          method: 'POST',
          path: p,
          body: { name: 't', role: 'viewer', expires_in_days: 1.5 },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'traversal name',
          method: 'POST',
          path: p,
          body: { name: TRAVERSAL, role: 'viewer' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'SQL name',
          method: 'POST',
          path: p,
          body: { name: SQL, role: 'viewer' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'over-long name',
          method: 'POST',
          path: p,
          body: { name: 'n'.repeat(65), role: 'viewer' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'revoke unknown',
          method: 'DELETE',
          path: `${p}/no-such-token`,
          status: 404,
          code: 'E_TOKEN_NOT_FOUND',
        },
        {
          name: 'revoke traversal',
          method: 'DELETE',
          path: `${p}/${encodeURIComponent(TRAVERSAL)}`,
          status: 400,
          code: 'E_VALIDATION',
        },
      ],
      ['api_tokens'],
    );
  });

  it('devices', async () => {
    const list = '/api/v1/devices';
    const tags = `/api/v1/devices/${device.deviceId}/tags`;
    await expectRefused(
      [
        {
          name: 'negative limit',
          method: 'GET',
          path: `${list}?limit=-1`,
          status: 400,
          code: 'E_VALIDATION',
        },
        { name: 'zero limit', method: 'GET', path: `${list}?limit=0`, status: 400, code: 'E_VALIDATION' },
        {
          name: 'huge limit',
          method: 'GET',
          path: `${list}?limit=99999999999999999999`,
          status: 400,
          code: 'E_VALIDATION',
        },
        { name: 'text limit', method: 'GET', path: `${list}?limit=ten`, status: 400, code: 'E_VALIDATION' },
        {
          name: 'unknown sort',
          method: 'GET',
          path: `${list}?sort=public_key`,
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'unknown status',
          method: 'GET',
          path: `${list}?status=hacked`,
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'unknown parameter',
          method: 'GET',
          path: `${list}?account_id=x`,
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'garbage cursor',
          method: 'GET',
          path: `${list}?cursor=garbage`,
          status: 400,
          code: 'E_BAD_REQUEST',
        },
        {
          name: 'cursor of the wrong shape',
          method: 'GET',
          path: `${list}?cursor=${cursorOf({ a: 1 })}`,
          status: 400,
          code: 'E_BAD_REQUEST',
        },
        {
          name: 'cursor of numbers',
          method: 'GET',
          path: `${list}?cursor=${cursorOf([1, 2])}`,
          status: 400,
          code: 'E_BAD_REQUEST',
        },
        {
          name: 'cursor with bad characters',
          method: 'GET',
          path: `${list}?cursor=${encodeURIComponent('ab/../cd')}`,
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'over-long cursor',
          method: 'GET',
          path: `${list}?cursor=${'a'.repeat(513)}`,
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'invalid filter',
          method: 'GET',
          path: `${list}?filter=${encodeURIComponent('os.platform = ')}`,
          status: 400,
          code: 'E_INVALID_FILTER',
        },
        {
          name: 'SQL filter',
          method: 'GET',
          path: `${list}?filter=${encodeURIComponent(`hostname = ''${SQL}`)}`,
          status: 400,
          code: 'E_INVALID_FILTER',
        },
        {
          name: 'over-long q',
          method: 'GET',
          path: `${list}?q=${'q'.repeat(129)}`,
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'show unknown',
          method: 'GET',
          path: `${list}/nope`,
          status: 404,
          code: 'E_DEVICE_NOT_FOUND',
        },
        {
          name: 'show traversal',
          method: 'GET',
          path: `${list}/${encodeURIComponent(TRAVERSAL)}`,
          status: 400,
          code: 'E_VALIDATION',
        },
        ...bodyGarbage('POST', tags),
        {
          name: 'upper-case tag',
          method: 'POST',
          path: tags,
          body: { tags: ['Prod'] },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'tag with space',
          method: 'POST',
          path: tags,
          body: { tags: ['a b'] },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'traversal tag',
          method: 'POST',
          path: tags,
          body: { tags: [TRAVERSAL] },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'SQL tag',
          method: 'POST',
          path: tags,
          body: { tags: [SQL] },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'no tags',
          method: 'POST',
          path: tags,
          body: { tags: [] },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'duplicate tags',
          method: 'POST',
          path: tags,
          body: { tags: ['a', 'a'] },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'too many tags',
          method: 'POST',
          path: tags,
          body: { tags: Array.from({ length: 65 }, (_, i) => `t${i}`) },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'over-long tag',
          method: 'POST',
          path: tags,
          body: { tags: ['t'.repeat(64)] },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'tags not an array',
          method: 'POST',
          path: tags,
          body: { tags: 'prod' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'tag unknown device',
          method: 'POST',
          path: '/api/v1/devices/nope/tags',
          body: { tags: ['prod'] },
          status: 404,
          code: 'E_DEVICE_NOT_FOUND',
        },
        ...bodyGarbage('DELETE', tags),
      ],
      ['devices', 'device_tags'],
    );
    const safe = await s.call('GET', `/api/v1/devices?q=${encodeURIComponent(SQL)}`, { token: s.adminToken });
    expect(safe.status).toBe(200);
    expect(safe.body.items).toEqual([]);
    const percent = await s.call('GET', '/api/v1/devices?q=%25', { token: s.adminToken });
    expect(percent.body.items).toEqual([]);
    expect((await s.call('GET', '/api/v1/devices', { token: s.adminToken })).body.items).toHaveLength(1);
  });

  it('groups', async () => {
    const p = '/api/v1/groups';
    const members = `${p}/static-one/members`;
    await expectRefused(
      [
        ...bodyGarbage('POST', p),
        {
          name: 'traversal name',
          method: 'POST',
          path: p,
          body: { name: TRAVERSAL, kind: 'static' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'SQL name',
          method: 'POST',
          path: p,
          body: { name: SQL, kind: 'static' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'over-long name',
          method: 'POST',
          path: p,
          body: { name: 'g'.repeat(65), kind: 'static' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'empty name',
          method: 'POST',
          path: p,
          body: { name: '', kind: 'static' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'unknown kind',
          method: 'POST',
          path: p,
          body: { name: 'g', kind: 'magic' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'missing kind',
          method: 'POST',
          path: p,
          body: { name: 'g' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'unknown field',
          method: 'POST',
          path: p,
          body: { name: 'g', kind: 'static', account_id: 'x' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'over-long description',
          method: 'POST',
          path: p,
          body: { name: 'g', kind: 'static', description: 'd'.repeat(1025) },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'invalid rule',
          method: 'POST',
          path: p,
          body: { name: 'g', kind: 'dynamic', rule: 'tags CONTAINS' },
          status: 400,
          code: 'E_INVALID_FILTER',
        },
        {
          name: 'SQL rule',
          method: 'POST',
          path: p,
          body: { name: 'g', kind: 'dynamic', rule: `hostname = 'x'${SQL}` },
          status: 400,
          code: 'E_INVALID_FILTER',
        },
        {
          name: 'over-long rule',
          method: 'POST',
          path: p,
          body: { name: 'g', kind: 'dynamic', rule: `hostname = '${'h'.repeat(2100)}'` },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'duplicate name',
          method: 'POST',
          path: p,
          body: { name: 'static-one', kind: 'static' },
          status: 409,
          code: 'E_ALREADY_EXISTS',
        },
        {
          name: 'garbage cursor',
          method: 'GET',
          path: `${p}?cursor=garbage`,
          status: 400,
          code: 'E_BAD_REQUEST',
        },
        { name: 'negative limit', method: 'GET', path: `${p}?limit=-5`, status: 400, code: 'E_VALIDATION' },
        {
          name: 'show traversal',
          method: 'GET',
          path: `${p}/${encodeURIComponent(TRAVERSAL)}`,
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'show unknown',
          method: 'GET',
          path: `${p}/no-such-group`,
          status: 404,
          code: 'E_GROUP_NOT_FOUND',
        },
        ...bodyGarbage('POST', members),
        {
          name: 'member id traversal',
          method: 'POST',
          path: members,
          body: { devices: [TRAVERSAL] },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'no members',
          method: 'POST',
          path: members,
          body: { devices: [] },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'one unknown member among good ones',
          method: 'POST',
          path: members,
          body: { devices: [device.deviceId, 'unknown-device'] },
          status: 404,
          code: 'E_DEVICE_NOT_FOUND',
        },
        {
          name: 'preview invalid rule',
          method: 'POST',
          path: `${p}/preview`,
          body: { rule: 'facts. = 1' },
          status: 400,
          code: 'E_INVALID_FILTER',
        },
        {
          name: 'patch unknown field',
          method: 'PATCH',
          path: `${p}/static-one`,
          body: { kind: 'dynamic' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'patch rule on static',
          method: 'PATCH',
          path: `${p}/static-one`,
          body: { rule: "os.platform = 'linux'" },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'delete unknown',
          method: 'DELETE',
          path: `${p}/no-such-group`,
          status: 404,
          code: 'E_GROUP_NOT_FOUND',
        },
      ],
      ['groups', 'group_members'],
    );
  });

  it('enrollment-tokens', async () => {
    const p = '/api/v1/enrollment-tokens';
    await expectRefused(
      [
        ...bodyGarbage('POST', p),
        { name: 'zero uses', method: 'POST', path: p, body: { uses: 0 }, status: 400, code: 'E_VALIDATION' },
        {
          name: 'negative uses',
          method: 'POST',
          path: p,
          body: { uses: -1 },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'huge uses',
          method: 'POST',
          path: p,
          body: { uses: 1e12 },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'uses as text',
          method: 'POST',
          path: p,
          body: { uses: '5' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'too short expiry',
          method: 'POST',
          path: p,
          body: { expires_in_s: 59 },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'huge expiry',
          method: 'POST',
          path: p,
          body: { expires_in_s: 1e12 },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'bad tag',
          method: 'POST',
          path: p,
          body: { tags: ['Bad Tag'] },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'traversal group',
          method: 'POST',
          path: p,
          body: { group: TRAVERSAL },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'unknown group',
          method: 'POST',
          path: p,
          body: { group: 'no-such-group' },
          status: 404,
          code: 'E_GROUP_NOT_FOUND',
        },
        {
          name: 'unknown field',
          method: 'POST',
          path: p,
          body: { account_id: 'x' },
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'revoke unknown',
          method: 'DELETE',
          path: `${p}/no-such-token`,
          status: 404,
          code: 'E_NOT_FOUND',
        },
      ],
      ['enrollment_tokens'],
    );
  });

  it('audit', async () => {
    const p = '/api/v1/audit';
    await expectRefused(
      [
        { name: 'zero limit', method: 'GET', path: `${p}?limit=0`, status: 400, code: 'E_VALIDATION' },
        { name: 'huge limit', method: 'GET', path: `${p}?limit=501`, status: 400, code: 'E_VALIDATION' },
        {
          name: 'SQL action',
          method: 'GET',
          path: `${p}?action=${encodeURIComponent(SQL)}`,
          status: 400,
          code: 'E_VALIDATION',
        },
        { name: 'bad since', method: 'GET', path: `${p}?since=yesterday`, status: 400, code: 'E_VALIDATION' },
        { name: 'bad outcome', method: 'GET', path: `${p}?outcome=maybe`, status: 400, code: 'E_VALIDATION' },
        {
          name: 'unknown parameter',
          method: 'GET',
          path: `${p}?account_id=x`,
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'garbage cursor',
          method: 'GET',
          path: `${p}?cursor=garbage`,
          status: 400,
          code: 'E_BAD_REQUEST',
        },
        {
          name: 'cursor of the wrong shape',
          method: 'GET',
          path: `${p}?cursor=${cursorOf(['a', 'b', 'c'])}`,
          status: 400,
          code: 'E_BAD_REQUEST',
        },
        {
          name: 'over-long actor',
          method: 'GET',
          path: `${p}?actor=${'a'.repeat(129)}`,
          status: 400,
          code: 'E_VALIDATION',
        },
      ],
      ['audit_log'],
    );
  });

  it('agent enroll', async () => {
    const p = AGENT_PATHS.enroll;
    const key = (await import('node:crypto')).generateKeyPairSync('ed25519').privateKey;
    const publicKey = rawPublicKey(key);
    const time = Date.now();
    const proof = sign(null, enrollProofBytes(enrollToken, publicKey, time), key).toString('base64');
    const good = {
      token: enrollToken,
      public_key: publicKey,
      facts: deviceFacts('newcomer', 'm-newcomer'),
      time,
      proof,
    };
    const usesBefore = await s.store.db.selectFrom('enrollment_tokens').select('uses').execute();
    await expectRefused(
      [
        ...bodyGarbage('POST', p, 'none'),
        {
          name: 'missing facts',
          method: 'POST',
          path: p,
          body: { ...good, facts: undefined },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'wrong types',
          method: 'POST',
          path: p,
          body: { ...good, time: 'now' },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'negative time',
          method: 'POST',
          path: p,
          body: { ...good, time: -1 },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'unknown field',
          method: 'POST',
          path: p,
          body: { ...good, account_id: 'x' },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'unknown facts field',
          method: 'POST',
          path: p,
          body: { ...good, facts: { ...good.facts, root: true } },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'over-long hostname',
          method: 'POST',
          path: p,
          body: { ...good, facts: { ...good.facts, hostname: 'h'.repeat(256) } },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'too many extra facts',
          method: 'POST',
          path: p,
          body: {
            ...good,
            facts: {
              ...good.facts,
              extra: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])),
            },
          },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'public key not base64',
          method: 'POST',
          path: p,
          body: { ...good, public_key: `${SQL}` },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'public key of the wrong length',
          method: 'POST',
          path: p,
          body: { ...good, public_key: 'AAAA' },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'short token',
          method: 'POST',
          path: p,
          body: { ...good, token: 'x' },
          auth: 'none',
          status: 400,
          code: 'E_VALIDATION',
        },
        {
          name: 'SQL token',
          method: 'POST',
          path: p,
          body: { ...good, token: SQL },
          auth: 'none',
          status: 401,
          code: 'E_SIGNATURE_INVALID',
        },
        {
          name: 'proof of another time',
          method: 'POST',
          path: p,
          body: { ...good, time: time + 1 },
          auth: 'none',
          status: 401,
          code: 'E_SIGNATURE_INVALID',
        },
      ],
      ['devices', 'device_tags', 'group_members'],
    );
    expect(await s.store.db.selectFrom('enrollment_tokens').select('uses').execute()).toEqual(usesBefore);
  });

  it('agent poll', async () => {
    const fp = certificateFingerprint(s.vigil.services.keys.tls.certPem);
    const poll = async (
      raw: Buffer,
      opts: { contentType?: string; agent?: string; sig?: string; time?: number; headers?: boolean } = {},
    ) => {
      const time = opts.time ?? Date.now();
      const nonce = randomBytes(16).toString('hex');
      const agent = opts.agent ?? device.deviceId;
      const sig =
        opts.sig ??
        sign(
          null,
          pollProofBytes(agent, time, nonce, createHash('sha256').update(raw).digest('hex'), fp),
          device.privateKey,
        ).toString('base64');
      const res = await request(`${s.url}${AGENT_PATHS.poll}`, {
        method: 'POST',
        dispatcher: s.dispatcher,
        headers: {
          'content-type': opts.contentType ?? 'application/json',
          ...(opts.headers === false
            ? {}
            : {
                [POLL_HEADERS.agent]: agent,
                [POLL_HEADERS.time]: String(time),
                [POLL_HEADERS.nonce]: nonce,
                [POLL_HEADERS.signature]: sig,
              }),
        },
        body: raw,
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: text ? JSON.parse(text) : null };
    };
    const status = { mode: 'poll', version: '0.1.0', outbox_depth: 0, outbox_evicted: 0 };
    const json = (v: unknown) => Buffer.from(JSON.stringify(v));
    const before = await rowCounts(['agent_messages', 'devices']);
    const seenBefore = (await s.vigil.services.repos.devices.byId(device.deviceId))?.last_seen_at;
    const cases: Array<[string, Promise<{ status: number; body: any }>, number, string]> = [
      [
        'invalid UTF-8 outside any string',
        poll(Buffer.concat([Buffer.from('{"items":[]'), Buffer.from([0xff]), Buffer.from(',"status":{}}')])),
        400,
        'E_BAD_REQUEST',
      ],
      ['no signature headers', poll(json({ items: [], status }), { headers: false }), 401, 'E_AGENT_UNKNOWN'],
      ['unknown agent', poll(json({ items: [], status }), { agent: 'f'.repeat(32) }), 401, 'E_AGENT_UNKNOWN'],
      ['traversal agent id', poll(json({ items: [], status }), { agent: TRAVERSAL }), 401, 'E_AGENT_UNKNOWN'],
      [
        'bad signature',
        poll(json({ items: [], status }), { sig: Buffer.alloc(64).toString('base64') }),
        401,
        'E_SIGNATURE_INVALID',
      ],
      [
        'clock skew',
        poll(json({ items: [], status }), { time: Date.now() - 3_600_000 }),
        400,
        'E_CLOCK_SKEW',
      ],
      ['malformed JSON', poll(Buffer.from('{"items": [')), 400, 'E_BAD_REQUEST'],
      ['wrong types', poll(json({ items: 'none', status })), 400, 'E_VALIDATION'],
      ['missing status', poll(json({ items: [] })), 400, 'E_VALIDATION'],
      ['unknown field', poll(json({ items: [], status, admin: true })), 400, 'E_VALIDATION'],
      [
        'negative outbox depth',
        poll(json({ items: [], status: { ...status, outbox_depth: -1 } })),
        400,
        'E_VALIDATION',
      ],
      [
        'text/plain',
        poll(json({ items: [], status }), { contentType: 'text/plain' }),
        415,
        'E_UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'body over 8 MiB',
        poll(Buffer.from(`{"items":[],"pad":"${'x'.repeat(8 * 1024 * 1024 + 10)}"}`)),
        413,
        'E_BODY_TOO_LARGE',
      ],
    ];
    for (const [name, pending, expectedStatus, code] of cases) {
      const res = await pending;
      expect(res.status, `${name}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(expectedStatus);
      expect(res.body?.error?.code, name).toBe(code);
    }
    expect(await rowCounts(['agent_messages', 'devices'])).toEqual(before);
    expect((await s.vigil.services.repos.devices.byId(device.deviceId))?.last_seen_at).toBe(seenBefore);
    expect((await s.call('GET', '/healthz')).body).toEqual({ ok: true });
  });

  it('agent poll refuses invalid UTF-8 inside a string with E_BAD_REQUEST', async () => {
    const fp = certificateFingerprint(s.vigil.services.keys.tls.certPem);
    const raw = Buffer.concat([
      Buffer.from('{"items":[],"status":{"mode":"poll","version":"0.1'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('","outbox_depth":0,"outbox_evicted":0}}'),
    ]);
    const time = Date.now();
    const nonce = randomBytes(16).toString('hex');
    const sig = sign(
      null,
      pollProofBytes(device.deviceId, time, nonce, createHash('sha256').update(raw).digest('hex'), fp),
      device.privateKey,
    ).toString('base64');
    const res = await request(`${s.url}${AGENT_PATHS.poll}`, {
      method: 'POST',
      dispatcher: s.dispatcher,
      headers: {
        'content-type': 'application/json',
        [POLL_HEADERS.agent]: device.deviceId,
        [POLL_HEADERS.time]: String(time),
        [POLL_HEADERS.nonce]: nonce,
        [POLL_HEADERS.signature]: sig,
      },
      body: raw,
    });
    const body = (await res.body.json()) as { error?: { code: string } };
    expect(res.statusCode).toBe(400);
    expect(body.error?.code).toBe('E_BAD_REQUEST');
  });
});
