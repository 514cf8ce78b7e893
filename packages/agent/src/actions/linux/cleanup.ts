/**
 * system.cleanup on Linux: the package manager's download cache (`apt-get clean`, `dnf clean
 * all`), kernels other than the running and the newest one (the kernel packages `apt-get
 * autoremove --purge` would purge, removed with `apt-get purge`; dnf's old install-only
 * packages), and files under /tmp and /var/tmp untouched for `older_than_days`. One plan is
 * computed the same way for the dry run and the real run; the real run removes exactly the
 * planned items and reports any it had to leave.
 */
import { existsSync, statSync } from 'node:fs';
import { lstat, readdir, realpath } from 'node:fs/promises';
import { release } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { isInside } from '../paths.js';
import type { ActionContext, ActionImpl, ActionImpls } from '../types.js';
import { ACTION_ERROR, ActionFailure, refuse, reportingFailures, runChecked } from './action-failure.js';
import { findOldFiles, type OldFile, removeOldFiles } from './old-temp-files.js';
import {
  APT_ENV,
  APT_OPTIONS,
  APT_SIMULATE,
  DNF_OPTIONS,
  detectPackageManager,
  PACKAGE_NAME,
  type PackageManager,
  parseAptSimulation,
} from './package-manager.js';
import { booleanParam, describeValue, listParam, optionalInteger } from './param-readers.js';

const DAY_MS = 86_400_000;
const TEMP_ROOTS = ['/tmp', '/var/tmp'];
/** Items listed per kind in a result; the counts and byte totals always cover everything. */
const MAX_LISTED = 2000;
const KERNEL_PACKAGE = /^linux-(image|headers|modules|modules-extra|kbuild|tools)-[0-9]/;

interface CacheFile {
  path: string;
  bytes: number;
}

interface KernelPackage {
  package: string;
  version: string | null;
  bytes: number;
}

interface CleanupPlan {
  packageCache: CacheFile[];
  kernels: KernelPackage[];
  tempFiles: OldFile[];
  tempIncomplete: boolean;
  unreadable: string[];
}

/** The temporary directories to sweep: canonical, and each /tmp, /var/tmp or inside one of them. */
async function tempDirs(params: Record<string, unknown>, ctx: ActionContext): Promise<string[]> {
  const asked = listParam(
    params,
    'temp_dirs',
    16,
    (v) => (typeof v === 'string' ? v : undefined),
    'directory path',
  );
  const roots = await Promise.all(
    TEMP_ROOTS.map((r) => realpath(join(ctx.root, r)).catch(() => join(ctx.root, r))),
  );
  const dirs: string[] = [];
  for (const dir of asked.length > 0 ? asked : TEMP_ROOTS) {
    if (!isAbsolute(dir) || dir.includes('\0'))
      refuse(`\`temp_dirs\` must hold absolute paths; got ${describeValue(dir)}`);
    let real: string;
    try {
      real = await realpath(join(ctx.root, dir));
    } catch {
      if (asked.length === 0) continue;
      throw new ActionFailure(ACTION_ERROR.targetNotFound, `the directory ${dir} does not exist`);
    }
    if (!roots.some((root) => isInside(real, root))) {
      refuse(
        `${dir} is not a temporary directory; only /tmp, /var/tmp and directories inside them are cleaned`,
      );
    }
    if (!(await lstat(real)).isDirectory()) refuse(`${dir} is not a directory`);
    dirs.push(real);
  }
  // A directory inside another listed one would be walked twice.
  return [...new Set(dirs)].filter((d, _, all) => !all.some((o) => o !== d && isInside(d, o)));
}

function parseAptConfigShell(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const m of text.matchAll(/^([A-Z]+)='(.*)'$/gm)) values[m[1] as string] = m[2] as string;
  return values;
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** What `apt-get clean` / `dnf clean all` would delete: the downloaded packages and cache files. */
async function packageCacheFiles(ctx: ActionContext, manager: PackageManager): Promise<CacheFile[]> {
  const files: string[] = [];
  const regularFilesIn = async (dir: string, pick: (name: string) => boolean, recurse: boolean) => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const path = join(dir, name);
      const stat = await lstat(path).catch(() => undefined);
      if (stat?.isFile() && pick(name)) files.push(path);
      else if (stat?.isDirectory() && recurse) await regularFilesIn(path, pick, true);
    }
  };
  if (manager === 'apt') {
    // apt-config resolves the configured directories (/d) and files (/f) the way apt-get clean does.
    const out = await runChecked(ctx, 'apt-config', [
      'shell',
      'ARCHIVES',
      'Dir::Cache::archives/d',
      'PKGCACHE',
      'Dir::Cache::pkgcache/f',
      'SRCPKGCACHE',
      'Dir::Cache::srcpkgcache/f',
    ]);
    const dirs = parseAptConfigShell(out.stdout);
    if (dirs.ARCHIVES) {
      await regularFilesIn(dirs.ARCHIVES, (n) => n.endsWith('.deb'), false);
      await regularFilesIn(join(dirs.ARCHIVES, 'partial'), () => true, false);
    }
    for (const file of [dirs.PKGCACHE, dirs.SRCPKGCACHE]) if (file && existsSync(file)) files.push(file);
  } else {
    await regularFilesIn(join(ctx.root, 'var/cache/dnf'), () => true, true);
  }
  return files.map((path) => ({ path, bytes: fileBytes(path) }));
}

/** Kernel packages other than the running and the newest installed one. */
async function oldKernels(ctx: ActionContext, manager: PackageManager): Promise<KernelPackage[]> {
  const running = release();
  let kernels: { package: string; version: string | null }[];
  if (manager === 'apt') {
    // apt's autoremove already keeps the running and newest kernels (APT::NeverAutoRemove); of what
    // it would purge, only the kernel packages are taken.
    const out = await runChecked(ctx, 'apt-get', [...APT_SIMULATE, 'autoremove', '--purge'], APT_ENV);
    kernels = parseAptSimulation(out.stdout)
      .filter((p) => p.action === 'remove' && KERNEL_PACKAGE.test(p.name))
      .map((p) => ({ package: p.name, version: p.from }));
  } else {
    const out = await runChecked(ctx, 'dnf', [
      'repoquery',
      '-q',
      '--installonly',
      '--latest-limit=-1',
      '--qf',
      '%{name}-%{evr}.%{arch}',
    ]);
    kernels = out.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('kernel') && PACKAGE_NAME.test(l))
      .map((l) => ({ package: l, version: null }));
  }
  const old = kernels.filter((k) => !k.package.includes(running) && !(k.version ?? '').includes(running));
  if (old.length === 0 || manager !== 'apt') return old.map((k) => ({ ...k, bytes: 0 }));
  const sizes = await runChecked(ctx, 'dpkg-query', [
    '-W',
    '-f',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} format, not a JS template
    '${binary:Package}\\t${Installed-Size}\\n',
    ...old.map((k) => k.package),
  ]);
  const kib = new Map(sizes.stdout.split('\n').map((l) => l.split('\t') as [string, string]));
  return old.map((k) => ({ ...k, bytes: Number(kib.get(k.package) ?? 0) * 1024 }));
}

async function plan(
  ctx: ActionContext,
  manager: PackageManager | undefined,
  options: { packageCache: boolean; kernels: boolean; dirs: string[]; cutoffMs: number },
): Promise<CleanupPlan> {
  const guarded = await Promise.all(
    [...ctx.protectedPaths, ctx.quarantineDir].map((p) => realpath(p).catch(() => p)),
  );
  const temp =
    options.dirs.length > 0
      ? await findOldFiles(options.dirs, options.cutoffMs, guarded, ctx.signal)
      : undefined;
  return {
    packageCache: options.packageCache && manager ? await packageCacheFiles(ctx, manager) : [],
    kernels: options.kernels && manager ? await oldKernels(ctx, manager) : [],
    tempFiles: temp?.files ?? [],
    tempIncomplete: temp?.incomplete ?? false,
    unreadable: temp?.unreadable ?? [],
  };
}

function listed<T>(items: T[]): { items: T[]; count: number; truncated: boolean } {
  return { items: items.slice(0, MAX_LISTED), count: items.length, truncated: items.length > MAX_LISTED };
}

function sum(items: { bytes: number }[]): number {
  return items.reduce((total, i) => total + i.bytes, 0);
}

function tempView(file: OldFile): Record<string, unknown> {
  return { path: file.path, bytes: file.bytes, modified: file.modified };
}

/** system.cleanup: free space from package caches, old kernels and old temporary files. */
const cleanup: ActionImpl = async (params, ctx) => {
  const days = optionalInteger(params, 'older_than_days', 1, 3650) ?? 7;
  const packageCache = booleanParam(params, 'package_cache', true);
  const kernels = booleanParam(params, 'old_kernels', false);
  const tempFiles = booleanParam(params, 'temp_files', true);
  const dirs = tempFiles ? await tempDirs(params, ctx) : [];
  let manager: PackageManager | undefined;
  if (packageCache || kernels) manager = detectPackageManager();
  const cutoffMs = Date.now() - days * DAY_MS;
  const planned = await plan(ctx, manager, { packageCache, kernels, dirs, cutoffMs });
  const base = {
    manager: manager ?? null,
    older_than_days: days,
    temp_dirs: dirs,
    ...(planned.tempIncomplete ? { temp_scan_incomplete: true } : {}),
    ...(planned.unreadable.length > 0 ? { unreadable: planned.unreadable.slice(0, 50) } : {}),
  };
  const total = sum(planned.packageCache) + sum(planned.kernels) + sum(planned.tempFiles);
  const count = planned.packageCache.length + planned.kernels.length + planned.tempFiles.length;
  if (ctx.dryRun || count === 0) {
    return {
      ok: true,
      changed: false,
      summary: ctx.dryRun ? `would remove ${count} item(s), freeing ${total} bytes` : 'nothing to clean up',
      details: {
        ...base,
        removed: {
          package_cache: listed(planned.packageCache),
          kernels: listed(planned.kernels),
          temp_files: listed(planned.tempFiles.map(tempView)),
        },
        bytes_freed: ctx.dryRun ? total : 0,
      },
    };
  }

  const temp = await removeOldFiles(planned.tempFiles, cutoffMs, ctx.signal);
  const cacheLeft: string[] = [];
  if (planned.packageCache.length > 0) {
    if (manager === 'apt')
      await runChecked(ctx, 'apt-get', ['-q', '-o', 'DPkg::Lock::Timeout=300', 'clean'], APT_ENV);
    else await runChecked(ctx, 'dnf', ['-q', 'clean', 'all']);
    cacheLeft.push(...planned.packageCache.filter((f) => existsSync(f.path)).map((f) => f.path));
  }
  if (planned.kernels.length > 0) {
    const names = planned.kernels.map((k) => k.package);
    if (manager === 'apt') await runChecked(ctx, 'apt-get', [...APT_OPTIONS, 'purge', ...names], APT_ENV);
    else await runChecked(ctx, 'dnf', [...DNF_OPTIONS, 'remove', ...names]);
  }
  const cacheRemoved = planned.packageCache.filter((f) => !cacheLeft.includes(f.path));
  const freed = sum(cacheRemoved) + sum(planned.kernels) + sum(temp.removed);
  const done = cacheRemoved.length + planned.kernels.length + temp.removed.length;
  ctx.log(`system.cleanup removed ${done} item(s), ${freed} bytes`);
  return {
    ok: true,
    changed: done > 0,
    summary: `removed ${done} item(s), freeing ${freed} bytes${temp.skipped.length > 0 ? `; left ${temp.skipped.length} that changed since the listing` : ''}`,
    details: {
      ...base,
      removed: {
        package_cache: listed(cacheRemoved),
        kernels: listed(planned.kernels),
        temp_files: listed(temp.removed.map(tempView)),
      },
      bytes_freed: freed,
      skipped: [
        ...temp.skipped,
        ...cacheLeft.map((path) => ({ path, reason: 'still present after the clean' })),
      ].slice(0, MAX_LISTED),
    },
  };
};

/** The Linux clean-up action. */
export const linuxCleanupActions: ActionImpls = {
  'system.cleanup': reportingFailures(cleanup),
};
