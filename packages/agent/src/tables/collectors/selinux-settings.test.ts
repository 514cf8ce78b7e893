import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { selinuxSettings } from './selinux-settings.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('selinux_settings', () => {
  it('reads the selinuxfs status files and booleans', () => {
    const { rows } = collectFixture(selinuxSettings, 'selinux_settings');
    expect(rows).toEqual([
      { scope: '', key: 'deny_unknown', value: '0' },
      { scope: '', key: 'enforce', value: '1' },
      { scope: '', key: 'mls', value: '1' },
      { scope: '', key: 'policyvers', value: '33' },
      { scope: 'booleans', key: 'httpd_can_network_connect', value: 'on' },
      { scope: 'booleans', key: 'ssh_sysadm_login', value: 'off' },
    ]);
  });

  it.skipIf(existsSync('/sys/fs/selinux'))('is empty with a warning on this machine without SELinux', () => {
    const { rows, warnings } = collectAt(selinuxSettings, '/');
    expect(rows).toEqual([]);
    expect(warnings).toEqual(['SELinux is not enabled (no /sys/fs/selinux)']);
  });

  it.skipIf(!existsSync('/sys/fs/selinux/enforce'))('reads the enforce flag on this SELinux machine', () => {
    const { rows } = collectAt(selinuxSettings, '/');
    expect(['0', '1']).toContain(rows.find((r) => r.key === 'enforce')?.value);
  });
});
