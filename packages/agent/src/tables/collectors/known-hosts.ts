import { posix } from 'node:path';
import { readText } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { usersToRead } from './passwd.js';

/** known_hosts: each entry line of every user's ~/.ssh/known_hosts and known_hosts2. */
export const knownHosts: TableCollector = {
  name: 'known_hosts',
  *collect(ctx) {
    for (const user of usersToRead(ctx)) {
      for (const name of ['known_hosts', 'known_hosts2']) {
        const keyFile = posix.join(user.directory, '.ssh', name);
        const text = readText(ctx, keyFile);
        if (text === null) continue;
        for (const line of text.split('\n')) {
          const key = line.trim();
          if (key !== '' && !key.startsWith('#')) yield { uid: user.uid, key, key_file: keyFile };
        }
      }
    }
  },
};
