/**
 * The `vigil` CLI against real server processes on loopback: banner, setup, login with CA
 * pinning, devices, groups, API tokens, the audit log, roles, errors, restart and shutdown.
 */
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { REPO_ROOT, runCli } from './helpers/cli-process.js';
import { seedDevices } from './helpers/seed-devices.js';
import { type ServerProcess, startServerProcess, tempDir } from './helpers/server-process.js';

const STACK_LINE = /^\s+at /m;

function fingerprintOfFile(file: string): string {
  return `SHA256:${createHash('sha256')
    .update(new X509Certificate(readFileSync(file)).raw)
    .digest('hex')}`;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('vigil server', () => {
  let server: ServerProcess;
  const dataDir = tempDir();

  beforeAll(async () => {
    server = await startServerProcess({ dataDir });
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
  });

  it('prints the console URL with the real port, a one-time password and the CA fingerprint', () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    expect(server.adminEmail).toBe('admin@example.test');
    expect(server.adminPassword?.length).toBeGreaterThanOrEqual(12);
    expect(server.caFingerprint).toBe(fingerprintOfFile(join(dataDir, 'ca.crt')));
    expect(server.output().stdout).toContain(
      `vigil login --server ${server.url} --ca-fingerprint ${server.caFingerprint}`,
    );
  });

  it('keeps the CA over a restart, prints no password again, and exits 0 on SIGTERM', async () => {
    const first = await server.stop('SIGTERM');
    expect(first).toEqual({ code: 0, signal: null });
    expect(server.output().stderr).toContain('received SIGTERM, shutting down');

    server = await startServerProcess({ dataDir });
    expect(server.caFingerprint).toBe(fingerprintOfFile(join(dataDir, 'ca.crt')));
    expect(server.adminPassword).toBeUndefined();
    expect(server.output().stdout).not.toMatch(/password/i);
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('runs from the npm bin launcher without a build', async () => {
    const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(REPO_ROOT, 'packages/cli/bin/vigil.js'), '--help'],
        { cwd: REPO_ROOT },
        (error, stdout) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout }),
      );
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: vigil \[options\] \[command\]/);
  });

  it('lists every server option in --help', async () => {
    const r = await runCli(['server', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--data',
      '--listen',
      '--db',
      '--tls-cert',
      '--tls-key',
      '--log-level',
      '--admin-email',
      '--config',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('refuses a bad --listen with E_CONFIG and no stack trace', async () => {
    const r = await runCli(['server', '--data', tempDir(), '--listen', 'localhost', '--log-level', 'warn']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error E_CONFIG: --listen must be HOST:PORT/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).toBe('');
  });

  it('refuses a corrupt key file with E_CONFIG and no stack trace', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.crt'), 'not a certificate\n');
    writeFileSync(join(dir, 'ca.key'), 'not a key\n', { mode: 0o600 });
    const r = await runCli(['server', '--data', dir, '--listen', '127.0.0.1:0', '--log-level', 'warn']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error E_CONFIG: .*ca\.crt/);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});

describe('vigil setup', () => {
  let server: ServerProcess;
  const password = 'correct horse battery staple';

  beforeAll(async () => {
    server = await startServerProcess({ adminEmail: null });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('starts without a password in the banner when no admin e-mail is given', () => {
    expect(server.adminPassword).toBeUndefined();
  });

  it('checks the password length locally', async () => {
    const r = await runCli(
      [
        'setup',
        '--server',
        server.url,
        '--ca-fingerprint',
        server.caFingerprint,
        '--email',
        'root@example.test',
        '--password-stdin',
      ],
      { input: 'short\n' },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error E_VALIDATION: --password /);
  });

  it('refuses a wrong CA pin before sending anything', async () => {
    const wrong = `SHA256:${'ab'.repeat(32)}`;
    const r = await runCli(
      [
        'setup',
        '--server',
        server.url,
        '--ca-fingerprint',
        wrong,
        '--email',
        'root@example.test',
        '--password-stdin',
      ],
      { input: `${password}\n` },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error E_CA_MISMATCH: /);
  });

  it('creates the first admin with the password from stdin, then refuses a second setup', async () => {
    const args = [
      'setup',
      '--server',
      server.url,
      '--ca-fingerprint',
      server.caFingerprint,
      '--email',
      'root@example.test',
      '--password-stdin',
    ];
    const r = await runCli(args, { input: `${password}\n` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Created admin: root@example.test');
    expect(r.stdout).not.toContain(password);

    const again = await runCli(
      [...args.slice(0, -3), '--email', 'other@example.test', '--password-stdin', '--json'],
      { input: `${password}\n` },
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error E_SETUP_DONE: .*already has users/);
    expect(again.stdout).toBe('');

    const configDir = tempDir();
    const login = await runCli(
      [
        'login',
        '--server',
        server.url,
        '--ca-fingerprint',
        server.caFingerprint,
        '--email',
        'root@example.test',
        '--password-stdin',
      ],
      {
        input: `${password}\n`,
        env: { VIGIL_CONFIG_DIR: configDir },
      },
    );
    expect(login.code).toBe(0);
    const me = await runCli(['whoami', '--json'], { env: { VIGIL_CONFIG_DIR: configDir } });
    expect(JSON.parse(me.stdout).user).toMatchObject({ email: 'root@example.test', role: 'admin' });
  });
});

describe('vigil login, devices, groups, api-token and audit', () => {
  let server: ServerProcess;
  let ids: string[] = [];
  const configDir = join(tempDir(), 'config');
  const env = () => ({ VIGIL_CONFIG_DIR: configDir });
  const cli = (args: string[], input?: string) =>
    runCli(args, { env: env(), ...(input === undefined ? {} : { input }) });
  // Checks of state run in-process (same program and client, real server); actions whose exit
  // codes and output matter run as child processes through cli().
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await runCliInProcess([...args, '--json'], env());
    if (r.code !== 0) throw new Error(`vigil ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };

  beforeAll(async () => {
    server = await startServerProcess();
    ids = seedDevices(server.dataDir, [
      { hostname: 'web-1', ip: '10.0.0.11', tags: ['linux'] },
      { hostname: 'web-2', ip: '10.0.0.12', tags: ['linux'], status: 'offline' },
      { hostname: 'db-1', ip: '10.0.0.21', tags: ['linux', 'db'] },
    ]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe('login', () => {
    it('refuses a server whose CA is not pinned and shows its fingerprint', async () => {
      const r = await cli(
        ['login', '--server', server.url, '--email', 'admin@example.test', '--password-stdin'],
        `${server.adminPassword}\n`,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error E_CA_NOT_PINNED: /);
      expect(r.stderr).toContain(server.caFingerprint);
      expect(existsSync(configDir)).toBe(false);
    });

    it('refuses a CA that does not match the pin and stores nothing', async () => {
      const r = await cli(
        [
          'login',
          '--server',
          server.url,
          '--ca-fingerprint',
          `SHA256:${'0'.repeat(64)}`,
          '--email',
          'admin@example.test',
          '--password-stdin',
        ],
        `${server.adminPassword}\n`,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error E_CA_MISMATCH: /);
      expect(existsSync(join(configDir, 'config.json'))).toBe(false);
    });

    it('refuses a wrong password and stores nothing', async () => {
      const r = await cli(
        [
          'login',
          '--server',
          server.url,
          '--ca-fingerprint',
          server.caFingerprint,
          '--email',
          'admin@example.test',
          '--password-stdin',
        ],
        'wrong password\n',
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error E_BAD_CREDENTIALS: /);
      expect(existsSync(join(configDir, 'config.json'))).toBe(false);
    });

    it('stores server, CA and token in a 0600 file and never prints or stores the password', async () => {
      const password = server.adminPassword as string;
      const r = await cli(
        [
          'login',
          '--server',
          `${server.url}/`,
          '--ca-fingerprint',
          server.caFingerprint.toUpperCase().replace('SHA256:', 'sha256:'),
          '--email',
          'admin@example.test',
          '--password-stdin',
        ],
        `${password}\n`,
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const file = join(configDir, 'config.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(configDir).mode & 0o777).toBe(0o700);
      const text = readFileSync(file, 'utf8');
      const stored = JSON.parse(text) as Record<string, string>;
      expect(stored.server).toBe(server.url);
      expect(stored.ca_fingerprint).toBe(server.caFingerprint);
      expect(stored.token?.length).toBeGreaterThan(20);
      expect(text).not.toContain(password);
      expect(r.stdout + r.stderr).not.toContain(stored.token);
      expect(r.stdout + r.stderr).not.toContain(password);
      const me = await json<{ user: { email: string }; via: string }>(['whoami']);
      expect(me).toMatchObject({ user: { email: 'admin@example.test' }, via: 'token' });
    });
  });

  describe('devices', () => {
    it('lists devices as a table and as JSON', async () => {
      const table = await cli(['devices', 'list']);
      expect(table.code).toBe(0);
      const lines = table.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID\s+HOSTNAME\s+STATUS\s+OS\s+IP\s+LAST SEEN\s+COMPLIANCE\s+TAGS$/);
      expect(lines.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['db-1', 'web-1', 'web-2']);
      const page = await json<{ items: { id: string; hostname: string }[]; next_cursor: string | null }>([
        'devices',
        'list',
      ]);
      expect(page.items.map((d) => d.hostname)).toEqual(['db-1', 'web-1', 'web-2']);
      expect(page.next_cursor).toBeNull();
    });

    it('filters by status and tag, and follows cursors with --all', async () => {
      const offline = await json<{ items: { hostname: string }[] }>([
        'devices',
        'list',
        '--status',
        'offline',
      ]);
      expect(offline.items.map((d) => d.hostname)).toEqual(['web-2']);
      const db = await json<{ items: { hostname: string }[] }>(['devices', 'list', '--tag', 'db']);
      expect(db.items.map((d) => d.hostname)).toEqual(['db-1']);
      const onePage = await cli(['devices', 'list', '--limit', '1']);
      expect(onePage.stdout.trimEnd().split('\n')).toHaveLength(2);
      expect(onePage.stderr).toMatch(/More devices: add --all/);
      const all = await json<{ items: { hostname: string }[]; next_cursor: string | null }>([
        'devices',
        'list',
        '--limit',
        '1',
        '--all',
      ]);
      expect(all.items.map((d) => d.hostname)).toEqual(['db-1', 'web-1', 'web-2']);
      expect(all.next_cursor).toBeNull();
    });

    it('shows one device', async () => {
      const id = ids[0] as string;
      const human = await cli(['devices', 'show', id]);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/^ID:\s+\S+$/m);
      expect(human.stdout).toMatch(/^Hostname:\s+web-1$/m);
      expect(human.stdout).toMatch(/^IP:\s+10\.0\.0\.11$/m);
      const device = await json<{ id: string; hostname: string; tags: string[] }>(['devices', 'show', id]);
      expect(device).toMatchObject({ id, hostname: 'web-1', tags: ['linux'] });
    });

    it('tags and untags a device', async () => {
      const id = ids[1] as string;
      const tagged = await cli(['devices', 'tag', id, 'canary', 'eu-west']);
      expect(tagged.code).toBe(0);
      expect(tagged.stdout).toContain('canary, eu-west');
      expect((await json<{ tags: string[] }>(['devices', 'show', id])).tags.sort()).toEqual([
        'canary',
        'eu-west',
        'linux',
      ]);
      const untagged = await json<{ tags: string[] }>(['devices', 'untag', id, 'canary']);
      expect(untagged.tags.sort()).toEqual(['eu-west', 'linux']);
    });

    it('refuses bad tags and ids before sending, and reports unknown devices', async () => {
      const badTag = await cli(['devices', 'tag', ids[0] as string, 'Not A Tag']);
      expect(badTag.code).toBe(1);
      expect(badTag.stderr).toMatch(
        /^error E_VALIDATION: tag 'Not A Tag' is not valid: use lower-case letters/,
      );
      const badId = await cli(['devices', 'show', '../etc/passwd']);
      expect(badId.code).toBe(1);
      expect(badId.stderr).toMatch(/^error E_VALIDATION: device id/);
      const missing = await cli(['devices', 'show', 'dev_does_not_exist']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^error E_DEVICE_NOT_FOUND: /);
      const usage = await cli(['devices', 'list', '--colour']);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/^error E_USAGE: unknown option '--colour'/);
      const limit = await cli(['devices', 'list', '--limit', 'lots']);
      expect(limit.code).toBe(1);
      expect(limit.stderr).toMatch(/^error E_VALIDATION: --limit must be a whole number/);
    }, 120_000); // several CLI processes in a row: slow on a loaded machine
  });

  describe('groups', () => {
    it('creates a static group, adds, lists and removes members', async () => {
      const created = await json<{ name: string; kind: string; member_count: number }>([
        'groups',
        'create',
        'web-servers',
        '--description',
        'front ends',
      ]);
      expect(created).toMatchObject({ name: 'web-servers', kind: 'static', member_count: 0 });
      const added = await cli(['groups', 'add', 'web-servers', ids[0] as string, ids[1] as string]);
      expect(added.code).toBe(0);
      expect(added.stdout).toContain('now has 2 member(s)');
      const members = await cli(['groups', 'members', 'web-servers']);
      expect(members.stdout).toMatch(/^ID\s+HOSTNAME/);
      expect(members.stdout).toContain('web-1');
      expect(members.stdout).toContain('web-2');
      expect(members.stdout).not.toContain('db-1');
      const inGroup = await json<{ items: { hostname: string }[] }>([
        'devices',
        'list',
        '--group',
        'web-servers',
      ]);
      expect(inGroup.items.map((d) => d.hostname)).toEqual(['web-1', 'web-2']);
      await json(['groups', 'remove', 'web-servers', ids[1] as string]);
      const after = await json<{ items: { hostname: string }[] }>(['groups', 'members', 'web-servers']);
      expect(after.items.map((d) => d.hostname)).toEqual(['web-1']);
    });

    it('keeps a dynamic group in step with tags', async () => {
      const created = await json<{ kind: string; rule: string; member_count: number }>([
        'groups',
        'create',
        'production',
        '--rule',
        "tags CONTAINS 'prod'",
      ]);
      expect(created).toMatchObject({ kind: 'dynamic', rule: "tags CONTAINS 'prod'", member_count: 0 });
      await json(['devices', 'tag', ids[2] as string, 'prod']);
      const members = await json<{ items: { hostname: string }[] }>(['groups', 'members', 'production']);
      expect(members.items.map((d) => d.hostname)).toEqual(['db-1']);
      const preview = await json<{ items: { hostname: string }[] }>([
        'groups',
        'preview',
        "tags CONTAINS 'prod'",
      ]);
      expect(preview.items.map((d) => d.hostname)).toEqual(['db-1']);
      await json(['devices', 'untag', ids[2] as string, 'prod']);
      expect((await json<{ items: unknown[] }>(['groups', 'members', 'production'])).items).toEqual([]);
    });

    it('lists and deletes groups and explains bad input', async () => {
      const list = await cli(['groups', 'list']);
      expect(list.stdout).toMatch(/^NAME\s+KIND\s+MEMBERS\s+RULE/);
      expect(list.stdout).toMatch(/^production\s+dynamic\s+0\s+tags CONTAINS 'prod'/m);
      expect(list.stdout).toMatch(/^web-servers\s+static\s+1\s/m);
      const badRule = await cli(['groups', 'create', 'broken', '--rule', 'tags CONTAINS']);
      expect(badRule.code).toBe(1);
      expect(badRule.stderr).toMatch(/^error E_INVALID_FILTER: /);
      const badName = await cli(['groups', 'create', '-dash-first']);
      expect(badName.code).toBe(2);
      const badName2 = await cli(['groups', 'create', 'a/b']);
      expect(badName2.code).toBe(1);
      expect(badName2.stderr).toMatch(/^error E_VALIDATION: --name /);
      const dup = await cli(['groups', 'create', 'web-servers']);
      expect(dup.stderr).toMatch(/^error E_ALREADY_EXISTS: /);
      expect((await cli(['groups', 'delete', 'production'])).code).toBe(0);
      const gone = await cli(['groups', 'show', 'production']);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toMatch(/^error E_GROUP_NOT_FOUND: /);
    }, 120_000); // several CLI processes in a row: slow on a loaded machine
  });

  describe('api tokens and roles', () => {
    let viewer: { token: { id: string; name: string; role: string }; secret: string };
    const asViewer = (args: string[]) =>
      runCli(args, {
        env: {
          VIGIL_CONFIG_DIR: tempDir(),
          VIGIL_SERVER: server.url,
          VIGIL_TOKEN: viewer.secret,
          VIGIL_CA_FINGERPRINT: server.caFingerprint,
        },
      });

    it('creates a token and prints its secret once with a warning', async () => {
      const human = await cli([
        'api-token',
        'create',
        '--name',
        'nightly report',
        '--role',
        'viewer',
        '--expires-days',
        '7',
      ]);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/^Secret:\s+\S{20,}$/m);
      expect(human.stdout).toContain('it will not be shown again');
      viewer = await json(['api-token', 'create', '--name', 'ci-viewer', '--role', 'viewer']);
      expect(viewer.token).toMatchObject({ name: 'ci-viewer', role: 'viewer' });
      expect(viewer.secret.length).toBeGreaterThan(20);
    });

    it('lets a viewer token read but not create groups', async () => {
      const list = await asViewer(['devices', 'list', '--json']);
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout).items).toHaveLength(3);
      const create = await asViewer(['groups', 'create', 'not-allowed']);
      expect(create.code).toBe(1);
      expect(create.stderr).toMatch(/^error E_FORBIDDEN: /);
    });

    it('lists tokens without secrets and revokes one so it stops working', async () => {
      const list = await cli(['api-token', 'list']);
      expect(list.stdout).toMatch(/^ID\s+NAME\s+ROLE/);
      expect(list.stdout).toContain('ci-viewer');
      expect(list.stdout).not.toContain(viewer.secret);
      const revoked = await cli(['api-token', 'revoke', viewer.token.id]);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain(`Revoked API token ci-viewer (${viewer.token.id})`);
      const listed = await json<{ items: { id: string; revoked: boolean }[] }>(['api-token', 'list']);
      expect(listed.items.find((t) => t.id === viewer.token.id)?.revoked).toBe(true);
      const after = await asViewer(['devices', 'list']);
      expect(after.code).toBe(1);
      expect(after.stderr).toMatch(/^error E_UNAUTHENTICATED: /);
    });
  });

  describe('users', () => {
    it('creates a viewer whose own login gets a viewer token', async () => {
      const password = 'viewer password 123';
      const created = await cli(
        ['users', 'create', '--email', 'viewer@example.test', '--role', 'viewer', '--password-stdin'],
        `${password}\n`,
      );
      expect(created.stderr).toBe('');
      expect(created.stdout).toMatch(/^Created viewer viewer@example\.test \(\S+\)\.$/m);
      const users = await json<{ items: { email: string; role: string }[] }>(['users', 'list']);
      expect(users.items.map((u) => [u.email, u.role]).sort()).toEqual([
        ['admin@example.test', 'admin'],
        ['viewer@example.test', 'viewer'],
      ]);
      const viewerConfig = { VIGIL_CONFIG_DIR: tempDir() };
      const login = await runCli(
        [
          'login',
          '--server',
          server.url,
          '--ca-fingerprint',
          server.caFingerprint,
          '--email',
          'viewer@example.test',
          '--password-stdin',
        ],
        {
          env: viewerConfig,
          input: `${password}\n`,
        },
      );
      expect(login.code).toBe(0);
      const me = await runCliInProcess(['whoami', '--json'], viewerConfig);
      expect(JSON.parse(me.stdout).user).toMatchObject({ email: 'viewer@example.test', role: 'viewer' });
      const forbidden = await runCliInProcess(['users', 'list'], viewerConfig);
      expect(forbidden.code).toBe(1);
      expect(forbidden.stderr).toMatch(/^error E_FORBIDDEN: /);
    });
  });

  describe('audit', () => {
    it('shows the changes made through the CLI', async () => {
      const page = await json<{ items: { action: string; target: string | null; outcome: string }[] }>([
        'audit',
        '--limit',
        '200',
      ]);
      const actions = page.items.map((e) => e.action);
      for (const action of [
        'group.create',
        'group.add_members',
        'group.remove_members',
        'group.delete',
        'device.tag',
        'device.untag',
        'api_token.create',
        'api_token.revoke',
        'session.create',
      ]) {
        expect(actions).toContain(action);
      }
      const tagged = page.items.filter((e) => e.action === 'device.tag').map((e) => e.target);
      expect(tagged).toEqual([`device:${ids[2]}`, `device:${ids[1]}`]);
      const tags = await json<{ items: { action: string }[] }>(['audit', '--action', 'device.tag']);
      expect(tags.items.length).toBe(2);
      expect(new Set(tags.items.map((e) => e.action))).toEqual(new Set(['device.tag']));
      const human = await cli(['audit', '--action', 'group.create']);
      expect(human.stdout).toMatch(/^TIME\s+ACTOR\s+ACTION\s+TARGET\s+OUTCOME/);
      expect(human.stdout).toMatch(/admin@example\.test\s+group\.create\s+group:\S+\s+success/);
      const future = await json<{ items: unknown[] }>(['audit', '--since', '2999-01-01T00:00:00Z']);
      expect(future.items).toEqual([]);
      const bad = await cli(['audit', '--since', 'yesterday']);
      expect(bad.stderr).toMatch(/^error E_VALIDATION: --since /);
    });
  });

  describe('connection failures', () => {
    it('reports an unreachable server with E_UNREACHABLE', async () => {
      const r = await runCli(['devices', 'list'], {
        env: {
          VIGIL_CONFIG_DIR: tempDir(),
          VIGIL_SERVER: `https://127.0.0.1:${await closedPort()}`,
          VIGIL_TOKEN: 'vgt_x',
        },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^error E_UNREACHABLE: cannot reach the Vigil server at https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
      );
    });

    it('refuses a server certificate it cannot verify with E_TLS', async () => {
      const r = await runCli(['devices', 'list'], {
        env: { VIGIL_CONFIG_DIR: tempDir(), VIGIL_SERVER: server.url, VIGIL_TOKEN: 'vgt_x' },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error E_TLS: refusing to talk to https:\/\/127\.0\.0\.1:\d+: /);
    });

    it('says how to log in when nothing is configured', async () => {
      const r = await runCli(['devices', 'list'], { env: { VIGIL_CONFIG_DIR: tempDir() } });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error E_CONFIG: no server configured: run vigil login/);
    });
  });
});
