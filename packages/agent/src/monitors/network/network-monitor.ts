/**
 * The network monitor: new listening sockets. Each scan reads only the listening part of the
 * agent's network namespace's socket tables (cheap); when a new listener appears, the
 * listening_ports collector finds the process holding it. A listener bound to every interface
 * (0.0.0.0 or ::) is marked, so a rule can tell a local-only service from an exposed one.
 */
import type { MonitorNameT } from '@vigil/protocol';
import { listeningPorts } from '../../tables/collectors/listening-ports.js';
import { type NetSocket, readNetSockets } from '../../tables/collectors/proc-net.js';
import { processes } from '../../tables/collectors/processes.js';
import type { MonitorBudget } from '../budget.js';
import { collectorContext } from '../collector-context.js';
import type { EventSink, Monitor } from '../types.js';

/** Listeners remembered at most (a host with more is unusual; the rest are still reported once). */
const MAX_KNOWN = 20_000;

/** Options of the network monitor. */
export interface NetworkMonitorOptions {
  root: string;
  budget: MonitorBudget;
  sink: EventSink;
  log: { warn(obj: object, msg?: string): void };
  /** Scan interval (default 5 s; widened while shedding). */
  intervalMs?: number;
}

function isListening(s: NetSocket): boolean {
  return s.protocol === 6 ? s.state === 'LISTEN' : s.localPort !== 0 && s.remotePort === 0;
}

const keyOf = (s: NetSocket) => `${s.protocol}:${s.localAddress}:${s.localPort}`;

/** Watches for new listeners. */
export class NetworkMonitor implements Monitor {
  readonly name: MonitorNameT = 'network';
  private known = new Set<string>();
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

  /** One scan: report listeners that appeared since the last one (public for tests). */
  scan(): number {
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
      const proc =
        pid === null
          ? undefined
          : [
              ...processes.collect(
                collectorContext(this.options.root, { pid: [pid] }, [
                  'pid',
                  'name',
                  'path',
                  'cmdline',
                  'uid',
                ]),
              ),
            ][0];
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
