/** `--target` values: all, group:NAME, device:ID, filter:EXPR (repeatable; they add up). */
import { type TargetsT, VigilError } from '@vigil/protocol';

/** Collect repeated --target options. */
export function collectTarget(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Turn --target values into the API's targets object. */
export function parseTargets(values: string[] | undefined): TargetsT {
  if (!values || values.length === 0)
    throw new VigilError('E_USAGE', 'give at least one --target: all, group:NAME, device:ID or filter:EXPR');
  const t: TargetsT = {};
  for (const v of values) {
    if (v === 'all') t.all = true;
    else if (v.startsWith('group:') && v.length > 6) t.groups = [...(t.groups ?? []), v.slice(6)];
    else if (v.startsWith('device:') && v.length > 7) t.devices = [...(t.devices ?? []), v.slice(7)];
    else if (v.startsWith('filter:') && v.length > 7) {
      if (t.filter)
        throw new VigilError(
          'E_USAGE',
          'give at most one filter: target; combine conditions with AND/OR inside it',
        );
      t.filter = v.slice(7);
    } else
      throw new VigilError(
        'E_USAGE',
        `--target '${v}' is not one of all, group:NAME, device:ID, filter:EXPR`,
      );
  }
  return t;
}

/** Parse a duration like 30s, 5m, 2h, 1d (or plain seconds) into seconds. */
export function parseDuration(value: string, label: string): number {
  const m = /^(\d+)\s*(s|m|h|d)?$/.exec(value.trim());
  if (!m)
    throw new VigilError('E_USAGE', `${label} must be a duration like 30s, 5m, 2h or 1d, got '${value}'`);
  const n = Number(m[1]);
  return n * ({ s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's'] ?? 1);
}
