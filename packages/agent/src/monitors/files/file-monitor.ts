/**
 * The file monitor: inotify (fs.watch on directories, no polling) on the watch list under an
 * injectable root. Each change becomes an event with the path, the kind of change, old and new SHA-256,
 * owner, mode, size and, for small text files, a unified diff against the last content seen.
 * Touches that change nothing are not reported. Work per event is bounded by the shared budget:
 * over budget, events are sampled, large files are not hashed and diffs are skipped.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { posix, relative } from 'node:path';
import type { MonitorNameT } from '@vigil/protocol';
import { globToRegExp } from '../../actions/glob.js';
import { readPasswd } from '../../tables/collectors/passwd.js';
import { resolveIn } from '../../tables/fs-helpers.js';
import type { MonitorBudget } from '../budget.js';
import { collectorContext } from '../collector-context.js';
import type { EventSink, Monitor } from '../types.js';
import { DirWatcher, PAUSE_MS } from './dir-watcher.js';
import { contentPolicy, maskHashes } from './secrets.js';
import { type FileSnapshot, octalMode, readSnapshot } from './snapshot.js';
import { unifiedDiff } from './unified-diff.js';
import { DEFAULT_IGNORE, entryFor, type WatchEntry } from './watch-list.js';

/** Files the baseline reads at most (a huge cron spool must not stall the start). */
const MAX_BASELINE_FILES = 5000;
/** Text kept for diffs, in all (bytes). */
const MAX_CONTENT_BYTES = 8 * 1024 * 1024;
/** Paths whose coverage (entry or none) is cached for the event hot path. */
const MAX_COVERED = 50_000;
/** Paths remembered as existing in binary directories (whose files are not read at start). */
const MAX_KNOWN = 100_000;
/** Files of resumed directories waiting for their re-check, at most (more are counted as dropped). */
const MAX_RECHECKS = 50_000;
/** How often waiting re-checks are started, each time a tenth of a second's admitted events. */
const RECHECK_TICK_MS = 100;

/** Options of the file monitor. */
export interface FileMonitorOptions {
  /** Filesystem root the logical paths live under ("/" on a host, a fixture tree in tests). */
  root: string;
  entries: readonly WatchEntry[];
  /** Glob patterns of paths never reported (a pattern without "/" matches the file name). */
  ignore?: readonly string[];
  budget: MonitorBudget;
  sink: EventSink;
  log: { warn(obj: object, msg?: string): void };
  /** How long a directory flooding the monitor while it sheds load is not watched (default 30 s; tests). */
  pauseMs?: number;
}

type ChangeKind = 'created' | 'modified' | 'deleted' | 'attributes';

/** Watches files and reports changes. */
export class FileMonitor implements Monitor {
  readonly name: MonitorNameT = 'files';
  private watcher: DirWatcher | undefined;
  /** Files of binary directories seen to exist (their deletion is reported without a snapshot). */
  private readonly known = new Set<string>();
  /** Paths with a check queued and not started yet: a burst of events on one file is one check. */
  private readonly queued = new Set<string>();
  private readonly covered = new Map<string, WatchEntry | null>();
  private readonly snapshots = new Map<string, FileSnapshot>();
  private contentBytes = 0;
  private readonly chains = new Map<string, Promise<void>>();
  /** Files of directories whose paused watch resumed, to be checked at the admitted rate, in order. */
  private readonly rechecks = new Set<string>();
  private recheckTimer: NodeJS.Timeout | undefined;
  private readonly ignore: RegExp[];
  private readonly ignoreNames: RegExp[];
  private owners = new Map<number, string>();
  private stopped = false;

  constructor(private readonly options: FileMonitorOptions) {
    const patterns = [...DEFAULT_IGNORE, ...(options.ignore ?? [])];
    this.ignore = patterns.filter((p) => p.includes('/')).map(globToRegExp);
    this.ignoreNames = patterns.filter((p) => !p.includes('/')).map(globToRegExp);
  }

  /** The logical path of a physical one (the inverse of resolveIn). */
  private logical(physical: string): string {
    if (this.options.root === '/') return physical;
    const root = this.options.root.replace(/\/+$/, '');
    // Events come from directories under the root: a prefix cut, not path.relative, on the hot path.
    if (physical.startsWith(`${root}/`)) return physical.slice(root.length);
    return `/${relative(this.options.root, physical).split('\\').join('/')}`;
  }

  /** The entry covering a path, or null when it is not reported (not watched, or ignored); cached. */
  private coverage(path: string): WatchEntry | null {
    const cached = this.covered.get(path);
    if (cached !== undefined) return cached;
    const entry = entryFor(this.options.entries, path);
    const result = entry && !this.ignored(path) ? entry : null;
    if (this.covered.size >= MAX_COVERED) this.covered.clear();
    this.covered.set(path, result);
    return result;
  }

  private ignored(path: string): boolean {
    const name = posix.basename(path);
    return this.ignoreNames.some((re) => re.test(name)) || this.ignore.some((re) => re.test(path));
  }

  private refreshOwners(): void {
    // The first name of a uid is its owner: a second UID-0 line must not rename root's files.
    this.owners = new Map();
    for (const u of readPasswd(collectorContext(this.options.root)))
      if (!this.owners.has(u.uid)) this.owners.set(u.uid, u.username);
  }

  private keepContent(entry: WatchEntry, path: string): boolean {
    return (
      entry.category !== 'binaries' &&
      contentPolicy(path, entry.category) !== 'withhold' &&
      this.contentBytes < MAX_CONTENT_BYTES
    );
  }

  /** Read a snapshot; the text of files with password hashes is kept with the hashes masked. */
  private async snapshot(physical: string, path: string, entry: WatchEntry): Promise<FileSnapshot | null> {
    const s = await readSnapshot(physical, {
      hashLimit: this.options.budget.hashLimitBytes(),
      keepContent: this.keepContent(entry, path),
    });
    if (s?.content !== undefined && contentPolicy(path, entry.category) === 'mask_hashes')
      s.content = maskHashes(s.content);
    return s;
  }

  private remember(path: string, s: FileSnapshot | null): void {
    const prev = this.snapshots.get(path);
    if (prev?.content !== undefined) this.contentBytes -= prev.content.length;
    if (s === null) {
      this.snapshots.delete(path);
      return;
    }
    if (s.content !== undefined) this.contentBytes += s.content.length;
    this.snapshots.set(path, s);
  }

  /** Files below a directory entry, as deep as it watches (the baseline). */
  private listFiles(dir: string, depth: number, out: string[]): void {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (out.length >= MAX_BASELINE_FILES) return;
      const p = posix.join(dir, name);
      try {
        const st = statSync(p);
        if (st.isFile()) out.push(p);
        else if (st.isDirectory() && depth > 0) this.listFiles(p, depth - 1, out);
      } catch {
        // gone meanwhile
      }
    }
  }

  /** Read the baseline and start watching; resolves when the watchers are ready. */
  async start(): Promise<void> {
    this.stopped = false;
    this.refreshOwners();
    const byDepth = new Map<number, Set<string>>();
    const add = (physicalDir: string, depth: number) => {
      let real: string;
      try {
        real = realpathSync(physicalDir);
        if (!statSync(real).isDirectory()) return;
      } catch {
        return;
      }
      const set = byDepth.get(depth) ?? new Set<string>();
      set.add(real);
      byDepth.set(depth, set);
    };
    const baseline: Array<{ physical: string; entry: WatchEntry }> = [];
    for (const entry of this.options.entries) {
      const physical = resolveIn(this.options.root, entry.path);
      if (entry.type === 'file') {
        add(posix.dirname(physical), 0);
        baseline.push({ physical, entry });
      } else {
        add(physical, entry.depth ?? 0);
        if (entry.category === 'binaries') {
          try {
            for (const name of readdirSync(physical)) {
              if (this.known.size >= MAX_KNOWN) break;
              this.known.add(this.logical(posix.join(physical, name)));
            }
          } catch {
            // no such directory here
          }
        } else {
          const files: string[] = [];
          this.listFiles(physical, entry.depth ?? 0, files);
          for (const f of files) baseline.push({ physical: f, entry });
        }
      }
    }
    for (const { physical, entry } of baseline.slice(0, MAX_BASELINE_FILES)) {
      const s = await this.snapshot(physical, this.logical(physical), entry);
      if (s) this.remember(this.logical(physical), s);
    }
    const budget = this.options.budget;
    const watcher = new DirWatcher(
      (p) => this.enqueue(p),
      (dir, err) => this.options.log.warn({ err: String(err), dir }, 'cannot watch a directory'),
      {
        // A directory sending more events a second than the monitors admit at all would have the
        // rest dropped; unwatched for a while and then re-checked, its changes are still seen, and
        // the kernel stops waking the agent for each one (also within budget: the budget is only
        // measured every few seconds, and a 10,000-a-second flood costs a core meanwhile).
        pauseAbove: () => budget.eventRate(),
        onPause: (dir) => {
          budget.watchPaused(this.logical(dir), this.options.pauseMs ?? PAUSE_MS);
          this.options.log.warn(
            { dir, pause_ms: this.options.pauseMs ?? PAUSE_MS, events_per_second: budget.eventRate() },
            'a directory floods the file monitor: not watched for a while, then each of its files re-checked',
          );
        },
        onRecheck: (p) => this.recheck(p),
        pauseMs: this.options.pauseMs,
      },
    );
    for (const [depth, dirs] of byDepth) for (const dir of dirs) watcher.add(dir, depth);
    this.watcher = watcher;
  }

  /** Stop watching. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = undefined;
    clearTimeout(this.recheckTimer);
    this.recheckTimer = undefined;
    this.rechecks.clear();
    await this.idle();
  }

  /** Resolves when every event seen so far, and every re-check waiting, has been handled (tests). */
  async idle(): Promise<void> {
    while (this.chains.size > 0 || this.rechecks.size > 0) {
      if (this.chains.size > 0) await Promise.all([...this.chains.values()]);
      else await new Promise((r) => setTimeout(r, RECHECK_TICK_MS));
    }
  }

  /**
   * A file of a directory whose paused watch resumed: its changes while unwatched raised no event,
   * so this check is the only one that sees them. It waits its turn instead of going through the
   * admission of events (which would drop it while shedding); the waiting ones start at the
   * admitted rate, so a large directory is re-checked over a few seconds, not in one burst.
   */
  private recheck(physical: string): void {
    if (this.stopped) return;
    if (this.rechecks.size >= MAX_RECHECKS && !this.rechecks.has(physical)) {
      this.options.budget.note('events_dropped');
      return;
    }
    this.rechecks.add(physical);
    if (!this.recheckTimer) this.recheckTimer = setTimeout(() => this.startRechecks(), 0);
  }

  private startRechecks(): void {
    this.recheckTimer = undefined;
    let n = Math.max(1, Math.ceil((this.options.budget.eventRate() * RECHECK_TICK_MS) / 1000));
    for (const physical of this.rechecks) {
      if (n-- <= 0) break;
      this.rechecks.delete(physical);
      this.enqueue(physical, true);
    }
    if (this.rechecks.size > 0 && !this.stopped) {
      this.recheckTimer = setTimeout(() => this.startRechecks(), RECHECK_TICK_MS);
      this.recheckTimer.unref();
    }
  }

  /** Events of one path are handled in order, a burst of them as one check; different paths in parallel. */
  private enqueue(physical: string, recheck = false): void {
    if (this.stopped) return;
    const path = this.logical(physical);
    // A check already queued for this path will see this change too: the cheapest test first.
    if (this.queued.has(path)) return;
    const entry = this.coverage(path);
    if (!entry || (!recheck && !this.options.budget.admit())) return;
    this.queued.add(path);
    const prior = this.chains.get(path) ?? Promise.resolve();
    const next = prior
      .then(() => {
        this.queued.delete(path);
        return this.handle(physical, path, entry);
      })
      .catch((err: unknown) => this.options.log.warn({ err: String(err), path }, 'file event failed'))
      .finally(() => {
        if (this.chains.get(path) === next) this.chains.delete(path);
      });
    this.chains.set(path, next);
  }

  private async handle(physical: string, path: string, entry: WatchEntry): Promise<void> {
    const budget = this.options.budget;
    const prev = this.snapshots.get(path);
    const now = await this.snapshot(physical, path, entry);
    if (now && now.sha256 === null && budget.shedding) budget.note('hashes_skipped');
    let kind: ChangeKind;
    if (!now) {
      // Gone: a deletion if it was there (a snapshot, or a known binary); else a passing temp file or a directory.
      if (!prev && !this.known.has(path)) return;
      kind = 'deleted';
      this.known.delete(path);
    } else if (!prev && !(entry.category === 'binaries' && this.known.has(path))) kind = 'created';
    else if (!prev) kind = 'modified';
    else if (now.sha256 !== null && now.sha256 === prev.sha256 && now.size === prev.size) {
      if (now.mode === prev.mode && now.uid === prev.uid && now.gid === prev.gid) {
        this.remember(path, now);
        return;
      }
      kind = 'attributes';
    } else kind = 'modified';
    let diff: string | undefined;
    if (now?.content !== undefined && kind !== 'attributes') {
      if (budget.diffLimitBytes() >= now.size)
        diff = await unifiedDiff(path, prev?.content ?? '', now.content);
      else budget.note('diffs_skipped');
    } else if (kind === 'deleted' && prev?.content !== undefined && budget.diffLimitBytes() >= prev.size) {
      diff = await unifiedDiff(path, prev.content, '');
    }
    // Binaries are not read at start: remember the ones seen since (hashes only, no content).
    if (entry.category === 'binaries' && now && this.known.size < MAX_KNOWN) this.known.add(path);
    this.remember(path, now);
    if (entry.category === 'accounts' && posix.basename(path) === 'passwd') this.refreshOwners();
    const st = now ?? prev;
    const file = {
      path,
      change: kind,
      old_sha256: prev?.sha256 ?? null,
      new_sha256: now?.sha256 ?? null,
      size: st?.size ?? null,
      mode: st ? octalMode(st.mode) : null,
      uid: st?.uid ?? null,
      gid: st?.gid ?? null,
      owner: st ? (this.owners.get(st.uid) ?? String(st.uid)) : null,
      ...(diff !== undefined ? { diff } : {}),
      ...(budget.shedding ? { shed: 'over budget: large files not hashed, no diffs' } : {}),
    };
    this.options.sink({
      monitor: 'files',
      at: Date.now(),
      fields: {
        type: 'file_changed',
        kind,
        path,
        dir: posix.dirname(path),
        name: posix.basename(path),
        category: entry.category,
        size: file.size,
        mode: file.mode,
        uid: file.uid,
        owner: file.owner,
        suid: st ? (st.mode & 0o4000) !== 0 : false,
        sgid: st ? (st.mode & 0o2000) !== 0 : false,
        old_sha256: file.old_sha256,
        new_sha256: file.new_sha256,
      },
      summary: `${path} ${kind}`,
      context: { file },
    });
  }
}
