import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519PublicKeyFromRaw, inflateJson, verifyCommand } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandKind,
  connectRawAgent,
  createEnrollmentToken,
  enrollRawAgent,
  type RawAgent,
  type RawSession,
  testFacts,
} from '../../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

const UPTIME = `name: Linux.System.UptimeBelowLimit
title: Uptime is below the limit
description: Long-running hosts usually miss kernel updates that need a reboot.
severity: low
category: system
platforms: [linux]
parameters:
  - { name: max_uptime_days, type: integer, default: 7, description: Days before a reboot is due, minimum: 1 }
query: SELECT 1 FROM uptime WHERE days < {{max_uptime_days}}
remediation: { text: Reboot the host in a maintenance window. }
references: { urls: ["https://www.kernel.org/"] }
`;
const SSH = `name: Linux.Ssh.RootLoginDisabled
title: SSH root login is disabled
description: Direct root logins over SSH remove accountability and invite brute force.
severity: high
category: ssh
platforms: [linux]
applies_when: { all: [{ fact: services, contains: sshd }] }
query: SELECT 1 FROM ssh_configs WHERE option = 'permitrootlogin no'
remediation: { text: Set PermitRootLogin no in /etc/ssh/sshd_config and reload sshd. }
references: { attack: [T1021.004] }
`;

function library(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-checks-'));
  mkdirSync(join(dir, 'Linux/System'), { recursive: true });
  mkdirSync(join(dir, 'Linux/Ssh'), { recursive: true });
  writeFileSync(join(dir, 'Linux/System/UptimeBelowLimit.yaml'), UPTIME);
  writeFileSync(join(dir, 'Linux/Ssh/RootLoginDisabled.yaml'), SSH);
  return dir;
}

describe('checks: rule sets, results, compliance, scans', () => {
  let s: TestServer;
  let withSsh: RawAgent;
  let noSsh: RawAgent;
  let sa: RawSession;
  let sb: RawSession;
  const serverKey = () => ed25519PublicKeyFromRaw(s.vigil.services.keys.signingPublicKey);
  const body = (agent: RawAgent, m: any) => {
    const v = verifyCommand(m.env, {
      serverKey: serverKey(),
      accountId: agent.accountId,
      agentId: agent.id,
      now: Date.now(),
      seen: () => false,
    });
    if (!v.ok) throw new Error(v.reason);
    return v.command.body as any;
  };

  beforeAll(async () => {
    s = await startTestServer('sqlite', { checksDir: library() });
    const token = await createEnrollmentToken(s);
    withSsh = await enrollRawAgent(
      s,
      token,
      testFacts('with-ssh', 'm-1', { fingerprint: { services: ['sshd'] } }),
    );
    noSsh = await enrollRawAgent(s, token, testFacts('no-ssh', 'm-2', { fingerprint: { services: [] } }));
    sa = await connectRawAgent(s, withSsh);
    sb = await connectRawAgent(s, noSsh);
  });
  afterAll(async () => {
    sa?.ws.close();
    sb?.ws.close();
    await s?.stop();
  });

  it('pushes each device the rule set its fingerprint selects, rendered with parameters', async () => {
    const a = body(withSsh, await sa.nextCommand('checks.set'));
    const b = body(noSsh, await sb.nextCommand('checks.set'));
    expect(a.checks.map((c: { name: string }) => c.name).sort()).toEqual([
      'Linux.Ssh.RootLoginDisabled',
      'Linux.System.UptimeBelowLimit',
    ]);
    expect(b.checks.map((c: { name: string }) => c.name)).toEqual(['Linux.System.UptimeBelowLimit']);
    expect(b.checks[0].query).toBe('SELECT 1 FROM uptime WHERE days < 7');
  });

  it('on reconnect sends the rule set only to an agent that does not hold it already', async () => {
    const held = body(withSsh, await sa.nextCommand('checks.set')).digest as string;
    const reconnect = async (checksSet: string | undefined) => {
      sa.ws.close();
      await sa.closed;
      sa = await connectRawAgent(s, withSsh, checksSet ? { held: { checks_set: checksSet } } : {});
      // Every attach then sends the detection rule set (this agent says it holds none): once that is
      // here, a check set would have been sent before it.
      await sa.nextCommand('rules.set');
      return sa.inbox.filter((m) => m.t === 'command' && body(withSsh, m).checks).length;
    };
    expect(await reconnect(held)).toBe(0);
    expect(await reconnect('a-set-it-held-before')).toBe(1);
    expect(body(withSsh, await sa.nextCommand('checks.set')).digest).toBe(held);
    expect(await reconnect(undefined)).toBe(1);
  });

  it('sends the set deflated to a live agent that says it reads deflate, plain to one that does not', async () => {
    const plain = body(withSsh, await sa.nextCommand('checks.set'));
    sa.ws.close();
    await sa.closed;
    sa = await connectRawAgent(s, withSsh, { accepts: ['deflate'] });
    const m = await sa.nextCommand('checks.set_deflated');
    const sent = body(withSsh, m);
    expect(sent.digest).toBe(plain.digest);
    expect(inflateJson(sent.deflated)).toEqual(plain);
    expect(sa.inbox.filter((x) => commandKind(x) === 'checks.set')).toHaveLength(0);
    // The same agent without `accepts` (an older one) gets the plain set again.
    sa.ws.close();
    await sa.closed;
    sa = await connectRawAgent(s, withSsh);
    expect(body(withSsh, await sa.nextCommand('checks.set')).digest).toBe(plain.digest);
  });

  it('re-pushes when a group override changes a parameter, and only to that group', async () => {
    await s.call('POST', '/api/v1/groups', {
      token: s.adminToken,
      body: { name: 'long-lived', kind: 'static' },
    });
    await s.call('POST', '/api/v1/groups/long-lived/members', {
      token: s.adminToken,
      body: { devices: [noSsh.id] },
    });
    sa.inbox.length = 0;
    sb.inbox.length = 0;
    const bad = await s.call('PUT', '/api/v1/checks/overrides', {
      token: s.adminToken,
      body: { check: 'Linux.System.UptimeBelowLimit', group: 'long-lived', params: { max_uptime_days: 0 } },
    });
    expect(bad.body.error.code).toBe('E_VALIDATION');
    const ok = await s.call('PUT', '/api/v1/checks/overrides', {
      token: s.adminToken,
      body: { check: 'Linux.System.UptimeBelowLimit', group: 'long-lived', params: { max_uptime_days: 30 } },
    });
    expect(ok.status).toBe(200);
    const pushed = body(noSsh, await sb.nextCommand('checks.set'));
    expect(pushed.checks[0].query).toBe('SELECT 1 FROM uptime WHERE days < 30');
    await new Promise((r) => setTimeout(r, 200));
    expect(sa.inbox.filter((m) => m.t === 'command')).toHaveLength(0);
  });

  it('stores state changes, alerts once on pass→fail, resolves on fail→pass, and scores compliance', async () => {
    const send = (n: number, status: string) =>
      sa.send({
        t: 'outbox.deliver',
        items: [
          {
            id: `check-res-${n.toString().padStart(4, '0')}`,
            kind: 'check.results',
            at: Date.now(),
            body: {
              digest: 'x',
              full: true,
              at: Date.now(),
              results: [
                {
                  name: 'Linux.Ssh.RootLoginDisabled',
                  status,
                  ...(status === 'fail'
                    ? { evidence: { columns: ['option'], rows: [['permitrootlogin yes']] } }
                    : {}),
                },
                { name: 'Linux.System.UptimeBelowLimit', status: 'pass' },
              ],
            },
          },
        ],
      });
    send(1, 'fail');
    await sa.next((m) => m.t === 'outbox.ack');
    send(2, 'fail');
    await new Promise((r) => setTimeout(r, 100));
    let alerts = await s.vigil.services.repos.alerts.list(withSsh.accountId, { device_id: withSsh.id });
    expect(alerts.filter((a) => a.rule === 'check.Linux.Ssh.RootLoginDisabled')).toHaveLength(1);
    expect(alerts[0]?.count).toBe(1);
    const failing = await s.call('GET', '/api/v1/checks/results?failing=true', { token: s.adminToken });
    expect(failing.body.items).toHaveLength(1);
    expect(failing.body.items[0].evidence.rows).toEqual([['permitrootlogin yes']]);
    const compliance = await s.call('GET', '/api/v1/checks/compliance', { token: s.adminToken });
    expect(compliance.body).toMatchObject({ passing: 1, applicable: 2, score: 20 });
    expect(compliance.body.most_failed).toEqual([{ check: 'Linux.Ssh.RootLoginDisabled', devices: 1 }]);
    send(3, 'pass');
    await new Promise((r) => setTimeout(r, 150));
    alerts = await s.vigil.services.repos.alerts.list(withSsh.accountId, {
      device_id: withSsh.id,
      rule: 'check.Linux.Ssh.RootLoginDisabled',
    });
    expect(alerts[0]?.status).toBe('resolved');
  });

  it('starts an instant scan on the targeted online devices with one signed campaign', async () => {
    const res = await s.call('POST', '/api/v1/checks/scan', {
      token: s.adminToken,
      body: { targets: { all: true } },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ targeted: 2, online: 2 });
    const [ca, cb] = await Promise.all([sa.nextCommand('checks.scan'), sb.nextCommand('checks.scan')]);
    expect(ca.env.sig).toBe(cb.env.sig);
    expect(body(withSsh, ca)).toEqual({ scan_id: res.body.scan_id });
  });
});
