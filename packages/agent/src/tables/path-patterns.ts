import { posix } from 'node:path';
import { existsIn, listEntries, statSafe } from './fs-helpers.js';
import type { TableContext } from './types.js';

/** Bounds on a filesystem walk. */
export interface WalkLimits {
  /** Deepest level `%%` descends below where it starts. */
  maxDepth: number;
  /** Paths produced before the walk stops (with a warning). */
  maxPaths: number;
}

/** Default walk bounds for file, hash, file_lines and file_content_scan. */
export const DEFAULT_WALK_LIMITS: WalkLimits = { maxDepth: 16, maxPaths: 100_000 };

/** Pseudo filesystems a recursive walk never enters unless the pattern names them. */
const PSEUDO = ['/proc', '/sys', '/dev'];

function segmentRegex(segment: string): RegExp {
  const body = segment
    .split('')
    .map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

function isPseudo(path: string): boolean {
  return PSEUDO.some((p) => path === p || path.startsWith(`${p}/`));
}

class Walk {
  readonly found = new Set<string>();
  stopped = false;

  constructor(
    private readonly ctx: TableContext,
    private readonly limits: WalkLimits,
    private readonly allowPseudo: boolean,
  ) {}

  add(path: string): void {
    if (this.stopped) return;
    if (this.found.size >= this.limits.maxPaths) {
      this.stopped = true;
      this.ctx.warn(`stopped after ${this.limits.maxPaths} paths (walk limit)`);
      return;
    }
    this.found.add(path);
  }

  isDir(path: string): boolean {
    return statSafe({ ...this.ctx, warn: () => {} }, path, false)?.isDirectory() === true;
  }

  match(dir: string, segments: string[], index: number): void {
    if (this.stopped) return;
    const segment = segments[index];
    if (segment === undefined) return;
    const last = index === segments.length - 1;
    if (segment === '%%' && last) {
      this.recurse(dir, 1);
      return;
    }
    if (!/[%_]/.test(segment)) {
      const next = posix.join(dir, segment);
      if (last) {
        if (existsIn(this.ctx, next)) this.add(next);
      } else {
        this.match(next, segments, index + 1);
      }
      return;
    }
    const re = segmentRegex(segment.replaceAll('%%', '%'));
    for (const entry of listEntries(this.ctx, dir)) {
      if (!re.test(entry.name)) continue;
      const next = posix.join(dir, entry.name);
      if (last) this.add(next);
      else if (entry.isDirectory()) this.match(next, segments, index + 1);
    }
  }

  recurse(dir: string, depth: number): void {
    if (depth > this.limits.maxDepth) {
      this.ctx.warn(`did not descend below ${dir} (depth limit ${this.limits.maxDepth})`);
      return;
    }
    for (const entry of listEntries(this.ctx, dir)) {
      if (this.stopped) return;
      const next = posix.join(dir, entry.name);
      if (!this.allowPseudo && isPseudo(next)) continue;
      this.add(next);
      if (entry.isDirectory()) this.recurse(next, depth + 1);
    }
  }
}

/**
 * Expands osquery-style LIKE patterns into existing paths: `%` and `_` match within one path
 * level, a final `%%` matches everything below (bounded; /proc, /sys and /dev are entered only
 * when the pattern's literal part names them). Matching is case-sensitive.
 */
export function expandPattern(ctx: TableContext, pattern: string, limits = DEFAULT_WALK_LIMITS): string[] {
  if (!pattern.startsWith('/')) {
    ctx.warn(`ignored the pattern "${pattern}": only absolute paths are supported`);
    return [];
  }
  const segments = pattern.split('/').filter((s) => s !== '');
  const literal = `/${segments
    .slice(
      0,
      segments.findIndex((s) => /[%_]/.test(s)),
    )
    .join('/')}`;
  const walk = new Walk(ctx, limits, isPseudo(literal));
  if (segments.length === 0) walk.add('/');
  walk.match('/', segments, 0);
  return [...walk.found];
}

/** The entries of a directory as absolute paths (sorted), for `directory = '…'` constraints. */
export function directoryEntries(ctx: TableContext, dir: string): string[] {
  if (!dir.startsWith('/')) {
    ctx.warn(`ignored the directory "${dir}": only absolute paths are supported`);
    return [];
  }
  return listEntries(ctx, dir).map((e) => posix.join(dir, e.name));
}

/**
 * The paths a query's hints select for a path/directory table: `path = …`, `path LIKE …`,
 * `directory = …`, `directory LIKE …` (each directory contributes its direct entries). Sorted, unique.
 */
export function pathsFromHints(ctx: TableContext, limits = DEFAULT_WALK_LIMITS): string[] {
  const out = new Set<string>();
  for (const p of ctx.hints.equals.get('path') ?? []) {
    if (typeof p !== 'string' || !p.startsWith('/')) {
      ctx.warn(`ignored the path "${String(p)}": only absolute paths are supported`);
      continue;
    }
    if (existsIn(ctx, p)) out.add(posix.normalize(p));
  }
  for (const pattern of ctx.hints.like.get('path') ?? [])
    for (const p of expandPattern(ctx, pattern, limits)) out.add(p);
  const dirs = new Set<string>();
  for (const d of ctx.hints.equals.get('directory') ?? [])
    if (typeof d === 'string') dirs.add(posix.normalize(d));
  for (const pattern of ctx.hints.like.get('directory') ?? []) {
    for (const d of expandPattern(ctx, pattern, limits)) dirs.add(d);
  }
  for (const dir of dirs) for (const p of directoryEntries(ctx, dir)) out.add(p);
  return [...out].sort();
}
