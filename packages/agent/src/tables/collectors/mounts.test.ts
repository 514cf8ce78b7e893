import { describe, expect, it } from 'vitest';
import { mounts } from './mounts.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('mounts', () => {
  it('unescapes mount points, resolves device links inside the root and adds statfs figures', () => {
    const { rows, warnings } = collectFixture(mounts, 'mounts');
    expect(
      rows.map(({ device, device_alias, path, type, flags }) => ({
        device,
        device_alias,
        path,
        type,
        flags,
      })),
    ).toEqual([
      {
        device: '/dev/mapper/vg-root',
        device_alias: '/dev/dm-0',
        path: '/',
        type: 'ext4',
        flags: 'rw,relatime,errors=remount-ro',
      },
      {
        device: 'proc',
        device_alias: 'proc',
        path: '/proc',
        type: 'proc',
        flags: 'rw,nosuid,nodev,noexec,relatime',
      },
      {
        device: '/dev/sdb1',
        device_alias: '/dev/sdb1',
        path: '/data/my disk',
        type: 'xfs',
        flags: 'rw,noatime',
      },
    ]);
    // statfs ran on the fixture directories themselves, so the figures are real ones.
    for (const row of rows) {
      expect(Number(row.blocks_size)).toBeGreaterThan(0);
      expect(Number(row.blocks)).toBeGreaterThanOrEqual(Number(row.blocks_free));
    }
    expect(warnings).toEqual([]);
  });

  it('finds the root filesystem with a real size on this machine', () => {
    const { rows } = collectAt(mounts, '/');
    const root = rows.find((r) => r.path === '/');
    expect(root).toBeDefined();
    expect(Number(root?.blocks)).toBeGreaterThan(0);
    expect(rows.some((r) => r.path === '/proc' && r.type === 'proc')).toBe(true);
  });
});
