import {
  errorReason,
  isAbsent,
  listDir,
  readLink,
  readLinkOrError,
  readText,
  readTextUntil,
} from '../fs-helpers.js';
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

/**
 * Decodes the kernel's hex address (host-order 32-bit words) into dotted IPv4 or compressed IPv6.
 * Each word is parsed as one number and split with shifts: the monitors decode every socket line
 * of a busy host every few seconds, and per-byte substrings and arrays were most of that cost.
 */
export function decodeAddress(hex: string): string {
  const bytes: number[] = [];
  for (let at = 0; at + 8 <= hex.length; at += 8) {
    const word = Number.parseInt(hex.slice(at, at + 8), 16);
    bytes.push(word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, word >>> 24);
  }
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
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

function parseInet(
  text: string,
  family: number,
  protocol: number,
  inodes: ReadonlySet<number> | undefined,
): NetSocket[] {
  const sockets: NetSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    if (inodes && !inodes.has(Number(f[9]))) continue;
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

function parseUnix(text: string, inodes: ReadonlySet<number> | undefined): NetSocket[] {
  const sockets: NetSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7) continue;
    if (inodes && !inodes.has(Number(f[6]))) continue;
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

/** TCP states the kernel lists in the listening section of /proc/net/tcp{,6}. */
const LISTEN_SECTION_STATES = new Set(['0A', '03']);

/**
 * Whether the text holds a complete line past the listening section of /proc/net/tcp{,6}. The
 * kernel lists its listening hash first, then the connection hash, so once a line in another
 * state appears no listener follows. SYN_RECV (03) does not end the section: kernels before 4.4
 * print a listener's pending requests right after it.
 */
export function pastTcpListeners(text: string): boolean {
  let start = text.indexOf('\n') + 1;
  if (start === 0) return false;
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end === -1) return false;
    const state = text.slice(start, end).trim().split(/\s+/)[3];
    if (state !== undefined && !LISTEN_SECTION_STATES.has(state)) return true;
    start = end + 1;
  }
}

/** Which sockets to read from a namespace's net/ folder. */
export interface NetSocketSelection {
  /** Also read net/unix. */
  withUnix: boolean;
  /**
   * Only the TCP listening section is needed: stop reading tcp/tcp6 where the connections
   * begin, sparing the walk of the whole connection hash table. Lines past that point (none of
   * them listening) are left out.
   */
  tcpListenersOnly?: boolean;
  /**
   * Only the sockets with these inodes (a process's descriptors): the lines of every other socket
   * are skipped before their addresses are decoded.
   */
  inodes?: ReadonlySet<number>;
}

/** Reads the sockets a network namespace holds, through the net/ folder of one of its processes. */
export function readNetSockets(
  ctx: TableContext,
  netDir: string,
  selection: NetSocketSelection,
): NetSocket[] {
  const sockets: NetSocket[] = [];
  for (const { file, family, protocol } of INET_FILES) {
    const path = `${netDir}/${file}`;
    const text =
      selection.tcpListenersOnly === true && protocol === 6
        ? readTextUntil(ctx, path, pastTcpListeners)
        : readText(ctx, path);
    if (text !== null) sockets.push(...parseInet(text, family, protocol, selection.inodes));
  }
  if (selection.withUnix) {
    const text = readText(ctx, `${netDir}/unix`);
    if (text !== null) sockets.push(...parseUnix(text, selection.inodes));
  }
  return sockets;
}

/** A socket with the namespace whose tables list it and the descriptors that hold it. */
export interface HeldSocket {
  socket: NetSocket;
  netns: string;
  owners: SocketOwner[];
}

/** The inode of a descriptor link such as "socket:[12345]", or null for anything else. */
function socketInode(link: string): number | null {
  if (!link.startsWith('socket:[')) return null;
  const m = /^socket:\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : null;
}

/**
 * Adds the process's descriptors that hold one of the listed sockets to their owners. The
 * kernel checks access per process, not per descriptor, so after one refusal the rest of the
 * process's descriptors are skipped with a single warning instead of one failure each.
 */
function addOwners(ctx: TableContext, pid: number, fds: string[], owners: Map<number, SocketOwner[]>): void {
  for (let i = 0; i < fds.length; i++) {
    const fd = fds[i] as string;
    const path = `/proc/${pid}/fd/${fd}`;
    const link = readLinkOrError(ctx, path);
    if (typeof link !== 'string') {
      if (isAbsent(link)) continue;
      const skipped = fds.length - i - 1;
      ctx.warn(
        `cannot read link ${path}: ${errorReason(link)}${skipped > 0 ? ` (skipped the ${skipped} other descriptors after it)` : ''}`,
      );
      return;
    }
    const inode = socketInode(link);
    if (inode !== null) owners.get(inode)?.push({ pid, fd: Number(fd) });
  }
}

/**
 * Lists the sockets of every network namespace the given processes live in (read once per
 * namespace through one member's /proc/<pid>/net), each with the descriptors holding it. Socket
 * inodes are unique system-wide, so a socket is listed once even when namespaces cannot be told
 * apart (an unreadable /proc/<pid>/ns/net); without any readable namespace /proc/net is used.
 * The sockets are read before the descriptors, so only links to a listed socket are kept, and
 * none are read at all when no socket is listed.
 */
export function heldSockets(ctx: TableContext, pids: number[], selection: NetSocketSelection): HeldSocket[] {
  const namespaces = new Map<string, string>();
  const descriptors: Array<{ pid: number; fds: string[] }> = [];
  for (const pid of pids) {
    const fds = listDir(ctx, `/proc/${pid}/fd`);
    if (fds.length === 0) continue;
    descriptors.push({ pid, fds });
    const netns = namespaceInode(readLink(ctx, `/proc/${pid}/ns/net`));
    if (netns !== null && !namespaces.has(netns)) namespaces.set(netns, `/proc/${pid}/net`);
  }
  if (namespaces.size === 0) {
    namespaces.set(namespaceInode(readLink(ctx, '/proc/self/ns/net')) ?? '', '/proc/net');
  }
  const owners = new Map<number, SocketOwner[]>();
  const held: HeldSocket[] = [];
  for (const [netns, netDir] of namespaces) {
    for (const socket of readNetSockets(ctx, netDir, selection)) {
      if (owners.has(socket.inode)) continue;
      const socketOwners: SocketOwner[] = [];
      owners.set(socket.inode, socketOwners);
      held.push({ socket, netns, owners: socketOwners });
    }
  }
  if (held.length > 0) for (const { pid, fds } of descriptors) addOwners(ctx, pid, fds, owners);
  return held;
}
