import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../store/schema.js';
import { freshStore, storeEngines } from '../../store/test-stores.js';
import { deviceFilterExpression, matchingDeviceIds, parseDeviceFilter } from './index.js';

const engines = await storeEngines();

interface DeviceSeed {
  id: string;
  account: string;
  hostname: string;
  platform?: string;
  osName?: string;
  osVersion?: string;
  status?: string;
  mode?: string;
  ip?: string | null;
  facts?: string;
  lastSeen?: string | null;
  enrolled?: string;
  tags?: string[];
}

const DEVICES: DeviceSeed[] = [
  {
    id: 'a1',
    account: 'acct-a',
    hostname: 'Web-1',
    osName: 'Ubuntu',
    osVersion: '22.04',
    ip: '10.0.0.1',
    facts: JSON.stringify({ cpu: { cores: 8 }, env: 'prod', ram_gb: '16', secure_boot: true }),
    lastSeen: '2024-05-01T12:00:00.000Z',
    enrolled: '2023-11-02T08:00:00.000Z',
    tags: ['prod', 'web'],
  },
  {
    id: 'a2',
    account: 'acct-a',
    hostname: 'web-2',
    osName: 'Debian GNU/Linux',
    osVersion: '12',
    ip: '10.0.0.2',
    facts: JSON.stringify({ cpu: { cores: 2 }, env: 'staging', ram_gb: 4 }),
    lastSeen: '2024-04-30T23:59:59.000Z',
    tags: ['web', 'Prod'],
  },
  {
    id: 'a3',
    account: 'acct-a',
    hostname: 'db-1',
    osName: 'Rocky Linux',
    osVersion: '9.3',
    status: 'offline',
    mode: 'poll',
    ip: null,
    facts: JSON.stringify({ cpu: { cores: 32 }, env: 'prod', note: "it's 100%" }),
    lastSeen: null,
    tags: ['prod', 'db'],
  },
  {
    id: 'a4',
    account: 'acct-a',
    hostname: 'mac-1',
    platform: 'darwin',
    osName: 'macOS',
    osVersion: '14.4',
    status: 'lost',
    ip: '192.168.1.5',
    facts: JSON.stringify({ temp: -3.5 }),
    lastSeen: '2024-06-01T00:00:00.000Z',
  },
  {
    id: 'a5',
    account: 'acct-a',
    hostname: 'kiosk_7',
    osName: 'ubuntu',
    osVersion: '20.04',
    mode: 'poll',
    ip: '10.0.0.5',
    facts: JSON.stringify({ cpu: { cores: '4' }, env: null, list: [1, 2], glob: 'a*[b]?' }),
    lastSeen: '2023-12-31T23:00:00.000Z',
    enrolled: '2023-12-01T00:00:00.000Z',
  },
  {
    id: 'a6',
    account: 'acct-a',
    hostname: 'WEB-3',
    osName: 'Ubuntu',
    osVersion: '24.04',
    status: 'offline',
    ip: '172.16.0.1',
    facts: JSON.stringify({ cpu: { cores: 'many' }, env: 'dev', glob: 'aXYbZ' }),
    lastSeen: '2024-05-01T11:59:59.999Z',
    tags: ['web'],
  },
  // Another account: a twin of a1 and a device whose hostname looks like an injection.
  {
    id: 'b1',
    account: 'acct-b',
    hostname: 'web-1',
    osName: 'Ubuntu',
    osVersion: '22.04',
    facts: JSON.stringify({ cpu: { cores: 8 }, env: 'prod' }),
    tags: ['prod', 'web'],
  },
  { id: 'b2', account: 'acct-b', hostname: "x' OR 1=1 --", facts: '{}' },
];

async function seed(db: Kysely<Database>): Promise<void> {
  const at = '2024-01-01T00:00:00.000Z';
  await db
    .insertInto('accounts')
    .values([
      { id: 'acct-a', name: 'A', created_at: at },
      { id: 'acct-b', name: 'B', created_at: at },
    ])
    .execute();
  for (const d of DEVICES) {
    await db
      .insertInto('devices')
      .values({
        id: d.id,
        account_id: d.account,
        hostname: d.hostname,
        os_platform: d.platform ?? 'linux',
        os_name: d.osName ?? 'Ubuntu',
        os_version: d.osVersion ?? '22.04',
        os_kernel: '6.5.0',
        os_arch: 'x86_64',
        agent_version: '1.2.0',
        status: d.status ?? 'online',
        mode: d.mode ?? 'live',
        ip: d.ip === undefined ? '10.9.9.9' : d.ip,
        public_key: `key-${d.id}`,
        machine_id: `machine-${d.id}`,
        facts: d.facts ?? '{}',
        enrolled_at: d.enrolled ?? '2024-01-10T10:00:00.000Z',
        last_seen_at: d.lastSeen === undefined ? at : d.lastSeen,
      })
      .execute();
    for (const tag of d.tags ?? []) {
      await db.insertInto('device_tags').values({ device_id: d.id, account_id: d.account, tag }).execute();
    }
  }
  const group = (id: string, account: string, name: string, kind: string) => ({
    id,
    account_id: account,
    name,
    description: '',
    kind,
    rule: kind === 'dynamic' ? "hostname LIKE 'web%'" : null,
    created_at: at,
  });
  await db
    .insertInto('groups')
    .values([
      group('g-front', 'acct-a', 'frontend', 'static'),
      group('g-back', 'acct-a', 'backend', 'static'),
      group('g-dyn', 'acct-a', 'dyn-web', 'dynamic'),
      group('g-b-front', 'acct-b', 'frontend', 'static'),
      group('g-b-secret', 'acct-b', 'secret', 'static'),
    ])
    .execute();
  const member = (group_id: string, device_id: string, account_id: string) => ({
    group_id,
    device_id,
    account_id,
  });
  await db
    .insertInto('group_members')
    .values([
      member('g-front', 'a1', 'acct-a'),
      member('g-front', 'a2', 'acct-a'),
      member('g-back', 'a3', 'acct-a'),
      member('g-dyn', 'a6', 'acct-a'),
      member('g-b-front', 'b1', 'acct-b'),
      // An inconsistent row: a device of A listed in a group of B must not make it match.
      member('g-b-secret', 'a4', 'acct-b'),
    ])
    .execute();
}

/** Filters evaluated in account A and exactly the device ids each must match. */
const CASES: Array<[string, string[]]> = [
  ["os.platform = 'linux' AND tags CONTAINS 'prod'", ['a1', 'a3']],
  ["tags CONTAINS 'Prod'", ['a2']],
  ["hostname = 'WEB-1'", ['a1']],
  ["hostname != 'web-1'", ['a2', 'a3', 'a4', 'a5', 'a6']],
  ["os.name = 'Ubuntu'", ['a1', 'a6']],
  ["os.name LIKE 'ubu%'", ['a5']],
  ["hostname LIKE 'WEB-%'", ['a1', 'a2', 'a6']],
  ["hostname LIKE 'kiosk\\_%'", ['a5']],
  ["hostname LIKE 'kiosk\\_'", []],
  ['facts.cpu.cores >= 8', ['a1', 'a3']],
  ['facts.cpu.cores < 5', ['a2', 'a5']],
  ['facts.cpu.cores > 0', ['a1', 'a2', 'a3', 'a5']],
  ["facts.cpu.cores = '8'", ['a1']],
  ["facts.cpu.cores = 'many'", ['a6']],
  ['facts.ram_gb > 8', ['a1']],
  ['facts.ram_gb IN (4, 16)', ['a1', 'a2']],
  ['facts.temp < 0', ['a4']],
  ['facts.temp = -3.5', ['a4']],
  ["facts.env = 'prod'", ['a1', 'a3']],
  ["facts.env != 'prod'", ['a2', 'a6']],
  ["NOT facts.env = 'prod'", ['a2', 'a4', 'a5', 'a6']],
  ["facts.env NOT IN ('prod', 'dev')", ['a2']],
  ["facts.secure_boot = 'true'", ['a1']],
  ['facts.secure_boot = 1', []],
  ['facts.cpu = \'{"cores":8}\'', []],
  ["facts.note = 'it''s 100%'", ['a3']],
  ["facts.note LIKE '%100\\%'", ['a3']],
  ["facts.missing.deeper = 'x'", []],
  // GLOB's own wildcards in a LIKE pattern are literal characters; LIKE is case-sensitive.
  ["facts.glob LIKE 'a*[b]?'", ['a5']],
  ["facts.glob LIKE 'a%'", ['a5', 'a6']],
  ["facts.glob LIKE 'A%'", []],
  ["facts.glob NOT LIKE 'a_[%'", ['a6']],
  ["status IN ('online', 'lost')", ['a1', 'a2', 'a4', 'a5']],
  ["status NOT IN ('online')", ['a3', 'a4', 'a6']],
  ["ip NOT LIKE '10.%'", ['a4', 'a6']],
  ["ip LIKE '10.0.0._'", ['a1', 'a2', 'a5']],
  ['os.version >= 22', ['a1', 'a6']],
  ["os.version > '22'", ['a1', 'a3', 'a6']],
  // Text order is by code point on both engines: lower-case letters sort after 'Z'.
  ["os.name > 'Z'", ['a4', 'a5']],
  ["last_seen_at >= '2024-05-01'", ['a1', 'a4', 'a6']],
  ["last_seen_at > '2024-05-01T12:00:00+02:00'", ['a1', 'a4', 'a6']],
  ["last_seen_at > '2024-05-01T12:00:00Z'", ['a4']],
  ["enrolled_at < '2024-01-01'", ['a1', 'a5']],
  ["groups CONTAINS 'frontend'", ['a1', 'a2']],
  ["groups CONTAINS 'dyn-web'", []],
  ["groups CONTAINS 'secret'", []],
  ["NOT groups CONTAINS 'frontend' AND os.platform = 'linux'", ['a3', 'a5', 'a6']],
  ["hostname = 'db-1' OR hostname = 'web-1' AND status = 'offline'", ['a3']],
  ["(hostname = 'db-1' OR hostname = 'web-1') AND status = 'online'", ['a1']],
  ["mode = 'poll' AND NOT (status = 'online' OR status = 'lost')", ['a3']],
  [
    "agent_version = '1.2.0' AND os.kernel = '6.5.0' AND os.arch = 'x86_64'",
    ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'],
  ],
  // Injection attempts: the quote is part of the value, so nothing matches and nothing breaks.
  ["hostname = 'x'' OR 1=1 --'", []],
  ["facts.env = ''' OR ''1''=''1'", []],
  ["tags CONTAINS 'prod'') OR 1=1 --'", []],
  ["hostname LIKE '%'' OR 1=1 --'", []],
  ["status IN ('online'') OR (1=1', 'x')", []],
  ["groups CONTAINS 'frontend'' OR ''a''=''a'", []],
];

describe.each(engines)('device filters on %s', (kind) => {
  let store: Awaited<ReturnType<typeof freshStore>>;

  beforeAll(async () => {
    store = await freshStore(kind);
    await seed(store.db);
  });

  afterAll(async () => {
    await store?.dispose();
  });

  it.each(CASES)('%s', async (filter, expected) => {
    expect(await matchingDeviceIds(store.db, kind, 'acct-a', parseDeviceFilter(filter))).toEqual(expected);
  });

  it('never matches devices of another account', async () => {
    const ast = parseDeviceFilter("hostname = 'web-1'");
    expect(await matchingDeviceIds(store.db, kind, 'acct-a', ast)).toEqual(['a1']);
    expect(await matchingDeviceIds(store.db, kind, 'acct-b', ast)).toEqual(['b1']);
    expect(
      await matchingDeviceIds(store.db, kind, 'acct-b', parseDeviceFilter("groups CONTAINS 'frontend'")),
    ).toEqual(['b1']);
    expect(await matchingDeviceIds(store.db, kind, 'acct-a', ast, ['a1', 'b1'])).toEqual(['a1']);
  });

  it('compares an injection-looking literal as plain text', async () => {
    const ast = parseDeviceFilter("hostname = 'x'' OR 1=1 --'");
    expect(await matchingDeviceIds(store.db, kind, 'acct-b', ast)).toEqual(['b2']);
  });

  it('restricts to the given devices when asked', async () => {
    const ast = parseDeviceFilter("facts.env = 'prod'");
    expect(await matchingDeviceIds(store.db, kind, 'acct-a', ast, ['a2', 'a3', 'a1', 'a3'])).toEqual([
      'a1',
      'a3',
    ]);
    expect(await matchingDeviceIds(store.db, kind, 'acct-a', ast, [])).toEqual([]);
    expect(await matchingDeviceIds(store.db, kind, 'acct-a', ast, ['nope'])).toEqual([]);
  });

  it('restricts in chunks when many devices are asked about', async () => {
    const ids = [...Array.from({ length: 1200 }, (_, i) => `missing-${i}`), 'a3'];
    expect(
      await matchingDeviceIds(store.db, kind, 'acct-a', parseDeviceFilter("tags CONTAINS 'db'"), ids),
    ).toEqual(['a3']);
  });

  it('composes with other conditions in a Kysely query', async () => {
    const rows = await store.db
      .selectFrom('devices')
      .select('hostname')
      .where('account_id', '=', 'acct-a')
      .where(deviceFilterExpression(parseDeviceFilter("tags CONTAINS 'web'"), kind))
      .where('status', '=', 'online')
      .orderBy('hostname')
      .execute();
    expect(rows.map((r) => r.hostname)).toEqual(['Web-1', 'web-2']);
  });

  it('binds every literal as a parameter instead of writing it into the SQL', () => {
    const literals = ["x' OR 1=1 --", 'needle-one', 'needle-two', 'needle_3', 'needle-4'];
    const ast = parseDeviceFilter(
      "hostname = 'x'' OR 1=1 --' OR tags CONTAINS 'needle-one' OR groups CONTAINS 'needle-two' OR facts.k LIKE 'needle\\_3' OR status IN ('needle-4') OR facts.n > 12345",
    );
    const compiled = store.db
      .selectFrom('devices')
      .select('id')
      .where(deviceFilterExpression(ast, kind))
      .compile();
    for (const literal of literals) expect(compiled.sql).not.toContain(literal.slice(0, 8));
    expect(compiled.sql).not.toContain('12345');
    expect(compiled.parameters).toEqual(
      expect.arrayContaining(["x' OR 1=1 --", 'needle-one', 'needle-two', 12345]),
    );
  });
});

describe('device filters on sqlite with unreadable facts', () => {
  it('treats facts that are not JSON as having no facts', async () => {
    const store = await freshStore('sqlite');
    try {
      await seed(store.db);
      await store.db.updateTable('devices').set({ facts: 'not json {' }).where('id', '=', 'a1').execute();
      const ids = (f: string) => matchingDeviceIds(store.db, 'sqlite', 'acct-a', parseDeviceFilter(f));
      expect(await ids("facts.env = 'prod'")).toEqual(['a3']);
      expect(await ids("NOT facts.env = 'prod'")).toEqual(['a1', 'a2', 'a4', 'a5', 'a6']);
    } finally {
      await store.dispose();
    }
  });
});
