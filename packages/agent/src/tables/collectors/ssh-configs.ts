import { posix } from 'node:path';
import { readText } from '../fs-helpers.js';
import type { Row, TableCollector, TableContext } from '../types.js';
import { usersToRead } from './passwd.js';

function* parseConfig(ctx: TableContext, file: string, uid: number): Generator<Row> {
  const text = readText(ctx, file);
  if (text === null) return;
  let block = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    const keyword = (m?.[1] ?? line).toLowerCase();
    const value = m?.[2] ?? '';
    if (keyword === 'host' || keyword === 'match') {
      block = `${keyword} ${value}`;
      continue;
    }
    yield { uid, block, option: `${keyword} ${value}`.trim(), ssh_config_file: file };
  }
}

/**
 * ssh_configs: options of /etc/ssh/ssh_config (uid 0) and each user's ~/.ssh/config, with the
 * Host/Match block they sit in; keywords are lower-cased. Include directives are listed, not followed.
 */
export const sshConfigs: TableCollector = {
  name: 'ssh_configs',
  *collect(ctx) {
    const wanted = ctx.hints.equals.get('uid');
    if (wanted === undefined || wanted.map(Number).includes(0))
      yield* parseConfig(ctx, '/etc/ssh/ssh_config', 0);
    for (const user of usersToRead(ctx))
      yield* parseConfig(ctx, posix.join(user.directory, '.ssh', 'config'), user.uid);
  },
};
