import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot, pick } from '../test-context.js';
import { users } from './users.js';

describe('users', () => {
  it('parses /etc/passwd and warns about a malformed line', () => {
    const { rows, warnings } = collectAll(users, fixtureRoot('users'));
    expect(pick(rows, ['uid', 'gid', 'uid_signed', 'username', 'description', 'directory', 'shell'])).toEqual(
      [
        {
          uid: 0,
          gid: 0,
          uid_signed: 0,
          username: 'root',
          description: 'root',
          directory: '/root',
          shell: '/bin/bash',
        },
        {
          uid: 1,
          gid: 1,
          uid_signed: 1,
          username: 'daemon',
          description: 'daemon',
          directory: '/usr/sbin',
          shell: '/usr/sbin/nologin',
        },
        {
          uid: 1000,
          gid: 1000,
          uid_signed: 1000,
          username: 'alice',
          description: 'Alice Example,,,',
          directory: '/home/alice',
          shell: '/bin/bash',
        },
        {
          uid: 1001,
          gid: 1001,
          uid_signed: 1001,
          username: 'bob',
          description: '',
          directory: '/home/bob',
          shell: '/bin/zsh',
        },
        {
          uid: 65534,
          gid: 65534,
          uid_signed: 65534,
          username: 'nobody',
          description: 'nobody',
          directory: '/nonexistent',
          shell: '/usr/sbin/nologin',
        },
      ],
    );
    expect(warnings).toEqual(['skipped a malformed /etc/passwd line for "broken line without fields"']);
  });

  it('has root with uid 0 on the real machine', () => {
    const { rows } = collectAll(users, '/');
    expect(rows.find((r) => r.username === 'root')).toMatchObject({ uid: 0, gid: 0, directory: '/root' });
  });
});
