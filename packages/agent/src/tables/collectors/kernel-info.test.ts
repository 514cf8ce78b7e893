import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { kernelInfo } from './kernel-info.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('kernel_info', () => {
  it('splits the boot image and root device out of the kernel command line', () => {
    const { rows, warnings } = collectFixture(kernelInfo, 'kernel_info');
    expect(rows).toEqual([
      {
        version: '6.1.0-21-amd64',
        arguments: 'ro quiet splash',
        path: '/boot/vmlinuz-6.1.0-21-amd64',
        device: 'UUID=0b7f-11aa',
      },
    ]);
    expect(warnings).toEqual([]);
  });

  it('reports the running kernel release on this machine', () => {
    const { rows } = collectAt(kernelInfo, '/');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.version).toBe(release());
  });
});
