import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diskEncryption } from './disk-encryption.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('disk_encryption', () => {
  it('marks dm-crypt devices and what sits on them (LVM on LUKS) as encrypted, the rest not', () => {
    const { rows } = collectFixture(diskEncryption, 'disk_encryption');
    const plain = { uuid: null, encrypted: 0, type: '', encryption_status: 'not encrypted' };
    expect(rows).toEqual([
      { name: '/dev/dm-0', uuid: null, encrypted: 1, type: 'LUKS2', encryption_status: 'encrypted' },
      {
        name: '/dev/dm-1',
        uuid: '11111111-2222-3333-4444-555555555555',
        encrypted: 1,
        type: 'LUKS2',
        encryption_status: 'encrypted',
      },
      { name: '/dev/sda', ...plain },
      { name: '/dev/sda1', ...plain },
      { name: '/dev/sda2', ...plain },
      { name: '/dev/sdb', ...plain },
      { name: '/dev/sdb1', ...plain },
    ]);
  });

  it.skipIf(!existsSync('/sys/block'))(
    'reports every block device of this machine, dm-crypt ones as encrypted',
    () => {
      const { rows } = collectAt(diskEncryption, '/');
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        const dmUuid = `/sys/block/${String(row.name).slice('/dev/'.length)}/dm/uuid`;
        const crypt = existsSync(dmUuid) && readFileSync(dmUuid, 'utf8').startsWith('CRYPT-');
        if (crypt) expect(row.encrypted).toBe(1);
        expect(row.encryption_status).toBe(row.encrypted === 1 ? 'encrypted' : 'not encrypted');
      }
    },
  );
});
