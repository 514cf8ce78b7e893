import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { groups } from './groups.js';

describe('groups', () => {
  it('parses /etc/group', () => {
    const { rows, warnings } = collectAll(groups, fixtureRoot('groups'));
    expect(warnings).toEqual([]);
    expect(rows.map((r) => [r.gid, r.groupname, r.gid_signed])).toEqual([
      [0, 'root', 0],
      [27, 'sudo', 27],
      [1000, 'alice', 1000],
      [1001, 'bob', 1001],
      [999, 'docker', 999],
      [65534, 'nogroup', 65534],
    ]);
  });

  it('has group root with gid 0 on the real machine', () => {
    const { rows } = collectAll(groups, '/');
    expect(rows.find((r) => r.gid === 0)?.groupname).toBe('root');
  });
});
