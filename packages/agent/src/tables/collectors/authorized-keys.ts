import { posix } from 'node:path';
import { readText } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { usersToRead } from './passwd.js';
import { parseAuthorizedKey } from './ssh-keys-parse.js';

/** authorized_keys: each key line of every user's ~/.ssh/authorized_keys and authorized_keys2. */
export const authorizedKeys: TableCollector = {
  name: 'authorized_keys',
  *collect(ctx) {
    for (const user of usersToRead(ctx)) {
      for (const name of ['authorized_keys', 'authorized_keys2']) {
        const keyFile = posix.join(user.directory, '.ssh', name);
        const text = readText(ctx, keyFile);
        if (text === null) continue;
        for (const line of text.split('\n')) {
          const k = parseAuthorizedKey(line);
          if (k !== null) {
            yield {
              uid: user.uid,
              algorithm: k.algorithm,
              key: k.key,
              options: k.options,
              comment: k.comment,
              key_file: keyFile,
            };
          }
        }
      }
    }
  },
};
