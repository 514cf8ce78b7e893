/**
 * Threat monitoring end to end: a real server, a real `vigil agent run` process and the real CLI.
 *
 * The agent runs inside a network namespace the test creates (its traffic to the server goes
 * through a unix-socket relay, so nothing but loopback is used on the host), with `--root` on a
 * fixture tree that holds its /etc/passwd and /var/log/auth.log.
 *
 * - An appended line in the watched passwd becomes an alert with the unified diff in the API.
 * - A path added with `vigil monitoring paths add` reaches the agent in its signed rule set: a
 *   change there becomes an alert, a file matching an ignore pattern added with the CLI does not.
 * - A block list set with `vigil monitoring rules set` reaches the agent rendered in its rule set.
 * - With the server stopped, 20 failed SSH logins written to the watched auth log become one
 *   brute-force alert with count 20 (delivered when the server is back), and an automated
 *   response added with `vigil responses add` blocks the source address by itself: a TCP probe
 *   from the agent's namespace to that address works before and fails after.
 * - SIGKILL of the agent raises agent.lost within two heartbeats; the next start reports
 *   agent.restarted with the killed run's details; SIGTERM then is an info-only agent.stopped.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLab,
  labUnavailableReason,
  type NetnsLab,
} from '../packages/agent/src/actions/linux/test-support/netns-lab.js';
import {
  type EchoServer,
  probe,
  startEchoServer,
} from '../packages/agent/src/actions/linux/test-support/tcp-peers.js';
import { findProgram } from '../packages/agent/src/tables/collectors/command-runner.js';
import { buildApp, type VigilApp } from '../packages/server/src/app.js';
import { startTestServer, type TestServer } from '../packages/server/src/test-support/test-app.js';
import { enrollAgent, waitFor } from './helpers/agent-process.js';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { cliCommand, cliEnv, REPO_ROOT } from './helpers/cli-process.js';

const skipReason =
  labUnavailableReason() ?? (findProgram('nft') ? undefined : 'nftables (nft) is not installed');
if (skipReason) console.warn(`monitoring e2e skipped: ${skipReason}`);

/** Listens on 127.0.0.1:PORT inside a namespace and relays each connection to a unix socket. */
const RELAY = `
const net = require('node:net');
const [port, path] = process.argv.slice(1);
net.createServer((c) => {
  const u = net.connect(path);
  const end = () => { c.destroy(); u.destroy(); };
  c.on('error', end); u.on('error', end); c.on('close', end); u.on('close', end);
  c.pipe(u); u.pipe(c);
}).listen(Number(port), '127.0.0.1', () => console.log('listening'));
`;

const ECHO_PORT = 7301;

describe.skipIf(skipReason !== undefined)('threat monitoring with a real agent', () => {
  let s: TestServer;
  let app: VigilApp;
  let port: number;
  let lab: NetnsLab;
  let echo: EchoServer;
  let hostRelay: Server;
  let nsRelay: ChildProcess;
  let agent: ChildProcess;
  let agentLog = '';
  let agentId = '';
  let cli: Record<string, string> = {};
  const dirs: string[] = [];
  const root = mkdtempSync(join(tmpdir(), 'vigil-mon-root-'));
  const state = mkdtempSync(join(tmpdir(), 'vigil-mon-agent-'));
  const sock = join(mkdtempSync(join(tmpdir(), 'vigil-mon-sock-')), 'relay.sock');
  dirs.push(root, state, sock.slice(0, sock.lastIndexOf('/')));
  const alerts = async (rule: string) =>
    (await s.call('GET', `/api/v1/alerts?device=${agentId}&rule=${rule}`, { token: s.adminToken })).body
      .items as Array<{ id: string; count: number; status: string; title: string }>;
  const nftInDevice = () => {
    try {
      return execFileSync('ip', ['netns', 'exec', lab.device, 'nft', 'list', 'table', 'inet', 'vigil'], {
        encoding: 'utf8',
        timeout: 10_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      return '';
    }
  };

  /** Resolves when the child has exited (at once if it already has). */
  const exited = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });

  /** `vigil agent run` in the lab's device namespace (through `ip netns exec`, so node is its child). */
  const spawnAgent = () => {
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        lab.device,
        process.execPath,
        ...cliCommand(['agent', 'run', '--state', state, '--root', root, '--log-level', 'info']),
      ],
      {
        cwd: REPO_ROOT,
        env: cliEnv({
          VIGIL_AGENT_BACKOFF_MS: '200',
          VIGIL_AGENT_MACHINE_ID: 'm-monitored',
          VIGIL_AGENT_HOSTNAME: 'monitored',
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (d) => {
      agentLog += String(d);
    });
    child.stderr?.on('data', (d) => {
      agentLog += String(d);
    });
    return child;
  };

  beforeAll(async () => {
    lab = createLab('m');
    echo = await startEchoServer(lab.peer, lab.otherV4, ECHO_PORT);
    s = await startTestServer('sqlite', { heartbeat: 1, poll: 1 });
    app = s.vigil;
    port = Number(new URL(s.url).port);

    // The relay: namespace 127.0.0.1:port → unix socket → host 127.0.0.1:port (the server).
    hostRelay = createServer((c) => {
      const u = tcpConnect(port, '127.0.0.1');
      const end = () => {
        c.destroy();
        u.destroy();
      };
      for (const x of [c, u]) {
        x.on('error', end);
        x.on('close', end);
      }
      c.pipe(u);
      u.pipe(c);
    });
    await new Promise<void>((r) => hostRelay.listen(sock, r));
    nsRelay = spawn('ip', ['netns', 'exec', lab.device, process.execPath, '-e', RELAY, String(port), sock], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the namespace relay did not start')), 15_000);
      nsRelay.stdout?.once('data', () => {
        clearTimeout(t);
        resolve();
      });
    });

    // The fixture host the agent watches.
    mkdirSync(join(root, 'etc'), { recursive: true });
    mkdirSync(join(root, 'var/log'), { recursive: true });
    mkdirSync(join(root, 'srv/app/conf'), { recursive: true });
    writeFileSync(join(root, 'srv/app/conf/app.ini'), 'listen = 127.0.0.1\n');
    writeFileSync(
      join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n',
    );
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nalice:x:1000:\n');
    writeFileSync(
      join(root, 'var/log/auth.log'),
      'Jan  1 00:00:00 host sshd[1]: Server listening on 0.0.0.0 port 22.\n',
    );

    const enroll = await enrollAgent(
      s.url,
      (await s.call('POST', '/api/v1/enrollment-tokens', { token: s.adminToken, body: {} })).body.token,
      s.vigil.services.keys.caFingerprint,
      state,
      { VIGIL_AGENT_MACHINE_ID: 'm-monitored', VIGIL_AGENT_HOSTNAME: 'monitored' },
    );
    expect(enroll.code, enroll.stderr).toBe(0);
    agentId = JSON.parse(readFileSync(join(state, 'agent.json'), 'utf8')).agent_id;

    // The automated response, added with the real CLI before the agent connects.
    const env = {
      VIGIL_SERVER: s.url,
      VIGIL_TOKEN: s.adminToken,
      VIGIL_CA_FINGERPRINT: s.vigil.services.keys.caFingerprint,
      VIGIL_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'vigil-cli-')),
    };
    dirs.push(env.VIGIL_CONFIG_DIR);
    cli = env;
    const add = await runCliInProcess(
      [
        'responses',
        'add',
        'block-ssh-brute-force',
        '--rule',
        'Linux.Auth.SshBruteForce',
        '--action',
        'network.block_ip address={{source_ip}} expires_s=3600',
        '--live',
      ],
      env,
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(
      /^Added response rule block-ssh-brute-force \(\S+\): when Linux\.Auth\.SshBruteForce fires → network\.block_ip address=\{\{source_ip\}\} expires_s=3600\.\n$/,
    );
    const list = await runCliInProcess(['responses', 'list'], env);
    expect(list.stdout).toMatch(/block-ssh-brute-force\s+Linux\.Auth\.SshBruteForce\s+-\s+network\.block_ip/);

    agent = spawnAgent();
    // Online, holding the server's rule set with the response, and its file and auth monitors up.
    const ready = await waitFor(() => {
      let set = '';
      try {
        set = readFileSync(join(state, 'monitor-rules.json'), 'utf8');
      } catch {
        return false;
      }
      return (
        set.includes('block-ssh-brute-force') &&
        /"monitor":"files".*monitor started/.test(agentLog) &&
        /"monitor":"auth".*monitor started/.test(agentLog)
      );
    }, 60_000);
    expect(ready, agentLog).toBe(true);
  }, 180_000);

  afterAll(async () => {
    agent?.kill('SIGKILL');
    nsRelay?.kill('SIGKILL');
    echo?.stop();
    await new Promise((r) => (hostRelay ? hostRelay.close(r) : r(undefined)));
    lab?.destroy();
    await s?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('turns a change of the watched passwd into an alert with the diff', async () => {
    appendFileSync(join(root, 'etc/passwd'), 'mallory:x:0:0::/root:/bin/sh\n');
    let found: Array<{ id: string }> = [];
    expect(
      await waitFor(async () => {
        found = await alerts('Linux.Files.AccountDatabaseChanged');
        return found.length > 0;
      }, 20_000),
      agentLog,
    ).toBe(true);
    expect(found).toHaveLength(1);
    const one = (await s.call('GET', `/api/v1/alerts/${found[0]?.id}`, { token: s.adminToken })).body;
    expect(one).toMatchObject({ severity: 'high', status: 'open', device: { hostname: 'monitored' } });
    expect(one.title).toBe('Account database changed: /etc/passwd modified');
    expect(one.context.file).toMatchObject({ path: '/etc/passwd', change: 'modified', owner: 'root' });
    expect(one.context.file.diff).toContain('+mallory:x:0:0::/root:/bin/sh');
    expect(one.context.file.old_sha256).not.toBe(one.context.file.new_sha256);
    expect(one.context.attack).toEqual(['T1136.001', 'T1098']);
  }, 60_000);

  it('watches a path added with vigil monitoring paths add: a change there becomes an alert; an ignored file does not', async () => {
    const add = await runCliInProcess(['monitoring', 'paths', 'add', '/srv/app'], cli);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^Watching \/srv\/app on every device \(\S+\)/);
    const ignore = await runCliInProcess(['monitoring', 'paths', 'ignore', '*.cache'], cli);
    expect(ignore.code, ignore.stderr).toBe(0);
    const bad = await runCliInProcess(['monitoring', 'paths', 'add', 'srv/app'], cli);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('must be absolute');
    const list = await runCliInProcess(['monitoring', 'paths', 'list'], cli);
    expect(list.stdout).toMatch(/watch\s+\/srv\/app\s+all devices/);
    // The signed set with the path reached the agent and its file monitor restarted with it.
    expect(
      await waitFor(() => {
        try {
          const set = readFileSync(join(state, 'monitor-rules.json'), 'utf8');
          return set.includes('/srv/app') && set.includes('*.cache');
        } catch {
          return false;
        }
      }, 30_000),
      agentLog,
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    writeFileSync(join(root, 'srv/app/conf/settings.cache'), 'noise\n');
    appendFileSync(join(root, 'srv/app/conf/app.ini'), 'listen = 0.0.0.0\n');
    let found: Array<{ id: string; title: string }> = [];
    expect(
      await waitFor(async () => {
        found = await alerts('Linux.Files.WatchedPathChanged');
        return found.length > 0;
      }, 20_000),
      agentLog,
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    found = await alerts('Linux.Files.WatchedPathChanged');
    expect(found.map((a) => a.title)).toEqual([
      'Configured watch path changed: /srv/app/conf/app.ini modified',
    ]);
    const one = (await s.call('GET', `/api/v1/alerts/${found[0]?.id}`, { token: s.adminToken })).body;
    expect(one.context.file.diff).toContain('+listen = 0.0.0.0');
  }, 90_000);

  it("sets a rule's block list with vigil monitoring rules set: the agent holds it in its signed set", async () => {
    const set = await runCliInProcess(
      [
        'monitoring',
        'rules',
        'set',
        'Linux.Network.ConnectionToBlockedAddress',
        '--param',
        'block_list=203.0.113.0/24, 198.51.100.9',
      ],
      cli,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe(
      'Linux.Network.ConnectionToBlockedAddress: block_list=203.0.113.0/24,198.51.100.9; rule sets pushed.\n',
    );
    const bad = await runCliInProcess(
      [
        'monitoring',
        'rules',
        'set',
        'Linux.Network.ConnectionToBlockedAddress',
        '--param',
        'block_list=evil.example',
      ],
      cli,
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(
      "'evil.example' in the list of 'remote_ip' is not an IP address or CIDR block",
    );
    const list = await runCliInProcess(['monitoring', 'rules', 'list'], cli);
    expect(list.stdout).toMatch(
      /Linux\.Network\.ConnectionToBlockedAddress\s+network\s+high\s+block_list=203\.0\.113\.0\/24,198\.51\.100\.9\*/,
    );
    expect(
      await waitFor(() => {
        try {
          return readFileSync(join(state, 'monitor-rules.json'), 'utf8').includes(
            '"in_cidr":["203.0.113.0/24","198.51.100.9"]',
          );
        } catch {
          return false;
        }
      }, 30_000),
      agentLog,
    ).toBe(true);
  }, 60_000);

  it('blocks an SSH brute force by itself while the server is stopped, and reports one alert of 20 when it is back', async () => {
    expect(await probe(lab.device, lab.otherV4, ECHO_PORT)).toBe('ok');
    await app.close();
    const lines = Array.from(
      { length: 20 },
      (_, i) =>
        `2025-01-31T12:00:${String(i).padStart(2, '0')}.000000+00:00 monitored sshd[${900 + i}]: Failed password for root from ${lab.otherV4} port ${50000 + i} ssh2\n`,
    ).join('');
    appendFileSync(join(root, 'var/log/auth.log'), lines);
    expect(
      await waitFor(() => nftInDevice().includes(lab.otherV4), 30_000),
      `${agentLog}\n--- nft:\n${nftInDevice()}`,
    ).toBe(true);
    expect(await probe(lab.device, lab.otherV4, ECHO_PORT)).not.toBe('ok');

    app = await buildApp({ config: app.services.config, store: s.store });
    await app.app.listen({ host: '127.0.0.1', port });
    s.vigil = app;
    let brute: Array<{ id: string; count: number }> = [];
    expect(
      await waitFor(async () => {
        brute = await alerts('Linux.Auth.SshBruteForce');
        return brute[0]?.count === 20;
      }, 30_000),
      `${JSON.stringify(brute)}\n${agentLog}`,
    ).toBe(true);
    expect(brute).toHaveLength(1);
    const one = (await s.call('GET', `/api/v1/alerts/${brute[0]?.id}`, { token: s.adminToken })).body;
    expect(one.context.peer.ip).toBe(lab.otherV4);
    let audited: Array<{ detail: Record<string, unknown>; outcome: string }> = [];
    expect(
      await waitFor(async () => {
        audited = (await s.call('GET', '/api/v1/audit?action=action.automated', { token: s.adminToken })).body
          .items;
        return audited.length > 0;
      }, 15_000),
    ).toBe(true);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ outcome: 'success' });
    expect(audited[0]?.detail).toMatchObject({
      response: 'block-ssh-brute-force',
      action: 'network.block_ip',
      changed: true,
      dry_run: false,
    });
  }, 120_000);

  it('raises agent.lost when the agent is killed with SIGKILL', async () => {
    expect(await waitFor(async () => app.hub.sessions.has(agentId), 30_000)).toBe(true);
    agent.kill('SIGKILL');
    expect(await waitFor(async () => (await alerts('agent.lost')).length === 1, 15_000)).toBe(true);
  }, 60_000);

  it('reports the restart after the kill (the previous run never stopped cleanly), and a clean stop as info only', async () => {
    await exited(agent);
    agent = spawnAgent();
    let restarted: Array<{ id: string; title: string }> = [];
    expect(
      await waitFor(async () => {
        restarted = await alerts('agent.restarted');
        return restarted.length === 1;
      }, 30_000),
      agentLog,
    ).toBe(true);
    const one = (await s.call('GET', `/api/v1/alerts/${restarted[0]?.id}`, { token: s.adminToken })).body;
    expect(one).toMatchObject({ severity: 'medium', status: 'open' });
    expect(one.title).toMatch(/^Agent restarted after an unclean stop: it was killed or crashed/);
    expect(one.context.previous_run).toMatchObject({ pid: expect.any(Number), alive_at: expect.any(String) });
    expect(one.context.host_restarted).toBe(false);

    // SIGTERM: goodbye with the reason; an info alert, no second agent.lost, and no restart report next time.
    expect(await waitFor(async () => app.hub.sessions.has(agentId), 30_000)).toBe(true);
    agent.kill('SIGTERM');
    let stopped: Array<{ id: string; title: string }> = [];
    expect(
      await waitFor(async () => {
        stopped = await alerts('agent.stopped');
        return stopped.length === 1;
      }, 30_000),
      agentLog,
    ).toBe(true);
    expect(stopped[0]?.title).toBe('Agent on monitored stopped cleanly (stop)');
    const device = (await s.call('GET', `/api/v1/devices/${agentId}`, { token: s.adminToken })).body;
    expect(device.status).toBe('offline');
    expect(await alerts('agent.lost')).toHaveLength(1);
    await exited(agent);
    expect(existsSync(join(state, 'run.json'))).toBe(false);
  }, 90_000);
});
