/**
 * The network actions for real, inside network namespaces this test creates: real nftables
 * rules, real TCP traffic between two namespaces, real `ss -K` and `ip neigh flush`.
 * Nothing touches the host's own network namespace.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findProgram } from '../../tables/collectors/command-runner.js';
import type { ActionContext, ActionOutcome } from '../types.js';
import { linuxNetworkActions } from './network.js';
import { createLab, ip, labUnavailableReason, type NetnsLab } from './test-support/netns-lab.js';
import { createTestRunner } from './test-support/netns-runner.js';
import { connectClient, type EchoServer, probe, startEchoServer } from './test-support/tcp-peers.js';

const skipReason =
  labUnavailableReason() ?? (findProgram('nft') ? undefined : 'nftables (nft) is not installed');
if (skipReason) console.warn(`network action tests skipped: ${skipReason}`);

let lab: NetnsLab;
const servers: EchoServer[] = [];

function ctx(overrides: Partial<ActionContext> = {}): ActionContext {
  const signal = AbortSignal.timeout(30_000);
  return {
    dryRun: false,
    signal,
    run: createTestRunner({ netns: lab.device, signal }),
    serverAddresses: [lab.serverV4],
    agentPid: process.pid,
    protectedPaths: [],
    quarantineDir: '/nonexistent-quarantine',
    root: '/',
    log: () => {},
    ...overrides,
  };
}

async function act(name: string, params: Record<string, unknown>, overrides?: Partial<ActionContext>) {
  const impl = linuxNetworkActions[name];
  if (!impl) throw new Error(`no implementation for ${name}`);
  return impl(params, ctx(overrides));
}

function nftInDevice(...args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', lab.device, 'nft', ...args], {
    encoding: 'utf8',
    timeout: 10_000,
  });
}

function vigilTableExists(): boolean {
  return nftInDevice('list', 'tables').includes('inet vigil');
}

function expectRefused(outcome: ActionOutcome, pattern: RegExp) {
  expect(outcome.ok).toBe(false);
  expect(outcome.changed).toBe(false);
  expect(outcome.error?.code).toBe('E_ACTION_REFUSED');
  expect(outcome.error?.message).toMatch(pattern);
}

async function until<T>(what: string, ms: number, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${String(last)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
    last = await read();
  }
  return last;
}

describe.skipIf(skipReason !== undefined)(
  `Linux network actions in network namespaces${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  { timeout: 120_000 },
  () => {
    beforeAll(async () => {
      lab = createLab('n');
      servers.push(await startEchoServer(lab.peer, '::', 7001));
      servers.push(await startEchoServer(lab.device, '::', 7101));
      servers.push(await startEchoServer(lab.device, '::', 7102));
    });

    afterEach(() => {
      if (vigilTableExists()) nftInDevice('delete', 'table', 'inet', 'vigil');
    });

    afterAll(() => {
      for (const server of servers) server.stop();
      lab?.destroy();
    });

    it('refuses the server address, loopback, unspecified and malformed addresses without touching nftables', async () => {
      expectRefused(await act('network.block_ip', { address: lab.serverV4 }), /Vigil server/);
      expectRefused(
        await act('network.block_ip', { address: '10.231.0.0/24' }),
        /covers the Vigil server \(10\.231\.0\.2\)/,
      );
      expectRefused(await act('network.block_ip', { address: '127.0.0.5' }), /loopback/);
      expectRefused(await act('network.block_ip', { address: '::1' }), /loopback/);
      expectRefused(await act('network.block_ip', { address: '::ffff:127.0.0.1' }), /loopback/);
      expectRefused(await act('network.block_ip', { address: '0.0.0.0' }), /unspecified/);
      expectRefused(await act('network.block_ip', { address: '0.0.0.0/0' }), /loopback/);
      expectRefused(await act('network.block_ip', { address: '::/0' }), /loopback/);
      const malformed = [
        '10.231.0.256',
        '10.0.0.0/33',
        '10.0.0.0/08',
        'fe80::1%eth0',
        '10.231.0.3; flush ruleset',
        '',
        42,
      ];
      for (const bad of malformed) {
        expectRefused(
          await act('network.block_ip', { address: bad }),
          /must be an IPv4 or IPv6 address or a CIDR network/,
        );
      }
      expectRefused(await act('network.block_ip', { address: lab.otherV4, expires_s: 0 }), /expires_s/);
      expect(vigilTableExists()).toBe(false);
    });

    it('block_ip stops traffic both ways and unblock_ip lets it flow again', async () => {
      expect(await probe(lab.device, lab.otherV4, 7001)).toBe('ok');
      expect(await probe(lab.peer, lab.deviceV4, 7101, { from: lab.otherV4 })).toBe('ok');

      const dry = await act('network.block_ip', { address: lab.otherV4 }, { dryRun: true });
      expect(dry).toMatchObject({ ok: true, changed: false });
      expect(vigilTableExists()).toBe(false);

      const blocked = await act('network.block_ip', { address: lab.otherV4 });
      expect(blocked).toMatchObject({
        ok: true,
        changed: true,
        undo: { action: 'network.unblock_ip', params: { address: lab.otherV4 } },
      });
      expect(await probe(lab.device, lab.otherV4, 7001)).not.toBe('ok');
      expect(await probe(lab.peer, lab.deviceV4, 7101, { from: lab.otherV4 })).toBe('timeout');
      // Only that address: the server address on the same peer still answers.
      expect(await probe(lab.device, lab.serverV4, 7001)).toBe('ok');
      expect(await probe(lab.peer, lab.deviceV4, 7101, { from: lab.serverV4 })).toBe('ok');

      const again = await act('network.block_ip', { address: lab.otherV4 });
      expect(again).toMatchObject({ ok: true, changed: false, details: { already_blocked: true } });

      const unblocked = await act('network.unblock_ip', { address: lab.otherV4 });
      expect(unblocked).toMatchObject({ ok: true, changed: true, details: { was_blocked: true } });
      expect(await probe(lab.device, lab.otherV4, 7001)).toBe('ok');
      expect(await probe(lab.peer, lab.deviceV4, 7101, { from: lab.otherV4 })).toBe('ok');

      expect(await act('network.unblock_ip', { address: lab.otherV4 })).toMatchObject({
        ok: true,
        changed: false,
      });
    });

    it('blocks a CIDR network (normalised), refuses an overlapping block, and unblocks it', async () => {
      expect(await probe(lab.device, lab.farV4, 7001)).toBe('ok');
      const blocked = await act('network.block_ip', { address: '10.231.0.140/25' });
      expect(blocked).toMatchObject({
        ok: true,
        changed: true,
        details: { address: '10.231.0.128/25', family: 4 },
      });
      expect(await probe(lab.device, lab.farV4, 7001)).not.toBe('ok');
      expect(await probe(lab.peer, lab.deviceV4, 7101, { from: lab.farV4 })).toBe('timeout');
      expect(await probe(lab.device, lab.otherV4, 7001)).toBe('ok');
      expectRefused(
        await act('network.block_ip', { address: lab.farV4 }),
        /overlaps the existing block of 10\.231\.0\.128\/25/,
      );
      expect(await act('network.unblock_ip', { address: '10.231.0.128/25' })).toMatchObject({
        ok: true,
        changed: true,
      });
      expect(await probe(lab.device, lab.farV4, 7001)).toBe('ok');
    });

    it('blocks and unblocks an IPv6 address', async () => {
      expect(await probe(lab.device, lab.otherV6, 7001)).toBe('ok');
      expect(await act('network.block_ip', { address: 'FD00:0231:0:0::3' })).toMatchObject({
        ok: true,
        changed: true,
        details: { address: lab.otherV6, family: 6 },
      });
      expect(await probe(lab.device, lab.otherV6, 7001)).not.toBe('ok');
      expect(await probe(lab.device, lab.otherV4, 7001)).toBe('ok');
      expect(await act('network.unblock_ip', { address: lab.otherV6 })).toMatchObject({
        ok: true,
        changed: true,
      });
      expect(await probe(lab.device, lab.otherV6, 7001)).toBe('ok');
    });

    it('a block with an expiry lifts itself', async () => {
      const outcome = await act('network.block_ip', { address: lab.otherV4, expires_s: 2 });
      expect(outcome).toMatchObject({ ok: true, changed: true, details: { expires_s: 2 } });
      const blockedAt = Date.now();
      expect(await probe(lab.device, lab.otherV4, 7001, { timeoutMs: 500 })).not.toBe('ok');
      await until(
        'traffic after expiry',
        8000,
        () => probe(lab.device, lab.otherV4, 7001, { timeoutMs: 500 }),
        (r) => r === 'ok',
      );
      expect(Date.now() - blockedAt).toBeGreaterThanOrEqual(1500);
      expect(nftInDevice('list', 'set', 'inet', 'vigil', 'block_v4')).not.toContain(lab.otherV4);
    });

    it('isolate allows only loopback and the server; release removes only what isolate added', async () => {
      expectRefused(await act('network.isolate', {}, { serverAddresses: [] }), /no known IP address/);
      expectRefused(
        await act('network.isolate', {}, { serverAddresses: ['vigil.example'] }),
        /no known IP address/,
      );
      expect(vigilTableExists()).toBe(false);

      // A block that exists before isolation must survive the release.
      await act('network.block_ip', { address: '192.0.2.7' });
      const openToOther = await connectClient(lab.device, lab.otherV4, 7001);
      const openToServer = await connectClient(lab.device, lab.serverV4, 7001);
      try {
        expect(await openToOther.roundTrip()).toBe('echo');

        const isolated = await act('network.isolate', { allow: ['10.231.0.128/25'] });
        expect(isolated).toMatchObject({ ok: true, changed: true, undo: { action: 'network.release' } });
        expect(isolated.details.allowed).toEqual([lab.serverV4, '10.231.0.128/25']);

        expect(await probe(lab.device, lab.serverV4, 7001)).toBe('ok');
        expect(await probe(lab.peer, lab.deviceV4, 7101, { from: lab.serverV4 })).toBe('ok');
        expect(await probe(lab.device, '127.0.0.1', 7101)).toBe('ok');
        expect(await probe(lab.device, '::1', 7101)).toBe('ok');
        expect(await probe(lab.device, lab.farV4, 7001)).toBe('ok');
        expect(await probe(lab.device, lab.otherV4, 7001)).not.toBe('ok');
        expect(await probe(lab.device, lab.otherV6, 7001)).not.toBe('ok');
        expect(await probe(lab.peer, lab.deviceV4, 7101, { from: lab.otherV4 })).toBe('timeout');
        expect(await openToOther.roundTrip()).toBe('no-echo');
        expect(await openToServer.roundTrip()).toBe('echo');

        expect(await act('network.isolate', { allow: ['10.231.0.128/25'] })).toMatchObject({
          ok: true,
          changed: false,
        });

        const released = await act('network.release', {});
        expect(released).toMatchObject({ ok: true, changed: true });
        expect(released.details.removed).toEqual([
          'isolate_input',
          'isolate_output',
          'isolate_allow_v4',
          'isolate_allow_v6',
        ]);
        expect(await probe(lab.device, lab.otherV4, 7001)).toBe('ok');
        expect(await probe(lab.peer, lab.deviceV4, 7101, { from: lab.otherV4 })).toBe('ok');
        expect(nftInDevice('list', 'set', 'inet', 'vigil', 'block_v4')).toContain('192.0.2.7');
        expect(nftInDevice('list', 'table', 'inet', 'vigil')).not.toContain('isolate');

        expect(await act('network.release', {})).toMatchObject({ ok: true, changed: false });
      } finally {
        openToOther.stop();
        openToServer.stop();
      }
    });

    it('kill_connection cuts an established connection by 4-tuple and all of a pid', async () => {
      const first = await connectClient(lab.device, lab.otherV4, 7001);
      const second = await connectClient(lab.device, lab.otherV4, 7001);
      try {
        expect(await first.roundTrip()).toBe('echo');
        const tuple = {
          local_address: first.localAddress,
          local_port: first.localPort,
          remote_address: lab.otherV4,
          remote_port: 7001,
        };
        const dry = await act('network.kill_connection', tuple, { dryRun: true });
        expect(dry).toMatchObject({ ok: true, changed: false });
        expect(dry.details.connections).toEqual([
          expect.objectContaining({ local_port: first.localPort, killed: false }),
        ]);
        expect(await first.roundTrip()).toBe('echo');

        const killed = await act('network.kill_connection', tuple);
        expect(killed).toMatchObject({ ok: true, changed: true });
        expect(killed.details.connections).toEqual([
          expect.objectContaining({
            local_address: first.localAddress,
            local_port: first.localPort,
            remote_address: lab.otherV4,
            remote_port: 7001,
            killed: true,
          }),
        ]);
        expect(await first.closed).toMatch(/^closed/);
        expect(await second.roundTrip()).toBe('echo');

        const byPid = await act('network.kill_connection', { pid: second.pid });
        expect(byPid).toMatchObject({ ok: true, changed: true });
        expect(await second.closed).toMatch(/^closed/);

        expect(await act('network.kill_connection', tuple)).toMatchObject({ ok: true, changed: false });
      } finally {
        first.stop();
        second.stop();
      }
    });

    it('kill_connection refuses the agent itself and half a 4-tuple', async () => {
      expectRefused(await act('network.kill_connection', { pid: process.pid }), /Vigil agent itself/);
      expectRefused(
        await act('network.kill_connection', { local_address: lab.deviceV4, remote_address: lab.otherV4 }),
        /all four/,
      );
      expectRefused(
        await act('network.kill_connection', { pid: 1, remote_address: lab.otherV4 }),
        /not both/,
      );
    });

    it('flush_arp empties the namespace neighbour table, on one interface or all', async () => {
      const neighbours = () =>
        (
          JSON.parse(ip('-n', lab.device, '-j', 'neigh', 'show') || '[]') as {
            dst: string;
            state?: string[];
          }[]
        ).filter((n) => !n.state?.some((s) => s === 'FAILED' || s === 'INCOMPLETE'));
      const learn = async () => {
        expect(await probe(lab.device, lab.otherV4, 7001)).toBe('ok');
        expect(await probe(lab.device, lab.otherV6, 7001)).toBe('ok');
        expect(neighbours().length).toBeGreaterThan(0);
      };
      await learn();
      const dry = await act('cache.flush_arp', {}, { dryRun: true });
      expect(dry).toMatchObject({ ok: true, changed: false });
      expect((dry.details.entries_before as unknown[]).length).toBe(neighbours().length);
      expect(neighbours().length).toBeGreaterThan(0);

      const flushed = await act('cache.flush_arp', {});
      expect(flushed).toMatchObject({ ok: true, changed: true, details: { entries_after: [] } });
      expect(neighbours()).toEqual([]);

      await learn();
      const device = (flushed.details.entries_before as { dev: string }[])[0]?.dev as string;
      const one = await act('cache.flush_arp', { interface: device });
      expect(one).toMatchObject({
        ok: true,
        changed: true,
        details: { interface: device, entries_after: [] },
      });
      expect(neighbours()).toEqual([]);

      const missing = await act('cache.flush_arp', { interface: 'nosuchif0' });
      expect(missing).toMatchObject({ ok: false, error: { code: 'E_ACTION_TARGET_NOT_FOUND' } });
      expectRefused(await act('cache.flush_arp', { interface: 'eth0 all' }), /interface name/);
    });

    it('firewall.enable drops inbound except the listed ports, loopback and established traffic', async () => {
      expect(await probe(lab.peer, lab.deviceV4, 7101)).toBe('ok');
      expect(await probe(lab.peer, lab.deviceV4, 7102)).toBe('ok');
      expectRefused(await act('firewall.enable', { allow_tcp: [70000] }), /port number/);

      const enabled = await act('firewall.enable', { allow_tcp: [7102, 7102] });
      expect(enabled).toMatchObject({
        ok: true,
        changed: true,
        details: { allowed_tcp: [7102], was_enabled: false },
      });
      expect(await probe(lab.peer, lab.deviceV4, 7102)).toBe('ok');
      expect(await probe(lab.peer, lab.deviceV4, 7101)).toBe('timeout');
      expect(await probe(lab.device, '127.0.0.1', 7101)).toBe('ok');
      expect(await probe(lab.device, lab.otherV4, 7001)).toBe('ok');

      const changed = await act('firewall.enable', { allow_tcp: [7101] });
      expect(changed).toMatchObject({ ok: true, details: { was_enabled: true } });
      expect(await probe(lab.peer, lab.deviceV4, 7101)).toBe('ok');
      expect(await probe(lab.peer, lab.deviceV4, 7102)).toBe('timeout');
    });
  },
);
