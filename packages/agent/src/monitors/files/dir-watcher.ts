/**
 * inotify on directories through fs.watch: one watch per directory (not per file, as chokidar
 * keeps), down to a depth, each event naming the entry that changed. New subdirectories within the
 * depth are watched as they appear, and the files already in them are reported; a directory that
 * goes away loses its watch. Bounded: at most MAX_DIRS directories. A directory flooding the
 * monitors with events (more a second than pauseAbove) has its watch paused for PAUSE_MS and is then
 * watched again with its entries handed to onRecheck: the kernel stops waking the agent for each
 * change, and what changed meanwhile is still seen.
 */
import { type FSWatcher, lstatSync, readdirSync, watch } from 'node:fs';
import { join } from 'node:path';

/** Directories watched at most (each costs one inotify watch). */
export const MAX_DIRS = 4096;
/** How long a flooding directory's watch is paused. */
export const PAUSE_MS = 30_000;

/** Options of a directory watcher. */
export interface DirWatcherOptions {
  /** Events a second above which a directory's watch is paused (null: never). */
  pauseAbove?: () => number | null;
  /** Told when a directory's watch is paused. */
  onPause?: (dir: string) => void;
  /** How long a flooding directory's watch is paused (default PAUSE_MS). */
  pauseMs?: number;
  /** Told each entry of a directory whose paused watch resumes (default: the change callback). */
  onRecheck?: (path: string) => void;
}

/** What to do with the entries already in a directory when its watch starts. */
type Existing = 'ignore' | 'report' | 'recheck';

/** Watches directory trees and reports the paths of entries that changed. */
export class DirWatcher {
  private readonly watchers = new Map<string, { watcher: FSWatcher; depth: number }>();
  /** Directories not watched because MAX_DIRS was reached. */
  skipped = 0;

  private readonly rates = new Map<string, { second: number; n: number }>();
  private readonly paused = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly onPath: (path: string) => void,
    private readonly onError: (dir: string, error: unknown) => void,
    private readonly options: DirWatcherOptions = {},
  ) {}

  /** Count an event of `dir`; pause its watch when it floods. Returns false when paused. */
  private count(dir: string, depth: number): boolean {
    const limit = this.options.pauseAbove?.() ?? null;
    if (limit === null) return true;
    const second = Math.floor(Date.now() / 1000);
    const r = this.rates.get(dir);
    if (!r || r.second !== second) {
      this.rates.set(dir, { second, n: 1 });
      return true;
    }
    r.n += 1;
    if (r.n <= limit) return true;
    const w = this.watchers.get(dir);
    w?.watcher.close();
    this.watchers.delete(dir);
    this.rates.delete(dir);
    this.options.onPause?.(dir);
    const timer = setTimeout(() => {
      this.paused.delete(dir);
      this.add(dir, depth, 'recheck');
    }, this.options.pauseMs ?? PAUSE_MS);
    timer.unref();
    this.paused.set(dir, timer);
    return false;
  }

  /** Watch `dir` and its subdirectories down to `depth` levels (0: its own entries only). */
  add(dir: string, depth: number, existing: Existing = 'ignore'): void {
    const known = this.watchers.get(dir);
    if (known && known.depth >= depth) return;
    known?.watcher.close();
    if (!known && this.watchers.size >= MAX_DIRS) {
      this.skipped += 1;
      return;
    }
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || !this.count(dir, depth)) return;
        const path = join(dir, name.toString());
        this.onPath(path);
        if (depth > 0) this.maybeDirectory(path, depth - 1);
      });
    } catch (error) {
      this.onError(dir, error);
      return;
    }
    watcher.on('error', (error) => {
      this.remove(dir);
      this.onError(dir, error);
    });
    this.watchers.set(dir, { watcher, depth });
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    const recheck = this.options.onRecheck ?? this.onPath;
    for (const name of names) {
      const path = join(dir, name);
      if (existing === 'report') this.onPath(path);
      else if (existing === 'recheck') recheck(path);
      if (depth > 0) this.maybeDirectory(path, depth - 1, existing);
    }
  }

  /** A path that may be a new subdirectory (watch it and report what is already in it) or a removed one. */
  private maybeDirectory(path: string, depth: number, existing: Existing = 'report'): void {
    try {
      const st = lstatSync(path);
      if (st.isDirectory() && !st.isSymbolicLink()) this.add(path, depth, existing);
    } catch {
      this.remove(path);
    }
  }

  private remove(dir: string): void {
    for (const [d, w] of this.watchers) {
      if (d === dir || d.startsWith(`${dir}/`)) {
        w.watcher.close();
        this.watchers.delete(d);
      }
    }
  }

  /** Directories watched now. */
  size(): number {
    return this.watchers.size;
  }

  /** Directories whose watch is paused now. */
  pausedCount(): number {
    return this.paused.size;
  }

  /** Stop every watch. */
  close(): void {
    for (const w of this.watchers.values()) w.watcher.close();
    this.watchers.clear();
    for (const t of this.paused.values()) clearTimeout(t);
    this.paused.clear();
  }
}
