/**
 * The devices API by compliance, on SQLite and PostgreSQL: real agents report real check results
 * over the agent channel, the check service scores each device (severity-weighted, as the checks
 * API scores the account), and `compliance_below` filters the list and the count.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../../store/test-stores.js';
import { until } from '../../test-support/action-agents.js';
import {
  connectRawAgent,
  createEnrollmentToken,
  enrollRawAgent,
  type RawAgent,
  type RawSession,
  testFacts,
} from '../../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

const engines = await storeEngines();

/** Two checks: a low one (weight 1) and a high one (weight 4). */
function library(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-checks-'));
  mkdirSync(join(dir, 'Linux/System'), { recursive: true });
  mkdirSync(join(dir, 'Linux/Ssh'), { recursive: true });
  writeFileSync(
    join(dir, 'Linux/System/UptimeBelowLimit.yaml'),
    `name: Linux.System.UptimeBelowLimit
title: Uptime is below the limit
description: Long-running hosts usually miss kernel updates.
severity: low
category: system
platforms: [linux]
query: SELECT 1 FROM uptime WHERE days < 7
remediation: { text: Reboot the host in a maintenance window. }
references: { urls: ['https://www.kernel.org/'] }
`,
  );
  writeFileSync(
    join(dir, 'Linux/Ssh/RootLoginDisabled.yaml'),
    `name: Linux.Ssh.RootLoginDisabled
title: SSH root login is disabled
description: Direct root logins over SSH invite brute force.
severity: high
category: ssh
platforms: [linux]
query: SELECT 1 FROM ssh_configs WHERE option = 'permitrootlogin no'
remediation: { text: Set PermitRootLogin no in sshd_config. }
references: { attack: [T1021.004] }
`,
  );
  return dir;
}

const SSH = 'Linux.Ssh.RootLoginDisabled';
const UPTIME = 'Linux.System.UptimeBelowLimit';

describe.each(engines)('devices by compliance on %s', (kind) => {
  let s: TestServer;
  const agents = new Map<string, { agent: RawAgent; session: RawSession }>();
  let seq = 0;

  /** Deliver check results from one agent and wait for the server's acknowledgement. */
  async function report(host: string, results: Array<{ name: string; status: string }>): Promise<void> {
    const { session } = agents.get(host)!;
    seq += 1;
    const id = `check-res-${kind}-${seq.toString().padStart(4, '0')}`;
    session.send({
      t: 'outbox.deliver',
      items: [
        {
          id,
          kind: 'check.results',
          at: Date.now(),
          body: { digest: 'x', full: true, at: Date.now(), results },
        },
      ],
    });
    await session.next((m) => m.t === 'outbox.ack' && JSON.stringify(m).includes(id));
  }
  const hostnames = async (query: string, token = s.adminToken) => {
    const res = await s.call('GET', `/api/v1/devices?${query}&limit=100`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.items as Array<{ hostname: string }>).map((d) => d.hostname);
  };
  const count = async (query: string, token = s.adminToken) => {
    const res = await s.call('GET', `/api/v1/devices/count?${query}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.count as number;
  };

  beforeAll(async () => {
    s = await startTestServer(kind, { checksDir: library() });
    const token = await createEnrollmentToken(s);
    for (const h of ['cmp-a', 'cmp-b', 'cmp-c', 'cmp-d']) {
      const agent = await enrollRawAgent(s, token, testFacts(h));
      const session = await connectRawAgent(s, agent);
      await session.nextCommand('checks.set');
      agents.set(h, { agent, session });
    }
    // a: the high check fails (1 of 5 weight passes: 20); b: the low one fails (80); c: all pass (100); d: no results.
    await report('cmp-a', [
      { name: SSH, status: 'fail' },
      { name: UPTIME, status: 'pass' },
    ]);
    await report('cmp-b', [
      { name: SSH, status: 'pass' },
      { name: UPTIME, status: 'fail' },
    ]);
    await report('cmp-c', [
      { name: SSH, status: 'pass' },
      { name: UPTIME, status: 'pass' },
    ]);
  }, 60_000);
  afterAll(async () => {
    for (const { session } of agents.values()) session.ws.close();
    await s?.stop();
  });

  it("shows each device's severity-weighted score and failing check count", async () => {
    const res = await s.call('GET', '/api/v1/devices?limit=100', { token: s.adminToken });
    const byHost = Object.fromEntries(
      (res.body.items as Array<{ hostname: string; compliance: number | null; failing_checks: number }>).map(
        (d) => [d.hostname, [d.compliance, d.failing_checks]],
      ),
    );
    expect(byHost).toEqual({ 'cmp-a': [20, 1], 'cmp-b': [80, 1], 'cmp-c': [100, 0], 'cmp-d': [null, 0] });
  });

  it('filters and counts by compliance_below; devices without results never match', async () => {
    expect(await hostnames('compliance_below=50')).toEqual(['cmp-a']);
    expect(await hostnames('compliance_below=80')).toEqual(['cmp-a']);
    expect(await hostnames('compliance_below=80.5')).toEqual(['cmp-a', 'cmp-b']);
    expect(await hostnames('compliance_below=100')).toEqual(['cmp-a', 'cmp-b']);
    expect(await hostnames('compliance_below=0')).toEqual([]);
    expect(await count('compliance_below=100')).toBe(2);
    expect(await count('')).toBe(4);
    // Combined with the other filters (AND), on the list and the count alike.
    expect(await hostnames('compliance_below=100&q=b')).toEqual(['cmp-b']);
    expect(await count('compliance_below=100&q=b')).toBe(1);
    expect(await count(`compliance_below=100&filter=${encodeURIComponent("hostname != 'cmp-a'")}`)).toBe(1);
    expect(await count('status=online')).toBe(4);
    expect(await count('status=offline')).toBe(0);
  });

  it('follows the results: a device that starts passing leaves the failing set', async () => {
    await report('cmp-a', [
      { name: SSH, status: 'pass' },
      { name: UPTIME, status: 'pass' },
    ]);
    expect(await hostnames('compliance_below=100')).toEqual(['cmp-b']);
    await report('cmp-a', [
      { name: SSH, status: 'fail' },
      { name: UPTIME, status: 'pass' },
    ]);
    expect(await hostnames('compliance_below=100')).toEqual(['cmp-a', 'cmp-b']);
  });

  it('rescores a device when a disabled check drops out of its rule set', async () => {
    const off = await s.call('PUT', '/api/v1/checks/overrides', {
      token: s.adminToken,
      body: { check: SSH, enabled: false },
    });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    // Without the high check, a passes (100) and b is left with its failing low check (0).
    await until('devices rescored', async () => {
      const list = await hostnames('compliance_below=100');
      return list.length === 1 && list[0] === 'cmp-b';
    });
    expect(await hostnames('compliance_below=1')).toEqual(['cmp-b']);
    await s.call('PUT', '/api/v1/checks/overrides', {
      token: s.adminToken,
      body: { check: SSH, enabled: true },
    });
  });

  it('lets viewers list and count, refuses anonymous callers and bad values with stable codes', async () => {
    const viewer = await s.tokenFor('viewer');
    // Since the last test, b scores 0 (its only result fails) and a 100.
    expect(await hostnames('compliance_below=50', viewer)).toEqual(['cmp-b']);
    expect(await count('compliance_below=50', viewer)).toBe(1);
    const anonymous = await s.call('GET', '/api/v1/devices/count', { token: null });
    expect(anonymous.status).toBe(401);
    for (const bad of ['compliance_below=101', 'compliance_below=-1', 'compliance_below=many']) {
      for (const path of ['/api/v1/devices', '/api/v1/devices/count']) {
        const res = await s.call('GET', `${path}?${bad}`, { token: s.adminToken });
        expect(res.status, `${path}?${bad}`).toBe(400);
        expect(res.body.error.code, `${path}?${bad}`).toBe('E_VALIDATION');
        expect(res.body.error.message, `${path}?${bad}`).toMatch(/compliance_below/);
      }
    }
    const badFilter = await s.call(
      'GET',
      `/api/v1/devices/count?filter=${encodeURIComponent('hostname ==')}`,
      {
        token: s.adminToken,
      },
    );
    expect(badFilter.body.error.code).toBe('E_INVALID_FILTER');
    const pageParam = await s.call('GET', '/api/v1/devices/count?limit=5', { token: s.adminToken });
    expect(pageParam.status).toBe(400);
  });

  it('documents the parameter and the count route in the OpenAPI document', async () => {
    const doc = await s.call('GET', '/api/v1/openapi.json', { token: s.adminToken });
    expect(doc.status).toBe(200);
    const params = (doc.body.paths['/api/v1/devices'].get.parameters as Array<{ name: string }>).map(
      (p) => p.name,
    );
    expect(params).toContain('compliance_below');
    const countParams = (
      doc.body.paths['/api/v1/devices/count'].get.parameters as Array<{ name: string }>
    ).map((p) => p.name);
    expect(countParams).toEqual(
      expect.arrayContaining(['compliance_below', 'status', 'tag', 'group', 'q', 'filter']),
    );
    expect(doc.body.paths['/api/v1/devices/{id}/actions'].get).toBeDefined();
  });
});
