/** Whether a check applies to a device, from its fingerprint (evaluated on the server and the agent alike). */
import type { AppliesWhenT, FingerprintConditionT } from '@vigil/protocol';

function lookup(fingerprint: Record<string, unknown>, path: string): unknown {
  let cur: unknown = fingerprint;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function holds(fingerprint: Record<string, unknown>, c: FingerprintConditionT): boolean {
  const value = lookup(fingerprint, c.fact);
  if (c.exists !== undefined && (value !== undefined && value !== null) !== c.exists) return false;
  if (c.equals !== undefined && value !== c.equals) return false;
  if (c.in !== undefined && !c.in.includes(String(value))) return false;
  const list = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];
  if (c.contains !== undefined && !list.includes(c.contains)) return false;
  if (c.not_contains !== undefined && list.includes(c.not_contains)) return false;
  return true;
}

/** True when every `all` condition holds and, if `any` is given, at least one of those. */
export function appliesTo(when: AppliesWhenT | undefined, fingerprint: Record<string, unknown>): boolean {
  if (!when) return true;
  if (when.all && !when.all.every((c) => holds(fingerprint, c))) return false;
  if (when.any && when.any.length > 0 && !when.any.some((c) => holds(fingerprint, c))) return false;
  return true;
}
