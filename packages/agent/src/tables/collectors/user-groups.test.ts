import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { userGroups } from './user-groups.js';

describe('user_groups', () => {
  it('joins primary groups and group member lists', () => {
    const { rows } = collectAll(userGroups, fixtureRoot('user_groups'));
    expect(rows).toEqual([
      { uid: 0, gid: 0 },
      { uid: 1, gid: 1 },
      { uid: 1000, gid: 1000 },
      { uid: 1000, gid: 27 },
      { uid: 1000, gid: 999 },
      { uid: 1001, gid: 1001 },
      { uid: 1001, gid: 27 },
      { uid: 65534, gid: 65534 },
    ]);
  });

  it('puts root in group 0 on the real machine', () => {
    const { rows } = collectAll(userGroups, '/');
    expect(rows).toContainEqual({ uid: 0, gid: 0 });
  });
});
