/**
 * The network monitor: new listening sockets, and new outbound TCP connections. Each scan reads
 * only the listening part of the agent's network namespace's socket tables (cheap); when a new
 * listener appears, the listening_ports collector finds the process holding it. A listener bound to
 * every interface (0.0.0.0 or ::) is marked, so a rule can tell a local-only service from an
 * exposed one. While a rule listens to `connection_new`, the whole TCP tables are read: a
 * connection (established, or still connecting) from a port nobody listens on is outbound, and a
 * new one is matched against the rules before its process is looked up — the walk of /proc/<pid>/fd
 * that finds the process happens only for the few a rule could match (a block list hit).
 */
import type { MonitorNameT } from '@vigil/protocol';
import { listeningPorts } from '../../tables/collectors/listening-ports.js';
import { readPasswd } from '../../tables/collectors/passwd.js';
import { type NetSocket, readNetSockets } from '../../tables/collectors/proc-net.js';
import { processes } from '../../tables/collectors/processes.js';
import { listDir, readLink } from '../../tables/fs-helpers.js';
import type { MonitorBudget } from '../budget.js';
import { collectorContext } from '../collector-context.js';
import type { EventSink, Monitor } from '../types.js';

/** Listeners remembered at most (a host with more is unusual; the rest are still reported once). */
const MAX_KNOWN = 20_000;
/** Outbound connections remembered at most (beyond, the oldest are forgotten and may be seen again). */
const MAX_KNOWN_CONNECTIONS = 50_000;
/** Fields of a connection event known only after the process lookup. */
const PROCESS_FIELDS: ReadonlySet<string> = new Set(['pid', 'process', 'exe', 'uid', 'user', 'cmdline']);
/** TCP states of an outbound connection: established, or a connect still waiting for an answer. */
const OUTBOUND_STATES = new Set(['ESTABLISHED', 'SYN_SENT']);

/** What the monitor asks the rule engine (the service passes it; tests may leave it out: everything is wanted). */
export interface NetworkRuleHints {
  /** Whether some rule listens to events of this type. */
  wantsType(type: string): boolean;
  /** Whether some rule could match these fields, conditions on `unknown` fields taken as holding. */
  mayMatch(fields: Record<string, unknown>, unknown: ReadonlySet<string>): boolean;
}

/** Options of the network monitor. */
export interface NetworkMonitorOptions {
  root: string;
  budget: MonitorBudget;
  sink: EventSink;
  log: { warn(obj: object, msg?: string): void };
  /** Scan interval (default 5 s; widened while shedding). */
  intervalMs?: number;
  rules?: NetworkRuleHints;
}

function isListening(s: NetSocket): boolean {
  return s.protocol === 6 ? s.state === 'LISTEN' : s.localPort !== 0 && s.remotePort === 0;
}

const keyOf = (s: NetSocket) => `${s.protocol}:${s.localAddress}:${s.localPort}`;
const connectionKeyOf = (s: NetSocket) =>
  `${s.localAddress}:${s.localPort}>${s.remoteAddress}:${s.remotePort}:${s.inode}`;
const bracketed = (s: NetSocket, ip: string) => (s.family === 10 ? `[${ip}]` : ip);

/** The process row (name, path, command line, uid) of the pid holding a socket. */
function processRow(root: string, pid: number) {
  return [
    ...processes.collect(collectorContext(root, { pid: [pid] }, ['pid', 'name', 'path', 'cmdline', 'uid'])),
  ][0];
}

/** The pid holding a socket, by a walk of /proc/<pid>/fd (stops at the first holder), or null. */
function socketHolder(root: string, inode: number): number | null {
  const ctx = collectorContext(root);
  const link = `socket:[${inode}]`;
  for (const entry of listDir(ctx, '/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    for (const fd of listDir(ctx, `/proc/${entry}/fd`)) {
      if (readLink(ctx, `/proc/${entry}/fd/${fd}`) === link) return Number(entry);
    }
  }
  return null;
}

/** Watches for new listeners. */
export class NetworkMonitor implements Monitor {
  readonly name: MonitorNameT = 'network';
  private known = new Set<string>();
  /** Outbound connections seen (null until a rule first asks for them: the first read is the baseline). */
  private connections: Set<string> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(private readonly options: NetworkMonitorOptions) {}

  private listeners(): NetSocket[] {
    const ctx = collectorContext(this.options.root);
    return readNetSockets(ctx, '/proc/net', { withUnix: false, tcpListenersOnly: true }).filter(isListening);
  }

  /** Take the listeners open now as known, then scan on the interval. */
  async start(): Promise<void> {
    this.stopped = false;
    this.known = new Set(this.listeners().map(keyOf));
    this.connections = null;
    this.schedule();
  }

  /** Stop scanning. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        try {
          this.scan();
        } catch (error) {
          this.options.log.warn({ err: String(error) }, 'network scan failed');
        }
        this.schedule();
      },
      this.options.budget.scanIntervalMs(this.options.intervalMs ?? 5000),
    );
    this.timer.unref();
  }

  /** One scan: report listeners that appeared since the last one, and new outbound connections (public for tests). */
  scan(): number {
    return this.scanListeners() + this.scanConnections();
  }

  private wants(type: string): boolean {
    return this.options.rules?.wantsType(type) ?? true;
  }

  /**
   * New outbound TCP connections. Those open when the monitor first looks are evaluated too
   * (marked `at_start`): a connection to a blocked address made before the agent started is still
   * one. Returns how many events went to the sink.
   */
  scanConnections(): number {
    if (!this.wants('connection_new')) {
      this.connections = null;
      return 0;
    }
    const atStart = this.connections === null;
    const all = readNetSockets(collectorContext(this.options.root), '/proc/net', { withUnix: false }).filter(
      (s) => s.protocol === 6,
    );
    const listening = new Set(
      all.filter((s) => s.state === 'LISTEN').map((s) => `${s.family}:${s.localPort}`),
    );
    const outbound = all.filter(
      (s) => OUTBOUND_STATES.has(s.state) && !listening.has(`${s.family}:${s.localPort}`),
    );
    const seen = this.connections ?? new Set<string>();
    const next = new Set<string>();
    const fresh: NetSocket[] = [];
    for (const s of outbound) {
      const k = connectionKeyOf(s);
      if (next.size < MAX_KNOWN_CONNECTIONS) next.add(k);
      if (!seen.has(k)) fresh.push(s);
    }
    this.connections = next;
    let n = 0;
    let users: Map<number, string> | undefined;
    for (const s of fresh) {
      const fields: Record<string, unknown> = {
        type: 'connection_new',
        protocol: 'tcp',
        state: s.state === 'ESTABLISHED' ? 'established' : 'connecting',
        family: s.family === 10 ? 'ipv6' : 'ipv4',
        local_address: s.localAddress,
        local_port: s.localPort,
        remote_ip: s.remoteAddress,
        remote_port: s.remotePort,
        at_start: atStart,
      };
      if (this.options.rules && !this.options.rules.mayMatch(fields, PROCESS_FIELDS)) continue;
      if (!this.options.budget.admit()) continue;
      const pid = socketHolder(this.options.root, s.inode);
      const proc = pid === null ? undefined : processRow(this.options.root, pid);
      const uid = proc?.uid === undefined || proc.uid === null ? null : Number(proc.uid);
      if (uid !== null && !users) {
        users = new Map();
        for (const u of readPasswd(collectorContext(this.options.root)))
          if (!users.has(u.uid)) users.set(u.uid, u.username);
      }
      const user = uid === null ? null : (users?.get(uid) ?? String(uid));
      Object.assign(fields, {
        pid,
        process: proc?.name ?? null,
        exe: proc?.path ?? null,
        uid,
        user,
        cmdline: proc ? String(proc.cmdline ?? '').slice(0, 2048) : null,
      });
      const peer = `${bracketed(s, s.remoteAddress)}:${s.remotePort}`;
      this.options.sink({
        monitor: 'network',
        at: Date.now(),
        fields,
        summary: `${peer}${proc ? ` (${proc.name}, pid ${pid}${user ? `, user ${user}` : ''})` : ''}`,
        context: {
          peer: { ip: s.remoteAddress, port: s.remotePort },
          connection: {
            protocol: 'tcp',
            state: fields.state,
            local_address: s.localAddress,
            local_port: s.localPort,
            socket: s.inode,
          },
          ...(proc
            ? {
                process_tree: [
                  {
                    pid,
                    name: proc.name,
                    exe: proc.path,
                    cmdline: fields.cmdline,
                    uid,
                    user,
                  },
                ],
              }
            : {}),
        },
      });
      n += 1;
    }
    return n;
  }

  private scanListeners(): number {
    const now = this.listeners();
    const fresh = now.filter((s) => !this.known.has(keyOf(s)));
    this.known = new Set(now.map(keyOf).slice(0, MAX_KNOWN));
    if (fresh.length === 0) return 0;
    const owners = new Map<number, number>();
    for (const row of listeningPorts.collect(collectorContext(this.options.root))) {
      if (Number(row.pid) > 0) owners.set(Number(row.socket), Number(row.pid));
    }
    let n = 0;
    for (const s of fresh) {
      if (!this.options.budget.admit()) continue;
      const pid = owners.get(s.inode) ?? null;
      const proc = pid === null ? undefined : processRow(this.options.root, pid);
      const protocol = s.protocol === 6 ? 'tcp' : 'udp';
      const all = s.localAddress === '0.0.0.0' || s.localAddress === '::';
      this.options.sink({
        monitor: 'network',
        at: Date.now(),
        fields: {
          type: 'listener_new',
          protocol,
          address: s.localAddress,
          port: s.localPort,
          family: s.family === 10 ? 'ipv6' : 'ipv4',
          all_interfaces: all,
          pid,
          process: proc?.name ?? null,
          exe: proc?.path ?? null,
        },
        summary: `${protocol} ${s.family === 10 ? `[${s.localAddress}]` : s.localAddress}:${s.localPort}${proc ? ` (${proc.name}, pid ${pid})` : ''}`,
        context: {
          listener: { protocol, address: s.localAddress, port: s.localPort, socket: s.inode },
          ...(proc
            ? {
                process_tree: [
                  {
                    pid,
                    name: proc.name,
                    exe: proc.path,
                    cmdline: String(proc.cmdline ?? '').slice(0, 2048),
                    uid: proc.uid,
                  },
                ],
              }
            : {}),
        },
      });
      n += 1;
    }
    return n;
  }
}
