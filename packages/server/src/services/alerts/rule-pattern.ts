/** Rule patterns (`agent.*`, `check.Linux.Ssh.*`, `*`): `*` matches any run of characters. */
import { SEVERITIES, type SeverityT } from '@vigil/protocol';

const cache = new Map<string, RegExp>();

/** Whether `rule` matches `pattern`. */
export function ruleMatches(pattern: string, rule: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`);
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re.test(rule);
}

/** The rank of a severity (info 0 … critical 4). */
export function severityRank(s: string): number {
  const i = SEVERITIES.indexOf(s as SeverityT);
  return i < 0 ? 0 : i;
}

/** The higher of two severities. */
export function maxSeverity(a: string, b: string): SeverityT {
  return (severityRank(b) > severityRank(a) ? b : a) as SeverityT;
}
