import { realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot, pick } from '../test-context.js';
import { processes } from './processes.js';

describe('processes', () => {
  it('reads every process of the fixture /proc', () => {
    const { rows, warnings } = collectAll(processes, fixtureRoot('processes'));
    expect(warnings).toEqual([]);
    expect(rows).toEqual([
      {
        pid: 2,
        name: 'kthreadd',
        path: '',
        cmdline: '',
        state: 'S',
        cwd: '',
        root: '',
        uid: 0,
        gid: 0,
        euid: 0,
        egid: 0,
        suid: 0,
        sgid: 0,
        on_disk: -1,
        wired_size: null,
        resident_size: null,
        total_size: null,
        user_time: 0,
        system_time: 70,
        disk_bytes_read: 0,
        disk_bytes_written: 0,
        start_time: 1700000000,
        parent: 0,
        pgroup: 0,
        threads: 1,
        nice: 0,
        cgroup_path: '/',
      },
      {
        pid: 100,
        name: 'fixture daemon',
        path: '/usr/bin/fixture-daemon',
        cmdline: '/usr/bin/fixture-daemon --serve --port=8080',
        state: 'S',
        cwd: '/srv/app',
        root: '/srv/chroot',
        uid: 1000,
        gid: 1000,
        euid: 1000,
        egid: 27,
        suid: 1000,
        sgid: 1000,
        on_disk: 1,
        wired_size: 0,
        resident_size: 2000 * 1024,
        total_size: 10000 * 1024,
        user_time: 2500,
        system_time: 1300,
        disk_bytes_read: 4096,
        disk_bytes_written: 8192,
        start_time: 1700000123,
        parent: 1,
        pgroup: 100,
        threads: 3,
        nice: -5,
        cgroup_path: '/system.slice/fixture.service',
      },
      {
        pid: 200,
        name: 'dropper',
        path: '/tmp/dropper',
        cmdline: './dropper',
        state: 'R',
        cwd: '/var/tmp/dropper-cwd',
        root: '/srv/chroot',
        uid: 0,
        gid: 0,
        euid: 0,
        egid: 0,
        suid: 0,
        sgid: 0,
        on_disk: 0,
        wired_size: null,
        resident_size: 400 * 1024,
        total_size: 2000 * 1024,
        user_time: 50,
        system_time: 50,
        disk_bytes_read: null,
        disk_bytes_written: null,
        start_time: 1700000005,
        parent: 100,
        pgroup: 200,
        threads: 1,
        nice: 0,
        cgroup_path: '/user.slice/session-1.scope',
      },
    ]);
  });

  it('fills only the columns the query reads', () => {
    const full = collectAll(processes, fixtureRoot('processes')).rows;
    const { rows, warnings } = collectAll(processes, fixtureRoot('processes'), {
      columns: ['name', 'cmdline'],
    });
    expect(warnings).toEqual([]);
    // Columns from stat (always read) come along; nothing from status, io, exe, cwd, root or cgroup.
    const fromStat = [
      'pid',
      'name',
      'state',
      'user_time',
      'system_time',
      'parent',
      'pgroup',
      'threads',
      'nice',
    ];
    expect(rows).toEqual([
      { ...pick(full, fromStat)[0], cmdline: '' },
      { ...pick(full, fromStat)[1], cmdline: '/usr/bin/fixture-daemon --serve --port=8080' },
      { ...pick(full, fromStat)[2], cmdline: './dropper' },
    ]);
    const fromStatus = [
      'uid',
      'euid',
      'suid',
      'gid',
      'egid',
      'sgid',
      'wired_size',
      'resident_size',
      'total_size',
    ];
    const owners = collectAll(processes, fixtureRoot('processes'), { columns: ['uid', 'on_disk'] }).rows;
    expect(owners).toEqual(pick(full, [...fromStat, ...fromStatus, 'path', 'on_disk']));
  });

  it('reads only the pids the query names', () => {
    const { rows } = collectAll(processes, fixtureRoot('processes'), { equals: { pid: [200, 999] } });
    expect(rows.map((r) => r.pid)).toEqual([200]);
  });

  it('finds this test process on the real machine', () => {
    const { rows } = collectAll(processes, '/', { equals: { pid: [process.pid] } });
    expect(rows).toHaveLength(1);
    const me = rows[0]!;
    expect(me.path).toBe(realpathSync(process.execPath));
    expect(me.on_disk).toBe(1);
    expect(me.parent).toBe(process.ppid);
    expect(me.uid).toBe(process.getuid?.());
    expect(String(me.cmdline)).toContain('node');
    const started = Number(me.start_time);
    const expected = Date.now() / 1000 - process.uptime();
    expect(Math.abs(started - expected)).toBeLessThan(5);
    expect(Number(me.resident_size)).toBeGreaterThan(1024 * 1024);
  });

  it('lists many processes on the real machine, this one included', () => {
    const { rows } = collectAll(processes, '/');
    expect(rows.some((r) => r.pid === process.pid)).toBe(true);
    expect(rows.length).toBeGreaterThan(1);
  });
});
