/**
 * A two-namespace network lab for the network action tests: a "device" namespace and a "peer"
 * namespace joined by a veth pair, with private addresses (10.231.0.0/24, fd00:231::/64) that
 * exist only inside them. The peer holds two addresses so one can play the Vigil server and the
 * other any other host. Everything is deleted by `destroy()`; every command has a time limit.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface NetnsLab {
  device: string;
  peer: string;
  deviceV4: string;
  deviceV6: string;
  /** The peer address the tests treat as the Vigil server. */
  serverV4: string;
  /** Another peer address: any host that is not the server. */
  otherV4: string;
  /** A third peer address, in 10.231.0.128/25 (which holds neither the server nor otherV4). */
  farV4: string;
  otherV6: string;
  destroy(): void;
}

const COMMAND_TIMEOUT_MS = 10_000;

/** Runs `ip` with an argument array and a time limit; throws with its stderr on failure. */
export function ip(...args: string[]): string {
  return execFileSync('ip', args, {
    timeout: COMMAND_TIMEOUT_MS,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Whether this process may create network namespaces and the tools the lab needs are present. */
export function labUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  if (!existsSync('/usr/sbin/ip') && !existsSync('/sbin/ip') && !existsSync('/usr/bin/ip'))
    return 'iproute2 (ip) is not installed';
  try {
    const probe = `vgprobe${process.pid}`;
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
  } catch (error) {
    return `cannot create a network namespace: ${(error as Error).message.split('\n')[0]}`;
  }
  return undefined;
}

/** Creates the lab; `tag` keeps namespaces of parallel test files apart. */
export function createLab(tag: string): NetnsLab {
  const id = `${process.pid % 100_000}${tag}`;
  const device = `vigil-dev-${id}`;
  const peer = `vigil-peer-${id}`;
  const vethDevice = `vd${id}`.slice(0, 15);
  const vethPeer = `vp${id}`.slice(0, 15);
  const lab: NetnsLab = {
    device,
    peer,
    deviceV4: '10.231.0.1',
    deviceV6: 'fd00:231::1',
    serverV4: '10.231.0.2',
    otherV4: '10.231.0.3',
    farV4: '10.231.0.130',
    otherV6: 'fd00:231::3',
    destroy() {
      for (const ns of [device, peer]) {
        try {
          ip('netns', 'del', ns);
        } catch {
          // already gone
        }
      }
    },
  };
  lab.destroy();
  try {
    ip('netns', 'add', device);
    ip('netns', 'add', peer);
    ip('link', 'add', vethDevice, 'netns', device, 'type', 'veth', 'peer', 'name', vethPeer, 'netns', peer);
    ip('-n', device, 'link', 'set', 'lo', 'up');
    ip('-n', peer, 'link', 'set', 'lo', 'up');
    ip('-n', device, 'addr', 'add', `${lab.deviceV4}/24`, 'dev', vethDevice);
    ip('-n', peer, 'addr', 'add', `${lab.serverV4}/24`, 'dev', vethPeer);
    ip('-n', peer, 'addr', 'add', `${lab.otherV4}/24`, 'dev', vethPeer);
    ip('-n', peer, 'addr', 'add', `${lab.farV4}/24`, 'dev', vethPeer);
    ip('-n', device, '-6', 'addr', 'add', `${lab.deviceV6}/64`, 'dev', vethDevice, 'nodad');
    ip('-n', peer, '-6', 'addr', 'add', `${lab.otherV6}/64`, 'dev', vethPeer, 'nodad');
    ip('-n', device, 'link', 'set', vethDevice, 'up');
    ip('-n', peer, 'link', 'set', vethPeer, 'up');
  } catch (error) {
    lab.destroy();
    throw error;
  }
  return lab;
}
