/** Shell-style globs as the actions, detection rules and ignore lists use them. */

/** A glob (`*`, `?`, everything else literal) as an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}
