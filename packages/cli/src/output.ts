/** Human output (aligned tables, key/value blocks) and machine output (JSON) for every command. */

/** Where a command writes; process streams in the binary, buffers in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** A cell as given: null and undefined print as '-', arrays as comma-separated values. */
export type Cell = string | number | boolean | null | undefined | readonly string[];

function cellText(value: Cell): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.join(',');
  return String(value).replace(/[\r\n\t]+/g, ' ');
}

/** Render rows as a table whose columns are padded to their widest cell, headers first. */
export function formatTable(headers: readonly string[], rows: readonly Cell[][]): string {
  const texts = [
    headers.map((h) => h.toUpperCase()),
    ...rows.map((r) => headers.map((_, i) => cellText(r[i]))),
  ];
  const widths = headers.map((_, i) => Math.max(...texts.map((r) => (r[i] as string).length)));
  return (
    texts
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** Render label/value pairs one per line with the values aligned. */
export function formatDetails(pairs: readonly [string, Cell][]): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${cellText(v)}`).join('\n') + '\n';
}

/** JSON exactly as the API returned it, pretty-printed for people who pipe it through jq. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** An ISO timestamp shortened to the second, UTC, for tables. */
export function shortTime(iso: string | null | undefined): string | null {
  if (!iso) return null;
  return iso.replace(/\.\d+Z$/, 'Z').replace('T', ' ');
}
