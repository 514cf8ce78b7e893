/**
 * software.deploy from the server's software library, end to end: a real server, a real
 * `vigil agent` process, the real CLI for two admins, and a tiny .deb built here with dpkg-deb.
 *
 * - `vigil software upload` stores the package; `vigil actions run software.deploy --param
 *   package=ID` waits for the second admin; once approved, the agent fetches the file from the
 *   server with a request signed by its key, checks its SHA-256, installs it, and dpkg-query
 *   shows it installed.
 * - A stored file whose bytes were changed on the server's disk is refused by the agent's SHA-256
 *   check (E_ACTION_INTEGRITY) and nothing is installed.
 *
 * Installing packages needs root and apt/dpkg; elsewhere the test is skipped and says so.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDeb,
  dpkgVersion,
  purgePackages,
  sha256File,
} from '../packages/agent/src/actions/linux/test-support/deb-repo.js';
import { startTestServer, type TestServer } from '../packages/server/src/test-support/test-app.js';
import { type AgentProcess, enrollAgent, startAgentProcess, waitFor } from './helpers/agent-process.js';
import { runCliInProcess } from './helpers/cli-in-process.js';

function hasProgram(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const SKIP =
  process.getuid?.() !== 0
    ? 'installing packages needs root'
    : !hasProgram('apt-get') || !hasProgram('dpkg-deb') || !hasProgram('dpkg-query')
      ? 'apt-get, dpkg-deb and dpkg-query are needed (a Debian-family host)'
      : undefined;
if (SKIP) console.warn(`software.deploy e2e SKIPPED: ${SKIP}`);

const tag = `e${process.pid}`;
const GOOD = `vigil-deploy-${tag}`;
const TAMPERED = `vigil-tampered-${tag}`;

describe.skipIf(SKIP !== undefined)('software.deploy of an uploaded package on a real agent', () => {
  let s: TestServer;
  let agent: AgentProcess;
  let deviceId = '';
  let secondAdmin = '';
  const work = mkdtempSync(join(tmpdir(), 'vigil-deploy-e2e-'));
  const cli = (token: string) => ({
    VIGIL_SERVER: s.url,
    VIGIL_TOKEN: token,
    VIGIL_CA_FINGERPRINT: s.vigil.services.keys.caFingerprint,
    VIGIL_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'vigil-cli-')),
  });
  const run = async (id: string) =>
    (await s.call('GET', `/api/v1/actions/${id}`, { token: s.adminToken })).body;

  /** Upload with the CLI; returns the package id. */
  async function upload(file: string): Promise<string> {
    const r = await runCliInProcess(['software', 'upload', file], cli(s.adminToken));
    expect(r.code, r.stderr).toBe(0);
    const id = /id (\S+), sha256/.exec(r.stdout)?.[1];
    expect(id, r.stdout).toBeTruthy();
    return id as string;
  }

  /** Request software.deploy of a library package with the CLI, approve it as the second admin, wait for the end. */
  async function deploy(packageId: string): Promise<any> {
    const req = await runCliInProcess(
      [
        'actions',
        'run',
        'software.deploy',
        '--param',
        `package=${packageId}`,
        '--target',
        `device:${deviceId}`,
        '--reason',
        'e2e deploy',
      ],
      cli(s.adminToken),
    );
    expect(req.code, req.stderr).toBe(0);
    expect(req.stdout).toContain("waits for a second admin's approval");
    const runId = /Run (\S+):/.exec(req.stdout)?.[1] as string;
    const ok = await runCliInProcess(['actions', 'approve', runId], cli(secondAdmin));
    expect(ok.code, ok.stderr).toBe(0);
    const ended = await waitFor(async () => (await run(runId)).status === 'completed', 240_000, 250);
    const done = await run(runId);
    expect(ended, `${JSON.stringify(done)}\n${agent.log()}`).toBe(true);
    return done;
  }

  beforeAll(async () => {
    purgePackages([GOOD, TAMPERED]);
    s = await startTestServer('sqlite', {
      heartbeat: 2,
      poll: 2,
      actions: { sweepMs: 250, resumeGraceMs: 0 },
    });
    const token = (await s.call('POST', '/api/v1/enrollment-tokens', { token: s.adminToken, body: {} })).body
      .token as string;
    const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-'));
    const env = { VIGIL_AGENT_MACHINE_ID: `m-${tag}`, VIGIL_AGENT_HOSTNAME: `deploy-${tag}` };
    const enrolled = await enrollAgent(s.url, token, s.vigil.services.keys.caFingerprint, dir, env);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    deviceId = JSON.parse(readFileSync(join(dir, 'agent.json'), 'utf8')).agent_id;
    agent = startAgentProcess(dir, env);
    const online = await waitFor(async () => {
      const list = (await s.call('GET', '/api/v1/devices?status=online', { token: s.adminToken })).body.items;
      return list.some((d: any) => d.id === deviceId);
    }, 30_000);
    expect(online, agent.log()).toBe(true);
    secondAdmin = await s.tokenFor('admin', 'second-admin@example.test');
  }, 120_000);

  afterAll(async () => {
    await agent?.stop('SIGKILL');
    await s?.stop();
    try {
      purgePackages([GOOD, TAMPERED]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 240_000);

  it('uploads a .deb, deploys it by package id after approval, and the agent installs it', async () => {
    const deb = buildDeb(work, { name: GOOD, version: '1.0' });
    const sha = sha256File(deb);
    const id = await upload(deb);
    const again = await runCliInProcess(['software', 'upload', deb], cli(s.adminToken));
    expect(again.stdout).toContain(`Already in the library: ${GOOD} 1.0 (all), id ${id}, sha256 ${sha}`);
    const shown = await runCliInProcess(['software', 'show', sha], cli(s.adminToken));
    expect(shown.stdout).toContain(`${GOOD}_1.0_all.deb`);
    const listed = await runCliInProcess(['software', 'list'], cli(s.adminToken));
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+${GOOD}\\s+1\\.0\\s+all\\s+deb`));
    expect(dpkgVersion(GOOD)).toBeNull();

    const done = await deploy(id);
    expect(done.params).toEqual({
      url: `/agent/v1/software/${sha}`,
      sha256: sha,
      filename: `${GOOD}_1.0_all.deb`,
    });
    const device = done.devices[0];
    expect(device.status, JSON.stringify(device)).toBe('succeeded');
    expect(device.result).toMatchObject({
      changed: true,
      details: {
        name: GOOD,
        version: '1.0',
        sha256: sha,
        url: `${s.url}/agent/v1/software/${sha}`,
        installed: [{ name: GOOD, version: '1.0' }],
      },
    });
    expect(dpkgVersion(GOOD)).toBe('1.0');

    // The server's audit names the agent that fetched the file.
    const fetched = (
      await s.call('GET', `/api/v1/audit?action=software.download&target=software:${id}`, {
        token: s.adminToken,
      })
    ).body.items;
    expect(fetched).toEqual([expect.objectContaining({ actor: `agent:${deviceId}`, outcome: 'success' })]);
  }, 300_000);

  it('refuses a stored file whose bytes were changed on the server: SHA-256 mismatch, nothing installed', async () => {
    const deb = buildDeb(work, { name: TAMPERED, version: '1.0' });
    const sha = sha256File(deb);
    const id = await upload(deb);
    // Someone with access to the server's disk swaps bytes inside the package.
    const stored = join(s.dataDir, 'software', sha);
    const bytes = readFileSync(stored);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0xff;
    writeFileSync(stored, bytes);

    const done = await deploy(id);
    const device = done.devices[0];
    expect(device.status, JSON.stringify(device)).toBe('failed');
    expect(device.result.error).toMatchObject({ code: 'E_ACTION_INTEGRITY' });
    expect(device.result.error.message).toMatch(/nothing was installed/);
    expect(device.result.details).toMatchObject({ expected_sha256: sha });
    expect(device.result.details.actual_sha256).not.toBe(sha);
    expect(dpkgVersion(TAMPERED)).toBeNull();

    const del = await runCliInProcess(['software', 'delete', id], cli(s.adminToken));
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toContain(`Deleted ${TAMPERED} 1.0`);
  }, 300_000);

  it.skipIf(hasProgram('rpm'))(
    'takes an .rpm’s name, version and arch from the CLI where the server cannot read it',
    async () => {
      const rpm = join(work, 'tool.rpm');
      writeFileSync(rpm, Buffer.concat([Buffer.from([0xed, 0xab, 0xee, 0xdb, 3, 0]), Buffer.alloc(4096, 1)]));
      const missing = await runCliInProcess(['software', 'upload', rpm], cli(s.adminToken));
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^error E_SOFTWARE_METADATA: .*--package-version/);
      const r = await runCliInProcess(
        [
          'software',
          'upload',
          rpm,
          '--name',
          'tool',
          '--package-version',
          '1.2-3',
          '--arch',
          'x86_64',
          '--json',
        ],
        cli(s.adminToken),
      );
      expect(r.code, r.stderr).toBe(0);
      const p = JSON.parse(r.stdout);
      expect(p).toMatchObject({
        kind: 'rpm',
        name: 'tool',
        version: '1.2-3',
        filename: 'tool-1.2-3.x86_64.rpm',
      });
      expect((await runCliInProcess(['software', 'delete', p.id], cli(s.adminToken))).code).toBe(0);
    },
  );
});
