/**
 * The monitor service of an agent: the shipped rules until the server's set arrives, a new set
 * persisted and starting/stopping monitors to match it, detections going to the durable outbox,
 * and tampering with the agent's own key reported as a high-severity alert by the file monitor.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertEventBodyT } from '@vigil/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox } from '../daemon/outbox.js';
import { loadRules } from './rules/load.js';
import { renderRule } from './rules/render.js';
import { MonitorService } from './service.js';

const log = { info: () => {}, warn: () => {}, error: () => {} };

async function waitFor(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(process.platform !== 'linux')('monitor service', () => {
  let root: string;
  let state: string;
  let outbox: Outbox;
  let service: MonitorService | undefined;
  const alertItems = () =>
    outbox
      .peek(500)
      .filter((i) => i.kind === 'alert.event')
      .map((i) => i.body as AlertEventBodyT);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'vigil-svc-root-'));
    state = mkdtempSync(join(tmpdir(), 'vigil-svc-state-'));
    mkdirSync(join(root, 'etc'), { recursive: true });
    mkdirSync(join(root, 'var/log'), { recursive: true });
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
    writeFileSync(join(root, 'var/log/auth.log'), '');
    writeFileSync(join(state, 'agent.key'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    outbox = new Outbox(state);
  });

  afterEach(async () => {
    await service?.stop();
    service = undefined;
    outbox.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  });

  it('runs the shipped rules until the server sends a set, then follows the set (persisted)', async () => {
    service = new MonitorService({ stateDir: state, root, outbox, log, serverUrl: 'https://127.0.0.1:1' });
    expect(service.current().digest).toBe('shipped');
    await service.start();
    expect(service.runningMonitors()).toEqual(['auth', 'files', 'network', 'persistence', 'processes']);
    const authOnly = loadRules()
      .filter((r) => r.monitor === 'auth')
      .map((r) => renderRule(r));
    await service.replace({ digest: 'd-auth', rules: authOnly, responses: [] });
    expect(service.runningMonitors()).toEqual(['auth']);
    appendFileSync(
      join(root, 'var/log/auth.log'),
      'Jan  1 00:00:00 h useradd[1]: new user: name=eve, UID=1001, GID=1001, home=/home/eve\n',
    );
    await waitFor('the new-user alert', () => alertItems().some((a) => a.rule === 'Linux.Auth.UserCreated'));
    expect(alertItems().find((a) => a.rule === 'Linux.Auth.UserCreated')).toMatchObject({
      severity: 'medium',
      key: 'eve',
      count: 1,
      title: 'Local user created: eve',
    });
    await service.stop();
    service = new MonitorService({ stateDir: state, root, outbox, log, serverUrl: 'https://127.0.0.1:1' });
    expect(service.current().digest).toBe('d-auth');
  });

  it("reports a change of the agent's key as tampering, with high severity", async () => {
    service = new MonitorService({ stateDir: state, root, outbox, log, serverUrl: 'https://127.0.0.1:1' });
    const tamper = loadRules()
      .filter((r) => r.name === 'Linux.Tamper.AgentFilesChanged')
      .map((r) => renderRule(r));
    await service.replace({ digest: 'd-tamper', rules: tamper, responses: [] });
    expect(service.runningMonitors()).toEqual(['files']);
    writeFileSync(join(state, 'agent.key'), '-----BEGIN PRIVATE KEY-----\nBBBB\n-----END PRIVATE KEY-----\n');
    await waitFor('the tamper alert', () => alertItems().length > 0);
    const a = alertItems()[0];
    expect(a).toMatchObject({
      rule: 'Linux.Tamper.AgentFilesChanged',
      severity: 'high',
      key: join(state, 'agent.key'),
    });
    expect((a!.context.file as { change: string }).change).toBe('modified');
    // The key's content is a secret: the alert has its hashes, never a diff.
    expect((a!.context.file as { diff?: string }).diff).toBeUndefined();
    expect(JSON.stringify(a)).not.toContain('BBBB');
  });

  it('runs the network monitor with the rules it needs: a connection to a blocked address becomes an alert', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.3', r));
    const port = (server.address() as { port: number }).port;
    const client = connect(port, '127.0.0.3');
    try {
      await new Promise((r) => client.once('connect', r));
      // Root / : the monitor reads this machine's socket tables and finds this process.
      service = new MonitorService({
        stateDir: state,
        root: '/',
        outbox,
        log,
        serverUrl: 'https://127.0.0.1:1',
      });
      const rule = loadRules().find((r) => r.name === 'Linux.Network.ConnectionToBlockedAddress');
      await service.replace({
        digest: 'd-net',
        rules: [renderRule(rule!, { block_list: ['127.0.0.3/32'] })],
        responses: [],
      });
      expect(service.runningMonitors()).toEqual(['network']);
      // Other processes of this host may talk to 127.0.0.3 as well (fleet benchmarks use it as a
      // source address): this test's connection is the one to its own server's port.
      const ours = () =>
        alertItems().find(
          (x) =>
            x.rule === 'Linux.Network.ConnectionToBlockedAddress' &&
            (x.context.peer as { port?: number } | undefined)?.port === port,
        );
      await waitFor('the blocked-address alert', () => ours() !== undefined);
      const a = ours();
      expect(a?.context.peer).toEqual({ ip: '127.0.0.3', port });
      expect(a?.context.event).toMatchObject({ pid: process.pid, at_start: true, remote_ip: '127.0.0.3' });
    } finally {
      client.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it("watches the set's configured paths, respects its ignore patterns, and refuses bad paths again", async () => {
    mkdirSync(join(root, 'srv/app/conf'), { recursive: true });
    writeFileSync(join(root, 'srv/app/conf/app.ini'), 'debug = false\n');
    writeFileSync(join(root, 'srv/app/conf/app.log'), 'start\n');
    mkdirSync(join(root, 'opt/other'), { recursive: true });
    writeFileSync(join(root, 'opt/other/x.conf'), 'a\n');
    const warnings: unknown[] = [];
    service = new MonitorService({
      stateDir: state,
      root,
      outbox,
      log: { ...log, warn: (o: unknown) => warnings.push(o) },
      serverUrl: 'https://127.0.0.1:1',
    });
    const watched = loadRules()
      .filter((r) => r.name === 'Linux.Files.WatchedPathChanged')
      .map((r) => renderRule(r));
    await service.replace({ digest: 'd-watch-0', rules: watched, responses: [] });
    expect(service.runningMonitors()).toEqual(['files']);
    // Not configured yet: a change under /srv/app is not watched.
    writeFileSync(join(root, 'srv/app/conf/app.ini'), 'debug = true\n');
    await new Promise((r) => setTimeout(r, 300));
    expect(alertItems()).toHaveLength(0);
    // A signed set with the path (and a relative one, which the agent refuses although it is signed).
    await service.replace({
      digest: 'd-watch-1',
      rules: watched,
      responses: [],
      watch: { paths: ['/srv/app', 'opt/other'], ignore: ['*.log'] },
    });
    expect(service.effectiveConfig().watchPaths).toEqual(['/srv/app']);
    expect(warnings).toContainEqual(expect.objectContaining({ watch_path: 'opt/other' }));
    writeFileSync(join(root, 'srv/app/conf/app.log'), 'start\nmore\n');
    writeFileSync(join(root, 'opt/other/x.conf'), 'b\n');
    writeFileSync(join(root, 'srv/app/conf/app.ini'), 'debug = false\nlisten = 0.0.0.0\n');
    await waitFor('the watched-path alert', () =>
      alertItems().some((a) => a.rule === 'Linux.Files.WatchedPathChanged'),
    );
    await new Promise((r) => setTimeout(r, 300));
    const keys = alertItems()
      .filter((a) => a.rule === 'Linux.Files.WatchedPathChanged')
      .map((a) => a.key);
    expect(keys).toEqual(['/srv/app/conf/app.ini']);
    const a = alertItems().find((x) => x.key === '/srv/app/conf/app.ini');
    expect((a!.context.file as { diff: string }).diff).toContain('+listen = 0.0.0.0');
    // The set without the path: the monitor restarts without it.
    await service.replace({ digest: 'd-watch-2', rules: watched, responses: [] });
    expect(service.effectiveConfig().watchPaths ?? []).toEqual([]);
    writeFileSync(join(root, 'srv/app/conf/app.ini'), 'changed again\n');
    // A repeat of a key is held for two seconds before it goes out: wait past that.
    await new Promise((r) => setTimeout(r, 2500));
    expect(alertItems().filter((x) => x.key === '/srv/app/conf/app.ini')).toHaveLength(1);
  });
});
