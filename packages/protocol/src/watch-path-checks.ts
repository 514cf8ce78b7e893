/**
 * The limits of watch paths and ignore patterns and the one check of each that the server (when
 * it is stored) and the agent (when it arrives) apply. No schema library here: a running agent
 * imports them through `@vigil/protocol/agent-runtime` without loading TypeBox
 * (docs/adr/0006-agent-validators-generated-at-build-time.md).
 */

/** Watch paths one device gets at most (account-wide and its groups' together). */
export const MAX_WATCH_PATHS = 100;
/** Ignore patterns one device gets at most. */
export const MAX_IGNORE_PATTERNS = 100;
/** The longest watch path (Linux PATH_MAX is 4096; a real configuration path is far shorter). */
export const MAX_WATCH_PATH_LENGTH = 1024;
/** The longest ignore pattern. */
export const MAX_IGNORE_PATTERN_LENGTH = 256;

/**
 * Trees a watch path may not be in: pseudo-filesystems whose "files" change all the time. A
 * watch there would spend the monitor's budget on noise.
 */
const REFUSED_TREES = ['/proc', '/sys', '/dev'];

/** Why `path` cannot be a watch path, or null when it can. */
export function watchPathProblem(path: string): string | null {
  if (typeof path !== 'string' || path.length === 0) return 'a watch path must not be empty';
  if (path.length > MAX_WATCH_PATH_LENGTH)
    return `a watch path is at most ${MAX_WATCH_PATH_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'a watch path must not contain NUL or control characters';
  if (!path.startsWith('/')) return `a watch path must be absolute (start with /), got '${path}'`;
  if (path === '/') return 'the whole filesystem cannot be watched: name a directory or a file';
  const parts = path.slice(1).split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..'))
    return `a watch path must be normalised (no empty, '.' or '..' parts, no trailing /), got '${path}'`;
  const tree = REFUSED_TREES.find((t) => path === t || path.startsWith(`${t}/`));
  if (tree) return `${tree} is a pseudo-filesystem and cannot be watched`;
  return null;
}

/** Why `pattern` cannot be an ignore pattern, or null when it can. */
export function ignorePatternProblem(pattern: string): string | null {
  if (typeof pattern !== 'string' || pattern.length === 0) return 'an ignore pattern must not be empty';
  if (pattern.length > MAX_IGNORE_PATTERN_LENGTH)
    return `an ignore pattern is at most ${MAX_IGNORE_PATTERN_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f]/.test(pattern))
    return 'an ignore pattern must not contain NUL or control characters';
  if (pattern.includes('/') && !pattern.startsWith('/') && !pattern.startsWith('*'))
    return `a pattern with / matches the whole path: start it with / or *, got '${pattern}'`;
  return null;
}
