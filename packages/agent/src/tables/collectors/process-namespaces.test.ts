import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { processNamespaces } from './process-namespaces.js';

describe('process_namespaces', () => {
  it('reads namespace inodes from /proc/<pid>/ns links', () => {
    const { rows, warnings } = collectAll(processNamespaces, fixtureRoot('process_namespaces'));
    expect(warnings).toEqual([]);
    expect(rows).toEqual([
      {
        pid: 100,
        cgroup_namespace: '4026531835',
        ipc_namespace: '4026531839',
        mnt_namespace: '4026531841',
        net_namespace: '4026531993',
        pid_namespace: '4026531836',
        user_namespace: '4026531837',
        uts_namespace: '4026531838',
      },
    ]);
  });

  it('matches readlink of /proc/self/ns/net on the real machine', () => {
    const { rows } = collectAll(processNamespaces, '/', { equals: { pid: [process.pid] } });
    const expected = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/net'))?.[1];
    expect(rows[0]?.net_namespace).toBe(expected);
  });
});
