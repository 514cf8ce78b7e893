/**
 * `targetsInclude` (asked for one device on each connect) agrees with `resolveTargets` (which lists
 * every target) for each kind of target: all, devices, static and dynamic groups, filters, and a
 * missing group (resolving refuses it; for one device it includes nothing).
 */
import type { TargetsT } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentToken, enrollRawAgent, testFacts } from '../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../test-support/test-app.js';
import { resolveTargets, targetsInclude } from './targets.js';

describe('targetsInclude agrees with resolveTargets', () => {
  let s: TestServer;
  let accountId: string;
  const ids: string[] = [];

  beforeAll(async () => {
    s = await startTestServer('sqlite');
    for (const [name, tags] of [
      ['web-1', ['web', 'prod']],
      ['web-2', ['web']],
      ['db-1', ['db', 'prod']],
    ] as const) {
      const agent = await enrollRawAgent(
        s,
        await createEnrollmentToken(s, { tags: [...tags] }),
        testFacts(name),
      );
      ids.push(agent.id);
      accountId = agent.accountId;
    }
    const group = (body: object) => s.call('POST', '/api/v1/groups', { token: s.adminToken, body });
    expect((await group({ name: 'pinned', kind: 'static' })).status).toBe(201);
    const members = await s.call('POST', '/api/v1/groups/pinned/members', {
      token: s.adminToken,
      body: { devices: [ids[1]] },
    });
    expect(members.status).toBe(200);
    expect((await group({ name: 'prod', kind: 'dynamic', rule: "tags CONTAINS 'prod'" })).status).toBe(201);
  });
  afterAll(async () => s?.stop());

  const cases: Array<[string, TargetsT]> = [
    ['all', { all: true }],
    ['one device', { devices: ['placeholder'] }],
    ['a static group', { groups: ['pinned'] }],
    ['a dynamic group', { groups: ['prod'] }],
    ['a filter', { filter: "tags CONTAINS 'web'" }],
    ['a group and a filter', { groups: ['pinned'], filter: "tags CONTAINS 'db'" }],
  ];

  it.each(cases)('for %s', async (_name, given) => {
    const t = given.devices ? { devices: [ids[2] as string] } : given;
    const { store, repos } = s.vigil.services;
    const listed = await resolveTargets(store, repos, accountId, t);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.length).toBeLessThanOrEqual(ids.length);
    for (const id of ids)
      expect(await targetsInclude(store, repos, accountId, t, id)).toBe(listed.includes(id));
  });

  it('a missing group includes no device, where resolving refuses it', async () => {
    const { store, repos } = s.vigil.services;
    const t = { groups: ['no-such-group'] };
    await expect(resolveTargets(store, repos, accountId, t)).rejects.toMatchObject({
      code: 'E_GROUP_NOT_FOUND',
    });
    for (const id of ids) expect(await targetsInclude(store, repos, accountId, t, id)).toBe(false);
  });
});
