import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { pathsFromHints } from '../path-patterns.js';
import type { TableCollector } from '../types.js';
import { streamFile } from './read-bounded.js';

/** hash: md5, sha1 and sha256 of the regular files the query names (streamed, size-bounded). */
export const hash: TableCollector = {
  name: 'hash',
  *collect(ctx) {
    for (const path of pathsFromHints(ctx)) {
      const md5 = createHash('md5');
      const sha1 = createHash('sha1');
      const sha256 = createHash('sha256');
      const ok = streamFile(ctx, path, (chunk) => {
        md5.update(chunk);
        sha1.update(chunk);
        sha256.update(chunk);
      });
      if (!ok) continue;
      yield {
        path,
        directory: posix.dirname(path),
        md5: md5.digest('hex'),
        sha1: sha1.digest('hex'),
        sha256: sha256.digest('hex'),
      };
    }
  },
};
