import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../../store/test-stores.js';
import {
  createTestEnrollmentToken,
  type EnrolledTestDevice,
  enrollTestDevice,
} from '../../test-support/enroll-device.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

const engines = await storeEngines();

describe.each(engines)('groups API on %s', (kind) => {
  let s: TestServer;
  let db1: EnrolledTestDevice;
  let db2: EnrolledTestDevice;
  let web1: EnrolledTestDevice;
  let token: string;

  const members = async (group: string) => {
    const res = await s.call('GET', `/api/v1/groups/${encodeURIComponent(group)}/members`, {
      token: s.adminToken,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.items as Array<{ hostname: string }>).map((d) => d.hostname);
  };
  const create = (body: Record<string, unknown>) =>
    s.call('POST', '/api/v1/groups', { token: s.adminToken, body });

  beforeAll(async () => {
    s = await startTestServer(kind);
    token = await createTestEnrollmentToken(s, {});
    db1 = await enrollTestDevice(s, { token, hostname: 'db-1', machineId: 'm-db-1', facts: { role: 'db' } });
    db2 = await enrollTestDevice(s, { token, hostname: 'db-2', machineId: 'm-db-2', facts: { role: 'db' } });
    web1 = await enrollTestDevice(s, {
      token,
      hostname: 'web-1',
      machineId: 'm-web-1',
      facts: { role: 'web' },
    });
  });
  afterAll(async () => s?.stop());

  it('creates a static group, adds, lists, removes members and deletes it', async () => {
    const created = await create({ name: 'Static One', kind: 'static', description: 'hand-picked' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Static One',
      kind: 'static',
      rule: null,
      description: 'hand-picked',
      member_count: 0,
    });
    const id = created.body.id as string;
    const added = await s.call('POST', `/api/v1/groups/${id}/members`, {
      token: s.adminToken,
      body: { devices: [web1.deviceId, db1.deviceId] },
    });
    expect(added.status).toBe(200);
    expect(added.body.member_count).toBe(2);
    const twice = await s.call('POST', '/api/v1/groups/Static One/members', {
      token: s.adminToken,
      body: { devices: [db1.deviceId] },
    });
    expect(twice.body.member_count).toBe(2);
    expect(await members(id)).toEqual(['db-1', 'web-1']);
    expect(
      (await s.call('GET', `/api/v1/devices/${db1.deviceId}`, { token: s.adminToken })).body.groups,
    ).toEqual([{ id, name: 'Static One' }]);
    const removed = await s.call('DELETE', `/api/v1/groups/${id}/members`, {
      token: s.adminToken,
      body: { devices: [db1.deviceId] },
    });
    expect(removed.body.member_count).toBe(1);
    expect(await members('Static One')).toEqual(['web-1']);
    const deleted = await s.call('DELETE', `/api/v1/groups/${id}`, { token: s.adminToken });
    expect(deleted.body).toEqual({ ok: true });
    expect((await s.call('GET', `/api/v1/groups/${id}`, { token: s.adminToken })).body.error.code).toBe(
      'E_GROUP_NOT_FOUND',
    );
    expect(
      await s.store.db.selectFrom('group_members').select('device_id').where('group_id', '=', id).execute(),
    ).toEqual([]);
    expect(
      (await s.call('GET', `/api/v1/devices/${web1.deviceId}`, { token: s.adminToken })).body.groups,
    ).toEqual([]);
  });

  it('keeps a tag-based dynamic group in step with tagging and untagging', async () => {
    const created = await create({ name: 'prod-hosts', kind: 'dynamic', rule: "tags CONTAINS 'prod'" });
    expect(created.status).toBe(201);
    expect(created.body.member_count).toBe(0);
    await s.call('POST', `/api/v1/devices/${web1.deviceId}/tags`, {
      token: s.adminToken,
      body: { tags: ['prod'] },
    });
    expect(await members('prod-hosts')).toEqual(['web-1']);
    await s.call('POST', `/api/v1/devices/${db2.deviceId}/tags`, {
      token: s.adminToken,
      body: { tags: ['prod', 'eu'] },
    });
    expect(await members('prod-hosts')).toEqual(['db-2', 'web-1']);
    await s.call('DELETE', `/api/v1/devices/${web1.deviceId}/tags`, {
      token: s.adminToken,
      body: { tags: ['prod'] },
    });
    expect(await members('prod-hosts')).toEqual(['db-2']);
    expect(
      (await s.call('GET', '/api/v1/groups/prod-hosts', { token: s.adminToken })).body.member_count,
    ).toBe(1);
    // A new device that matches joins at enrollment.
    const prodToken = await createTestEnrollmentToken(s, { tags: ['prod'] });
    await enrollTestDevice(s, { token: prodToken, hostname: 'new-prod', machineId: 'm-new-prod' });
    expect(await members('prod-hosts')).toEqual(['db-2', 'new-prod']);
  });

  it('builds a facts-based dynamic group and recomputes it when the rule changes', async () => {
    const created = await create({ name: 'databases', kind: 'dynamic', rule: "facts.role = 'db'" });
    expect(created.body.member_count).toBe(2);
    expect(await members('databases')).toEqual(['db-1', 'db-2']);
    const updated = await s.call('PATCH', '/api/v1/groups/databases', {
      token: s.adminToken,
      body: { rule: "facts.role = 'web'", description: 'now web' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      rule: "facts.role = 'web'",
      description: 'now web',
      member_count: 1,
    });
    expect(await members('databases')).toEqual(['web-1']);
    const descOnly = await s.call('PATCH', '/api/v1/groups/databases', {
      token: s.adminToken,
      body: { description: '' },
    });
    expect(descOnly.body).toMatchObject({ rule: "facts.role = 'web'", description: '', member_count: 1 });
  });

  it('follows static membership in a rule that names a static group, also after the static group is deleted', async () => {
    await create({ name: 'pinned', kind: 'static' });
    await create({
      name: 'pinned-dbs',
      kind: 'dynamic',
      rule: "groups CONTAINS 'pinned' AND facts.role = 'db'",
    });
    expect(await members('pinned-dbs')).toEqual([]);
    await s.call('POST', '/api/v1/groups/pinned/members', {
      token: s.adminToken,
      body: { devices: [db1.deviceId, web1.deviceId] },
    });
    expect(await members('pinned-dbs')).toEqual(['db-1']);
    await s.call('DELETE', '/api/v1/groups/pinned/members', {
      token: s.adminToken,
      body: { devices: [db1.deviceId] },
    });
    expect(await members('pinned-dbs')).toEqual([]);
    await s.call('POST', '/api/v1/groups/pinned/members', {
      token: s.adminToken,
      body: { devices: [db2.deviceId] },
    });
    expect(await members('pinned-dbs')).toEqual(['db-2']);
    await s.call('DELETE', '/api/v1/groups/pinned', { token: s.adminToken });
    expect(await members('pinned-dbs')).toEqual([]);
  });

  it('previews a rule without creating anything', async () => {
    const before = await s.store.db.selectFrom('groups').select('id').execute();
    const res = await s.call('POST', '/api/v1/groups/preview', {
      token: s.adminToken,
      body: { rule: "facts.role = 'db' AND hostname LIKE 'db-%'" },
    });
    expect(res.status).toBe(200);
    expect(res.body.items.map((d: { hostname: string }) => d.hostname).sort()).toEqual(['db-1', 'db-2']);
    expect(await s.store.db.selectFrom('groups').select('id').execute()).toHaveLength(before.length);
  });

  it('refuses an invalid rule with E_INVALID_FILTER and its position', async () => {
    for (const rule of [
      "tags CONTAINS 'prod' AND",
      "facts.role = 'db' OR )",
      "hostname CONTAINS 'x'",
      'unknown_field = 1',
    ]) {
      const res = await create({
        name: `bad-${Math.random().toString(36).slice(2, 8)}`,
        kind: 'dynamic',
        rule,
      });
      expect(res.status, rule).toBe(400);
      expect(res.body.error.code, rule).toBe('E_INVALID_FILTER');
    }
    const res = await create({ name: 'bad-rule', kind: 'dynamic', rule: "tags CONTAINS 'prod' AND" });
    expect(res.body.error.message).toMatch(/at position 24, found end of input/);
    const patch = await s.call('PATCH', '/api/v1/groups/databases', {
      token: s.adminToken,
      body: { rule: "facts.role = = 'x'" },
    });
    expect(patch.body.error.code).toBe('E_INVALID_FILTER');
    expect(patch.body.error.message).toContain("expected a value after '=' at position 13");
    expect((await s.call('GET', '/api/v1/groups/databases', { token: s.adminToken })).body.rule).toBe(
      "facts.role = 'web'",
    );
    const preview = await s.call('POST', '/api/v1/groups/preview', {
      token: s.adminToken,
      body: { rule: '(' },
    });
    expect(preview.body.error.code).toBe('E_INVALID_FILTER');
    expect(
      await s.store.db.selectFrom('groups').select('id').where('name', 'like', 'bad-%').execute(),
    ).toEqual([]);
  });

  it('refuses duplicates and mixing static and dynamic operations', async () => {
    await create({ name: 'unique-name', kind: 'static' });
    const dup = await create({ name: 'unique-name', kind: 'dynamic', rule: "os.platform = 'linux'" });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('E_ALREADY_EXISTS');
    const staticRule = await create({
      name: 'static-with-rule',
      kind: 'static',
      rule: "os.platform = 'linux'",
    });
    expect(staticRule.status).toBe(400);
    expect(staticRule.body.error.code).toBe('E_VALIDATION');
    const dynamicNoRule = await create({ name: 'dynamic-no-rule', kind: 'dynamic' });
    expect(dynamicNoRule.body.error.code).toBe('E_VALIDATION');
    const addToDynamic = await s.call('POST', '/api/v1/groups/databases/members', {
      token: s.adminToken,
      body: { devices: [db1.deviceId] },
    });
    expect(addToDynamic.status).toBe(400);
    expect(addToDynamic.body.error.code).toBe('E_VALIDATION');
    expect(await members('databases')).toEqual(['web-1']);
    const ruleOnStatic = await s.call('PATCH', '/api/v1/groups/unique-name', {
      token: s.adminToken,
      body: { rule: "os.platform = 'linux'" },
    });
    expect(ruleOnStatic.body.error.code).toBe('E_VALIDATION');
    expect((await s.call('GET', '/api/v1/groups/unique-name', { token: s.adminToken })).body.rule).toBeNull();
  });

  it('lists groups by name with cursor pagination and a name search', async () => {
    for (const n of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'])
      await create({ name: n, kind: 'static' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await s.call('GET', `/api/v1/groups?limit=3${cursor ? `&cursor=${cursor}` : ''}`, {
        token: s.adminToken,
      });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((g: { name: string }) => g.name));
      cursor = res.body.next_cursor;
    } while (cursor);
    const all = (await s.store.db.selectFrom('groups').select('name').execute()).map((g) => g.name);
    expect(seen).toHaveLength(all.length);
    expect(new Set(seen).size).toBe(all.length);
    expect(seen).toEqual([...seen].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    const search = await s.call('GET', '/api/v1/groups?q=PAGE-', { token: s.adminToken });
    expect(search.body.items.map((g: { name: string }) => g.name)).toEqual([
      'page-a',
      'page-b',
      'page-c',
      'page-d',
      'page-e',
    ]);
  });
});
