import { readText } from '../fs-helpers.js';
import type { TableCollector, TableContext } from '../types.js';
import { fields, toInt } from './parse-helpers.js';

/** One /etc/protocols entry. */
export interface ProtocolEntry {
  name: string;
  number: number | null;
  alias: string;
  comment: string;
}

/** Parses /etc/protocols ("name number ALIAS # comment"); empty when the file is absent. */
export function readProtocols(ctx: TableContext): ProtocolEntry[] {
  const out: ProtocolEntry[] = [];
  for (const raw of (readText(ctx, '/etc/protocols') ?? '').split('\n')) {
    const hash = raw.indexOf('#');
    const [name, number, ...aliases] = fields(hash === -1 ? raw : raw.slice(0, hash));
    if (name === undefined || number === undefined) continue;
    out.push({
      name,
      number: toInt(number),
      alias: aliases.join(' '),
      comment: hash === -1 ? '' : raw.slice(hash + 1).trim(),
    });
  }
  return out;
}

/** etc_protocols: the IP protocol numbers named in /etc/protocols. */
export const etcProtocols: TableCollector = {
  name: 'etc_protocols',
  *collect(ctx) {
    const entries = readProtocols(ctx);
    if (entries.length === 0) ctx.warn('/etc/protocols is absent or empty');
    for (const e of entries) yield { name: e.name, number: e.number, alias: e.alias, comment: e.comment };
  },
};
