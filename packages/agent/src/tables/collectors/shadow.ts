import { readText } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { intOrNull } from './proc-common.js';

const ALGORITHMS: Record<string, string> = {
  '1': 'md5',
  '2a': 'bcrypt',
  '2b': 'bcrypt',
  '2y': 'bcrypt',
  '5': 'sha256',
  '6': 'sha512',
  y: 'yescrypt',
  gy: 'gost-yescrypt',
  '7': 'scrypt',
};

/** Classifies a shadow password field the way osquery does, without exposing the hash. */
export function passwordStatus(field: string): { status: string; alg: string } {
  const locked = field.startsWith('!');
  const hash = field.replace(/^!+/, '');
  const alg = /^\$([^$]+)\$/.exec(hash)?.[1];
  const algName = alg === undefined ? '' : (ALGORITHMS[alg] ?? alg);
  if (field === '') return { status: 'empty', alg: '' };
  if (locked) return { status: 'locked', alg: algName };
  if (hash === '*' || hash.startsWith('*')) return { status: 'not_set', alg: '' };
  return { status: 'active', alg: algName === '' ? 'des' : algName };
}

/** shadow: /etc/shadow with password status and algorithm, never the hash itself. */
export const shadow: TableCollector = {
  name: 'shadow',
  *collect(ctx) {
    const text = readText(ctx, '/etc/shadow');
    if (text === null) return;
    for (const line of text.split('\n')) {
      if (line.trim() === '' || line.startsWith('#')) continue;
      const f = line.split(':');
      const { status, alg } = passwordStatus(f[1] ?? '');
      yield {
        password_status: status,
        hash_alg: alg,
        last_change: intOrNull(f[2]),
        min: intOrNull(f[3]),
        max: intOrNull(f[4]),
        warning: intOrNull(f[5]),
        inactive: intOrNull(f[6]),
        expire: intOrNull(f[7]),
        flag: intOrNull(f[8]),
        username: f[0] ?? '',
      };
    }
  },
};
