/**
 * file.quarantine / file.restore / file.delete. Quarantine moves a regular file into the agent's
 * store (`<quarantine>/<id>/file`, mode 0000, beside `meta.json` with its SHA-256, size, owner,
 * mode, times and original path); restore checks the hash and puts it back with its owner, mode
 * and modification time without clobbering a file that appeared since (unless asked). Every path
 * is canonicalised and refused where it would touch `/`, the agent's files or the store itself.
 */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import {
  chmod,
  chown,
  copyFile,
  link,
  lstat,
  mkdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { VigilError } from '@vigil/protocol/agent-runtime';
import { sha256File } from '../hash-file.js';
import { canonicalTarget } from '../paths.js';
import type { ActionContext, ActionImpls, ActionOutcome } from '../types.js';
import { refuse } from './action-failure.js';

/** What meta.json records about a quarantined file. */
export interface QuarantineMeta {
  id: string;
  original_path: string;
  sha256: string;
  size: number;
  uid: number;
  gid: number;
  /** Permission bits (including setuid/setgid/sticky) as a number. */
  mode: number;
  mode_octal: string;
  mtime_ms: number;
  quarantined_at: string;
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isBlockDevice() || st.isCharacterDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  if (st.isFIFO()) return 'a named pipe';
  return 'a regular file';
}

async function lstatOrMissing(hostPath: string, shown: string): Promise<Stats> {
  try {
    return await lstat(hostPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new VigilError('E_ACTION_TARGET_NOT_FOUND', `${shown} does not exist`);
    throw error;
  }
}

function checkExpected(params: Record<string, unknown>, actual: string, shown: string): void {
  if (typeof params.sha256 === 'string' && params.sha256.toLowerCase() !== actual)
    throw new VigilError(
      'E_ACTION_INTEGRITY',
      `${shown} has SHA-256 ${actual}, not the expected ${params.sha256.toLowerCase()}; nothing was done`,
    );
}

/** Move a file, copying across filesystems (the copy is verified before the original goes). */
async function moveFile(from: string, to: string, sha256: string, signal: AbortSignal): Promise<void> {
  try {
    await rename(from, to);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
  }
  await copyFile(from, to, constants.COPYFILE_EXCL);
  if ((await sha256File(to, signal)) !== sha256) {
    await unlink(to);
    throw new VigilError(
      'E_ACTION_INTEGRITY',
      `the copy of ${from} does not match its hash; the file was left in place`,
    );
  }
  await unlink(from);
}

function entryDir(ctx: ActionContext, id: string): string {
  return join(ctx.quarantineDir, id);
}

async function quarantine(params: Record<string, unknown>, ctx: ActionContext): Promise<ActionOutcome> {
  const target = await canonicalTarget(String(params.path), ctx);
  const st = await lstatOrMissing(target.hostPath, target.path);
  if (!st.isFile()) refuse(`${target.path} is ${kindOf(st)}; only regular files can be quarantined`);
  const sha256 = await sha256File(target.hostPath, ctx.signal);
  checkExpected(params, sha256, target.path);
  const summaryOf = {
    original_path: target.path,
    sha256,
    size: st.size,
    uid: st.uid,
    gid: st.gid,
    mode: st.mode & 0o7777,
  };
  if (ctx.dryRun)
    return {
      ok: true,
      changed: false,
      summary: `would quarantine ${target.path} (${st.size} bytes, SHA-256 ${sha256})`,
      details: summaryOf,
    };
  const id = randomBytes(12).toString('base64url');
  const dir = entryDir(ctx, id);
  await mkdir(ctx.quarantineDir, { recursive: true, mode: 0o700 });
  await chmod(ctx.quarantineDir, 0o700);
  await mkdir(dir, { mode: 0o700 });
  const meta: QuarantineMeta = {
    id,
    ...summaryOf,
    mode_octal: (st.mode & 0o7777).toString(8).padStart(4, '0'),
    mtime_ms: Math.round(st.mtimeMs),
    quarantined_at: new Date().toISOString(),
  };
  // The record is written first: a crash after it and before the move leaves an entry restore can explain.
  await writeFile(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`, { mode: 0o600 });
  const stored = join(dir, 'file');
  try {
    await moveFile(target.hostPath, stored, sha256, ctx.signal);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  // Nothing may run or read it by accident (setuid bits go too); the original mode is in meta.json.
  await chmod(stored, 0o000);
  const storedHash = await sha256File(stored, ctx.signal);
  if (storedHash !== sha256) {
    // It changed between hashing and moving: record what is actually held.
    meta.sha256 = storedHash;
    meta.size = (await stat(stored)).size;
    await writeFile(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`, { mode: 0o600 });
  }
  return {
    ok: true,
    changed: true,
    summary: `quarantined ${target.path} as ${id}`,
    details: { ...meta },
    undo: { action: 'file.restore', params: { id } },
  };
}

async function readMeta(ctx: ActionContext, id: string): Promise<QuarantineMeta> {
  try {
    return JSON.parse(await readFile(join(entryDir(ctx, id), 'meta.json'), 'utf8')) as QuarantineMeta;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new VigilError('E_ACTION_TARGET_NOT_FOUND', `there is no quarantined file with id ${id}`);
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function restore(params: Record<string, unknown>, ctx: ActionContext): Promise<ActionOutcome> {
  const id = String(params.id);
  const meta = await readMeta(ctx, id);
  const stored = join(entryDir(ctx, id), 'file');
  if (!(await exists(stored)))
    throw new VigilError(
      'E_ACTION_TARGET_NOT_FOUND',
      `quarantine entry ${id} has no file (it was never moved in)`,
    );
  const sha256 = await sha256File(stored, ctx.signal);
  if (sha256 !== meta.sha256)
    throw new VigilError(
      'E_ACTION_INTEGRITY',
      `quarantined file ${id} has SHA-256 ${sha256}, not the ${meta.sha256} recorded; it was not restored`,
    );
  const target = await canonicalTarget(meta.original_path, ctx);
  const occupied = await exists(target.hostPath);
  if (occupied && params.overwrite !== true)
    refuse(`${target.path} exists again; restore with overwrite: true to replace it`);
  const details = {
    id,
    path: target.path,
    sha256,
    uid: meta.uid,
    gid: meta.gid,
    mode: meta.mode,
    replaced_existing: occupied,
  };
  if (ctx.dryRun)
    return { ok: true, changed: false, summary: `would restore ${target.path} from ${id}`, details };
  // Staged next to the target with its owner and mode set, then put in place in one step.
  const staging = join(dirname(target.hostPath), `.vigil-restore-${id}`);
  await moveFile(stored, staging, sha256, ctx.signal);
  try {
    await chown(staging, meta.uid, meta.gid);
    await chmod(staging, meta.mode);
    const mtime = new Date(meta.mtime_ms);
    await utimes(staging, mtime, mtime);
    if (params.overwrite === true) await rename(staging, target.hostPath);
    else {
      // link() fails if the name was taken meanwhile: never clobber a file nobody asked to replace.
      await link(staging, target.hostPath);
      await unlink(staging);
    }
  } catch (error) {
    await moveFile(staging, stored, sha256, ctx.signal).catch(() => {});
    throw error;
  }
  await rm(entryDir(ctx, id), { recursive: true, force: true });
  return {
    ok: true,
    changed: true,
    summary: `restored ${target.path} from ${id}`,
    details,
    undo: { action: 'file.quarantine', params: { path: target.path } },
  };
}

async function deleteFile(params: Record<string, unknown>, ctx: ActionContext): Promise<ActionOutcome> {
  const target = await canonicalTarget(String(params.path), ctx);
  const st = await lstatOrMissing(target.hostPath, target.path);
  if (!st.isFile() && !st.isSymbolicLink())
    refuse(`${target.path} is ${kindOf(st)}; only regular files and symbolic links can be deleted`);
  const sha256 = st.isFile() ? await sha256File(target.hostPath, ctx.signal) : null;
  if (sha256) checkExpected(params, sha256, target.path);
  else if (typeof params.sha256 === 'string')
    refuse(`${target.path} is a symbolic link; it has no content hash`);
  const details = { path: target.path, kind: kindOf(st), size: st.size, sha256 };
  if (ctx.dryRun) return { ok: true, changed: false, summary: `would delete ${target.path}`, details };
  await unlink(target.hostPath);
  return { ok: true, changed: true, summary: `deleted ${target.path}`, details };
}

/** The file actions (plain Node file operations). */
export const linuxFileActions: ActionImpls = {
  'file.quarantine': quarantine,
  'file.restore': restore,
  'file.delete': deleteFile,
};
