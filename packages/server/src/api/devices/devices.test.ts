import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../../store/test-stores.js';
import {
  createTestEnrollmentToken,
  type EnrolledTestDevice,
  enrollTestDevice,
} from '../../test-support/enroll-device.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

const engines = await storeEngines();
const N = 25;
const hostnames = Array.from({ length: N }, (_, i) => `host-${String(i + 1).padStart(2, '0')}`);

interface DeviceDto {
  id: string;
  hostname: string;
  status: string;
  tags: string[];
  groups: Array<{ id: string; name: string }>;
  facts: Record<string, unknown>;
}

describe.each(engines)('devices API on %s', (kind) => {
  let s: TestServer;
  const byHost = new Map<string, EnrolledTestDevice>();

  /** Every page of a listing, following next_cursor. */
  async function allPages(query: string): Promise<DeviceDto[][]> {
    const pages: DeviceDto[][] = [];
    let cursor: string | null = null;
    do {
      const sep = query ? '&' : '';
      const res = await s.call(
        'GET',
        `/api/v1/devices?${query}${sep}limit=10${cursor ? `&cursor=${cursor}` : ''}`,
        { token: s.adminToken },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      pages.push(res.body.items);
      cursor = res.body.next_cursor;
      expect(pages.length).toBeLessThan(10);
    } while (cursor);
    return pages;
  }

  beforeAll(async () => {
    s = await startTestServer(kind);
    const plain = await createTestEnrollmentToken(s, {});
    const prod = await createTestEnrollmentToken(s, { tags: ['prod'] });
    // Enroll in a scrambled order so that list order comes from sorting, not insertion.
    const order = hostnames
      .map((h, i) => ({ h, k: (i * 7) % N }))
      .sort((x, y) => x.k - y.k)
      .map((x) => x.h);
    for (const h of order) {
      const n = Number(h.slice(5));
      byHost.set(
        h,
        await enrollTestDevice(s, {
          token: n <= 5 ? prod : plain,
          hostname: h,
          machineId: `m-${h}`,
          facts: { role: n % 3 === 0 ? 'db' : 'web', rack: n },
        }),
      );
    }
  });
  afterAll(async () => s?.stop());

  it('pages through every device by hostname, ascending and descending, without gaps or duplicates', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const pages = await allPages(`sort=hostname&order=${order}`);
      expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
      const names = pages.flat().map((d) => d.hostname);
      expect(names).toEqual(order === 'asc' ? hostnames : [...hostnames].reverse());
      expect(new Set(pages.flat().map((d) => d.id)).size).toBe(N);
    }
  });

  it('pages without gaps when the sort column ties or is empty (last_seen_at is null for all)', async () => {
    for (const sort of ['last_seen_at', 'status', 'enrolled_at']) {
      const ids = (await allPages(`sort=${sort}`)).flat().map((d) => d.id);
      expect(ids, sort).toHaveLength(N);
      expect(new Set(ids).size, sort).toBe(N);
    }
  });

  it('filters by tag, hostname substring, status, filter expression and group', async () => {
    const list = async (query: string) => {
      const res = await s.call('GET', `/api/v1/devices?${query}&limit=100`, { token: s.adminToken });
      expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(200);
      return (res.body.items as DeviceDto[]).map((d) => d.hostname);
    };
    expect(await list('tag=prod')).toEqual(hostnames.slice(0, 5));
    expect(await list('q=HOST-1')).toEqual(hostnames.slice(9, 19));
    expect(await list('status=offline')).toHaveLength(N);
    expect(await list('status=online')).toEqual([]);
    expect(await list(`filter=${encodeURIComponent("facts.role = 'db'")}`)).toEqual(
      hostnames.filter((h) => Number(h.slice(5)) % 3 === 0),
    );
    expect(await list(`filter=${encodeURIComponent("facts.role = 'db' AND tags CONTAINS 'prod'")}`)).toEqual([
      'host-03',
    ]);
    expect(
      await list(
        `filter=${encodeURIComponent("hostname IN ('host-01', 'host-25') OR os.platform != 'linux'")}`,
      ),
    ).toEqual(['host-01', 'host-25']);
    const group = await s.call('POST', '/api/v1/groups', {
      token: s.adminToken,
      body: { name: 'device-filter-group', kind: 'static' },
    });
    await s.call('POST', `/api/v1/groups/${group.body.id}/members`, {
      token: s.adminToken,
      body: { devices: [byHost.get('host-07')!.deviceId, byHost.get('host-08')!.deviceId] },
    });
    expect(await list(`group=${group.body.id}`)).toEqual(['host-07', 'host-08']);
    expect(await list(`group=${group.body.id}&q=08`)).toEqual(['host-08']);
    const bad = await s.call('GET', `/api/v1/devices?filter=${encodeURIComponent('facts.role ==')}`, {
      token: s.adminToken,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('E_INVALID_FILTER');
    expect(bad.body.error.message).toMatch(/position \d+/);
  });

  it('finds revoked devices by status', async () => {
    const victim = byHost.get('host-25')!;
    const revoked = await s.call('POST', `/api/v1/devices/${victim.deviceId}/revoke`, {
      token: s.adminToken,
      body: {},
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    const res = await s.call('GET', '/api/v1/devices?status=revoked', { token: s.adminToken });
    expect(res.body.items.map((d: DeviceDto) => d.hostname)).toEqual(['host-25']);
  });

  it('shows one device with its facts, tags and groups', async () => {
    const d = byHost.get('host-03')!;
    const res = await s.call('GET', `/api/v1/devices/${d.deviceId}`, { token: s.adminToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: d.deviceId,
      hostname: 'host-03',
      os: { platform: 'linux', name: 'Debian GNU/Linux', version: '12', kernel: '6.1.0', arch: 'x86_64' },
      agent_version: '0.1.0',
      status: 'offline',
      mode: 'live',
      last_seen_at: null,
      tags: ['prod'],
      facts: { role: 'db', rack: 3 },
    });
    expect(res.body.ip).toMatch(/127\.0\.0\.1/);
    expect(Date.parse(res.body.enrolled_at)).toBeGreaterThan(Date.now() - 600_000);
    expect(res.body.public_key).toBeUndefined();
    const missing = await s.call('GET', '/api/v1/devices/0123456789abcdef0123456789abcdef', {
      token: s.adminToken,
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('E_DEVICE_NOT_FOUND');
  });

  it('tags and untags idempotently and validates tag names', async () => {
    const d = byHost.get('host-10')!;
    const path = `/api/v1/devices/${d.deviceId}/tags`;
    const tagged = await s.call('POST', path, {
      token: s.adminToken,
      body: { tags: ['web', 'eu-west:1', 'a.b_c'] },
    });
    expect(tagged.status).toBe(200);
    expect(tagged.body.tags).toEqual(['a.b_c', 'eu-west:1', 'web']);
    const again = await s.call('POST', path, { token: s.adminToken, body: { tags: ['web'] } });
    expect(again.body.tags).toEqual(['a.b_c', 'eu-west:1', 'web']);
    const rows = await s.store.db
      .selectFrom('device_tags')
      .select('tag')
      .where('device_id', '=', d.deviceId)
      .execute();
    expect(rows).toHaveLength(3);
    const untagged = await s.call('DELETE', path, {
      token: s.adminToken,
      body: { tags: ['web', 'not-there'] },
    });
    expect(untagged.status).toBe(200);
    expect(untagged.body.tags).toEqual(['a.b_c', 'eu-west:1']);
    for (const bad of ['Web', 'has space', '-lead', 'x'.repeat(64), 'semi;colon']) {
      const res = await s.call('POST', path, { token: s.adminToken, body: { tags: [bad] } });
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code, bad).toBe('E_VALIDATION');
    }
    expect((await s.call('GET', `/api/v1/devices/${d.deviceId}`, { token: s.adminToken })).body.tags).toEqual(
      ['a.b_c', 'eu-west:1'],
    );
    const viewer = await s.tokenFor('viewer');
    expect((await s.call('POST', path, { token: viewer, body: { tags: ['x'] } })).body.error.code).toBe(
      'E_FORBIDDEN',
    );
    const analyst = await s.tokenFor('analyst');
    expect((await s.call('POST', path, { token: analyst, body: { tags: ['by-analyst'] } })).status).toBe(200);
  });
});
