/**
 * Unified diffs of changed text files (the `diff` package), cut to a size an alert can carry. The
 * package loads with the first change: an idle agent does not keep its twenty modules.
 */

/** The longest diff kept in an alert, in characters. */
export const MAX_DIFF_CHARS = 32 * 1024;

/** A unified diff from `before` to `after` of `path`, with three lines of context; cut when too long. */
export async function unifiedDiff(path: string, before: string, after: string): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  const patch = createTwoFilesPatch(path, path, before, after, 'before', 'after', { context: 3 });
  // The package starts with a line of '=' signs; a unified diff starts at '---'.
  const text = patch.slice(Math.max(0, patch.indexOf('---')));
  return text.length <= MAX_DIFF_CHARS
    ? text
    : `${text.slice(0, MAX_DIFF_CHARS)}\n… (diff cut at ${MAX_DIFF_CHARS} characters)\n`;
}
