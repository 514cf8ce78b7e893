/** Timestamp literals for `enrolled_at` and `last_seen_at`, normalized to the stored ISO form. */

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * The stored form of a timestamp literal, or undefined when it is not ISO-8601. A date alone stays
 * a date (it sorts before every time of that day); a date-time becomes UTC with milliseconds,
 * exactly as the store writes it, so text comparison orders it correctly. No zone means UTC.
 */
export function normalizeTimestamp(text: string): string | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const date = m[1] as string;
  const day = new Date(`${date}T00:00:00Z`);
  // Date accepts 2024-02-30 as March 1st; a real date survives the round trip unchanged.
  if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== date) return undefined;
  if (m[2] === undefined) return date;
  const [hh, mm, ss] = m[2].split(':').map((part) => Number.parseFloat(part));
  if ((hh ?? 0) > 23 || (mm ?? 0) > 59 || (ss ?? 0) >= 60) return undefined;
  const at = new Date(`${date}T${m[2]}${m[3] ?? 'Z'}`);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}
