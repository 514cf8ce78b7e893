/**
 * Live queries and detection checks with two real agent processes, each reading its own
 * filesystem root (one host with sshd, one without): different rule sets from different
 * fingerprints, a group override that re-pushes and flips an outcome, an instant scan with a
 * compliance score, and a live query streamed into the CLI where one agent times out while the
 * other's rows arrive.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../packages/server/src/test-support/test-app.js';
import { type AgentProcess, enrollAgent, startAgentProcess, waitFor } from './helpers/agent-process.js';
import { runCli } from './helpers/cli-process.js';

function fixtureRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'vigil-root-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const common = {
  'etc/os-release': 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n',
  'proc/uptime': '864000.00 100.00\n',
  'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n',
};

describe('queries and checks across two agents', () => {
  let s: TestServer;
  const agents: AgentProcess[] = [];
  const ids: Record<string, string> = {};
  const starts: Record<string, () => AgentProcess> = {};
  const cliEnvFor = () => ({
    VIGIL_SERVER: s.url,
    VIGIL_TOKEN: s.adminToken,
    VIGIL_CA_FINGERPRINT: s.vigil.services.keys.caFingerprint,
    VIGIL_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'vigil-cli-')),
  });

  beforeAll(async () => {
    s = await startTestServer('sqlite', { heartbeat: 2, poll: 2 });
    const token = (
      await s.call('POST', '/api/v1/enrollment-tokens', { token: s.adminToken, body: { tags: ['lab'] } })
    ).body.token;
    const roots = {
      'with-sshd': fixtureRoot({
        ...common,
        'usr/sbin/sshd': '#!/bin/false\n',
        'etc/ssh/sshd_config': 'PermitRootLogin yes\n',
        'slow-marker': 'x',
      }),
      'without-sshd': fixtureRoot(common),
    };
    for (const [name, root] of Object.entries(roots)) {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-'));
      const env = { VIGIL_AGENT_MACHINE_ID: `m-${name}`, VIGIL_AGENT_HOSTNAME: name };
      const r = await enrollAgent(s.url, token, s.vigil.services.keys.caFingerprint, dir, env);
      expect(r.code, r.stderr).toBe(0);
      ids[name] = JSON.parse(readFileSync(join(dir, 'agent.json'), 'utf8')).agent_id;
      starts[name] = () => startAgentProcess(dir, env, ['--root', root]);
      agents.push(starts[name]());
    }
    const online = await waitFor(async () => {
      const list = (await s.call('GET', '/api/v1/devices?status=online', { token: s.adminToken })).body.items;
      return list.length === 2;
    }, 30_000);
    expect(online).toBe(true);
  }, 120_000);
  afterAll(async () => {
    for (const a of agents) await a.stop('SIGKILL');
    await s?.stop();
  });

  const ruleSet = async (name: string) =>
    (await s.call('GET', `/api/v1/devices/${ids[name]}/rule-set`, { token: s.adminToken })).body;
  const result = async (name: string, check: string) =>
    (
      await s.call('GET', `/api/v1/checks/results?device=${ids[name]}&check=${check}`, {
        token: s.adminToken,
      })
    ).body.items[0];

  it('gives the two hosts different rule sets from their fingerprints', async () => {
    const withSsh = await ruleSet('with-sshd');
    const without = await ruleSet('without-sshd');
    const names = (r: { checks: Array<{ name: string }> }) => r.checks.map((c) => c.name);
    expect(names(withSsh)).toContain('Linux.Ssh.RootLoginDisabled');
    expect(names(without)).not.toContain('Linux.Ssh.RootLoginDisabled');
    expect(names(without)).toContain('Linux.System.UptimeWithinLimit');
    expect(withSsh.digest).not.toBe(without.digest);
  });

  it('an instant scan reports results from both agents and a compliance score', async () => {
    const r = await runCli(['checks', 'scan', '--target', "filter:tags CONTAINS 'lab'", '--timeout', '90s'], {
      env: cliEnvFor(),
      timeoutMs: 120_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('2/2 devices reported');
    expect(r.stdout).toMatch(/compliance \d+(\.\d+)?%/);
    expect((await result('with-sshd', 'Linux.Ssh.RootLoginDisabled')).status).toBe('fail');
    expect((await result('without-sshd', 'Linux.System.UptimeWithinLimit')).status).toBe('fail');
    const c = (await s.call('GET', '/api/v1/checks/compliance', { token: s.adminToken })).body;
    expect(c.score).toBeGreaterThan(0);
    expect(c.applicable).toBeGreaterThan(10);
  }, 150_000);

  it('a group parameter override re-pushes the rule set and changes the outcome', async () => {
    await s.call('POST', '/api/v1/groups', {
      token: s.adminToken,
      body: { name: 'long-uptime-ok', kind: 'static' },
    });
    await s.call('POST', '/api/v1/groups/long-uptime-ok/members', {
      token: s.adminToken,
      body: { devices: [ids['without-sshd']] },
    });
    const before = (await ruleSet('without-sshd')).digest;
    const r = await runCli(
      [
        'checks',
        'override',
        'Linux.System.UptimeWithinLimit',
        '--group',
        'long-uptime-ok',
        '--param',
        'max_uptime_days=30',
      ],
      { env: cliEnvFor() },
    );
    expect(r.code, r.stderr).toBe(0);
    expect((await ruleSet('without-sshd')).digest).not.toBe(before);
    expect(
      await waitFor(
        async () => (await result('without-sshd', 'Linux.System.UptimeWithinLimit'))?.status === 'pass',
        60_000,
        500,
      ),
    ).toBe(true);
    expect((await result('with-sshd', 'Linux.System.UptimeWithinLimit'))?.status).toBe('fail');
  }, 90_000);

  it('streams a live query from both agents into the CLI and the API', async () => {
    const r = await runCli(['query', 'SELECT days FROM uptime', '--target', 'all', '--csv'], {
      env: cliEnvFor(),
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('device_id,hostname,days');
    expect(lines.slice(1).sort()).toEqual(
      [`${ids['with-sshd']},with-sshd,10`, `${ids['without-sshd']},without-sshd,10`].sort(),
    );
    const api = await s.call('POST', '/api/v1/queries/live', {
      token: s.adminToken,
      body: { sql: 'SELECT username FROM users WHERE uid = 0', targets: { all: true }, timeout_s: 20 },
    });
    expect(
      await waitFor(
        async () =>
          (await s.call('GET', `/api/v1/queries/live/${api.body.id}`, { token: s.adminToken })).body
            .status === 'done',
        30_000,
      ),
    ).toBe(true);
    const view = (await s.call('GET', `/api/v1/queries/live/${api.body.id}`, { token: s.adminToken })).body;
    expect(view.devices.map((d: { hostname: string; rows: unknown[][] }) => [d.hostname, d.rows])).toEqual([
      ['with-sshd', [['root']]],
      ['without-sshd', [['root']]],
    ]);
  }, 90_000);

  it('a query that times out on one agent reports its error while the other agent answers', async () => {
    const slow =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < (SELECT CASE WHEN count(*) > 0 THEN 30000000 ELSE 5 END FROM file WHERE path = '/slow-marker')) SELECT count(*) AS n FROM c";
    const r = await runCli(['query', slow, '--target', 'all', '--timeout', '4s', '--json'], {
      env: cliEnvFor(),
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(1);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const rows = events.filter((e) => e.type === 'rows');
    expect(rows.map((e) => [e.hostname, e.rows])).toEqual([['without-sshd', [[5]]]]);
    const failed = events.find((e) => e.type === 'status' && e.hostname === 'with-sshd');
    expect(failed.status).toBe('error');
    expect(failed.error).toContain('E_QUERY_TIMEOUT');
    expect(events.at(-1)).toMatchObject({ type: 'summary', answered: 1, errors: 1 });
    expect(r.stderr).toContain('E_QUERY_FAILED');
  }, 90_000);

  it('a restarted agent says which rule set it holds and is not sent that set again', async () => {
    const id = ids['without-sshd'] as string;
    const sent = async (...kinds: string[]) =>
      (
        await s.vigil.services.store.db
          .selectFrom('agent_commands')
          .select('id')
          .where('device_id', '=', id)
          .where('kind', 'in', kinds)
          .execute()
      ).length;
    const status = async () =>
      (await s.call('GET', `/api/v1/devices/${id}`, { token: s.adminToken })).body.status;
    // The real agent reads deflated sets, so it was sent its check set that way (and never plain).
    const checkSets = await sent('checks.set', 'checks.set_deflated');
    const detectionSets = await sent('rules.set');
    expect(await sent('checks.set_deflated')).toBeGreaterThan(0);
    expect(await sent('checks.set')).toBe(0);
    const index = Object.keys(starts).indexOf('without-sshd');
    await (agents[index] as AgentProcess).stop('SIGTERM');
    expect(await waitFor(async () => (await status()) === 'offline', 20_000)).toBe(true);
    agents[index] = (starts['without-sshd'] as () => AgentProcess)();
    expect(await waitFor(async () => (await status()) === 'online', 30_000)).toBe(true);
    // This agent runs no monitors, so it holds no detection set and is sent one on every connect;
    // that push comes after the check set's, so once it is stored a check set would be too.
    expect(await waitFor(async () => (await sent('rules.set')) > detectionSets, 20_000)).toBe(true);
    expect(await sent('checks.set', 'checks.set_deflated')).toBe(checkSets);
  }, 90_000);
});
