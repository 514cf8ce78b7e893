import { posix } from 'node:path';
import { listEntries } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { usersToRead } from './passwd.js';
import { inspectPrivateKey } from './private-key-parse.js';
import { readTextBounded } from './read-bounded.js';

/** Private key files are small; anything bigger in ~/.ssh is not read. */
const MAX_KEY_FILE = 64 * 1024;

/** user_ssh_keys: private keys in every user's ~/.ssh, whether they are encrypted, and their type. */
export const userSshKeys: TableCollector = {
  name: 'user_ssh_keys',
  *collect(ctx) {
    for (const user of usersToRead(ctx)) {
      const dir = posix.join(user.directory, '.ssh');
      for (const entry of listEntries(ctx, dir)) {
        if (!entry.isFile()) continue;
        const path = posix.join(dir, entry.name);
        const quiet = { ...ctx, warn: () => {} };
        const text = readTextBounded(quiet, path, MAX_KEY_FILE);
        const info = text === null ? null : inspectPrivateKey(text);
        if (info === null) continue;
        yield {
          uid: user.uid,
          path,
          encrypted: info.encrypted,
          key_type: info.keyType,
          key_group_name: info.groupName,
          key_length: info.length,
        };
      }
    }
  },
};
