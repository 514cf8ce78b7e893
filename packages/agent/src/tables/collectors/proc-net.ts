import { listDir, readLink, readText } from '../fs-helpers.js';
import type { TableContext } from '../types.js';
import { namespaceInode } from './proc-common.js';

/** One socket from /proc/<pid>/net/{tcp,tcp6,udp,udp6,unix}. */
export interface NetSocket {
  family: number;
  protocol: number;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  state: string;
  inode: number;
  path: string;
}

/** A process's descriptor that refers to a socket. */
export interface SocketOwner {
  pid: number;
  fd: number;
}

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;

const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

const INET_FILES = [
  { file: 'tcp', family: AF_INET, protocol: 6 },
  { file: 'tcp6', family: AF_INET6, protocol: 6 },
  { file: 'udp', family: AF_INET, protocol: 17 },
  { file: 'udp6', family: AF_INET6, protocol: 17 },
];

/** Decodes the kernel's hex address (host-order 32-bit words) into dotted IPv4 or compressed IPv6. */
export function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => [6, 4, 2, 0].map((i) => Number.parseInt(w.slice(i, i + 2), 16)));
  if (bytes.length === 4) return bytes.join('.');
  const isMapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (isMapped) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hexGroups = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hexGroups.join(':');
  return `${hexGroups.slice(0, bestStart).join(':')}::${hexGroups.slice(bestStart + bestLength).join(':')}`;
}

function parseInet(text: string, family: number, protocol: number): NetSocket[] {
  const sockets: NetSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [localHex, localPortHex] = (f[1] as string).split(':');
    const [remoteHex, remotePortHex] = (f[2] as string).split(':');
    sockets.push({
      family,
      protocol,
      localAddress: decodeAddress(localHex ?? ''),
      localPort: Number.parseInt(localPortHex ?? '0', 16),
      remoteAddress: decodeAddress(remoteHex ?? ''),
      remotePort: Number.parseInt(remotePortHex ?? '0', 16),
      state: protocol === 6 ? (TCP_STATES[f[3] as string] ?? '') : '',
      inode: Number(f[9]),
      path: '',
    });
  }
  return sockets;
}

function parseUnix(text: string): NetSocket[] {
  const sockets: NetSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7) continue;
    sockets.push({
      family: AF_UNIX,
      protocol: 0,
      localAddress: '',
      localPort: 0,
      remoteAddress: '',
      remotePort: 0,
      state: '',
      inode: Number(f[6]),
      path: f.slice(7).join(' '),
    });
  }
  return sockets;
}

/** Reads the sockets a network namespace holds, through the net/ folder of one of its processes. */
export function readNetSockets(ctx: TableContext, netDir: string, withUnix: boolean): NetSocket[] {
  const sockets: NetSocket[] = [];
  for (const { file, family, protocol } of INET_FILES) {
    const text = readText(ctx, `${netDir}/${file}`);
    if (text !== null) sockets.push(...parseInet(text, family, protocol));
  }
  if (withUnix) {
    const text = readText(ctx, `${netDir}/unix`);
    if (text !== null) sockets.push(...parseUnix(text));
  }
  return sockets;
}

/** A socket with the namespace whose tables list it and the descriptors that hold it. */
export interface HeldSocket {
  socket: NetSocket;
  netns: string;
  owners: SocketOwner[];
}

/**
 * Lists the sockets of every network namespace the given processes live in (read once per
 * namespace through one member's /proc/<pid>/net), each with the descriptors holding it. Socket
 * inodes are unique system-wide, so a socket is listed once even when namespaces cannot be told
 * apart (an unreadable /proc/<pid>/ns/net); without any readable namespace /proc/net is used.
 */
export function heldSockets(ctx: TableContext, pids: number[], withUnix: boolean): HeldSocket[] {
  const namespaces = new Map<string, string>();
  const owners = new Map<number, SocketOwner[]>();
  for (const pid of pids) {
    const fds = listDir(ctx, `/proc/${pid}/fd`);
    if (fds.length === 0) continue;
    const netns = namespaceInode(readLink(ctx, `/proc/${pid}/ns/net`));
    if (netns !== null && !namespaces.has(netns)) namespaces.set(netns, `/proc/${pid}/net`);
    for (const fd of fds) {
      const m = /^socket:\[(\d+)\]$/.exec(readLink(ctx, `/proc/${pid}/fd/${fd}`) ?? '');
      if (m === null) continue;
      const inode = Number(m[1]);
      owners.set(inode, [...(owners.get(inode) ?? []), { pid, fd: Number(fd) }]);
    }
  }
  if (namespaces.size === 0) {
    namespaces.set(namespaceInode(readLink(ctx, '/proc/self/ns/net')) ?? '', '/proc/net');
  }
  const seen = new Set<number>();
  const held: HeldSocket[] = [];
  for (const [netns, netDir] of namespaces) {
    for (const socket of readNetSockets(ctx, netDir, withUnix)) {
      if (seen.has(socket.inode)) continue;
      seen.add(socket.inode);
      held.push({ socket, netns, owners: owners.get(socket.inode) ?? [] });
    }
  }
  return held;
}
