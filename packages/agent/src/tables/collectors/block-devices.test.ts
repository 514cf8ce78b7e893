import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blockDevices } from './block-devices.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('block_devices', () => {
  it('lists disks and partitions with udev identity, falling back to /dev/disk links', () => {
    const { rows } = collectFixture(blockDevices, 'block_devices');
    const disk = { vendor: 'ATA', model: 'Samsung SSD 860', block_size: 512 };
    expect(rows).toEqual([
      {
        name: '/dev/loop0',
        parent: '',
        vendor: null,
        model: null,
        serial: null,
        size: 0,
        block_size: 512,
        uuid: null,
        type: null,
        label: null,
      },
      {
        name: '/dev/sda',
        parent: '',
        ...disk,
        serial: 'S3Z9NB0K',
        size: 500118192,
        uuid: 'aa-bb',
        type: 'gpt',
        label: null,
      },
      {
        name: '/dev/sda1',
        parent: '/dev/sda',
        ...disk,
        serial: null,
        size: 1048576,
        uuid: '7A3B-1C2D',
        type: 'vfat',
        label: 'EFI',
      },
      {
        name: '/dev/sda2',
        parent: '/dev/sda',
        ...disk,
        serial: null,
        size: 499067536,
        uuid: '0b7f2c1e-9a55-4c1e-8d6e-1f2a3b4c5d6e',
        type: null,
        label: 'my root',
      },
    ]);
  });

  it.skipIf(!existsSync('/sys/block'))(
    'lists every /sys/block disk of this machine (needs /sys/block)',
    () => {
      const { rows } = collectAt(blockDevices, '/');
      const disks = rows.filter((r) => r.parent === '').map((r) => r.name);
      expect(disks).toEqual(
        readdirSync('/sys/block')
          .sort()
          .map((d) => `/dev/${d}`),
      );
    },
  );
});
