/**
 * Canonicalising the paths an action is asked to touch. A target must be absolute; its parent is
 * resolved with realpath (so `..` and symlinked directories cannot smuggle it elsewhere) while its
 * last component is kept as is (a symlink is acted on itself, never followed). `/`, the agent's own
 * directories, the quarantine store, and anything that contains one of them are refused.
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { VigilError } from '@vigil/protocol/agent-runtime';
import type { ActionContext } from './types.js';

/** A target path in both its forms. */
export interface CanonicalPath {
  /** The canonical path as the device sees it (what results report). */
  path: string;
  /** Where it is on this host: the same as `path` unless the context has a fixture root. */
  hostPath: string;
}

/** Whether `child` is `parent` or lies below it (both absolute and normalised). */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

async function realOrSelf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return resolve(path);
  }
}

/** Canonicalise `path` for an action, or throw E_ACTION_REFUSED / E_ACTION_TARGET_NOT_FOUND saying why. */
export async function canonicalTarget(
  path: string,
  ctx: Pick<ActionContext, 'root' | 'protectedPaths' | 'quarantineDir'>,
): Promise<CanonicalPath> {
  const refuse = (why: string): never => {
    throw new VigilError('E_ACTION_REFUSED', why);
  };
  if (path.includes('\0')) refuse('the path contains a NUL byte');
  if (!isAbsolute(path)) refuse(`the path must be absolute: ${path}`);
  const asked = resolve(path);
  if (asked === '/') refuse('refusing to act on / itself');
  const root = await realOrSelf(ctx.root);
  let parent: string;
  try {
    parent = await realpath(join(root, dirname(asked)));
  } catch {
    throw new VigilError('E_ACTION_TARGET_NOT_FOUND', `the directory ${dirname(asked)} does not exist`);
  }
  if (!isInside(parent, root)) refuse(`${path} resolves outside the filesystem root ${ctx.root}`);
  const hostPath = join(parent, basename(asked));
  const logical = `/${relative(root, hostPath)}`;
  if (logical === '/') refuse(`refusing to act on / itself (${path} resolves to it)`);
  const guarded = await Promise.all([...ctx.protectedPaths, ctx.quarantineDir].map(realOrSelf));
  for (const p of guarded) {
    if (isInside(hostPath, p)) refuse(`${logical} is inside ${p}, which belongs to the Vigil agent`);
    if (isInside(p, hostPath)) refuse(`${logical} contains ${p}, which belongs to the Vigil agent`);
  }
  return { path: logical, hostPath };
}
