/**
 * The package actions for real with apt and dpkg: tiny packages built here with dpkg-deb,
 * served by local `file:` apt repositories (through APT_CONFIG, so the host's sources are never
 * used and no network is needed) and by a loopback HTTP/HTTPS server for software.deploy.
 * dpkg's database is the host's: every install and removal below really happens, and is checked
 * with dpkg-query independently of what the action reports.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateServerKeys } from '@vigil/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProgram } from '../../tables/collectors/command-runner.js';
import { createCommandRunner } from '../run-command.js';
import type { ActionContext, ActionImpls, ActionOutcome, CommandRunner } from '../types.js';
import { parseAptSimulation } from './package-manager.js';
import { createLinuxPackageActions } from './packages.js';
import {
  buildDeb,
  createFlatRepo,
  dpkgVersion,
  installDebFiles,
  purgePackages,
  sha256File,
  writeAptConfig,
} from './test-support/deb-repo.js';

const skipReason =
  process.getuid?.() !== 0
    ? 'installing packages needs root'
    : !findProgram('apt-get') || !findProgram('dpkg-deb')
      ? 'apt-get and dpkg-deb are not installed (not a Debian-family host)'
      : undefined;
if (skipReason) console.warn(`package action tests skipped: ${skipReason}`);

const tag = `t${process.pid}`;
const PKG_A = `vigil-test-${tag}-a`;
const PKG_B = `vigil-test-${tag}-b`;
const PKG_C = `vigil-test-${tag}-c`;
const ALL = [PKG_B, PKG_A, PKG_C];

let work: string;
let aptConfig: string;
let debs: Record<string, string>;
let downloadRoot: string;
let actions: ActionImpls;
let httpServer: Server;
let httpsServer: Server;
let httpBase: string;
let httpsBase: string;
let caPem: string;

/** The real runner, with APT_CONFIG pointing apt at the test repositories. */
function aptRunner(signal: AbortSignal): CommandRunner {
  const real = createCommandRunner({ signal });
  return (program, args, options = {}) =>
    real(program, args, { ...options, env: { ...options.env, APT_CONFIG: aptConfig } });
}

function ctx(overrides: Partial<ActionContext> = {}): ActionContext {
  const signal = AbortSignal.timeout(240_000);
  return {
    dryRun: false,
    signal,
    run: aptRunner(signal),
    serverAddresses: ['127.0.0.1'],
    agentPid: process.pid,
    protectedPaths: [],
    quarantineDir: '/nonexistent-quarantine',
    root: '/',
    log: () => {},
    ...overrides,
  };
}

async function act(name: string, params: Record<string, unknown>, overrides?: Partial<ActionContext>) {
  const impl = actions[name];
  if (!impl) throw new Error(`no implementation for ${name}`);
  return impl(params, ctx(overrides));
}

function expectFailure(outcome: ActionOutcome, code: string, pattern: RegExp) {
  expect(outcome.ok).toBe(false);
  expect(outcome.changed).toBe(false);
  expect(outcome.error?.code).toBe(code);
  expect(outcome.error?.message).toMatch(pattern);
}

function serveFiles(files: Record<string, string>) {
  return (req: { url?: string }, res: import('node:http').ServerResponse) => {
    const file = files[(req.url ?? '').split('?')[0] ?? ''];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.debian.binary-package' }).end(readFileSync(file));
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

describe.skipIf(skipReason !== undefined)(
  `Linux package actions with apt and dpkg${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  { timeout: 240_000 },
  () => {
    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'vigil-pkg-test-'));
      downloadRoot = mkdtempSync(join(tmpdir(), 'vigil-pkg-downloads-'));
      const build = join(work, 'build');
      debs = {
        a1: buildDeb(build, { name: PKG_A, version: '1.0' }),
        a2: buildDeb(build, { name: PKG_A, version: '2.0' }),
        b1: buildDeb(build, { name: PKG_B, version: '1.0', depends: PKG_A }),
        c1: buildDeb(build, { name: PKG_C, version: '1.0' }),
        c2: buildDeb(build, { name: PKG_C, version: '2.0' }),
      };
      // "main" holds the first versions; "security" holds A 2.0; "updates" holds C 2.0.
      const main = createFlatRepo(join(work, 'repo-main'), 'stable', [debs.a1, debs.b1, debs.c1] as string[]);
      const security = createFlatRepo(join(work, 'repo-security'), 'stable-security', [debs.a2 as string]);
      const updates = createFlatRepo(join(work, 'repo-updates'), 'stable-updates', [debs.c2 as string]);
      aptConfig = writeAptConfig(join(work, 'apt'), [main, security, updates]);
      execFileSync('apt-get', ['-q', 'update'], {
        env: { ...process.env, APT_CONFIG: aptConfig },
        timeout: 120_000,
        stdio: 'pipe',
      });
      purgePackages(ALL);

      const keys = await loadOrCreateServerKeys(join(work, 'server-keys'), {
        hosts: ['127.0.0.1', 'localhost'],
      });
      caPem = keys.ca.certPem;
      actions = createLinuxPackageActions({ serverCaPem: () => caPem, downloadRoot });
      const files = {
        '/a1.deb': debs.a1 as string,
        '/c1.deb': debs.c1 as string,
        '/not-a-package.deb': aptConfig,
      };
      httpServer = createHttpServer(serveFiles(files));
      httpsServer = createHttpsServer({ cert: keys.tls.certPem, key: keys.tls.keyPem }, serveFiles(files));
      httpBase = `http://127.0.0.1:${await listen(httpServer)}`;
      httpsBase = `https://127.0.0.1:${await listen(httpsServer)}`;
    }, 240_000);

    afterAll(() => {
      httpServer?.close();
      httpsServer?.close();
      try {
        purgePackages(ALL);
      } finally {
        if (work) rmSync(work, { recursive: true, force: true });
        if (downloadRoot) rmSync(downloadRoot, { recursive: true, force: true });
      }
    }, 240_000);

    it('package.install installs by name from the repositories; package.uninstall removes it', async () => {
      const dry = await act('package.install', { packages: [PKG_A] }, { dryRun: true });
      expect(dry).toMatchObject({ ok: true, changed: false, details: { manager: 'apt' } });
      expect(dry.details.planned).toEqual([
        expect.objectContaining({ action: 'install', name: PKG_A, from: null, to: '2.0' }),
      ]);
      expect(dpkgVersion(PKG_A)).toBeNull();

      const installed = await act('package.install', { packages: [PKG_A] });
      expect(installed).toMatchObject({
        ok: true,
        changed: true,
        details: { manager: 'apt', installed: [{ name: PKG_A, version: '2.0' }], upgraded: [] },
        undo: { action: 'package.uninstall', params: { packages: [PKG_A] } },
      });
      expect(installed.details.changes).toEqual([{ name: PKG_A, from: null, to: '2.0' }]);
      expect(typeof installed.details.reboot_required).toBe('boolean');
      expect(dpkgVersion(PKG_A)).toBe('2.0');
      expect(readFileSync(`/usr/share/${PKG_A}/version`, 'utf8')).toBe('2.0\n');

      const again = await act('package.install', { packages: [PKG_A] });
      expect(again).toMatchObject({ ok: true, changed: false });

      const dryRemove = await act('package.uninstall', { packages: [PKG_A] }, { dryRun: true });
      expect(dryRemove).toMatchObject({ ok: true, changed: false });
      expect(dpkgVersion(PKG_A)).toBe('2.0');

      const removed = await act('package.uninstall', { packages: [PKG_A, 'vigil-no-such-package'] });
      expect(removed).toMatchObject({
        ok: true,
        changed: true,
        details: { removed: [{ name: PKG_A, version: '2.0' }], not_installed: ['vigil-no-such-package'] },
        undo: { action: 'package.install', params: { packages: [PKG_A] } },
      });
      expect(dpkgVersion(PKG_A)).toBeNull();
      expect(await act('package.uninstall', { packages: [PKG_A] })).toMatchObject({
        ok: true,
        changed: false,
      });
    });

    it('refuses bad names, essential packages, the agent and removals that take other packages along', async () => {
      expectFailure(
        await act('package.install', { packages: ['-oAPT::Foo=1'] }),
        'E_ACTION_REFUSED',
        /package name/,
      );
      expectFailure(
        await act('package.install', { packages: ['../x.deb'] }),
        'E_ACTION_REFUSED',
        /package name/,
      );
      expectFailure(await act('package.install', { packages: [] }), 'E_ACTION_REFUSED', /at least one/);
      expectFailure(
        await act('package.install', { packages: ['vigil-no-such-package'] }),
        'E_ACTION_TARGET_NOT_FOUND',
        /no installable package vigil-no-such-package/,
      );
      expectFailure(await act('package.uninstall', { packages: ['bash'] }), 'E_ACTION_REFUSED', /essential/);
      expectFailure(
        await act('package.uninstall', { packages: ['vigil-agent'] }),
        'E_ACTION_REFUSED',
        /Vigil agent/,
      );
      expect(dpkgVersion('bash')).not.toBeNull();

      const withDependency = await act('package.install', { packages: [PKG_B] });
      expect(withDependency).toMatchObject({ ok: true, changed: true });
      expect((withDependency.details.installed as { name: string }[]).map((p) => p.name).sort()).toEqual(
        [PKG_A, PKG_B].sort(),
      );
      const collateral = await act('package.uninstall', { packages: [PKG_A] });
      expectFailure(collateral, 'E_ACTION_REFUSED', new RegExp(`would also remove or install ${PKG_B}`));
      expect(dpkgVersion(PKG_A)).toBe('2.0');
      expect(dpkgVersion(PKG_B)).toBe('1.0');
      expect(await act('package.uninstall', { packages: [PKG_B, PKG_A], purge: true })).toMatchObject({
        ok: true,
        changed: true,
      });
      expect(dpkgVersion(PKG_A)).toBeNull();
      expect(dpkgVersion(PKG_B)).toBeNull();
    });

    it('patch.apply simulates, then applies security-only and then all updates', async () => {
      installDebFiles([debs.a1 as string, debs.c1 as string]);
      expect([dpkgVersion(PKG_A), dpkgVersion(PKG_C)]).toEqual(['1.0', '1.0']);

      const dryAll = await act('patch.apply', {}, { dryRun: true });
      expect(dryAll).toMatchObject({
        ok: true,
        changed: false,
        details: { manager: 'apt', security_only: false },
      });
      const upgrades = (dryAll.details.planned as { name: string; from: string; to: string }[]).map(
        (p) => `${p.name} ${p.from}->${p.to}`,
      );
      expect(upgrades.sort()).toEqual([`${PKG_A} 1.0->2.0`, `${PKG_C} 1.0->2.0`].sort());

      const drySecurity = await act('patch.apply', { security_only: true }, { dryRun: true });
      expect(drySecurity.details.planned).toEqual([
        expect.objectContaining({
          action: 'upgrade',
          name: PKG_A,
          from: '1.0',
          to: '2.0',
          origin: expect.stringMatching(/security/),
        }),
      ]);
      expect([dpkgVersion(PKG_A), dpkgVersion(PKG_C)]).toEqual(['1.0', '1.0']);

      const security = await act('patch.apply', { security_only: true });
      expect(security).toMatchObject({
        ok: true,
        changed: true,
        details: { upgraded: [{ name: PKG_A, from: '1.0', to: '2.0' }], installed: [], rebooting: false },
      });
      expect(security.details.reboot_required).toBe(
        existsSync('/run/reboot-required') || existsSync('/var/run/reboot-required'),
      );
      expect([dpkgVersion(PKG_A), dpkgVersion(PKG_C)]).toEqual(['2.0', '1.0']);

      const onlyC = await act('patch.apply', { packages: [PKG_C] }, { dryRun: true });
      expect(onlyC.details.planned).toEqual([
        expect.objectContaining({ action: 'upgrade', name: PKG_C, to: '2.0' }),
      ]);

      const all = await act('patch.apply', {});
      expect(all).toMatchObject({
        ok: true,
        changed: true,
        details: { upgraded: [{ name: PKG_C, from: '1.0', to: '2.0' }] },
      });
      expect(dpkgVersion(PKG_C)).toBe('2.0');

      expect(await act('patch.apply', {})).toMatchObject({
        ok: true,
        changed: false,
        summary: 'no updates to apply',
      });
      purgePackages([PKG_A, PKG_C]);
    });

    it("patch.apply's dry run against the host's own sources lists what apt would upgrade and changes nothing", async () => {
      const hostCtx = { run: createCommandRunner({ signal: AbortSignal.timeout(120_000) }) };
      const planned = await act('patch.apply', {}, { ...hostCtx, dryRun: true });
      expect(planned).toMatchObject({ ok: true, changed: false });
      // apt's own list of upgradable packages, through another command, must hold every planned upgrade.
      const listed = execFileSync('apt', ['list', '--upgradable'], {
        encoding: 'utf8',
        timeout: 120_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const upgradable = new Map(
        [...listed.matchAll(/^([^/\s]+)\/\S+ (\S+) /gm)].map((m) => [m[1] as string, m[2] as string]),
      );
      const upgrades = (planned.details.planned as { action: string; name: string; to: string }[]).filter(
        (p) => p.action === 'upgrade',
      );
      for (const p of upgrades) expect(upgradable.get(p.name.split(':')[0] as string)).toBe(p.to);
      // Whatever apt lists as upgradable (and does not hold back) is in the plan.
      if (upgradable.size > 0) expect(upgrades.length).toBeGreaterThan(0);
      // Nothing was upgraded: each planned package is still at its old version (other packages may
      // change meanwhile on a shared machine, so the whole database is not compared).
      for (const p of upgrades.slice(0, 20)) {
        const installed = dpkgVersion(p.name.split(':')[0] as string);
        expect(installed).not.toBe(p.to);
      }
    }, 240_000);

    it('software.deploy downloads over loopback http, verifies the SHA-256 and installs', async () => {
      const params = {
        url: `${httpBase}/a1.deb?token=secret`,
        sha256: sha256File(debs.a1 as string),
        filename: `${PKG_A}_1.0_all.deb`,
      };
      const dry = await act('software.deploy', params, { dryRun: true });
      expect(dry).toMatchObject({ ok: true, changed: false, details: { name: PKG_A, version: '1.0' } });
      expect(dpkgVersion(PKG_A)).toBeNull();

      const deployed = await act('software.deploy', params);
      expect(deployed).toMatchObject({
        ok: true,
        changed: true,
        details: {
          name: PKG_A,
          version: '1.0',
          manager: 'apt',
          url: `${httpBase}/a1.deb`,
          installed: [{ name: PKG_A, version: '1.0' }],
        },
        undo: { action: 'package.uninstall', params: { packages: [PKG_A] } },
      });
      expect(JSON.stringify(deployed)).not.toContain('secret');
      expect(dpkgVersion(PKG_A)).toBe('1.0');
      expect(readdirSync(downloadRoot)).toEqual([]);
      purgePackages([PKG_A]);
    });

    it('software.deploy over https verifies the server certificate against the pinned CA', async () => {
      const params = {
        url: `${httpsBase}/c1.deb`,
        sha256: sha256File(debs.c1 as string),
        filename: `${PKG_C}_1.0_all.deb`,
      };
      const deployed = await act('software.deploy', params);
      expect(deployed).toMatchObject({ ok: true, changed: true, details: { name: PKG_C, version: '1.0' } });
      expect(dpkgVersion(PKG_C)).toBe('1.0');
      purgePackages([PKG_C]);

      const otherCa = (await loadOrCreateServerKeys(join(work, 'other-keys'), { hosts: ['127.0.0.1'] })).ca
        .certPem;
      const untrusted = await createLinuxPackageActions({ serverCaPem: () => otherCa, downloadRoot })[
        'software.deploy'
      ]?.(params, ctx());
      expectFailure(untrusted as ActionOutcome, 'E_ACTION_DOWNLOAD', /could not download/);
      expect(dpkgVersion(PKG_C)).toBeNull();
      expect(readdirSync(downloadRoot)).toEqual([]);
    });

    it('software.deploy refuses a wrong SHA-256, a non-package and unsafe URLs, and installs nothing', async () => {
      const wrong = await act('software.deploy', {
        url: `${httpBase}/a1.deb`,
        sha256: sha256File(debs.c1 as string),
        filename: `${PKG_A}_1.0_all.deb`,
      });
      expectFailure(
        wrong,
        'E_ACTION_INTEGRITY',
        /has SHA-256 [0-9a-f]{64}, not the [0-9a-f]{64}.*deleted and nothing was installed/,
      );
      expect(wrong.details).toMatchObject({
        expected_sha256: sha256File(debs.c1 as string),
        actual_sha256: sha256File(debs.a1 as string),
      });
      expect(dpkgVersion(PKG_A)).toBeNull();
      expect(readdirSync(downloadRoot)).toEqual([]);

      const notPackage = await act('software.deploy', {
        url: `${httpBase}/not-a-package.deb`,
        sha256: sha256File(aptConfig),
        filename: 'x.deb',
      });
      expectFailure(notPackage, 'E_ACTION_COMMAND_FAILED', /not a valid \.deb/);
      expectFailure(
        await act('software.deploy', {
          url: `${httpBase}/missing.deb`,
          sha256: 'a'.repeat(64),
          filename: 'x.deb',
        }),
        'E_ACTION_DOWNLOAD',
        /HTTP 404/,
      );
      const sha256 = 'a'.repeat(64);
      const refusals: [Record<string, unknown>, RegExp][] = [
        [{ url: 'http://192.0.2.1/x.deb', sha256, filename: 'x.deb' }, /only allowed to loopback/],
        [{ url: 'ftp://127.0.0.1/x.deb', sha256, filename: 'x.deb' }, /must be https/],
        [{ url: 'http://user:pw@127.0.0.1/x.deb', sha256, filename: 'x.deb' }, /user name or password/],
        [{ url: `${httpBase}/a1.deb`, sha256: 'xyz', filename: 'x.deb' }, /64 hexadecimal/],
        [{ url: `${httpBase}/a1.deb`, sha256, filename: '../x.deb' }, /plain \.deb or \.rpm/],
        [{ url: `${httpBase}/a1.deb`, sha256, filename: 'x.rpm' }, /installs \.deb files/],
      ];
      for (const [params, pattern] of refusals)
        expectFailure(await act('software.deploy', params), 'E_ACTION_REFUSED', pattern);
      const noCa = await createLinuxPackageActions({ downloadRoot })['software.deploy']?.(
        { url: `${httpsBase}/c1.deb`, sha256, filename: 'x.deb' },
        ctx(),
      );
      expectFailure(noCa as ActionOutcome, 'E_ACTION_REFUSED', /no pinned server CA/);
      expect(readdirSync(downloadRoot)).toEqual([]);
    });
  },
);

describe('apt simulation parsing', () => {
  it('reads installs, upgrades with their origin, and removals', () => {
    const text = [
      'Inst libc6 [2.36-9+deb12u4] (2.36-9+deb12u7 Debian-Security:12/stable-security [amd64]) []',
      'Inst newpkg (1.2 Debian:12.5/stable [all])',
      'Inst local (1.0 local-deb [all])',
      'Conf libc6 (2.36-9+deb12u7 Debian-Security:12/stable-security [amd64])',
      'Remv oldpkg [0.9]',
      'Purg other:amd64 [3]',
    ].join('\n');
    expect(parseAptSimulation(text)).toEqual([
      {
        action: 'upgrade',
        name: 'libc6',
        from: '2.36-9+deb12u4',
        to: '2.36-9+deb12u7',
        origin: 'Debian-Security:12/stable-security',
      },
      { action: 'install', name: 'newpkg', from: null, to: '1.2', origin: 'Debian:12.5/stable' },
      { action: 'install', name: 'local', from: null, to: '1.0', origin: 'local-deb' },
      { action: 'remove', name: 'oldpkg', from: '0.9', to: null, origin: null },
      { action: 'remove', name: 'other:amd64', from: '3', to: null, origin: null },
    ]);
  });
});
