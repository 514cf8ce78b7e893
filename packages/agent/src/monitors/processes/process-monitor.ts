/**
 * The process monitor: new processes seen within a second by listing /proc (one readdir per scan;
 * only new pids are read, through the processes table's collector), each with the fields the
 * process rules match — executable deleted or in a temporary directory, known-bad names and
 * hashes, an interpreter with a socket on stdin/stdout and its peer, a kernel-thread name on a
 * process with an executable — and the process tree (users, command lines, hashes) as context.
 * No kernel event interface without a native build: polling /proc is the portable way here.
 */
import { readdirSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import type { MonitorNameT } from '@vigil/protocol';
import { sha256File } from '../../actions/hash-file.js';
import { readPasswd } from '../../tables/collectors/passwd.js';
import { readNetSockets } from '../../tables/collectors/proc-net.js';
import { processes } from '../../tables/collectors/processes.js';
import { readLink, resolveIn } from '../../tables/fs-helpers.js';
import type { Row } from '../../tables/types.js';
import type { MonitorBudget } from '../budget.js';
import { collectorContext } from '../collector-context.js';
import type { EventSink, Monitor } from '../types.js';

/** New processes examined per scan at most (the rest are counted as dropped). */
const MAX_NEW_PER_SCAN = 500;
/** Levels of parents in the process tree of an alert. */
const TREE_DEPTH = 6;
/** Executable hashes remembered (by path, inode and modification time). */
const MAX_HASHES = 2000;
const COLUMNS = ['pid', 'name', 'path', 'cmdline', 'uid', 'parent'];

/** Options of the process monitor. */
export interface ProcessMonitorOptions {
  root: string;
  budget: MonitorBudget;
  sink: EventSink;
  log: { warn(obj: object, msg?: string): void };
  /** Scan interval (default 1 s; the budget widens it while shedding). */
  intervalMs?: number;
}

/** `python3.11` → `python3`, `bash-5.2` → `bash`: names the interpreter rules list. */
export function nameBase(name: string): string {
  return name.toLowerCase().replace(/(?:[.-]\d+)+$/, '');
}

/** Watches for new processes. */
export class ProcessMonitor implements Monitor {
  readonly name: MonitorNameT = 'processes';
  private known = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private users = new Map<number, string>();
  private readonly hashes = new Map<string, string>();
  private scanning = false;
  private scansSinceUsers = 0;
  private stopped = true;

  constructor(private readonly options: ProcessMonitorOptions) {}

  private pids(): number[] {
    try {
      return readdirSync(resolveIn(this.options.root, '/proc'))
        .filter((n) => n.charCodeAt(0) >= 48 && n.charCodeAt(0) <= 57)
        .map(Number);
    } catch {
      return [];
    }
  }

  /** Take the processes running now as known, then scan on the interval. */
  async start(): Promise<void> {
    this.stopped = false;
    this.known = new Set(this.pids());
    this.refreshUsers();
    this.schedule();
  }

  /** Stop scanning. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.scanning) await new Promise((r) => setTimeout(r, 10));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        void this.scan().finally(() => this.schedule());
      },
      this.options.budget.scanIntervalMs(this.options.intervalMs ?? 1000),
    );
    this.timer.unref();
  }

  private refreshUsers(): void {
    this.users = new Map();
    for (const u of readPasswd(collectorContext(this.options.root)))
      if (!this.users.has(u.uid)) this.users.set(u.uid, u.username);
  }

  /** One scan: report the processes that appeared since the last one (public for tests). */
  async scan(): Promise<number> {
    if (this.scanning) return 0;
    this.scanning = true;
    try {
      const now = this.pids();
      const fresh = now.filter((p) => !this.known.has(p));
      this.known = new Set(now);
      if (fresh.length === 0) return 0;
      // Names of users created since the start (a new account's first process).
      if (++this.scansSinceUsers >= 60) {
        this.scansSinceUsers = 0;
        this.refreshUsers();
      }
      const admitted = fresh.slice(0, MAX_NEW_PER_SCAN).filter(() => this.options.budget.admit());
      const rows = this.read(admitted);
      const byPid = new Map(rows.map((r) => [Number(r.pid), r]));
      let reported = 0;
      for (const row of rows) {
        await this.report(row, byPid);
        reported += 1;
      }
      return reported;
    } finally {
      this.scanning = false;
    }
  }

  private read(pids: number[]): Row[] {
    if (pids.length === 0) return [];
    return [...processes.collect(collectorContext(this.options.root, { pid: pids }, COLUMNS))];
  }

  /** The hash of an executable, remembered by path, inode, size and modification time. */
  private async hash(exe: string): Promise<string | null> {
    const physical = resolveIn(this.options.root, exe);
    let id: string;
    try {
      const st = statSync(physical);
      if (st.size > this.options.budget.hashLimitBytes()) {
        if (this.options.budget.shedding) this.options.budget.note('hashes_skipped');
        return null;
      }
      id = `${exe}\u0000${st.ino}\u0000${st.size}\u0000${st.mtimeMs}`;
    } catch {
      return null;
    }
    const known = this.hashes.get(id);
    if (known) return known;
    try {
      const h = await sha256File(physical);
      if (this.hashes.size >= MAX_HASHES) this.hashes.clear();
      this.hashes.set(id, h);
      return h;
    } catch {
      return null;
    }
  }

  /**
   * Whether a process's terminal is a socket — its stdin and its stdout or stderr, the shape of a
   * reverse shell — and who is at the other end. A service started by systemd has stdin on
   * /dev/null and stdout on the journal's socket: not a socket terminal, and no socket tables read.
   */
  private stdioPeer(pid: number): { socket: boolean; ip?: string; port?: number } {
    const ctx = collectorContext(this.options.root);
    const inode = (fd: number): number | null => {
      const link = readLink(ctx, `/proc/${pid}/fd/${fd}`);
      const m = link ? /^socket:\[(\d+)\]$/.exec(link) : null;
      return m ? Number(m[1]) : null;
    };
    const stdin = inode(0);
    if (stdin === null) return { socket: false };
    const inodes = [stdin, inode(1), inode(2)].filter((i): i is number => i !== null);
    if (inodes.length < 2) return { socket: false };
    // Only the lines of these sockets are decoded: a busy host lists thousands of others.
    const selection = { withUnix: false, inodes: new Set(inodes) };
    for (const s of readNetSockets(ctx, `/proc/${pid}/net`, selection)) {
      if (s.remotePort !== 0) return { socket: true, ip: s.remoteAddress, port: s.remotePort };
    }
    // A unix socket pair or an unconnected socket: still a socket terminal, no network peer to name.
    return { socket: true };
  }

  /** The process and its parents: pid, name, user, command line, executable and its hash. */
  private async tree(row: Row, byPid: Map<number, Row>): Promise<Array<Record<string, unknown>>> {
    const out: Array<Record<string, unknown>> = [];
    let current: Row | undefined = row;
    for (let depth = 0; current && depth < TREE_DEPTH; depth++) {
      const exe = String(current.path ?? '');
      out.push({
        pid: Number(current.pid),
        ppid: Number(current.parent ?? 0),
        name: current.name,
        user: this.users.get(Number(current.uid)) ?? String(current.uid ?? ''),
        uid: current.uid,
        cmdline: String(current.cmdline ?? '').slice(0, 2048),
        exe,
        sha256: depth === 0 && exe ? await this.hash(exe) : null,
      });
      const parent: number = Number(current.parent ?? 0);
      if (parent <= 1) break;
      current = byPid.get(parent) ?? this.read([parent])[0];
    }
    return out;
  }

  private async report(row: Row, byPid: Map<number, Row>): Promise<void> {
    const pid = Number(row.pid);
    const name = String(row.name ?? '');
    const exe = String(row.path ?? '');
    const link = readLink(collectorContext(this.options.root), `/proc/${pid}/exe`) ?? '';
    const cmdline = String(row.cmdline ?? '');
    const tree = await this.tree(row, byPid);
    const sha256 = (tree[0]?.sha256 as string | null | undefined) ?? null;
    const base = nameBase(name);
    const peer = this.stdioPeer(pid);
    const uid = row.uid === null || row.uid === undefined ? null : Number(row.uid);
    const fields = {
      type: 'process_started',
      pid,
      ppid: Number(row.parent ?? 0),
      name,
      name_lower: name.toLowerCase(),
      name_base: base,
      exe,
      exe_name_lower: posix.basename(exe).toLowerCase(),
      exe_dir: exe ? posix.dirname(exe) : '',
      exe_deleted: link.endsWith(' (deleted)'),
      cmdline: cmdline.slice(0, 4096),
      uid,
      user: uid === null ? null : (this.users.get(uid) ?? String(uid)),
      sha256,
      stdio_socket: peer.socket,
      peer_ip: peer.ip ?? null,
      peer_port: peer.port ?? null,
      // Kernel threads have neither an executable nor a command line; a "[name]" with both is a disguise.
      fake_kernel_thread: exe !== '' && /^\[[^\]]+\](\s|$)/.test(cmdline.trim() || name),
      parent_name: tree[1]?.name ?? null,
    };
    this.options.sink({
      monitor: 'processes',
      at: Date.now(),
      fields,
      summary: `${name} (pid ${pid}${exe ? `, ${exe}` : ''}${fields.user ? `, user ${fields.user}` : ''})`,
      context: {
        process_tree: tree,
        ...(peer.ip ? { peer: { ip: peer.ip, port: peer.port ?? null } } : {}),
      },
    });
  }
}
